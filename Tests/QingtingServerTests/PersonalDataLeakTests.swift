import Foundation
import QingtingServer
import OrderedCollections
import QingtingCore
import TestSupport
import Testing

/// Logs and errors never carry personal data at the default log level: phones, e-mails and
/// names go through every method `rpc.discover` lists — in every parameter (model.reload's file
/// paths excepted: its errors name the path refused, by design), as strings, objects
/// and positional arrays, in good calls and in malformed requests — and neither the server's
/// log output nor any error (or rejection message, or stored sync-health example) holds them.
@Suite(.serialized) struct PersonalDataLeakTests {
    static let phone = "13987654321"
    static let email = "leak.probe@example.com"
    static let name = "欧阳测漏"
    static let uid = "7788990011"
    static let secrets = [phone, email, name, uid, "+86 139 8765 4321", "LEAK.PROBE@EXAMPLE.COM"]

    /// Every error object, and every `message` member anywhere in a response (ingest rejections).
    static func errorTexts(_ line: String) -> [String] {
        guard let value = try? JSONValue.parse(line) else { return [line] }
        var out: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let members):
                for (key, member) in members {
                    if key == "error" || key == "message" { out.append(member.jsonText) } else { walk(member) }
                }
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(value)
        return out
    }

    @Test func noPhoneEmailOrNameReachesTheLogOrAnError() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        try Data(#"{"id":"C1","name":"\#(Self.name)","phone":"\#(Self.phone)","email":"\#(Self.email)","level":"VIP","identities":[{"platform":"weibo","uid":"\#(Self.uid)"}]}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: customers))
        #expect(try runQingting(["customers", "import", "--store", store, customers]).status == 0)

        let server = try ServerHarness(["--store", store], logLevel: nil)  // the default level (info)
        let discovered = try server.result("rpc.discover")
        guard case .array(let methods)? = discovered["methods"] else { Issue.record("no methods"); return }
        #expect(methods.count > 15)

        let values: [String] = [
            #""\#(Self.phone)""#, #""\#(Self.email)""#, #""\#(Self.name)""#, #""+86 139 8765 4321""#,
            #"{"phone":"\#(Self.phone)","email":"\#(Self.email)","name":"\#(Self.name)","platform":"weibo","uid":"\#(Self.uid)"}"#,
            #"["\#(Self.phone)","\#(Self.email)"]"#,
        ]
        var lines: [String] = []
        for method in methods {
            let name = method["name"]?.stringValue ?? ""
            guard case .array(let params)? = method["params"] else { continue }
            // model.reload's file paths are named back to the admin who sent them, by design (the
            // reload errors say which path was refused): they are paths of model files, not anyone's
            // personal data. Only its token is probed.
            let names = params.compactMap { $0["name"]?.stringValue }.filter { name != "model.reload" || $0 == "token" }
            for value in values {
                // Every parameter at once, each one alone, and all of them by position.
                let all = names.map { #""\#($0)":\#(value)"# }.joined(separator: ",")
                lines.append(EventServerTests.request(1, name, "{\(all)}"))
                for param in names { lines.append(EventServerTests.request(1, name, #"{"\#(param)":\#(value)}"#)) }
                lines.append(EventServerTests.request(1, name, "[" + names.map { _ in value }.joined(separator: ",") + "]"))
            }
        }
        // Good calls whose values are personal data, and payloads that carry it.
        let post = #"{"created_at":"Mon Nov 30 10:00:00 +0800 2026","idstr":"5000000000000031","text":"我是\#(Self.name)，电话\#(Self.phone)，邮箱\#(Self.email)，物流太慢了","user":{"idstr":"\#(Self.uid)","screen_name":"\#(Self.name)"}}"#
        lines += [
            EventServerTests.request(2, "event.ingest", #"{"platform":"weibo","payload":\#(post)}"#),
            EventServerTests.request(3, "event.ingest", #"{"platform":"\#(Self.phone)","payload":\#(post)}"#),
            EventServerTests.request(4, "event.ingest", #"{"platform":"weibo","payload":{"user":{"screen_name":"\#(Self.name)","email":"\#(Self.email)"}}}"#),
            EventServerTests.request(5, "event.ingest", #"{"platform":"wechat","payload":"<xml><FromUserName>\#(Self.email)</FromUserName><Content>\#(Self.phone)"}"#),
            EventServerTests.request(6, "customer.search", #"{"phone":"\#(Self.phone)"}"#),
            EventServerTests.request(7, "customer.search", #"{"email":"\#(Self.email)"}"#),
            EventServerTests.request(8, "customer.search", #"{"name":"\#(Self.name)"}"#),
            EventServerTests.request(9, "customer.search", #"{"identity":{"platform":"weibo","uid":"\#(Self.uid)"}}"#),
            EventServerTests.request(10, "customer.search", #"{"phone":"\#(Self.phone)","email":"\#(Self.email)"}"#),
            EventServerTests.request(11, "customer.get", #"{"id":"C1","now":"\#(Self.phone)x"}"#),
            EventServerTests.request(12, "ticket.update", #"{"id":1,"status":"\#(Self.email)","note":"\#(Self.phone)"}"#),
            EventServerTests.request(13, "ticket.update", #"{"id":1,"priority":"\#(Self.name)"}"#),
            EventServerTests.request(14, "ticket.update", #"{"id":1,"status":"responded","assignee":"\#(Self.name)","note":"\#(Self.phone)"}"#),
            EventServerTests.request(15, "audience.export", #"{"segment":"\#(Self.name)","format":"meta"}"#),
            EventServerTests.request(16, "audience.export", #"{"segment":"all","format":"tencent","id_type":"\#(Self.phone)"}"#),
            EventServerTests.request(17, "kpi.report", #"{"from":"2026-11-01","until":"2026-12-01","segment":"\#(Self.email)"}"#),
            EventServerTests.request(18, "kpi.report", #"{"from":"2026-11-01","until":"2026-12-01","drill_segments":["\#(Self.name)"]}"#),
            EventServerTests.request(19, "segment.members", #"{"name":"\#(Self.phone)"}"#),
            EventServerTests.request(20, "ab.report", #"{"experiment":"\#(Self.email)"}"#),
            EventServerTests.request(21, "action.ack", #"{"seq":1,"status":"read","detail":"\#(Self.phone)"}"#),
            // Malformed requests around personal data.
            #"{"jsonrpc":"2.0","id":22,"method":"customer.search","params":{"phone":"\#(Self.phone)""#,
            #"{"jsonrpc":"1.0","id":23,"method":"customer.search","params":{"email":"\#(Self.email)"}}"#,
            #"{"jsonrpc":"2.0","id":{"name":"\#(Self.name)"},"method":"customer.get","params":{"id":"C1"}}"#,
            #"{"jsonrpc":"2.0","id":24,"method":"customer.get","params":"\#(Self.phone)"}"#,
            #"{"jsonrpc":"2.0","id":25,"method":{"email":"\#(Self.email)"}}"#,
            #"[{"jsonrpc":"2.0","id":26,"method":"customer.search","params":{"name":"\#(Self.name)"}},"\#(Self.phone)"]"#,
            #"{"jsonrpc":"2.0","id":27,"method":"customer.get","params":{"id":"C1","token":{"email":"\#(Self.email)"}}}"#,
            #"{"jsonrpc":"2.0","id":28,"method":"customer.get","params":{"id":"C1","token":"\#(Self.phone)"}}"#,
            "\(Self.name) \(Self.phone) \(Self.email)",
        ]
        var leaks: [String] = []
        let client = try server.client()
        for line in lines {
            try client.send(line: line)
            let response = try client.readLine() ?? ""
            for text in Self.errorTexts(response) where Self.secrets.contains(where: text.contains) {
                leaks.append("\(line.prefix(120)) → \(text.prefix(200))")
            }
        }
        let health = try server.call(EventServerTests.request(30, "sync.status", "{}"))
        for secret in Self.secrets where health.contains(secret) { leaks.append("sync.status holds \(secret)") }
        let log = server.stopAndReadErrors()
        #expect(log.contains("listening"))  // the log was captured
        for secret in Self.secrets where log.contains(secret) { leaks.append("the log holds \(secret)") }
        #expect(leaks.isEmpty, "\(leaks.count) leaks:\n\(leaks.prefix(30).joined(separator: "\n"))")
        #expect(lines.count > 300)
    }
}
