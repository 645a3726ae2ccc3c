public import QingtingText
import QingtingCore

/// Intents of a post: a one-vs-rest model over the post's shared features (the same n-grams and
/// sentiment cues the sentiment model reads) plus its intent cues, each label decided by its own
/// threshold from the model file. Immutable and `Sendable`: share one across threads.
public struct IntentAnalyzer: Sendable {
    /// log2 of the shipped intent model's bucket count (it shares the sentiment model's hashing,
    /// with fewer buckets: 8 labels × 2^19 bytes = 4 MB; held-out training batches scored 2^19 0.026
    /// above 2^18 and 0.003 below 2^20).
    public static let defaultBucketBits = 19

    public let model: LinearModel
    public let cues: IntentCueLexicon
    /// The featurizer the shared features come from (its extractor hashes the cue features, its
    /// sentiment lexicon supplies the negators).
    public let featurizer: Featurizer

    /// Namespace of intent cue features ("ICUE").
    static let cueSeed: UInt32 = 0x4943_5545

    /// How much a cue's prior weight moves its intents' scores (in logits) before anything is
    /// learned: a cue a maintainer adds counts at once, even in phrasing the corpus never had; a
    /// negated cue counts against. The learned cue features then correct the prior.
    public static let priorScale: Float = 2

    /// - Throws: when the model is not a one-vs-rest model over the eight intents, or reads
    ///   features the featurizer does not make.
    public init(model: LinearModel, cues: IntentCueLexicon, featurizer: Featurizer, modelPath: String = "model") throws {
        guard model.kind == .oneVsRest, model.labels == IntentLabel.allCases.map(\.rawValue) else {
            throw QingtingError(.invalidModel, "not an intent model (labels \(model.labels))", location: modelPath)
        }
        try model.check(compatibleWith: featurizer.extractor, path: modelPath)
        self.model = model
        self.cues = cues
        self.featurizer = featurizer
    }

    /// The intent model's features: the shared ones plus a feature per intent cue and per intent
    /// a cue points to (negated cues are features of their own), valued by the cue's weight.
    public static func features(_ shared: Featurizer.Features, cues: [IntentCueLexicon.Cue],
                                extractor: FeatureExtractor) -> Featurizer.Features {
        var f = shared
        f.offsets = [Float](repeating: 0, count: IntentLabel.allCases.count)
        for cue in cues {
            for intent in cue.intents { f.offsets[intent.index] += (cue.negated ? -1 : 1) * priorScale * cue.weight }
            let prefix = cue.negated ? "not:" : ""
            f.cueBuckets.append(extractor.bucket(ofKey: prefix + "cue:" + cue.term, seed: cueSeed))
            f.cueValues.append(cue.weight)
            for intent in cue.intents {
                f.cueBuckets.append(extractor.bucket(ofKey: prefix + "intent:" + intent.rawValue, seed: cueSeed))
                f.cueValues.append(cue.weight)
            }
        }
        return f
    }

    /// One decided intent.
    public struct Intent: Sendable, Hashable {
        public var label: IntentLabel
        public var probability: Float
        /// The cues in the text that point to this intent (negated ones included: they explain a no).
        public var cues: [IntentCueLexicon.Cue]
    }

    public struct Result: Sendable {
        /// Intents at or above their thresholds, in label order.
        public var intents: [Intent]
        /// Every label's probability, indexed like `IntentLabel.allCases`.
        public var probabilities: [Float]
        public var labels: [IntentLabel] { intents.map(\.label) }

        /// No intent at all (every probability 0): the result for a post with no content.
        public static var none: Result { Result(intents: [], probabilities: Array(repeating: 0, count: IntentLabel.allCases.count)) }
    }

    /// The intents at or above their thresholds; none for a post with no content (`ContentGate`).
    public func analyze(_ shared: Featurizer.Features) -> Result {
        guard ContentGate.hasContent(shared.tokens) else { return .none }
        let found = cues.cues(in: shared.tokens, negators: featurizer.lexicon)
        let p = model.probabilities(Self.features(shared, cues: found, extractor: featurizer.extractor))
        return Self.decide(p, thresholds: model.thresholds, cues: found)
    }

    /// The labels whose probability reaches their threshold.
    public static func decide(_ p: [Float], thresholds: [Float], cues: [IntentCueLexicon.Cue] = []) -> Result {
        var intents: [Intent] = []
        for (j, label) in IntentLabel.allCases.enumerated() where p[j] >= thresholds[j] {
            intents.append(Intent(label: label, probability: p[j], cues: cues.filter { $0.intents.contains(label) }))
        }
        return Result(intents: intents, probabilities: p)
    }

    public func analyze(_ text: String) -> Result { analyze(featurizer.featurize(text)) }
}
