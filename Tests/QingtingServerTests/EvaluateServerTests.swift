import Foundation
import QingtingCore
import TestSupport
import Testing

/// `ab.report` and `audience.export` over the real socket answer what the CLI prints.
@Suite(.serialized) struct EvaluateServerTests {
    @Test func abReportAndAudienceExportAnswerWhatTheCLIPrints() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let customers = folder + "/customers.jsonl"
        let lines = (1...30).map { i in
            #"{"id":"C\#(i)","phone":"1370000\#(String(format: "%04d", i))","email":"u\#(i)@example.com"\#(i == 7 ? #","consent":"no""# : "")}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: customers))
        let imported = try runQingting(["customers", "import", "--store", store, customers])
        #expect(imported.status == 0, "\(imported.stderr)")
        let now = "2026-02-01T00:00:00Z"

        let server = try ServerHarness(["--store", store])
        let report = try server.result("ab.report", #"{"experiment":"coupon-copy-2026q1","now":"\#(now)"}"#)
        #expect(report["test"] == .string("two-proportion z-test (pooled), two-sided"))
        // 30 customers, no orders: too small to tell.
        #expect(report["warning"]?.stringValue?.contains("sample too small to tell") == true)
        let audience = try server.result("audience.export", #"{"segment":"all","format":"google","now":"\#(now)"}"#)
        #expect(audience["exported"] == .number("29") && audience["skipped_opted_out"] == .number("1"))
        let withKPIs = try server.result(
            "ab.report", #"{"experiment":"coupon-copy-2026q1","now":"\#(now)","kpis":["buzz","lead_conversion_rate"]}"#)
        let unknownKPI = try server.call(EventServerTests.request(5, "ab.report", #"{"experiment":"coupon-copy-2026q1","kpis":["nope"]}"#))
        #expect(unknownKPI.contains("no KPI 'nope'"))
        let missing = try server.call(EventServerTests.request(2, "ab.report", #"{"experiment":"nope"}"#))
        #expect(ServerIntegrationTests.errorCode(missing) == "-32004")
        let badSegment = try server.call(EventServerTests.request(3, "audience.export", #"{"segment":"vip","format":"meta"}"#))
        #expect(ServerIntegrationTests.errorCode(badSegment) == "-32602")
        #expect(!badSegment.contains("13700"))
        let badFormat = try server.call(EventServerTests.request(4, "audience.export", #"{"segment":"all","format":"tiktok"}"#))
        #expect(ServerIntegrationTests.errorCode(badFormat) == "-32602")
        server.stopAndReadErrors()

        let cli = try runQingting(["ab", "report", "--store", store, "--now", now, "coupon-copy-2026q1"])
        #expect(try JSONValue.parse(cli.stdout.trimmingCharacters(in: .newlines)) == report)
        let cliKPIs = try runQingting(["ab", "report", "--store", store, "--now", now, "--kpi", "buzz", "--kpi", "lead_conversion_rate",
                                       "coupon-copy-2026q1"])
        #expect(try JSONValue.parse(cliKPIs.stdout.trimmingCharacters(in: .newlines)) == withKPIs)
        #expect(withKPIs["config"]?["kpis"] != nil && report["config"]?["kpis"] == nil)
        let file = try runQingting(["audience", "export", "--store", store, "--now", now, "--segment", "all", "--format", "google"])
        guard case .array(let items)? = audience["lines"] else { Issue.record("no lines"); return }
        #expect(items.compactMap(\.stringValue).joined(separator: "\n") + "\n" == file.stdout)
    }
}
