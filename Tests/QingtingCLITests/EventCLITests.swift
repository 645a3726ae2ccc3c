import Foundation
import QingtingCore
import TestSupport
import Testing

/// End-to-end: `customers import`, `ingest`, `events`, `replay`, `sync status` on the built binary.
@Suite struct EventCLITests {
    static let fixtures = "\(TestPaths.root)/Tests/QingtingIngestTests/Fixtures"

    /// A scratch folder; the store inside it is `store.sqlite`.
    final class Scratch {
        let folder = NSTemporaryDirectory() + "qingting-events-cli-\(UUID().uuidString.prefix(8))"
        var store: String { folder + "/store.sqlite" }
        init() { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func write(_ name: String, _ lines: [String]) throws -> String {
            let path = "\(folder)/\(name)"
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// A fixture file's payload lines (no comments).
    static func payloads(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) }

    static func int(_ value: JSONValue?) -> Int? {
        if case .number(let n)? = value { return Int(n) }
        return nil
    }

    /// One fixture per platform with events that need no headers (Douyin's IM needs its Msg-Id).
    static let perPlatform = [
        "weibo/comments.jsonl", "weibo/status.jsonl", "wechat/messages.xml", "wechat/events.xml", "wecom/archive.jsonl",
        "wecom/callbacks.xml", "douyin/comments.jsonl", "kuaishou/comments.jsonl", "xiaohongshu/comments.jsonl",
        "zhihu/comments.jsonl", "bilibili/replies.jsonl", "x/posts.jsonl", "facebook/feed.jsonl",
        "instagram/webhooks.jsonl",
    ]

    @Test func everyPlatformsPayloadsAreDetectedStoredAndARetryIsDuplicates() throws {
        let s = Scratch()
        let file = try s.write("all.jsonl", Self.perPlatform.flatMap(Self.payloads))
        let first = try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", file])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try Self.json(first.stdout)
        let events = try #require(Self.int(summary["events"]))
        #expect(events >= 30 && Self.int(summary["stored"]) == events && Self.int(summary["rejected"]) == 0)
        // Each platform was detected and its events are listed under its name.
        for platform in ["weibo", "wechat", "wecom", "douyin", "kuaishou", "xiaohongshu", "zhihu", "bilibili", "x",
                         "facebook", "instagram"] {
            let listed = try runQingting(["events", "--store", s.store, "--platform", platform])
            let lines = listed.stdout.split(separator: "\n")
            #expect(!lines.isEmpty, "no \(platform) events")
            for line in lines { #expect(try Self.json(String(line))["platform"] == .string(platform)) }
        }
        // The same file again (and from standard input): all duplicates, nothing new.
        let retry = try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", "-"],
                                    stdin: try Data(contentsOf: URL(fileURLWithPath: file)))
        let again = try Self.json(retry.stdout)
        #expect(retry.status == 0 && Self.int(again["stored"]) == 0 && Self.int(again["duplicates"]) == events)
        let all = try runQingting(["events", "--store", s.store])
        #expect(all.stdout.split(separator: "\n").count == events)
    }

    @Test func badLinesAreReportedAsFileLineReasonsCountedAndTheRestIsStored() throws {
        let s = Scratch()
        let good = Self.payloads("weibo/comments.jsonl")[0]
        var lines = [
            good,
            #"{"comments":[{"idstr":"#,
            "<xml><ToUserName>gh",
            #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","text":"我的手机号13812345678","user":{"idstr":"1"}}]}"#,
            #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2031","idstr":"9","text":"hi","user":{"idstr":"1"}}]}"#,
            #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 1999","idstr":"9","text":"hi","user":{"idstr":"1"}}]}"#,
            #"{"hello":"world"}"#,
        ]
        lines.append(String(repeating: " ", count: 9 << 20) + "{}")  // over the 8 MiB payload limit
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        bytes += [0x7B, 0x22, 0xFF, 0x22, 0x7D, 0x0A]  // invalid UTF-8 on the last line
        let path = s.folder + "/bad.jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", path])
        #expect(r.status == 1)
        let summary = try Self.json(r.stdout)
        #expect(Self.int(summary["stored"]) == 2 && Self.int(summary["rejected"]) == 8)
        let reasons = summary["rejected_by_reason"]
        for code in ["invalid_json", "invalid_xml", "missing_id", "future_time", "time_before_2000", "undetected_platform",
                     "payload_too_large", "invalid_utf8"] {
            #expect(Self.int(reasons?[code]) == 1, "\(code)")
        }
        let stderr = r.stderr.split(separator: "\n").map(String.init)
        #expect(stderr.count == 8)
        for (k, line) in stderr.enumerated() { #expect(line.hasPrefix("qingting: \(path):\(k + 2): "), "\(line)") }
        #expect(!r.stderr.contains("13812345678") && !r.stderr.contains("hello"))
        // A payload of another platform's shape, named as weibo.
        let wrong = try runQingting(["ingest", "--store", s.store, "--platform", "weibo", try s.write("wx.xml", [Self.payloads("wechat/messages.xml")[0]])])
        #expect(wrong.status == 1 && wrong.stderr.contains("wx.xml:1: the payload has the shape of a wechat payload, not weibo"))
        // Sync health counts them all; the log is intact.
        let status = try Self.json(try runQingting(["sync", "status", "--store", s.store]).stdout)
        guard case .array(let days)? = status["days"] else { Issue.record("no days"); return }
        let rejected = days.reduce(0) { $0 + (Self.int($1["rejected"]) ?? 0) }
        #expect(rejected == 9)
        let unknown = try runQingting(["ingest", "--store", s.store, "--platform", "myspace", path])
        #expect(unknown.status != 0 && unknown.stderr.contains("myspace"))
    }

    @Test func customersImportBindingsReachEventsAndReimportingChangesNothing() throws {
        let s = Scratch()
        let customers = try s.write("crm.jsonl", [
            #"{"id":"C1","name":"张三","phone":"13800138000","level":"gold","identities":[{"platform":"weibo","uid":"1404376560"}],"updated_at":"2025-01-01T00:00:00Z"}"#,
            #"{"id":"C2","name":"李四","unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA"}"#,
        ])
        let imported = try runQingting(["customers", "import", "--store", s.store, customers])
        #expect(imported.status == 0, "\(imported.stderr)")
        let first = try Self.json(imported.stdout)
        #expect(Self.int(first["created"]) == 2 && Self.int(first["bindings"]?["added"]) == 1)
        let again = try Self.json(try runQingting(["customers", "import", "--store", s.store, customers]).stdout)
        #expect(Self.int(again["unchanged"]) == 2 && again["changes"] == .array([]))

        let payloads = try s.write("p.jsonl", Self.payloads("weibo/comments.jsonl") + [Self.payloads("wecom/detail.jsonl")[0]])
        let ingested = try Self.json(try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", payloads]).stdout)
        #expect(Self.int(ingested["stored"]) == 3 && Self.int(ingested["linked"]) == 2)
        let c1 = try runQingting(["events", "--store", s.store, "--customer", "C1"])
        let line = try Self.json(String(try #require(c1.stdout.split(separator: "\n").first)))
        #expect(line["customer"] == .string("C1") && line["link"]?["rule"] == .string("binding"))
        #expect(line["analysis"]?["sentiment"] != nil && line["raw"] == nil)
        let c2 = try runQingting(["events", "--store", s.store, "--customer", "C2", "--raw"])
        let wecom = try Self.json(String(try #require(c2.stdout.split(separator: "\n").first)))
        #expect(wecom["link"]?["rule"] == .string("wechat_unionid") && wecom["raw"]?.stringValue?.contains("external_contact") == true)
        // Time filters take ISO 8601 and epoch milliseconds.
        let iso = try runQingting(["events", "--store", s.store, "--since", "2011-06-01T04:00:00+08:00"])
        let ms = try runQingting(["events", "--store", s.store, "--since", "1306872000000"])
        #expect(iso.stdout == ms.stdout && iso.stdout.split(separator: "\n").count == 2)
        let bad = try runQingting(["events", "--store", s.store, "--since", "last tuesday"])
        #expect(bad.status != 0)
    }

    @Test func replayAndSyncStatusPrintTheirReports() throws {
        let s = Scratch()
        let payloads = try s.write("p.jsonl", Self.payloads("weibo/comments.jsonl") + Self.payloads("bilibili/replies.jsonl"))
        #expect(try runQingting(["ingest", "--store", s.store, payloads]).status == 0)
        let replay = try runQingting(["replay", "--store", s.store])
        #expect(replay.status == 0)
        let report = try Self.json(replay.stdout)
        #expect(Self.int(report["events"]) == 4 && Self.int(report["changed"]) == 0 && report["applied"] == .bool(false))
        let status = try runQingting(["sync", "status", "--store", s.store, "--platform", "weibo"])
        let health = try Self.json(status.stdout)
        guard case .array(let days)? = health["days"] else { Issue.record("no days"); return }
        #expect(days.count == 1 && days[0]["platform"] == .string("weibo") && Self.int(days[0]["stored"]) == 2)
        #expect(days[0]["latency_ms"]?["p95"] != nil && days[0]["completeness"] != nil)
        #expect(health["targets"]?["latency_ms"] == .number("900000"))
    }
}

/// End-to-end: the profile commands on the built binary.
@Suite struct ProfileCLITests {
    @Test func showSearchTagDecisionsAndRebuildCheck() throws {
        let s = EventCLITests.Scratch()
        let customers = try s.write("customers.jsonl", [
            #"{"id":"C1","name":"林小雨","phone":"13812345678","gender":"女","city":"杭州","identities":[{"platform":"weibo","uid":"2222222222"}]}"#,
        ])
        #expect(try runQingting(["customers", "import", "--store", s.store, customers]).status == 0)
        let mapping = try s.write("orders.tsv", [
            "event_id\torder_no", "uid\tmember", "author.phone\tphone", "time\tpaid_at", "time_format\tiso8601", "kind\t=order",
            "metrics.amount\tamount",
        ])
        let orders = try s.write("orders.csv", [
            "order_no,member,phone,paid_at,amount", "SO-1,shop-1,13812345678,2011-06-02T10:00:00Z,4999",
            "SO-2,shop-1,13812345678,2011-06-20T10:00:00Z,199",
        ])
        let weibo = try s.write("weibo.jsonl", EventCLITests.payloads("weibo/comments.jsonl"))
        #expect(try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", weibo]).status == 0)
        let ingested = try runQingting(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", "--mapping", mapping, orders])
        #expect(ingested.status == 0, "\(ingested.stderr)")

        let now = "2011-06-21T00:00:00Z"
        let shown = try runQingting(["customer", "show", "--store", s.store, "--now", now, "C1"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let profile = try EventCLITests.json(shown.stdout)
        #expect(profile["journey"]?["stage"] == .string("忠诚"))
        guard case .array(let history)? = profile["journey"]?["history"] else { Issue.record("no history"); return }
        #expect(history.map { $0["stage"] } == [.string("认知"), .string("购买"), .string("忠诚")])
        #expect(profile["identities"]?.jsonText.contains(#""rule":"verified_phone""#) == true)
        // The same --now, the same bytes.
        #expect(try runQingting(["customer", "show", "--store", s.store, "--now", now, "C1"]).stdout == shown.stdout)

        let pending = try runQingting(["customer", "search", "--store", s.store, "--now", now, "--tag", "高价值客户"])
        #expect(try EventCLITests.json(pending.stdout)["customers"]?.jsonText.contains(#""id":"C1""#) == true)
        #expect(try runQingting(["customer", "tag", "confirm", "--store", s.store, "C1", "高价值客户"]).status == 0)
        let confirmed = try EventCLITests.json(try runQingting(["customer", "show", "--store", s.store, "--now", now, "C1"]).stdout)
        #expect(confirmed["tags"]?.jsonText.contains(#""tag":"高价值客户","kind":"key","status":"confirmed""#) == true)
        let notKey = try runQingting(["customer", "tag", "confirm", "--store", s.store, "C1", "近期活跃"])
        #expect(notKey.status != 0 && notKey.stderr.contains("not a key tag"))

        let byPhone = try runQingting(["customer", "search", "--store", s.store, "--phone", "+86 138 1234 5678"])
        #expect(byPhone.stdout.contains(#""id":"C1""#))
        let missing = try runQingting(["customer", "show", "--store", s.store, "C9"])
        #expect(missing.status == 1 && missing.stderr == "qingting: no such customer in the store\n")

        let check = try runQingting(["rebuild", "--store", s.store, "--check"])
        #expect(check.status == 0, "\(check.stdout)")
        // Binding an account with earlier events (the fixture's other commenter) refolds that
        // customer's profile at the import: rebuild and incremental still agree.
        let later = try s.write("later.jsonl", [#"{"id":"C2","identities":[{"platform":"weibo","uid":"1404376560"}]}"#])
        #expect(try runQingting(["customers", "import", "--store", s.store, later]).status == 0)
        let c2 = try EventCLITests.json(try runQingting(["customer", "show", "--store", s.store, "--now", now, "C2"]).stdout)
        #expect(c2["activity"]?["events"] == .number("1"))
        let recheck = try runQingting(["rebuild", "--store", s.store, "--check"])
        #expect(recheck.status == 0, "\(recheck.stdout)")
        // A person's link decision moves the account's events, and both profiles are refolded.
        let moved = try runQingting(["link", "confirm", "--store", s.store, "--identity", "weibo:1404376560", "--customer", "C1"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let c1 = try EventCLITests.json(try runQingting(["customer", "show", "--store", s.store, "--now", now, "C1"]).stdout)
        #expect(c1["activity"]?["events"] == .number("4"))
        #expect(try runQingting(["rebuild", "--store", s.store, "--check"]).status == 0)
        // Another configuration folds differently: --check says so and exits 1; rebuild fixes it.
        let config = try s.write("profile.json", [#"{"engagement":{"half_life_days":3}}"#])
        let stale = try runQingting(["rebuild", "--store", s.store, "--check", "--profile-config", config])
        #expect(stale.status == 1 && stale.stdout.contains(#""what":"config""#))
        #expect(try runQingting(["rebuild", "--store", s.store, "--profile-config", config]).status == 0)
        #expect(try runQingting(["rebuild", "--store", s.store, "--check", "--profile-config", config]).status == 0)
        let bad = try s.write("bad.json", [#"{"engagement":{"weights":{"active":2}}}"#])
        let refused = try runQingting(["customer", "show", "--store", s.store, "--profile-config", bad, "C1"])
        #expect(refused.status != 0 && refused.stderr.contains("$.engagement.weights.active: expected a number in 0.0...1.0, got 2"))
    }
}
