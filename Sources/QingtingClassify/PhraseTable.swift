import QingtingText

/// Lexicon terms found in running text by whole tokens: a term matches one token or several in a
/// row (word and number tokens only, joined with no spaces), so a term survives the segmenter
/// cutting it differently from the lexicon, and never matches half a word. Longest term first at
/// each position, left to right, no overlaps. Shared by the category and intent-cue lexicons.
struct PhraseTable<Value: Sendable>: Sendable {
    /// A term found in a text.
    struct Hit: Sendable {
        /// The matched text, normalized (tokens joined).
        var term: String
        var value: Value
        /// Byte span in the original text.
        var range: Range<Int>
        /// Index span in the tokens.
        var tokens: Range<Int>
    }

    private var table = ByteKeyedTable<Value>([:])
    /// Longest term, in tokens of running text it may span (bounds the search).
    private var maxTokens = 1
    /// Longest term in UTF-8 bytes, and the first scalar of every term: most tokens start none,
    /// and are passed over with one set lookup.
    private var maxBytes = 0
    private var firstScalars: Set<UInt32> = []
    /// Hashes of every proper prefix of every key that ends on a scalar boundary: a search stops
    /// extending as soon as the joined tokens begin no term (a collision only costs a longer search).
    private var prefixHashes: Set<UInt64> = []
    private(set) var count = 0

    init() {}

    /// - Parameter segmenter: cuts each term as running text is cut, to key it and to know how
    ///   many tokens it spans.
    init(_ terms: [(term: String, value: Value)], segmenter: Segmenter) {
        var entries: [String: Value] = [:]
        for (term, value) in terms {
            let tokens = segmenter.tokenize(term)
            let key = tokens.map(\.text).joined()
            guard !key.isEmpty else { continue }
            maxTokens = max(maxTokens, tokens.count + 2)  // running text may cut it finer
            entries[key] = value
        }
        table = ByteKeyedTable(entries)
        count = entries.count
        maxBytes = entries.keys.map(\.utf8.count).max() ?? 0
        firstScalars = Set(entries.keys.compactMap { $0.unicodeScalars.first?.value })
        for key in entries.keys {
            var h = ByteKeyedTable<Value>.seed
            for scalar in key.unicodeScalars.dropLast() {
                h = ByteKeyedTable<Value>.hash(String(scalar).utf8, continuing: h)
                prefixHashes.insert(h)
            }
        }
    }

    /// Every term in the tokens, longest first at each position, left to right.
    func hits(in tokens: [Token]) -> [Hit] {
        guard count > 0 else { return [] }
        var hits: [Hit] = []
        var joined: [UInt8] = []
        joined.reserveCapacity(maxBytes + 16)
        var i = 0
        while i < tokens.count {
            guard let first = tokens[i].text.unicodeScalars.first, firstScalars.contains(first.value) else { i += 1; continue }
            joined.removeAll(keepingCapacity: true)
            var best: (Value, Int)?
            var h = ByteKeyedTable<Value>.seed
            for j in i..<min(tokens.count, i + maxTokens) {
                guard tokens[j].kind == .word || tokens[j].kind == .number else { break }
                joined.append(contentsOf: tokens[j].text.utf8)
                if joined.count > maxBytes { break }
                h = ByteKeyedTable<Value>.hash(tokens[j].text.utf8, continuing: h)
                if let value = table[bytes: joined, hash: h] { best = (value, j) }
                if !prefixHashes.contains(h) { break }  // no longer term begins with these tokens
            }
            if let (value, last) = best {
                let term = tokens[i...last].map(\.text).joined()
                hits.append(Hit(term: term, value: value, range: tokens[i].range.lowerBound..<tokens[last].range.upperBound,
                                tokens: i..<(last + 1)))
                i = last + 1
            } else {
                i += 1
            }
        }
        return hits
    }
}
