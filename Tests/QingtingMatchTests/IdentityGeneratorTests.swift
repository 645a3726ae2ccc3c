@testable import QingtingMatch
import Testing

/// The generator's default output stays as it was, and the hard mode's rates are the documented
/// ones (README, `IdentityGenerator.hard`) on a seeded 5,000-customer run.
@Suite struct IdentityGeneratorTests {
    struct World { let customers: [IdentityGenerator.Customer], identities: [IdentityGenerator.Identity] }
    static let world: World = {
        let g = IdentityGenerator.hard(customerCount: 5000, seed: 7)
        return World(customers: g.customers, identities: g.identities)
    }()
    static let chinese = ["wechat", "douyin", "weibo", "xiaohongshu", "kuaishou", "bilibili", "zhihu"]
    static let overseas = ["x", "facebook", "instagram"]

    /// `count` of `n` is within four standard deviations (plus a little) of the rate `p`.
    func near(_ count: Int, _ n: Int, _ p: Double, _ what: String, slack: Double = 0.003) {
        #expect(n > 0, "\(what): nothing to measure")
        guard n > 0 else { return }
        let observed = Double(count) / Double(n)
        let tolerance = 4 * (p * (1 - p) / Double(n)).squareRoot() + slack
        #expect(abs(observed - p) <= tolerance, "\(what): \(observed) (\(count) of \(n)), documented \(p) ± \(tolerance)")
    }

    func on(_ platform: String) -> [IdentityGenerator.Identity] { Self.world.identities.filter { $0.platform == platform } }

    /// FNV-1a over the three files of `link generate --customers 300 --seed 7` as written by the
    /// binary before the hard mode existed.
    @Test func defaultModeIsUnchanged() {
        let g = IdentityGenerator(customerCount: 300, seed: 7)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var bytes = 0
        for lines in [g.customerLines(), g.identityLines(), g.truthLines()] {
            for line in lines {
                for b in line.utf8 + [10] { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3; bytes += 1 }
            }
        }
        #expect(bytes == 241_135)
        #expect(hash == 0xcb38_d5f1_b879_0960)
        #expect(!g.truthLines()[0].contains("person"))
    }

    @Test func hardModeRepeatsForASeed() {
        let a = IdentityGenerator.hard(customerCount: 300, seed: 3), b = IdentityGenerator.hard(customerCount: 300, seed: 3)
        #expect(a.customerLines() == b.customerLines())
        #expect(a.identityLines() == b.identityLines())
        #expect(a.truthLines() == b.truthLines())
        #expect(IdentityGenerator.hard(customerCount: 300, seed: 4).identityLines() != a.identityLines())
    }

    @Test func fortyPercentStrangersAndTheirTies() {
        let ids = Self.world.identities
        #expect(Self.world.customers.count == 5000)
        near(ids.filter { $0.customer == nil }.count, ids.count, 0.40, "strangers", slack: 0.001)
        #expect(ids.allSatisfy { $0.customer == nil || ($0.relation == nil && $0.relatedCustomer == nil) })
        #expect(ids.filter { $0.relation == "household" }.count > 500)
        // 8% of customers gave up a number; 60% of those were re-issued to someone with identities.
        let holders = Set(ids.filter { $0.relation == "recycled_phone" }.map(\.person))
        near(holders.count, 5000, 0.08 * 0.6, "customers whose old number a stranger now holds")
        var perCustomer: [String: Int] = [:]
        for i in ids { if let c = i.customer { perCustomer[c, default: 0] += 1 } }
        for (k, p) in [0.15, 0.45, 0.25, 0.10, 0.05].enumerated() {
            let count = k == 0 ? 5000 - perCustomer.count : perCustomer.values.filter { $0 == k }.count
            near(count, 5000, p, "customers with \(k) identities")
        }
        let shares = ["wechat": 0.24, "douyin": 0.20, "weibo": 0.12, "xiaohongshu": 0.12, "kuaishou": 0.08, "bilibili": 0.08,
                      "zhihu": 0.06, "x": 0.02, "facebook": 0.04, "instagram": 0.04]
        for (platform, p) in shares { near(on(platform).count, ids.count, p, "share of \(platform)", slack: 0.01) }
    }

    @Test func phonesAreMostlyAbsentOrMaskedInThePlatformsStyle() {
        let shown = ["wechat": 0.30, "douyin": 0.25, "xiaohongshu": 0.20, "kuaishou": 0.20, "weibo": 0.15, "bilibili": 0.10,
                     "zhihu": 0.10, "x": 0.03, "facebook": 0.03, "instagram": 0.03]
        let middle = #/\d{3}\*{4}\d{4}/#, tail = #/\d{7}\*{4}/#, lastFour = #/\*{4}\d{4}/#, full = #/1\d{10}/#
        for (platform, p) in shown {
            let all = on(platform), phones = all.compactMap(\.phone)
            near(phones.count, all.count, p, "\(platform) identities showing a phone")
            if Self.overseas.contains(platform) {
                #expect(phones.allSatisfy { $0.wholeMatch(of: #/\+861\d{10}/#) != nil }, "\(platform): +86 and all digits")
                continue
            }
            let masked = phones.filter { phone in
                switch platform {
                case "zhihu", "kuaishou": phone.wholeMatch(of: tail) != nil
                case "xiaohongshu": phone.wholeMatch(of: lastFour) != nil
                default: phone.wholeMatch(of: middle) != nil
                }
            }
            near(masked.count, phones.count, 0.85, "\(platform) phones masked in its style", slack: 0.01)
            #expect(phones.count - masked.count == phones.filter { $0.wholeMatch(of: full) != nil }.count,
                    "\(platform): a phone is masked in the platform's style or shows all 11 digits")
        }
        // A relative's identity shows the customer's number a quarter of the time.
        let relatives = Self.world.identities.filter { $0.relation == "household" && $0.phone != nil }
        near(relatives.filter { $0.drawn.phone == .relativesCustomer }.count, relatives.count, 0.25, "relatives showing the customer's number", slack: 0.02)
        // Whoever holds a recycled number shows the customer's old (CRM) number.
        let crmPhone = Dictionary(uniqueKeysWithValues: Self.world.customers.map { ($0.id, $0.phone) })
        for i in Self.world.identities where i.relation == "recycled_phone" && i.drawn.phone == .own {
            guard let phone = i.phone, let crm = crmPhone[i.relatedCustomer!] ?? nil else { Issue.record("no phone"); continue }
            #expect(PhoneNumber.compatible(pattern: phone, crm), "\(phone) and \(crm)")
        }
    }

    @Test func nicknamesAreMostlyPlatformDefaultsOrUnrelatedToTheName() {
        let defaults: [String: (Double, Regex<Substring>)] = [
            "wechat": (0.35, #/微信用户/#), "kuaishou": (0.25, #/快手用户\d{13}/#), "douyin": (0.20, #/用户\d{13}/#),
            "xiaohongshu": (0.20, #/小红薯[0-9A-F]{8}/#), "bilibili": (0.12, #/bili_\d{11}/#), "zhihu": (0.10, #/知乎用户[0-9A-Za-z]{6}/#),
            "weibo": (0.08, #/用户\d{10}/#), "x": (0, #/-/#), "facebook": (0, #/-/#), "instagram": (0, #/-/#),
        ]
        for (platform, (p, form)) in defaults {
            let all = on(platform)
            let drawn = all.filter { $0.drawn.nickname == .platformDefault }
            near(drawn.count, all.count, p, "\(platform) default nicknames")
            #expect(drawn.allSatisfy { $0.nickname.wholeMatch(of: form) != nil }, "\(platform) defaults look like \(form)")
        }
        #expect(on("weibo").filter { $0.drawn.nickname == .platformDefault }.allSatisfy { $0.nickname == "用户" + $0.uid })
        for (platform, p) in [("wechat", 0.12), ("facebook", 0.70)] {
            let rest = on(platform).filter { $0.drawn.nickname != .platformDefault }
            near(rest.filter { $0.drawn.nickname == .realName }.count, rest.count, p, "\(platform) real names")
        }
        let cored = Self.world.identities.filter { $0.drawn.nickname == .core || $0.drawn.nickname == .freshCore }
        near(cored.filter { $0.drawn.nickname == .core }.count, cored.count, 0.60, "nicknames from the person's own core")
        // Most nicknames have nothing to do with the CRM name.
        let names = Dictionary(uniqueKeysWithValues: Self.world.customers.map { ($0.id, $0.name) })
        let own = Self.world.identities.filter { $0.customer != nil }
        let withName = own.filter { $0.nickname.contains(names[$0.customer!]!) }.count
        #expect(Double(withName) / Double(own.count) < 0.08)
        // Weibo and Bilibili refuse a taken nickname, so a second 人间清醒 gets a suffix; WeChat does not care.
        for platform in ["weibo", "bilibili"] {
            #expect(Set(on(platform).map(\.nickname)).count == on(platform).count)
            #expect(on(platform).filter(\.drawn.suffixed).count > 20)
        }
        let douyin = on("douyin").filter { $0.drawn.nickname != .platformDefault }
        #expect(Set(douyin.map(\.nickname)).count < douyin.count - 20)
    }

    @Test func advertisingIdsRecurAppScopedIdsNeverAndZerosEverywhere() {
        let ids = Self.world.identities
        for (group, p) in [(Self.chinese, 0.55), (Self.overseas, 0.15)] {
            let all = ids.filter { group.contains($0.platform) }
            near(all.filter { !$0.device.isEmpty }.count, all.count, p, "identities with device ids on \(group[0])…")
        }
        let withDevice = ids.filter { !$0.device.isEmpty }
        // The advertising id is always there, an app-scoped one half the time.
        near(withDevice.filter { $0.device.count == 2 }.count, withDevice.count, 0.5, "identities with an app-scoped id")
        // iOS 25%: zeros 45%; Android 75%: zeros 10% (a family tablet, half iPads, shifts it a little).
        let zero = "00000000-0000-0000-0000-000000000000"
        let zeros = withDevice.filter { $0.device.contains(zero) }.count
        near(zeros, withDevice.count, 0.25 * 0.45 + 0.75 * 0.10, "all-zero advertising ids", slack: 0.01)
        #expect(zeros > 800, "one all-zero id on \(zeros) identities")
        var holders: [String: Set<String>] = [:]
        var kinds: [String: HardDraws.Device] = [:]
        for i in withDevice {
            for (d, kind) in zip(i.device, i.drawn.devices) { holders[d, default: []].insert(i.person!); kinds[d] = kind }
        }
        var onIdentities: [String: Int] = [:]
        for i in withDevice { for d in i.device { onIdentities[d, default: 0] += 1 } }
        let appScoped = kinds.filter { $0.value == .idfv || $0.value == .androidID }.keys
        #expect(appScoped.count > 1000)
        #expect(appScoped.allSatisfy { onIdentities[$0] == 1 }, "an IDFV or Android ID never recurs")
        let advertising = kinds.filter { $0.value != .idfv && $0.value != .androidID && $0.value != .zero }.keys
        #expect(advertising.filter { onIdentities[$0]! > 1 }.count > 300, "a person's apps share the advertising id")
        let tablets = Set(withDevice.filter(\.drawn.tablet).map(\.device[0]))
        #expect(tablets.contains { holders[$0]!.count > 1 && kinds[$0] != .zero }, "a family tablet's id on two people")
        let iosKinds = kinds.values.filter { [.idfa, .caid].contains($0) }.count
        let androidKinds = kinds.values.filter { [.oaid, .imeiMD5].contains($0) }.count
        #expect(androidKinds > 2 * iosKinds)
    }

    @Test func addressesOfHomesOfficesCarriersAndVPNs() {
        let ids = Self.world.identities
        let cn = ids.filter { Self.chinese.contains($0.platform) }, abroad = ids.filter { Self.overseas.contains($0.platform) }
        near(ids.filter { $0.drawn.addresses.contains(.home) }.count, ids.count, 0.45, "home addresses")
        near(ids.filter { $0.drawn.addresses.contains(.mobile) }.count, ids.count, 0.55, "carrier NAT addresses")
        near(ids.filter { $0.drawn.addresses.contains(.office) }.count, ids.count, 0.60 * 0.35, "office addresses", slack: 0.02)
        near(cn.filter { $0.drawn.addresses.contains(.vpn) }.count, cn.count, 0.05, "VPN, Chinese platforms")
        near(abroad.filter { $0.drawn.addresses.contains(.vpn) }.count, abroad.count, 0.85, "VPN, X/Facebook/Instagram")
        func people(_ kind: HardDraws.Address, key: (String) -> String) -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for i in ids { for (a, k) in zip(i.ip, i.drawn.addresses) where k == kind { out[key(a), default: []].insert(i.person!) } }
            return out
        }
        let block = { (a: String) in String(a[..<a.lastIndex(of: ".")!]) }
        // A home /24 holds a household (and sometimes neighbours); an office address dozens of colleagues.
        let homes = people(.home, key: block)
        #expect(homes.values.filter { $0.count > 1 }.count > 300)
        #expect(homes.values.map(\.count).max()! < 20)
        let offices = people(.office) { $0 }
        let sizes = offices.values.map(\.count)
        #expect(sizes.max()! >= 24, "largest office: \(sizes.max()!)")
        #expect(Double(sizes.reduce(0, +)) / Double(sizes.count) > 5)
        // Carrier NAT and VPN blocks: over a hundred people at 5,000 customers, growing with the run.
        #expect(people(.mobile, key: block).values.map(\.count).max()! > 100)
        #expect(people(.vpn, key: block).values.map(\.count).max()! > 100)
    }

    @Test func profileCitiesAreProvincesAliasesAmbiguousDistrictsOrStale() {
        let ids = Self.world.identities
        let forms: [(HardDraws.City, Double)] = [(.absent, 0.22), (.province, 0.22), (.nameShi, 0.06), (.pinyin, 0.03),
                                                 (.provinceCity, 0.03), (.other, 0.08)]
        for (form, p) in forms { near(ids.filter { $0.drawn.city == form }.count, ids.count, p, "profile city \(form)") }
        // Cities without an alias or a shared district show the name or one of their districts instead.
        near(ids.filter { [.name, .alias, .sharedDistrict, .district].contains($0.drawn.city!) }.count, ids.count, 0.36, "names, aliases, districts")
        #expect(ids.filter { $0.drawn.city == .alias }.count > ids.count * 6 / 100)
        #expect(ids.filter { $0.drawn.city == .sharedDistrict }.count > ids.count * 4 / 100)
        #expect(ids.filter { $0.city == nil }.count == ids.filter { $0.drawn.city == .absent }.count)
        let provinces = Set(HardWorld.cities.map(\.province))
        #expect(ids.filter { $0.drawn.city == .province }.allSatisfy { provinces.contains($0.city!) })
        let shared = Set(HardWorld.sharedDistricts.map(\.district))
        #expect(ids.filter { $0.drawn.city == .sharedDistrict }.allSatisfy { shared.contains($0.city!) })
        #expect(ids.contains { $0.city == "魔都" } && ids.contains { $0.city == "朝阳区" } && ids.contains { $0.city == "广东 深圳" })
    }

    @Test func crmRecordsCarryTyposPlaceholdersAndStaleNumbers() {
        let customers = Self.world.customers
        let n = customers.count
        near(customers.filter { $0.name.wholeMatch(of: #/.(先生|女士)/#) != nil }.count, n, 0.03, "王先生 / 李女士")
        near(customers.filter { $0.phone == nil }.count, n, 0.04, "no phone")
        near(customers.filter { $0.phone?.wholeMatch(of: #/0\d{2,3}-\d{8}/#) != nil }.count, n, 0.02, "landlines")
        near(customers.filter { $0.email != nil }.count, n, 0.45, "e-mails")
        // Common names repeat: 王伟, 张伟, 王芳 …
        var names: [String: Int] = [:]
        for c in customers { names[c.name, default: 0] += 1 }
        #expect(names.values.filter { $0 > 1 }.reduce(0, +) > n / 10)
        #expect(names.values.max()! >= 5)
        // One given character for 30% of people (the CRM's names: 89% exact).
        near(customers.filter { $0.name.count == 2 }.count, n, 0.30 * 0.89, "one-character given names", slack: 0.02)
        // A mistyped CRM e-mail differs from what the person's own identities show.
        let crmEmail = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0.email) })
        let shown = Self.world.identities.filter { $0.email != nil && $0.customer != nil && crmEmail[$0.customer!]! != nil }
        near(shown.filter { crmEmail[$0.customer!]! != $0.email }.count, shown.count, 0.06, "mistyped CRM e-mails", slack: 0.01)
        // A household's second customer sometimes carries the first one's phone.
        var phones: [String: Int] = [:]
        for c in customers { if let p = c.phone { phones[p, default: 0] += 1 } }
        #expect(phones.values.filter { $0 > 1 }.count > 10)
    }

    @Test func emailsArePinyinWithNumbersOrNumericQQ() {
        let emails = Self.world.customers.compactMap(\.email)
        let qq = emails.filter { $0.hasSuffix("@qq.com") }
        near(qq.count, emails.count, 0.40, "qq.com", slack: 0.01)
        near(qq.filter { $0.wholeMatch(of: #/[1-9]\d{4,9}@qq\.com/#) != nil }.count, qq.count, 0.65, "numeric QQ mail", slack: 0.01)
        let shown = Self.world.identities.compactMap(\.email)
        #expect(shown.filter { $0.hasSuffix("@139.com") }.count > 5)
        #expect(shown.filter { $0.hasSuffix("@139.com") }.allSatisfy { $0.wholeMatch(of: #/1\d{10}@139\.com/#) != nil })
        let lucky = emails.filter { $0.wholeMatch(of: #/[a-z._]+(88|888|666|520|1314|168|99|123|521|886|19\d\d|20\d\d)@.*/#) != nil }
        #expect(lucky.count > emails.count / 5)
    }

    @Test func deterministicTruthIsTheVerifiedPhoneOrEmail() {
        let byId = Dictionary(uniqueKeysWithValues: Self.world.customers.map { ($0.id, $0) })
        for i in Self.world.identities {
            guard let c = i.customer.flatMap({ byId[$0] }) else { #expect(!i.deterministic); continue }
            let phone = i.phone.map { $0.hasPrefix("+86") ? String($0.dropFirst(3)) : $0 }
            let verified = (phone != nil && phone == c.phone) || (i.email != nil && i.email == c.email)
            #expect(i.deterministic == verified, "\(i.platform):\(i.uid)")
        }
    }
}

extension PhoneNumber {
    /// Whether two phone values (full or masked) can be one number.
    static func compatible(pattern a: String, _ b: String) -> Bool {
        guard let pa = pattern(a), let pb = pattern(b) else { return false }
        return zip(pa, pb).allSatisfy { $0 == $1 || $0 == "*" || $1 == "*" }
    }
}
