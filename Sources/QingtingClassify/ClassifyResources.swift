public import QingtingText
import QingtingCore

/// The shipped model and lexicon files, found like the segmenter's (see `Resources.find`).
public enum ClassifyResources {
    public static let sentimentModel = "Models/sentiment.qtlin"
    public static let sentimentLexicon = "Lexicons/sentiment.tsv"
    public static let negators = "Lexicons/negators.tsv"
    public static let degree = "Lexicons/degree.tsv"
    public static let categories = "Lexicons/categories.tsv"
    public static let intentModel = "Models/intent.qtlin"
    public static let intentCues = "Lexicons/intent_cues.tsv"
    public static let categoryModel = "Models/category.qtlin"

    /// The category lexicon from the shipped file (or empty when it is not there).
    public static func categoryLexicon(segmenter: Segmenter) throws -> CategoryLexicon {
        guard let path = Resources.find(categories) else { return .empty }
        return try CategoryLexicon(contentsOf: path, segmenter: segmenter)
    }

    /// The category analyzer: the shipped lexicon, and the given category model, else the
    /// shipped one when it is there (`useModel` false: the lexicon alone).
    public static func categoryAnalyzer(featurizer: Featurizer, modelPath: String? = nil,
                                        useModel: Bool = true) throws -> CategoryAnalyzer {
        let lexicon = try categoryLexicon(segmenter: featurizer.segmenter)
        guard useModel, let path = modelPath ?? Resources.find(categoryModel) else { return CategoryAnalyzer(lexicon: lexicon) }
        return try CategoryAnalyzer(lexicon: lexicon, model: try LinearModel(contentsOf: path), extractor: featurizer.extractor,
                                    modelPath: path)
    }

    /// Sentiment, intents (when an intent model is there, or given) and categories (the lexicon,
    /// and the category model when it is there): what `analyze` and the server's `text.analyze` run.
    /// - Parameter intents: false to leave intents out (sentiment and category only).
    public static func postAnalyzer(segmenter: Segmenter, modelPath: String? = nil,
                                    intentModelPath: String? = nil, intents: Bool = true) throws -> PostAnalyzer {
        let sentiment = try sentimentAnalyzer(segmenter: segmenter, modelPath: modelPath)
        return PostAnalyzer(sentiment: sentiment,
                            intents: intents ? try intentAnalyzer(featurizer: sentiment.featurizer, modelPath: intentModelPath) : nil,
                            categories: try categoryAnalyzer(featurizer: sentiment.featurizer))
    }

    /// The intent cue lexicon from the given file, else the shipped one (or empty when it is not there).
    public static func intentCueLexicon(segmenter: Segmenter, path given: String? = nil) throws -> IntentCueLexicon {
        guard let path = given ?? Resources.find(intentCues) else { return .empty }
        return try IntentCueLexicon(contentsOf: path, segmenter: segmenter)
    }

    /// The intent analyzer over the sentiment featurizer's features: the given model, else the
    /// shipped one, else nil (no intent model installed).
    /// - Parameter cuesPath: an intent cue lexicon instead of the shipped one.
    public static func intentAnalyzer(featurizer: Featurizer, modelPath: String? = nil,
                                      cuesPath: String? = nil) throws -> IntentAnalyzer? {
        guard let path = modelPath ?? Resources.find(intentModel) else { return nil }
        return try IntentAnalyzer(model: try LinearModel(contentsOf: path),
                                  cues: try intentCueLexicon(segmenter: featurizer.segmenter, path: cuesPath),
                                  featurizer: featurizer, modelPath: path)
    }

    /// The cue lexicon from the shipped files (or empty when they are not there).
    public static func cueLexicon() throws -> CueLexicon {
        guard let sentiment = Resources.find(sentimentLexicon) else { return .empty }
        return try CueLexicon(sentiment: sentiment, negators: Resources.find(negators), degree: Resources.find(degree))
    }

    /// The sentiment analyzer: segmenter + cue lexicon + model (default `Models/sentiment.qtlin`).
    public static func sentimentAnalyzer(segmenter: Segmenter, modelPath: String? = nil) throws -> SentimentAnalyzer {
        guard let path = modelPath ?? Resources.find(sentimentModel) else {
            throw QingtingError(.io, "no sentiment model found (looked for \(sentimentModel)); pass --model or run `qingting train sentiment`")
        }
        let model = try LinearModel(contentsOf: path)
        let featurizer = Featurizer(segmenter: segmenter, extractor: FeatureExtractor(configuration: model.features),
                                    lexicon: try cueLexicon())
        return try SentimentAnalyzer(featurizer: featurizer, model: model, modelPath: path)
    }
}
