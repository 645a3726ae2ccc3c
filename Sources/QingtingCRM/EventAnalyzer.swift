public import QingtingRules
public import QingtingClassify
import QingtingCore
public import QingtingText
import Synchronization

/// The text models an event is analysed with, and their version: the content hash of every model
/// and lexicon file they were loaded from. Every stored analysis names this set (its
/// fingerprint), so `replay` can tell which events another set would label differently.
public struct EventAnalyzer: Sendable {
    public let analyzer: PostAnalyzer
    /// `(role, FNV-1a 64 hash in hex)` of each file, in a fixed role order.
    public let files: [(role: String, hash: String)]
    /// FNV-1a 64 of the `role=hash` list: the model set's version, 16 hex digits.
    public let fingerprint: String
    /// Analyses of texts seen before, shared by the copies of this analyzer (one model set).
    private let memo = Memo()

    public init(analyzer: PostAnalyzer, files: [(role: String, hash: String)]) {
        self.analyzer = analyzer
        self.files = files
        var text = ""
        for file in files { text += "\(file.role)=\(file.hash);" }
        fingerprint = BinaryFormat.fnv1a64Hex(Array(text.utf8))
    }

    /// The files as a JSON object, `{"sentiment_model":"<hash>",…}` (stored with the model set).
    public var filesJSON: String {
        var w = JSONWriter()
        w.object { w in for file in files { w.member(file.role, file.hash) } }
        return w.text
    }

    /// The model and lexicon files an analysis reads, by role (the roles `engine.info` lists):
    /// the given paths, else the shipped files that exist.
    public static func files(
        segmentModel: String?, userdict: String?, useUserdict: Bool, sentimentModel: String?,
        intentModel: String?, intents: Bool = true
    ) -> [(role: String, path: String)] {
        let named: [(String, String?)] = [
            ("segment_model", segmentModel ?? Resources.find(Resources.segmentModel)),
            ("userdict", useUserdict ? userdict ?? Resources.find(Resources.userLexicon) : nil),
            ("sentiment_model", sentimentModel ?? Resources.find(ClassifyResources.sentimentModel)),
            ("intent_model", intents ? intentModel ?? Resources.find(ClassifyResources.intentModel) : nil),
            ("intent_cues", intents ? Resources.find(ClassifyResources.intentCues) : nil),
            ("sentiment_lexicon", Resources.find(ClassifyResources.sentimentLexicon)),
            ("negators", Resources.find(ClassifyResources.negators)),
            ("degree", Resources.find(ClassifyResources.degree)),
            ("categories", Resources.find(ClassifyResources.categories)),
            ("category_model", Resources.find(ClassifyResources.categoryModel)),
        ]
        return named.compactMap { role, path in path.map { (role, $0) } }
    }

    /// The FNV-1a 64 hash of a file, in hex.
    public static func hash(_ path: String) throws -> String {
        String(try FileIO.read(path).withUnsafeBytes { BinaryFormat.fnv1a64($0) }, radix: 16)
    }

    /// Loads the analyzer (sentiment, intents, categories) and hashes its files.
    public static func load(
        segmenter: Segmenter, segmentModel: String?, userdict: String?, useUserdict: Bool,
        sentimentModel: String?, intentModel: String?, intents: Bool = true
    ) throws -> EventAnalyzer {
        let analyzer = try ClassifyResources.postAnalyzer(
            segmenter: segmenter, modelPath: sentimentModel, intentModelPath: intentModel, intents: intents)
        let files = try Self.files(
            segmentModel: segmentModel, userdict: userdict, useUserdict: useUserdict, sentimentModel: sentimentModel,
            intentModel: intentModel, intents: intents
        ).map { (role: $0.role, hash: try hash($0.path)) }
        return EventAnalyzer(analyzer: analyzer, files: files)
    }

    /// The analysis of an event's own words, as the compact JSON the log stores: `sentiment`,
    /// `probabilities`, `intents` (`[{"label","probability"}]`, when an intent model is loaded),
    /// `category` (the name, or null) and `tags`. Cues and spans are left out: `qingting analyze`
    /// recomputes them from the text. Nil for an event without text.
    public func analysis(of text: String?) -> String? { analysed(text)?.json }

    /// What the log stores of an event's text (`json`, as `analysis(of:)`), and its labels taken
    /// from the same result — equal to `AnalysisLabels(json:)` of it (the confidence rounded as
    /// written) — so the ingest path's rules and counters do not parse the JSON back.
    public struct Analysed: Sendable {
        public var json: String
        public var labels: AnalysisLabels
    }

    /// The analysis of `text` (nil without text). A text analysed before by this analyzer is
    /// answered from its memo: the analysis is a pure function of the text and the model set.
    public func analysed(_ text: String?) -> Analysed? {
        guard let text, !text.isEmpty else { return nil }
        let key = text.utf8.count <= Memo.maxTextBytes ? text : nil
        if let key, let known = memo.entries.withLock({ $0[key] }) { return known }
        let made = analysing(text)
        if let key {
            memo.entries.withLock { entries in
                if entries.count >= Memo.capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = made
            }
        }
        return made
    }

    /// Texts analysed before, with their analyses. Social streams repeat short texts (stock
    /// replies, copied comments, retries of a text under a new id); those cost a look-up instead
    /// of segmentation and two models. Bounded: texts up to `maxTextBytes`, at most `capacity`
    /// of them, emptied when full (memory stays flat however long the stream).
    final class Memo: Sendable {
        static let capacity = 16_384
        static let maxTextBytes = 512
        let entries = Mutex<[String: Analysed]>([:])
    }

    /// The analysis itself, as `analysed` answers it.
    private func analysing(_ text: String) -> Analysed {
        let result = analyzer.analyze(text)
        var w = JSONWriter()
        w.object { w in
            w.member("sentiment", result.sentiment.label.rawValue)
            w.member("probabilities") { w in
                w.object { w in
                    for (label, p) in zip(SentimentLabel.allCases, result.sentiment.probabilities) {
                        w.member(label.rawValue, max(0, p), digits: 4)
                    }
                }
            }
            if let intents = result.intents {
                w.member("intents") { w in
                    w.array(intents.intents) { w, intent in
                        w.object { w in
                            w.member("label", intent.label.rawValue)
                            w.member("probability", max(0, intent.probability), digits: 4)
                        }
                    }
                }
            }
            w.key("category")
            if let category = result.category { w.string(category.category) } else { w.null() }
            w.member("tags") { w in w.array(result.tags) { w, tag in w.string(tag) } }
        }
        let label = result.sentiment.label
        let p = zip(SentimentLabel.allCases, result.sentiment.probabilities).first { $0.0 == label }?.1
        let labels = AnalysisLabels(
            sentiment: label.rawValue, confidence: p.flatMap { Double(NumberFormat.rounded(max(0, $0), 4)) },
            intents: result.intents?.intents.map(\.label.rawValue) ?? [], category: result.category?.category,
            tags: result.tags)
        return Analysed(json: w.text, labels: labels)
    }
}
