import QingtingText

/// Everything `analyze` says of one post: sentiment, intents, the product category it names, and
/// the CRM tags these make. One featurization feeds both models. Immutable and `Sendable`: share
/// one across threads.
public struct PostAnalyzer: Sendable {
    public let sentiment: SentimentAnalyzer
    /// Nil when no intent model is installed: the output then has no `intents` field.
    public let intents: IntentAnalyzer?
    public let categories: CategoryLexicon

    public init(sentiment: SentimentAnalyzer, intents: IntentAnalyzer?, categories: CategoryLexicon) {
        self.sentiment = sentiment
        self.intents = intents
        self.categories = categories
    }

    public struct Analysis: Sendable {
        public var sentiment: SentimentAnalyzer.Result
        public var intents: IntentAnalyzer.Result?
        public var category: CategoryLexicon.Match?

        /// The sentiment tag, then a tag per intent in label order (a purchase names the category).
        public var tags: [String] {
            [sentiment.tag] + (intents?.labels ?? []).map { $0.tag(category: category?.category) }
        }

        /// Appends the fields (no braces): the sentiment's (`sentiment`, `probabilities`, `cues`),
        /// `intents` (`[{"label","probability","cues":[{"term","negated","start","end"}]}]`, when an
        /// intent model is loaded), `category` (`{"name","term","kind","start","end"}` or null),
        /// `tags`, then `tokens` when asked. `qingting analyze` and the server's `text.analyze`
        /// both write this.
        public func appendJSONFields(to out: inout String, tokens includeTokens: Bool = false) {
            sentiment.appendJSONFields(to: &out)
            if let intents {
                out += ",\"intents\":["
                for (i, intent) in intents.intents.enumerated() {
                    if i > 0 { out += "," }
                    out += "{\"label\":\"\(intent.label.rawValue)\",\"probability\":"
                    SentimentAnalyzer.Result.appendDecimal(intent.probability, to: &out)
                    out += ",\"cues\":["
                    for (k, cue) in intent.cues.enumerated() {
                        if k > 0 { out += "," }
                        out += "{\"term\":"
                        JSON.appendString(cue.term, to: &out)
                        out += ",\"negated\":\(cue.negated),\"start\":\(cue.range.lowerBound),\"end\":\(cue.range.upperBound)}"
                    }
                    out += "]}"
                }
                out += "]"
            }
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
            out += ",\"tags\":["
            for (i, tag) in tags.enumerated() {
                if i > 0 { out += "," }
                JSON.appendString(tag, to: &out)
            }
            out += "]"
            if includeTokens {
                out += ",\"tokens\":"
                Token.appendJSON(sentiment.tokens, to: &out)
            }
        }
    }

    public func analyze(_ features: Featurizer.Features) -> Analysis {
        Analysis(sentiment: sentiment.analyze(features), intents: intents?.analyze(features),
                 category: categories.category(in: features.tokens))
    }

    public func analyze(_ text: String) -> Analysis { analyze(sentiment.featurizer.featurize(text)) }

    /// - Throws: `TextError.invalidUTF8` with the byte offset.
    public func analyze(utf8: UnsafeBufferPointer<UInt8>) throws -> Analysis {
        analyze(try sentiment.featurizer.featurize(utf8: utf8))
    }
}
