import OrderedCollections
import Foundation
import QingtingCRM
import QingtingServer
import QingtingStore
import QingtingText
import TestSupport
import Testing
import QingtingCore

/// The JSON-RPC engine without a socket: request validation, every error code it produces,
/// batches, notifications, positional params and the access rules of model.reload.
@Suite struct RPCEngineTests {
    static let models: EngineModels = try! EngineModels(EngineModels.Sources())

    func engine(tokens: [String: AccessPolicy.Role] = [:]) -> RPCEngine {
        RPCEngine(models: Self.models, access: AccessPolicy(tokens: tokens))
    }

    func response(_ line: String, _ engine: RPCEngine? = nil, uid: UInt32? = nil) throws -> JSONValue {
        let outcome = (engine ?? self.engine()).handle(line: line, caller: .init(uid: uid))
        return try JSONValue.parse(try #require(outcome.response))
    }

    func code(_ value: JSONValue) -> String? {
        if case .number(let n)? = value["error"]?["code"] { return n }
        return nil
    }

    @Test func analyzeAnswersWithTheIdAndTheCLISchema() throws {
        let r = try response(#"{"jsonrpc":"2.0","id":"a-1","method":"text.analyze","params":{"text":"物流太慢了😡","id":1234567890123456789}}"#)
        #expect(r["id"] == .string("a-1"))
        #expect(r["result"]?["id"] == .number("1234567890123456789"))
        #expect(r["result"]?["sentiment"] == .string("negative"))
        // The sentiment tag first, then the intents' (which ones is the model's call, measured by
        // `eval intent`; the logistics one is certain here).
        guard case .array(let tags)? = r["result"]?["tags"] else { Issue.record("no tags"); return }
        #expect(tags.first == .string("#负面情绪#"))
        #expect(tags.contains(.string("#服务请求_物流配送#")))
        #expect(r["result"]?["tokens"] == nil)
        let positional = try response(#"{"jsonrpc":"2.0","id":2,"method":"text.analyze","params":["物流太慢了😡",null,true]}"#)
        if case .array(let tokens)? = positional["result"]?["tokens"] { #expect(tokens.count >= 3) } else { Issue.record("no tokens") }
    }

    @Test func everyErrorOfARequestHasItsCodeMessageAndData() throws {
        let cases: [(String, String)] = [
            ("{\"jsonrpc\":\"2.0\",", "-32700"),
            ("\u{1}garbage", "-32700"),
            (#"{"jsonrpc":"1.0","id":1,"method":"engine.info"}"#, "-32600"),
            (#"{"jsonrpc":"2.0","id":1,"method":7}"#, "-32600"),
            (#"{"jsonrpc":"2.0","id":{},"method":"engine.info"}"#, "-32600"),
            (#"{"jsonrpc":"2.0","id":1,"method":"engine.info","params":"x"}"#, "-32600"),
            (#"[1]"#, "-32600"),
            (#"[]"#, "-32600"),
            (#"{"jsonrpc":"2.0","id":1,"method":"no.such"}"#, "-32601"),
            (#"{"jsonrpc":"2.0","id":1,"method":"text.analyze","params":{"text":5}}"#, "-32602"),
            (#"{"jsonrpc":"2.0","id":1,"method":"text.analyze","params":{}}"#, "-32602"),
            (#"{"jsonrpc":"2.0","id":1,"method":"text.analyze","params":{"text":"x","tokens":"yes"}}"#, "-32602"),
            (#"{"jsonrpc":"2.0","id":1,"method":"text.segment","params":{"txet":"x"}}"#, "-32602"),
            (#"{"jsonrpc":"2.0","id":1,"method":"text.segment","params":["a","b"]}"#, "-32602"),
            (#"{"jsonrpc":"2.0","id":1,"method":"model.reload","params":{"sentiment_model":"/nonexistent/x.qtlin"}}"#, "-32004"),
        ]
        for (line, expected) in cases {
            let r = try response(line)
            #expect(code(r.isArray ? r.firstItem! : r) == expected, "\(line)")
            let error = (r.isArray ? r.firstItem! : r)["error"]
            #expect(error?["message"]?.stringValue?.isEmpty == false)
            if case .object? = error?["data"] {} else { Issue.record("no data object for \(line)") }
        }
        let parse = try response("{\"jsonrpc\":\"2.0\",")
        #expect(parse["id"] == .null)
        #expect(parse["error"]?["data"]?["offset"] == .number("17"))
        let wrongType = try response(#"{"jsonrpc":"2.0","id":9,"method":"text.analyze","params":{"text":5}}"#)
        #expect(wrongType["id"] == .number("9"))
        #expect(wrongType["error"]?["data"]?["param"] == .string("text"))
        #expect(wrongType["error"]?["data"]?["got"] == .string("number"))
    }

    @Test func aBatchMixingGoodAndBadRequestsAnswersEachAndSkipsNotifications() throws {
        let line = #"[{"jsonrpc":"2.0","id":1,"method":"text.segment","params":{"text":"你好"}},{"jsonrpc":"2.0","id":2,"method":"nope"},"#
            + #"{"jsonrpc":"2.0","method":"text.analyze","params":{"text":"好"}},7,{"jsonrpc":"2.0","id":3,"method":"text.analyze","params":{"text":true}}]"#
        let outcome = engine().handle(line: line)
        #expect(outcome.requests == 5)
        #expect(outcome.errors == [.methodNotFound, .invalidRequest, .invalidParams])
        guard case .array(let items) = try JSONValue.parse(try #require(outcome.response)) else { Issue.record("not an array"); return }
        #expect(items.map { $0["id"] } == [.number("1"), .number("2"), .null, .number("3")])
        #expect(items[0]["result"] != nil)
        #expect(items.dropFirst().map(code) == ["-32601", "-32600", "-32602"])
        // Only notifications: nothing to answer.
        let silent = engine().handle(line: #"[{"jsonrpc":"2.0","method":"engine.info"},{"jsonrpc":"2.0","method":"nope"}]"#)
        #expect(silent.response == nil)
    }

    @Test func discoverListsEveryMethodWithSchemas() throws {
        let r = try response(#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#)
        guard case .array(let methods)? = r["result"]?["methods"] else { Issue.record("no methods"); return }
        let names = methods.compactMap { $0["name"]?.stringValue }
        #expect(names == ["engine.info", "rpc.discover", "text.segment", "text.analyze", "identity.resolve", "event.ingest",
                          "sync.status", "customer.get", "customer.search", "customer.consent", "customer.delete", "segment.list", "segment.members", "feed.read", "alerts.subscribe", "action.ack",
                          "ticket.list", "ticket.get", "ticket.update", "kpi.report", "ab.report", "audience.export",
                          "model.reload"])
        for method in methods {
            #expect(method["result"]?["schema"] != nil)
            if case .array(let params)? = method["params"] {
                for param in params { #expect(param["schema"] != nil && param["required"] != nil) }
            } else { Issue.record("no params for \(method)") }
        }
    }

    /// Members of `value` that `schema` (as rpc.discover lists it) does not declare, and declared
    /// properties that `value` lacks, as JSON paths; nested objects and array items are followed.
    func schemaMismatches(_ value: JSONValue, _ schema: JSONValue?, path: String, optional: Set<String>) -> [String] {
        switch value {
        case .object(let members):
            guard case .object(let properties)? = schema?["properties"] else { return [] }
            var problems = members.keys.filter { properties[$0] == nil }.map { "\(path).\($0): not in the schema" }
            problems += properties.keys.filter { members[$0] == nil && !optional.contains("\(path).\($0)") }.map { "\(path).\($0): in the schema, not in the result" }
            for (key, member) in members { problems += schemaMismatches(member, properties[key], path: "\(path).\(key)", optional: optional) }
            return problems
        case .array(let items):
            return items.prefix(3).flatMap { schemaMismatches($0, schema?["items"], path: path + "[]", optional: optional) }
        default:
            return []
        }
    }

    @Test func everyResultHasExactlyTheMembersItsDiscoverSchemaDeclares() throws {
        let discover = try response(#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#)
        guard case .array(let methods)? = discover["result"]?["methods"] else { Issue.record("no methods"); return }
        func schema(_ name: String) -> JSONValue? {
            methods.first { $0["name"] == .string(name) }?["result"]?["schema"]
        }
        let calls: [(String, String, Set<String>)] = [
            ("text.analyze", #"{"text":"物流太慢了，想买个新手机，客服还不理人","id":7,"tokens":true}"#, []),
            ("text.segment", #"{"text":"客服态度太差"}"#, []),
            ("engine.info", "{}", []),
            ("model.reload", "{}", []),
        ]
        // The event log's methods, on an engine with a scratch store.
        let store = NSTemporaryDirectory() + "qingting-rpc-events-\(UUID().uuidString.prefix(8)).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) } }
        let crm = try CRMStore(path: store)
        let withLog = RPCEngine(models: Self.models, eventLog: RPCEngine.EventLog(
            store: crm, resolver: CustomerResolver(index: nil), configuration: EventPipeline.Configuration()))
        let item = #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","idstr":"1","text":"好","user":{"idstr":"2"}}]}"#
        let eventCalls: [(String, String, Set<String>)] = [
            ("event.ingest", #"{"payloads":[\#(item),"<xml>"]}"#,
             ["event.ingest.results[].seq", "event.ingest.results[].customer", "event.ingest.results[].reason",
              "event.ingest.results[].message"]),
            ("sync.status", "{}", []),
            ("audience.export", #"{"segment":"all","format":"meta","now":"2026-01-01T00:00:00Z"}"#, []),
        ]
        for (method, params, optional) in eventCalls {
            let r = try response(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#, withLog)
            let result = try #require(r["result"], "\(method): \(r)")
            let problems = schemaMismatches(result, schema(method), path: method, optional: optional)
            #expect(problems.isEmpty, "\(problems)")
        }
        for (method, params, optional) in calls {
            let r = try response(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
            let result = try #require(r["result"], "\(method): \(r)")
            let problems = schemaMismatches(result, schema(method), path: method, optional: optional)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    /// identity.resolve against a customer index built from generated data: an identity that
    /// carries its customer's phone is confirmed to that customer; without an index the method
    /// answers not found; a non-object identity is an invalid param.
    @Test func identityResolveScoresAgainstTheCustomerIndex() throws {
        let plain = try response(#"{"jsonrpc":"2.0","id":1,"method":"identity.resolve","params":{"identity":{"nickname":"王伟"}}}"#)
        #expect(code(plain) == "-32004")
        let dir = NSTemporaryDirectory() + "qingting-resolve-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let customers = """
            {"id":"C1","name":"王梓萱","phone":"13812345678","email":"zixuan@qq.com","gender":"女","city":"上海"}
            {"id":"C2","name":"李娜","phone":"13987654321","email":null,"gender":"女","city":"北京"}
            {"id":"C3","name":"张伟","phone":"13700001111","email":null,"gender":"男","city":"广州"}
            """
        try customers.write(toFile: "\(dir)/customers.jsonl", atomically: true, encoding: .utf8)
        let identities = """
            {"platform":"weibo","uid":"1","nickname":"王梓萱","phone":"13812345678","city":"上海市"}
            {"platform":"douyin","uid":"2","nickname":"lina","phone":"139****4321","city":"Beijing"}
            {"platform":"x","uid":"3","nickname":"zhangwei","phone":null,"city":"广州"}
            """
        try identities.write(toFile: "\(dir)/identities.jsonl", atomically: true, encoding: .utf8)
        let train = Process()
        train.executableURL = URL(fileURLWithPath: TestPaths.binary)
        train.arguments = ["link", "train", "--quiet", "--customers", "\(dir)/customers.jsonl", "--identities", "\(dir)/identities.jsonl",
                           "-o", "\(dir)/model.json"]
        train.currentDirectoryURL = URL(fileURLWithPath: TestPaths.root)
        train.standardOutput = FileHandle.nullDevice
        try train.run()
        train.waitUntilExit()
        #expect(train.terminationStatus == 0)
        var sources = EngineModels.Sources()
        sources.linkModel = "\(dir)/model.json"
        sources.customers = "\(dir)/customers.jsonl"
        let engine = RPCEngine(models: try EngineModels(sources), access: AccessPolicy(tokens: [:]))
        let r = try response(#"{"jsonrpc":"2.0","id":2,"method":"identity.resolve","params":{"identity":{"platform":"wechat","uid":"9","nickname":"梓萱","phone":"+86 138 1234 5678"},"candidates":2}}"#, engine)
        #expect(r["result"]?["customer"] == .string("C1"))
        #expect(r["result"]?["status"] == .string("confirmed"))
        #expect(r["result"]?["rule"] == .string("verified_phone"))
        #expect(r["result"]?["uid"] == .string("9"))
        if case .array(let terms)? = r["result"]?["explain"] { #expect(!terms.isEmpty) } else { Issue.record("no explain") }
        let bad = try response(#"{"jsonrpc":"2.0","id":3,"method":"identity.resolve","params":{"identity":"王伟"}}"#, engine)
        #expect(code(bad) == "-32602")
        let noUID = try response(#"{"jsonrpc":"2.0","id":4,"method":"identity.resolve","params":{"identity":{"platform":"weibo","nickname":"王伟"}}}"#, engine)
        #expect(code(noUID) == "-32602")
        #expect(noUID["error"]?["message"]?.stringValue?.contains("uid") == true)
    }

    @Test func reloadNeedsAnAdminTokenWhenTokensAreConfigured() throws {
        let guarded = engine(tokens: ["s3cret": .admin, "viewer": .analyst])
        let reload = #"{"jsonrpc":"2.0","id":1,"method":"model.reload","params":{TOKEN}}"#
        #expect(code(try response(reload.replacingOccurrences(of: "TOKEN", with: ""), guarded, uid: 0)) == "-32001")
        #expect(code(try response(reload.replacingOccurrences(of: "TOKEN", with: #""token":"viewer""#), guarded)) == "-32001")
        #expect(code(try response(reload.replacingOccurrences(of: "TOKEN", with: #""token":"wrong""#), guarded)) == "-32001")
        let ok = try response(reload.replacingOccurrences(of: "TOKEN", with: #""token":"s3cret""#), guarded)
        #expect(ok["result"]?["reloaded"] == .bool(true), "\(ok)")
        // Without a token file only the server's own uid may reload.
        let open = engine()
        #expect(code(try response(reload.replacingOccurrences(of: "TOKEN", with: ""), open, uid: 4242)) == "-32001")
        #expect(try response(reload.replacingOccurrences(of: "TOKEN", with: ""), open, uid: open.access.serverUID)["result"] != nil)
    }

    @Test func aReloadThatFailsKeepsTheOldModels() throws {
        let path = "/tmp/qingting-test-corrupt-\(getpid()).qtlin"
        try FileIO.writeAtomically(Array("QTLINMDL but not a model".utf8), to: path)
        defer { unlink(path) }
        var limits = RPCEngine.Limits()
        limits.reload = ReloadPolicy(directories: ["/tmp"])
        let engine = RPCEngine(models: Self.models, limits: limits)
        let before = engine.models
        let r = try response(#"{"jsonrpc":"2.0","id":1,"method":"model.reload","params":{"sentiment_model":"\#(path)"}}"#, engine)
        #expect(code(r) == "-32602")
        #expect(r["error"]?["message"]?.stringValue?.contains("reload failed") == true, "\(r)")
        #expect(r["error"]?["message"]?.stringValue?.contains("but not a model") == false, "file content quoted: \(r)")
        #expect(engine.models === before)
        #expect(engine.metrics.snapshot()["reloads"] == .number("0"))
    }

    @Test func uidsOutsideTheAllowListAreNotAdmitted() {
        let policy = AccessPolicy(allowedUIDs: [1234])
        #expect(policy.admits(uid: 1234))
        #expect(policy.admits(uid: policy.serverUID))
        #expect(!policy.admits(uid: 4321))
    }

    @Test func tokenFilesAreCheckedLineByLine() throws {
        let path = "/tmp/qingting-test-tokens-\(getpid()).tsv"
        defer { unlink(path) }
        try FileIO.writeAtomically(Array("# roles\nabc\tadmin\n\nxyz\tagent\n".utf8), to: path)
        #expect(try AccessPolicy.readTokens(path) == ["abc": .admin, "xyz": .agent])
        try FileIO.writeAtomically(Array("abc\tadmin\r\nxyz\tboss\nsecret-token\n".utf8), to: path)
        #expect(throws: QingtingErrors.self) { try AccessPolicy.readTokens(path) }
        // Every bad line is listed, and neither a token nor a role written in the file is echoed.
        do { _ = try AccessPolicy.readTokens(path) } catch {
            #expect("\(error)" == "\(path):2: role in column 2 is not a role of the roles file (admin, strategy, execution, support, sales, finance, analyst, agent)\n\(path):3: expected token<TAB>role[<TAB>name]")
        }
        try FileIO.writeAtomically([0xEF, 0xBB, 0xBF] + Array("abc\tadmin\r\nxyz\tagent\r\n".utf8), to: path)
        #expect(try AccessPolicy.readTokens(path) == ["abc": .admin, "xyz": .agent])
        // A third column names the token for the audit log; without one, a short hash stands in.
        try FileIO.writeAtomically(Array("abc\tadmin\tops-console\nxyz\tagent\n".utf8), to: path)
        let file = try AccessPolicy.readTokenFile(path)
        #expect(file.roles == ["abc": .admin, "xyz": .agent] && file.names == ["abc": "ops-console"])
        let policy = AccessPolicy(tokens: file.roles, tokenNames: file.names)
        #expect(policy.tokenName("abc") == "ops-console")
        #expect(policy.tokenName("xyz") == "sha256:3608bca1")  // printf xyz | sha256sum
    }
}

extension JSONValue {
    var isArray: Bool { if case .array = self { true } else { false } }
    var firstItem: JSONValue? { if case .array(let items) = self { items.first } else { nil } }
}
