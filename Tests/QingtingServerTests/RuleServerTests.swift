import Foundation
import QingtingCore
import TestSupport
import Testing

/// The rules behind `event.ingest`, and `feed.read`, `ticket.*` and `action.ack` over the real socket.
@Suite(.serialized) struct RuleServerTests {
    @Test func aVIPsNegativePostOverTheSocketOpensATicketTheFeedAndTicketMethodsServe() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        try Data(#"{"id":"C1","level":"VIP","account_manager":"王经理","identities":[{"platform":"weibo","uid":"9001"}]}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: customers))
        #expect(try runQingting(["customers", "import", "--store", store, customers]).status == 0)

        let server = try ServerHarness(["--store", store])
        let post = #"{"created_at":"Mon Nov 30 10:00:00 +0800 2026","idstr":"5000000000000011","text":"你们的手机太垃圾了，刚买一周就黑屏，客服也不理人","user":{"idstr":"9001","screen_name":"v"}}"#
        let stored = try EventServerTests.results(server.call(EventServerTests.request(1, "event.ingest", #"{"platform":"weibo","payload":\#(post)}"#)))
        #expect(stored.map { $0["status"] } == [.string("stored")])

        let feed = try server.result("feed.read", #"{"since":0}"#)
        guard case .array(let records)? = feed["records"] else { Issue.record("no records"); return }
        #expect(records.contains { $0["kind"] == .string("ticket") && $0["rule"] == .string("vip-negative-post") })
        // Resuming after the last seq gives nothing new.
        let again = try server.result("feed.read", #"{"since":\#(feed["last"]!.jsonText)}"#)
        #expect(again["records"] == .array([]))
        let alertsOnly = try server.result("feed.read", #"{"kind":["ticket"]}"#)
        #expect(alertsOnly["records"]?.jsonText.contains(#""kind":"action""#) == false)

        let list = try server.result("ticket.list", "{}")
        guard case .array(let tickets)? = list["tickets"], let id = tickets.first?["id"]?.jsonText else {
            Issue.record("no ticket"); return
        }
        #expect(tickets[0]["assignee"] == .string("王经理"))
        let updated = try server.result("ticket.update", #"{"id":\#(id),"status":"responded"}"#)
        #expect(updated["status"] == .string("responded") && updated["first_response_at"] != nil)
        #expect(try server.result("ticket.get", #"{"id":\#(id)}"#)["status"] == .string("responded"))
        let bad = try server.call(EventServerTests.request(7, "ticket.update", #"{"id":\#(id),"status":"reopened"}"#))
        #expect(ServerIntegrationTests.errorCode(bad) == "-32602")

        let reply = records.first { $0["action"] == .string("reply") }?["seq"]?.jsonText ?? "0"
        let ack = try server.result("action.ack", #"{"seq":\#(reply),"status":"read"}"#)
        #expect(ack["delivery"] == .string("read"))
        let missing = try server.call(EventServerTests.request(8, "action.ack", #"{"seq":99999,"status":"read"}"#))
        #expect(ServerIntegrationTests.errorCode(missing) == "-32004")
        server.stopAndReadErrors()
    }
}
