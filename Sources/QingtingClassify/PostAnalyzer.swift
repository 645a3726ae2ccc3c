import QingtingText

/// Everything `analyze` says of one post: sentiment, and the product category it names. Intents
/// join here when their model exists. Immutable and `Sendable`: share one across threads.
public struct PostAnalyzer: Sendable {
    public let sentiment: SentimentAnalyzer
    public let categories: CategoryLexicon

    public init(sentiment: SentimentAnalyzer, categories: CategoryLexicon) {
        self.sentiment = sentiment
        self.categories = categories
    }

    public struct Analysis: Sendable {
        public var sentiment: SentimentAnalyzer.Result
        public var category: CategoryLexicon.Match?

        /// Appends the fields (no braces): the sentiment's (`sentiment`, `probabilities`, `tags`,
        /// `cues`), then `"category":{"name","term","kind","start","end"}` or null, then `tokens`
        /// when asked. `qingting analyze` and the server's `text.analyze` both write this.
        public func appendJSONFields(to out: inout String, tokens includeTokens: Bool = false) {
            sentiment.appendJSONFields(to: &out)
            out += ",\"category\":"
            if let category {
                out += "{\"name\":"
                JSON.appendString(category.category, to: &out)
                out += ",\"term\":"
                JSON.appendString(category.term, to: &out)
                out += ",\"kind\":\"\(category.kind.rawValue)\",\"start\":\(category.range.lowerBound),\"end\":\(category.range.upperBound)}"
            } else {
                out += "null"
            }
            if includeTokens {
                out += ",\"tokens\":"
                Token.appendJSON(sentiment.tokens, to: &out)
            }
        }
    }

    public func analyze(_ features: Featurizer.Features) -> Analysis {
        Analysis(sentiment: sentiment.analyze(features), category: categories.category(in: features.tokens))
    }

    public func analyze(_ text: String) -> Analysis { analyze(sentiment.featurizer.featurize(text)) }

    /// - Throws: `TextError.invalidUTF8` with the byte offset.
    public func analyze(utf8: UnsafeBufferPointer<UInt8>) throws -> Analysis {
        analyze(try sentiment.featurizer.featurize(utf8: utf8))
    }
}
