import ArgumentParser
import QingtingText
import QingtingCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model on a fixed, documented split.",
        subcommands: [EvalSegment.self, EvalSentiment.self, EvalIntent.self, EvalLink.self]
    )
}

struct EvalSegment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Score segmentation against a gold corpus: word precision, recall and F1.",
        discussion: """
            A word counts as correct when its byte span equals a gold word's. By default only the \
            held-out lines are scored (0-based index % 10 == 9), the ones `train segment` skips.
            """
    )

    @Option(help: "Gold-segmented corpus (words split by spaces, word/POS accepted).")
    var gold: String

    @Option(help: "Score lines whose 0-based index % MODULUS == REMAINDER (MODULUS:REMAINDER, or 'all').")
    var lines = "10:9"

    @OptionGroup var segmenterOptions: SegmenterOptions

    func run() throws {
        let split = try parseHoldOut(lines == "all" ? "none" : lines)
        try reportingErrors {
            let segmenter = try segmenterOptions.segmenter()
            var score = SegmentationScore()
            var index = 0
            let start = Monotonic.seconds()
            try FileIO.forEachLine(gold) { line, number in
                defer { index += 1 }
                if let split, !split.isHeldOut(lineIndex: index) { return }
                guard let text = String(validating: line, as: UTF8.self) else {
                    throw QingtingError(.invalidCorpus, "invalid UTF-8", location: "\(gold):\(number)")
                }
                score.add(goldLine: text, segmenter: segmenter)
            }
            let seconds = Monotonic.seconds() - start
            print("lines      \(score.lines) (\(lines) of \(gold))")
            print("engine     \(segmenterOptions.engine.rawValue)\(segmenterOptions.icuFallback ? " + icu fallback" : "")")
            print("gold words \(score.goldWords)  predicted \(score.predictedWords)  correct \(score.correctWords)")
            print("precision  \(fmt(score.precision))")
            print("recall     \(fmt(score.recall))")
            print("F1         \(fmt(score.f1))")
            print("time       \(NumberFormat.fixed(seconds, 2)) s")
        }
    }

    private func fmt(_ x: Double) -> String { "\((x * 10000).rounded() / 10000)" }
}
