internal import CSupport
import QingtingCore

/// Turns raw UTF-8 into the normalized scalars the tokenizer reads, keeping for every scalar the
/// byte span of the original text it came from.
///
/// Steps: NFKC (full-width → half-width), case folding, Traditional → Simplified (a per-character
/// table built once from ICU's `Traditional-Simplified`, so it costs one lookup and never moves an
/// offset), and squeezing of long repeats (哈哈哈哈哈 → 哈哈哈; digits, ASCII letters and `*` are
/// never squeezed, since 1000000 and 138****1234 mean what they count).
public struct Normalizer: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var nfkc = true
        public var caseFold = true
        public var traditionalToSimplified = true
        /// Keep at most this many repeats of a character; nil keeps all.
        public var squeezeRepeats: Int? = 3
        public init() {}
    }

    public var configuration: Configuration
    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    /// The configuration every model and lexicon is built with.
    public static let standard = Normalizer()

    var options: UInt32 {
        var o: UInt32 = 0
        if configuration.nfkc { o |= UInt32(QT_NORM_NFKC) }
        if configuration.caseFold { o |= UInt32(QT_NORM_CASEFOLD) }
        if configuration.traditionalToSimplified { o |= UInt32(QT_NORM_T2S) }
        if configuration.squeezeRepeats != nil { o |= UInt32(QT_NORM_SQUEEZE) }
        return o
    }

    /// Normalized scalars with their source spans.
    /// - Throws: `QingtingError.invalidUTF8` with the byte offset of the first bad byte.
    func normalize(_ bytes: UnsafeBufferPointer<UInt8>) throws -> CCore.Normalized {
        try CCore.normalize(bytes, options: options, squeezeMax: UInt32(configuration.squeezeRepeats ?? 0))
    }

    /// Normalizes text and returns it as a String (for people and tests).
    public func normalize(_ text: String) -> String {
        String(String.UnicodeScalarView(scalars(of: text).compactMap(Unicode.Scalar.init)))
    }

    /// The normalized scalars of a word or lexicon term (same steps as running text).
    func scalars(of word: String) -> [UInt32] {
        var copy = word
        return (try? copy.withUTF8 { try normalize($0).scalars }) ?? []  // a String is valid UTF-8
    }
}
