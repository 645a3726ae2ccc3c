public import QingtingText
import QingtingCore

/// The sentiment lexicons people edit, and the cues they produce in a text.
///
/// - `Lexicons/sentiment.tsv`: `term<TAB>polarity<TAB>weight<TAB>note` with polarity `positive`
///   or `negative` and a prior weight > 0 (default 1).
/// - `Lexicons/negators.tsv`: `term<TAB>scope` — a negator flips the polarity of a cue within
///   `scope` tokens after it (default 3), unless punctuation comes between.
/// - `Lexicons/degree.tsv`: `term<TAB>multiplier` — 很 1.5, 有点 0.6 …, applied to the next cue
///   within 2 tokens.
///
/// Terms are matched against one token, or two adjacent tokens joined (so a term survives the
/// segmenter cutting it), after the same normalization as running text.
public struct CueLexicon: Sendable {
    public struct Term: Sendable, Hashable {
        public var polarity: SentimentLabel
        public var weight: Float
    }

    public private(set) var terms: [String: Term] = [:]
    public private(set) var negators: [String: Int] = [:]
    public private(set) var degrees: [String: Float] = [:]
    /// What one word is in any of the three lexicons.
    struct Entry: Sendable {
        var term: Term?
        var negatorScope: Int?
        var degree: Float?
    }
    // The same three merged, for the hot path: one byte-keyed lookup per token (see `ByteKeyedTable`).
    private var table = ByteKeyedTable<Entry>([:])

    public static let empty = CueLexicon()
    public init() {}

    /// Loads the three files; all bad lines of all files are reported together.
    public init(sentiment: String, negators negatorPath: String?, degree degreePath: String?) throws {
        var errors: [QingtingError] = []
        Self.readTSV(sentiment, errors: &errors) { columns, _ in
            guard columns.count >= 2, let polarity = SentimentLabel(rawValue: columns[1]), polarity != .neutral else {
                return "polarity in column 2 is not positive or negative"
            }
            var weight: Float = 1
            if columns.count > 2, !columns[2].isEmpty {
                guard let w = Float(columns[2]), w > 0, w.isFinite else {
                    return "weight in column 3 is not a number > 0"
                }
                weight = w
            }
            terms[Self.normalize(columns[0])] = Term(polarity: polarity, weight: weight)
            return nil
        }
        if let negatorPath {
            Self.readTSV(negatorPath, errors: &errors) { columns, _ in
                var scope = 3
                if columns.count > 1, !columns[1].isEmpty {
                    guard let s = Int(columns[1]), (1...10).contains(s) else {
                        return "scope in column 2 is not a whole number in 1...10"
                    }
                    scope = s
                }
                negators[Self.normalize(columns[0])] = scope
                return nil
            }
        }
        if let degreePath {
            Self.readTSV(degreePath, errors: &errors) { columns, _ in
                guard columns.count > 1, let m = Float(columns[1]), m > 0, m <= 10 else {
                    return "multiplier in column 2 is not a number in (0, 10]"
                }
                degrees[Self.normalize(columns[0])] = m
                return nil
            }
        }
        if !errors.isEmpty { throw QingtingErrors(errors) }
        var entries: [String: Entry] = terms.mapValues { Entry(term: $0) }
        for (word, scope) in negators { entries[word, default: Entry()].negatorScope = scope }
        for (word, m) in degrees { entries[word, default: Entry()].degree = m }
        table = ByteKeyedTable(entries)
    }

    /// How many tokens a negator reaches, or nil when `token` is not a negator.
    public func negatorScope(_ token: String) -> Int? { table[token]?.negatorScope }

    /// Normalized as tokens are (T→S, NFKC, case fold), with spaces dropped: a two-token term is
    /// matched on the tokens' texts joined, so `love it` matches `love` `it` (as `loveit` does).
    static func normalize(_ term: String) -> String { Normalizer.standard.normalize(term).filter { $0 != " " } }

    /// Reads a lexicon file by `LexiconFile`'s rules, calling `parse` on each entry line (it
    /// returns what is wrong with a bad line); a term may appear once per file. Errors, of the
    /// file or of its lines, are appended to `errors` so several files can report together.
    static func readTSV(_ path: String, errors: inout [QingtingError], _ parse: ([String], Int) -> String?) {
        var seen: [String: Int] = [:]
        do {
            try LexiconFile.read(path) { columns, number in
                guard !columns[0].isEmpty else { return "empty term (column 1)" }
                if let first = seen[columns[0]] { return "term repeats line \(first)" }
                seen[columns[0]] = number
                return parse(columns, number)
            }
        } catch let failure as QingtingErrors {
            errors += failure.errors
        } catch {
            errors.append(QingtingError(.io, "\(error)", location: path))
        }
    }

    /// A lexicon hit in a text.
    public struct Cue: Sendable, Hashable {
        /// The lexicon term (normalized).
        public var term: String
        /// Polarity after negation.
        public var polarity: SentimentLabel
        public var negated: Bool
        /// Degree multiplier (1 when no degree word applies).
        public var degree: Float
        /// Prior weight × degree.
        public var strength: Float
        /// Byte span in the original text.
        public var range: Range<Int>
    }

    /// The cues of a tokenized text, with negation scope and degree applied.
    public func cues(in tokens: [Token]) -> [Cue] {
        guard !terms.isEmpty else { return [] }
        var cues: [Cue] = []
        var negatedUntil = -1  // index of the last token a negator still reaches
        var degree: Float = 1, degreeUntil = -1
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if token.kind == .punctuation {
                negatedUntil = -1
                degreeUntil = -1
                i += 1
                continue
            }
            let entry = table[token.text]
            var matched: (Term, String, Int)?
            if i + 1 < tokens.count, tokens[i + 1].kind != .punctuation,
               let term = table[token.text, tokens[i + 1].text]?.term {
                matched = (term, token.text + tokens[i + 1].text, 2)
            } else if let term = entry?.term {
                matched = (term, token.text, 1)
            }
            if let (term, text, length) = matched {
                // An emoji is the author's own reaction, never negated: 再也不买了😡 stays angry.
                let negated = i <= negatedUntil && token.kind != .emoji
                let multiplier = i <= degreeUntil ? degree : 1
                let polarity: SentimentLabel = negated ? (term.polarity == .positive ? .negative : .positive) : term.polarity
                // A negated strong word is a weak opposite: 不好 is negative, 不太好 milder.
                let strength = term.weight * multiplier * (negated ? 0.8 : 1)
                cues.append(Cue(term: text, polarity: polarity, negated: negated, degree: multiplier, strength: strength,
                                range: token.range.lowerBound..<tokens[i + length - 1].range.upperBound))
                negatedUntil = -1
                degreeUntil = -1
                i += length
                continue
            }
            if let scope = entry?.negatorScope {
                negatedUntil = negatedUntil >= i ? -1 : i + scope  // 不是不好: a double negative cancels
            } else if let m = entry?.degree {
                degree = m
                degreeUntil = i + 2
            }
            i += 1
        }
        return cues
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop(while: { $0 == character }).reversed().drop(while: { $0 == character }).reversed())
    }
}
