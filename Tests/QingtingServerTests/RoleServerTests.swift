import Foundation
import QingtingCore
import QingtingIngest
import QingtingServer
import TestSupport
import Testing

/// Roles over the real socket: `serve --roles --tokens`, a refused method and a refused customer,
/// fields removed from answers and from the feed a subscriber gets, a grant written by `qingting
/// roles grant` while the server runs that works at once and stops at its end by itself (the
/// subscription it allowed is closed with `alerts.closed`), and the audit log with each role.
@Suite(.serialized) struct RoleServerTests {
    static func iso(_ ms: Int64) -> String { Timestamp.iso8601(ms) }
    static var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func rolesGrantsAndTheirExpiryOverTheSocket() throws {
        let (folder, store) = try RoleMatrixTests.world()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let roles = folder + "/roles.txt"
        try Data(try String(contentsOfFile: TestPaths.root + "/Lexicons/roles.txt", encoding: .utf8).utf8)
            .write(to: URL(fileURLWithPath: roles))
        let tokens = folder + "/tokens.tsv"
        try Data("tok-support\tsupport\thelpdesk\ntok-exec\texecution\tsocial-team\n".utf8).write(to: URL(fileURLWithPath: tokens))
        // The CLI: the matrix (one JSONL cell per role and method), and a broken file named by line.
        let matrix = try runQingting(["roles", "matrix", "--roles", roles, "--format", "jsonl"])
        #expect(matrix.status == 0 && matrix.stdout.split(separator: "\n").count == 8 * RPCEngine.methodNames.count)
        #expect(matrix.stdout.contains(#"{"role":"support","method":"customer.get","allowed":true,"fields":["contact","identities","orders","social"],"refused_params":[],"ticketed_only":true}"#))
        #expect(matrix.stdout.contains(#"{"role":"execution","method":"customer.search","allowed":true,"fields":["identities","social"],"refused_params":["email","name","phone"],"ticketed_only":false}"#))
        let broken = folder + "/broken.txt"
        try Data("version 1\nrole admin\n  methods * nosuch.method\n".utf8).write(to: URL(fileURLWithPath: broken))
        let refused = try runQingting(["roles", "check", "--roles", broken])
        #expect(refused.status == 1 && refused.stderr.contains("\(broken):3: 'nosuch.method' names no method of the server"))
        #expect(try runQingting(["serve", "--roles", broken, "--socket", folder + "/x.sock"]).status != 0)

        let server = try ServerHarness(["--store", store, "--tokens", tokens, "--roles", roles])
        func call(_ id: Int, _ method: String, _ params: String) throws -> JSONValue {
            try JSONValue.parse(try server.call(EventServerTests.request(id, method, params)))
        }

        // Support: the ticket's customer, not another one; not the feed.
        #expect(try call(1, "customer.get", #"{"id":"C1","token":"tok-support"}"#)["result"]?["fields"]?["phone"] != nil)
        let other = try call(2, "customer.get", #"{"id":"C2","token":"tok-support"}"#)
        #expect(other["error"]?["code"] == .number("-32001") && other["error"]?["data"]?["reason"] == .string("customer_scope"))
        #expect(try call(3, "feed.read", #"{"token":"tok-support"}"#)["error"]?["data"]?["reason"] == .string("method"))
        // Execution: the posts without the phone; no audience export; unknown tokens and reload refused.
        let profile = try call(4, "customer.get", #"{"id":"C1","token":"tok-exec"}"#)
        #expect(profile["result"]?["events"] != nil && profile["result"]?["fields"]?["phone"] == nil)
        #expect(!profile.jsonText.contains("13800138001"))
        #expect(try call(5, "audience.export", #"{"segment":"all","format":"meta","token":"tok-exec"}"#)["error"]?["code"] == .number("-32001"))
        #expect(try call(6, "engine.info", #"{"token":"guess"}"#)["error"]?["data"]?["reason"] == .string("token"))
        #expect(try call(7, "model.reload", #"{"token":"tok-exec"}"#)["error"]?["code"] == .number("-32001"))
        // Without a token, the anonymous role (strategy in the shipped file): everything but reload.
        #expect(try call(8, "customer.get", #"{"id":"C2"}"#)["result"]?["fields"]?["phone"] != nil)

        // A campaign grant, written while the server runs: social-team also holds sales, and the
        // helpdesk the execution role (so it may subscribe to the feed), for a few seconds.
        let until = Self.nowMillis + 4000
        for (name, role, token) in [("promo", "sales", "social-team"), ("watch", "execution", "helpdesk")] {
            let granted = try runQingting(["roles", "grant", "--roles", roles, name, "--role", role, "--token", token,
                                           "--until", Self.iso(until)])
            #expect(granted.status == 0, "\(granted.stderr)")
            #expect(try JSONValue.parse(granted.stdout)["active"] == .bool(true))
        }
        let check = try runQingting(["roles", "check", "--roles", roles, "--now", Self.iso(until)])
        #expect(check.stdout.contains(#""name":"promo","summary":"","role":"sales","tokens":["social-team"]"#))
        #expect(check.stdout.contains(#""active":false"#) && !check.stdout.contains(#""active":true"#))
        Thread.sleep(forTimeInterval: 1.2)
        let exported = try call(9, "audience.export", #"{"segment":"all","format":"meta","token":"tok-exec"}"#)
        #expect(exported["result"]?["exported"] != nil, "\(exported.jsonText.prefix(300))")
        let subscriber = try server.client()
        try subscriber.send(line: EventServerTests.request(10, "alerts.subscribe", #"{"since":0,"token":"tok-support"}"#))
        #expect(try JSONValue.parse(subscriber.readLine() ?? "")["result"]?["subscribed"] == .bool(true))
        // The feed's records come without their contact details (execution does not see them).
        let first = try JSONValue.parse(subscriber.readLine() ?? "")
        #expect(first["method"] == .string("alerts.record"))

        // Past the grant's end, with nobody acting: both stop working.
        Thread.sleep(forTimeInterval: max(0, Double(until - Self.nowMillis) / 1000) + 0.2)
        let late = try call(11, "audience.export", #"{"segment":"all","format":"meta","token":"tok-exec"}"#)
        #expect(late["error"]?["code"] == .number("-32001") && late["error"]?["data"]?["role"] == .string("execution"))
        // The subscription is checked again within half a second and closed.
        var closed: JSONValue?
        while let line = try subscriber.readLine() {
            let value = try JSONValue.parse(line)
            if value["method"] == .string("alerts.closed") { closed = value; break }
        }
        #expect(closed?["params"]?["code"] == .number("-32001"))
        #expect(closed?["params"]?["data"]?["reason"] == .string("method"))
        server.stopAndReadErrors()

        // The audit log: each call with its role (grants named), allowed or refused.
        let audit = try runQingting(["audit", "--store", store, "--who", "social-team"])
        let rows = try audit.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(rows.map { "\($0["method"]?.stringValue ?? "") \($0["role"]?.stringValue ?? "") \($0["outcome"]?.stringValue ?? "")" } == [
            "customer.get execution allowed", "audience.export execution refused",
            "audience.export execution+grant:promo allowed", "audience.export execution refused",
        ])
        #expect(rows[0]["fields"]?.jsonText.contains("withheld:contact") == true)
        let helpdesk = try runQingting(["audit", "--store", store, "--who", "helpdesk"]).stdout
        #expect(helpdesk.contains(#""role":"support+grant:watch","method":"alerts.subscribe""#))
        #expect(!helpdesk.contains("tok-support"))
    }
}
