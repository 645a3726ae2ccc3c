import QingtingText
import QingtingCore

/// A labelled corpus: TSV lines `label<TAB>text` (`#` comment lines and blank lines skipped).
public struct LabeledCorpus: Sendable {
    public struct Example: Sendable, Hashable {
        public var label: Int
        public var text: String
        public var location: String
    }

    public let labels: [String]
    public var examples: [Example]

    /// Reads a corpus; every line with no label, an unknown label or no text is reported
    /// (`path:line: what`) and all of them are thrown together.
    public init(contentsOf path: String, labels: [String]) throws {
        self.labels = labels
        var examples: [Example] = []
        try Self.forEachLine(path) { line, place in
            guard let tab = line.firstIndex(of: "\t") else {
                return QingtingError(.invalidCorpus, "no label: expected 'label<TAB>text'", location: place)
            }
            let label = String(line[..<tab])
            guard let index = labels.firstIndex(of: label) else {
                return QingtingError(.invalidCorpus,
                    "unknown label '\(label)' (expected one of \(labels.joined(separator: ", ")))", location: place)
            }
            let text = String(line[line.index(after: tab)...])
            guard !text.isEmpty else { return QingtingError(.invalidCorpus, "empty text", location: place) }
            examples.append(Example(label: index, text: text, location: place))
            return nil
        }
        self.examples = examples
    }

    /// Calls `parse` on each line of a corpus that is not blank or a `#` comment (its columns
    /// joined by tabs again), with its place (`path:line`); `parse` returns the error of a bad
    /// line. The file is read by `LexiconFile`'s rules (strict UTF-8 per line, CRLF, BOM; corpora
    /// up to `FileIO.defaultSizeLimit`), and every bad line is thrown together at the end.
    static func forEachLine(_ path: String, _ parse: (String, String) -> QingtingError?) throws {
        try LexiconFile.read(path, sizeLimit: FileIO.defaultSizeLimit, code: .invalidCorpus) { columns, number in
            parse(columns.joined(separator: "\t"), "\(path):\(number)")?.message
        }
    }

    public init(labels: [String], examples: [Example]) {
        self.labels = labels
        self.examples = examples
    }
}
