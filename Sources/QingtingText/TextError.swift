/// An error from the text pipeline: what went wrong, a stable code, and where.
///
/// `location` is `path:line` for files and lexicons; `byteOffset` is the offset into the text
/// (or the line) that was being read. Messages never quote the text itself, which may hold
/// personal data; they name the place instead.
public struct TextError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable error code. Open for extension: new codes may appear.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidUTF8 = Code(rawValue: "invalid_utf8")
        public static let invalidJSON = Code(rawValue: "invalid_json")
        public static let invalidLexicon = Code(rawValue: "invalid_lexicon")
        public static let invalidModel = Code(rawValue: "invalid_model")
        public static let invalidCorpus = Code(rawValue: "invalid_corpus")
        public static let io = Code(rawValue: "io")
        public static let icu = Code(rawValue: "icu")
    }

    public var code: Code
    public var message: String
    /// `path:line`, or nil when the input was not a file.
    public var location: String?
    /// Byte offset into the text or line, when the error has one.
    public var byteOffset: Int?

    public init(_ code: Code, _ message: String, location: String? = nil, byteOffset: Int? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.byteOffset = byteOffset
    }

    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += message
        if let byteOffset { text += " (byte offset \(byteOffset))" }
        return text
    }

    /// The same error, placed at `location` (for errors raised on one line of a file).
    public func at(_ location: String) -> TextError {
        var copy = self
        copy.location = location
        return copy
    }
}

/// Several errors found in one pass (every bad lexicon line is reported, not only the first).
public struct TextErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [TextError]
    public init(_ errors: [TextError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
