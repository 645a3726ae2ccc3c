import ArgumentParser
import QingtingCRM
import QingtingIngest
import QingtingProfile
import QingtingStore
import QingtingCore

#if canImport(Glibc)
import Glibc
#endif

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Append platform payloads to the event log: read, deduplicate, analyse, resolve to a customer, commit.",
        discussion: """
            Each FILE ('-' for standard input) holds one payload per line: a JSON value as the platform \
            sends it, or for WeChat and WeCom one XML document per line. The platform is detected from \
            each payload's shape unless --platform names it; a generic vendor export (JSONL, or CSV when \
            the name ends in .csv) needs --mapping. Events are deduplicated on (platform, event_id), \
            analysed (sentiment, intents, category, tags), resolved to a customer (an explicit binding, \
            a known identity, the deterministic rules, then with --link-model the probabilistic model) \
            and appended in batches of one transaction each. Prints a JSON summary after the last \
            commit; a rejected payload is reported on stderr as FILE:LINE: reason (no personal data), \
            and the exit status is 1 when anything was rejected.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The platform of every payload (weibo, wechat, wecom, douyin, kuaishou, xiaohongshu, zhihu, bilibili, x, facebook, instagram, generic); detected per payload when not given.")
    var platform: Platform?

    @Option(help: "Field mapping of a generic export (TSV or .json); implies --platform generic.")
    var mapping: String?

    @Option(help: "Link model (from `link train`) for the probabilistic step, scored against the store's customers.")
    var linkModel: String?

    @Option(help: "The clock for the time checks and received_at (ISO 8601, epoch ms); default: now.")
    var now: TimeArgument?

    @Option(help: "Payloads per transaction.")
    var batch = 1024

    @Option(help: "Profile configuration the customers' profiles are updated by (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Option(help: "Threads that read and analyse (default: the number of CPUs).")
    var threads: Int?

    @Option(help: "Rule file the stored events go through (default: the shipped Lexicons/rules.txt; 'none' for no rules).")
    var rules: String?

    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var experimentOptions: ExperimentOptions

    @Argument(help: "Payload files ('-' for standard input).")
    var files: [String] = ["-"]

    func validate() throws {
        if mapping != nil, let platform, platform != .generic { throw ValidationError("--mapping reads a generic export: leave --platform out or say generic") }
        if platform == .generic && mapping == nil { throw ValidationError("--platform generic needs --mapping FILE") }
        if !(1...1_000_000).contains(batch) { throw ValidationError("--batch \(batch) is not in 1...1000000") }
    }

    func run() throws {
        let summary = try reportingErrors {
            let store = try storeOptions.open()
            var configuration = EventPipeline.Configuration(mapping: try mapping.map(FieldMapping.load))
            configuration.now = now?.millis
            configuration.profile = try ProfileConfiguration.load(profileConfig)
            configuration.profile.experiments = try experimentOptions.file().experiments
            configuration.rules = try RuleRunner.load(rules)
            let pipeline = EventPipeline(
                store: store, analyzer: try analysis.analyzer(),
                resolver: try CustomerResolver.load(store: store, modelPath: linkModel), configuration: configuration)
            let progress = Progress(label: "ingest")
            var done = 0
            let summary = try pipeline.ingest(
                files: files, platform: mapping != nil ? .generic : platform,
                threads: threads ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), batchSize: batch
            ) { result in
                done += 1
                progress.update(done)
                for rejection in result.rejections { warn("qingting: \(rejection)") }
            }
            progress.finish()
            return summary
        }
        writeAll(1, summary.json + "\n")
        if summary.rejectedCount > 0 { throw ExitCode.failure }
    }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The stored events as JSONL: the SocialEvent fields, the analysis, the customer.",
        discussion: """
            One line per event in log order (seq): seq, platform, event_id, kind, author, parent, text, \
            quoted_text, occurred_at, received_at, metrics, committed_at, customer (the author's customer \
            now, or null) and link {rule, probability}, analysis {sentiment, probabilities, intents, \
            category, tags, models} (null without text), deleted_at/edited_at when a later event deleted \
            or edited it, and raw with --raw. --since/--until filter on occurred_at (--until exclusive) \
            and take ISO 8601 times, epoch milliseconds or dates.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only this customer's events (through the author's identity).")
    var customer: String?

    @Option(help: "Only this platform's events.")
    var platform: Platform?

    @Option(help: "Events that occurred at or after this time.")
    var since: TimeArgument?

    @Option(help: "Events that occurred before this time.")
    var until: TimeArgument?

    @Option(help: "Events after this sequence number (resume a reader).")
    var after: Int64?

    @Flag(help: "Add the raw payload each event was read from.")
    var raw = false

    func run() throws {
        try reportingErrors {
            let store = try storeOptions.open()
            var out = Output()
            let filter = CRMStore.EventFilter(
                customer: customer, platform: platform, since: since?.millis, until: until?.millis, afterSeq: after)
            try store.forEachEvent(filter, includeRaw: raw) { out.line(EventLogOutput.line($0, includeRaw: raw)) }
            out.flush()
        }
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-analyse the stored events with the current models and report what changed.",
        discussion: """
            Prints one JSON object: events, analysed, changed, the model sets before (fingerprint: \
            count) and after, changes (per label change, e.g. "sentiment negative→neutral", \
            "intent +complaint", "category 手机→none": how many events), and changed_events (seq, \
            platform, event_id, before, after). --apply stores the new analyses; the events stay as they were.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Store the new analyses (with their model set).")
    var apply = false

    @Option(help: "List at most this many changed events (all are counted).")
    var limit: Int?

    @OptionGroup var analysis: AnalysisOptions

    func run() throws {
        let report = try reportingErrors {
            try Replay(store: try storeOptions.open(), analyzer: try analysis.analyzer())
                .run(apply: apply, limit: limit ?? .max)
        }
        writeAll(1, report.json + "\n")
    }
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync health of the event log.",
        subcommands: [SyncStatus.self]
    )
}

struct SyncStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per platform and day: field completeness, latency occurred_at → commit, duplicates, rejections by reason.",
        discussion: """
            Days are UTC days of the commit (or of the rejection). Completeness is mapped fields present \
            ÷ fields expected over the events stored (target ≥ 98%); latency is commit time − occurred_at \
            (p50, p95, max in ms; target < 15 minutes); meets_targets says which targets each day met.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only this platform.")
    var platform: Platform?

    @Option(help: "First day (YYYY-MM-DD).")
    var since: String?

    @Option(help: "First day not counted (YYYY-MM-DD).")
    var until: String?

    func run() throws {
        let days = try reportingErrors {
            try storeOptions.open().syncHealth(platform: platform, since: since, until: until)
        }
        writeAll(1, EventLogOutput.syncStatus(days) + "\n")
    }
}

struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "CRM customer master data in the store.",
        subcommands: [CustomersImport.self]
    )
}

struct CustomersImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CRM customers (JSONL, or CSV when the name ends in .csv) into the store.",
        discussion: """
            Without --mapping the export has the default schema: id, name, phone, email, gender, city, \
            birthday, level, unionid, identities (the accounts the customer bound: [{"platform","uid"}…]) \
            and updated_at. A mapping file (TSV: target<TAB>source[<TAB>crm_master|latest_wins]) reads \
            any other layout. Records are deduplicated on the unified key (phone in E.164, e-mail, \
            unionid); re-importing the same export changes nothing; a changed one updates only the \
            fields that differ. Prints a JSON summary of what it did (field names, never values); a \
            record that cannot be read is reported as FILE:LINE: reason and the exit status is 1. \
            Customers whose bound accounts changed get their profiles refolded from the log (an \
            account's earlier events count for its customer from then on).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Customer field mapping (TSV).")
    var mapping: String?

    @Option(help: "The source name recorded with each value (default: the file's name).")
    var source: String?

    @Option(help: "The clock stamped on imported values and bindings (ISO 8601, epoch ms); default: now.")
    var now: TimeArgument?

    @Option(help: "Profile configuration the profiles of customers whose bound accounts changed are refolded with (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Argument(help: "Customer exports.")
    var files: [String]

    func run() throws {
        var rejected = 0
        let summary = try reportingErrors {
            let store = try storeOptions.open()
            let sync = CustomerSync(
                store: store, mapping: try mapping.map(CustomerMapping.load) ?? .default,
                source: source, now: now?.millis ?? EventPipeline.clock())
            let summary = try sync.run(files: files) { error in
                rejected += 1
                warn("qingting: \(error)")
            }
            // A bound account's earlier events now belong to its customer: refold those profiles.
            if !summary.rebound.isEmpty {
                try ProfileRebuild(store: store, config: try ProfileConfiguration.load(profileConfig)).refold(summary.rebound)
            }
            return summary
        }
        writeAll(1, summary.json + "\n")
        if rejected > 0 { throw ExitCode.failure }
    }
}
