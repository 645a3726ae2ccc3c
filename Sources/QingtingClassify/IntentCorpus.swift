import QingtingText
import QingtingCore

/// A labelled intent corpus: TSV lines `intents<TAB>category<TAB>text`, where `intents` is `none`
/// or keys joined by `,` (`service_order,service_logistics`) and `category` is the product
/// category the post names (as in `Lexicons/categories.tsv`) or `-`. `#` lines and blank lines
/// are skipped.
public struct IntentCorpus: Sendable {
    public struct Example: Sendable, Hashable {
        public var intents: [IntentLabel]
        public var category: String?
        public var text: String
        public var location: String
    }

    public var examples: [Example]

    /// Reads a corpus; every bad line is reported (`path:line: what`) and all are thrown together.
    public init(contentsOf path: String) throws {
        var examples: [Example] = []
        try LabeledCorpus.forEachLine(path) { line, place in
            let columns = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 3 else {
                return QingtingError(.invalidCorpus, "expected 'intents<TAB>category<TAB>text'", location: place)
            }
            let intents: [IntentLabel]
            do throws(IntentLabel.LabelSetError) { intents = try IntentLabel.parseSet(columns[0]) } catch {
                return QingtingError(.invalidCorpus, error.message, location: place)
            }
            guard !columns[2].isEmpty else { return QingtingError(.invalidCorpus, "empty text", location: place) }
            examples.append(Example(intents: intents, category: columns[1] == "-" || columns[1].isEmpty ? nil : columns[1],
                                    text: columns[2], location: place))
            return nil
        }
        self.examples = examples
    }

    public init(examples: [Example]) { self.examples = examples }
}

/// Multi-label scores of an intent model: per-label precision/recall/F1, micro- and macro-F1,
/// the exact-match ratio, category accuracy on the posts that name one, and how often a category
/// is given to a post that names none.
public struct MultiLabelReport: Sendable {
    public let labels: [String]
    public private(set) var truePositives: [Int]
    public private(set) var falsePositives: [Int]
    public private(set) var falseNegatives: [Int]
    public private(set) var examples = 0
    public private(set) var exactMatches = 0
    public private(set) var categoryExamples = 0
    public private(set) var categoryCorrect = 0
    public private(set) var uncategorizedExamples = 0
    public private(set) var uncategorizedGivenOne = 0

    public init(labels: [String]) {
        self.labels = labels
        truePositives = Array(repeating: 0, count: labels.count)
        falsePositives = truePositives
        falseNegatives = truePositives
    }

    /// Adds one post: its gold and predicted label indices.
    public mutating func add(gold: Set<Int>, predicted: Set<Int>) {
        examples += 1
        if gold == predicted { exactMatches += 1 }
        for j in labels.indices {
            switch (gold.contains(j), predicted.contains(j)) {
            case (true, true): truePositives[j] += 1
            case (false, true): falsePositives[j] += 1
            case (true, false): falseNegatives[j] += 1
            case (false, false): break
            }
        }
    }

    /// Adds one post that names a category: whether the extracted one is the gold one.
    public mutating func addCategory(correct: Bool) {
        categoryExamples += 1
        if correct { categoryCorrect += 1 }
    }

    /// Adds one post that names no category: whether one was extracted all the same.
    public mutating func addUncategorized(givenOne: Bool) {
        uncategorizedExamples += 1
        if givenOne { uncategorizedGivenOne += 1 }
    }

    public func precision(_ j: Int) -> Double {
        let predicted = truePositives[j] + falsePositives[j]
        return predicted == 0 ? 0 : Double(truePositives[j]) / Double(predicted)
    }

    public func recall(_ j: Int) -> Double {
        let gold = truePositives[j] + falseNegatives[j]
        return gold == 0 ? 0 : Double(truePositives[j]) / Double(gold)
    }

    public func f1(_ j: Int) -> Double {
        let denominator = 2 * truePositives[j] + falsePositives[j] + falseNegatives[j]
        return denominator == 0 ? 0 : 2 * Double(truePositives[j]) / Double(denominator)
    }

    public func support(_ j: Int) -> Int { truePositives[j] + falseNegatives[j] }

    public var microF1: Double {
        let tp = truePositives.reduce(0, +)
        let denominator = 2 * tp + falsePositives.reduce(0, +) + falseNegatives.reduce(0, +)
        return denominator == 0 ? 0 : 2 * Double(tp) / Double(denominator)
    }

    /// Mean F1 over the labels that occur in the gold data.
    public var macroF1: Double {
        let present = labels.indices.filter { support($0) > 0 }
        return present.isEmpty ? 0 : present.reduce(0) { $0 + f1($1) } / Double(present.count)
    }

    public var exactMatch: Double { examples == 0 ? 0 : Double(exactMatches) / Double(examples) }
    public var categoryAccuracy: Double { categoryExamples == 0 ? .nan : Double(categoryCorrect) / Double(categoryExamples) }
    /// The share of posts that name no category given one.
    public var categoryFalseAlarms: Double {
        uncategorizedExamples == 0 ? .nan : Double(uncategorizedGivenOne) / Double(uncategorizedExamples)
    }
}
