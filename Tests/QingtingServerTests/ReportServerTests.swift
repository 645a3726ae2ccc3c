import Foundation
import QingtingCore
import QingtingIngest
import TestSupport
import Testing

/// The report end to end: events ingested by the CLI (Weibo posts, generic views, likes, surveys
/// and an order), a ticket worked and an action reversed; `qingting report` and `kpi.report` give
/// the same JSON, `rebuild` refolds the same aggregates, and the HTML page draws every chart in
/// headless Chromium (`scripts/test.sh` installs it), with a screenshot kept under
/// `.build/artifacts/report.png`.
@Suite(.serialized) struct ReportServerTests {
    static let customers = [
        #"{"id":"C1","name":"张三","level":"VIP","account_manager":"王经理","phone":"13800138001","identities":[{"platform":"weibo","uid":"9001"}]}"#,
        #"{"id":"C2","name":"李四","level":"normal","phone":"13800138002","identities":[{"platform":"weibo","uid":"9002"}]}"#,
    ]

    static func status(_ i: Int, _ time: String, _ uid: String, _ text: String) -> String {
        #"{"created_at":"\#(time)","idstr":"500000000\#(1000 + i)","text":"\#(text)","user":{"idstr":"\#(uid)","screen_name":"u\#(uid)"}}"#
    }

    static let posts = [
        status(1, "Mon Nov 23 10:00:00 +0800 2026", "9003", "这款手机拍照太好看了，超级喜欢 #新品发布#"),
        status(2, "Tue Nov 24 11:00:00 +0800 2026", "9002", "想买这款手机，哪里下单有优惠？求购买链接"),
        status(3, "Wed Nov 25 12:00:00 +0800 2026", "9004", "请问这款手机支持双卡吗"),
        status(4, "Thu Nov 26 10:00:00 +0800 2026", "9001", "你们的手机太垃圾了，刚买一周就黑屏，客服也不理人，再也不买了"),
        status(5, "Fri Nov 27 10:00:00 +0800 2026", "9005", "手机用了一个月，很流畅，推荐大家买 #新品发布#"),
        status(6, "Sat Nov 28 10:00:00 +0800 2026", "9006", "物流太慢了，差评 #新品发布#"),
        status(7, "Sun Nov 29 10:00:00 +0800 2026", "9007", "续航很棒，很满意 #新品发布#"),
    ]

    /// Generic rows: three views and a like a day, four CSAT and four NPS answers, C2's order.
    static var rows: [String] {
        var out: [String] = []
        func row(_ fields: String) { out.append(#"{"id":"g\#(out.count)",\#(fields)}"#) }
        for d in 23...29 {
            for (uid, phone) in [("9001", "13800138001"), ("9002", "13800138002"), ("9008", "")] {
                row(#""uid":"\#(uid)","phone":"\#(phone)","kind":"view","t":"2026-11-\#(d)T09:00:00+08:00""#)
            }
            row(#""uid":"9008","kind":"like","t":"2026-11-\#(d)T09:30:00+08:00""#)
        }
        for (i, c) in [5, 4, 3, 5].enumerated() { row(#""uid":"9008","kind":"survey","csat":\#(c),"t":"2026-11-\#(25 + i)T15:00:00+08:00""#) }
        for (i, n) in [10, 9, 6, 8].enumerated() { row(#""uid":"9008","kind":"survey","nps":\#(n),"t":"2026-11-\#(25 + i)T16:00:00+08:00""#) }
        row(#""uid":"9002","phone":"13800138002","kind":"order","amount":299,"campaign":11,"t":"2026-11-27T20:00:00+08:00""#)
        return out
    }

    static let mapping = [
        "event_id\tid", "uid\tuid", "text\ttext", "time\tt", "time_format\tiso8601", "kind\tkind", "author.phone\tphone",
        "metrics.csat\tcsat", "metrics.nps\tnps", "metrics.amount\tamount", "metrics.campaign\tcampaign",
    ]

    static func kpis(_ report: JSONValue) -> [String: JSONValue] {
        guard case .array(let items)? = report["kpis"] else { return [:] }
        var out: [String: JSONValue] = [:]
        for k in items { out[k["name"]?.stringValue ?? ""] = k["value"] }
        return out
    }

    static func run(_ args: [String]) throws -> String {
        let r = try runQingting(args)
        #expect(r.status == 0, "\(args.prefix(2).joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    @Test func reportAndKPIReportAgreeAndThePageDrawsEveryChart() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        func write(_ name: String, _ lines: [String]) throws -> String {
            let path = folder + "/" + name
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        _ = try Self.run(["customers", "import", "--store", store, try write("c.jsonl", Self.customers)])
        _ = try Self.run(["ingest", "--store", store, "--platform", "weibo", "--now", "2026-11-30T00:00:00Z", try write("w.jsonl", Self.posts)])
        _ = try Self.run(["ingest", "--store", store, "--platform", "generic", "--mapping", try write("m.tsv", Self.mapping),
                          "--now", "2026-11-30T00:00:00Z", try write("g.jsonl", Self.rows)])
        // The VIP's negative post opened ticket 1: answered 3.5 h later, resolved the next day.
        _ = try Self.run(["tickets", "--store", store, "--id", "1", "--set-status", "responded", "--now", "2026-11-26T05:30:00Z"])
        _ = try Self.run(["tickets", "--store", store, "--id", "1", "--set-status", "resolved", "--now", "2026-11-27T03:00:00Z"])
        // A person takes back the automated public reply.
        let feed = try Self.run(["feed", "--store", store]).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let reply = try #require(feed.first { $0["action"] == .string("reply") && $0["rule"] == .string("vip-negative-post") })
        _ = try Self.run(["actions", "--store", store, "--ack", reply["seq"]!.jsonText, "--status", "reversed"])

        // The range runs to tomorrow so the sync counters (kept by day of commit: today) are in it.
        let tomorrow = String(Timestamp.iso8601(Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000).prefix(10))
        let page = folder + "/report.html"
        let args = ["report", "--store", store, "--from", "2026-11-23", "--until", tomorrow, "--by", "week",
                    "--drill-segment", "all", "--now", "2026-11-30T00:00:00Z"]
        let printed = try JSONValue.parse(try Self.run(args + ["--html", page]))
        guard case .array(let drilled)? = printed["segments"] else { Issue.record("no segments"); return }
        #expect(drilled.count == 1 && drilled[0]["members"] == .number("2") && drilled[0]["kpis"]?["buzz"] == .number("2"))
        let k = Self.kpis(printed)
        #expect(k["buzz"] == .number("7"))
        #expect(k["csat"] == .number("0.75"))  // 5, 4, 3, 5: three of four satisfied
        #expect(k["nps"] == .number("25"))  // 10, 9, 6, 8: (2 − 1) / 4
        #expect(k["social_clv"] == .number("299"))
        #expect(k["lead_conversion_rate"] == .number("1"))  // C2's purchase intent, then the order
        #expect(k["lead_incubation_time"] == .number("291600"))  // Tue 11:00 → Fri 20:00 (+08)
        #expect(k["first_response_time"] == .number("12600"))
        #expect(k["resolution_time"] == .number("90000"))
        #expect(k["interaction_rate"] == .number("0.333333"))  // 7 likes, 21 views
        let accuracy: Double? = k["automation_accuracy"].flatMap { value -> Double? in
            if case .number(let literal) = value { return Double(literal) }
            return nil
        }
        #expect(accuracy.map { $0 > 0 && $0 < 1 } == true, "\(printed)")
        #expect(printed["campaigns"]?.jsonText.contains(#""campaign":"11""#) == true)

        // The socket answers the same object.
        let server = try ServerHarness(["--store", store])
        let answered = try server.result(
            "kpi.report", #"{"from":"2026-11-23","until":"\#(tomorrow)","by":"week","drill_segments":["all"],"now":"2026-11-30T00:00:00Z"}"#)
        server.stopAndReadErrors()
        #expect(answered == printed)

        // A segment's report reads its members' events: C1's and C2's posts, C2's order.
        let all = Self.kpis(try JSONValue.parse(try Self.run(args + ["--segment", "all"])))
        #expect(all["buzz"] == .number("2"))
        #expect(all["social_clv"] == .number("299"))
        #expect(all["csat"] == .null)  // the surveys came from a stranger
        let unknown = try runQingting(args + ["--segment", "nope"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no segment 'nope'") && unknown.stderr.contains("沉默用户"))

        // rebuild refolds the aggregates from the log: the same report.
        _ = try Self.run(["rebuild", "--store", store])
        #expect(try JSONValue.parse(try Self.run(args)) == printed)

        // The page in a real browser: every chart drew at least one mark.
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = try #require(chromium, "headless Chromium is missing: run scripts/test.sh, which installs it")
        let dom = try Self.browse(browser, ["--dump-dom", "file://" + page])
        let body = dom.components(separatedBy: "<body").dropFirst().first?.prefix { $0 != ">" } ?? ""
        #expect(body.contains(#"data-charts-empty="""#), "charts without data: \(body)")
        let charts = body.components(separatedBy: #"data-charts=""#).dropFirst().first?.prefix { $0 != "\"" } ?? ""
        #expect(Int(charts) ?? 0 >= 18 && body.contains(#"data-charts-drawn="\#(charts)""#), "\(body)")
        let artefacts = TestPaths.root + "/.build/artifacts"
        try FileManager.default.createDirectory(atPath: artefacts, withIntermediateDirectories: true)
        _ = try Self.browse(browser, ["--hide-scrollbars", "--window-size=1280,2600", "--screenshot=\(artefacts)/report.png", "file://" + page])
        #expect(((try? FileManager.default.attributesOfItem(atPath: artefacts + "/report.png")[.size] as? Int) ?? 0) > 10_000)
    }

    /// Runs headless Chromium with `arguments`; its standard output.
    static func browse(_ browser: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(NSTemporaryDirectory())qt-chromium-\(UUID().uuidString.prefix(6))"] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
