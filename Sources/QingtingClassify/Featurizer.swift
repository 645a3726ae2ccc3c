public import QingtingText
import QingtingCore

/// Text → the sparse features a linear model reads: hashed word and character n-grams (value 1
/// each) plus lexicon cue features (valued by their strength). Training and serving both call
/// `featurize`, so they cannot drift apart.
public struct Featurizer: Sendable {
    public let segmenter: Segmenter
    public let extractor: FeatureExtractor
    public let lexicon: CueLexicon

    /// Namespace of cue features ("CUES").
    static let cueSeed: UInt32 = 0x4355_4553

    public init(segmenter: Segmenter, extractor: FeatureExtractor, lexicon: CueLexicon) {
        self.segmenter = segmenter
        self.extractor = extractor
        self.lexicon = lexicon
    }

    public struct Features: Sendable {
        public var tokens: [Token]
        public var ngrams: [UInt32]
        public var cueBuckets: [UInt32]
        public var cueValues: [Float]
        public var cues: [CueLexicon.Cue]
        /// Fixed amounts added to each label's score before the link function, neither learned nor
        /// shrunk (the intent lexicon's prior weights); empty for none.
        public var offsets: [Float] = []
    }

    /// Features of UTF-8 text.
    /// - Throws: `QingtingError.invalidUTF8` with the byte offset.
    public func featurize(utf8: UnsafeBufferPointer<UInt8>) throws -> Features {
        let tokens = try segmenter.tokenize(utf8: utf8)
        return featurize(tokens: tokens)
    }

    public func featurize(_ text: String) -> Features { featurize(tokens: segmenter.tokenize(text)) }

    public func featurize(tokens: [Token]) -> Features {
        let ngrams = extractor.features(of: tokens)
        let cues = lexicon.cues(in: tokens)
        var buckets: [UInt32] = []
        var values: [Float] = []
        // Words in a negator's scope also count as negated words ("not:好"), so that the model can
        // learn 不好 ≠ 好 for words the lexicon does not list.
        var scopeEnd = -1
        for (i, token) in tokens.enumerated() {
            if token.kind == .punctuation { scopeEnd = -1; continue }
            if let scope = lexicon.negatorScope(token.text) { scopeEnd = i + scope; continue }
            if i <= scopeEnd {
                buckets.append(extractor.bucket(ofKey: "not:" + token.text, seed: Self.cueSeed))
                values.append(1)
            }
        }
        if !cues.isEmpty {
            buckets.reserveCapacity(cues.count * 2 + 2)
            var total: [SentimentLabel: Float] = [:]
            for cue in cues {
                buckets.append(extractor.bucket(ofKey: (cue.negated ? "not:" : "term:") + cue.term, seed: Self.cueSeed))
                values.append(cue.degree)
                buckets.append(extractor.bucket(ofKey: "polarity:\(cue.polarity.rawValue)", seed: Self.cueSeed))
                values.append(cue.strength)
                total[cue.polarity, default: 0] += cue.strength
            }
            // Which way the cues lean overall, so that one strong cue is not outvoted by n-gram noise.
            let balance = (total[.positive] ?? 0) - (total[.negative] ?? 0)
            if balance != 0 {
                buckets.append(extractor.bucket(ofKey: balance > 0 ? "lean:positive" : "lean:negative", seed: Self.cueSeed))
                values.append(min(abs(balance), 4))
            }
        }
        return Features(tokens: tokens, ngrams: ngrams, cueBuckets: buckets, cueValues: values, cues: cues)
    }
}
