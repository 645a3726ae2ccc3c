public import QingtingText
import QingtingCore

/// Sentiment of a text: the label, the probability of each class, the CRM tag and the cues that
/// drove the decision. Immutable and `Sendable`: share one across threads.
public struct SentimentAnalyzer: Sendable {
    public let featurizer: Featurizer
    public let model: LinearModel

    /// - Throws: when the model's labels are not the three sentiment classes or its feature space
    ///   differs from the featurizer's.
    public init(featurizer: Featurizer, model: LinearModel, modelPath: String = "model") throws {
        guard model.kind != .oneVsRest, model.labels == SentimentLabel.allCases.map(\.rawValue) else {
            throw QingtingError(.invalidModel, "not a sentiment model (labels \(model.labels))", location: modelPath)
        }
        try model.check(compatibleWith: featurizer.extractor, path: modelPath)
        self.featurizer = featurizer
        self.model = model
    }

    public struct Result: Sendable {
        public var label: SentimentLabel
        /// Indexed like `SentimentLabel.allCases`.
        public var probabilities: [Float]
        public var cues: [CueLexicon.Cue]
        public var tokens: [Token]
        public var tag: String { label.tag }
    }

    /// The model's label; a post with no content of its own (`ContentGate`) is neutral without
    /// asking the model, whose bias would otherwise speak for an empty post.
    public func analyze(_ features: Featurizer.Features) -> Result {
        guard ContentGate.hasContent(features.tokens) else {
            return Result(label: .neutral, probabilities: [0, 1, 0], cues: [], tokens: features.tokens)
        }
        let p = model.probabilities(features)
        return Result(label: SentimentLabel.allCases[LinearModel.mostProbable(p)], probabilities: p, cues: features.cues, tokens: features.tokens)
    }

    public func analyze(_ text: String) -> Result { analyze(featurizer.featurize(text)) }

    /// - Throws: `QingtingError.invalidUTF8` with the byte offset.
    public func analyze(utf8: UnsafeBufferPointer<UInt8>) throws -> Result {
        analyze(try featurizer.featurize(utf8: utf8))
    }
}
