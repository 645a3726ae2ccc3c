import QingtingText

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

    private var table = ByteKeyedTable<Entry>([:])
    /// Longest term, in tokens of running text it may span (bounds the search).
    private var maxTokens = 1
    /// Longest term in UTF-8 bytes, and the first scalar of every term: most tokens start none,
    /// and are passed over with one set lookup.
    private var maxBytes = 0
    private var firstScalars: Set<UInt32> = []
    public private(set) var count = 0

    public static let empty = CategoryLexicon()
    public init() {}

    /// Loads the file; every bad line is reported (`path:line: what`).
    /// - Parameter segmenter: cuts each term as running text is cut, to know how many tokens it spans.
    public init(contentsOf path: String, segmenter: Segmenter) throws {
        var errors: [ClassifyError] = []
        var entries: [String: Entry] = [:]
        try CueLexicon.readTSV(path, errors: &errors) { columns, place in
            guard columns.count >= 3, let kind = Kind(rawValue: columns[2]) else {
                return ClassifyError(.invalidLexicon, "kind must be name, model, brand or context (column 3)", location: place)
            }
            let categories = columns[1].split(separator: "|").map { String($0).trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
            guard !categories.isEmpty else {
                return ClassifyError(.invalidLexicon, "no category (column 2)", location: place)
            }
            let tokens = segmenter.tokenize(columns[0])
            let key = tokens.map(\.text).joined()
            maxTokens = max(maxTokens, tokens.count + 2)  // running text may cut it finer
            entries[key] = Entry(categories: categories, kind: kind)
            return nil
        }
        if !errors.isEmpty { throw ClassifyErrors(errors) }
        table = ByteKeyedTable(entries)
        count = entries.count
        maxBytes = entries.keys.map(\.utf8.count).max() ?? 0
        firstScalars = Set(entries.keys.compactMap { $0.unicodeScalars.first?.value })
    }

    /// Every lexicon term in the tokens, longest first at each position, left to right.
    func hits(in tokens: [Token]) -> [(term: String, entry: Entry, range: Range<Int>)] {
        var hits: [(String, Entry, Range<Int>)] = []
        var joined: [UInt8] = []
        joined.reserveCapacity(maxBytes + 16)
        var i = 0
        while i < tokens.count {
            guard let first = tokens[i].text.unicodeScalars.first, firstScalars.contains(first.value) else { i += 1; continue }
            joined.removeAll(keepingCapacity: true)
            var best: (Entry, Int)?
            for j in i..<min(tokens.count, i + maxTokens) {
                guard tokens[j].kind == .word || tokens[j].kind == .number else { break }
                joined.append(contentsOf: tokens[j].text.utf8)
                if joined.count > maxBytes { break }
                if let entry = table[bytes: joined] { best = (entry, j) }
            }
            if let (entry, last) = best {
                let term = tokens[i...last].map(\.text).joined()
                hits.append((term, entry, tokens[i].range.lowerBound..<tokens[last].range.upperBound))
                i = last + 1
            } else {
                i += 1
            }
        }
        return hits
    }

    /// The category the text names, or nil when it names none or leaves it unclear.
    ///
    /// The first name or model of one category decides. Failing that, the first brand whose
    /// categories the text's context words (and names) narrow to one decides.
    public func category(in tokens: [Token]) -> Match? {
        let hits = hits(in: tokens)
        for hit in hits where hit.entry.kind != .brand && hit.entry.kind != .context && hit.entry.categories.count == 1 {
            return Match(category: hit.entry.categories[0], term: hit.term, kind: hit.entry.kind, range: hit.range)
        }
        var support: [String: Int] = [:]
        for hit in hits where hit.entry.kind == .context || hit.entry.kind == .name {
            for category in hit.entry.categories { support[category, default: 0] += 1 }
        }
        for hit in hits where hit.entry.kind != .context {
            let candidates = hit.entry.categories
            let chosen: String?
            if candidates.count == 1 {
                chosen = candidates[0]
            } else {
                let scores = candidates.map { support[$0] ?? 0 }
                let top = scores.max() ?? 0
                chosen = top > 0 && scores.filter({ $0 == top }).count == 1 ? candidates[scores.firstIndex(of: top)!] : nil
            }
            if let chosen { return Match(category: chosen, term: hit.term, kind: hit.entry.kind, range: hit.range) }
        }
        return nil
    }
}
