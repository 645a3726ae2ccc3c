import Foundation
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingStore
import Testing
@testable import QingtingReport

/// Each KPI of the shipped definitions against numbers worked out by hand (in the comments).
@Suite struct KPIReportTests {
    static func scratch() -> (String, () -> Void) {
        let path = NSTemporaryDirectory() + "qingting-report-\(UUID().uuidString.prefix(8)).sqlite"
        return (path, { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } })
    }

    static func t(_ s: String) -> Int64 { Timestamp.millis(s)! }

    static func measures(kind: String, platform: String = "weibo", sentiment: String? = nil, intents: [String] = [],
                         metrics: JSONObject = [:]) -> EventMeasures {
        EventMeasures(kind: kind, platform: platform, hasText: sentiment != nil, sentiment: sentiment, intents: intents,
                      category: nil, hashtags: [], metrics: metrics, fieldsPresent: 4, fieldsExpected: 5)
    }

    /// A store holding the hand-worked example: Monday 2026-11-02 to Wednesday 2026-11-04 (+08:00).
    static func example(_ store: CRMStore) throws {
        let monday = t("2026-11-02T12:00:00+08:00")
        try store.write(now: monday) { tx in
            // Talkwalker's example: 255 positive, 513 negative (and 100 neutral) → net −33.6 %.
            var seq: Int64 = 1
            func add(_ m: EventMeasures, at time: Int64, customer: String? = nil) throws {
                try m.record(seq: seq, platform: "weibo", occurredAt: time, customer: customer, in: tx)
                seq += 1
            }
            for _ in 0..<255 { try add(measures(kind: "comment", sentiment: "positive"), at: monday) }
            for _ in 0..<513 { try add(measures(kind: "comment", sentiment: "negative"), at: monday) }
            for _ in 0..<100 { try add(measures(kind: "post", sentiment: "neutral"), at: monday) }
            // 1,000 views and 150 likes (868 comments/posts: 768 comments) → (768 + 150) / 1000.
            for _ in 0..<1000 { try add(measures(kind: "view"), at: monday) }
            for _ in 0..<150 { try add(measures(kind: "like"), at: monday) }
            // CSAT 5, 4, 3, 2, 5 → 3 of 5 satisfied = 60 %; NPS 10, 9, 9, 8, 7, 6, 2 → (3 − 2) / 7 = 14.29.
            for c in [5, 4, 3, 2, 5] { try add(measures(kind: "survey", metrics: ["csat": .number("\(c)")]), at: monday) }
            for n in [10, 9, 9, 8, 7, 6, 2] { try add(measures(kind: "survey", metrics: ["nps": .number("\(n)")]), at: monday) }
            // Leads: A on Monday orders on Wednesday (2 days); B never orders → 50 %, 172,800 s.
            try add(measures(kind: "comment", sentiment: "neutral", intents: ["purchase"]), at: monday, customer: "A")
            try add(measures(kind: "comment", sentiment: "neutral", intents: ["purchase"]), at: monday + 3_600_000, customer: "B")
            try add(measures(kind: "order", platform: "shop", metrics: ["amount": .number("300")]), at: monday + 2 * 86_400_000, customer: "A")
            try add(measures(kind: "order", platform: "shop", metrics: ["amount": .number("100")]), at: monday + 2 * 86_400_000 + 1000, customer: "A")
            // Sync: 10 payloads received, 1 rejected.
            for _ in 0..<10 { tx.received(.weibo) }
            tx.rejected(.weibo, reason: "invalid_json", example: "bad")
        }
        // Tickets (README: Evaluate, "Ticket clocks"):
        // T1 opens Mon 17:00 +08, responded Tue 10:00, resolved Tue 12:00, reopened Wed 09:00,
        //    responded Wed 09:30, resolved Wed 11:00.
        // T2 opens Tue 10:00, a bot replies 10:01, responded 11:00, resolved 15:00.
        let t1 = t("2026-11-02T17:00:00+08:00"), t2 = t("2026-11-03T10:00:00+08:00")
        try store.write(now: t1) { tx in
            for (id, at) in [(Int64(9001), t1), (9002, t2)] {
                try tx.openTicket(CRMStore.Ticket(
                    id: id, customer: "A", rule: "complaint-dm", status: "open", priority: "normal", skill: "general",
                    assignee: nil, subject: nil, platform: "weibo", events: [id], createdAt: at, updatedAt: at))
            }
            // As a rule firing appends its actions: the record, and the automation count of its day.
            _ = try tx.appendFeed(CRMStore.NewFeedRecord(
                kind: "action", key: "bot", rule: "complaint-dm", rulesVersion: nil, customer: "A", priority: "normal",
                action: "reply", status: "queued", events: [9002], body: "{}", at: t2 + 60_000))
            tx.addMeasures(day: CRMStore.day(t2), platform: "weibo", [("automation.actions", 1)])
            for i in 0..<3 {
                _ = try tx.appendFeed(CRMStore.NewFeedRecord(
                    kind: "action", key: "a\(i)", rule: "welcome", rulesVersion: nil, customer: "B", priority: "normal",
                    action: "message", status: "queued", events: [1], body: "{}", at: t1))
                tx.addMeasures(day: CRMStore.day(t1), platform: "weibo", [("automation.actions", 1)])
            }
        }
        let changes: [(Int64, String, String)] = [
            (9001, "responded", "2026-11-03T10:00:00+08:00"), (9001, "resolved", "2026-11-03T12:00:00+08:00"),
            (9001, "reopened", "2026-11-04T09:00:00+08:00"), (9001, "responded", "2026-11-04T09:30:00+08:00"),
            (9001, "resolved", "2026-11-04T11:00:00+08:00"),
            (9002, "responded", "2026-11-03T11:00:00+08:00"), (9002, "resolved", "2026-11-03T15:00:00+08:00"),
        ]
        for (id, status, at) in changes {
            _ = try Tickets.update(id, Tickets.Change(status: status), at: t(at), store: store)
        }
        // Automation: the bot reply and three welcome messages (4 actions); a person reversed one.
        let actions = try store.feed(since: 0).filter { $0.record.kind == "action" }
        let welcome = try #require(actions.first { $0.record.rule == "welcome" })
        #expect(try store.ack(welcome.seq, status: "reversed", detail: nil, at: t2))
    }

    static func report(_ store: CRMStore, by: ReportPeriods.Granularity = .day,
                       definitions: KPIDefinitions? = nil) throws -> KPIReport {
        try KPIReport.run(
            store, definitions: definitions ?? KPIDefinitions.load("\(root)/Lexicons/kpis.txt"),
            request: KPIReport.Request(from: t("2026-11-02"), until: t("2026-11-05"), by: by), now: t("2026-11-06"))
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func value(_ r: KPIReport, _ name: String) -> Double? {
        r.total.value(r.definitions.kpis.first { $0.name == name }!)
    }

    @Test func everyShippedKPIAgainstTheHandWorkedExample() throws {
        let (path, remove) = Self.scratch()
        defer { remove() }
        let store = try CRMStore(path: path)
        try Self.example(store)
        let r = try Self.report(store)
        func close(_ name: String, _ expected: Double, _ tolerance: Double = 1e-9) {
            let v = Self.value(r, name)
            #expect(v.map { abs($0 - expected) <= tolerance } == true, "\(name): \(v.map(String.init(describing:)) ?? "nil") ≠ \(expected)")
        }
        close("buzz", 255 + 513 + 100 + 2)
        close("net_sentiment", (255.0 - 513) / (255 + 513))
        close("positive_share", 255.0 / 870)
        close("negative_share", 513.0 / 870)
        close("interaction_rate", (768.0 + 2 + 150) / 1000)
        close("csat", 0.6)
        close("nps", 100.0 / 7, 1e-9)
        close("lead_conversion_rate", 0.5)
        close("lead_incubation_time", 172_800)
        // Calendar, humans only, first clock: T1 17 h, T2 1 h → 9 h.
        close("first_response_time", 32_400)
        // Business hours 09–18 Mon–Fri, reopen restarts: T1 2 h (Mon 17–18, Tue 09–10) and 30 min,
        // T2 1 h → (7,200 + 1,800 + 3,600) / 3.
        close("first_response_time_business", 4_200)
        // Full resolution, calendar: T1 Mon 17:00 → Wed 11:00 = 42 h; T2 5 h → 23.5 h.
        close("resolution_time", 84_600)
        close("automation_accuracy", 0.75)
        close("sync_completeness", 0.8)
        close("sync_error_rate", 0.1)
        // No order came from a customer seen on a social platform before (the example has no such rows).
        #expect(Self.value(r, "social_clv") == nil)
        #expect(r.funnel.map(\.count) == [2, 0, 2, 2, 1])
        // The series: everything on Monday but T2 and the orders.
        let buzz = r.definitions.kpis.first { $0.name == "buzz" }!
        #expect(r.series.map { $0.value(buzz) } == [870, 0, 0])
        #expect(r.periods.periods.map(\.label) == ["2026-11-02", "2026-11-03", "2026-11-04"])
    }

    @Test func parametersChangeTheClock() throws {
        let (path, remove) = Self.scratch()
        defer { remove() }
        let store = try CRMStore(path: path)
        try Self.example(store)
        let defs = try KPIDefinitions.parse(
            """
            version test
            kpi frt_bots
              formula tickets.first_response_seconds / tickets.responded
              param bot_replies include
            kpi resolution_first
              formula tickets.resolution_seconds / tickets.resolved
              param reopen first
            kpi resolution_restart_business
              formula tickets.resolution_seconds / tickets.resolved
              param reopen restart
              param business_hours 09:00-18:00 mon-fri +08:00
            """, source: "t.txt")
        let r = try Self.report(store, definitions: defs)
        // A bot reply at 10:01 answers T2 in 60 s: (61,200 + 60) / 2.
        #expect(Self.value(r, "frt_bots") == 30_630)
        // First resolution: T1 Mon 17:00 → Tue 12:00 = 19 h, T2 5 h → 12 h.
        #expect(Self.value(r, "resolution_first") == 43_200)
        // Business, restart: T1 Mon 17–18 + Tue 09–12 = 4 h, then Wed 09:00 → 11:00 = 2 h; T2 5 h → 11 h / 3.
        #expect(abs((Self.value(r, "resolution_restart_business") ?? 0) - 39_600.0 / 3) < 1e-6)
    }

    @Test func weeksAndMonthsAndComparison() throws {
        let (path, remove) = Self.scratch()
        defer { remove() }
        let store = try CRMStore(path: path)
        try Self.example(store)
        let weeks = try ReportPeriods(from: Self.t("2026-10-28"), until: Self.t("2026-11-10"), by: .week)
        #expect(weeks.periods.map(\.label) == ["2026-10-26", "2026-11-02", "2026-11-09"])
        #expect(weeks.periods.first?.start == Self.t("2026-10-28"))
        let months = try ReportPeriods(from: Self.t("2026-11-15"), until: Self.t("2027-01-02"), by: .month)
        #expect(months.periods.map(\.label) == ["2026-11-01", "2026-12-01", "2027-01-01"])
        #expect(months.periods[1].end == Self.t("2027-01-01"))
        #expect(throws: QingtingError.self) { try ReportPeriods(from: 10, until: 10, by: .day) }

        let r = try KPIReport.run(
            store, definitions: KPIDefinitions.load("\(Self.root)/Lexicons/kpis.txt"),
            request: KPIReport.Request(from: Self.t("2026-11-02"), until: Self.t("2026-11-05"), by: .week,
                                       compare: (Self.t("2026-10-01"), Self.t("2026-10-08"))),
            now: Self.t("2026-11-06"))
        let json = try JSONValue.parse(r.json)
        guard case .array(let kpis)? = json["kpis"] else { Issue.record("no kpis"); return }
        let buzz = kpis.first { $0["name"]?.stringValue == "buzz" }
        #expect(buzz?["value"] == JSONValue.number("870"))
        #expect(buzz?["previous"] == JSONValue.number("0"))
        #expect(buzz?["change"] == JSONValue.number("870"))
        #expect(buzz?["change_ratio"] == JSONValue.null)
        #expect(json["compare"]?["from"]?.stringValue == "2026-10-01T00:00:00.000Z")
    }

    @Test func crossChannelRetentionCountsDistinctCustomers() throws {
        let (path, remove) = Self.scratch()
        defer { remove() }
        let store = try CRMStore(path: path)
        let d1 = Self.t("2026-11-02T10:00:00Z"), d2 = d1 + 86_400_000
        try store.write(now: d1) { tx in
            var seq: Int64 = 1
            // X: Weibo and Douyin on day 1, Weibo on day 2; Y: Weibo and Xiaohongshu on day 1; Z: Weibo only.
            for (customer, platform, at) in [("X", "weibo", d1), ("X", "douyin", d1), ("X", "weibo", d2), ("Y", "weibo", d1),
                                             ("Y", "xiaohongshu", d1 + 1000), ("Z", "weibo", d1), ("Z", "weibo", d2)] {
                try Self.measures(kind: "like", platform: platform).record(
                    seq: seq, platform: platform, occurredAt: at, customer: customer, in: tx)
                seq += 1
            }
        }
        let r = try Self.report(store)
        let kpi = r.definitions.kpis.first { $0.name == "cross_channel_retention" }!
        // Day 1: X and Y crossed channels, X came back on day 2 → 1/2; day 2: nobody crossed.
        #expect(r.series.map { $0.value(kpi) } == [0.5, nil, nil])
        // The whole range (3 days): X and Y crossed; nobody was seen in the 3 days after.
        #expect(r.total.value(kpi) == 0)
        #expect(r.total.values["retention.cross_channel"] == 2)
    }

    @Test func definitionErrorsNameFileAndLine() {
        do {
            _ = try KPIDefinitions.parse(
                """
                version 1
                kpi Bad-Name
                kpi ok
                  formula sentiment.positive / nothing.here
                  unit furlongs
                  param reopen sometimes
                  param business_hours 18:00-09:00 mon-fri +08:00
                kpi empty
                """, source: "k.txt")
            Issue.record("accepted a bad file")
        } catch let e as QingtingErrors {
            let text = "\(e)"
            #expect(text.contains("k.txt:2"))
            #expect(text.contains("k.txt:4") && text.contains("'nothing.here' is not a measure"))
            #expect(text.contains("k.txt:5") && text.contains("furlongs"))
            #expect(text.contains("k.txt:6") && text.contains("sometimes"))
            #expect(text.contains("k.txt:7"))
            #expect(text.contains("kpi empty has no formula"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func crlfFilesReadLikeLF() throws {
        let text = try String(contentsOfFile: "\(Self.root)/Lexicons/kpis.txt", encoding: .utf8)
        let lf = try KPIDefinitions.parse(text, source: "k.txt")
        let crlf = try KPIDefinitions.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), source: "k.txt")
        #expect(crlf.kpis.map(\.name) == lf.kpis.map(\.name))
        #expect(crlf.kpis.map(\.formula) == lf.kpis.map(\.formula) && crlf.version == lf.version)
    }

    @Test func businessHoursCountOnlyTheWindow() throws {
        let h = try BusinessHours("09:00-18:00 mon-fri +08:00")
        // Friday 17:00 → Monday 10:00 (+08): 1 h Friday + 1 h Monday.
        #expect(h.millis(from: Self.t("2026-11-06T17:00:00+08:00"), to: Self.t("2026-11-09T10:00:00+08:00")) == 7_200_000)
        #expect(try BusinessHours("none").millis(from: 0, to: 5) == 5)
        #expect(throws: QingtingError.self) { try BusinessHours("09:00-18:00 mon-xyz +08:00") }
    }

    @Test func thePageIsSelfContainedAndHasEveryChart() throws {
        let (path, remove) = Self.scratch()
        defer { remove() }
        let store = try CRMStore(path: path)
        try Self.example(store)
        let html = ReportPage.html(try Self.report(store))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        let charts = html.components(separatedBy: "<svg class=\"chart").count - 1
        // One per KPI, the sentiment mix, platforms, funnel.
        #expect(charts == (try KPIDefinitions.load("\(Self.root)/Lexicons/kpis.txt")).kpis.count + 3)
        #expect(html.contains("data-chart=\"net_sentiment\""))
    }
}
