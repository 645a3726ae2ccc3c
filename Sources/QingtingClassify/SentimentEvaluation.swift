/// Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix of a classifier.
public struct ClassificationReport: Sendable {
    public let labels: [String]
    /// confusion[gold][predicted]
    public private(set) var confusion: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        confusion = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    public mutating func add(gold: Int, predicted: Int) { confusion[gold][predicted] += 1 }

    public var total: Int { confusion.joined().reduce(0, +) }
    public var accuracy: Double {
        total == 0 ? 0 : Double(labels.indices.reduce(0) { $0 + confusion[$1][$1] }) / Double(total)
    }

    public func precision(_ j: Int) -> Double {
        let predicted = labels.indices.reduce(0) { $0 + confusion[$1][j] }
        return predicted == 0 ? 0 : Double(confusion[j][j]) / Double(predicted)
    }

    public func recall(_ j: Int) -> Double {
        let gold = confusion[j].reduce(0, +)
        return gold == 0 ? 0 : Double(confusion[j][j]) / Double(gold)
    }

    public func f1(_ j: Int) -> Double {
        let p = precision(j), r = recall(j)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// Macro-F1 over the labels that occur in the gold data.
    public var macroF1: Double {
        let present = labels.indices.filter { confusion[$0].reduce(0, +) > 0 }
        return present.isEmpty ? 0 : present.reduce(0) { $0 + f1($1) } / Double(present.count)
    }
}
