import Foundation
import OrderedCollections
import QingtingCRM
import QingtingCore
@testable import QingtingServer
import QingtingStore
import TestSupport
import Testing

/// The whole role × method × field matrix of the shipped roles file, generated from
/// `RPCMethod.all` and the file and checked cell by cell on a real store (customers, Weibo posts,
/// a ticket, views, an order): each role calls each method with its token; a method the role
/// may not call is refused with -32001 and audited as refused with the role; an allowed one keeps
/// exactly the declared fields the role sees of those the unfiltered answer holds.
@Suite(.serialized) struct RoleMatrixTests {
    /// A store built by the CLI from the report test's world: C1 (VIP, its negative post opened
    /// ticket 1) and C2 (an order, no ticket).
    static func world() throws -> (folder: String, store: String) {
        let folder = try EventServerTests.storeFolder()
        let store = folder + "/events.sqlite"
        func write(_ name: String, _ lines: [String]) throws -> String {
            let path = folder + "/" + name
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        _ = try ReportServerTests.run(["customers", "import", "--store", store, try write("c.jsonl", ReportServerTests.customers)])
        _ = try ReportServerTests.run(["ingest", "--store", store, "--platform", "weibo", "--now", "2026-11-30T00:00:00Z",
                                       try write("w.jsonl", ReportServerTests.posts)])
        _ = try ReportServerTests.run(["ingest", "--store", store, "--platform", "generic", "--mapping",
                                       try write("m.tsv", ReportServerTests.mapping), "--now", "2026-11-30T00:00:00Z",
                                       try write("g.jsonl", ReportServerTests.rows)])
        return (folder, store)
    }

    /// An engine over the store whose tokens `tok-ROLE` (named `name-ROLE`) hold each role of the file.
    static func engine(_ store: String, policy: RolePolicy, clock: @escaping @Sendable () -> Int64 = EventPipeline.clock) throws -> RPCEngine {
        var tokens: [String: AccessPolicy.Role] = [:]
        var names: [String: String] = [:]
        for role in policy.roles {
            tokens["tok-\(role.name)"] = AccessPolicy.Role(rawValue: role.name)
            names["tok-\(role.name)"] = "name-\(role.name)"
        }
        let access = AccessPolicy(tokens: tokens, tokenNames: names, roles: RoleSource(policy), clock: clock)
        return RPCEngine(models: RPCEngineTests.models, access: access, eventLog: RPCEngine.EventLog(
            store: try CRMStore(path: store), resolver: CustomerResolver(index: nil), configuration: EventPipeline.Configuration()))
    }

    /// Params each method is called with (a method added later without an entry is called with
    /// `{}`: its allowed/refused cell is still checked).
    static let samples: [String: String] = [
        "text.segment": #"{"text":"物流太慢了"}"#,
        "text.analyze": #"{"text":"物流太慢了"}"#,
        "identity.resolve": #"{"identity":{"platform":"weibo","uid":"9001"}}"#,
        "event.ingest": #"{"platform":"weibo","payload":\#(ReportServerTests.posts[3])}"#,
        "customer.get": #"{"id":"C1","now":"2026-12-01T00:00:00Z"}"#,
        "customer.search": #"{"phone":"13800138001","now":"2026-12-01T00:00:00Z"}"#,
        "segment.list": #"{"now":"2026-12-01T00:00:00Z"}"#,
        "segment.members": #"{"name":"weibo_phone_fans","now":"2026-12-01T00:00:00Z","positive_posts":true}"#,
        "feed.read": #"{"since":0}"#,
        "alerts.subscribe": #"{"since":0}"#,
        "action.ack": #"{"seq":2,"status":"read"}"#,
        "ticket.get": #"{"id":1}"#,
        "ticket.update": #"{"id":1,"assignee":"王经理"}"#,
        "kpi.report": #"{"from":"2026-11-01","until":"2026-12-01"}"#,
        "ab.report": #"{"experiment":"none"}"#,
        "audience.export": #"{"segment":"all","format":"meta","now":"2026-12-01T00:00:00Z"}"#,
    ]

    static func call(_ engine: RPCEngine, _ method: String, _ params: String, token: String) throws -> JSONValue {
        var object = try JSONValue.parse(params)
        if case .object(var members) = object { members["token"] = .string(token); object = .object(members) }
        let line = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(object.jsonText)}"#
        return try JSONValue.parse(try #require(engine.handle(line: line).response))
    }

    @Test func everyCellOfTheShippedMatrixHolds() throws {
        let (folder, store) = try Self.world()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let policy = try RolePolicy.load(nil)
        let engine = try Self.engine(store, policy: policy)
        let every = FieldFilter(policy.fields.flatMap { f in f.selectors.map { (f.name, $0) } })
        let methods = RPCEngine.methodNames
        let cells = policy.matrix(methods: methods)
        #expect(cells.count == policy.roles.count * methods.count)
        #expect(policy.roles.count >= 6 && policy.fields.count == 4 && methods.count >= 21)

        var checked = 0
        var seenUnfiltered: Set<String> = []
        var expectedAudit: [String: String] = [:]  // "token name|method" → outcome
        for method in methods {
            let params = Self.samples[method] ?? "{}"
            // What the method's answer holds with every field: the admin's call.
            let full = try Self.call(engine, method, params, token: "tok-admin")
            let unfiltered = full["result"].map(every.present) ?? []
            seenUnfiltered.formUnion(unfiltered)
            for cell in cells where cell.method == method {
                let answer = try Self.call(engine, method, params, token: "tok-\(cell.role)")
                let paramRefused = cell.refusedParams.contains { (try? JSONValue.parse(params))?[$0] != nil }
                let reason = answer["error"]?["data"]?["reason"]?.stringValue
                if !cell.allowed || paramRefused {
                    #expect(answer["error"]?["code"] == .number("-32001"), "\(cell.role) × \(method): \(answer.jsonText.prefix(200))")
                    #expect(reason == (cell.allowed ? "field" : "method"), "\(cell.role) × \(method)")
                    #expect(answer["error"]?["data"]?["role"] == .string(cell.role))
                    expectedAudit["name-\(cell.role)|\(method)"] = "refused"
                } else {
                    #expect(reason != "method" && reason != "field", "\(cell.role) × \(method) was refused: \(answer.jsonText.prefix(200))")
                    if let result = answer["result"] {
                        // Exactly the fields the role sees, of those the full answer holds; none of the others, at any depth.
                        #expect(every.present(in: result) == unfiltered.intersection(cell.fields),
                                "\(cell.role) × \(method): \(every.present(in: result).sorted()) vs \(unfiltered.sorted())")
                        expectedAudit["name-\(cell.role)|\(method)"] = "allowed"
                    } else {
                        expectedAudit["name-\(cell.role)|\(method)"] = "refused"
                    }
                }
                checked += 1
            }
        }
        #expect(checked == cells.count)
        // The answers held every declared field somewhere, so every cell's field check could fail.
        #expect(seenUnfiltered == Set(policy.fields.map(\.name)))
        let profile = try Self.call(engine, "customer.get", Self.samples["customer.get"]!, token: "tok-admin")
        #expect(every.present(in: profile["result"]!) == ["contact", "identities", "social", "orders"])

        // The audit log holds every call of a personal-data method once, with its role and outcome.
        let audited = Set(RPCMethod.all.filter { $0.personalData != nil }.map(\.name))
        let rows = try CRMStore(path: store).audit().filter { $0.entry.token?.hasPrefix("name-") == true && $0.entry.token != "name-admin" }
        var outcomes: [String: String] = [:]
        for row in rows {
            let key = "\(row.entry.token!)|\(row.entry.method)"
            #expect(outcomes[key] == nil, "\(key) recorded twice")
            outcomes[key] = row.entry.outcome
            #expect(row.entry.role == String(row.entry.token!.dropFirst("name-".count)))
        }
        #expect(!outcomes.isEmpty)
        #expect(outcomes == expectedAudit.filter {
            !$0.key.hasPrefix("name-admin|") && audited.contains(String($0.key.split(separator: "|")[1]))
        })
    }

    /// Support sees the customers on tickets only; the refusal is audited, and the fields a role
    /// does not see are recorded as withheld.
    @Test func supportSeesOnlyCustomersOnATicketAndWithheldFieldsAreAudited() throws {
        let (folder, store) = try Self.world()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let policy = try RolePolicy.load(nil)
        let engine = try Self.engine(store, policy: policy)
        let onTicket = try Self.call(engine, "customer.get", #"{"id":"C1"}"#, token: "tok-support")
        #expect(onTicket["result"]?["id"] == .string("C1"))
        #expect(onTicket["result"]?["fields"]?["phone"] != nil)  // support sees all of a ticket's customer
        let noTicket = try Self.call(engine, "customer.get", #"{"id":"C2"}"#, token: "tok-support")
        #expect(noTicket["error"]?["code"] == .number("-32001"))
        #expect(noTicket["error"]?["data"]?["reason"] == .string("customer_scope"))
        #expect(!noTicket.jsonText.contains("C2"))
        // A customer that does not exist is refused the same way: support cannot probe for ids.
        let unknown = try Self.call(engine, "customer.get", #"{"id":"C404"}"#, token: "tok-support")
        #expect(unknown["error"]?["data"]?["reason"] == .string("customer_scope"))
        let tickets = try Self.call(engine, "ticket.list", "{}", token: "tok-support")
        #expect(tickets["result"]?["tickets"]?.jsonText.contains(#""customer":"C1""#) == true)

        // Finance sees C2's order but neither her contact details nor her posts.
        let finance = try Self.call(engine, "customer.get", #"{"id":"C2","now":"2026-12-01T00:00:00Z"}"#, token: "tok-finance")
        let result = try #require(finance["result"])
        #expect(result["fields"]?["phone"] == nil && result["fields"]?["name"] == nil && result["fields"]?["level"] != nil)
        #expect(result["activity"]?["orders"] == .number("1"))
        guard case .array(let events)? = result["events"] else { Issue.record("no events"); return }
        #expect(!events.isEmpty && events.allSatisfy { $0["kind"] == .string("order") && $0["author"] == nil })
        #expect(!finance.jsonText.contains("13800138002") && !finance.jsonText.contains("想买这款手机"))

        let rows = try CRMStore(path: store).audit(who: "name-support")
        #expect(rows.map(\.entry.outcome) == ["allowed", "refused", "refused", "allowed"])
        #expect(rows[1].entry.customers == ["C2"] && rows[1].entry.error == -32001 && rows[1].entry.role == "support")
        let financeRow = try #require(try CRMStore(path: store).audit(who: "name-finance").first)
        #expect(financeRow.entry.fields.filter { $0.hasPrefix("withheld:") } == ["withheld:contact", "withheld:identities", "withheld:social"])
        #expect(financeRow.entry.role == "finance" && financeRow.entry.outcome == "allowed")
    }
}
