public import ArgumentParser
import QingtingCRM
public import QingtingIngest
public import QingtingStore
import QingtingCore

/// The store every CRM command reads or writes.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite store (created when missing; WAL mode).")
    var store: String

    @Option(help: "Commit durability: full (sync the WAL at every commit: survives a power cut) or normal (survives a crash of the process).")
    var durability: CRMStore.Durability = .full

    @OptionGroup var keys: KeyOptions

    func open() throws -> CRMStore { try CRMStore(path: store, durability: durability, keys: keys.keyring()) }
}

extension CRMStore.Durability: ExpressibleByArgument {}

/// The text models an event is analysed with.
struct AnalysisOptions: ParsableArguments {
    @Option(help: "Sentiment model (default: Models/sentiment.qtlin).")
    var model: String?

    @Option(help: "Intent model (default: Models/intent.qtlin when present).")
    var intentModel: String?

    @OptionGroup var segmenterOptions: SegmenterOptions

    func analyzer() throws -> EventAnalyzer {
        try EventAnalyzer.load(
            segmenter: try segmenterOptions.segmenter(), segmentModel: segmenterOptions.segmentModel,
            userdict: segmenterOptions.userdict, useUserdict: !segmenterOptions.noUserdict, sentimentModel: model,
            intentModel: intentModel)
    }
}

/// A time option: ISO 8601 with a zone, epoch milliseconds, or a date (UTC midnight).
struct TimeArgument: ExpressibleByArgument {
    var millis: Int64
    init?(argument: String) {
        guard let ms = Timestamp.millis(argument) else { return nil }
        millis = ms
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

extension Platform: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}
