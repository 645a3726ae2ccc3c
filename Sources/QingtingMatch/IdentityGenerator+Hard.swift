import QingtingText
import QingtingCore

extension IdentityGenerator {
    /// The hard mode (`qingting link generate --hard`): customers and identities as the platforms
    /// and a CRM really show them, not as the matcher would like them. Same JSONL schema as the
    /// default mode; truth lines add `person`, and `relation`/`related` for strangers tied to a
    /// customer. Seeded and deterministic. The rates (also in the README's link section):
    ///
    /// | fact | rate |
    /// |---|---|
    /// | identities of no customer (strangers) | 40% |
    /// | a customer's identities | 0/1/2/3/4: 15/45/25/10/5% (a stranger's 1/2/3/4: 55/30/10/5%) |
    /// | platforms (share of identities) | WeChat 24, Douyin 20, Weibo 12, Xiaohongshu 12, Kuaishou 8, Bilibili 8, Zhihu 6, X 2, Facebook 4, Instagram 4% |
    /// | household of a customer | 1/2/3/4 people: 25/30/30/15%; another member is also a customer 8%, else a stranger with identities 20% |
    /// | platform default nickname | WeChat 35% (微信用户), Kuaishou 25% (快手用户…), Douyin 20% (用户 + 13 digits), Xiaohongshu 20% (小红薯 + 8 hex), Bilibili 12% (bili_…), Zhihu 10% (知乎用户…), Weibo 8% (用户 + uid), X/Facebook/Instagram 0% |
    /// | a person's nickname core | persona (快乐的小鱼, 人间清醒) 50%, English name 25%, from the real name 15%, letters 10% |
    /// | other nicknames | the real name: WeChat 12%, Facebook 70% (in pinyin: Xiaoming Wang, Kevin Wang); else the person's core with a decoration 60% (Cat_123, 爱生活的Cat, cat🐱), a fresh core 40% |
    /// | nickname taken (Weibo, Bilibili) | a suffix until unique |
    /// | phone shown on an identity | WeChat 30, Douyin 25, Xiaohongshu 20, Kuaishou 20, Weibo 15, Bilibili 10, Zhihu 10, X/Facebook/Instagram 3% |
    /// | shown phone masked in the platform's style | 85% (else all 11 digits): 138****1234 on Weibo, Douyin, WeChat, Bilibili; 1381234**** on Zhihu, Kuaishou; ****1234 on Xiaohongshu; X/Facebook/Instagram always +86 and all digits |
    /// | whose number an identity shows | a relative's shows the customer's 25%; a customer who changed numbers: the old one 30% |
    /// | number issued (号段, first 7 digits) where the person lived then | 85% (movers keep their old city's number) |
    /// | e-mail shown on an identity | 5% (X/Facebook/Instagram 20%) |
    /// | device ids on an identity | 55% (X/Facebook/Instagram 15%): the advertising id always, an app-scoped id (IDFV, Android ID; never recurs) 50% |
    /// | advertising id | iOS (25% of people): IDFA 20%, all-zero 45%, CAID 35%; Android: OAID 70%, all-zero 10%, IMEI-MD5 20% |
    /// | family tablet | 35% of households of 2+; a member's identity shows the tablet's id 15% |
    /// | IP addresses | home 45% (the household's /24; 25% of households share theirs with neighbours), mobile carrier NAT 55% (3 /24s per province and carrier), office NAT 35% of the employed (60% of people, ~25 per office, one address), VPN/cloud egress 5% (X/Facebook/Instagram 85%; 6 /24s for everyone); shared blocks grow with the run (at 10,000 customers: an office address ~50 people, a carrier or VPN /24 ~550) |
    /// | moved to another city | 12% of people; a mover's identity shows the old city 40%, the CRM has it 50% |
    /// | profile city | absent 22%, province only (IP属地) 22%, the name 18%, name + 市 6%, an alias (魔都, 鹏城) 7%, a district several cities have (朝阳区, 鼓楼区) 6%, a district of one city 5%, pinyin 3%, "省 市" 3%, another city 8% |
    /// | CRM name | exact 89%, homophone or wrong character (晓→小) 5%, 王先生/李女士 3%, the WeChat nickname 2%, pinyin 1% |
    /// | CRM phone | missing 4%, landline 2%, mistyped digit 2%, an old number 8% (recycled to a stranger with identities 60%), a household's second customer carries the first one's 30%; else the current number |
    /// | CRM e-mail | 45%, of which mistyped 6% |
    /// | e-mail | qq.com 40% (numeric QQ 65% of those), 163 18%, 126 7%, gmail 6%, icloud 5%, sina 4%, foxmail 4%, outlook 4%, hotmail 3%, 139.com (the phone) 3%, sohu 3%, yeah.net 3%; local parts from the name's pinyin with years and lucky numbers (wangxm88, xiaoming.wang, kevinwang1314) |
    /// | given name | one common character (伟, 芳) 30%, else two; surnames by their census frequency |
    public static func hard(customerCount: Int, seed: UInt64 = 7) -> IdentityGenerator {
        var world = HardWorld(seed: seed)
        world.populate(customerCount: customerCount)
        return IdentityGenerator(customers: world.customers, identities: world.identities)
    }
}

/// How the hard mode drew an identity's fields (not written; the tests check the rates on it).
struct HardDraws: Sendable {
    enum Nickname: Sendable { case platformDefault, core, freshCore, realName }
    enum PhoneSource: Sendable { case own, oldNumber, relativesCustomer }
    enum City: Sendable { case absent, province, name, nameShi, alias, sharedDistrict, district, pinyin, provinceCity, other }
    enum Device: Sendable { case idfa, caid, oaid, imeiMD5, zero, idfv, androidID }
    enum Address: Sendable { case home, mobile, office, vpn }
    var nickname: Nickname? = nil
    var suffixed = false
    var phone: PhoneSource? = nil
    var phoneMasked = false
    var city: City? = nil
    var devices: [Device] = []
    var tablet = false
    var addresses: [Address] = []
}

/// The people, households, offices and networks behind one hard-mode run.
struct HardWorld {
    private(set) var customers: [IdentityGenerator.Customer] = []
    private(set) var identities: [IdentityGenerator.Identity] = []

    private var rng: SplitMix64
    private var people: [Person] = []
    private var households: [Household] = []
    private var offices: [Int: [String]] = [:]        // city → office egress addresses
    private var homeBlocks: [Int: [String]] = [:]     // city → home broadband /24s in use
    private var mobileBlocks: [String: [String]] = [:] // "province|carrier" → carrier NAT /24s
    private var vpnBlocks: [String] = []
    private var usedBlocks: Set<String> = []
    private var phonePrefixes: [[Int]] = []           // city → 号段 (7-digit prefixes)
    private var usedPrefixes: Set<Int> = []
    private var usedPhones: Set<String> = []
    private var usedEmails: Set<String> = []
    private var usedUids: Set<String> = []
    private var takenNicknames: [String: Set<String>] = [:]

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    struct Person {
        var surname: String, given: String, female: Bool
        var birthday: String
        var city: Int, previousCity: Int?
        var phone: String, oldPhone: String?
        var email: String
        var ios: Bool
        var phones: [(id: String, kind: HardDraws.Device)]  // each handset's advertising id
        var household: Int
        var office: String?
        var core: Core
        var english: String
        var peak: Int
        var customer: String?, record: Int?
        var relation: String?, relatedCustomer: String?
    }

    struct Household {
        var city: Int
        var home: String  // the /24
        var hosts: [Int]
        var tablet: (id: String, kind: HardDraws.Device)?
        var members: [Int] = []
    }

    struct Core {
        enum Kind { case persona, english, name, letters }
        var text: String
        var kind: Kind
        var latin: Bool { text.unicodeScalars.allSatisfy { $0.isASCII } }
    }

    // MARK: Population

    mutating func populate(customerCount: Int) {
        phonePrefixes = Self.cities.map { _ in [] }
        vpnBlocks = (0..<6).map { _ in freshBlock(Self.cloudOctets) }
        // Households until there are enough customers; the first member of each is one.
        var customerPeople: [Int] = []
        var relatives: [Int] = []
        while customerPeople.count < customerCount {
            let city = pickCity()
            let size = 1 + weighted([25, 30, 30, 15])
            let h = newHousehold(city: city, shared: size > 1)
            let head = newPerson(city: city, household: h)
            customerPeople.append(head)
            for role in 1..<size {
                let p = newRelative(of: head, role: role, household: h)
                if customerPeople.count < customerCount && rng.unit() < 0.08 { customerPeople.append(p) } else { relatives.append(p) }
            }
        }
        rng.shuffle(&customerPeople)  // ids say nothing about households
        for (k, p) in customerPeople.enumerated() { people[p].customer = "C" + pad(k + 1, 7); people[p].record = k }
        var recycledHolders: [Int] = []
        for p in customerPeople {
            if let holder = makeCustomerRecord(p) { recycledHolders.append(holder) }
        }
        for p in customerPeople {
            let count = weighted([15, 45, 25, 10, 5])
            addIdentities(of: p, count: count)
        }
        let customerIdentities = identities.count
        let target = Int((Double(customerIdentities) * 0.4 / 0.6).rounded())
        var strangers = 0
        func add(_ p: Int, _ count: Int) {
            let n = min(count, target - strangers)
            guard n > 0 else { return }
            addIdentities(of: p, count: n)
            strangers += n
        }
        for p in recycledHolders { add(p, 1 + weighted([55, 30, 10, 5])) }
        for p in relatives where rng.unit() < 0.20 { add(p, 1 + weighted([55, 30, 10, 5])) }
        while strangers < target {
            let city = pickCity()
            let p = newPerson(city: city, household: newHousehold(city: city, shared: false))
            add(p, 1 + weighted([55, 30, 10, 5]))
        }
        rng.shuffle(&identities)
    }

    private mutating func newHousehold(city: Int, shared: Bool) -> Int {
        let home: String
        if let blocks = homeBlocks[city], rng.unit() < 0.25 { home = blocks[rng.below(blocks.count)] } else {
            home = freshBlock(Self.homeOctets)
            homeBlocks[city, default: []].append(home)
        }
        let hosts = (0..<(2 + rng.below(2))).map { _ in 2 + rng.below(252) }
        let tablet = shared && rng.unit() < 0.35 ? advertisingID(ios: rng.unit() < 0.5) : nil
        households.append(Household(city: city, home: home, hosts: hosts, tablet: tablet))
        return households.count - 1
    }

    /// A person living in `city`; surname, sex and age may be given (a relative's).
    private mutating func newPerson(city: Int, household: Int, surname: String? = nil, female: Bool? = nil,
                                    born: ClosedRange<Int> = 1960...2004) -> Int {
        let female = female ?? (rng.unit() < 0.5)
        let surname = surname ?? String(IdentityGenerator.surnames[weighted(IdentityGenerator.surnameWeights)])
        let given: String
        if rng.unit() < 0.30 {
            let pool = female ? Self.femaleCommon : Self.maleCommon
            given = String(pool[rng.below(pool.count)])
        } else {
            let (a, b) = female ? (Self.femaleFirst, Self.femaleSecond) : (Self.maleFirst, Self.maleSecond)
            given = String(a[rng.below(a.count)]) + String(b[rng.below(b.count)])
        }
        let year = born.lowerBound + rng.below(born.count)
        let previous: Int? = rng.unit() < 0.12 ? otherCity(than: city) : nil
        let issued = rng.unit() < 0.85 ? (previous ?? city) : pickCity()
        let phone = newPhone(issuedIn: issued)
        let ios = rng.unit() < 0.25
        let phones = (0..<(rng.unit() < 0.2 ? 2 : 1)).map { _ in advertisingID(ios: ios) }
        let english = Self.englishNames[rng.below(Self.englishNames.count)]
        var person = Person(surname: surname, given: given, female: female,
                            birthday: "\(year)-\(pad(1 + rng.below(12), 2))-\(pad(1 + rng.below(28), 2))",
                            city: city, previousCity: previous, phone: phone, oldPhone: nil, email: "",
                            ios: ios, phones: phones, household: household, office: nil,
                            core: Core(text: "", kind: .persona), english: english, peak: rng.below(24),
                            customer: nil, record: nil, relation: nil, relatedCustomer: nil)
        person.email = newEmail(person, year: year)
        person.core = newCore(person, allowName: true)
        if rng.unit() < 0.60 { person.office = office(in: city) }
        people.append(person)
        households[household].members.append(people.count - 1)
        return people.count - 1
    }

    /// A spouse (role 1), child (2) or parent (3) of `head`, in the same household.
    private mutating func newRelative(of head: Int, role: Int, household: Int) -> Int {
        let h = people[head]
        let headYear = Int(h.birthday.prefix(4)) ?? 1980
        let city = households[household].city
        switch role {
        case 1: return newPerson(city: city, household: household, female: !h.female, born: (headYear - 4)...(headYear + 4))
        case 2:
            let surname = h.female && rng.unit() < 0.85 ? nil : h.surname
            let born = min(headYear + 22, 2008)...min(headYear + 34, 2010)
            return newPerson(city: city, household: household, surname: surname, born: born)
        default:
            let father = rng.unit() < 0.5
            return newPerson(city: city, household: household, surname: father ? h.surname : nil, female: !father,
                             born: (headYear - 34)...(headYear - 22))
        }
    }

    /// Writes `p`'s CRM record; returns the stranger now holding the customer's recycled old number, if any.
    private mutating func makeCustomerRecord(_ p: Int) -> Int? {
        let person = people[p]
        var name = person.surname + person.given
        switch rng.unit() {
        case ..<0.05: name = person.surname + Self.misspelled(person.given, &rng)
        case ..<0.08: name = person.surname + (person.female ? "女士" : "先生")
        case ..<0.10: name = decorated(person.core)
        case ..<0.11: name = Self.capitalized(pinyin(person.given)) + " " + Self.capitalized(pinyin(person.surname))
        default: break
        }
        var phone: String? = person.phone
        var holder: Int? = nil
        let household = households[person.household]
        let firstCustomer = household.members.first { people[$0].customer != nil && $0 != p }
        if let first = firstCustomer, household.members.firstIndex(of: first)! < household.members.firstIndex(of: p)!,
           rng.unit() < 0.30 {
            phone = people[first].phone
        } else {
            switch rng.unit() {
            case ..<0.04: phone = nil
            case ..<0.06: phone = "0" + ["10", "21", "20", "755", "571", "28"][rng.below(6)] + "-" + String(20_000_000 + rng.below(70_000_000))
            case ..<0.08: phone = Self.mistyped(phone: person.phone, &rng)
            case ..<0.16:
                let old = newPhone(issuedIn: person.previousCity ?? person.city)
                people[p].oldPhone = old
                phone = old
                if rng.unit() < 0.60 {
                    // The carrier re-issued it, most likely where it was issued.
                    let city = phonePrefixes.firstIndex { $0.contains(Int(old.prefix(7))!) } ?? person.city
                    let q = newPerson(city: city, household: newHousehold(city: city, shared: false))
                    usedPhones.remove(people[q].phone)
                    people[q].phone = old
                    people[q].relation = "recycled_phone"
                    people[q].relatedCustomer = person.customer
                    holder = q
                }
            default: break
            }
        }
        var email: String? = nil
        if rng.unit() < 0.45 { email = rng.unit() < 0.06 ? Self.mistyped(email: person.email, &rng) : person.email }
        let city = person.previousCity != nil && rng.unit() < 0.5 ? person.previousCity! : person.city
        for m in household.members where m != p && people[m].customer == nil && people[m].relation == nil {
            people[m].relation = "household"
            people[m].relatedCustomer = person.customer
        }
        customers.append(IdentityGenerator.Customer(
            id: person.customer!, name: name, gender: person.female ? "女" : "男", city: Self.cities[city].name,
            birthday: person.birthday, level: ["普通", "银卡", "金卡", "钻石"][rng.below(4)], phone: phone, email: email))
        return holder
    }

    // MARK: Identities

    private mutating func addIdentities(of p: Int, count: Int) {
        var used: Set<Int> = []
        for _ in 0..<count {
            var k = weighted(Self.platformShares)
            while used.contains(k) { k = weighted(Self.platformShares) }
            used.insert(k)
            identities.append(identity(of: p, platform: Self.platforms[k]))
        }
    }

    private mutating func identity(of p: Int, platform: Platform) -> IdentityGenerator.Identity {
        let person = people[p]
        var drawn = HardDraws()
        let uid = newUid(platform)
        // Nickname.
        var nickname: String
        if rng.unit() < platform.defaultNickname {
            nickname = defaultNickname(platform, uid: uid)
            drawn.nickname = .platformDefault
        } else if rng.unit() < platform.realName {
            if platform.overseas {
                let first = rng.unit() < 0.6 ? Self.capitalized(pinyin(person.given)) : person.english
                nickname = first + " " + Self.capitalized(pinyin(person.surname))
            } else {
                nickname = person.surname + person.given
            }
            drawn.nickname = .realName
        } else if rng.unit() < 0.6 {
            nickname = decorated(person.core)
            drawn.nickname = .core
        } else {
            nickname = decorated(newCore(person, allowName: false))
            drawn.nickname = .freshCore
        }
        if platform.uniqueNicknames {
            let base = nickname
            while takenNicknames[platform.name]?.contains(nickname) == true {
                nickname = base + Self.collisionSuffix(&rng)
                drawn.suffixed = true
            }
            takenNicknames[platform.name, default: []].insert(nickname)
        }
        // Phone.
        var phone: String? = nil
        var shownNumber: String? = nil
        if rng.unit() < platform.phoneShown {
            var number = person.phone
            drawn.phone = .own
            if person.relation == "household", let c = person.relatedCustomer, rng.unit() < 0.25,
               let head = households[person.household].members.first(where: { people[$0].customer == c }) {
                number = people[head].phone
                drawn.phone = .relativesCustomer
            } else if let old = person.oldPhone, rng.unit() < 0.30 {
                number = old
                drawn.phone = .oldNumber
            }
            shownNumber = number
            if platform.mask == .full {
                phone = "+86" + number
            } else if rng.unit() < 0.85 {
                drawn.phoneMasked = true
                switch platform.mask {
                case .middle: phone = String(number.prefix(3)) + "****" + String(number.suffix(4))
                case .tail: phone = String(number.prefix(7)) + "****"
                case .lastFour: phone = "****" + String(number.suffix(4))
                case .full: break
                }
            } else {
                phone = number
            }
        }
        let email: String? = rng.unit() < (platform.overseas ? 0.20 : 0.05) ? person.email : nil
        // Devices.
        var device: [String] = []
        if rng.unit() < (platform.overseas ? 0.15 : 0.55) {
            let tablet = households[person.household].tablet
            if let tablet, rng.unit() < 0.15 {
                device.append(tablet.id); drawn.devices.append(tablet.kind); drawn.tablet = true
            } else {
                let handset = person.phones[rng.below(person.phones.count)]
                device.append(handset.id); drawn.devices.append(handset.kind)
            }
            if rng.unit() < 0.5 {
                if person.ios { device.append(Self.uuid(&rng)); drawn.devices.append(.idfv) } else {
                    device.append(Self.hex(16, &rng)); drawn.devices.append(.androidID)
                }
            }
        }
        // IP addresses.
        var ip: [String] = []
        let household = households[person.household]
        if rng.unit() < 0.45 {
            ip.append(household.home + ".\(household.hosts[rng.below(household.hosts.count)])"); drawn.addresses.append(.home)
        }
        if rng.unit() < 0.55 {
            let key = Self.cities[person.city].province + "|" + Self.carrier(of: person.phone)
            if mobileBlocks[key] == nil { mobileBlocks[key] = (0..<3).map { _ in freshBlock(Self.homeOctets) } }
            let blocks = mobileBlocks[key]!
            ip.append(blocks[rng.below(blocks.count)] + ".\(1 + rng.below(254))"); drawn.addresses.append(.mobile)
        }
        if let office = person.office, rng.unit() < 0.35 { ip.append(office); drawn.addresses.append(.office) }
        if rng.unit() < (platform.overseas ? 0.85 : 0.05) {
            ip.append(vpnBlocks[rng.below(vpnBlocks.count)] + ".\(1 + rng.below(254))"); drawn.addresses.append(.vpn)
        }
        // City.
        let seen = person.previousCity != nil && rng.unit() < 0.4 ? person.previousCity! : person.city
        let (city, form) = profileCity(seen)
        drawn.city = form
        let gender: String? = rng.unit() < 0.65 ? ((rng.unit() < 0.06) != person.female ? "女" : "男") : nil
        let hours = (0..<24).map { h -> Int in
            let d = Double(min(abs(h - person.peak), 24 - abs(h - person.peak)))
            return Int((10 / (1 + d * d) * (0.5 + rng.unit())).rounded())
        }
        var deterministic = false
        if let k = person.record {
            let record = customers[k]
            if let shown = shownNumber, phone?.contains("*") == false, record.phone == shown { deterministic = true }
            if let e = email, record.email == e { deterministic = true }
        }
        var identity = IdentityGenerator.Identity(
            platform: platform.name, uid: uid, nickname: nickname, phone: phone, email: email, city: city, gender: gender,
            ip: ip, device: device, hours: hours, customer: person.customer, deterministic: deterministic)
        identity.person = "P" + pad(p + 1, 8)
        identity.relation = person.customer == nil ? person.relation : nil
        identity.relatedCustomer = person.customer == nil ? person.relatedCustomer : nil
        identity.drawn = drawn
        return identity
    }

    private mutating func profileCity(_ c: Int) -> (String?, HardDraws.City) {
        let city = Self.cities[c]
        switch weighted([22, 22, 18, 6, 7, 6, 5, 3, 3, 8]) {
        case 0: return (nil, .absent)
        case 1: return (city.province, .province)
        case 2: return (city.name, .name)
        case 3: return (city.name + "市", .nameShi)
        case 4:
            if city.aliases.isEmpty { return (city.name, .name) }
            return (city.aliases[rng.below(city.aliases.count)], .alias)
        case 5:
            let shared = Self.sharedDistricts.filter { $0.cities.contains(city.name) }
            if shared.isEmpty { return (city.districts[rng.below(city.districts.count)], .district) }
            return (shared[rng.below(shared.count)].district, .sharedDistrict)
        case 6: return (city.districts[rng.below(city.districts.count)], .district)
        case 7: return (city.pinyin, .pinyin)
        case 8:
            let municipality = city.province == city.name
            return ((municipality ? city.name : city.province) + " " + (municipality ? city.districts[0] : city.name), .provinceCity)
        default: return (Self.cities[otherCity(than: c)].name, .other)
        }
    }

    // MARK: Nicknames

    private mutating func newCore(_ p: Person, allowName: Bool) -> Core {
        let kind = weighted(allowName ? [50, 25, 15, 10] : [50, 25, 0, 10])
        switch kind {
        case 0: return Core(text: persona(), kind: .persona)
        case 1: return Core(text: allowName ? p.english : Self.englishNames[rng.below(Self.englishNames.count)], kind: .english)
        case 2:
            let last = String(p.given.last!)
            let pyGiven = pinyin(p.given), pySurname = pinyin(p.surname)
            let text: String
            switch weighted([20, 15, 5, 10, 10, 10, 5, 10, 10, 5]) {
            case 0: text = p.surname + p.given
            case 1: text = "小" + last
            case 2: text = "阿" + last
            case 3: text = last + last
            case 4: text = p.given
            case 5: text = pySurname + pyGiven
            case 6: text = pyGiven + "_" + pySurname
            case 7: text = Self.initials(pySurname) + Self.initialsOfGiven(p.given) { pinyin($0) }
            case 8: text = p.surname + ["总", "哥", "姐", "老师"][rng.below(4)]
            default: text = p.english + Self.capitalized(pySurname)
            }
            return Core(text: text, kind: .name)
        default:
            let text = rng.unit() < 0.5 ? Self.keyboard[rng.below(Self.keyboard.count)]
                : String((0..<(3 + rng.below(5))).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.below(26)))) })
            return Core(text: text, kind: .letters)
        }
    }

    private mutating func persona() -> String {
        switch weighted([40, 10, 30, 10, 10]) {
        case 0: return Self.adjectives[rng.below(Self.adjectives.count)] + "的" + Self.nouns[rng.below(Self.nouns.count)]
        case 1: return "一只" + Self.nouns[rng.below(Self.nouns.count)]
        case 2: return Self.phrases[rng.below(Self.phrases.count)]
        case 3: return Self.nouns[rng.below(Self.nouns.count)] + "不吃" + Self.foods[rng.below(Self.foods.count)]
        default: return "小" + Self.nouns[rng.below(Self.nouns.count)]
        }
    }

    /// The core as one platform shows it: Cat, Cat_1990, 爱生活的Cat, cat🐱; 小鱼, 小鱼呀, 是小鱼, 小鱼520.
    private mutating func decorated(_ core: Core) -> String {
        let t = core.text
        let emoji = Self.emoji[rng.below(Self.emoji.count)]
        if core.latin {
            switch weighted([20, 25, 10, 10, 15, 10, 5, 5]) {
            case 0: return t
            case 1: return t + "_" + number()
            case 2: return t + number()
            case 3: return core.kind == .english ? ["爱生活的", "努力的", "快乐的", "一只", "小", "是"][rng.below(6)] + t : t
            case 4: return t.lowercased() + emoji
            case 5: return t.lowercased()
            case 6: return t.uppercased()
            default: return t + t
            }
        }
        switch weighted([35, 15, 10, 5, 5, 15, 5, 5, 5]) {
        case 0: return t
        case 1: return t + emoji
        case 2: return t + ["呀", "吖", "酱", "丶", "~", "啊"][rng.below(6)]
        case 3: return core.kind == .persona && t.count <= 4 ? "是" + t + "呀" : t
        case 4: return core.kind == .persona && t.count <= 3 && !t.hasPrefix("小") ? "一只" + t : t
        case 5: return t + number()
        case 6: return t + "_" + number()
        case 7: return t.count <= 2 && !t.hasPrefix("小") ? "小" + t : t
        default: return "_" + t + "_"
        }
    }

    /// A year, a lucky number or a few digits.
    private mutating func number() -> String {
        switch rng.below(4) {
        case 0: return String(1975 + rng.below(31))
        case 1: return Self.lucky[rng.below(Self.lucky.count)]
        case 2: return pad(rng.below(100), 2)
        default: return String(rng.below(1000))
        }
    }

    static func collisionSuffix(_ rng: inout SplitMix64) -> String {
        switch rng.below(3) {
        case 0: return "_" + String(rng.below(10_000))
        case 1: return ["丶", "呀", "_", "的", "酱"][rng.below(5)] + String(rng.below(100))
        default: return String(rng.below(1000))
        }
    }

    private mutating func defaultNickname(_ platform: Platform, uid: String) -> String {
        switch platform.name {
        case "wechat": return "微信用户"
        case "weibo": return "用户" + uid
        case "douyin": return "用户" + String(1_000_000_000_000 + UInt64(rng.next() % 9_000_000_000_000))
        case "kuaishou": return "快手用户" + String(1_500_000_000_000 + UInt64(rng.next() % 200_000_000_000))
        case "xiaohongshu": return "小红薯" + Self.hex(8, &rng).uppercased()
        case "bilibili": return "bili_" + String(10_000_000_000 + UInt64(rng.next() % 90_000_000_000))
        case "zhihu": return "知乎用户" + String((0..<6).map { _ in Self.base62[rng.below(62)] })
        default: return uid
        }
    }

    private mutating func newUid(_ platform: Platform) -> String {
        while true {
            let uid: String
            switch platform.name {
            case "weibo": uid = String(1_000_000_000 + UInt64(rng.next() % 6_999_999_999))
            case "wechat": uid = "o" + String((0..<27).map { _ in Self.base64url[rng.below(64)] })
            case "douyin": uid = "_000" + String((0..<32).map { _ in Self.base62[rng.below(62)] })
            case "xiaohongshu": uid = Self.hex(24, &rng)
            case "kuaishou", "bilibili": uid = String(100_000_000 + UInt64(rng.next() % 3_900_000_000))
            case "zhihu": uid = Self.hex(32, &rng)
            case "x": uid = String(1_000_000_000_000_000_000 + rng.next() % 800_000_000_000_000_000)
            case "facebook": uid = String(1_000_000_000_000_000 + rng.next() % 9_000_000_000_000_000)
            default: uid = String(10_000_000_000_000_000 + rng.next() % 9_000_000_000_000_000)
            }
            if usedUids.insert(platform.name + ":" + uid).inserted { return uid }
        }
    }

    // MARK: Phones, e-mails, devices, networks

    /// A mobile number whose 号段 belongs to `city`; big cities hold more prefixes.
    private mutating func newPhone(issuedIn city: Int) -> String {
        if phonePrefixes[city].isEmpty {
            let count = Int(Self.cities[city].weight * 40)
            var prefixes: [Int] = []
            while prefixes.count < count {
                let head = Self.carrierHeads[rng.below(Self.carrierHeads.count)].head
                let prefix = head * 10_000 + rng.below(10_000)
                if usedPrefixes.insert(prefix).inserted { prefixes.append(prefix) }
            }
            phonePrefixes[city] = prefixes
        }
        while true {
            let prefixes = phonePrefixes[city]
            let number = String(prefixes[rng.below(prefixes.count)]) + pad(rng.below(10_000), 4)
            if usedPhones.insert(number).inserted { return number }
        }
    }

    static func carrier(of phone: String) -> String {
        let head = Int(phone.prefix(3)) ?? 0
        return carrierHeads.first { $0.head == head }?.carrier ?? "mobile"
    }

    private mutating func newEmail(_ p: Person, year: Int) -> String {
        let domain = Self.domains[weighted(Self.domains.map(\.1))].0
        let ps = pinyin(p.surname), pg = pinyin(p.given)
        let initials = Self.initials(ps) + Self.initialsOfGiven(p.given) { pinyin($0) }
        var local: String
        if domain == "qq.com" && rng.unit() < 0.65 {
            let digits = year < 1985 ? 5 + rng.below(4) : 8 + rng.below(3)
            local = String(1 + rng.below(9)) + String((1..<digits).map { _ in Character(String(rng.below(10))) })
        } else if domain == "139.com" {
            local = p.phone
        } else {
            let lucky = Self.lucky[rng.below(Self.lucky.count)]
            switch weighted([20, 15, 15, 10, 5, 10, 10, 5, 10]) {
            case 0: local = ps + pg + lucky
            case 1: local = ps + pg + String(year)
            case 2: local = ps + String(initials.dropFirst()) + lucky
            case 3: local = pg + "." + ps
            case 4: local = pg + "_" + ps
            case 5: local = initials + String(year)
            case 6: local = p.english.lowercased() + ps + lucky
            case 7: local = ps + pg
            default: local = Self.keyboard[rng.below(Self.keyboard.count)] + lucky
            }
        }
        var email = local + "@" + domain
        while !usedEmails.insert(email).inserted { email = local + String(rng.below(1000)) + "@" + domain }
        return email
    }

    /// A handset's or tablet's advertising id: IDFA, CAID or zeros on iOS; OAID, IMEI-MD5 or zeros on Android.
    private mutating func advertisingID(ios: Bool) -> (id: String, kind: HardDraws.Device) {
        let x = rng.unit()
        if ios {
            if x < 0.20 { return (Self.uuid(&rng), .idfa) }
            if x < 0.65 { return (Self.zeroID, .zero) }
            return (Self.hex(32, &rng), .caid)
        }
        if x < 0.70 { return (rng.unit() < 0.5 ? Self.uuid(&rng).lowercased() : Self.hex(16, &rng), .oaid) }
        if x < 0.80 { return (Self.zeroID, .zero) }
        return (Self.hex(32, &rng), .imeiMD5)
    }

    static let zeroID = "00000000-0000-0000-0000-000000000000"

    /// The office's NAT address: a new office for about one employee in 25, else a colleague's.
    private mutating func office(in city: Int) -> String {
        if let list = offices[city], rng.unit() >= 1.0 / 25 { return list[rng.below(list.count)] }
        let address = freshBlock(Self.homeOctets) + ".\(1 + rng.below(254))"
        offices[city, default: []].append(address)
        return address
    }

    private mutating func freshBlock(_ firstOctets: [Int]) -> String {
        while true {
            let block = "\(firstOctets[rng.below(firstOctets.count)]).\(rng.below(256)).\(rng.below(256))"
            if usedBlocks.insert(block).inserted { return block }
        }
    }

    // MARK: Helpers

    private mutating func pickCity() -> Int { weighted(Self.cities.map(\.weight)) }

    private mutating func otherCity(than c: Int) -> Int {
        var o = pickCity()
        while o == c { o = pickCity() }
        return o
    }

    private mutating func weighted(_ weights: [Double]) -> Int { rng.weighted(weights) }

    private func pad(_ n: Int, _ width: Int) -> String { NumberFormat.zeroPadded(n, width) }

    /// Pinyin without tones: the generator's table (the surnames' usual readings), else ICU.
    private func pinyin(_ s: String) -> String {
        s.map { c in
            IdentityGenerator.pinyinTable[c] ?? Self.extraPinyin[c]
                ?? ((try? Transliteration.apply(String(c), transform: "Han-Latin; Latin-ASCII"))?.lowercased().filter(\.isLetter) ?? "x")
        }.joined()
    }

    static func initials(_ pinyin: String) -> String { String(pinyin.prefix(1)) }

    static func initialsOfGiven(_ given: String, _ pinyin: (String) -> String) -> String {
        given.map { String(pinyin(String($0)).prefix(1)) }.joined()
    }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    static func uuid(_ rng: inout SplitMix64) -> String {
        let h = hex(32, &rng).uppercased()
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    static func hex(_ n: Int, _ rng: inout SplitMix64) -> String {
        String((0..<n).map { _ in hexDigits[rng.below(16)] })
    }

    /// A CRM clerk's version of a given name: a homophone (晓→小, 明→铭) or a look-alike.
    static func misspelled(_ given: String, _ rng: inout SplitMix64) -> String {
        var out = Array(given)
        for (k, c) in out.enumerated() {
            if let alt = homophones[c] { out[k] = alt[rng.below(alt.count)]; return String(out) }
        }
        out[out.count - 1] = ["一", "义", "益", "艺"][rng.below(4)]
        return String(out)
    }

    /// One digit of the last eight changed.
    static func mistyped(phone: String, _ rng: inout SplitMix64) -> String {
        var digits = Array(phone)
        let k = 3 + rng.below(8)
        let d = Int(String(digits[k]))!
        digits[k] = Character(String((d + 1 + rng.below(9)) % 10))
        return String(digits)
    }

    /// A wrong domain (qq.con, gmial.com) or a dropped, doubled or swapped letter.
    static func mistyped(email: String, _ rng: inout SplitMix64) -> String {
        let parts = email.split(separator: "@", maxSplits: 1).map(String.init)
        var local = Array(parts[0]), domain = parts[1]
        switch rng.below(4) {
        case 0: domain = domainTypos[domain]?[rng.below(domainTypos[domain]!.count)] ?? domain.replacingLast("m", with: "n")
        case 1 where local.count > 3: local.remove(at: rng.below(local.count))
        case 2 where local.count > 1: let k = rng.below(local.count - 1); local.swapAt(k, k + 1)
        default: let k = rng.below(local.count); local.insert(local[k], at: k)
        }
        return String(local) + "@" + domain
    }

    // MARK: Tables

    struct Platform {
        enum Mask { case middle, tail, lastFour, full }
        /// `realName`: the share of other nicknames that are the real name (WeChat's work accounts;
        /// Facebook's names, in pinyin).
        let name: String, share: Double, defaultNickname: Double, realName: Double, phoneShown: Double, mask: Mask
        let uniqueNicknames: Bool, overseas: Bool
    }

    static let platformShares = platforms.map(\.share)
    static let platforms: [Platform] = [
        Platform(name: "wechat", share: 24, defaultNickname: 0.35, realName: 0.12, phoneShown: 0.30, mask: .middle, uniqueNicknames: false, overseas: false),
        Platform(name: "douyin", share: 20, defaultNickname: 0.20, realName: 0, phoneShown: 0.25, mask: .middle, uniqueNicknames: false, overseas: false),
        Platform(name: "weibo", share: 12, defaultNickname: 0.08, realName: 0, phoneShown: 0.15, mask: .middle, uniqueNicknames: true, overseas: false),
        Platform(name: "xiaohongshu", share: 12, defaultNickname: 0.20, realName: 0, phoneShown: 0.20, mask: .lastFour, uniqueNicknames: false, overseas: false),
        Platform(name: "kuaishou", share: 8, defaultNickname: 0.25, realName: 0, phoneShown: 0.20, mask: .tail, uniqueNicknames: false, overseas: false),
        Platform(name: "bilibili", share: 8, defaultNickname: 0.12, realName: 0, phoneShown: 0.10, mask: .middle, uniqueNicknames: true, overseas: false),
        Platform(name: "zhihu", share: 6, defaultNickname: 0.10, realName: 0, phoneShown: 0.10, mask: .tail, uniqueNicknames: false, overseas: false),
        Platform(name: "x", share: 2, defaultNickname: 0, realName: 0, phoneShown: 0.03, mask: .full, uniqueNicknames: false, overseas: true),
        Platform(name: "facebook", share: 4, defaultNickname: 0, realName: 0.70, phoneShown: 0.03, mask: .full, uniqueNicknames: false, overseas: true),
        Platform(name: "instagram", share: 4, defaultNickname: 0, realName: 0, phoneShown: 0.03, mask: .full, uniqueNicknames: false, overseas: true),
    ]

    struct City {
        let name: String, province: String, weight: Double, aliases: [String], districts: [String], pinyin: String
    }

    /// Cities: name, province, weight, nicknames (some shared: 春城, 江城, 绿城, 鹿城; `-` for
    /// none), districts of that city only, pinyin. Some are missing from the matcher's lexicon, as
    /// real cities are.
    static let cities: [City] = """
        北京 北京 22 帝都,京城 海淀区,东城区,西城区,丰台区 Beijing
        上海 上海 25 魔都,申城 浦东新区,徐汇区,静安区,闵行区 Shanghai
        广州 广东 19 羊城,花城 天河区,越秀区,海珠区,番禺区 Guangzhou
        深圳 广东 18 鹏城 南山区,福田区,宝安区,罗湖区 Shenzhen
        杭州 浙江 12 杭城 余杭区,滨江区,萧山区,拱墅区 Hangzhou
        南京 江苏 9 金陵 玄武区,秦淮区,建邺区,江宁区 Nanjing
        苏州 江苏 13 姑苏 吴中区,相城区,吴江区,工业园区 Suzhou
        成都 四川 21 蓉城 锦江区,青羊区,武侯区,成华区 Chengdu
        重庆 重庆 20 山城,雾都 渝中区,沙坪坝区,渝北区,南岸区 Chongqing
        武汉 湖北 13 江城 洪山区,武昌区,江汉区,汉阳区 Wuhan
        西安 陕西 13 长安 雁塔区,碑林区,莲湖区,未央区 Xi'an
        天津 天津 14 津门 南开区,河西区,滨海新区,河东区 Tianjin
        长沙 湖南 10 星城 岳麓区,芙蓉区,天心区,开福区 Changsha
        郑州 河南 12 绿城 金水区,二七区,中原区,管城回族区 Zhengzhou
        青岛 山东 10 岛城 市南区,崂山区,李沧区,黄岛区 Qingdao
        济南 山东 9 泉城 历下区,历城区,槐荫区,天桥区 Jinan
        沈阳 辽宁 9 盛京 沈河区,皇姑区,大东区,浑南区 Shenyang
        大连 辽宁 7 滨城 西岗区,沙河口区,甘井子区,金州区 Dalian
        厦门 福建 5 鹭岛 思明区,湖里区,集美区,海沧区 Xiamen
        福州 福建 8 榕城 台江区,仓山区,晋安区,马尾区 Fuzhou
        合肥 安徽 9 庐州 蜀山区,包河区,庐阳区,瑶海区 Hefei
        宁波 浙江 9 甬城 海曙区,鄞州区,北仑区,镇海区 Ningbo
        无锡 江苏 7 锡城 梁溪区,滨湖区,新吴区,惠山区 Wuxi
        东莞 广东 10 莞城 长安镇,虎门镇,松山湖 Dongguan
        佛山 广东 9 - 禅城区,南海区,顺德区 Foshan
        昆明 云南 8 春城 五华区,盘龙区,官渡区,呈贡区 Kunming
        长春 吉林 9 春城 南关区,宽城区,二道区,绿园区 Changchun
        哈尔滨 黑龙江 10 冰城 道里区,南岗区,香坊区,松北区 Harbin
        石家庄 河北 11 石门 裕华区 Shijiazhuang
        南昌 江西 6 洪城 东湖区,青云谱区,红谷滩区 Nanchang
        南宁 广西 9 绿城,邕城 青秀区,兴宁区,西乡塘区 Nanning
        贵阳 贵州 6 筑城 南明区,云岩区,观山湖区 Guiyang
        太原 山西 5 并州,龙城 小店区,迎泽区,万柏林区 Taiyuan
        兰州 甘肃 4 金城 七里河区,安宁区 Lanzhou
        温州 浙江 9 鹿城 龙湾区,瓯海区 Wenzhou
        泉州 福建 8 鲤城 丰泽区,洛江区,晋江 Quanzhou
        徐州 江苏 9 彭城 云龙区,泉山区 Xuzhou
        开封 河南 5 汴梁 龙亭区,顺河回族区 Kaifeng
        包头 内蒙古 3 鹿城 昆都仑区,东河区 Baotou
        鞍山 辽宁 3 钢都 铁东区,立山区 Anshan
        舟山 浙江 1 - 定海区 Zhoushan
        拉萨 西藏 1 日光城 堆龙德庆区 Lhasa
        呼和浩特 内蒙古 3 青城 回民区,赛罕区 Hohhot
        沧州 河北 7 狮城 运河区 Cangzhou
        张家口 河北 4 - 桥东区 Zhangjiakou
        海口 海南 3 椰城 美兰区,秀英区 Haikou
        枣庄 山东 4 - 薛城区 Zaozhuang
        乐山 四川 3 - 沙湾区 Leshan
        吉林 吉林 4 江城 船营区,昌邑区 Jilin
        """.split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            let list = { (s: String) in s == "-" ? [] : s.split(separator: ",").map(String.init) }
            return City(name: f[0], province: f[1], weight: Double(f[2])!, aliases: list(f[3]), districts: list(f[4]), pinyin: f[5])
        }

    /// District names that several cities have.
    static let sharedDistricts: [(district: String, cities: [String])] = [
        ("朝阳区", ["北京", "长春"]), ("鼓楼区", ["南京", "福州", "徐州", "开封"]), ("西湖区", ["杭州", "南昌"]),
        ("普陀区", ["上海", "舟山"]), ("和平区", ["天津", "沈阳"]), ("江北区", ["重庆", "宁波"]), ("白云区", ["广州", "贵阳"]),
        ("青山区", ["武汉", "包头"]), ("长安区", ["西安", "石家庄"]), ("龙华区", ["深圳", "海口"]), ("新华区", ["石家庄", "沧州"]),
        ("桥西区", ["石家庄", "张家口"]), ("铁西区", ["沈阳", "鞍山"]), ("城关区", ["兰州", "拉萨"]), ("新城区", ["西安", "呼和浩特"]),
        ("市中区", ["济南", "枣庄", "乐山"]), ("高新区", ["成都", "西安", "苏州", "合肥", "郑州", "济南", "长沙"]),
    ]

    /// Mainland mobile prefixes and their carriers.
    static let carrierHeads: [(head: Int, carrier: String)] =
        [134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 157, 158, 159, 172, 178, 182, 183, 184, 187, 188, 195, 198].map { ($0, "mobile") }
        + [130, 131, 132, 145, 155, 156, 166, 175, 176, 185, 186, 196].map { ($0, "unicom") }
        + [133, 149, 153, 173, 177, 180, 181, 189, 190, 191, 193, 199].map { ($0, "telecom") }

    /// First octets of mainland broadband and mobile space, and of cloud and VPN egress.
    static let homeOctets = [27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118,
                             119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 211, 218, 219, 220, 221, 222, 223]
    static let cloudOctets = [8, 43, 45, 47, 103, 104, 129, 154]

    static let domains: [(String, Double)] = [
        ("qq.com", 40), ("163.com", 18), ("126.com", 7), ("gmail.com", 6), ("icloud.com", 5), ("sina.com", 4), ("foxmail.com", 4),
        ("outlook.com", 4), ("hotmail.com", 3), ("139.com", 3), ("sohu.com", 3), ("yeah.net", 3),
    ]
    static let domainTypos: [String: [String]] = [
        "qq.com": ["qq.con", "qq.cm", "qq.co", "qq.comm"], "163.com": ["163.con", "163.cm", "136.com"], "126.com": ["126.con", "162.com"],
        "gmail.com": ["gmial.com", "gmai.com", "gmail.con"], "hotmail.com": ["hotmial.com", "hotmail.con"], "outlook.com": ["outlook.cn", "outlok.com"],
        "sina.com": ["sina.cn", "sian.com"], "icloud.com": ["iclod.com", "icloud.con"],
    ]
    static let lucky = ["88", "888", "666", "520", "1314", "168", "99", "123", "8", "6", "521", "886"]
    static let emoji = ["🐱", "🌸", "✨", "🍀", "🌙", "⭐", "🐰", "🍊", "🌈", "☀️", "🐶", "🦋", "🍓", "🐟"]
    static let keyboard = ["qwer", "asdf", "zxcv", "abc", "xyz", "qaz", "wsx", "aaa", "zzz", "hello", "haha", "lol"]
    static let hexDigits = Array("0123456789abcdef")
    static let base62 = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let base64url = base62 + ["-", "_"]

    static let englishNames = ["Cat", "Kevin", "Lily", "Tony", "Coco", "Amy", "Jack", "Leo", "Sunny", "Lucky", "Momo", "Vicky",
                               "Cindy", "Eric", "Jason", "Alex", "Anna", "Grace", "Emma", "Lucas", "Mia", "Ivy", "Helen", "Sam",
                               "Joe", "Zoe", "Jenny", "Steven", "Peter", "David", "Lisa", "Nancy", "Linda", "Tina", "Kelly", "Bella",
                               "Candy", "Daisy", "Echo", "Fiona", "Hannah", "Iris", "Judy", "Kiki", "Luna", "Mandy", "Nina", "Olivia",
                               "Penny", "Rita", "Sophia", "Tracy", "Wendy", "Yoyo", "Allen", "Ben", "Chris", "Danny", "Frank", "George",
                               "Henry", "Ivan", "Jerry", "Ken", "Louis", "Mike", "Nick", "Oscar", "Paul", "Ray", "Simon", "Tom",
                               "Vincent", "William", "Andy", "Bruce", "Jimmy", "Kobe", "Jessica", "Cherry"]
    static let adjectives = ["快乐", "安静", "可爱", "努力", "温柔", "自由", "孤独", "勇敢", "爱笑", "迷路", "失眠", "发呆", "奔跑",
                             "会飞", "认真", "佛系", "社恐", "暴躁", "幸运", "贪吃", "懒惰", "浪漫", "倔强", "元气", "爱睡觉",
                             "不想起床", "想暴富", "爱生活", "慢吞吞", "胖胖"]
    static let nouns = ["小鱼", "猫", "兔子", "熊", "橘子", "西瓜", "星星", "月亮", "风", "云", "少年", "少女", "胖子", "咸鱼",
                        "柠檬", "土豆", "番茄", "蘑菇", "企鹅", "小狗", "狐狸", "鲸鱼", "蜗牛", "海豚", "仙女", "小熊", "喵",
                        "橙子", "葡萄", "芒果", "奶茶", "饼干", "麻薯", "可乐", "大白", "汤圆", "包子", "团子"]
    static let foods = ["香菜", "鱼", "胡萝卜", "辣", "早饭", "青椒", "葱"]
    static let phrases = ["人间清醒", "岁月静好", "平平无奇", "不想上班", "今天也要加油", "好好生活", "山海", "南风知我意", "浅笑安然",
                          "追光者", "半夏", "清风徐来", "时光", "故人", "旧梦", "听风", "晚风", "星河", "知足常乐", "随遇而安",
                          "一路向北", "淡定", "微笑", "阳光", "简单", "平安是福", "家和万事兴", "花开富贵", "荷塘月色", "静待花开",
                          "上善若水", "宁静致远", "心想事成", "一帆风顺", "开心就好", "顺其自然", "海阔天空", "云淡风轻", "向阳而生",
                          "干饭人", "打工人", "摸鱼达人", "熬夜冠军", "奶茶续命", "早睡早起", "快乐星球", "人间烟火", "努力搬砖",
                          "暴富", "锦鲤", "嘻嘻", "无名", "路人甲", "过客", "一只咸鱼", "沉默是金", "难得糊涂", "天道酬勤"]

    static let maleCommon = IdentityGenerator.maleCommon
    static let femaleCommon = IdentityGenerator.femaleCommon
    static let maleFirst = IdentityGenerator.maleFirst + Array("子俊宏志伟浩")
    static let maleSecond = IdentityGenerator.maleSecond + Array("宁凯鑫鹏飞磊")
    static let femaleFirst = IdentityGenerator.femaleFirst + Array("雨思欣梓晓")
    static let femaleSecond = IdentityGenerator.femaleSecond + Array("萍琳颖倩娜")

    static let homophones: [Character: [Character]] = [
        "晓": ["小", "筱"], "明": ["铭", "鸣"], "伟": ["玮", "炜"], "静": ["晶", "菁"], "丽": ["莉", "俐"], "华": ["桦", "骅"],
        "婷": ["亭", "庭"], "杰": ["洁", "捷"], "涛": ["韬", "滔"], "芳": ["方", "舫"], "琳": ["林", "霖"], "宇": ["雨", "羽"],
        "欣": ["馨", "昕"], "志": ["智", "致"], "建": ["健", "剑"], "文": ["雯", "闻"], "子": ["紫", "梓"], "浩": ["昊", "皓"],
        "俊": ["骏", "峻"], "佳": ["嘉", "家"], "思": ["斯", "丝"], "诗": ["思", "师"], "雅": ["娅", "亚"], "梦": ["孟", "蒙"],
        "婉": ["宛", "琬"], "心": ["欣", "馨"], "美": ["梅", "媚"], "玉": ["钰", "誉"], "春": ["纯", "椿"], "立": ["力", "丽"],
        "国": ["果", "帼"], "海": ["凯", "楷"], "军": ["君", "均"], "勇": ["永", "咏"], "磊": ["垒", "蕾"], "强": ["蔷", "墙"],
    ]
    static let extraPinyin: [Character: String] = ["宏": "hong", "凯": "kai", "小": "xiao", "筱": "xiao"]
}

extension String {
    fileprivate func replacingLast(_ c: Character, with d: Character) -> String {
        guard let k = lastIndex(of: c) else { return self }
        var s = self
        s.replaceSubrange(k...k, with: String(d))
        return s
    }
}
