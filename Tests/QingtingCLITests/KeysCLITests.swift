import Foundation
import QingtingCore
import TestSupport
import Testing

/// End-to-end: `keys generate`, an encrypted store through `customers import`, `ingest` and
/// `customer search`, `--key-file` and `QINGTING_KEY_FILE`, `keys rotate`, on the built binary.
@Suite struct KeysCLITests {
    static let crm = [
        #"{"id":"C1","name":"王小明","phone":"+86 138-1234-5678","email":"wang.xm@qq.com","identities":[{"platform":"weibo","uid":"2222222222"}]}"#,
    ]

    /// The built binary with `QINGTING_KEY_FILE` set to `keyFile` (runQingting passes the test's own environment).
    static func run(_ arguments: [String], keyFile: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.root)
        var environment = ProcessInfo.processInfo.environment
        environment["QINGTING_KEY_FILE"] = keyFile
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func anEncryptedStoreWorksThroughTheCLIAndRotates() throws {
        let s = EventCLITests.Scratch()
        let old = s.folder + "/old.key", new = s.folder + "/new.key"
        let generated = try runQingting(["keys", "generate", old])
        #expect(generated.status == 0, "\(generated.stderr)")
        let oldID = try EventCLITests.json(generated.stdout)["key_id"]?.stringValue
        #expect(oldID?.count == 8)
        let again = try runQingting(["keys", "generate", old])
        #expect(again.status != 0 && again.stderr.contains("never overwritten"))

        let crm = try s.write("crm.jsonl", Self.crm)
        let payloads = try s.write("p.jsonl", EventCLITests.payloads("weibo/comments.jsonl"))
        let imported = try runQingting(["customers", "import", "--store", s.store, "--key-file", old, crm])
        #expect(imported.status == 0, "\(imported.stderr)")
        // The environment variable serves when no --key-file is given.
        let ingested = try Self.run(["ingest", "--store", s.store, "--now", "2026-01-01T00:00:00Z", payloads], keyFile: old)
        #expect(ingested.status == 0, "\(ingested.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: s.store)) + ((try? Data(contentsOf: URL(fileURLWithPath: s.store + "-wal"))) ?? Data())
        for secret in ["王小明", "13812345678", "wang.xm@qq.com", "客服态度太差"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in the clear")
        }

        let found = try runQingting(["customer", "search", "--store", s.store, "--key-file", old, "--phone", "13812345678"])
        #expect(found.status == 0 && found.stdout.contains(#""id":"C1""#), "\(found.stdout) \(found.stderr)")
        let keyless = try runQingting(["events", "--store", s.store])
        #expect(keyless.status != 0 && keyless.stderr.contains("--key-file") && keyless.stderr.contains("QINGTING_KEY_FILE"))
        #expect(!keyless.stderr.contains("王小明"))

        #expect(try runQingting(["keys", "generate", new]).status == 0)
        let rotated = try runQingting(["keys", "rotate", "--store", s.store, "--key-file", old, "--new-key-file", new,
                                       "--batch", "1"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let summary = try EventCLITests.json(rotated.stdout)
        #expect(summary["retired"] == .array([.string(oldID ?? "")]))
        let stale = try runQingting(["events", "--store", s.store, "--key-file", old])
        #expect(stale.status != 0 && stale.stderr.contains("do not hold key"))
        let events = try runQingting(["events", "--store", s.store, "--key-file", new])
        #expect(events.status == 0 && events.stdout.contains("客服态度太差"), "\(events.stderr)")

        // A key file others may read is refused.
        chmod(new, 0o640)
        let loose = try runQingting(["events", "--store", s.store, "--key-file", new])
        #expect(loose.status != 0 && loose.stderr.contains("has mode 0640"))
    }
}
