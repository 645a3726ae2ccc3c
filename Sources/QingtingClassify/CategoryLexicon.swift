public import QingtingText
import QingtingCore

/// Product categories named in a text (`Lexicons/categories.tsv`): the category and the span of
/// the words that named it, set only when the text makes it clear.
///
/// Lines are `term<TAB>category[|category…]<TAB>kind`, kind being `name` (手机), `model` (iPhone),
/// `brand` (兰蔻: several categories, decided by context) or `context` (色号: only helps decide).
/// Terms match whole tokens — one or several in a row — after the same normalization as running
/// text with spaces dropped, so `iPhone 15` matches `iphone` `15`.
public struct CategoryLexicon: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case name, model, brand, context }

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
                return "kind in column 3 is not name, model, brand or context"
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
    /// categories the text's context words (and names) narrow to one decides.
    public func category(in tokens: [Token]) -> Match? {
        let hits = table.hits(in: tokens)
        for hit in hits where hit.value.kind != .brand && hit.value.kind != .context && hit.value.categories.count == 1 {
            return Match(category: hit.value.categories[0], term: hit.term, kind: hit.value.kind, range: hit.range)
        }
        var support: [String: Int] = [:]
        for hit in hits where hit.value.kind == .context || hit.value.kind == .name {
            for category in hit.value.categories { support[category, default: 0] += 1 }
        }
        for hit in hits where hit.value.kind != .context {
            let candidates = hit.value.categories
            let chosen: String?
            if candidates.count == 1 {
                chosen = candidates[0]
            } else {
                let scores = candidates.map { support[$0] ?? 0 }
                let top = scores.max() ?? 0
                chosen = top > 0 && scores.filter({ $0 == top }).count == 1 ? candidates[scores.firstIndex(of: top)!] : nil
            }
            if let chosen { return Match(category: chosen, term: hit.term, kind: hit.value.kind, range: hit.range) }
        }
        return nil
    }
}
