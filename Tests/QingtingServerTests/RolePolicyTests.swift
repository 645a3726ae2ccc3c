import Foundation
import OrderedCollections
import QingtingCore
@testable import QingtingServer
import Synchronization
import TestSupport
import Testing

/// A clock tests move by hand.
final class TestClock: Sendable {
    let millis: Mutex<Int64>
    init(_ iso: String) { millis = Mutex(Self.ms(iso)) }
    static func ms(_ iso: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince1970 * 1000) }
    func set(_ iso: String) { millis.withLock { $0 = Self.ms(iso) } }
    var now: Int64 { millis.withLock { $0 } }
}

/// The roles file: what it reads, how it says what is wrong, the field selectors, the grants and
/// their expiry, and the rules of who runs as which role.
@Suite struct RolePolicyTests {
    static let small = """
        version t1
        anonymous none
        field contact
          members fields.phone author.phone
          params customer.search:phone
        field orders
          members events[kind=order] activity.orders
        role admin
          methods *
          fields *
        role reader
          methods engine.info text.* customer.*
          fields orders
        grant campaign
          summary 双11
          role admin
          tokens ops
          until 2026-11-12T00:00:00+08:00

        """

    @Test func theShippedFileReads() throws {
        let policy = try RolePolicy.load(nil)
        #expect(policy.roles.map(\.name) == ["admin", "strategy", "execution", "support", "sales", "finance", "analyst", "agent"])
        #expect(policy.fields.map(\.name) == ["contact", "identities", "social", "orders"])
        #expect(policy.anonymous == "strategy")
        let all = Set(RPCEngine.methodNames)
        #expect(policy.role("admin")?.methods == all)
        #expect(policy.role("strategy")?.methods == all.subtracting(["model.reload"]))
        // The first token files' roles keep what they could do, and get no method added later by default.
        let then: Set<String> = [
            "engine.info", "rpc.discover", "text.segment", "text.analyze", "identity.resolve", "event.ingest", "sync.status",
            "customer.get", "customer.search", "segment.list", "segment.members", "feed.read", "alerts.subscribe", "action.ack",
            "ticket.list", "ticket.get", "ticket.update", "kpi.report", "ab.report", "audience.export",
        ]
        for name in ["analyst", "agent"] {
            #expect(policy.role(name)?.methods == then && policy.role(name)?.fields.count == 4, "\(name)")
        }
        #expect(policy.role("support")?.ticketedOnly == true)
        #expect(policy.role("execution")?.fields == ["social", "identities"])
        #expect(policy.role("finance")?.fields == ["orders"])
        #expect(policy.role("execution")?.methods.contains("audience.export") == false)
    }

    @Test func everyProblemIsReportedAsFileLine() throws {
        let text = """
            anonymous nobody
            field contact
              members fields..phone events[kind]
              params customer.search
            role admin
              methods * nosuch.method
              fields contact money
            role helper
              summary no methods line
              customers ticketed
            role scoped
              methods event.ingest alerts.subscribe ticket.update customer.get
              customers ticketed
            grant g
              role ghost
              tokens
              until 2026-12-31
            bogus line
              indented nothing
            """
        do {
            _ = try RolePolicy.parse(text, source: "r.txt")
            Issue.record("no error")
        } catch let errors as QingtingErrors {
            let lines = errors.errors.map(\.description)
            #expect(lines.contains("r.txt:3: 'fields..phone' is not a member path (name.name… with at most one [member=value|value…] or [member!=…] at its end)"))
            #expect(lines.contains { $0.hasPrefix("r.txt:3: 'events[kind]' is not a member path") })
            #expect(lines.contains("r.txt:4: 'customer.search' is not METHOD:PARAM with METHOD a method of the server"))
            #expect(lines.contains("r.txt:6: 'nosuch.method' names no method of the server (rpc.discover lists them)"))
            #expect(lines.contains("r.txt:7: 'money' is not a declared field (contact, or *)"))
            #expect(lines.contains("r.txt:8: role helper has no methods line"))
            #expect(lines.contains("r.txt:11: role scoped is 'customers ticketed' and cannot be given alerts.subscribe (its customers are known only after it acted)"))
            #expect(lines.contains("r.txt:11: role scoped is 'customers ticketed' and cannot be given event.ingest (its customers are known only after it acted)"))
            #expect(!lines.contains { $0.contains("ticket.update") })  // its customers are the ticket's
            #expect(lines.contains("r.txt:16: tokens needs at least one token name"))
            #expect(lines.contains("r.txt:17: until is an ISO 8601 time with its zone, such as 2026-12-31T00:00:00+08:00"))
            #expect(lines.contains("r.txt:15: grant g: 'ghost' is not a role of the file"))
            #expect(lines.contains("r.txt:1: anonymous: 'nobody' is not a role of the file"))
            #expect(lines.contains { $0.hasPrefix("r.txt:18: expected 'version', 'anonymous'") })
            #expect(lines.contains("r.txt:19: an indented line belongs to a 'field', 'role' or 'grant' block"))
            #expect(lines.contains("r.txt: the file has no 'version' line"))
        }
    }

    @Test func selectorsRemoveFieldsAtAnyDepthAndRowsByPredicate() throws {
        let filter = FieldFilter([
            ("contact", FieldSelector("fields.phone")!), ("contact", FieldSelector("author.phone")!),
            ("orders", FieldSelector("events[kind=order|refund]")!), ("social", FieldSelector("posts[kind!=order]")!),
        ])
        let value = try JSONValue.parse("""
            {"fields":{"phone":{"value":"138"},"city":{"value":"杭州"}},
             "deep":[{"x":{"fields":{"phone":"139","name":"n"}}}],
             "phone":"kept: not under fields",
             "events":[{"kind":"order","author":{"phone":"137","uid":"u"}},{"kind":"post","author":{"phone":"136","uid":"v"}},{"kind":"refund"},3],
             "posts":[{"kind":"order"},{"kind":"dm"},{"text":"no kind"}],
             "ticket":{"events":[1,2]}}
            """)
        let (out, removed) = filter.apply(value)
        #expect(removed == ["contact", "orders", "social"])
        #expect(out.jsonText == #"{"fields":{"city":{"value":"杭州"}},"deep":[{"x":{"fields":{"name":"n"}}}],"phone":"kept: not under fields","events":[{"kind":"post","author":{"uid":"v"}},3],"posts":[{"kind":"order"}],"ticket":{"events":[1,2]}}"#)
        #expect(filter.present(in: out).isEmpty)
        #expect(FieldSelector("a.b[c!=d|e]")?.predicate == .init(member: "c", values: ["d", "e"], negated: true))
        for bad in ["", "a..b", "a[b]", "a[=c]", "a[b=]", "a.b[c=d]e", "[c=d]"] { #expect(FieldSelector(bad) == nil, "\(bad)") }
    }

    @Test func aGrantWorksUntilItsEndWithNobodyActing() throws {
        let policy = try RolePolicy.parse(Self.small, source: "small.txt")
        let clock = TestClock("2026-11-11T15:59:59Z")
        let access = AccessPolicy(tokens: ["t-ops": .init(rawValue: "reader"), "t-other": .init(rawValue: "reader")],
                                  tokenNames: ["t-ops": "ops"], roles: RoleSource(policy), clock: { clock.now })
        let engine = RPCEngine(models: RPCEngineTests.models, access: access)
        func call(_ method: String, _ token: String) throws -> JSONValue {
            let line = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{"token":"\#(token)"}}"#
            return try JSONValue.parse(try #require(engine.handle(line: line).response))
        }
        // ops holds admin through the grant (until 16:00 UTC = 00:00 +08:00); the other reader does not.
        #expect(try call("rpc.discover", "t-ops")["result"] != nil)
        #expect(try call("rpc.discover", "t-other")["error"]?["data"]?["role"] == .string("reader"))
        #expect(try access.authorize("rpc.discover", token: "t-ops", uid: nil).role == "reader+grant:campaign")
        clock.set("2026-11-11T16:00:00Z")
        let after = try call("rpc.discover", "t-ops")
        #expect(after["error"]?["code"] == .number("-32001") && after["error"]?["data"]?["role"] == .string("reader"))
        #expect(try call("engine.info", "t-ops")["result"] != nil)  // the token's own role still works
        #expect(policy.grants[0].isActive(at: clock.now - 1) && !policy.grants[0].isActive(at: clock.now))
    }

    @Test func whoRunsAsWhichRole() throws {
        let policy = try RolePolicy.parse(Self.small, source: "small.txt")
        let me = UInt32(getuid())
        let open = AccessPolicy(roles: RoleSource(policy))
        // Without a token file the server's own uid (or an in-process call) is admin; another uid
        // takes the anonymous role, and this file has none.
        #expect(try open.authorize("model.reload", token: nil, uid: me).role == "admin")
        #expect(try open.authorize("model.reload", token: "ignored without a token file", uid: nil).role == "admin")
        #expect(throws: RPCError.self) { try open.authorize("engine.info", token: nil, uid: me &+ 1) }
        let tokens = AccessPolicy(tokens: ["t": .init(rawValue: "reader"), "gone": .init(rawValue: "removed")],
                                  roles: RoleSource(policy))
        for (token, reason) in [(nil, "token"), ("wrong", "token"), ("gone", "role")] as [(String?, String)] {
            do {
                _ = try tokens.authorize("engine.info", token: token, uid: me)
                Issue.record("\(token ?? "nil") was let in")
            } catch let e as RPCError {
                #expect(e.code == .unauthorized && e.data.first { $0.0 == "reason" }?.1 == .string(reason))
                #expect(!e.message.contains("wrong") && !e.message.contains("gone"))
            }
        }
        let reader = try tokens.authorize("customer.search", token: "t", uid: me)
        #expect(reader.role == "reader" && reader.refusedParams.map(\.param) == ["phone"])
        #expect(throws: RPCError.self) { try reader.check(["phone": .string("13800138000")], method: "customer.search") }
        try reader.check(["tag": .string("近期活跃")], method: "customer.search")
        // The token file's roles are those of the roles file; a line with another is named, not quoted.
        let path = NSTemporaryDirectory() + "qingting-role-tokens-\(getpid()).tsv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileIO.writeAtomically(Array("a\treader\tops\nb\tstrategy\n".utf8), to: path)
        do {
            _ = try AccessPolicy.readTokenFile(path, roles: policy)
            Issue.record("no error")
        } catch {
            #expect("\(error)" == "\(path):2: role in column 2 is not a role of the roles file (admin, reader)")
        }
    }

    @Test func rolesGrantAppendsAGrantARunningSourceTakesWithinASecond() throws {
        let path = NSTemporaryDirectory() + "qingting-roles-\(getpid())-\(UUID().uuidString.prefix(6)).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileIO.writeAtomically(Array(Self.small.utf8), to: path)
        let source = try RoleSource(watching: path)
        #expect(source.policy.grants.map(\.name) == ["campaign"])
        // A grant for a role the file does not define is refused, and the file is left as it was.
        #expect(throws: QingtingErrors.self) {
            try RolePolicy.appendGrant(to: path, name: "bad", role: "ghost", tokens: ["ops"], until: 1)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.small)
        let until = TestClock.ms("2027-01-01T00:00:00Z")
        try RolePolicy.appendGrant(to: path, name: "spring", role: "admin", tokens: ["ops", "sha256:0697f22d"], until: until,
                                   summary: "春节 campaign")
        Thread.sleep(forTimeInterval: 1.1)
        let grant = try #require(source.policy.grants.last)
        #expect(grant.name == "spring" && grant.tokens == ["ops", "sha256:0697f22d"] && grant.until == until && grant.summary == "春节 campaign")
        // A broken edit keeps the roles in force.
        try FileIO.writeAtomically(Array("version x\nrole admin\n".utf8), to: path)
        Thread.sleep(forTimeInterval: 1.1)
        #expect(source.policy.grants.map(\.name) == ["campaign", "spring"])
    }
}
