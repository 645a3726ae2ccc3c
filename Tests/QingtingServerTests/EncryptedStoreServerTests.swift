import Foundation
import QingtingCore
import TestSupport
import Testing

/// `serve --store --key-file` on an encrypted store: `event.ingest` seals, `customer.search` finds
/// by phone and e-mail through the blind index, `customer.get` shows the values; without the key
/// the server does not start, and says why.
@Suite(.serialized) struct EncryptedStoreServerTests {
    @Test func anEncryptedStoreServesLookupsAndKeepsValuesOffTheDisk() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/sealed.sqlite", key = folder + "/store.key", customers = folder + "/customers.jsonl"
        #expect(try runQingting(["keys", "generate", key]).status == 0)
        try Data(#"{"id":"C7","name":"赵敏","phone":"13566667777","email":"zhao.min@example.com","identities":[{"platform":"weibo","uid":"2222222222"}]}"#.utf8 + [10])
            .write(to: URL(fileURLWithPath: customers))
        let imported = try runQingting(["customers", "import", "--store", store, "--key-file", key, customers])
        #expect(imported.status == 0, "\(imported.stderr)")

        let server = try ServerHarness(["--store", store, "--key-file", key])
        let weibo = EventServerTests.payloads("weibo/comments.jsonl")[0]
        let stored = try EventServerTests.results(server.call(EventServerTests.request(1, "event.ingest", #"{"payload":\#(weibo)}"#)))
        #expect(stored.map { $0["status"] } == [.string("stored"), .string("stored")])
        let byPhone = try server.result("customer.search", #"{"phone":"135 6666 7777"}"#)
        #expect(byPhone["customers"]?.jsonText.contains(#""id":"C7""#) == true)
        let byEmail = try server.result("customer.search", #"{"email":"Zhao.Min@example.com"}"#)
        #expect(byEmail["customers"]?.jsonText.contains(#""id":"C7""#) == true)
        let profile = try server.result("customer.get", #"{"id":"C7","now":"2011-06-02T00:00:00Z"}"#)
        #expect(profile.jsonText.contains("赵敏") && profile.jsonText.contains("客服态度太差"))
        let log = server.stopAndReadErrors()
        #expect(!log.contains("赵敏") && !log.contains("13566667777"))

        let bytes = (FileManager.default.contents(atPath: store) ?? Data()) + (FileManager.default.contents(atPath: store + "-wal") ?? Data())
        for secret in ["赵敏", "13566667777", "zhao.min@example.com", "客服态度太差", "路人甲"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in the clear")
        }
        // Without the key `serve --store` refuses to start, naming the option and the variable.
        let keyless = try runQingting(["serve", "--store", store, "--socket", folder + "/none.sock"])
        #expect(keyless.status != 0 && keyless.stderr.contains("--key-file") && keyless.stderr.contains("QINGTING_KEY_FILE"))
    }
}
