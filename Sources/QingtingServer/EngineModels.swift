import OrderedCollections
public import QingtingClassify
public import QingtingMatch
public import QingtingText
public import QingtingCRM
import QingtingCore

/// Everything the methods compute with, loaded together and never changed: the segmenter, the
/// post analyzer (sentiment, intents, categories), and a content hash of each file they came from. `model.reload` builds a new
/// one and swaps it in; requests already running keep the one they started with.
public final class EngineModels: Sendable {
    /// Which files to load (nil paths: the shipped defaults, found by `Resources.find`).
    public struct Sources: Sendable {
        public var segmentModel: String?
        public var userdict: String?
        public var useUserdict = true
        public var segmenter = Segmenter.Configuration()
        public var sentimentModel: String?
        public var intentModel: String?
        /// A trained link model and the customers to index, for `identity.resolve` (both or neither).
        public var linkModel: String?
        public var customers: String?
        /// Identities a batch run resolved and its links, for the identity graph (both or neither).
        public var knownIdentities: String?
        public var knownLinks: String?
        public init() {}
    }

    /// A loaded file: its role ("segment_model", "sentiment_lexicon", …), path and FNV-1a 64 hash.
    public struct LoadedFile: Sendable {
        public var role: String
        public var path: String
        public var hash: String
    }

    public let sources: Sources
    public let segmenter: Segmenter
    public let analyzer: PostAnalyzer
    /// Customers indexed for `identity.resolve`, when the server was given a link model.
    public let identityIndex: IdentityIndex?
    public let files: [LoadedFile]
    /// The analyzer with its model set's version, for `event.ingest` (the same files as `files`
    /// less the link model and the customers).
    public let eventAnalyzer: EventAnalyzer

    /// Loads the files named by `sources`.
    /// - Throws: `QingtingError`/`QingtingError` naming the file that is missing or refused.
    public init(_ sources: Sources) throws {
        let segmentPath = sources.segmentModel ?? Resources.find(Resources.segmentModel)
        let userdictPath = sources.useUserdict ? sources.userdict ?? Resources.find(Resources.userLexicon) : nil
        let segmenter = try Resources.segmenter(modelPath: segmentPath, lexiconPath: userdictPath,
                                                useLexicon: sources.useUserdict, configuration: sources.segmenter)
        let analyzer = try ClassifyResources.postAnalyzer(segmenter: segmenter, modelPath: sources.sentimentModel,
                                                          intentModelPath: sources.intentModel)
        let named: [(String, String?)] = [
            ("segment_model", segmentPath),
            ("userdict", userdictPath),
            ("sentiment_model", sources.sentimentModel ?? Resources.find(ClassifyResources.sentimentModel)),
            ("intent_model", sources.intentModel ?? Resources.find(ClassifyResources.intentModel)),
            ("intent_cues", Resources.find(ClassifyResources.intentCues)),
            ("sentiment_lexicon", Resources.find(ClassifyResources.sentimentLexicon)),
            ("negators", Resources.find(ClassifyResources.negators)),
            ("degree", Resources.find(ClassifyResources.degree)),
            ("categories", Resources.find(ClassifyResources.categories)),
            ("category_model", Resources.find(ClassifyResources.categoryModel)),
            ("link_model", sources.linkModel),
            ("customers", sources.customers),
            ("known_identities", sources.knownIdentities),
            ("known_links", sources.knownLinks),
        ]
        var files: [LoadedFile] = []
        for case let (role, path?) in named {
            let hash = try FileIO.read(path).withUnsafeBytes { BinaryFormat.fnv1a64($0) }
            files.append(LoadedFile(role: role, path: path, hash: String(hash, radix: 16)))
        }
        switch (sources.linkModel, sources.customers) {
        case let (model?, customers?):
            identityIndex = try IdentityIndex.load(modelPath: model, customersPath: customers,
                                                   knownIdentities: sources.knownIdentities, knownLinks: sources.knownLinks)
        case (nil, nil): identityIndex = nil
        default: throw QingtingError(.invalidInput, "identity resolution needs both a link model and a customers file")
        }
        self.sources = sources
        self.segmenter = segmenter
        self.analyzer = analyzer
        self.files = files
        let linking: Set<String> = ["link_model", "customers"]
        eventAnalyzer = EventAnalyzer(
            analyzer: analyzer, files: files.filter { !linking.contains($0.role) }.map { ($0.role, $0.hash) })
    }

    /// `{"segment_model":{"path":…,"hash":…},…}` for `engine.info` and `model.reload`.
    func filesJSON() -> JSONValue {
        var members: JSONObject = [:]
        for file in files {
            members[file.role] = .object(["path": .string(file.path), "hash": .string(file.hash)])
        }
        return .object(members)
    }
}
