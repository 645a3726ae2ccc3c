import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Synthetic CRM customers and social identities with known truth, for tests and benchmarks.
///
/// Surnames follow their real frequency in China (王, 李 and 张 each cover about 7% of people),
/// given names come from a small pool, so common names repeat as they do in a real CRM.
/// Identities carry what platforms expose: nicknames in several styles (the real name, pinyin,
/// name + digits, a homophone typo, an unrelated handle), full or masked phones, e-mails made
/// from pinyin, IP addresses from city-specific blocks, shared devices, the city in several
/// spellings. Strangers (identities of no customer) share the same distributions.
public struct IdentityGenerator {
    public struct Customer: Sendable {
        public var id, name, gender, city, birthday, level: String
        public var phone, email: String?
    }

    public struct Identity: Sendable {
        public var platform, uid, nickname: String
        public var phone, email, city, gender: String?
        public var ip: [String]
        public var device: [String]
        public var hours: [Int]
        /// Truth: the customer, and whether the identity carries their verified phone or e-mail.
        public var customer: String?
        public var deterministic: Bool
        /// Truth the hard mode adds (nil in the default mode, and then not written): the person
        /// behind the identity (one person's identities share it), and for a stranger what ties
        /// them to a customer (`household`, `recycled_phone`) and which customer.
        public var person: String? = nil
        public var relation: String? = nil
        public var relatedCustomer: String? = nil
        /// How the hard mode drew each field, for the tests that check its documented rates.
        var drawn = HardDraws()
    }

    public var customers: [Customer] = []
    public var identities: [Identity] = []
    private var rng: SplitMix64

    /// Records made elsewhere (the hard mode's world), to be written by `write(toFolder:)`.
    init(customers: [Customer], identities: [Identity]) {
        self.customers = customers
        self.identities = identities
        rng = SplitMix64(seed: 0)
    }

    /// Generates `customerCount` customers, about 1.2 identities per customer, and `strangerShare`
    /// of all identities belonging to nobody.
    public init(customerCount: Int, seed: UInt64 = 7, strangerShare: Double = 0.25) {
        rng = SplitMix64(seed: seed)
        let cities = Self.cities
        var usedPhones: Set<UInt64> = []
        var usedEmails: Set<String> = []
        var people: [Person] = []
        customers.reserveCapacity(customerCount)
        for k in 0..<customerCount {
            let p = person(usedPhones: &usedPhones, usedEmails: &usedEmails, cities: cities)
            people.append(p)
            customers.append(Customer(
                id: "C\(pad(k + 1, 7))", name: p.surname + p.given, gender: p.gender, city: p.city,
                birthday: p.birthday, level: ["普通", "银卡", "金卡", "钻石"][rng.below(4)],
                phone: rng.unit() < 0.97 ? p.phone : nil, email: rng.unit() < 0.6 ? p.email : nil))
        }
        let platforms = ["weibo", "wechat", "douyin", "xiaohongshu", "zhihu", "bilibili", "x", "facebook", "instagram"]
        var uidCounter = 0
        func nextUid() -> String { uidCounter += 1; return String(100_000_000 + uidCounter * 7919 % 900_000_000) + "\(uidCounter)" }
        for (k, p) in people.enumerated() {
            let count = [0, 1, 1, 1, 1, 2, 2, 3][rng.below(8)]
            var used: Set<String> = []
            for _ in 0..<count {
                var platform = platforms[rng.below(platforms.count)]
                while used.contains(platform) { platform = platforms[rng.below(platforms.count)] }
                used.insert(platform)
                identities.append(identity(of: p, platform: platform, uid: nextUid(), customer: customers[k]))
            }
        }
        let strangers = Int(Double(identities.count) * strangerShare / (1 - strangerShare))
        for _ in 0..<strangers {
            let p = person(usedPhones: &usedPhones, usedEmails: &usedEmails, cities: cities)
            identities.append(identity(of: p, platform: platforms[rng.below(platforms.count)], uid: nextUid(), customer: nil))
        }
        // Interleave, so files are not sorted by truth.
        for k in stride(from: identities.count - 1, to: 0, by: -1) { identities.swapAt(k, rng.below(k + 1)) }
    }

    struct Person {
        var surname, given, gender, city, birthday, phone, email, pinyinGiven, pinyinSurname: String
        var homeBlock: String
        var devices: [String]
        var hours: [Double]
    }

    private mutating func person(usedPhones: inout Set<UInt64>, usedEmails: inout Set<String>,
                                 cities: [(String, [String], Int)]) -> Person {
        let surnameIndex = weighted(Self.surnameWeights)
        let surname = Self.surnames[surnameIndex]
        let female = rng.unit() < 0.5
        // A quarter have a common one-character given name (伟, 芳 …: these repeat a lot); the
        // rest combine two characters, which gives the long tail real given names have.
        let given: String
        if rng.unit() < 0.25 {
            let common = female ? Self.femaleCommon : Self.maleCommon
            given = String(common[rng.below(common.count)])
        } else {
            let (first, second) = female ? (Self.femaleFirst, Self.femaleSecond) : (Self.maleFirst, Self.maleSecond)
            given = String(first[rng.below(first.count)]) + String(second[rng.below(second.count)])
        }
        let cityIndex = weighted(cities.map { Double($0.2) })
        let city = cities[cityIndex]
        var phone: UInt64
        repeat {
            phone = [130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 158, 159, 166, 176, 177, 180, 181, 186, 187, 188, 189, 199][rng.below(25)] * 100_000_000 + UInt64(rng.below(100_000_000))
        } while !usedPhones.insert(phone).inserted
        let py = Self.pinyin(given), ps = Self.pinyin(String(surname))
        let domain = ["qq.com", "163.com", "126.com", "gmail.com", "sina.com", "outlook.com"][rng.below(6)]
        var email: String
        switch rng.below(4) {
        case 0: email = "\(ps)\(py)@\(domain)"
        case 1: email = "\(py).\(ps)\(rng.below(100))@\(domain)"
        case 2: email = "\(String(phone).suffix(9))@qq.com"
        default: email = "\(ps)\(py)\(1970 + rng.below(35))@\(domain)"
        }
        while !usedEmails.insert(email).inserted {  // a mailbox belongs to one person
            email = "\(ps)\(py)\(rng.below(10_000))@\(domain)"
        }
        let year = 1965 + rng.below(40), month = 1 + rng.below(12), day = 1 + rng.below(28)
        let block = "\(cityIndex + 20).\(rng.below(256)).\(rng.below(256))"
        let devices = (0..<(1 + rng.below(2))).map { _ in "dev-\(String(rng.next() % 0xFFFF_FFFF_FFFF, radix: 16))" }
        let peak = rng.below(24)
        let hours = (0..<24).map { h -> Double in
            let d = Double(min(abs(h - peak), 24 - abs(h - peak)))
            return 10 / (1 + d * d)
        }
        return Person(surname: String(surname), given: given, gender: female ? "女" : "男", city: city.0,
                      birthday: "\(year)-\(pad(month, 2))-\(pad(day, 2))", phone: String(phone), email: email,
                      pinyinGiven: py, pinyinSurname: ps, homeBlock: block, devices: devices, hours: hours)
    }

    private mutating func identity(of p: Person, platform: String, uid: String, customer: Customer?) -> Identity {
        var nickname: String
        switch rng.below(10) {
        case 0, 1, 2: nickname = p.surname + p.given
        case 3: nickname = p.pinyinSurname + p.pinyinGiven
        case 4: nickname = p.pinyinGiven + "_" + p.pinyinSurname
        case 5: nickname = p.given + String(1970 + rng.below(40))
        case 6: nickname = p.surname + Self.homophone(p.given, &rng)
        case 7: nickname = (p.surname + p.given).map(String.init).joined(separator: rng.unit() < 0.5 ? "" : " ")
        default: nickname = Self.handles[rng.below(Self.handles.count)] + Self.handles[rng.below(Self.handles.count)]
        }
        var phone: String? = nil
        var deterministic = false
        switch rng.below(20) {
        case 0, 1, 2: phone = p.phone; deterministic = customer?.phone == p.phone
        case 3...10: phone = String(p.phone.prefix(3)) + "****" + String(p.phone.suffix(4))
        case 11, 12: phone = "****" + String(p.phone.suffix(4))
        case 13: phone = String(p.phone.prefix(7)) + "****"
        default: phone = nil
        }
        var email: String? = nil
        if rng.unit() < 0.15 { email = p.email.uppercased(); if customer?.email == p.email { deterministic = true } }
        var city: String? = nil
        switch rng.below(10) {
        case 0...3: city = p.city
        case 4: city = p.city + "市"
        case 5: city = Self.cityAliases[p.city]?.first ?? p.city
        case 6: city = Self.cityAliases[p.city]?.last ?? p.city
        case 7: city = Self.cities[rng.below(Self.cities.count)].0  // moved, or travelling
        default: city = nil
        }
        var ip: [String] = []
        if rng.unit() < 0.6 { ip.append(p.homeBlock + ".\(rng.below(256))") }
        if rng.unit() < 0.5 {  // a carrier or office block many people share, in the same city
            let cityIndex = Self.cities.firstIndex { $0.0 == p.city } ?? 0
            ip.append("\(cityIndex + 20).\(rng.below(4)).\(rng.below(2)).\(rng.below(256))")
        }
        var device: [String] = []
        if rng.unit() < 0.4 { device.append(p.devices[rng.below(p.devices.count)]) }
        let hours = p.hours.map { Int(($0 * (0.5 + rng.unit())).rounded()) }
        return Identity(platform: platform, uid: uid, nickname: nickname, phone: phone, email: email, city: city,
                        gender: rng.unit() < 0.7 ? p.gender : nil, ip: ip, device: device, hours: hours,
                        customer: customer?.id, deterministic: deterministic)
    }

    private mutating func weighted(_ weights: [Double]) -> Int { rng.weighted(weights) }

    private func pad(_ n: Int, _ width: Int) -> String { NumberFormat.zeroPadded(n, width) }

    // MARK: JSONL

    /// Writes `customers.jsonl`, `identities.jsonl` and `truth.jsonl` into `folder` (created if
    /// missing), each atomically.
    public func write(toFolder folder: String) throws {
        _ = mkdir(folder, 0o755)
        for (name, lines) in [("customers.jsonl", customerLines()), ("identities.jsonl", identityLines()),
                              ("truth.jsonl", truthLines())] {
            var bytes: [UInt8] = []
            for line in lines { bytes.append(contentsOf: line.utf8); bytes.append(10) }
            try FileIO.writeAtomically(bytes, to: "\(folder)/\(name)")
        }
    }

    public func customerLines() -> [String] {
        customers.map { c in
            line { w in
                w.member("id", c.id); w.member("name", c.name); orNull(&w, "phone", c.phone); orNull(&w, "email", c.email)
                w.member("gender", c.gender); w.member("city", c.city); w.member("birthday", c.birthday); w.member("level", c.level)
            }
        }
    }

    public func identityLines() -> [String] {
        identities.map { i in
            line { w in
                w.member("platform", i.platform); w.member("uid", i.uid); w.member("nickname", i.nickname)
                orNull(&w, "phone", i.phone); orNull(&w, "email", i.email)
                w.member("ip") { w in w.array(i.ip) { w, s in w.string(s) } }
                w.member("device") { w in w.array(i.device) { w, s in w.string(s) } }
                orNull(&w, "city", i.city); orNull(&w, "gender", i.gender)
                w.key("bio"); w.null()
                w.member("posts") { w in w.array([Int]()) { w, n in w.int(n) } }
                w.member("hours") { w in w.array(i.hours) { w, n in w.int(n) } }
            }
        }
    }

    /// One line per identity: `platform, uid, customer, deterministic`, and in the hard mode
    /// `person` and, for a stranger tied to a customer, `relation` and `related`.
    public func truthLines() -> [String] {
        identities.map { i in
            line { w in
                w.member("platform", i.platform); w.member("uid", i.uid); orNull(&w, "customer", i.customer)
                w.member("deterministic", i.deterministic)
                w.member("person", ifPresent: i.person)
                w.member("relation", ifPresent: i.relation)
                w.member("related", ifPresent: i.relatedCustomer)
            }
        }
    }

    private func line(_ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        w.object(body)
        return w.text
    }

    private func orNull(_ w: inout JSONWriter, _ name: String, _ value: String?) {
        if let value { w.member(name, value) } else { w.key(name); w.null() }
    }

    // MARK: Tables

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    /// Share of the population per surname, in percent (the 2020 census order; the tail flattened).
    static let surnameWeights: [Double] = [7.1, 7.0, 6.7, 5.4, 4.5, 3.1, 2.2, 2.0, 2.0, 1.7, 1.7, 1.5, 1.2, 1.1, 1.1, 1.1, 1.0, 1.0, 1.0, 0.9,
                                           0.8, 0.8, 0.8, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4,
                                           0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3,
                                           0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2,
                                           0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    static let maleCommon = Array("伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆")
    static let femaleCommon = Array("芳娜敏静丽艳娟霞燕玲婷雪琳颖倩洁萍红莉慧")
    static let maleFirst = Array("志建国海晓文子浩宇俊家天博嘉梓一思明振晨皓永春立德世承嘉泽")
    static let maleSecond = Array("强华军涛东博轩然航杰豪宇懿豪鸣远墨轩阳峰林成平安民生龙辉")
    static let femaleFirst = Array("秀桂玉丽晓欣梓诗雨佳思可语雅紫静梦一婉若心美春慧丹")
    static let femaleSecond = Array("英兰娟燕怡涵桐萱彤馨嫣雯婷薇瑶诺妍清曦琪怡玲芳洁霞丽")
    static let handles = ["快乐的", "小", "追风", "少年", "吃货", "喵", "阿", "月亮", "星星", "奶茶", "爱", "睡不醒", "的猫", "大白", "不吃香菜",
                          "旅行者", "摄影", "程序员", "打工人", "宝宝", "在路上", "晴天", "柠檬", "北方", "南风", "momo", "cc", "sunny", "lucky", "coco"]
    /// City, aliases (a spelling and a district), and a weight.
    static let cities: [(String, [String], Int)] = [
        ("北京", ["Beijing", "海淀区"], 22), ("上海", ["Shanghai", "浦东新区"], 25), ("广州", ["Guangzhou", "天河区"], 19),
        ("深圳", ["Shenzhen", "南山区"], 18), ("杭州", ["Hangzhou", "西湖区"], 12), ("南京", ["Nanjing", "鼓楼"], 9),
        ("成都", ["Chengdu", "武侯区"], 21), ("重庆", ["Chongqing", "渝中区"], 32), ("武汉", ["Wuhan", "洪山区"], 13),
        ("西安", ["Xi'an", "雁塔区"], 13), ("天津", ["Tianjin", "南开区"], 14), ("苏州", ["Suzhou", "姑苏区"], 13),
        ("长沙", ["Changsha", "岳麓区"], 10), ("郑州", ["Zhengzhou", "金水区"], 12), ("青岛", ["Qingdao", "崂山区"], 10),
        ("厦门", ["Xiamen", "思明区"], 5), ("合肥", ["Hefei", "蜀山区"], 9), ("昆明", ["Kunming", "五华区"], 8),
    ]
    static let cityAliases: [String: [String]] = Dictionary(uniqueKeysWithValues: cities.map { ($0.0, $0.1) })

    /// Pinyin of the pool's characters, without tones (enough for generated e-mails and handles).
    static func pinyin(_ s: String) -> String {
        s.map { pinyinTable[$0] ?? "x" }.joined()
    }

    static func homophone(_ given: String, _ rng: inout SplitMix64) -> String {
        let swaps: [Character: [Character]] = ["明": ["铭", "鸣"], "伟": ["玮", "炜"], "静": ["晶", "菁"], "丽": ["莉", "俐"],
                                                "华": ["桦", "骅"], "婷": ["亭", "庭"], "杰": ["洁", "捷"], "涛": ["韬", "滔"],
                                                "芳": ["方", "舫"], "琳": ["林", "霖"], "宇": ["雨", "羽"], "欣": ["馨", "昕"]]
        var out = Array(given)
        for (k, c) in out.enumerated() { if let alt = swaps[c] { out[k] = alt[rng.below(alt.count)]; return String(out) } }
        out[out.count - 1] = "晓"
        return String(out)
    }

    static let pinyinTable: [Character: String] = {
        let pairs = "王wang李li张zhang刘liu陈chen杨yang黄huang赵zhao吴wu周zhou徐xu孙sun马ma朱zhu胡hu郭guo何he高gao林lin罗luo郑zheng梁liang谢xie宋song唐tang许xu韩han冯feng邓deng曹cao彭peng曾zeng肖xiao田tian董dong袁yuan潘pan于yu蒋jiang蔡cai余yu杜du叶ye程cheng苏su魏wei吕lv丁ding任ren沈shen姚yao卢lu姜jiang崔cui钟zhong谭tan陆lu汪wang范fan金jin石shi廖liao贾jia夏xia韦wei付fu方fang白bai邹zou孟meng熊xiong秦qin邱qiu江jiang尹yin薛xue闫yan段duan雷lei侯hou龙long史shi陶tao黎li贺he顾gu毛mao郝hao龚gong邵shao万wan钱qian严yan覃qin武wu戴dai莫mo孔kong向xiang汤tang伟wei强qiang磊lei军jun洋yang勇yong杰jie涛tao明ming超chao刚gang平ping辉hui鹏peng华hua飞fei鑫xin波bo斌bin宇yu浩hao凯kai健jian俊jun帆fan志zhi建jian国guo海hai晓xiao东dong文wen博bo子zi轩xuan然ran航hang家jia豪hao天tian嘉jia懿yi梓zi一yi鸣ming思si远yuan墨mo振zhen晨chen阳yang皓hao芳fang娜na敏min静jing丽li艳yan娟juan霞xia燕yan玲ling婷ting雪xue琳lin颖ying倩qian洁jie萍ping红hong莉li慧hui秀xiu英ying桂gui兰lan玉yu欣xin怡yi涵han诗shi雨yu桐tong萱xuan佳jia彤tong可ke馨xin语yu嫣yan雯wen雅ya紫zi薇wei梦meng瑶yao诺nuo妍yan婉wan清qing若ruo曦xi琪qi心xin永yong春chun立li德de世shi承cheng泽ze峰feng成cheng安an民min生sheng美mei丹dan"
        var table: [Character: String] = [:]
        var key: Character? = nil, value = ""
        for c in pairs {
            if c.isASCII { value.append(c) } else {
                if let k = key { table[k] = value }
                key = c; value = ""
            }
        }
        if let k = key { table[k] = value }
        return table
    }()
}
