import QingtingCore

/// The text tables `eval sentiment` and `eval intent` print: one column per model, and the
/// difference model − baseline when there are two. Text, so the CLI only prints it.
public enum ComparisonTable {
    /// One row: a title, each model's figure, the difference when there are two, then `note`.
    public static func row(_ title: String, _ values: [Double], _ note: String = "") -> String {
        NumberFormat.pad(title, 26, left: true)
            + values.map { NumberFormat.pad(NumberFormat.metric($0), 12, left: true) }.joined()
            + (values.count == 2 ? NumberFormat.pad("Δ \(NumberFormat.metric(values[0] - values[1]))", 12, left: true) : "")
            + note + "\n"
    }

    /// The header row: the models' names over their columns.
    public static func header(_ names: [String]) -> String {
        NumberFormat.pad("", 26, left: true) + names.map { NumberFormat.pad($0, 12, left: true) }.joined() + "\n"
    }

    /// The rows for one sentiment test set: accuracy, binary accuracy (when the set has negative
    /// or positive texts), macro-F1, per-class P/R/F1, and each model's confusion matrix.
    public static func sentiment(_ reports: [ClassificationReport], names: [String]) -> String {
        var out = header(names)
        out += row("accuracy (3-class)", reports.map(\.accuracy))
        let binary = reports.map { r -> Double in
            let neg = 0, pos = 2
            let gold = r.confusion[neg].reduce(0, +) + r.confusion[pos].reduce(0, +)
            return gold == 0 ? .nan : Double(r.confusion[neg][neg] + r.confusion[pos][pos]) / Double(gold)
        }
        if !binary[0].isNaN { out += row("binary acc (neg/pos gold)", binary) }
        out += row("macro-F1", reports.map(\.macroF1))
        for (j, label) in reports[0].labels.enumerated() where reports[0].confusion[j].reduce(0, +) > 0 {
            out += row("  \(label) P", reports.map { $0.precision(j) })
            out += row("  \(label) R", reports.map { $0.recall(j) })
            out += row("  \(label) F1", reports.map { $0.f1(j) })
        }
        for (name, report) in zip(names, reports) {
            out += "confusion (\(name)), rows gold, columns predicted: " + report.labels.joined(separator: " / ") + "\n"
            for (j, label) in report.labels.enumerated() {
                out += "  \(NumberFormat.pad(label, 9, left: true)) " + report.confusion[j].map { NumberFormat.pad(String($0), 7) }.joined() + "\n"
            }
        }
        return out
    }

    /// The rows for one intent test set: macro- and micro-F1, exact match, category accuracy, the
    /// share of posts naming none that got one, and per-intent P/R/F1 with support.
    public static func intents(_ reports: [MultiLabelReport], names: [String]) -> String {
        var out = header(names)
        out += row("macro-F1 (8 intents)", reports.map(\.macroF1))
        out += row("micro-F1", reports.map(\.microF1))
        out += row("exact match", reports.map(\.exactMatch))
        out += row("category accuracy", reports.map(\.categoryAccuracy), "  (\(reports[0].categoryExamples) posts name one)")
        out += row("category, none named", reports.map(\.categoryFalseAlarms),
                   "  (\(reports[0].uncategorizedExamples) posts)")
        for (j, label) in reports[0].labels.enumerated() {
            out += row("  \(label) P", reports.map { $0.precision(j) })
            out += row("  \(label) R", reports.map { $0.recall(j) })
            out += row("  \(label) F1", reports.map { $0.f1(j) }, "  (\(reports[0].support(j)) posts)")
        }
        return out
    }
}
