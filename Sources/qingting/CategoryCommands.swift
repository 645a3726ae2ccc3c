import ArgumentParser
import QingtingClassify
import QingtingText
import QingtingCore

struct TrainCategory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "category",
        abstract: "Train the category model: which product category a post is about when no lexicon term names it.",
        discussion: """
            Corpora are TSV `intents<TAB>category<TAB>text` (the intent corpora; category a name of \
            Lexicons/categories.tsv, or - for none). Default: one file per social training batch, \
            corpora/social/batches/*.intent.tsv (scripts/social-splits.sh cuts them from Models/corpus/social/). \
            The model is a softmax over every category with at least --min-posts posts, plus - (none), \
            over the sentiment model's features folded into 2^--bucket-bits buckets. `analyze` asks it \
            only when the lexicon names no category. Deterministic for a seed.
            """
    )

    @Option(name: .customLong("corpus"), help: "Training corpus TSV (repeatable).")
    var corpora: [String] = []

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output = ClassifyResources.categoryModel

    @Option(help: "Sentiment model whose features the category model shares (default: Models/sentiment.qtlin).")
    var sentimentModel: String?

    @Option(help: "log2 of the category model's bucket count (at most the sentiment model's).")
    var bucketBits = CategoryAnalyzer.defaultBucketBits

    @Option(help: "Posts a category needs in the corpora to be one of the model's labels (posts of rarer ones are left out).")
    var minPosts = 3

    @OptionGroup(title: "Training") var trainer: TrainerOptions

    @OptionGroup var segmenterOptions: SegmenterOptions

    func validate() throws {
        if minPosts < 1 { throw ValidationError("--min-posts \(minPosts) must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let start = Monotonic.seconds()
            let files = corpora.isEmpty
                ? Resources.find("corpora/social/batches").map { FileIO.files(in: $0, suffix: ".intent.tsv") } ?? []
                : corpora
            guard !files.isEmpty else { throw QingtingError(.io, "no training corpus: run scripts/social-splits.sh, or pass --corpus") }
            let examples = try files.flatMap { try IntentCorpus(contentsOf: $0).examples }
            let segmenter = try segmenterOptions.segmenter()
            let sentiment = try ClassifyResources.sentimentAnalyzer(segmenter: segmenter, modelPath: sentimentModel)
            let shared = sentiment.featurizer.extractor.configuration
            guard (1...shared.bucketBits).contains(bucketBits) else {
                throw ValidationError("--bucket-bits \(bucketBits) is not in 1...\(shared.bucketBits) (the sentiment model's)")
            }
            var features = shared
            features.bucketBits = bucketBits
            let none = CategoryAnalyzer.noneLabel
            var counts: [String: Int] = [:]
            for example in examples { counts[example.category ?? none, default: 0] += 1 }
            let labels = counts.filter { $0.key == none || $0.value >= minPosts }.keys.sorted()
            let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
            let kept = examples.compactMap { example in index[example.category ?? none].map { (label: $0, text: example.text) } }
            let featurizer = sentiment.featurizer
            let featurized = kept.map { (label: $0.label, features: featurizer.featurize($0.text)) }
            let trainer = LinearTrainer(configuration: trainer.configuration(.category))
            let (model, report) = trainer.train(featurized, labels: labels, features: features) { epoch, accuracy in
                warn("epoch \(epoch): validation accuracy \(NumberFormat.metric(accuracy))")
            }
            try model.write(to: output)
            print("trained category model on \(report.trainExamples) examples per member (validation \(report.validationExamples)): "
                  + "\(labels.count - 1) categories and \(none), \(examples.count - kept.count) posts of rarer categories left out; from \(files.count) files")
            print("best epoch \(report.bestEpoch), validation accuracy \(NumberFormat.metric(report.validationAccuracy[report.bestEpoch - 1]))")
            print("\(NumberFormat.fixed(Monotonic.seconds() - start, 2)) s → \(output) (\(model.byteCount) bytes)")
        }
    }
}
