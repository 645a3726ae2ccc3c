import Foundation
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingProfile
import QingtingRules
import QingtingStore
import QingtingText
import Testing

@testable import QingtingReport

/// `ABReport` and `AudienceExport` over a scratch store: customers imported, a few events ingested.
@Suite struct ReportStoreTests {
    static let analyzer: EventAnalyzer = {
        let segmenter = try! Resources.segmenter(modelPath: nil, lexiconPath: nil)
        return try! EventAnalyzer.load(segmenter: segmenter, segmentModel: nil, userdict: nil, useUserdict: true,
                                       sentimentModel: nil, intentModel: nil)
    }()
    static let mapping = try! FieldMapping.parse(
        json: Array(#"{"event_id":"id","uid":"user","time":"at","time_format":"unix_ms","kind":"type","author":{"phone":"phone"}}"#.utf8),
        path: "mapping.json")
    static let day: Int64 = 86_400_000
    /// 2026-01-01T00:00:00Z.
    static let t0: Int64 = 1_767_225_600_000

    /// A store of `customers` (JSON lines) with `events` (generic lines) ingested, through `rules`
    /// with `profile` when given; removed by the closure.
    static func store(customers: [String], events: [String], rules: RuleSet? = nil,
                      profile: ProfileConfiguration = ProfileConfiguration()) throws -> (CRMStore, () -> Void) {
        let path = NSTemporaryDirectory() + "qingting-report-\(UUID().uuidString.prefix(8)).sqlite"
        let file = path + ".customers.jsonl"
        let remove = {
            for suffix in ["", "-wal", "-shm", ".customers.jsonl"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try CRMStore(path: path, durability: .normal)
        try Data((customers.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        _ = try CustomerSync(store: store, mapping: .default, source: "crm", now: t0).run(files: [file]) { _ in }
        var configuration = EventPipeline.Configuration(mapping: mapping)
        configuration.now = t0 + 200 * day
        configuration.profile = profile
        configuration.rules = rules.map(RuleRunner.init)
        let pipeline = EventPipeline(store: store, analyzer: analyzer, resolver: CustomerResolver(index: nil),
                                     configuration: configuration)
        if !events.isEmpty { _ = try pipeline.ingest(events.map { Payload($0) }, platform: .generic) }
        return (store, remove)
    }

    static func phone(_ i: Int) -> String { "138\(String(repeating: "0", count: 8 - String(i).count))\(i)" }

    static func event(_ id: String, customer i: Int, kind: String, at: Int64, phone: String? = nil) -> String {
        #"{"id":"\#(id)","user":"u\#(i)","phone":"\#(phone ?? Self.phone(i))","type":"\#(kind)","at":\#(at)}"#
    }

    @Test func reportCountsAssignedAndConvertedCustomersInThePeriodOnly() throws {
        let customers = (1...300).map { #"{"id":"C\#($0)","phone":"\#(Self.phone($0))"}"# }
        var events: [String] = []
        for i in 1...300 where i % 4 == 0 {
            events.append(Self.event("o\(i)", customer: i, kind: "order", at: Self.t0 + 10 * Self.day))
            // A second order converts nobody twice.
            events.append(Self.event("p\(i)", customer: i, kind: "order", at: Self.t0 + 11 * Self.day))
        }
        // Outside the period, after now, or of another kind: not conversions.
        events.append(Self.event("before", customer: 1, kind: "order", at: Self.t0 - Self.day))
        events.append(Self.event("late", customer: 2, kind: "order", at: Self.t0 + 40 * Self.day))
        events.append(Self.event("visit", customer: 3, kind: "visit", at: Self.t0 + Self.day))
        let (store, remove) = try Self.store(customers: customers, events: events)
        defer { remove() }
        let experiment = Experiment(name: "test", variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)],
                                    start: Self.t0, end: Self.t0 + 60 * Self.day)
        let profiles = CustomerProfiles(store: store, config: ProfileConfiguration())
        let report = try ABReport(experiment, profiles: profiles, now: Self.t0 + 30 * Self.day)
        // Expected, from the assignment alone.
        var assigned: [String: Int] = [:], converted: [String: Int] = [:]
        for i in 1...300 {
            let v = experiment.assign("C\(i)").name
            assigned[v, default: 0] += 1
            if i % 4 == 0 { converted[v, default: 0] += 1 }
        }
        #expect(report.arms.map(\.assigned) == [assigned["a"]!, assigned["b"]!])
        #expect(report.arms.map(\.converted) == [converted["a"]!, converted["b"]!])
        let json = try JSONValue.parse(report.json)
        #expect(json["test"] == .string("two-proportion z-test (pooled), two-sided"))
        #expect(json["control"] == .string("a"))
        #expect(json["period"]?["counted_until"] == .string("2026-01-31T00:00:00.000Z"))
        guard case .array(let comparisons)? = json["comparisons"], comparisons.count == 1 else {
            Issue.record("no comparison: \(report.json)"); return
        }
        #expect(comparisons[0]["variant"] == .string("b"))
        #expect(comparisons[0]["significant"] != nil && comparisons[0]["p_value"] != nil)
        // 300 customers with a 25% rate: each variant has about 150 and 37 conversions, enough to tell.
        #expect(json["warning"] == nil, "\(report.json)")

        // The same customers, a population of one tier nobody is in: empty variants, a warning, no z.
        var empty = experiment
        empty.population = "核心KOC"
        let none = try JSONValue.parse(try ABReport(empty, profiles: profiles, now: Self.t0 + 30 * Self.day).json)
        #expect(none["warning"]?.stringValue?.contains("sample too small to tell") == true)
        #expect(none["comparisons"]?.jsonText.contains(#""difference":null"#) == true)
        empty.population = "no-such-segment"
        #expect(throws: QingtingError.self) { try ABReport(empty, profiles: profiles, now: Self.t0) }
    }

    /// Any KPI per variant: `orders` counts the order events of each variant's members in the
    /// experiment's days, so with two orders per converting customer it is twice the conversions;
    /// the comparison is the difference with the control, and an unknown KPI name is refused.
    @Test func kpisPerVariantAreTheirMembersMeasuresAndTheirDifference() throws {
        let customers = (1...300).map { #"{"id":"C\#($0)","phone":"\#(Self.phone($0))"}"# }
        var events: [String] = []
        for i in 1...300 where i % 4 == 0 {
            events.append(Self.event("o\(i)", customer: i, kind: "order", at: Self.t0 + 10 * Self.day))
            events.append(Self.event("p\(i)", customer: i, kind: "order", at: Self.t0 + 11 * Self.day))
        }
        events.append(Self.event("late", customer: 8, kind: "order", at: Self.t0 + 40 * Self.day))  // after now
        let (store, remove) = try Self.store(customers: customers, events: events)
        defer { remove() }
        let definitions = try KPIDefinitions.parse("""
            version t
            kpi orders
              title Orders
              formula kind.order
              unit count
            kpi visits_per_order
              title Visits per order
              formula kind.visit / kind.order
              unit ratio
            """, source: "t.kpis")
        let experiment = Experiment(name: "test", variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)],
                                    start: Self.t0, end: Self.t0 + 60 * Self.day)
        let profiles = CustomerProfiles(store: store, config: ProfileConfiguration())
        let report = try ABReport(experiment, profiles: profiles, now: Self.t0 + 30 * Self.day,
                                  kpis: ["orders", "visits_per_order"], definitions: definitions)
        var orders: [String: Double] = [:]
        for i in 1...300 where i % 4 == 0 { orders[experiment.assign("C\(i)").name, default: 0] += 2 }
        #expect(report.kpis.map(\.kpi.name) == ["orders", "visits_per_order"])
        #expect(report.kpis[0].values == [orders["a"], orders["b"]])
        #expect(report.kpis[1].values == [0, 0])  // no visits: 0 ÷ orders
        let json = try JSONValue.parse(report.json)
        guard case .array(let variants)? = json["variants"], case .array(let comparisons)? = json["comparisons"] else {
            Issue.record("no variants: \(report.json)"); return
        }
        func number(_ v: JSONValue?) -> Double? { if case .number(let t)? = v { return Double(t) } else { return nil } }
        #expect(number(variants[0]["kpis"]?["orders"]) == orders["a"])
        #expect(number(comparisons[0]["kpis"]?["orders"]) == orders["b"]! - orders["a"]!)
        #expect(json["config"]?["kpis"]?["file"] == .string("t.kpis"))
        #expect(throws: QingtingError.self) {
            try ABReport(experiment, profiles: profiles, now: Self.t0 + 30 * Self.day, kpis: ["nope"], definitions: definitions)
        }
        // Without --kpi the report has no KPI members.
        #expect(try ABReport(experiment, profiles: profiles, now: Self.t0 + 30 * Self.day).json.contains("kpis") == false)
    }

    /// A rule reads a customer's variant (`profile.variant:NAME`): only the customers the hash puts
    /// in variant `b` get the tag, and nobody outside the experiment's population has a variant.
    @Test func aRuleActsOnTheVariantTheHashAssigns() throws {
        let customers = (1...40).map { #"{"id":"C\#($0)","phone":"\#(Self.phone($0))"}"# }
        let events = (1...40).map { Self.event("v\($0)", customer: $0, kind: "visit", at: Self.t0 + Self.day) }
        let rules = try RuleSet.parse("""
            rule welcome-b
              on visit
              when profile.variant:welcome = b
              tag 欢迎礼B
            rule welcome-koc
              on visit
              when profile.variant:koc_only = b or profile.variant:koc_only = a
              tag 不该有
            """, source: "t.rules")
        var profile = ProfileConfiguration()
        let welcome = Experiment(name: "welcome", variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)],
                                 start: Self.t0, end: Self.t0 + 60 * Self.day)
        var kocOnly = welcome
        kocOnly.name = "koc_only"
        kocOnly.population = "核心KOC"
        profile.experiments = [welcome, kocOnly]
        let (store, remove) = try Self.store(customers: customers, events: events, rules: rules, profile: profile)
        defer { remove() }
        let feed = try store.feed(since: 0)
        let tagged = Set(feed.filter { $0.record.action == "tag" }.compactMap(\.record.customer))
        let expected = Set((1...40).map { "C\($0)" }.filter { welcome.assign($0).name == "b" })
        #expect(!expected.isEmpty && expected.count < 40)
        #expect(tagged == expected)
        #expect(feed.allSatisfy { $0.record.rule != "welcome-koc" })
    }

    /// A key tag a person confirmed holds for the rules from the decision on, live and in a
    /// backtest; a pending one does not (高价值客户 is pending until confirmed).
    @Test func aConfirmedKeyTagHoldsForTheRulesFromTheDecisionOn() throws {
        let customers = (1...2).map { #"{"id":"C\#($0)","phone":"\#(Self.phone($0))"}"# }
        let orders = (1...2).flatMap { i in
            [Self.event("o\(i)", customer: i, kind: "order", at: Self.t0 + Self.day),
             Self.event("p\(i)", customer: i, kind: "order", at: Self.t0 + 2 * Self.day)]
        }
        let rules = try RuleSet.parse("""
            rule vip-visit
              on visit
              when profile.tag = 高价值客户
              tag VIP来访
            """, source: "t.rules")
        let (store, remove) = try Self.store(customers: customers, events: orders, rules: rules)
        defer { remove() }
        let profiles = CustomerProfiles(store: store, config: ProfileConfiguration())
        try profiles.decide("C1", tag: "高价值客户", confirm: true, at: Self.t0 + 3 * Self.day)
        var configuration = EventPipeline.Configuration(mapping: Self.mapping)
        configuration.now = Self.t0 + 200 * Self.day
        configuration.rules = RuleRunner(rules: rules)
        let pipeline = EventPipeline(store: store, analyzer: Self.analyzer, resolver: CustomerResolver(index: nil),
                                     configuration: configuration)
        // C1 before the decision, then both after it: only C1's later visit is a VIP's.
        let visits = [Self.event("v0", customer: 1, kind: "visit", at: Self.t0 + 2 * Self.day + 1),
                      Self.event("v1", customer: 1, kind: "visit", at: Self.t0 + 4 * Self.day),
                      Self.event("v2", customer: 2, kind: "visit", at: Self.t0 + 4 * Self.day)]
        _ = try pipeline.ingest(visits.map { Payload($0) }, platform: .generic)
        let tagged = try store.feed(since: 0).filter { $0.record.rule == "vip-visit" }
        #expect(tagged.map(\.record.customer) == ["C1"])
        #expect(tagged.count == 1)
        let backtest = try RuleBacktest.run(rules, store: store, profile: ProfileConfiguration())
        #expect(backtest.rules["vip-visit"]?.records == 1)
    }

    @Test func exportsLeaveOptedOutAndContactlessCustomersOutAndNameNoContactInErrors() throws {
        let customers = [
            #"{"id":"C1","phone":"13812340001","email":"Wang@QQ.com"}"#,
            #"{"id":"C2","phone":"13812340002","consent":"opt_out"}"#,
            #"{"id":"C3","email":"li@example.com","consent":"Revoked"}"#,
            #"{"id":"C4","name":"无联系"}"#,
            #"{"id":"C5","email":"zhao@example.com","consent":"yes"}"#,
        ]
        let events = [
            Self.event("v1", customer: 1, kind: "comment", at: Self.t0, phone: "13812340001"),
            Self.event("v2", customer: 2, kind: "comment", at: Self.t0, phone: "13812340002"),
        ]
        let (store, remove) = try Self.store(customers: customers, events: events)
        defer { remove() }
        let profiles = CustomerProfiles(store: store, config: ProfileConfiguration())
        let meta = try AudienceExport(segment: "all", format: .meta, profiles: profiles, now: Self.t0 + Self.day)
        #expect((meta.members, meta.exported, meta.skippedOptedOut, meta.skippedNoContact) == (5, 2, 2, 1))
        #expect(meta.lines == [
            "EMAIL,PHONE",
            AudienceContact.sha256("wang@qq.com") + "," + AudienceContact.sha256("8613812340001"),
            AudienceContact.sha256("zhao@example.com") + ",",
        ])
        #expect(meta.text.hasSuffix("\n") && !meta.text.contains("13812340001"))
        // Tencent matches on mobiles only: C5's e-mail is no contact there.
        let tencent = try AudienceExport(segment: "all", format: .tencent, profiles: profiles, now: Self.t0 + Self.day)
        #expect(tencent.lines == [AudienceContact.md5("13812340001")])
        #expect(tencent.skippedNoContact == 2)
        let summary = try JSONValue.parse(tencent.summaryJSON())
        #expect(summary["id_type"] == .string("HASH_MOBILE_PHONE") && summary["lines"] == .number("1"))
        // 90 days on, the two who commented are dormant (days_silent ≥ 90); C2 opted out.
        let dormant = try AudienceExport(segment: "dormant_90d", format: .google, profiles: profiles,
                                         now: Self.t0 + 91 * Self.day)
        #expect((dormant.members, dormant.exported, dormant.skippedOptedOut) == (2, 1, 1))
        let silentTier = try SegmentMembers(profiles).members("沉默用户", now: Self.t0 + 91 * Self.day)
        #expect(silentTier == ["C1", "C2"])
        do {
            _ = try AudienceExport(segment: "nope", format: .meta, profiles: profiles, now: Self.t0)
            Issue.record("an unknown segment was accepted")
        } catch let e as QingtingError {
            #expect(e.message.contains("segments: all, 核心KOC"))
            #expect(!e.description.contains("1381234") && !e.description.contains("@"))
        }
    }
}
