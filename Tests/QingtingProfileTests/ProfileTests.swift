import Foundation
import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing
import TestSupport

@testable import QingtingProfile

/// The profile fold and its view on plain values, without a store: decay to `--now`, tags with
/// provenance and pending key tags, tier reasons, journey transitions, the configuration file.
@Suite struct ProfileTests {
    static let config = ProfileConfiguration()
    static let day: Int64 = 86_400_000
    /// 2026-01-01T00:00:00Z.
    static let t0: Int64 = 1_767_225_600_000

    static func event(
        _ seq: Int64, _ kind: String, at: Int64 = t0, platform: String = "weibo", text: String? = nil,
        sentiment: String? = nil, intents: [(String, Double)] = [], category: String? = nil,
        metrics: JSONObject = [:]
    ) -> ProfileEvent {
        var analysis: String?
        if text != nil {
            var w = JSONWriter()
            w.object { w in
                w.member("sentiment", sentiment ?? "neutral")
                w.member("intents") { w in
                    w.array(intents) { w, i in
                        w.object { w in
                            w.member("label", i.0)
                            w.member("probability", i.1, digits: 4)
                        }
                    }
                }
                w.key("category")
                if let category { w.string(category) } else { w.null() }
            }
            analysis = w.text
        }
        return ProfileEvent(seq: seq, platform: platform, kind: kind, occurredAt: at, text: text, analysis: analysis,
                            models: analysis == nil ? nil : "f00dfeedf00dfeed", metrics: metrics)
    }

    static func fold(_ events: [ProfileEvent], _ config: ProfileConfiguration = config) -> ProfileState {
        events.reduce(into: ProfileState()) { $0.apply($1, config) }
    }

    static func profile(_ state: ProfileState, now: Int64, decisions: [TagDecision] = [],
                        fields: [String: (value: String, source: String, updatedAt: Int64?)] = [:]) -> Profile {
        Profile(customer: Profile.Customer(id: "C1", fields: fields, identities: []), state: state, config: config,
                now: now, decisions: decisions)
    }

    @Test func decayHalvesEachHalfLifeAndNowMakesOutputReproducible() {
        let state = Self.fold([Self.event(1, "comment", text: "不错", sentiment: "neutral")])
        let halfLife = Int64(Self.config.engagement.halfLifeDays) * Self.day
        let atOnce = EngagementScore(state, now: Self.t0, Self.config)
        let later = EngagementScore(state, now: Self.t0 + halfLife, Self.config)
        let active = { (s: EngagementScore) in s.terms.first { $0.name == "active" }!.platforms[0].units }
        #expect(active(atOnce) == 1)
        #expect(abs(active(later) - 0.5) < 1e-12)
        #expect(later.score < atOnce.score)
        // The same state read at the same time is the same bytes.
        let a = Self.profile(state, now: Self.t0 + 3 * Self.day).json(events: [])
        let b = Self.profile(state, now: Self.t0 + 3 * Self.day).json(events: [])
        #expect(a == b)
        #expect(a != Self.profile(state, now: Self.t0 + 4 * Self.day).json(events: []))
    }

    @Test func decayedSumsDoNotDependOnArrivalOrderBeyondRounding() {
        var forward = Decayed()
        var backward = Decayed()
        let h = Double(7 * Self.day)
        for t in [0, 3, 9] { forward.add(1, at: Self.t0 + Int64(t) * Self.day, halfLifeMillis: h) }
        for t in [9, 3, 0] { backward.add(1, at: Self.t0 + Int64(t) * Self.day, halfLifeMillis: h) }
        let now = Self.t0 + 20 * Self.day
        let exact = [0.0, 3, 9].map { Double.power2(-(20 - $0) / 7) }.reduce(0, +)
        #expect(abs(forward.value(now: now, halfLifeMillis: h) - exact) < 1e-12)
        #expect(abs(backward.value(now: now, halfLifeMillis: h) - exact) < 1e-12)
    }

    @Test func engagementIsNormalizedPerPlatformAndShowsEachTerm() {
        // Two likes mean more on WeChat (saturation 5) than on Weibo (20).
        let weibo = Self.fold([Self.event(1, "like"), Self.event(2, "like")])
        let wechat = Self.fold([Self.event(1, "like", platform: "wechat"), Self.event(2, "like", platform: "wechat")])
        let w = EngagementScore(weibo, now: Self.t0, Self.config)
        let c = EngagementScore(wechat, now: Self.t0, Self.config)
        #expect(c.score > w.score)
        #expect(w.terms.map(\.name) == ["active", "passive", "latent"])
        let passive = w.terms[1]
        #expect(passive.weight == 0.3 && passive.platforms[0].units == 2)
        #expect(abs(passive.value - (1 - Double.power2(-2.0 / 20))) < 1e-12)
        let json = Self.profile(wechat, now: Self.t0).json(events: [])
        #expect(json.contains(#""passive":{"weight":0.3,"value":0.2421,"contribution":0.0726,"platforms":{"wechat":{"units":2,"saturation":5,"normalized":0.2421}}}"#))
    }

    @Test func keyTagsStayPendingUntilAPersonDecidesAndRulesNeverOverrideThem() throws {
        let twoOrders = Self.fold([Self.event(1, "order", metrics: ["amount": .number("300")]),
                                   Self.event(2, "order", at: Self.t0 + Self.day)])
        let pending = Self.profile(twoOrders, now: Self.t0 + 2 * Self.day).tags.first { $0.tag == "高价值客户" }
        #expect(pending?.status == "pending")
        #expect(pending?.by == "rule" && pending?.evidence == [2])
        let confirmed = Self.profile(twoOrders, now: Self.t0 + 2 * Self.day,
                                     decisions: [TagDecision(tag: "高价值客户", decision: "confirmed", at: Self.t0 + 2 * Self.day)])
            .tags.first { $0.tag == "高价值客户" }
        #expect(confirmed?.status == "confirmed" && confirmed?.by == "person")
        // A rejection holds while the rule still fires; a confirmation holds when it no longer does.
        let rejected = Self.profile(twoOrders, now: Self.t0 + 2 * Self.day,
                                    decisions: [TagDecision(tag: "高价值客户", decision: "rejected", at: Self.t0)])
            .tags.first { $0.tag == "高价值客户" }
        #expect(rejected?.status == "rejected" && rejected?.by == "person")
        let oneOrder = Self.fold([Self.event(1, "order")])
        #expect(Self.profile(oneOrder, now: Self.t0).tags.contains { $0.tag == "高价值客户" } == false)
        let kept = Self.profile(oneOrder, now: Self.t0,
                                decisions: [TagDecision(tag: "高价值客户", decision: "confirmed", at: Self.t0)])
        #expect(kept.tags.first { $0.tag == "高价值客户" }?.status == "confirmed")
    }

    @Test func tagsCarryKindProvenanceEvidenceAndExpiry() {
        let state = Self.fold([
            Self.event(1, "comment", text: "这款手机拍照真好", sentiment: "positive", category: "手机"),
            Self.event(2, "comment", at: Self.t0 + Self.day, text: "想买个新手机，哪个好", intents: [("purchase", 0.9)],
                       category: "手机"),
        ])
        let p = Self.profile(state, now: Self.t0 + 2 * Self.day,
                             fields: ["gender": ("f", "crm", Self.t0 - Self.day), "city": ("上海", "crm", nil)])
        let tags = Dictionary(uniqueKeysWithValues: p.tags.map { ($0.tag, $0) })
        #expect(tags["性别:女"]?.kind == .static && tags["性别:女"]?.fields == ["gender"])
        #expect(tags["地域:上海"]?.kind == .static)
        #expect(tags["近期活跃"]?.kind == .dynamic && tags["近期活跃"]?.evidence == [2])
        #expect(tags["近期活跃"]?.expiresAt == Self.t0 + Self.day + 7 * Self.day)
        #expect(tags["偏好:手机"]?.evidence == [1, 2])
        let intent = tags["购买意向"]
        #expect(intent?.kind == .predicted && intent?.by == "model" && intent?.version == "f00dfeedf00dfeed")
        #expect(intent?.evidence == [2])
        // Ten days without interaction: no longer recent; the intent has decayed below the threshold later.
        let later = Self.profile(state, now: Self.t0 + 10 * Self.day).tags.map(\.tag)
        #expect(!later.contains("近期活跃"))
        #expect(!Self.profile(state, now: Self.t0 + 60 * Self.day).tags.map(\.tag).contains("购买意向"))
    }

    /// An interest gathers its categories: one post each about a flight, a hotel and a homestay
    /// make no single 偏好 strong but 兴趣:旅行 (weight 3 ≥ 2 at once; the evidence from all three);
    /// a month later the decayed sum (3 · 2^-1 = 1.5) is below the threshold and the tag is gone.
    @Test func interestsGatherTheirCategoriesAndDecay() throws {
        let state = Self.fold([
            Self.event(1, "post", text: "机票终于抢到了", category: "机票"),
            Self.event(2, "post", text: "酒店早餐不错", category: "酒店"),
            Self.event(3, "post", text: "民宿老板人很好", category: "民宿"),
            Self.event(4, "post", text: "新手机到了", category: "手机"),
        ])
        let now = Self.profile(state, now: Self.t0)
        let travel = try #require(now.tags.first { $0.tag == "兴趣:旅行" })
        #expect(travel.kind == .dynamic && travel.by == "rule")
        #expect(travel.evidence == [1, 2, 3])
        #expect(abs((travel.value ?? 0) - 3) < 1e-9)
        #expect(!now.tags.contains { $0.tag == "兴趣:数码" })  // one phone post: 1 < 2
        #expect(now.tags.contains { $0.tag == "偏好:手机" })
        #expect(!Self.profile(state, now: Self.t0 + 30 * Self.day).tags.contains { $0.tag == "兴趣:旅行" })
        // The file can redefine them; a malformed group is an error naming its path.
        let file = try ProfileConfiguration.parse(
            try JSONValue.parse(#"{"tags":{"interest_min_weight":1,"interests":{"出行":["机票"]}}}"#), file: "p.json")
        #expect(file.tags.interests == [ProfileConfiguration.Interest(name: "出行", categories: ["机票"])])
        #expect(throws: (any Error).self) {
            try ProfileConfiguration.parse(try JSONValue.parse(#"{"tags":{"interests":{"出行":[]}}}"#), file: "p.json")
        }
    }

    /// `heldTags`, the names a rule's `profile.tag` tests (built without evidence or sorting), are
    /// the active and confirmed names of the full tag build, for every kind, at several times.
    @Test func heldTagsAreTheFullBuildsActiveAndConfirmedNames() {
        let state = Self.fold([
            Self.event(1, "post", text: "机票终于抢到了", category: "机票"),
            Self.event(2, "post", at: Self.t0 + Self.day, text: "酒店早餐不错", category: "酒店"),
            Self.event(3, "comment", at: Self.t0 + Self.day, text: "民宿老板人很好", category: "民宿"),
            Self.event(4, "comment", at: Self.t0 + 2 * Self.day, text: "新手机到了", category: "手机"),
            Self.event(5, "comment", at: Self.t0 + 2 * Self.day, text: "手机又坏了想退货",
                       intents: [("churn", 0.9), ("complaint", 0.8)], category: "手机"),
            Self.event(6, "dm", at: Self.t0 + 3 * Self.day, text: "想买个平板", intents: [("purchase", 0.95)],
                       category: "平板"),
            Self.event(7, "order", at: Self.t0 + 3 * Self.day, metrics: ["amount": .number("300")]),
            Self.event(8, "order", at: Self.t0 + 4 * Self.day),
        ])
        let fields: [String: (value: String, source: String, updatedAt: Int64?)] =
            ["gender": ("m", "crm", nil), "city": ("杭州", "crm", nil)]
        var seen = Set<String>()
        for decisions in [[], [TagDecision(tag: "高价值客户", decision: "confirmed", at: Self.t0)]] {
            for days in [0, 1, 3, 5, 9, 40, 120] as [Int64] {
                let p = Self.profile(state, now: Self.t0 + days * Self.day, decisions: decisions, fields: fields)
                let full = p.tags.filter { $0.status == "active" || $0.status == "confirmed" }.map(\.tag)
                #expect(p.heldTags.sorted() == full.sorted(), "day \(days)")
                #expect(p.heldTags.count == Set(p.heldTags).count)
                seen.formUnion(full)
            }
        }
        // Every kind took part: static, dynamic (recent, preference, interest), predicted, key.
        for tag in ["性别:男", "地域:杭州", "近期活跃", "偏好:手机", "兴趣:旅行", "流失风险", "购买意向", "高价值客户"] {
            #expect(seen.contains(tag), "\(tag)")
        }
    }

    /// A file that redefines the interests is read by its own groups (the category index follows
    /// `interests`), not the defaults'.
    @Test func redefinedInterestsAreLookedUpByTheirOwnCategories() throws {
        var config = try ProfileConfiguration.parse(
            try JSONValue.parse(#"{"tags":{"interest_min_weight":1,"interests":{"出行":["机票"]}}}"#), file: "p.json")
        let state = Self.fold([Self.event(1, "post", text: "机票终于抢到了", category: "机票")], config)
        let tags = { (c: ProfileConfiguration) in
            Profile(customer: Profile.Customer(id: "C1", fields: [:], identities: []), state: state, config: c,
                    now: Self.t0).tags.map(\.tag)
        }
        #expect(tags(config).contains("兴趣:出行") && !tags(config).contains("兴趣:旅行"))
        config.tags.interests.append(ProfileConfiguration.Interest(name: "航旅", categories: ["机票", "机场"]))
        #expect(tags(config).contains("兴趣:出行") && tags(config).contains("兴趣:航旅"))
    }

    @Test func tiersComeWithTheirReason() {
        let silent = Self.fold([Self.event(1, "comment", text: "还行")])
        let tier = Self.profile(silent, now: Self.t0 + 40 * Self.day).tier
        #expect(tier?.tier == "沉默用户")
        #expect(tier?.reason == "days_silent 40 >= 30")

        let keen = Self.fold([Self.event(1, "comment", text: "想买", intents: [("purchase", 0.95)])])
        let high = Self.profile(keen, now: Self.t0 + Self.day).tier
        #expect(high?.tier == "高潜用户")
        #expect(high?.reason.hasPrefix("purchase_intent 0.") == true)
        #expect(high?.reason.hasSuffix("and orders 0 < 1") == true)

        let fan = Self.fold((1...6).map { Self.event(Int64($0), "comment", platform: "wechat", text: "好", sentiment: "positive") })
        let active = Self.profile(fan, now: Self.t0).tier
        #expect(active?.tier == "活跃粉丝")
        #expect(active?.reason.hasPrefix("engagement ") == true)

        #expect(Self.profile(Self.fold([Self.event(1, "view")]), now: Self.t0).tier == nil)
    }

    @Test func journeyMovesForwardOnlyAndNamesTheEventThatMovedIt() {
        let state = Self.fold([
            Self.event(1, "view"),
            Self.event(2, "like"),
            Self.event(3, "comment", text: "想买这款", intents: [("purchase", 0.9)]),
            Self.event(4, "dm", platform: "wechat", text: "这款有货吗，想下单", intents: [("purchase", 0.8)]),
            Self.event(5, "view"),
            Self.event(6, "order"),
            Self.event(7, "share"),
        ])
        #expect(state.journey.map(\.stage) == ["认知", "考虑", "决策", "购买", "忠诚"])
        #expect(state.journey.map(\.seq) == [1, 3, 4, 6, 7])
        #expect(state.journey[1].reason == "intent purchase 0.9 on comment")
        #expect(state.journey[2].reason == "intent purchase 0.8 on dm")
        #expect(state.journey[3].reason == "kind order")
        // A first share before any purchase is only awareness.
        #expect(Self.fold([Self.event(1, "share")]).journey.map(\.stage) == ["认知"])
        // An order straight away skips the stages before it; a second order is loyalty.
        let twice = Self.fold([Self.event(1, "order"), Self.event(2, "order")])
        #expect(twice.journey.map(\.stage) == ["购买", "忠诚"])
    }

    @Test func segmentsCombineMeasuresTiersStagesTagsAndPlatforms() throws {
        let segments = Dictionary(uniqueKeysWithValues: Self.config.segments.map { ($0.name, $0) })
        let fan = Self.fold([
            Self.event(1, "comment", text: "这款手机真好", sentiment: "positive", category: "手机"),
            Self.event(2, "comment", text: "手机拍照也不错", sentiment: "positive", category: "手机"),
            Self.event(3, "order", platform: "generic"),
        ])
        let now = Self.profile(fan, now: Self.t0 + Self.day)
        #expect(now.isMember(of: try #require(segments["weibo_phone_fans"])))
        #expect(now.isMember(of: try #require(segments["recent_buyers"])))
        #expect(!now.isMember(of: try #require(segments["koc_pool"])))
        // Forty days on: no longer a recent buyer, now silent.
        let later = Self.profile(fan, now: Self.t0 + 40 * Self.day)
        #expect(!later.isMember(of: try #require(segments["recent_buyers"])))
        #expect(later.isMember(of: try #require(segments["silent"])))
        // Only Weibo events count for a Weibo segment.
        let elsewhere = Self.fold([Self.event(1, "comment", platform: "wechat", text: "手机", category: "手机"),
                                   Self.event(2, "comment", platform: "wechat", text: "手机", category: "手机")])
        #expect(!Self.profile(elsewhere, now: Self.t0).isMember(of: try #require(segments["weibo_phone_fans"])))
        // A pending key tag does not put a customer in a segment that asks for it; a confirmed one does.
        let vip = ProfileConfiguration.Segment(name: "vip", summary: "", tags: ["高价值客户"])
        let twoOrders = Self.fold([Self.event(1, "order"), Self.event(2, "order")])
        #expect(!Self.profile(twoOrders, now: Self.t0).isMember(of: vip))
        #expect(Self.profile(twoOrders, now: Self.t0, decisions: [TagDecision(tag: "高价值客户", decision: "confirmed", at: Self.t0)])
            .isMember(of: vip))
    }

    @Test func theStateRoundTripsThroughItsStoredForm() throws {
        let state = Self.fold([
            Self.event(1, "comment", text: "想买手机", intents: [("purchase", 0.9)], category: "手机"),
            Self.event(2, "view", metrics: ["view_seconds": .number("95"), "completion_rate": .number("0.4")]),
            Self.event(3, "order", at: Self.t0 - Self.day, metrics: ["amount": .number("1999.5")]),
        ])
        let back = try ProfileState.decoded(state.encoded)
        #expect(back == state)
        #expect(back.encoded == state.encoded)
    }

    /// The stored form read back by the project's parser is what `Decodable` reads from it, for
    /// states with every member set (journey, KOC counts, optional times, evidence models) and
    /// for the empty state; text that is not a state is refused with what was wrong, and where.
    @Test func theStoredFormReadsAsDecodableReadsIt() throws {
        var events: [ProfileEvent] = []
        for i in 1...40 {
            let kind = ["comment", "post", "dm", "like", "share", "view", "order", "visit"][i % 8]
            events.append(Self.event(Int64(i), kind, at: Self.t0 + Int64(i) * 3_600_000,
                                     platform: ["weibo", "wechat", "douyin"][i % 3], text: "想买手机，强烈推荐",
                                     sentiment: i % 2 == 0 ? "positive" : "negative",
                                     intents: [("purchase", 0.9), ("recommend", 0.7)], category: i % 3 == 0 ? "手机" : "粉底液",
                                     metrics: ["amount": .number("\(i).25"), "view_seconds": .number("95"),
                                               "followers": .number("12000"), "likes": .number("31")]))
        }
        for state in [ProfileState(), Self.fold(Array(events.prefix(3))), Self.fold(events)] {
            let text = state.encoded
            let foundation = try JSONDecoder().decode(ProfileState.self, from: Data(text.utf8))
            #expect(try ProfileState.decoded(text) == foundation)
        }
        #expect(!Self.fold(events).journey.isEmpty && Self.fold(events).koc.posts > 0)
        let wrongType = #expect(throws: QingtingError.self) { _ = try ProfileState.decoded(#"{"events":"many"}"#) }
        #expect(wrongType?.description.contains("expected a number, found string in member 'events'") == true)
        let missing = #expect(throws: QingtingError.self) {
            _ = try ProfileState.decoded(#"{"journey":[{"stage":"认知","seq":1,"at":2}]}"#)
        }
        #expect(missing?.description.contains("member 'reason' is missing") == true)
        #expect(throws: QingtingError.self) { _ = try ProfileState.decoded("not json") }
    }

    /// The hand-written stored form is byte for byte what `JSONEncoder` (sorted keys) wrote, so
    /// states stored before compare equal: for folded states, the empty state, and names that
    /// need escaping, sort oddly or hold numbers `description` writes with an exponent.
    @Test func theStoredFormIsWhatJSONEncoderWrote() {
        var events: [ProfileEvent] = []
        for i in 1...30 {
            let kind = ["comment", "post", "dm", "like", "order", "view"][i % 6]
            events.append(Self.event(Int64(i), kind, at: Self.t0 + Int64(i) * 7_200_000,
                                     platform: ["weibo", "x", "bilibili"][i % 3], text: "推荐这款手机",
                                     sentiment: "positive", intents: [("purchase", 0.8)], category: "手机",
                                     metrics: ["amount": .number("\(i).5"), "followers": .number("\(i * 1000)")]))
        }
        var odd = Self.fold(events)
        for (n, name) in ["手机/平板", "a\"b\\c", "tab\there", "\u{1}ctl\u{1f}", "e\u{301}", "Émoji😀", "Z", "_", "a10", "a9", ""].enumerated() {
            var evidence = ProfileState.Evidence()
            evidence.weight.value = [1e-7, 1e21, 0.1, 100, 2.5e-300, 6.00631024485193, -0.0, 12345678.9, 1e16, 3, 0][n]
            evidence.count = n
            evidence.models = n % 2 == 0 ? nil : "m/\(n)"
            odd.categories[name] = evidence
            odd.kinds[name] = n
        }
        odd.journey.append(ProfileState.StageStep(stage: "购买", seq: 9, at: 10, reason: "kind order / 下单\n"))
        odd.engagement["we/chat"] = ["active": Decayed()]
        odd.koc.firstPost = nil
        odd.lastOrder = nil
        for state in [ProfileState(), Self.fold(Array(events.prefix(2))), Self.fold(events), odd] {
            #expect(state.encoded == state.encodedByFoundation)
        }
    }

    @Test func kocScoreNeedsFollowersInRangeAndInteractions() {
        let posts = (1...8).map {
            Self.event(Int64($0), "post", at: Self.t0 + Int64($0) * 3 * Self.day,
                       text: "强烈安利这款粉底液，用了一个月皮肤状态好多了，真心推荐给大家", sentiment: "positive",
                       intents: [("recommend", 0.9)],
                       metrics: ["followers_count": .number("12000"), "likes": .number("400"), "comments": .number("80")])
        }
        let koc = KOCScore(Self.fold(posts), Self.config)
        #expect(koc.followerFactor == 1)
        #expect(koc.score >= 0.6)
        #expect(Self.profile(Self.fold(posts), now: Self.t0 + 25 * Self.day).tier?.tier == "核心KOC")
        let celebrity = posts.map { e -> ProfileEvent in
            var e = e
            e.followers = 5_000_000
            return e
        }
        #expect(KOCScore(Self.fold(celebrity), Self.config).score < koc.score)
    }

    @Test func theShippedFileIsTheDefaults() throws {
        let shipped = try ProfileConfiguration.load("\(TestPaths.root)/\(ProfileConfiguration.shippedPath)")
        var defaults = ProfileConfiguration()
        defaults.source = shipped.source
        defaults.version = shipped.version
        #expect(shipped == defaults)
        #expect(shipped.version.count == 16)
    }

    @Test func badValuesAreReportedByJSONPathAllAtOnce() throws {
        let text = #"{"engagement":{"weights":{"active":"high","passive":3}},"tiers":[{"tier":"x","when":[{"measure":"karma","op":">=","value":1}]}],"colour":1}"#
        let error = #expect(throws: QingtingErrors.self) {
            try ProfileConfiguration.parse(try JSONValue.parse(text), file: "p.json")
        }
        let messages = error?.errors.map(\.description) ?? []
        #expect(messages.count == 4)
        #expect(messages.contains("p.json: $.engagement.weights.active: expected a number in 0.0...1.0, got string"))
        #expect(messages.contains("p.json: $.engagement.weights.passive: expected a number in 0.0...1.0, got 3"))
        #expect(messages.contains { $0.hasPrefix("p.json: $.tiers[0].when[0].measure: unknown measure") })
        #expect(messages.contains { $0.hasPrefix("p.json: $.colour: unknown member") })
    }
}
