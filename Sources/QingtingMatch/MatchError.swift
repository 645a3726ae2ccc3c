import QingtingText

/// An error from identity resolution: a stable code, a message, and where (`path:line`, or a
/// JSON path such as `settings.json: comparisons[2].levels[0]`).
public struct MatchError: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidSettings = Code(rawValue: "invalid_settings")
        public static let invalidModel = Code(rawValue: "invalid_model")
        public static let invalidInput = Code(rawValue: "invalid_input")
        public static let store = Code(rawValue: "store")
        public static let io = Code(rawValue: "io")
    }

    public var code: Code
    public var message: String
    public var location: String?

    public init(_ code: Code, _ message: String, location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { (location.map { "\($0): " } ?? "") + message }

    /// A text-stage error (a file that cannot be read, a bad lexicon line) as this module's
    /// error, with the same place and wording.
    public init(_ error: TextError) {
        self.init(error.code == .io ? .io : .invalidSettings,
                  error.message + (error.byteOffset.map { " (byte offset \($0))" } ?? ""), location: error.location)
    }
}

/// Every problem found in one file (each bad lexicon line), reported together.
public struct MatchErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [MatchError]
    public init(_ errors: [MatchError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
