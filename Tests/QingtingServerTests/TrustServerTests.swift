import Foundation
import QingtingCore
import TestSupport
import Testing

/// `customer.consent`, `customer.delete` and the retention job over the real socket, and the CLI's
/// `retention`, `customer consent` and `customer delete` on the same store.
@Suite(.serialized) struct TrustServerTests {
    static let customer = #"{"id":"C3","name":"林小雨","phone":"13812345678","email":"lin.xiaoyu@example.com","identities":[{"platform":"weibo","uid":"2222222222"}]}"#

    static func storeWithCustomer() throws -> (folder: String, store: String) {
        let folder = try EventServerTests.storeFolder()
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        try Data(Self.customer.utf8 + [10]).write(to: URL(fileURLWithPath: customers))
        let imported = try runQingting(["customers", "import", "--store", store, "--now", "2026-01-01T00:00:00Z", customers])
        #expect(imported.status == 0, "\(imported.stderr)")
        return (folder, store)
    }

    @Test func consentAndDeletionOverTheSocketAreAuditedAndLeaveRebuildCheckPassing() throws {
        let (folder, store) = try Self.storeWithCustomer()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ServerHarness(["--store", store])
        let weibo = EventServerTests.payloads("weibo/comments.jsonl")[0]
        _ = try server.call(EventServerTests.request(1, "event.ingest", #"{"payload":\#(weibo)}"#))

        let set = try server.result("customer.consent", #"{"id":"C3","consent":"opt-out","by":"客服小王","now":"2026-01-02T00:00:00Z"}"#)
        #expect(set["consent"]?["opted_out"] == .bool(true) && set["consent"]?["changed_by"] == .string("客服小王"))
        let profile = try server.result("customer.get", #"{"id":"C3","now":"2026-01-02T00:00:00Z"}"#)
        #expect(profile["consent"] == set["consent"])
        let bad = try server.call(EventServerTests.request(2, "customer.consent", #"{"id":"C3","consent":"maybe"}"#))
        #expect(ServerIntegrationTests.errorCode(bad) == "-32602")

        let erased = try server.result("customer.delete", #"{"id":"C3","now":"2026-01-03T00:00:00Z"}"#)
        #expect(erased["erased"] == .bool(true) && erased["aggregates_kept"] == .bool(true) && erased["vacuumed"] == .bool(true))
        let gone = try server.call(EventServerTests.request(3, "customer.get", #"{"id":"C3"}"#))
        #expect(ServerIntegrationTests.errorCode(gone) == "-32004")
        let again = try server.call(EventServerTests.request(4, "customer.delete", #"{"id":"C3"}"#))
        #expect(ServerIntegrationTests.errorCode(again) == "-32004")
        let log = server.stopAndReadErrors()
        #expect(!log.contains("13812345678") && !log.contains("林小雨"))

        let audit = try runQingting(["audit", "--store", store, "--customer", "C3"])
        #expect(audit.stdout.contains(#""method":"customer.delete","access":"change","customers":["C3"]"#), "\(audit.stdout)")
        #expect(audit.stdout.contains(#""method":"customer.consent""#))
        let check = try runQingting(["rebuild", "--store", store, "--check"])
        #expect(check.status == 0, "\(check.stdout)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store))
        bytes += (try? Data(contentsOf: URL(fileURLWithPath: store + "-wal"))) ?? Data()
        for needle in ["13812345678", "lin.xiaoyu@example.com", "林小雨", "2222222222"] {
            #expect(bytes.range(of: Data(needle.utf8)) == nil, "found \(needle)")
        }
    }

    @Test func theCLIPreviewsRetentionRunsItAndEraseAndConsentWork() throws {
        let (folder, store) = try Self.storeWithCustomer()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let payloads = folder + "/weibo.jsonl"
        try Data((EventServerTests.payloads("weibo/comments.jsonl").joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: payloads))
        let ingest = try runQingting(["ingest", "--store", store, "--now", "2026-01-01T00:00:00Z", payloads])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        // The fixtures date from 2011: everything social is past 90 days.
        let preview = try runQingting(["retention", "--store", store, "--dry-run", "--now", "2026-01-01T00:00:00Z"])
        #expect(preview.status == 0, "\(preview.stderr)")
        let counts = try JSONValue.parse(preview.stdout.trimmingCharacters(in: .newlines))
        #expect(counts["mode"] == .string("dry_run"))
        guard case .number(let events)? = counts["tables"]?["events"], let n = Int(events), n > 0 else {
            Issue.record("no events to redact: \(preview.stdout)"); return
        }
        let keyMode = try FileManager.default.attributesOfItem(atPath: store + ".pseudonym-key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let applied = try runQingting(["retention", "--store", store, "--now", "2026-01-01T00:00:00Z"])
        let done = try JSONValue.parse(applied.stdout.trimmingCharacters(in: .newlines))
        #expect(done["mode"] == .string("applied") && done["tables"] == counts["tables"])
        let listed = try runQingting(["events", "--store", store])
        #expect(!listed.stdout.contains(#""text":"#), "\(listed.stdout)")
        #expect(try runQingting(["rebuild", "--store", store, "--check"]).status == 0)
        let badAge = try runQingting(["retention", "--store", store, "--older-than", "soon"])
        #expect(badAge.status != 0 && badAge.stderr.contains("--older-than"))

        let consent = try runQingting(["customer", "consent", "--store", store, "--by", "客服小王", "C3", "granted"])
        #expect(consent.status == 0 && consent.stdout.contains(#""marketing":"granted""#), "\(consent.stderr)")
        let deleted = try runQingting(["customer", "delete", "--store", store, "C3"])
        #expect(deleted.status == 0 && deleted.stdout.contains(#""aggregates_kept":true"#), "\(deleted.stderr)")
        let missing = try runQingting(["customer", "delete", "--store", store, "C3"])
        #expect(missing.status == 1 && missing.stderr.contains("no such customer"))
        #expect(try runQingting(["rebuild", "--store", store, "--check"]).status == 0)
    }

    @Test func serveRunsTheRetentionJob() throws {
        let (folder, store) = try Self.storeWithCustomer()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try ServerHarness(["--store", store, "--retention-every", "1"])
        let weibo = EventServerTests.payloads("weibo/comments.jsonl")[0]
        _ = try server.call(EventServerTests.request(1, "event.ingest", #"{"payload":\#(weibo)}"#))
        let redacted = server.eventually(15) {
            let listed = try? runQingting(["events", "--store", store])
            return listed.map { $0.status == 0 && !$0.stdout.isEmpty && !$0.stdout.contains(#""text":"#) } ?? false
        }
        #expect(redacted)
        let log = server.stopAndReadErrors()
        #expect(log.contains("retention anonymized old social data"))
        #expect(try runQingting(["rebuild", "--store", store, "--check"]).status == 0)
    }
}
