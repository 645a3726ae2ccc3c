import Foundation
import OrderedCollections
import QingtingCore
import TestSupport
import Testing

/// End-to-end: `ab report`, `ab assign` and `audience export` on the built binary.
@Suite struct EvaluateCLITests {
    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) }

    /// A store of 240 customers (every 40th opted out), a quarter of whom order in January 2026.
    static func store(_ s: EventCLITests.Scratch) throws -> String {
        let customers = (1...240).map { i in
            #"{"id":"C\#(i)","phone":"139\#(String(format: "%08d", i))"\#(i % 40 == 0 ? #","consent":"opt_out""# : "")}"#
        }
        let events = (1...240).filter { $0 % 4 == 0 }.map { i in
            #"{"id":"o\#(i)","user":"u\#(i)","phone":"139\#(String(format: "%08d", i))","type":"order","at":\#(1_767_225_600_000 + Int64(i) * 60_000)}"#
        }
        let mapping = try s.write("mapping.json", [#"{"event_id":"id","uid":"user","time":"at","time_format":"unix_ms","kind":"type","author":{"phone":"phone"}}"#])
        let imported = try runQingting(["customers", "import", "--store", s.store, try s.write("customers.jsonl", customers)])
        #expect(imported.status == 0, "\(imported.stderr)")
        let ingested = try runQingting(["ingest", "--store", s.store, "--platform", "generic", "--mapping", mapping,
                                        "--now", "2026-02-01T00:00:00Z", try s.write("events.jsonl", events)])
        #expect(ingested.status == 0, "\(ingested.stderr)")
        return s.store
    }

    @Test func abReportAndAssignThroughTheCLI() throws {
        let s = EventCLITests.Scratch()
        let store = try Self.store(s)
        let run = try runQingting(["ab", "report", "--store", store, "--now", "2026-02-01T00:00:00Z", "coupon-copy-2026q1"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try Self.json(run.stdout)
        #expect(report["test"] == .string("two-proportion z-test (pooled), two-sided"))
        guard case .array(let variants)? = report["variants"] else { Issue.record("no variants: \(run.stdout)"); return }
        #expect(variants.map { $0["name"]?.stringValue } == ["plain", "deadline"])
        let assigned = variants.compactMap { Int($0["assigned"]?.jsonText ?? "") }.reduce(0, +)
        let converted = variants.compactMap { Int($0["converted"]?.jsonText ?? "") }.reduce(0, +)
        #expect(assigned == 240 && converted == 60)
        #expect(report["comparisons"]?.jsonText.contains(#""variant":"deadline","control":"plain""#) == true)
        // 120 customers a variant, 30 conversions: over 100 and 10 each, so no warning; a fixed --now is the same bytes.
        #expect(report["warning"] == nil)
        let again = try runQingting(["ab", "report", "--store", store, "--now", "2026-02-01T00:00:00Z", "coupon-copy-2026q1"])
        #expect(again.stdout == run.stdout)

        let assign = try runQingting(["ab", "assign", "--experiment", "coupon-copy-2026q1", "C001"])
        #expect(try Self.json(assign.stdout) == JSONValue.object([
            "experiment": .string("coupon-copy-2026q1"), "customer": .string("C001"), "variant": .string("deadline"),
            "unit": .number("0.7934291"),
        ]))
        let unknown = try runQingting(["ab", "report", "--store", store, "nope"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no experiment 'nope'"))
    }

    @Test func audienceExportWritesEachPlatformsFileAndNeverAnOptedOutCustomer() throws {
        let s = EventCLITests.Scratch()
        let store = try Self.store(s)
        let meta = try runQingting(["audience", "export", "--store", store, "--segment", "all", "--format", "meta"])
        #expect(meta.status == 0, "\(meta.stderr)")
        let lines = meta.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "EMAIL,PHONE" && lines.count == 1 + 234)
        // C1's phone 13900000001 → 8613900000001 → SHA-256 (printf %s 8613900000001 | sha256sum).
        let c1 = "," + sha256Hex("8613900000001")
        #expect(lines.contains(c1))
        // C40's (opted out) hash is nowhere.
        #expect(!meta.stdout.contains(sha256Hex("8613900000040")))
        let summary = try Self.json(meta.stderr)
        #expect(summary["exported"] == .number("234") && summary["skipped_opted_out"] == .number("6"))

        let out = s.folder + "/tencent.txt"
        let tencent = try runQingting(["audience", "export", "--store", store, "--segment", "all", "--format", "tencent",
                                       "--id-type", "SHA256_MOBILE_PHONE", "--output", out])
        #expect(tencent.status == 0 && tencent.stdout.isEmpty, "\(tencent.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(written.count == 234 && written.contains(Substring(sha256Hex("13900000001"))))
        let ocean = try runQingting(["audience", "export", "--store", store, "--segment", "all", "--format", "oceanengine"])
        #expect(ocean.stdout.split(separator: "\n").count == 1 && ocean.stdout.hasPrefix("CkQQBhpA"))

        let bad = try runQingting(["audience", "export", "--store", store, "--segment", "vip", "--format", "google"])
        #expect(bad.status != 0 && bad.stderr.contains("no segment 'vip'") && bad.stderr.contains("沉默用户"))
        #expect(!bad.stderr.contains("139000"))
        let format = try runQingting(["audience", "export", "--store", store, "--segment", "all", "--format", "tiktok"])
        #expect(format.status != 0)
    }

    /// SHA-256 hex by the system's sha256sum, not the code under test.
    func sha256Hex(_ s: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try? p.run()
        input.fileHandleForWriting.write(Data(s.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
