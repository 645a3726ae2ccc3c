import Testing
import QingtingCore
import OrderedCollections
@testable import QingtingMatch

#if canImport(Glibc)
import Glibc
#endif

/// The identity graph: a person's accounts are joined by rare identifiers and resolved
/// together; shared infrastructure joins nobody; probabilities compete between candidates.
@Suite struct IdentityGraphTests {
    /// 300 generated customers and their identities, plus a hand-written person and a crowd.
    func run(_ name: String, extraCustomers: [String], extraIdentities: [String]) throws -> (LinkRun, [SocialPreset.IdentityLink]) {
        let dir = "/tmp/qingting-graph-test-\(getpid())-\(name)"
        mkdir(dir, 0o755)
        let g = IdentityGenerator(customerCount: 300, seed: 11)
        for (name, lines) in [("customers.jsonl", g.customerLines() + extraCustomers), ("identities.jsonl", g.identityLines() + extraIdentities)] {
            try FileIO.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: "\(dir)/\(name)")
        }
        let (settings, json) = try SocialPreset.settings()
        let records = try SocialPreset.loadRecords(customers: "\(dir)/customers.jsonl", identities: "\(dir)/identities.jsonl",
                                                   settings: settings, cities: LinkageTests.cities)
        let run = try LinkPipeline.run(records: records, model: nil, settings: settings, settingsJSON: json)
        return (run, SocialPreset.identityLinks(run))
    }

    func link(_ links: [SocialPreset.IdentityLink], _ run: LinkRun, _ id: String) -> SocialPreset.IdentityLink? {
        links.first { run.records.ids[$0.record] == id }
    }

    @Test func anAccountWithNoEvidenceReachesItsCustomerThroughASharedAdvertisingId() throws {
        let customer = #"{"id":"CX1","name":"欧阳娜娜","phone":"13912345678","gender":"女","city":"杭州"}"#
        let identities = [
            // Shows the customer's number masked, and the phone's advertising id.
            #"{"platform":"weibo","uid":"w1","nickname":"快乐的小鱼","phone":"139****5678","device":["6D92078A-8246-4BA4-AE5B-76104861E7DC"]}"#,
            // Shows nothing of the customer: only the same advertising id.
            #"{"platform":"douyin","uid":"d1","nickname":"用户7730021","device":["6D92078A-8246-4BA4-AE5B-76104861E7DC"]}"#,
            // Four strangers behind one all-zero id (limit ad tracking): they join nobody.
        ] + (1...4).map { #"{"platform":"kuaishou","uid":"k\#($0)","nickname":"快手用户\#($0)","device":["00000000-0000-0000-0000-000000000000"]}"# }
        let (run, links) = try run("device", extraCustomers: [customer], extraIdentities: identities)
        let w1 = try #require(link(links, run, "weibo:w1")), d1 = try #require(link(links, run, "douyin:d1"))
        #expect(w1.customer.map { run.records.ids[$0] } == "CX1" && w1.via == nil)
        #expect(d1.customer.map { run.records.ids[$0] } == "CX1")
        #expect(d1.via.map { run.records.ids[$0] } == "weibo:w1")
        #expect(w1.cluster == "CX1" && d1.cluster == "CX1")
        // The explanation says which account the phone evidence came from.
        let members = SocialPreset.members(d1, run: run)
        guard case .array(let terms)? = members["explain"] else { Issue.record("no explain"); return }
        #expect(terms.contains { $0["comparison"] == .string("phone") && $0["from"] == .string("weibo:w1") })
        // The all-zero id is too common to join anyone, so each stranger is a person of their own.
        let crowd = (1...4).compactMap { link(links, run, "kuaishou:k\($0)") }
        #expect(Set(crowd.map(\.cluster)).count == 4 && crowd.allSatisfy { $0.customer == nil })
        #expect(run.resolution!.graph.commonValuesSkipped >= 1)
    }

    /// Online resolving uses the same graph: a new identity that shares the advertising id of an
    /// identity the batch linked reaches that customer, `via` it; without the known identities it
    /// reaches nobody.
    @Test func onlineResolveReachesTheCustomerOfAKnownIdentityWithTheSameAdvertisingId() throws {
        let customer = #"{"id":"CX2","name":"司马光","phone":"13587654321","gender":"男","city":"西安"}"#
        let known = #"{"platform":"weibo","uid":"w2","nickname":"一只咸鱼","phone":"135****4321","device":["1A2B3C4D-0000-4000-8000-00000000ABCD"]}"#
        let (run, links) = try run("online", extraCustomers: [customer], extraIdentities: [known])
        let dir = "/tmp/qingting-graph-online-\(getpid())"
        mkdir(dir, 0o755)
        let identityLines = try String(decoding: FileIO.read("/tmp/qingting-graph-test-\(getpid())-online/identities.jsonl"), as: UTF8.self)
        try FileIO.writeAtomically(Array(identityLines.utf8), to: "\(dir)/identities.jsonl")
        try FileIO.writeAtomically(Array((links.map { SocialPreset.line($0, run: run, explain: false) }.joined(separator: "\n") + "\n").utf8),
                                   to: "\(dir)/links.jsonl")
        let customers = try SocialPreset.loadRecords(customers: "/tmp/qingting-graph-test-\(getpid())-online/customers.jsonl", identities: nil,
                                                     settings: run.model.settings, cities: LinkageTests.cities)
        let graph = try KnownIdentities.load(identities: "\(dir)/identities.jsonl", links: "\(dir)/links.jsonl",
                                             settings: run.model.settings, cities: LinkageTests.cities)
        let query = SocialPreset.queryFields(try JSONValue.parse(#"{"platform":"douyin","uid":"d2","nickname":"用户99","device":["1A2B3C4D-0000-4000-8000-00000000ABCD"]}"#))
        let withGraph = try IdentityIndex(model: run.model, records: customers, cities: LinkageTests.cities, known: graph).resolve(query)
        #expect(withGraph.customer.map { customers.ids[$0.record] } == "CX2" && withGraph.via == "weibo:w2")
        let alone = try IdentityIndex(model: run.model, records: customers, cities: LinkageTests.cities).resolve(query)
        #expect(alone.customer == nil && alone.via == nil)
    }

    @Test func aMaskedPhoneCompatibleWithTwoCustomersIsNotALink() throws {
        // Two customers whose numbers both fit 137****0000; the identity shows only that mask.
        let customers = [#"{"id":"CY1","name":"张伟","phone":"13711110000"}"#, #"{"id":"CY2","name":"李强","phone":"13722220000"}"#]
        let identity = #"{"platform":"wechat","uid":"o1","nickname":"微信用户","phone":"137****0000"}"#
        let (run, links) = try run("mask", extraCustomers: customers, extraIdentities: [identity])
        let o1 = try #require(link(links, run, "wechat:o1"))
        #expect(o1.customer == nil)
        let p = o1.pair?.probability ?? 0
        #expect(p > 0.2 && p < 0.5)  // about half each, less the chance it is neither
    }

    @Test func graphSettingsAreValidated() throws {
        func settings(_ graph: String, type: String = "link_to_master") throws -> LinkSettings {
            try LinkSettings(json: try JSONValue.parse(#"{"link_type":"\#(type)","comparisons":[{"name":"a","levels":[{"exact":true}]}],"blocking_rules":[["a"]],"graph":\#(graph)}"#), path: "s.json")
        }
        #expect(try settings(#"{"identifiers":["device"]}"#).graph == LinkSettings.Graph(identifiers: ["device"], maxShared: 3))
        #expect(throws: QingtingError.self) { try settings(#"{"identifiers":[]}"#) }
        #expect(throws: QingtingError.self) { try settings(#"{"identifiers":["device"],"max_shared":1}"#) }
        #expect(throws: QingtingError.self) { try settings(#"{"identifiers":["device"],"maxshared":3}"#) }
        #expect(throws: QingtingError.self) { try settings(#"{"identifiers":["device"]}"#, type: "link_only") }
    }
}
