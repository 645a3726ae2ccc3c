import QingtingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Words people add to (or take out of) the segmenter: brands, products, slang.
///
/// `Lexicons/userdict.tsv`: UTF-8, one entry a line, `#` starts a comment line, columns split by tabs:
///
/// | column | meaning |
/// |---|---|
/// | term | the word; single spaces inside it force a split there (`南京 市长` cuts 南京市长 in two) |
/// | weight | optional pseudo-count on the model's scale (default 1000); `0` removes the word |
/// | class | optional: brand, product, slang, service … (kept for later stages) |
/// | note | optional free text |
///
/// Entries sit in an overlay trie over the trained model, so adding one never rebuilds the model.
public struct UserLexicon: Sendable {
    public struct Entry: Sendable, Hashable {
        public var term: String
        public var pieces: [String]
        public var weight: Double
        public var wordClass: String?
        public var line: Int
    }

    public static let defaultWeight = 1000.0
    public static let empty = UserLexicon(entries: [], totalCount: 1)

    public let entries: [Entry]
    let trie: TrieView
    /// Overlay node → lengths (in keys) of the pieces a split entry cuts its word into.
    let splits: [UInt32: [Int]]
    private let storage: OwnedTrie?

    /// Builds the overlay for entries; weights become costs against the model's `totalCount`.
    public init(entries: [Entry], totalCount: Double) {
        self.entries = entries
        guard !entries.isEmpty else {
            trie = .empty
            splits = [:]
            storage = nil
            return
        }
        var builder = HashTrieBuilder()
        var splits: [UInt32: [Int]] = [:]
        for entry in entries {
            guard let keys = SegmentKeys.keys(forWord: entry.pieces.joined()) else { continue }
            let cost = entry.weight > 0 ? Float(log(max(totalCount, entry.weight) / entry.weight)) : CCore.blockedCost
            let node = builder.insert(keys, cost: cost)
            if entry.pieces.count > 1 {
                splits[node] = entry.pieces.map { SegmentKeys.keys(forWord: $0)?.count ?? 0 }
            }
        }
        let owned = OwnedTrie(builder, unknownCost: 0)
        storage = owned
        trie = owned.view
        self.splits = splits
    }

    /// Parses lexicon text by `LexiconFile`'s rules; every bad line is reported (as
    /// `path:line: what`, never quoting the line), none aborts.
    /// - Throws: `QingtingErrors` listing each bad line.
    public static func parse(_ text: String, path: String) throws -> [Entry] {
        try parse(Array(text.utf8), path: path)
    }

    static func parse(_ bytes: [UInt8], path: String) throws -> [Entry] {
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        try LexiconFile.parse(bytes, path: path) { columns, line in entry(columns, line: line, into: &entries, seen: &seen) }
        return entries
    }

    /// Loads a lexicon file (see `LexiconFile` for what is refused) for a model.
    /// - Throws: `QingtingErrors` naming the file, or each bad line.
    public init(contentsOf path: String, model: SegmentModel) throws {
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        try LexiconFile.read(path) { columns, line in Self.entry(columns, line: line, into: &entries, seen: &seen) }
        self.init(entries: entries, totalCount: model.totalCount)
    }

    /// Checks one line's columns and appends its entry; returns what is wrong instead when it is bad.
    /// - Parameter seen: the line of each term read so far (a term may appear once).
    private static func entry(_ columns: [String], line: Int, into entries: inout [Entry],
                              seen: inout [String: Int]) -> String? {
        let term = columns[0]
        guard !term.isEmpty else { return "empty term (column 1)" }
        let pieces = term.split(separator: " ").map(String.init)
        guard pieces.allSatisfy({ SegmentKeys.keys(forWord: $0) != nil }) else {
            return "term in column 1 holds characters the segmenter never joins into words (punctuation, emoji)"
        }
        var weight = defaultWeight
        if columns.count > 1, !columns[1].isEmpty {
            guard let w = Double(columns[1]), w >= 0, w.isFinite else { return "weight in column 2 is not a number >= 0" }
            weight = w
        }
        let key = pieces.joined()
        if let first = seen[key] { return "term repeats line \(first)" }
        seen[key] = line
        let wordClass = columns.count > 2 && !columns[2].isEmpty ? columns[2] : nil
        entries.append(Entry(term: term, pieces: pieces, weight: weight, wordClass: wordClass, line: line))
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
