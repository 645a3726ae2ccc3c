import Foundation
import QingtingServer
import QingtingCore
import TestSupport
import Testing

/// The audit log over the real socket: every call of a method that touches personal data is
/// recorded with who made it (uid, token name, role), which customers, which fields and whether
/// it was answered; `qingting audit` queries it, `qingting audit verify` checks the chain, and a
/// token reading too many customers raises an `audit-unusual-access` alert that subscribers get.
@Suite(.serialized) struct AuditServerTests {
    static func audit(_ arguments: [String]) throws -> (status: Int32, records: [JSONValue], stdout: String) {
        let run = try runQingting(["audit"] + arguments)
        let records = try run.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        return (run.status, records, run.stdout)
    }

    @Test func callsAreRecordedQueriedVerifiedAndUnusualReadingAlerts() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        try Data("""
            {"id":"C1","name":"李雷","phone":"13812345678","email":"li.lei@example.com","level":"VIP","identities":[{"platform":"weibo","uid":"9001"}]}
            {"id":"C2","name":"韩梅梅","email":"han@example.com"}

            """.utf8).write(to: URL(fileURLWithPath: customers))
        #expect(try runQingting(["customers", "import", "--store", store, customers]).status == 0)
        let tokens = folder + "/tokens.tsv"
        try Data("tok-analyst\tanalyst\tdashboard\ntok-agent\tagent\n".utf8).write(to: URL(fileURLWithPath: tokens))

        let server = try ServerHarness(["--store", store, "--tokens", tokens, "--audit-max-customers", "1"])
        let subscriber = try server.client()
        try subscriber.send(line: EventServerTests.request(1, "alerts.subscribe", #"{"rule":["audit-unusual-access"]}"#))
        #expect(try JSONValue.parse(subscriber.readLine() ?? "")["result"]?["subscribed"] == .bool(true))  // seq 1

        let post = #"{"created_at":"Mon Nov 30 10:00:00 +0800 2026","idstr":"5000000000000021","text":"物流太慢了","user":{"idstr":"9001","screen_name":"v"}}"#
        let stored = try EventServerTests.results(server.call(EventServerTests.request(2, "event.ingest", #"{"platform":"weibo","payload":\#(post)}"#)))
        #expect(stored.first?["customer"] == .string("C1"))  // seq 2
        #expect(try server.result("customer.get", #"{"id":"C1","token":"tok-analyst"}"#)["id"] == .string("C1"))  // seq 3
        let missing = try server.call(EventServerTests.request(4, "customer.get", #"{"id":"C404","token":"tok-agent"}"#))  // seq 4
        #expect(ServerIntegrationTests.errorCode(missing) == "-32004")
        let found = try server.result("customer.search", #"{"email":"li.lei@example.com","token":"tok-analyst"}"#)  // seq 5
        #expect(found["customers"]?.jsonText.contains(#""id":"C1""#) == true)
        #expect(try server.result("text.analyze", #"{"text":"好评"}"#)["sentiment"] != nil)  // not recorded
        // dashboard's second distinct customer is over --audit-max-customers 1: an alert.
        #expect(try server.result("customer.get", #"{"id":"C2","token":"tok-analyst"}"#)["id"] == .string("C2"))  // seq 6
        #expect(try server.result("kpi.report", #"{"from":"2026-11-01","until":"2026-12-01"}"#)["kpis"] != nil)  // seq 7

        let pushed = try JSONValue.parse(subscriber.readLine() ?? "")
        #expect(pushed["method"] == .string("alerts.record"))
        #expect(pushed["params"]?["rule"] == .string("audit-unusual-access") && pushed["params"]?["kind"] == .string("alert"))
        #expect(pushed["params"]?["detail"]?["who"] == .string("dashboard") && pushed["params"]?["detail"]?["customers"] == .number("2"))
        #expect(pushed["params"]?["detail"]?["audit_seq"] == .number("6"))
        server.stopAndReadErrors()

        let all = try Self.audit(["--store", store])
        #expect(all.status == 0)
        #expect(all.records.map { $0["method"]?.stringValue ?? "" }
                == ["alerts.subscribe", "event.ingest", "customer.get", "customer.get", "customer.search", "customer.get", "kpi.report"])
        #expect(all.records.map { $0["seq"] } == (1...7).map { .number("\($0)") })
        let uid = JSONValue.number("\(getuid())")
        #expect(all.records.allSatisfy { $0["uid"] == uid })
        #expect(all.records[1]["access"] == .string("change") && all.records[1]["customers"] == .array([.string("C1")])
                && all.records[1]["token"] == .null && all.records[1]["role"] == .string("strategy"))  // the anonymous role
        #expect(all.records[2]["token"] == .string("dashboard") && all.records[2]["role"] == .string("analyst")
                && all.records[2]["outcome"] == .string("allowed") && all.records[2]["error"] == .null)
        // A token without a name is recorded by a short hash (printf tok-agent | sha256sum), never itself.
        #expect(all.records[3]["token"] == .string("sha256:0697f22d") && all.records[3]["role"] == .string("agent"))
        #expect(all.records[3]["outcome"] == .string("refused") && all.records[3]["error"] == .number("-32004")
                && all.records[3]["customers"] == .array([.string("C404")]))
        #expect(all.records[4]["fields"]?.jsonText.contains(#""email""#) == true)
        #expect(all.records[6]["access"] == .string("aggregate") && all.records[6]["customers"] == .array([]))
        #expect(!all.stdout.contains("tok-analyst") && !all.stdout.contains("tok-agent"))
        #expect(!all.stdout.contains("li.lei@example.com"))

        #expect(try Self.audit(["--store", store, "--who", "dashboard"]).records.map { $0["seq"] }
                == [.number("3"), .number("5"), .number("6")])
        #expect(try Self.audit(["--store", store, "--customer", "C1"]).records.map { $0["seq"] }
                == [.number("2"), .number("3"), .number("5")])
        let at = all.records[5]["at"]?.stringValue ?? ""
        #expect(try Self.audit(["--store", store, "--since", at]).records.first?["seq"] == .number("6"))

        let verified = try runQingting(["audit", "verify", "--store", store])
        #expect(verified.status == 0 && verified.stdout.hasPrefix(#"{"ok":true,"records":7,"head":"#))

        // Someone with the file edits a record, then deletes one: verify names each.
        func sqlite(_ sql: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            p.arguments = [store, "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; " + sql]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        try sqlite(#"UPDATE audit SET customers = '[]' WHERE seq = 3"#)
        let edited = try runQingting(["audit", "verify", "--store", store])
        #expect(edited.status == 1)
        #expect(edited.stdout == #"{"ok":false,"records":2,"broken_at":3,"reason":"hash"}"# + "\n")
        try sqlite("DELETE FROM audit WHERE seq = 2")
        let deleted = try runQingting(["audit", "verify", "--store", store])
        #expect(deleted.status == 1)
        #expect(deleted.stdout == #"{"ok":false,"records":1,"broken_at":2,"reason":"missing"}"# + "\n")
    }
}
