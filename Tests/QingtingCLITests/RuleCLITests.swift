import Foundation
import QingtingCore
import TestSupport
import Testing

/// End-to-end: the shipped rules on `ingest`, then `feed`, `tickets`, `actions`, `rules tick`,
/// `rules backtest` and `rules check` on the built binary — the VIP-complaint flow of the README.
@Suite struct RuleCLITests {
    typealias Scratch = EventCLITests.Scratch

    static let customers = [
        #"{"id":"C1","name":"张三","level":"VIP","account_manager":"王经理","identities":[{"platform":"weibo","uid":"9001"}]}"#,
        #"{"id":"C2","name":"李四","level":"normal","identities":[{"platform":"weibo","uid":"9002"}]}"#,
    ]

    static func status(_ id: Int, _ time: String, _ uid: String, _ text: String) -> String {
        #"{"created_at":"\#(time)","idstr":"50000000000000\#(id)","text":"\#(text)","user":{"idstr":"\#(uid)","screen_name":"u\#(uid)"}}"#
    }

    static let posts = [
        status(11, "Mon Nov 30 10:00:00 +0800 2026", "9001", "你们的手机太垃圾了，刚买一周就黑屏，客服也不理人，再也不买了"),
        status(12, "Mon Nov 30 10:05:00 +0800 2026", "9002", "垃圾手机，黑屏了"),
        status(13, "Mon Nov 30 11:05:00 +0800 2026", "9002", "又黑屏了，真的太差了，气死了"),
        status(14, "Mon Nov 30 12:05:00 +0800 2026", "9002", "第三次黑屏，差评，我要投诉"),
    ]

    static func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func aVIPsNegativePostBecomesATicketANotificationAndAReplyOnce() throws {
        let s = Scratch()
        #expect(try runQingting(["customers", "import", "--store", s.store, try s.write("c.jsonl", Self.customers)]).status == 0)
        let posts = try s.write("p.jsonl", Self.posts)
        let ingest = try runQingting(["ingest", "--store", s.store, "--platform", "weibo", "--now", "2026-11-30T06:00:00Z", posts])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let feed = try Self.lines(try runQingting(["feed", "--store", s.store]).stdout)
        let vip = feed.filter { $0["rule"] == .string("vip-negative-post") }
        #expect(vip.compactMap { $0["action"]?.stringValue } == ["ticket", "message", "notify", "reply"])
        #expect(vip.allSatisfy { $0["customer"] == .string("C1") && $0["priority"] == .string("urgent") })
        let notify = vip.first { $0["action"] == .string("notify") }
        #expect(notify?["detail"]?["to"] == .string("王经理"))
        #expect(notify?["detail"]?["post"]?["text"]?.stringValue?.contains("黑屏") == true)
        // The non-VIP customer's three negatives within a day raise one alert, with the three events.
        let repeated = feed.filter { $0["rule"] == .string("negative-repeat-customer") }
        #expect(repeated.count == 1 && repeated[0]["customer"] == .string("C2"))
        #expect(repeated[0]["events"] == .array([.number("2"), .number("3"), .number("4")]))
        // Sequence numbers are 1, 2, 3… in order; --since resumes after one.
        #expect(feed.compactMap { $0["seq"]?.jsonText } == (1...feed.count).map(String.init))
        let resumed = try Self.lines(try runQingting(["feed", "--store", s.store, "--since", "2"]).stdout)
        #expect(resumed.first?["seq"] == .number("3") && resumed.count == feed.count - 2)

        // The ticket went to the account manager.
        let tickets = try Self.lines(try runQingting(["tickets", "--store", s.store]).stdout)
        #expect(tickets.count == 1 && tickets[0]["assignee"] == .string("王经理") && tickets[0]["status"] == .string("assigned"))

        // A retry of the same payloads is duplicates: no second ticket, no second record.
        #expect(try runQingting(["ingest", "--store", s.store, "--platform", "weibo", posts]).status == 0)
        #expect(try Self.lines(try runQingting(["feed", "--store", s.store]).stdout).count == feed.count)

        // 48 hours of silence after the VIP's post: the wait fires on `rules tick`.
        let tick = try Self.lines(try runQingting(["rules", "tick", "--store", s.store, "--now", "2026-12-03T00:00:00Z"]).stdout)
        #expect(tick.contains { $0["rule"] == .string("vip-silence-48h") && $0["kind"] == .string("alert") })

        // The ticket's life: resolved, then a change that cannot follow is refused with the reason.
        let id = tickets[0]["id"]!.jsonText
        let resolved = try runQingting(["tickets", "--store", s.store, "--id", id, "--set-status", "resolved", "--now", "2026-12-01T00:00:00Z"])
        #expect(try JSONValue.parse(resolved.stdout.trimmingCharacters(in: .newlines))["status"] == .string("resolved"))
        let refused = try runQingting(["tickets", "--store", s.store, "--id", id, "--set-status", "responded"])
        #expect(refused.status != 0 && refused.stderr.contains("cannot become responded"))

        // The sender acknowledges the reply; it leaves the queue.
        let reply = vip.first { $0["action"] == .string("reply") }!["seq"]!.jsonText
        let before = try Self.lines(try runQingting(["actions", "--store", s.store]).stdout).count
        #expect(try runQingting(["actions", "--store", s.store, "--ack", reply, "--status", "delivered"]).status == 0)
        #expect(try Self.lines(try runQingting(["actions", "--store", s.store]).stdout).count == before - 1)

        // A backtest of the same rules over the log finds the same firings, writing nothing.
        let count = try Self.lines(try runQingting(["feed", "--store", s.store]).stdout).count
        let backtest = try JSONValue.parse(try runQingting(["rules", "backtest", "--store", s.store, "--until", "2026-12-03T00:00:00Z"]).stdout)
        guard case .array(let rules)? = backtest["rules"] else { Issue.record("no rules in the backtest"); return }
        let names = rules.compactMap { $0["rule"]?.stringValue }
        #expect(names.contains("vip-negative-post") && names.contains("negative-repeat-customer") && names.contains("vip-silence-48h"))
        #expect(try Self.lines(try runQingting(["feed", "--store", s.store]).stdout).count == count)
    }

    @Test func rulesCheckReportsFileLineErrors() throws {
        let s = Scratch()
        let bad = try s.write("bad.rules", ["rule a", "  when colour = red", "  alert x"])
        let run = try runQingting(["rules", "check", bad])
        #expect(run.status != 0 && run.stderr.contains("bad.rules:2: unknown field 'colour'"))
        let good = try runQingting(["rules", "check"])
        #expect(good.status == 0 && good.stdout.contains("vip-negative-post"))
    }
}
