import ArgumentParser
import QingtingClassify
import QingtingText
import QingtingCore

struct TrainIntent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intent",
        abstract: "Train the multi-label intent model (one-vs-rest, a decision threshold per label).",
        discussion: """
            Corpora are TSV `intents<TAB>category<TAB>text` (intents: none, or keys joined by ',': \
            \(IntentLabel.allCases.map(\.rawValue).joined(separator: ", "))). Defaults (those present): \
            Models/corpus/intent-train.tsv and one file per social training batch, \
            corpora/social/batches/*.intent.tsv (scripts/social-splits.sh cuts them from \
            Models/corpus/social/), with --held-out-thresholds. The model reads the sentiment model's features (the same \
            n-grams, folded into fewer buckets) plus the cues of Lexicons/intent_cues.tsv; each label's \
            threshold is the one with the best F1 on the validation slice, or with --held-out-thresholds on held-out corpora. Deterministic for a seed.
            """
    )

    @Option(name: .customLong("corpus"), help: "Training corpus TSV (repeatable).")
    var corpora: [String] = []

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = ClassifyResources.intentModel

    @Option(help: "Sentiment model whose features the intent model shares (default: Models/sentiment.qtlin).")
    var sentimentModel: String?

    @Option(help: "Intent cue lexicon (default: Lexicons/intent_cues.tsv).")
    var cues: String?

    @Option(help: "log2 of the intent model's bucket count (at most the sentiment model's).")
    var bucketBits = IntentAnalyzer.defaultBucketBits

    @Option(help: "Validation corpus to choose the epoch and each label's threshold on (default: a slice of the training corpus).")
    var validation: String?

    @Flag(help: "Choose each label's threshold on held-out corpora: every --corpus file is scored by a model trained without it (one file per writer's batch), instead of on the validation corpus. Thresholds then suit voices the model never read.")
    var heldOutThresholds = false

    @OptionGroup(title: "Training") var trainer: TrainerOptions

    @OptionGroup var segmenterOptions: SegmenterOptions

    func run() throws {
        try reportingErrors {
            let start = Monotonic.seconds()
            // The shipped recipe: the template corpus and every social training batch, one file per
            // writer, with thresholds chosen on held-out batches.
            let files = corpora.isEmpty
                ? ["Models/corpus/intent-train.tsv"].compactMap { Resources.find($0) }
                    + (Resources.find("corpora/social/batches").map { FileIO.files(in: $0, suffix: ".intent.tsv") } ?? [])
                : corpora
            guard !files.isEmpty else { throw QingtingError(.io, "no training corpus: run scripts/social-splits.sh, or pass --corpus") }
            let heldOutThresholds = self.heldOutThresholds || corpora.isEmpty
            var examples: [IntentCorpus.Example] = []
            var groups: [Int] = []  // the corpus file of each example
            for (k, file) in files.enumerated() {
                let read = try IntentCorpus(contentsOf: file).examples
                examples += read
                groups += Array(repeating: k, count: read.count)
            }
            if heldOutThresholds, files.count < 2 {
                throw ValidationError("--held-out-thresholds needs at least two --corpus files (one per writer's batch)")
            }
            let segmenter = try segmenterOptions.segmenter()
            let sentiment = try ClassifyResources.sentimentAnalyzer(segmenter: segmenter, modelPath: sentimentModel)
            let shared = sentiment.featurizer.extractor.configuration
            guard (1...shared.bucketBits).contains(bucketBits) else {
                throw ValidationError("--bucket-bits \(bucketBits) is not in 1...\(shared.bucketBits) (the sentiment model's)")
            }
            var features = shared
            features.bucketBits = bucketBits
            let cues = try ClassifyResources.intentCueLexicon(segmenter: segmenter, path: self.cues)
            let featurizer = sentiment.featurizer
            let validationFile = validation
            let held = try validationFile.map { try IntentCorpus(contentsOf: $0).examples }
            func featurize(_ example: IntentCorpus.Example) -> LinearTrainer.Example {
                let f = featurizer.featurize(example.text)
                let found = cues.cues(in: f.tokens, negators: featurizer.lexicon)
                return (labels: example.intents.map(\.index),
                        features: IntentAnalyzer.features(f, cues: found, extractor: featurizer.extractor))
            }
            let featurized = examples.map(featurize)
            let config = trainer.configuration(.intent)
            let labels = IntentLabel.allCases.map(\.rawValue)
            let trainer = LinearTrainer(configuration: config)
            let thresholds = heldOutThresholds
                ? trainer.heldOutGroupThresholds(featurized, groups: groups, labels: labels, features: features) { k in
                    warn("held-out thresholds: \(files[k]) scored by a model trained without it")
                }
                : nil
            let (model, report) = trainer.train(
                featurized, validation: held?.map(featurize), labels: labels, features: features, thresholds: thresholds) { epoch, f1 in
                warn("epoch \(epoch): validation micro-F1 \(NumberFormat.metric(f1))")
            }
            try model.write(to: output)
            let counts = IntentLabel.allCases.map { label in examples.filter { $0.intents.contains(label) }.count }
            let none = examples.filter { $0.intents.isEmpty }.count
            print("trained intent model on \(report.trainExamples) examples per member (validation \(report.validationExamples)\(validationFile.map { " from " + $0 } ?? ""); "
                  + zip(labels, counts).map { "\($0) \($1)" }.joined(separator: ", ") + ", none \(none)) from \(files.joined(separator: ", "))")
            print("intent cues: \(cues.count); best epoch \(report.bestEpoch), validation micro-F1 \(NumberFormat.metric(report.validationAccuracy[report.bestEpoch - 1])); "
                  + "thresholds " + zip(labels, model.thresholds).map { "\($0) \(NumberFormat.metric(Double($1)))" }.joined(separator: ", "))
            print("\(NumberFormat.fixed(Monotonic.seconds() - start, 2)) s → \(output) (\(model.byteCount) bytes)")
        }
    }
}

struct EvalIntent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intent",
        abstract: "Per-label P/R/F1, micro- and macro-F1, exact match and category accuracy of an intent model.",
        discussion: """
            Test sets are TSV `intents<TAB>category<TAB>text`. Default: Models/corpus/intent-dev.tsv \
            (the development split training never sees). Categories come from the lexicon, then the \
            category model (Models/category.qtlin, or --category-model; --lexicon-categories for the lexicon alone). With --baseline OLD both models are printed \
            side by side on the same sets, followed by the posts whose intents changed (OLD → NEW), \
            so a lexicon maintainer sees what an edit did.
            """
    )

    @Option(help: "Intent model to evaluate (default: Models/intent.qtlin).")
    var model: String?

    @Option(help: "Intent cue lexicon the model was trained with (default: Lexicons/intent_cues.tsv).")
    var cues: String?

    @Option(help: "A second intent model to compare with, side by side.")
    var baseline: String?

    @Option(help: "Intent cue lexicon the baseline was trained with (default: the model's, --cues). Cue priors count at scoring time, so compare an edited lexicon against the old file.")
    var baselineCues: String?

    @Option(name: .customLong("test"), help: "Test set TSV (repeatable).")
    var tests: [String] = []

    @Option(help: "Sentiment model whose features the intent models read (default: Models/sentiment.qtlin).")
    var sentimentModel: String?

    @Option(help: "With --baseline: list at most this many posts whose intents changed.")
    var showChanges = 50

    @Flag(help: "Also list the posts the model gets wrong (gold → predicted).")
    var showErrors = false

    @Option(help: "Category model to read the category with, after the lexicon (default: Models/category.qtlin when it is there).")
    var categoryModel: String?

    @Flag(help: "Categories from the lexicon alone (no category model).")
    var lexiconCategories = false

    @OptionGroup var segmenterOptions: SegmenterOptions

    func run() throws {
        try reportingErrors {
            let segmenter = try segmenterOptions.segmenter()
            let files = tests.isEmpty ? defaultTestSets(["Models/corpus/intent-dev.tsv"]) : tests
            guard !files.isEmpty else { throw QingtingError(.io, "no test set: pass --test") }
            let sentiment = try ClassifyResources.sentimentAnalyzer(segmenter: segmenter, modelPath: sentimentModel)
            func load(_ path: String?, cues: String?) throws -> IntentAnalyzer {
                guard let analyzer = try ClassifyResources.intentAnalyzer(featurizer: sentiment.featurizer, modelPath: path,
                                                                          cuesPath: cues) else {
                    throw QingtingError(.io, "no intent model found (looked for \(ClassifyResources.intentModel)); pass --model or run `qingting train intent`")
                }
                return analyzer
            }
            var analyzers = [("model", try load(model, cues: cues))]
            if let baseline { analyzers.append(("baseline", try load(baseline, cues: baselineCues ?? cues))) }
            let categories = try ClassifyResources.categoryAnalyzer(featurizer: sentiment.featurizer, modelPath: categoryModel,
                                                                    useModel: !lexiconCategories)
            let labels = IntentLabel.allCases.map(\.rawValue)
            for file in files {
                let corpus = try IntentCorpus(contentsOf: file)
                print("== \(file): \(corpus.examples.count) posts")
                let features = corpus.examples.map { sentiment.featurizer.featurize($0.text) }
                let predictions = analyzers.map { _, analyzer in features.map { Set(analyzer.analyze($0).labels.map(\.index)) } }
                let extracted = features.map { categories.analyze($0)?.category }
                let reports = predictions.map { predicted in
                    var report = MultiLabelReport(labels: labels)
                    for (i, example) in corpus.examples.enumerated() {
                        report.add(gold: Set(example.intents.map(\.index)), predicted: predicted[i])
                        if let gold = example.category {
                            report.addCategory(correct: extracted[i] == gold)
                        } else {
                            report.addUncategorized(givenOne: extracted[i] != nil)
                        }
                    }
                    return report
                }
                printReports(reports, names: analyzers.map(\.0))
                func names(_ set: Set<Int>) -> String {
                    set.isEmpty ? "none" : set.sorted().map { labels[$0] }.joined(separator: ",")
                }
                if predictions.count == 2 {
                    let changed = corpus.examples.indices.filter { predictions[0][$0] != predictions[1][$0] }
                    print("posts whose intents changed: \(changed.count) (baseline → model; gold)")
                    for i in changed.prefix(showChanges) {
                        let example = corpus.examples[i]
                        print("  \(example.location): \(names(predictions[1][i])) → \(names(predictions[0][i])); gold \(names(Set(example.intents.map(\.index))))  \(example.text)")
                    }
                }
                if showErrors {
                    print("posts the model gets wrong (gold → predicted):")
                    for (i, example) in corpus.examples.enumerated() where Set(example.intents.map(\.index)) != predictions[0][i] {
                        print("  \(example.location): \(names(Set(example.intents.map(\.index)))) → \(names(predictions[0][i]))  \(example.text)")
                    }
                    for (i, example) in corpus.examples.enumerated() where example.category != extracted[i] {
                        print("  \(example.location): category \(example.category ?? "none") → \(extracted[i] ?? "none")  \(example.text)")
                    }
                }
            }
        }
    }

    private func printReports(_ reports: [MultiLabelReport], names: [String]) {
        print(ComparisonTable.intents(reports, names: names), terminator: "")
    }
}
