import OrderedCollections
import QingtingCore
import QingtingIngest
import TestSupport
import Testing

/// The documented payloads under `Fixtures/<platform>/`. A fixture file holds one payload per line
/// (as payload files do); lines starting with `#` are comments (each file cites the section of
/// platform-formats.md its shapes come from), and `#! code` names the code the next payload must
/// be refused with.
enum Fixture {
    static let folder = "\(TestPaths.root)/Tests/QingtingIngestTests/Fixtures"

    /// 2026-01-01T00:00:00Z, the `now` of every test (reproducible time checks), later than every
    /// documented sample (the newest, Meta's feed capture, is from 2025-03-22).
    static let now: Int64 = 1_767_225_600_000
    static let receivedAt: Int64 = now + 1
    static let configuration = Ingest.Configuration(now: now, receivedAt: receivedAt)

    static func lines(_ name: String) -> [String] {
        var out: [String] = []
        try! FileIO.forEachLine("\(folder)/\(name)") { bytes, _ in
            let line = String(decoding: bytes, as: UTF8.self)
            if !line.isEmpty, !line.hasPrefix("#") { out.append(line) }
        }
        return out
    }

    /// The payloads of a fixture file.
    static func payloads(_ name: String) -> [String] { lines(name) }

    /// `(code, payload)` pairs of a rejection table.
    static func rejections(_ name: String) -> [(code: String, payload: String)] {
        var out: [(String, String)] = []
        var expected: String?
        try! FileIO.forEachLine("\(folder)/\(name)") { bytes, _ in
            let line = String(decoding: bytes, as: UTF8.self)
            if line.hasPrefix("#! ") {
                expected = String(line.dropFirst(3))
            } else if !line.isEmpty, !line.hasPrefix("#"), let code = expected {
                out.append((code, line))
                expected = nil
            }
        }
        return out
    }

    /// Reads payload `index` of a fixture.
    static func read(
        _ name: String, _ index: Int = 0, platform: Platform? = nil, headers: [String: String] = [:],
        configuration: Ingest.Configuration = configuration
    ) -> Ingest.Outcome {
        Ingest.read(Payload(payloads(name)[index], headers: headers), platform: platform, configuration: configuration)
    }

    /// The events of payload `index`, which must be read without any rejection.
    static func events(
        _ name: String, _ index: Int = 0, platform: Platform? = nil, headers: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [SocialEvent] {
        let outcome = read(name, index, platform: platform, headers: headers)
        #expect(outcome.rejections.isEmpty, "\(outcome.rejections)", sourceLocation: sourceLocation)
        if let platform { #expect(outcome.platform == platform, sourceLocation: sourceLocation) }
        return outcome.events
    }
}

extension SocialEvent {
    var nickname: String? { author?.profile["nickname"]?.stringValue }
}
