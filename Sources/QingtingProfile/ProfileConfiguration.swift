public import QingtingCore

/// Everything the profile derives by: decay half-lives, the engagement formula and its
/// per-platform normalization, tag rules, key tags, tiers and journey stages. The defaults here are
/// the shipped file's (`Lexicons/profile.json`, which a test holds equal to them); a file read
/// with `load` overrides the members it gives. `source` and `version` are the provenance every
/// derived fact records: the file and the FNV-1a 64 hash of its bytes.
public struct ProfileConfiguration: Sendable, Equatable {
    /// The shipped file, relative to the resources root (`Resources.find`).
    public static let shippedPath = "Lexicons/profile.json"

    /// The file (as given, or `built-in`) and its version (16 hex digits of FNV-1a 64, `0…0` built in).
    public var source = "built-in"
    public var version = "0000000000000000"

    /// The A/B experiments a rule or template reads a customer's variant of (`profile.variant:NAME`).
    /// Not part of the profile file: the commands that run rules set it from the experiments file
    /// (`--experiments`, default the shipped `Lexicons/experiments.json`).
    public var experiments: [Experiment] = []

    /// An intent counts when its probability is at least this.
    public var intentThreshold = 0.5
    public var engagement = Engagement()
    public var tags = Tags()
    public var keyTags: [KeyTag] = [
        KeyTag(tag: "高价值客户", when: [Condition(measure: "orders", op: .atLeast, value: 2)])
    ]
    public var tiers: [TierRule] = [
        TierRule(tier: "核心KOC", when: [Condition(measure: "koc", op: .atLeast, value: 0.6)]),
        TierRule(tier: "沉默用户", when: [Condition(measure: "days_silent", op: .atLeast, value: 30)]),
        TierRule(tier: "高潜用户", when: [Condition(measure: "purchase_intent", op: .atLeast, value: 0.5),
                                       Condition(measure: "orders", op: .below, value: 1)]),
        TierRule(tier: "活跃粉丝", when: [Condition(measure: "engagement", op: .atLeast, value: 0.3)]),
    ]
    public var journey = Journey()
    public var koc = KOC()
    public var segments: [Segment] = [
        Segment(name: "koc_pool", summary: "Key opinion consumers: the KOC score at 0.6 or more",
                when: [Condition(measure: "koc", op: .atLeast, value: 0.6)]),
        Segment(name: "high_potential", summary: "高潜用户 seen in the last 30 days",
                when: [Condition(measure: "days_since_seen", op: .atMost, value: 30)], tiers: ["高潜用户"]),
        Segment(name: "silent", summary: "沉默用户: no interaction for 30 days", tiers: ["沉默用户"]),
        Segment(name: "recent_buyers", summary: "Bought (购买 or 忠诚), seen in the last 30 days",
                when: [Condition(measure: "days_since_seen", op: .atMost, value: 30)], stages: ["购买", "忠诚"]),
        Segment(name: "weibo_phone_fans", summary: "Weibo users who write about phones",
                tags: ["偏好:手机"], platforms: ["weibo"]),
        Segment(name: "repeat_buyers", summary: "Ordered twice or more: lookalike seeds for ad audiences",
                when: [Condition(measure: "orders", op: .atLeast, value: 2)]),
        Segment(name: "dormant_90d", summary: "No interaction for 90 days: an exclusion list for ad audiences",
                when: [Condition(measure: "days_silent", op: .atLeast, value: 90)]),
        Segment(name: "considering_not_bought",
                summary: "Considering or deciding (a visit with purchase intent, a trial, a consultation), no order yet: retargeting",
                when: [Condition(measure: "orders", op: .below, value: 1)], stages: ["考虑", "决策"]),
    ]

    public init() {}

    public struct Engagement: Sendable, Equatable {
        public var halfLifeDays = 14.0
        /// The weight of each term; the score is Σ weight × term.
        public var weights: [String: Double] = ["active": 0.6, "passive": 0.3, "latent": 0.1]
        /// The event kinds of each term.
        public var kinds: [String: [String]] = [
            "active": ["comment", "reply", "dm", "post", "mention"],
            "passive": ["like", "share", "favorite", "follow"],
            "latent": ["view", "click", "visit"],
        ]
        /// Multiplies an active event's unit by its sentiment (text platforms: the comment's tone counts).
        public var sentimentFactor: [String: Double] = ["negative": 0.5, "neutral": 1, "positive": 1.2]
        /// A latent event's unit is `view_seconds` ÷ this (1 when it carries no seconds).
        public var latentUnitSeconds = 60.0
        /// Per platform (`default` for the rest): the decayed units of each term that give 0.5.
        public var platforms: [String: Saturation] = [
            "default": Saturation(active: 3, passive: 10, latent: 10, completion: false),
            "weibo": Saturation(active: 5, passive: 20, latent: 20, completion: false),
            "wechat": Saturation(active: 2, passive: 5, latent: 5, completion: false),
            "douyin": Saturation(active: 3, passive: 20, latent: 10, completion: true),
            "kuaishou": Saturation(active: 3, passive: 20, latent: 10, completion: true),
            "bilibili": Saturation(active: 3, passive: 15, latent: 10, completion: true),
        ]

        public static let terms = ["active", "passive", "latent"]

        /// The term an event kind counts in, or nil.
        public func term(of kind: String) -> String? { Self.terms.first { kinds[$0]?.contains(kind) == true } }

        public func saturation(_ platform: String) -> Saturation { platforms[platform] ?? platforms["default"]! }
    }

    /// Decayed units that normalize to 0.5, per term; `completion`: a view's unit is scaled by
    /// its `completion_rate` (video platforms).
    public struct Saturation: Sendable, Equatable {
        public var active: Double
        public var passive: Double
        public var latent: Double
        public var completion: Bool

        public subscript(term: String) -> Double {
            switch term {
            case "active": active
            case "passive": passive
            default: latent
            }
        }
    }

    public struct Tags: Sendable, Equatable {
        /// The half-life of interest (category) and intent evidence.
        public var halfLifeDays = 30.0
        /// `近期活跃`: an interaction within this many days (the tag expires that long after it).
        public var recentDays = 7.0
        /// `偏好:<category>` when the decayed weight of the category's events is at least this.
        public var preferenceMinWeight = 1.0
        /// `兴趣:<interest>` when the decayed weight of the events in the interest's categories,
        /// together, is at least this (an interest is broader than one product: 旅行 gathers flights,
        /// hotels, homestays, rail and tickets).
        public var interestMinWeight = 2.0
        /// The interests read from what a customer writes about, each a group of the categories
        /// `偏好:` tags name, in file order.
        public var interests: [Interest] = Interest.defaults {
            didSet { interestsByCategory = Self.index(interests) }
        }
        /// Category → where it stands in the interests that gather it, kept with `interests`: a
        /// profile finds its interests' evidence from its own few categories, not every interest's.
        public private(set) var interestsByCategory = index(Interest.defaults)
        /// `流失风险` and `购买意向` when their predicted score is at least this.
        public var predictedMinScore = 0.5
        /// A predicted tag expires this many half-lives after its newest evidence.
        public var predictedExpiryHalfLives = 3.0
        /// Evidence seqs kept per tag.
        public var evidenceLimit = 5

        /// A category's place in an interest: the interest's index and the category's in its list.
        public struct Place: Sendable, Equatable {
            public var interest: Int
            public var position: Int
        }

        static func index(_ interests: [Interest]) -> [String: [Place]] {
            var out: [String: [Place]] = [:]
            for (i, interest) in interests.enumerated() {
                for (k, category) in interest.categories.enumerated() {
                    out[category, default: []].append(Place(interest: i, position: k))
                }
            }
            return out
        }
    }

    /// An interest (`兴趣:<name>`): the product categories whose posts show it.
    public struct Interest: Sendable, Equatable {
        public var name: String
        public var categories: [String]

        public init(name: String, categories: [String]) {
            self.name = name
            self.categories = categories
        }

        /// Groups of `Lexicons/categories.tsv`'s categories (the shipped profile.json says the same).
        public static let defaults: [Interest] = [
            Interest(name: "数码", categories: ["手机", "平板", "笔记本电脑", "智能手表", "耳机", "音箱", "相机", "无人机",
                                              "电脑配件", "手机配件", "智能家居", "电子书", "学习机"]),
            Interest(name: "美妆护肤", categories: ["护肤品", "彩妆", "口红", "粉底液", "香水", "医美", "美容美发", "洗发水"]),
            Interest(name: "时尚穿搭", categories: ["衣服", "鞋", "包", "珠宝", "手表", "眼镜"]),
            Interest(name: "美食", categories: ["外卖", "餐厅", "奶茶", "咖啡", "零食", "饮料", "酒水", "茶叶", "生鲜", "水果",
                                              "方便食品"]),
            Interest(name: "旅行", categories: ["机票", "酒店", "民宿", "高铁票", "景区门票", "旅游", "签证", "机场", "露营", "租车"]),
            Interest(name: "运动健身", categories: ["健身卡", "运动装备", "自行车"]),
            Interest(name: "游戏动漫", categories: ["游戏", "游戏机", "潮玩"]),
            Interest(name: "影音娱乐", categories: ["视频会员", "音乐会员", "演唱会门票", "休闲娱乐", "书籍"]),
            Interest(name: "母婴", categories: ["婴儿奶粉", "纸尿裤", "婴儿车", "母婴用品", "月子服务"]),
            Interest(name: "宠物", categories: ["猫粮", "狗粮", "宠物用品", "宠物医院", "宠物服务"]),
            Interest(name: "汽车出行", categories: ["汽车", "电动车", "充电桩", "汽车服务", "摩托车"]),
            Interest(name: "家居生活", categories: ["家具", "家纺", "装修", "冰箱", "空调", "洗衣机", "热水器", "电视", "厨房电器",
                                                "清洁电器", "扫地机器人", "净水器", "空气炸锅", "电饭煲", "生活电器", "日用品"]),
            Interest(name: "理财", categories: ["理财", "银行卡", "信用卡", "贷款", "保险", "汇款"]),
            Interest(name: "学习进修", categories: ["培训班", "网课", "考研课程", "雅思", "语言培训", "考试培训"]),
        ]
    }

    /// A tag that a rule only proposes: it stays `pending` until a person confirms or rejects it.
    public struct KeyTag: Sendable, Equatable {
        public var tag: String
        public var when: [Condition]
    }

    public struct TierRule: Sendable, Equatable {
        public var tier: String
        public var when: [Condition]
    }

    /// `measure op value`, over the measures a profile has (`Profile.measures`).
    public struct Condition: Sendable, Equatable {
        public enum Op: String, Sendable, CaseIterable { case atLeast = ">=", above = ">", atMost = "<=", below = "<" }
        public var measure: String
        public var op: Op
        public var value: Double

        public func holds(_ x: Double) -> Bool {
            switch op {
            case .atLeast: x >= value
            case .above: x > value
            case .atMost: x <= value
            case .below: x < value
            }
        }
    }

    /// A named query over profiles: every condition holds, the tier is one of `tiers`, the stage
    /// one of `stages`, the customer has every tag of `tags` (active or confirmed: a pending key tag
    /// does not count yet) and events on one of
    /// `platforms` (each list ignored when empty).
    public struct Segment: Sendable, Equatable {
        public var name: String
        public var summary: String
        public var when: [Condition] = []
        public var tiers: [String] = []
        public var tags: [String] = []
        public var stages: [String] = []
        public var platforms: [String] = []
    }

    public struct Journey: Sendable, Equatable {
        public var stages = ["认知", "考虑", "决策", "购买", "忠诚"]
        public var rules: [StageRule] = [
            StageRule(stage: "认知", kinds: ["view", "click", "like", "share", "favorite", "follow", "comment",
                                             "reply", "post", "mention", "dm"]),
            StageRule(stage: "考虑", kinds: ["visit"], intents: ["purchase", "service_product"]),
            StageRule(stage: "决策", kinds: ["trial", "consultation"], intents: ["purchase", "service_product"],
                      intentKinds: ["dm"]),
            StageRule(stage: "购买", kinds: ["order", "payment"]),
            StageRule(stage: "忠诚", kinds: ["order", "payment", "share"], intents: ["recommend"], after: "购买"),
        ]
    }

    /// An event moves the customer to `stage` when its kind is one of `kinds`, or one of its
    /// intents is one of `intents` on an event of `intentKinds` (any kind when empty) — and the
    /// customer is at `after` or later already.
    public struct StageRule: Sendable, Equatable {
        public var stage: String
        public var kinds: [String] = []
        public var intents: [String] = []
        public var intentKinds: [String] = []
        public var after: String?
    }

    public struct KOC: Sendable, Equatable {
        /// A KOC's follower range; outside it the follower factor falls off.
        public var minFollowers = 1000.0
        public var maxFollowers = 50000.0
        /// Posts (post, comment, reply with text) per 30 days that give a frequency of 0.5.
        public var postsPerMonth = 4.0
        /// Interactions their posts get ÷ followers that give a rate of 0.5.
        public var interactionRate = 0.05
        public var weights: [String: Double] = ["frequency": 0.25, "interaction": 0.3, "quality": 0.25, "influence": 0.2]
        /// Interactions received (replies, likes, shares) that give an influence of 0.5.
        public var influenceHalf = 200.0
    }
}
