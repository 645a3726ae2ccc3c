public import QingtingCore

/// The ingest stage's entry point: one payload in, its `SocialEvent`s and rejections out.
///
/// ```swift
/// let outcome = Ingest.read(Payload(line), configuration: .init(now: nowMillis))
/// for event in outcome.events { print(event.json()) }
/// for error in outcome.rejections { print(error.code, error) }   // "missing_id", "statuses[2]: …"
/// ```
public enum Ingest {
    /// 8 MiB: the largest payload read unless configured otherwise.
    public static let defaultMaxPayloadBytes = 8 << 20

    public struct Configuration: Sendable {
        /// The caller's clock, UTC milliseconds: times later than this plus the tolerance are
        /// refused. Passed in (never read from the system) so runs and tests are reproducible.
        public var now: Int64
        /// Stamped on every event; defaults to `now`.
        public var receivedAt: Int64
        /// Payloads longer than this are refused before anything is parsed.
        public var maxPayloadBytes: Int
        /// How far after `now` an event's time may be (clock skew between platform and engine).
        public var futureToleranceMillis: Int64
        /// The field mapping the `generic` platform reads with.
        public var mapping: FieldMapping?

        public init(
            now: Int64, receivedAt: Int64? = nil, maxPayloadBytes: Int = Ingest.defaultMaxPayloadBytes,
            futureToleranceMillis: Int64 = 15 * 60 * 1000, mapping: FieldMapping? = nil
        ) {
            self.now = now
            self.receivedAt = receivedAt ?? now
            self.maxPayloadBytes = maxPayloadBytes
            self.futureToleranceMillis = futureToleranceMillis
            self.mapping = mapping
        }
    }

    /// What one payload gave.
    public struct Outcome: Sendable {
        /// The platform read with (given or detected); nil when the payload was refused before.
        public var platform: Platform?
        public var events: [SocialEvent]
        /// Why the payload, or single items of it, were refused; codes from `ErrorCode`
        /// (`payload_too_large`, `invalid_json`, `wrong_platform`, `missing_id`, `future_time`…),
        /// locations naming the JSON path or XML element, never a value from the payload.
        public var rejections: [QingtingError]
    }

    /// Reads one payload (one line of a payload file, or one webhook body).
    ///
    /// Checks, in order: the size limit (before reading any byte), strict UTF-8, JSON or XML syntax
    /// (XML when the first non-space character is `<`), the platform (detected when nil; a
    /// payload of another platform's shape is refused as `wrong_platform`), then each item.
    /// An item that cannot be read is refused alone; a webhook handshake or an event kind the
    /// engine does not track gives neither events nor rejections.
    /// - Complexity: O(payload size).
    public static func read(_ payload: Payload, platform: Platform? = nil, configuration: Configuration) -> Outcome {
        var outcome = Outcome(platform: nil, events: [], rejections: [])
        do {
            let document = try parse(payload, limit: configuration.maxPayloadBytes)
            let chosen = try choose(platform, for: document, mapping: configuration.mapping)
            outcome.platform = chosen.platform
            var context = AdapterContext(
                EventMaker(platform: chosen.platform, payload: payload, configuration: configuration))
            chosen.adapter.read(document, into: &context)
            outcome.events = context.events
            outcome.rejections = context.rejections
        } catch let error as QingtingError {
            outcome.rejections = [error]
        } catch {
            outcome.rejections = [QingtingError(.invalidPayload, "unreadable payload", cause: error)]
        }
        return outcome
    }

    /// The payload's document, after the size and UTF-8 checks.
    static func parse(_ payload: Payload, limit: Int) throws -> Document {
        let bytes = payload.bytes
        guard bytes.count <= limit else {
            throw QingtingError(.payloadTooLarge, "payload of \(bytes.count) bytes is over the limit of \(limit) bytes")
        }
        if let offset = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset($0) }) {
            throw QingtingError(.invalidUTF8, "payload is not valid UTF-8", byteOffset: offset)
        }
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw QingtingError(.invalidJSON, "empty payload") }
        if bytes[start] == UInt8(ascii: "<") {
            return .xml(try XMLTree.parse(Array(bytes[start...])))
        }
        return .json(
            try bytes.withUnsafeBufferPointer { try JSONValue.parse(UnsafeBufferPointer(rebasing: $0[start...])) })
    }

    /// The adapter for `platform`, or for the detected one; refuses a payload of another shape.
    static func choose(_ platform: Platform?, for document: Document, mapping: FieldMapping?) throws
        -> (platform: Platform, adapter: any PlatformAdapter)
    {
        guard let platform else {
            let detected = try Platform.detect(document)
            return (detected, detected.adapter(mapping: mapping)!)
        }
        guard let adapter = platform.adapter(mapping: mapping) else {
            throw QingtingError(
                .invalidMapping, "the generic platform reads through a field mapping, and none was given")
        }
        if platform == .generic || adapter.recognizes(document) { return (platform, adapter) }
        let others = Platform.candidates(for: document)
        if others.isEmpty {
            throw QingtingError(.wrongPlatform, "the payload has none of the documented \(platform.rawValue) shapes")
        }
        let names = others.map(\.rawValue).joined(separator: " or ")
        throw QingtingError(.wrongPlatform, "the payload has the shape of a \(names) payload, not \(platform.rawValue)")
    }
}
