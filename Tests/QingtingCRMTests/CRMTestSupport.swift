import Foundation
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingStore
import QingtingText
import TestSupport

/// What the CRM tests share: the analyzer (loaded once), scratch stores, the ingest fixtures.
enum CRM {
    static let analyzer: EventAnalyzer = {
        let segmenter = try! Resources.segmenter(modelPath: nil, lexiconPath: nil)
        return try! EventAnalyzer.load(
            segmenter: segmenter, segmentModel: nil, userdict: nil, useUserdict: true,
            sentimentModel: nil, intentModel: nil)
    }()

    /// 2026-01-01T00:00:00Z, later than every fixture's time.
    static let now: Int64 = 1_767_225_600_000

    /// A fresh store file under /tmp, and a function removing it with its WAL files.
    static func scratch(_ name: String) -> (String, () -> Void) {
        let path = NSTemporaryDirectory() + "qingting-crm-\(name)-\(UUID().uuidString.prefix(8)).sqlite"
        let remove = {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        return (path, remove)
    }

    static func pipeline(
        _ store: CRMStore, resolver: CustomerResolver = CustomerResolver(index: nil),
        mapping: FieldMapping? = nil
    ) -> EventPipeline {
        var configuration = EventPipeline.Configuration(mapping: mapping)
        configuration.now = now
        return EventPipeline(store: store, analyzer: analyzer, resolver: resolver, configuration: configuration)
    }

    static let fixtures = "\(TestPaths.root)/Tests/QingtingIngestTests/Fixtures"

    /// The payloads of an ingest fixture (lines that are neither blank nor `#` comments).
    static func payloads(_ name: String) -> [Payload] {
        let text = (try? String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { Payload(String($0)) }
    }

    /// Writes `lines` to a temporary file; returns its path.
    static func file(_ lines: [String], suffix: String = ".jsonl") throws -> String {
        let path = NSTemporaryDirectory() + "qingting-crm-\(UUID().uuidString.prefix(8))\(suffix)"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func events(_ store: CRMStore, _ filter: CRMStore.EventFilter = CRMStore.EventFilter())
        throws -> [CRMStore.StoredEvent]
    {
        var out: [CRMStore.StoredEvent] = []
        try store.forEachEvent(filter) { out.append($0) }
        return out
    }
}
