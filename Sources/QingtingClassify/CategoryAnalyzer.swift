public import QingtingText
public import QingtingCore

/// The product category a post is about: the one its words name (`CategoryLexicon`), else the
/// category model's reading of the whole post.
///
/// The lexicon is exact but silent on posts that name no listed term (等了一个半小时才送到); the model — a softmax over the categories of the social corpus plus `-` for none,
/// over the sentiment model's features folded into fewer buckets — reads such posts by their
/// other words. It speaks only when the lexicon does not, and only when its best label is a
/// category (not `-`): a named term outranks a guess. Content-free posts get no category.
public struct CategoryAnalyzer: Sendable {
    /// The label of the category model that means "no category".
    public static let noneLabel = "-"
    /// log2 of the shipped category model's bucket count: 136 labels × 2^13 bytes ≈ 1.1 MB, small
    /// enough to stay in cache (held-out training batches scored 2^13 as 2^14, 2^12 0.002 lower).
    public static let defaultBucketBits = 13

    public let lexicon: CategoryLexicon
    /// Nil when no category model is installed: the lexicon alone decides.
    public let model: LinearModel?

    /// - Throws: when the model is not a softmax model with a `-` label, or reads features the
    ///   extractor does not make.
    public init(lexicon: CategoryLexicon, model: LinearModel, extractor: FeatureExtractor, modelPath: String = "model") throws {
        guard model.kind == .softmax, model.labels.contains(Self.noneLabel) else {
            throw QingtingError(.invalidModel, "not a category model (a softmax model with a '\(Self.noneLabel)' label)",
                                location: modelPath)
        }
        try model.check(compatibleWith: extractor, path: modelPath)
        self.lexicon = lexicon
        self.model = model
    }

    /// The lexicon alone (no model).
    public init(lexicon: CategoryLexicon) {
        self.lexicon = lexicon
        self.model = nil
    }

    /// How a post's category was found.
    public enum Finding: Sendable, Hashable {
        /// A lexicon term in the text named it.
        case named(CategoryLexicon.Match)
        /// The category model read it from the whole post, with its probability.
        case predicted(category: String, probability: Float)

        public var category: String {
            switch self {
            case .named(let match): match.category
            case .predicted(let category, _): category
            }
        }

        /// `{"name","term","kind","start","end"}` for a named category, `{"name","kind":"predicted",
        /// "probability"}` for a predicted one.
        public func write(to w: inout JSONWriter) {
            w.object { w in
                w.member("name", category)
                switch self {
                case .named(let match):
                    w.member("term", match.term)
                    w.member("kind", match.kind.rawValue)
                    w.member("start", match.range.lowerBound)
                    w.member("end", match.range.upperBound)
                case .predicted(_, let probability):
                    w.member("kind", "predicted")
                    w.member("probability", probability, digits: 4)
                }
            }
        }
    }

    /// The category of a featurized post, or nil when neither the lexicon nor the model finds one.
    public func analyze(_ features: Featurizer.Features) -> Finding? {
        if let match = lexicon.category(in: features.tokens) { return .named(match) }
        guard let model, ContentGate.hasContent(features.tokens) else { return nil }
        let p = model.probabilities(features)
        guard let best = p.indices.max(by: { p[$0] < p[$1] }), model.labels[best] != Self.noneLabel else { return nil }
        return .predicted(category: model.labels[best], probability: p[best])
    }
}
