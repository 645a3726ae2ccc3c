/// What a token is. Open for extension: later stages may add kinds.
public struct TokenKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A dictionary or unknown word (Han, Latin, or a number with its unit such as 1998年).
    public static let word = TokenKind(rawValue: "word")
    /// A number on its own: 3, 3.5, 1,000, 50%.
    public static let number = TokenKind(rawValue: "number")
    /// One emoji, including ZWJ sequences, skin tones, flags and keycaps.
    public static let emoji = TokenKind(rawValue: "emoji")
    /// `#话题#` (Weibo) or `#tag` (Xiaohongshu, Instagram, X).
    public static let hashtag = TokenKind(rawValue: "hashtag")
    /// `@用户名`.
    public static let mention = TokenKind(rawValue: "mention")
    public static let url = TokenKind(rawValue: "url")
    /// A mainland mobile number, full or masked (13812345678, 138****1234, ****1234), or a service
    /// number (400-820-8820, 95588, 12315, 010-12345678).
    public static let phone = TokenKind(rawValue: "phone")
    public static let email = TokenKind(rawValue: "email")
    /// Punctuation or a symbol; a run of one repeated mark (…… ——) is one token.
    public static let punctuation = TokenKind(rawValue: "punctuation")
}

/// A token: its kind, its normalized text, and the UTF-8 byte span it covers in the original text.
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    /// Normalized form (NFKC, case-folded, Simplified, repeats squeezed).
    public var text: String
    /// Byte offsets into the original UTF-8 text.
    public var range: Range<Int>

    public init(kind: TokenKind, text: String, range: Range<Int>) {
        self.kind = kind
        self.text = text
        self.range = range
    }
}
