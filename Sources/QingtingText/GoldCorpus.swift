/// Gold-segmented text: words separated by white space, each optionally `word/POS`.
public enum GoldCorpus {
    /// The words of a gold line, with POS tags removed.
    public static func words(of line: String) -> [String] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }).compactMap { item in
            var word = Substring(item)
            // Strip a trailing /POS (letters only), keeping words that contain a slash themselves.
            if let slash = word.lastIndex(of: "/"), slash != word.startIndex,
               word[word.index(after: slash)...].allSatisfy({ $0.isASCII && $0.isLetter }),
               word.index(after: slash) != word.endIndex {
                word = word[..<slash]
            }
            return word.isEmpty ? nil : String(word)
        }
    }
}

/// Precision, recall and F1 of word boundaries against gold, by exact byte spans.
public struct SegmentationScore: Sendable, Hashable {
    public var goldWords = 0
    public var predictedWords = 0
    public var correctWords = 0
    public var lines = 0

    public init() {}

    public var precision: Double { predictedWords == 0 ? 0 : Double(correctWords) / Double(predictedWords) }
    public var recall: Double { goldWords == 0 ? 0 : Double(correctWords) / Double(goldWords) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    /// Scores one gold line: the raw text is the words joined; a predicted token is correct when
    /// its byte span equals a gold word's span.
    public mutating func add(goldLine: String, segmenter: Segmenter) {
        let words = GoldCorpus.words(of: goldLine)
        guard !words.isEmpty else { return }
        lines += 1
        var gold = Set<Range<Int>>()
        var offset = 0
        for word in words {
            let n = word.utf8.count
            gold.insert(offset..<offset + n)
            offset += n
        }
        let tokens = segmenter.tokenize(words.joined())
        goldWords += gold.count
        predictedWords += tokens.count
        correctWords += tokens.reduce(0) { $0 + (gold.contains($1.range) ? 1 : 0) }
    }

    public static func + (a: Self, b: Self) -> Self {
        var c = a
        c.goldWords += b.goldWords
        c.predictedWords += b.predictedWords
        c.correctWords += b.correctWords
        c.lines += b.lines
        return c
    }
}
