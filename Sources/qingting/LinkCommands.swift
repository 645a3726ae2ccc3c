import ArgumentParser
import QingtingCRM
import QingtingMatch
import QingtingStore
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Identity resolution: link records (social identities, CRM customers, any CSV/JSONL) by deterministic rules and Fellegi–Sunter scoring.",
        subcommands: [LinkTrain.self, LinkRunCommand.self, LinkResolve.self, LinkExplain.self, LinkGenerate.self,
                      LinkReview.self, LinkConfirm.self, LinkReject.self]
    )
}

struct LinkTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Estimate a linkage model (u from random pairs, m by EM, the prior) and write it as readable JSON.",
        discussion: """
            Example: qingting link train --settings Benchmarks/link/febrl4.json \
            --left corpora/febrl/dataset4a.csv --right corpora/febrl/dataset4b.csv --output febrl4-model.json
            """
    )

    @OptionGroup var input: LinkInputOptions

    @Option(name: .shortAndLong, help: "Model file to write.")
    var output: String

    @OptionGroup var progress: LinkProgressOptions

    func validate() throws { try input.validateSettingsNamed() }

    func run() throws {
        try reportingErrors {
            let skipped = SkippedLines()
            let model = try input.inputs.train(skipped: skipped.report, progress: progress.progress)
            try model.write(to: output)
            progress.progress("wrote \(output)")
            writeAll(1, model.parametersText())
            try skipped.finish()
        }
    }
}

struct LinkRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Block, score and cluster records; write the links as JSONL.",
        discussion: """
            With --model, scores with a trained model; with --settings (or --preset) alone, trains \
            first on the same candidate pairs. For --left/--right each output line is one link: \
            left and right ids, probability, match weight in bits, the deterministic rule (or null), \
            status (confirmed for rule links, suggested otherwise), and with --explain each \
            comparison's level and bits. For --customers/--identities each line is one identity: \
            platform, uid, customer (or null), probability, match_weight, rule, status, cluster, \
            explain, and `via` when it reached its customer through another identity of the same \
            person. Progress and stage timings go to stderr. A bad record line is reported as \
            path:line and left out; the run goes on and exits non-zero at the end.
            """
    )

    @OptionGroup var input: LinkInputOptions

    @OptionGroup var scoring: LinkModelOptions

    @Option(name: .shortAndLong, help: "Links JSONL to write ('-' or none: standard output).")
    var output: String?

    @Flag(help: "Add each comparison's level and bits to every link.")
    var explain = false

    @Option(help: "SQLite file to store customers, identities and links in (WAL mode; a re-run updates it and reports merges and splits). Needs --customers/--identities.")
    var store: String?

    @OptionGroup var keys: KeyOptions

    @OptionGroup var progress: LinkProgressOptions

    func validate() throws {
        if scoring.model == nil { try input.validateSettingsNamed() }
        if store != nil && !input.social { throw ValidationError("--store keeps identity links: use it with --customers and --identities") }
    }

    func run() throws {
        try reportingErrors {
            let progress = progress.progress
            let skipped = SkippedLines()
            let run = try LinkPipeline.run(inputs: input.inputs, modelPath: scoring.model, threshold: scoring.threshold,
                                           skipped: skipped.report, progress: progress)
            let (lines, identityLinks) = run.outputLines(social: input.social, explain: explain)
            var out = LinkOutput(path: output)
            for line in lines { out.line(line) }
            if let store {
                let start = Monotonic.seconds()
                let summary = try LinkStore(path: store, keys: keys.keyring()).save(run, links: identityLinks, at: EventPipeline.clock())
                progress(summary.report(path: store, seconds: Monotonic.seconds() - start))
            }
            try out.close()
            progress(run.summary)
            try skipped.finish()
        }
    }

}

struct LinkExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show how a model scores one pair: each comparison's level and its bits, the prior, the total and the probability."
    )

    @OptionGroup var input: LinkInputOptions

    @Option(help: "Trained model (from `link train`).")
    var model: String

    @Option(help: "Id of the left (or first) record.")
    var leftId: String

    @Option(help: "Id of the right (or second) record.")
    var rightId: String

    func run() throws {
        try reportingErrors {
            let skipped = SkippedLines()
            let model = try LinkModel.load(path: model)
            let records = try input.inputs.loadRecords(model.settings, skipped: skipped.report)
            writeAll(1, try PairScorer(model: model, records: records).explanation(leftId: leftId, rightId: rightId))
            try skipped.finish()
        }
    }
}

struct EvalLink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Precision, recall and F1 of a linkage run against known truth, split by deterministic and probabilistic links.",
        discussion: """
            For --left/--right, --truth is JSONL, one line per record: {"id": …, "entity": …}; two \
            records with the same entity are a true link (among the pairs the link type allows), \
            and the report includes how many true links blocking never offered for scoring. For \
            --customers/--identities, --truth has one line per identity: {"platform", "uid", \
            "customer": id or null, "deterministic": bool} (as `link generate` writes it), and an \
            identity counts as right when its customer is the true one.
            """
    )

    @OptionGroup var input: LinkInputOptions

    @OptionGroup var scoring: LinkModelOptions

    @Option(help: "Truth JSONL: {\"id\": …, \"entity\": …} per record.")
    var truth: String

    @OptionGroup var progress: LinkProgressOptions

    func validate() throws {
        if scoring.model == nil { try input.validateSettingsNamed() }
    }

    func run() throws {
        try reportingErrors {
            let skipped = SkippedLines()
            let run = try LinkPipeline.run(inputs: input.inputs, modelPath: scoring.model, threshold: scoring.threshold,
                                           skipped: skipped.report, progress: progress.progress)
            writeAll(1, try run.evaluationReport(social: input.social, truthPath: truth))
            progress.progress(run.summary)
            try skipped.finish()
        }
    }
}

struct LinkGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic customers, social identities and their truth (for tests and benchmarks).",
        discussion: """
            Writes DIR/customers.jsonl, DIR/identities.jsonl and DIR/truth.jsonl. Surnames follow \
            their real frequency, so common names repeat; identities have masked phones, pinyin \
            e-mails, nickname styles, shared devices and IP blocks, and a quarter are strangers. \
            With --hard, the platforms as they are: nicknames unrelated to the name or platform \
            defaults, phones mostly absent or masked in each platform's style, advertising ids \
            shared by families and all-zero ids by many, household, office and carrier NAT \
            addresses, province-only and ambiguous cities, CRM typos and recycled numbers, and 40% \
            strangers (rates in the README); truth lines add person, relation and related.
            """
    )

    @Option(help: "Number of customers.")
    var customers = 10_000

    @Option(help: "Random seed (same seed, same files).")
    var seed: UInt64 = 7

    @Option(name: .shortAndLong, help: "Folder to write into (created if missing).")
    var output: String

    @Flag(help: "The hard, realistic world instead of the default one.")
    var hard = false

    func validate() throws {
        guard customers > 0 else { throw ValidationError("--customers must be at least 1, got \(customers)") }
    }

    func run() throws {
        try reportingErrors {
            let g = hard ? IdentityGenerator.hard(customerCount: customers, seed: seed)
                : IdentityGenerator(customerCount: customers, seed: seed)
            try g.write(toFolder: output)
            warn("link: wrote \(g.customers.count) customers and \(g.identities.count) identities to \(output)/")
        }
    }
}

struct LinkResolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve identities one at a time against an index of customers (the online path), with latency figures.",
        discussion: """
            Loads --customers into an index (every blocking rule's keys) with a trained --model, \
            then resolves each line of --queries (identities JSONL) on its own, as the server's \
            identity.resolve does: one JSON line per query with the customer (or null), \
            probability, match_weight, rule, status, explain and the other candidates. Latency per \
            query (p50, p99, max) goes to stderr. A line that is not an identity (bad JSON, no uid) \
            is reported as path:line and skipped; the rest are resolved and the command exits non-zero.
            """
    )

    @Option(help: "Trained model (from `link train`).")
    var model: String

    @Option(help: "CRM customers JSONL to index.")
    var customers: String

    @Option(help: "Identities JSONL to resolve, one at a time.")
    var queries: String

    @Option(help: "City alias lexicon (default: Lexicons/cities.tsv).")
    var cities: String?

    @Option(name: .shortAndLong, help: "Results JSONL ('-' or none: standard output).")
    var output: String?

    @Option(help: "Candidates to list per query.")
    var candidates = 3

    @Option(help: "Identities a batch run resolved (identities.jsonl), for the identity graph; needs --known-links.")
    var knownIdentities: String?

    @Option(help: "The links.jsonl of that run: a query sharing a rare identifier with a linked identity reaches its customer.")
    var knownLinks: String?

    @OptionGroup var progress: LinkProgressOptions

    func validate() throws {
        if (knownIdentities == nil) != (knownLinks == nil) { throw ValidationError("--known-identities and --known-links go together") }
    }

    func run() throws {
        try reportingErrors {
            let progress = progress.progress
            let start = Monotonic.seconds()
            let index = try IdentityIndex.load(modelPath: model, customersPath: customers, citiesPath: cities,
                                               knownIdentities: knownIdentities, knownLinks: knownLinks)
            progress("indexed \(index.records.count) customers\(index.known.map { " and \($0.count) known identities" } ?? "") in \(NumberFormat.seconds(Monotonic.seconds() - start))")
            let skipped = SkippedLines()
            var out = LinkOutput(path: output)
            let report = try index.resolveAll(path: queries, limit: candidates, skipped: skipped.report) { out.line($0) }
            try out.close()
            progress(report.summary)
            try skipped.finish()
        }
    }
}
