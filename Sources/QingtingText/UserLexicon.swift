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

    /// Parses lexicon text; every bad line is reported (as `path:line: what`), none aborts.
    /// - Throws: `TextErrors` listing each bad line.
    public static func parse(_ text: String, path: String) throws -> [Entry] {
        var entries: [Entry] = []
        var errors: [TextError] = []
        var seen: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let where_ = "\(path):\(line)"
            let content = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if content.trimmingSpaces.isEmpty || content.trimmingSpaces.hasPrefix("#") { continue }
            let columns = content.split(separator: "\t", omittingEmptySubsequences: false).map { String($0) }
            let term = columns[0].trimmingSpaces
            guard !term.isEmpty else {
                errors.append(TextError(.invalidLexicon, "empty term", location: where_))
                continue
            }
            let pieces = term.split(separator: " ").map(String.init)
            guard pieces.allSatisfy({ SegmentKeys.keys(forWord: $0) != nil }) else {
                errors.append(TextError(.invalidLexicon,
                    "term '\(term)' holds characters the segmenter never joins into words (punctuation, emoji, tabs)",
                    location: where_))
                continue
            }
            var weight = defaultWeight
            if columns.count > 1, !columns[1].trimmingSpaces.isEmpty {
                guard let w = Double(columns[1].trimmingSpaces), w >= 0, w.isFinite else {
                    errors.append(TextError(.invalidLexicon,
                        "weight '\(columns[1])' is not a number >= 0 (column 2)", location: where_))
                    continue
                }
                weight = w
            }
            let key = pieces.joined()
            if let first = seen[key] {
                errors.append(TextError(.invalidLexicon, "term '\(term)' repeats line \(first)", location: where_))
                continue
            }
            seen[key] = line
            let wordClass = columns.count > 2 && !columns[2].trimmingSpaces.isEmpty ? columns[2].trimmingSpaces : nil
            entries.append(Entry(term: term, pieces: pieces, weight: weight, wordClass: wordClass, line: line))
        }
        if !errors.isEmpty { throw TextErrors(errors) }
        return entries
    }

    /// Loads and parses a lexicon file for a model.
    public init(contentsOf path: String, model: SegmentModel) throws {
        let bytes = try FileIO.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var offset = 0
            bytes.withUnsafeBufferPointer { offset = CCore.validateUTF8($0) ?? 0 }
            let line = bytes[..<offset].filter { $0 == 0x0A }.count + 1
            throw TextErrors([TextError(.invalidLexicon, "invalid UTF-8", location: "\(path):\(line)", byteOffset: offset)])
        }
        self.init(entries: try Self.parse(text, path: path), totalCount: model.totalCount)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
