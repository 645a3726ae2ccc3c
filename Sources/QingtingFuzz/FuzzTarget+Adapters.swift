import QingtingCore
import QingtingIngest

extension FuzzTarget {
    /// The clock of every adapter run: 2026-01-01T00:00:00Z (later than every fixture).
    static let now: Int64 = 1_767_225_600_000
    static let configuration = Ingest.Configuration(now: now, receivedAt: now + 1)
    /// 2000-01-01T00:00:00Z: an earlier event time is refused (`time_before_2000`).
    static let year2000: Int64 = 946_684_800_000
    /// The codes `Ingest.read` may refuse with: the ingest rejections, and the syntax of the payload.
    static let rejectionCodes = ErrorCode.ingestRejections.union([.invalidJSON, .invalidUTF8])

    /// One target per platform: `Ingest.read` with the platform given (and, for one input in
    /// four, detected). Either events or rejections, each rejection with a code of the documented
    /// set; every event of the read platform, with an id, a time in [2000, now + tolerance], the
    /// payload as its raw bytes, and JSON that parses back.
    static func adapters(_ seeds: Seeds) throws -> [FuzzTarget] {
        let jsonMapping = try FieldMapping.parse(
            json: seeds.file("\(seeds.fixtures)/generic/mapping.json"), path: "mapping.json")
        return try Platform.allCases.map { platform in
            var configuration = Self.configuration
            var corpus = try seeds.payloads(platform.rawValue)
            if platform == .generic { configuration.mapping = jsonMapping }
            if platform == .wecom || platform == .wechat { corpus += try seeds.payloads(platform == .wecom ? "wechat" : "wecom") }
            let tokens = platform == .wechat || platform == .wecom
                ? ["<ToUserName>", "<FromUserName><![CDATA[", "<CreateTime>", "<MsgType><![CDATA[event]]></MsgType>", "<Encrypt>", "</Content>"]
                : ["\"id\":", "\"created_at\":", "\"text\":\"", "\"user\":{", "\"entry\":[", "\"data\":{", "\"event\":\""]
            let config = configuration
            return FuzzTarget(name: "adapter-\(platform.rawValue)", seeds: corpus, dictionary: tokens) { bytes in
                let given: Platform? = fnv(bytes) % 4 == 0 && platform != .generic ? nil : platform
                let outcome = Ingest.read(Payload(bytes), platform: given, configuration: config)
                return checkOutcome(outcome, bytes: bytes, given: given, configuration: config)
            }
        }
    }

    static func checkOutcome(_ outcome: Ingest.Outcome, bytes: [UInt8], given: Platform?, configuration: Ingest.Configuration) -> String? {
        for rejection in outcome.rejections where !rejectionCodes.contains(rejection.code) {
            return "rejected with code \(rejection.code), outside the documented set"
        }
        if let given, let read = outcome.platform, read != given { return "read as \(read) when given \(given)" }
        for event in outcome.events {
            guard event.platform == outcome.platform else { return "an event of \(event.platform) from a \(outcome.platform.map(\.rawValue) ?? "nil") read" }
            guard !event.eventID.isEmpty else { return "an event without an id" }
            guard event.occurredAt >= year2000, event.occurredAt <= configuration.now + configuration.futureToleranceMillis else {
                return "an event time \(event.occurredAt) outside [2000, now + tolerance]"
            }
            guard event.raw == bytes else { return "an event's raw bytes are not the payload" }
            guard (try? JSONValue.parse(event.json())) != nil else { return "an event's JSON does not parse" }
        }
        return nil
    }

    /// `FieldMapping.parse` of TSV and JSON mapping files: a mapping, or `invalid_mapping` errors
    /// each placed in the file (`mapping.tsv:3`, `mapping.json: author.x`).
    static func mapping(_ seeds: Seeds) throws -> FuzzTarget {
        let corpus = [try seeds.file("\(seeds.fixtures)/generic/mapping.tsv"), try seeds.file("\(seeds.fixtures)/generic/mapping.json"),
                      try seeds.file("\(seeds.fixtures)/generic/bad_mapping.tsv")]
        let tokens = ["\t", "event_id", "time_format", "time_zone", "+08:00", "yyyy-MM-dd HH:mm:ss", "unix_s", "=", "author.", "metrics.", "..", "kind\t=comment\n"]
        return FuzzTarget(name: "mapping", seeds: corpus, dictionary: tokens) { bytes in
            let path = bytes.first == UInt8(ascii: "{") ? "fuzz.json" : "fuzz.tsv"
            do {
                _ = path == "fuzz.json" ? try FieldMapping.parse(json: bytes, path: path) : try FieldMapping.parse(tsv: bytes, path: path)
            } catch let failure as QingtingErrors {
                guard !failure.errors.isEmpty else { return "an empty error list" }
                for error in failure.errors {
                    guard error.code == .invalidMapping || error.code == .invalidUTF8 else { return "refused with code \(error.code)" }
                    guard let location = error.location, location.hasPrefix(path) else { return "an error not placed in the file" }
                    if path == "fuzz.tsv", let line = lineNumber(location, path), line > lineCount(bytes) {
                        return "an error at line \(line) of a \(lineCount(bytes))-line file"
                    }
                }
            } catch {
                return "threw \(type(of: error)), not QingtingErrors"
            }
            return nil
        }
    }

    /// The number of lines of a text (a last line without its newline counts).
    static func lineCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (bytes.last == 0x0A ? 0 : 1)
    }

    /// N of a location `path:N`, or nil.
    static func lineNumber(_ location: String, _ path: String) -> Int? {
        guard location.hasPrefix(path + ":") else { return nil }
        return Int(location.dropFirst(path.count + 1).prefix { $0.isNumber })
    }
}
