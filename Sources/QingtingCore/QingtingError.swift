/// The engine's error model: what every module's error says about itself.
///
/// - `code`: stable and machine-readable (`invalid_lexicon`, `io`, …); scripts match on it.
/// - `message`: for a person. It never quotes input text or holds personal data (names, phones,
///   e-mails, ids); it names the place instead.
/// - `location`: where — `path:line`, a JSON path such as `settings.json: comparisons[2]`, or nil.
/// - `cause`: the lower-level error this one wraps, kept as an error (not flattened to a string).
/// - `rpcCode`: the JSON-RPC error code the server answers with when this error reaches a client.
public protocol EngineError: Error, CustomStringConvertible {
    var code: ErrorCode { get }
    var message: String { get }
    var location: String? { get }
    var cause: (any Error)? { get }
    var rpcCode: Int { get }
}

extension EngineError {
    /// `location: message (byte offset N)`, then `: cause` when the cause adds a message of its own.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += message
        if let cause = cause as? any EngineError { text += ": " + cause.message }
        return text
    }
}

/// A stable, machine-readable error code. Open for extension: each module adds the codes it raises.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let invalidUTF8 = ErrorCode("invalid_utf8")
    public static let invalidJSON = ErrorCode("invalid_json")
    public static let invalidLexicon = ErrorCode("invalid_lexicon")
    public static let invalidModel = ErrorCode("invalid_model")
    public static let invalidCorpus = ErrorCode("invalid_corpus")
    public static let invalidSettings = ErrorCode("invalid_settings")
    public static let invalidInput = ErrorCode("invalid_input")
    public static let io = ErrorCode("io")
    public static let icu = ErrorCode("icu")
    public static let store = ErrorCode("store")

    // Why an ingest payload or one of its items was rejected (QingtingIngest). Scripts and the
    // sync-health counters match on these, so they are stable.
    public static let unknownPlatform = ErrorCode("unknown_platform")
    public static let undetectedPlatform = ErrorCode("undetected_platform")
    public static let wrongPlatform = ErrorCode("wrong_platform")
    public static let payloadTooLarge = ErrorCode("payload_too_large")
    public static let invalidXML = ErrorCode("invalid_xml")
    public static let encryptedPayload = ErrorCode("encrypted_payload")
    public static let invalidPayload = ErrorCode("invalid_payload")
    public static let missingID = ErrorCode("missing_id")
    public static let missingAuthor = ErrorCode("missing_author")
    public static let missingTime = ErrorCode("missing_time")
    public static let invalidTime = ErrorCode("invalid_time")
    public static let futureTime = ErrorCode("future_time")
    public static let timeBefore2000 = ErrorCode("time_before_2000")
    public static let badSignature = ErrorCode("bad_signature")
    public static let invalidMapping = ErrorCode("invalid_mapping")

    /// The ingest codes: each one is about what a caller sent, never the engine's own state.
    public static let ingestRejections: Set<ErrorCode> = [
        .unknownPlatform, .undetectedPlatform, .wrongPlatform, .payloadTooLarge, .invalidXML, .encryptedPayload,
        .invalidPayload, .missingID, .missingAuthor, .missingTime, .invalidTime, .futureTime, .timeBefore2000,
        .badSignature, .invalidMapping,
    ]
}

/// The one concrete error of the engine's libraries (text, classify, match, store).
///
/// `byteOffset` is the offset into the text or line that was being read, when there is one.
/// Its JSON-RPC code is -32602 (invalid params) for errors in what a caller sent — JSON, UTF-8,
/// input records, ingest payloads — and -32603 (internal) for the engine's own files and state; a -32603 answer
/// says only "internal error" (the server's rule), so no path or internal detail leaks.
public struct QingtingError: EngineError, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var location: String?
    public var byteOffset: Int?
    public var cause: (any Error)?

    public init(_ code: ErrorCode, _ message: String, location: String? = nil, byteOffset: Int? = nil,
                cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.byteOffset = byteOffset
        self.cause = cause
    }

    public var rpcCode: Int {
        switch code {
        case .invalidJSON, .invalidUTF8, .invalidInput: -32602
        case _ where ErrorCode.ingestRejections.contains(code): -32602
        default: -32603
        }
    }

    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += message
        if let byteOffset { text += " (byte offset \(byteOffset))" }
        if let cause = cause as? any EngineError { text += ": " + cause.message }
        return text
    }

    /// The same error, placed at `location` (for errors raised on one line of a file).
    public func at(_ location: String) -> QingtingError {
        var copy = self
        copy.location = location
        return copy
    }

    /// Equal when code, message, place and offset are; the cause is context, not identity.
    public static func == (a: QingtingError, b: QingtingError) -> Bool {
        a.code == b.code && a.message == b.message && a.location == b.location && a.byteOffset == b.byteOffset
    }
}

/// Several errors found in one pass (every bad line of a lexicon or corpus, not only the first).
public struct QingtingErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [QingtingError]
    public init(_ errors: [QingtingError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
