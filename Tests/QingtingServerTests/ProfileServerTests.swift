import Foundation
import QingtingCore
import TestSupport
import Testing

/// `customer.get` and `customer.search` over the real socket, answering what the CLI prints.
@Suite(.serialized) struct ProfileServerTests {
    @Test func customerGetAnswersWhatCustomerShowPrintsAndSearchFindsByIdentity() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        try Data(#"{"id":"C3","gender":"女","city":"上海","identities":[{"platform":"weibo","uid":"2222222222"}]}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: customers))
        let imported = try runQingting(["customers", "import", "--store", store, "--now", "2026-01-01T00:00:00Z", customers])
        #expect(imported.status == 0, "\(imported.stderr)")

        let server = try ServerHarness(["--store", store])
        let weibo = EventServerTests.payloads("weibo/comments.jsonl")[0]
        let stored = try EventServerTests.results(server.call(EventServerTests.request(1, "event.ingest", #"{"payload":\#(weibo)}"#)))
        #expect(stored.map { $0["status"] } == [.string("stored"), .string("stored")])

        let line = try server.call(EventServerTests.request(2, "customer.get", #"{"id":"C3","now":"2011-06-02T00:00:00Z"}"#))
        let profile = try #require(try JSONValue.parse(line)["result"])
        #expect(profile["id"] == .string("C3"))
        #expect(profile["journey"]?["stage"] == .string("认知"))
        guard case .array(let tags)? = profile["tags"] else { Issue.record("no tags"); return }
        #expect(tags.contains { $0["tag"] == .string("性别:女") && $0["kind"] == .string("static") })
        // The complaint raises the predicted churn risk.
        guard case .number(let churn)? = profile["predicted"]?["churn_risk"] else { Issue.record("no churn risk"); return }
        #expect((Double(churn) ?? 0) > 0.4)
        let found = try server.result("customer.search", #"{"identity":{"platform":"weibo","uid":"2222222222"}}"#)
        #expect(found["customers"]?.jsonText.contains(#""id":"C3""#) == true)
        let missing = try server.call(EventServerTests.request(3, "customer.get", #"{"id":"C404"}"#))
        #expect(ServerIntegrationTests.errorCode(missing) == "-32004")
        let twoCriteria = try server.call(EventServerTests.request(4, "customer.search", #"{"name":"a","tag":"b"}"#))
        #expect(ServerIntegrationTests.errorCode(twoCriteria) == "-32602")
        let segments = try server.result("segment.list", #"{"now":"2011-06-02T00:00:00Z"}"#)
        #expect(segments["segments"]?.jsonText.contains(#""name":"koc_pool""#) == true)
        let members = try server.result("segment.members", #"{"name":"silent","now":"2011-08-01T00:00:00Z"}"#)
        #expect(members["count"] == .number("1"))
        let noSegment = try server.call(EventServerTests.request(5, "segment.members", #"{"name":"nope"}"#))
        #expect(ServerIntegrationTests.errorCode(noSegment) == "-32004")
        server.stopAndReadErrors()

        // The CLI prints the same object from the same store at the same --now.
        let shown = try runQingting(["customer", "show", "--store", store, "--now", "2011-06-02T00:00:00Z", "C3"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try JSONValue.parse(shown.stdout.trimmingCharacters(in: .newlines)) == profile)
        let check = try runQingting(["rebuild", "--store", store, "--check"])
        #expect(check.status == 0, "\(check.stdout)")
    }
}
