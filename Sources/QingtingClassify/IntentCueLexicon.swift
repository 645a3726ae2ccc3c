public import QingtingText
import QingtingCore

/// The intent cues people edit (`Lexicons/intent_cues.tsv`): `term<TAB>intent[|intent…]<TAB>weight<TAB>note`,
/// e.g. `到哪了	service_order	1`. A cue becomes features of the intent model (the term itself and
/// the intent it points to, valued by the weight), so a maintainer's new line is learned from at
/// the next training and shows in `analyze` as the cue behind an intent.
///
/// Terms match whole tokens like category terms (see `PhraseTable`). A negator of the sentiment
/// lexicon shortly before a cue (不想买, 没有投诉) turns it into a negated cue, a different feature.
public struct IntentCueLexicon: Sendable {
    public struct Entry: Sendable, Hashable {
        public var intents: [IntentLabel]
        public var weight: Float
    }

    /// An intent cue found in a text.
    public struct Cue: Sendable, Hashable {
        public var term: String
        public var intents: [IntentLabel]
        public var weight: Float
        public var negated: Bool
        /// Byte span in the original text.
        public var range: Range<Int>
    }

    private var table = PhraseTable<Entry>()
    public var count: Int { table.count }

    public static let empty = IntentCueLexicon()
    public init() {}

    /// Loads the file; every bad line is reported (`path:line: what`).
    /// - Parameter segmenter: cuts each term as running text is cut.
    public init(contentsOf path: String, segmenter: Segmenter) throws {
        var errors: [QingtingError] = []
        var entries: [(term: String, value: Entry)] = []
        CueLexicon.readTSV(path, errors: &errors) { columns, _ in
            guard columns.count >= 2 else { return "no intent (column 2)" }
            var intents: [IntentLabel] = []
            for key in columns[1].split(separator: "|") {
                guard let intent = IntentLabel(rawValue: String(key).trimmingCharacters(in: " ")) else {
                    return "unknown intent in column 2 (expected one of \(IntentLabel.allCases.map(\.rawValue).joined(separator: ", ")))"
                }
                intents.append(intent)
            }
            guard !intents.isEmpty else { return "no intent (column 2)" }
            var weight: Float = 1
            if columns.count > 2, !columns[2].isEmpty {
                guard let w = Float(columns[2]), w > 0, w <= 10 else {
                    return "weight in column 3 is not a number in (0, 10]"
                }
                weight = w
            }
            entries.append((columns[0], Entry(intents: intents, weight: weight)))
            return nil
        }
        if !errors.isEmpty { throw QingtingErrors(errors) }
        table = PhraseTable(entries, segmenter: segmenter)
    }

    /// The cues of a tokenized text, left to right.
    /// - Parameter negators: the sentiment lexicon, whose negators (and their scopes) apply.
    public func cues(in tokens: [Token], negators: CueLexicon) -> [Cue] {
        table.hits(in: tokens).map { hit in
            Cue(term: hit.term, intents: hit.value.intents, weight: hit.value.weight,
                negated: Self.isNegated(tokenAt: hit.tokens.lowerBound, in: tokens, negators: negators), range: hit.range)
        }
    }

    /// Whether a negator reaches token `i`: one within its scope before it, no punctuation between.
    static func isNegated(tokenAt i: Int, in tokens: [Token], negators: CueLexicon) -> Bool {
        var k = i - 1
        while k >= 0, i - k <= 3 {
            if tokens[k].kind == .punctuation { return false }
            if let scope = negators.negatorScope(tokens[k].text) { return i - k <= scope }
            k -= 1
        }
        return false
    }
}
