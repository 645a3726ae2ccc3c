import QingtingText
public import QingtingCore

/// Everything `analyze` says of one post: sentiment, intents, the product category it names, and
/// the CRM tags these make. One featurization feeds both models. Immutable and `Sendable`: share
/// one across threads.
public struct PostAnalyzer: Sendable {
    public let sentiment: SentimentAnalyzer
    /// Nil when no intent model is installed: the output then has no `intents` field.
    public let intents: IntentAnalyzer?
    public let categories: CategoryAnalyzer

    public init(sentiment: SentimentAnalyzer, intents: IntentAnalyzer?, categories: CategoryAnalyzer) {
        self.sentiment = sentiment
        self.intents = intents
        self.categories = categories
    }

    public struct Analysis: Sendable {
        public var sentiment: SentimentAnalyzer.Result
        public var intents: IntentAnalyzer.Result?
        public var category: CategoryAnalyzer.Finding?

        /// The sentiment tag, then a tag per intent in label order (a purchase names the category).
        public var tags: [String] {
            [sentiment.tag] + (intents?.labels ?? []).map { $0.tag(category: category?.category) }
        }

        /// Writes the members into a JSON object being written: the sentiment's (`sentiment`,
        /// `probabilities`, `cues`), `intents` (`[{"label","probability","cues":[{"term","negated",
        /// "start","end"}]}]`, when an intent model is loaded), `category` (`{"name","term","kind",
        /// "start","end"}` when a term names it, `{"name","kind":"predicted","probability"}` when the
        /// category model reads it, or null), `tags`, then `tokens` when asked. `qingting analyze` and the
        /// server's `text.analyze` both write this.
        public func writeMembers(to w: inout JSONWriter, tokens includeTokens: Bool = false) {
            sentiment.writeMembers(to: &w)
            if let intents {
                w.member("intents") { w in
                    w.array(intents.intents) { w, intent in
                        w.object { w in
                            w.member("label", intent.label.rawValue)
                            w.member("probability", max(0, intent.probability), digits: 4)
                            w.member("cues") { w in
                                w.array(intent.cues) { w, cue in
                                    w.object { w in
                                        w.member("term", cue.term)
                                        w.member("negated", cue.negated)
                                        w.member("start", cue.range.lowerBound)
                                        w.member("end", cue.range.upperBound)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            w.key("category")
            if let category {
                category.write(to: &w)
            } else {
                w.null()
            }
            w.member("tags") { w in w.array(tags) { w, tag in w.string(tag) } }
            if includeTokens {
                w.member("tokens") { w in Token.write(sentiment.tokens, to: &w) }
            }
        }
    }

    public func analyze(_ features: Featurizer.Features) -> Analysis {
        Analysis(sentiment: sentiment.analyze(features), intents: intents?.analyze(features),
                 category: categories.analyze(features))
    }

    public func analyze(_ text: String) -> Analysis { analyze(sentiment.featurizer.featurize(text)) }

    /// - Throws: `QingtingError.invalidUTF8` with the byte offset.
    public func analyze(utf8: UnsafeBufferPointer<UInt8>) throws -> Analysis {
        analyze(try sentiment.featurizer.featurize(utf8: utf8))
    }
}
