import QingtingText

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
                return ClassifyError(.invalidCorpus, "no label: expected 'label<TAB>text'", location: place)
            }
            let label = String(line[..<tab])
            guard let index = labels.firstIndex(of: label) else {
                return ClassifyError(.invalidCorpus,
                    "unknown label '\(label)' (expected one of \(labels.joined(separator: ", ")))", location: place)
            }
            let text = String(line[line.index(after: tab)...])
            guard !text.isEmpty else { return ClassifyError(.invalidCorpus, "empty text", location: place) }
            examples.append(Example(label: index, text: text, location: place))
            return nil
        }
        self.examples = examples
    }

    /// Calls `parse` on each line of a corpus that is not blank or a `#` comment, with its place
    /// (`path:line`); `parse` returns the error of a bad line. Invalid UTF-8 is an error too. Every
    /// bad line is collected and all are thrown together at the end.
    static func forEachLine(_ path: String, _ parse: (String, String) -> ClassifyError?) throws {
        var errors: [ClassifyError] = []
        do {
            try FileIO.forEachLine(path) { bytes, number in
                let place = "\(path):\(number)"
                guard let line = String(validating: bytes, as: UTF8.self) else {
                    errors.append(ClassifyError(.invalidCorpus, "invalid UTF-8", location: place))
                    return
                }
                if line.isEmpty || line.hasPrefix("#") { return }
                if let error = parse(line, place) { errors.append(error) }
            }
        } catch let error as TextError {
            throw ClassifyError(.io, error.message, location: error.location ?? path)
        }
        if !errors.isEmpty { throw ClassifyErrors(errors) }
    }

    public init(labels: [String], examples: [Example]) {
        self.labels = labels
        self.examples = examples
    }
}
