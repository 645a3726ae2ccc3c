import QingtingText

/// An error from the classify stage: a stable code, a message, and where (`path:line`).
public struct ClassifyError: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidModel = Code(rawValue: "invalid_model")
        public static let invalidCorpus = Code(rawValue: "invalid_corpus")
        public static let invalidLexicon = Code(rawValue: "invalid_lexicon")
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

    /// A text-stage error (a file that cannot be read, a bad lexicon line) as this stage's error,
    /// with the same place and wording.
    public init(_ error: TextError) {
        let code: Code = switch error.code {
        case .io: .io
        case .invalidModel: .invalidModel
        case .invalidCorpus: .invalidCorpus
        default: .invalidLexicon
        }
        self.init(code, error.message + (error.byteOffset.map { " (byte offset \($0))" } ?? ""), location: error.location)
    }
}

/// Every problem found in one file, reported together.
public struct ClassifyErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ClassifyError]
    public init(_ errors: [ClassifyError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
