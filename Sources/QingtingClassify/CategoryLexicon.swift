public import QingtingText
import QingtingCore

/// Product categories named in a text (`Lexicons/categories.tsv`): the category and the span of
/// the words that named it, set only when the text makes it clear.
///
/// Lines are `term<TAB>category[|category…]<TAB>kind`, kind being `name` (手机), `model` (iPhone),
/// `brand` (兰蔻: several categories, decided by context), `weak` (车, 飞机: a colloquial word that
/// names a category only when no name, model or brand in the text decides) or `context` (色号: only
/// helps decide).
/// Terms match whole tokens — one or several in a row — after the same normalization as running
/// text with spaces dropped, so `iPhone 15` matches `iphone` `15`.
public struct CategoryLexicon: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case name, model, brand, weak, context }

    struct Entry: Sendable {
        var categories: [String]
        var kind: Kind
    }

    /// A category found in a text.
    public struct Match: Sendable, Hashable {
        public var category: String
        /// The lexicon term that named it (normalized).
        public var term: String
        public var kind: Kind
        /// Byte span in the original text.
        public var range: Range<Int>
    }

    private var table = PhraseTable<Entry>()
    public var count: Int { table.count }

    public static let empty = CategoryLexicon()
    public init() {}

    /// Loads the file; every bad line is reported (`path:line: what`).
    /// - Parameter segmenter: cuts each term as running text is cut, to know how many tokens it spans.
    public init(contentsOf path: String, segmenter: Segmenter) throws {
        var errors: [QingtingError] = []
        var entries: [(term: String, value: Entry)] = []
        CueLexicon.readTSV(path, errors: &errors) { columns, _ in
            guard columns.count >= 3, let kind = Kind(rawValue: columns[2]) else {
                return "kind in column 3 is not name, model, brand, weak or context"
            }
            let categories = columns[1].split(separator: "|").map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
            guard !categories.isEmpty else {
                return "no category (column 2)"
            }
            entries.append((columns[0], Entry(categories: categories, kind: kind)))
            return nil
        }
        if !errors.isEmpty { throw QingtingErrors(errors) }
        table = PhraseTable(entries, segmenter: segmenter)
    }

    /// The category the text names, or nil when it names none or leaves it unclear.
    ///
    /// The first name or model of one category decides. Failing that, the first brand whose
    /// categories the text's context words (and names) narrow to one decides; failing that, the
    /// first weak word narrowed the same way.
    public func category(in tokens: [Token]) -> Match? {
        let hits = table.hits(in: Self.lookupForm(tokens))
        for hit in hits where (hit.value.kind == .name || hit.value.kind == .model) && hit.value.categories.count == 1 {
            return Match(category: hit.value.categories[0], term: hit.term, kind: hit.value.kind, range: hit.range)
        }
        var support: [String: Int] = [:]
        for hit in hits where hit.value.kind == .context || hit.value.kind == .name || hit.value.kind == .weak {
            for category in hit.value.categories { support[category, default: 0] += 1 }
        }
        func decided(_ hit: PhraseTable<Entry>.Hit) -> Match? {
            let candidates = hit.value.categories
            let chosen: String?
            if candidates.count == 1 {
                chosen = candidates[0]
            } else {
                let scores = candidates.map { support[$0] ?? 0 }
                let top = scores.max() ?? 0
                chosen = top > 0 && scores.filter({ $0 == top }).count == 1 ? candidates[scores.firstIndex(of: top)!] : nil
            }
            return chosen.map { Match(category: $0, term: hit.term, kind: hit.value.kind, range: hit.range) }
        }
        for hit in hits where hit.value.kind != .context && hit.value.kind != .weak {
            if let match = decided(hit) { return match }
        }
        for hit in hits where hit.value.kind == .weak {
            if let match = decided(hit) { return match }
        }
        return nil
    }

    /// Service numbers (12306), `@mentions` and `#hashtags#` are looked up as the words they hold,
    /// so 12306, @Canon and #小米SU7# name what they name; other tokens are left as they are.
    static func lookupForm(_ tokens: [Token]) -> [Token] {
        guard tokens.contains(where: { $0.kind == .phone || $0.kind == .mention || $0.kind == .hashtag }) else { return tokens }
        return tokens.map { token in
            if token.kind == .phone { return Token(kind: .number, text: token.text, range: token.range) }
            guard token.kind == .mention || token.kind == .hashtag else { return token }
            var inner = Substring(token.text)
            while inner.first == "@" || inner.first == "#" { inner = inner.dropFirst() }
            while inner.last == "#" { inner = inner.dropLast() }
            return inner.isEmpty ? token : Token(kind: .word, text: String(inner), range: token.range)
        }
    }
}
