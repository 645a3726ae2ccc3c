import QingtingCore
/// Splits text into typed tokens with byte spans into the original UTF-8.
///
/// Typed tokens (URL, e-mail, mention, hashtag, phone, emoji, punctuation) are recognised first;
/// the runs of Han, letters and digits between them are cut into words by a unigram Viterbi over
/// the trained word model plus the user lexicon. Stretches the model does not know at all can be
/// handed to ICU's dictionary word breaks (`Configuration.icuForUnknown`).
///
/// A `Segmenter` is immutable and `Sendable`: share one across threads.
public struct Segmenter: Sendable {
    /// How Han runs are cut.
    public enum Engine: String, Sendable, CaseIterable {
        /// Trained word model + user lexicon (the default).
        case lexicon
        /// ICU's dictionary word breaks only: the baseline the lexicon engine is measured against.
        case icu
    }

    public struct Configuration: Sendable {
        public var normalizer = Normalizer.Configuration()
        public var engine = Engine.lexicon
        /// Re-cut runs of two or more atoms the model has never seen with ICU's word breaks.
        public var icuForUnknown = true
        public init() {}
    }

    public let model: SegmentModel
    public let lexicon: UserLexicon
    public let configuration: Configuration
    let normalizer: Normalizer

    public init(model: SegmentModel, lexicon: UserLexicon = .empty, configuration: Configuration = .init()) {
        self.model = model
        self.lexicon = lexicon
        self.configuration = configuration
        normalizer = Normalizer(configuration: configuration.normalizer)
    }

    /// Tokens of a string.
    public func tokenize(_ text: String) -> [Token] {
        var copy = text
        return copy.withUTF8 { (try? tokenize(utf8: $0)) ?? [] }  // a String is valid UTF-8
    }

    /// Tokens of UTF-8 bytes.
    /// - Throws: `QingtingError.invalidUTF8` with the offset of the first bad byte.
    /// - Complexity: O(n · L) for n characters and a longest word of L keys.
    public func tokenize(utf8 bytes: UnsafeBufferPointer<UInt8>) throws -> [Token] {
        let normalized = try normalizer.normalize(bytes)
        let classes = CCore.classify(normalized.scalars)
        var state = RunState()
        var tokens: [Token] = []
        tokens.reserveCapacity(normalized.scalars.count / 2 + 1)
        normalized.scalars.withUnsafeBufferPointer { s in
            classes.withUnsafeBufferPointer { c in
                let emit = { (kind: TokenKind, start: Int, end: Int) in
                    tokens.append(Token(kind: kind, text: Self.string(s, start, end),
                                        range: Int(normalized.begin[start])..<Int(normalized.end[end - 1])))
                }
                var i = 0
                while i < s.count {
                    let cls = c[i]
                    if cls == CharClass.space { i += 1; continue }
                    if let (kind, end) = typedToken(s, c, i) {
                        emit(kind, i, end)
                        i = end
                        continue
                    }
                    if isRunClass(cls) {
                        let end = runEnd(s, c, i)
                        segmentRun(s, c, i, end, state: &state, emit: emit)
                        i = end
                        continue
                    }
                    // Punctuation, symbols and stray marks: a run of one repeated character is one token.
                    var end = i + 1
                    while end < s.count, s[end] == s[i] || c[end] == CharClass.mark { end += 1 }
                    emit(.punctuation, i, end)
                    i = end
                }
            }
        }
        return tokens
    }

    /// UTF-8 encodes `s[start..<end]` straight into a new String (no per-scalar appends).
    static func string(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> String {
        String(unsafeUninitializedCapacity: (end - start) * 4) { buffer in
            var n = 0
            for k in start..<end {
                guard let scalar = Unicode.Scalar(s[k]) else { continue }
                for byte in UTF8.encode(scalar)! {
                    buffer[n] = byte
                    n += 1
                }
            }
            return n
        }
    }

    private func isRunClass(_ c: UInt8) -> Bool {
        c == CharClass.han || c == CharClass.letter || c == CharClass.digit || c == CharClass.mark
    }

    private func runEnd(_ s: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var j = start
        while j < s.count {
            if isRunClass(c[j]) {
                if c[j] == CharClass.digit {
                    j = SegmentKeys.numberEnd(s, c, j, s.count)
                } else {
                    j += 1
                }
                // A phone number or e-mail address may start inside a run (客服电话13812345678).
                if j < s.count, c[j] == CharClass.digit || c[j] == CharClass.letter, c[j - 1] == CharClass.han,
                   TypedTokens.phone(s, j) != nil || TypedTokens.serviceNumber(s, j) != nil || TypedTokens.email(s, j) != nil {
                    return j
                }
            } else {
                break
            }
        }
        return j
    }

    private func typedToken(_ s: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt8>, _ i: Int) -> (TokenKind, Int)? {
        let ch = s[i]
        switch ch {
        case 0x40:  // @
            return TypedTokens.mention(s, c, i).map { (.mention, $0) }
        case 0x23:  // #
            if let end = TypedTokens.emoji(s, c, i) { return (.emoji, end) }
            return TypedTokens.hashtag(s, c, i).map { (.hashtag, $0) }
        case 0x68, 0x77:  // h, w
            if let end = TypedTokens.url(s, i) { return (.url, end) }
        default:
            break
        }
        if c[i] == CharClass.emoji, let end = TypedTokens.emoji(s, c, i) { return (.emoji, end) }
        if ch < 0x80, TypedTokens.isASCIIAlnum(ch) || ch == 0x2A || ch == 0x2B {
            if i == 0 || !TypedTokens.isEmailLocal(s[i - 1]) {
                if let end = TypedTokens.email(s, i) { return (.email, end) }
            }
            if let end = TypedTokens.phone(s, i) { return (.phone, end) }
            if let end = TypedTokens.serviceNumber(s, i) { return (.phone, end) }
            if ch != 0x2A, ch != 0x2B, let end = TypedTokens.emoji(s, c, i) { return (.emoji, end) }
        }
        return nil
    }
}

/// Buffers reused across the runs of one text.
struct RunState {
    var keys: [UInt32] = []
    var atomStart: [UInt8] = []
    var keyStart: [Int] = []
    var scratch: [UInt32] = []
    var ends: [UInt32] = []
    var nodes: [UInt32] = []
}
