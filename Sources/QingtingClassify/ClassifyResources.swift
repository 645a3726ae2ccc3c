import QingtingText

/// The shipped sentiment files, found like the segmenter's (see `Resources.find`).
public enum ClassifyResources {
    public static let sentimentModel = "Models/sentiment.qtlin"
    public static let sentimentLexicon = "Lexicons/sentiment.tsv"
    public static let negators = "Lexicons/negators.tsv"
    public static let degree = "Lexicons/degree.tsv"
    public static let categories = "Lexicons/categories.tsv"

    /// The category lexicon from the shipped file (or empty when it is not there).
    public static func categoryLexicon(segmenter: Segmenter) throws -> CategoryLexicon {
        guard let path = Resources.find(categories) else { return .empty }
        return try CategoryLexicon(contentsOf: path, segmenter: segmenter)
    }

    /// Sentiment plus categories: what `analyze` and the server's `text.analyze` run.
    public static func postAnalyzer(segmenter: Segmenter, modelPath: String? = nil) throws -> PostAnalyzer {
        PostAnalyzer(sentiment: try sentimentAnalyzer(segmenter: segmenter, modelPath: modelPath),
                     categories: try categoryLexicon(segmenter: segmenter))
    }

    /// The cue lexicon from the shipped files (or empty when they are not there).
    public static func cueLexicon() throws -> CueLexicon {
        guard let sentiment = Resources.find(sentimentLexicon) else { return .empty }
        return try CueLexicon(sentiment: sentiment, negators: Resources.find(negators), degree: Resources.find(degree))
    }

    /// The sentiment analyzer: segmenter + cue lexicon + model (default `Models/sentiment.qtlin`).
    public static func sentimentAnalyzer(segmenter: Segmenter, modelPath: String? = nil) throws -> SentimentAnalyzer {
        guard let path = modelPath ?? Resources.find(sentimentModel) else {
            throw ClassifyError(.io, "no sentiment model found (looked for \(sentimentModel)); pass --model or run `qingting train sentiment`")
        }
        let model = try LinearModel(contentsOf: path)
        let featurizer = Featurizer(segmenter: segmenter, extractor: FeatureExtractor(configuration: model.features),
                                    lexicon: try cueLexicon())
        return try SentimentAnalyzer(featurizer: featurizer, model: model, modelPath: path)
    }
}
