import ArgumentParser
import QingtingText
import QingtingCore

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a corpus.",
        subcommands: [TrainSegment.self, TrainSentiment.self, TrainIntent.self, TrainCategory.self]
    )
}

struct TrainSegment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Learn the segmenter's word model from a gold-segmented corpus.",
        discussion: """
            The corpus has words split by spaces (word/POS accepted), e.g. People's Daily 199801 \
            from scripts/fetch-corpora.sh. By default every line whose 0-based index % 10 == 9 is \
            held out for `qingting eval segment`, and training never sees it.
            """
    )

    @Option(help: "Gold-segmented corpus.")
    var gold: String

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = Resources.segmentModel

    @Option(help: "Hold out lines whose 0-based index % MODULUS == REMAINDER (MODULUS:REMAINDER, or 'none').")
    var holdOut = "10:9"

    func run() throws {
        let split = try parseHoldOut(holdOut)
        try reportingErrors {
            let start = Monotonic.seconds()
            var trainer = SegmentTrainer()
            var index = 0
            try FileIO.forEachLine(gold) { line, number in
                defer { index += 1 }
                if let split, split.isHeldOut(lineIndex: index) { return }
                guard let text = String(validating: line, as: UTF8.self) else {
                    throw QingtingError(.invalidCorpus, "invalid UTF-8", location: "\(gold):\(number)")
                }
                trainer.add(goldLine: text)
            }
            let model = trainer.model()
            try model.write(to: output)
            print("trained segment model: \(model.wordCount) words from \(trainer.linesUsed) lines of \(index) " +
                  "(held out: \(holdOut)) in \(NumberFormat.fixed(Monotonic.seconds() - start, 2)) s → \(output) (\(model.byteCount) bytes)")
        }
    }
}

func parseHoldOut(_ text: String) throws -> SegmentTrainer.Split? {
    if text == "none" { return nil }
    let parts = text.split(separator: ":").compactMap { Int($0) }
    guard parts.count == 2, parts[0] > 0, parts[1] >= 0, parts[1] < parts[0] else {
        throw ValidationError("--hold-out '\(text)' is not MODULUS:REMAINDER with 0 <= REMAINDER < MODULUS, or 'none'")
    }
    return SegmentTrainer.Split(modulus: parts[0], remainder: parts[1])
}

