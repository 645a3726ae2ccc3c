import ArgumentParser
import QingtingMatch
import QingtingStore
import QingtingText

#if canImport(Glibc)
import Glibc
#endif

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Identity resolution: link records (social identities, CRM customers, any CSV/JSONL) by deterministic rules and Fellegi–Sunter scoring.",
        subcommands: [LinkTrain.self, LinkRunCommand.self, LinkResolve.self, LinkExplain.self, LinkGenerate.self]
    )
}

/// Where the records and the settings come from: a settings file with --left/--right files, or
/// the social preset with --customers/--identities.
struct LinkInputOptions: ParsableArguments {
    @Option(help: "Linkage settings JSON (columns, comparisons, blocking rules, thresholds).")
    var settings: String?

    @Option(help: "Built-in settings instead of --settings: social (identities to customers).")
    var preset: String?

    @Option(help: "Left (or master) records: .csv with a header, or JSONL.")
    var left: String?

    @Option(help: "Right records (for link_only and link_to_master).")
    var right: String?

    @Option(help: "CRM customers JSONL (the social preset's master records).")
    var customers: String?

    @Option(help: "Social identities JSONL (the social preset's right records).")
    var identities: String?

    @Option(help: "City alias lexicon (default: Lexicons/cities.tsv).")
    var cities: String?

    @Option(help: "Leave this comparison out of the settings (repeatable), to measure what it adds.")
    var dropComparison: [String] = []

    @Option(help: "Override the settings' dependence_lift (0 turns detection of dependent comparisons off).")
    var dependenceLift: Double?

    /// Whether the inputs are customers and identities (the social preset's shape).
    var social: Bool { customers != nil || identities != nil }

    func loadSettings() throws -> (LinkSettings, JSONValue) {
        var json: JSONValue
        var path: String
        switch (settings, preset) {
        case (let file?, nil):
            json = try FileIO.read(file).withUnsafeBufferPointer { try JSONValue.parse($0) }
            path = file
        case (nil, "social"?):
            json = try JSONValue.parse(SocialPreset.settingsText)
            path = "preset social"
        case (nil, let other?):
            throw ValidationError("unknown preset '\(other)' (known: social)")
        case (nil, nil):
            if social { json = try JSONValue.parse(SocialPreset.settingsText); path = "preset social" } else {
                throw ValidationError("pass --settings FILE or --preset social")
            }
        case (_?, _?):
            throw ValidationError("pass --settings or --preset, not both")
        }
        json = try overriding(json)
        return (try LinkSettings(json: json, path: path), json)
    }

    /// The settings JSON with --drop-comparison and --dependence-lift applied.
    func overriding(_ json: JSONValue) throws -> JSONValue {
        guard case .object(var top) = json else { return json }
        if !dropComparison.isEmpty, case .array(let list)? = top["comparisons"] {
            for name in dropComparison where !list.contains(where: { $0["name"]?.stringValue == name }) {
                throw ValidationError("--drop-comparison: no comparison named '\(name)'")
            }
            top["comparisons"] = .array(list.filter { !dropComparison.contains($0["name"]?.stringValue ?? "") })
            if case .array(let groups)? = top["joint"] {
                top["joint"] = .array(groups.filter { g in
                    guard case .array(let names) = g else { return true }
                    return !names.contains { dropComparison.contains($0.stringValue ?? "") }
                })
            }
        }
        if let dependenceLift { top["dependence_lift"] = .number("\(dependenceLift)") }
        return .object(top)
    }

    func loadRecords(_ settings: LinkSettings, progress: (String) -> Void) throws -> RecordSet {
        let start = LinkPipeline.now()
        let lexicon = try CityLexicon.load(path: cities)
        let records: RecordSet
        if social {
            guard let customers, let identities else { throw ValidationError("pass both --customers FILE and --identities FILE") }
            records = try SocialPreset.loadRecords(customers: customers, identities: identities, settings: settings, cities: lexicon)
        } else {
            guard let left else { throw ValidationError("pass --left FILE (and --right FILE unless the link type is dedupe_only), or --customers and --identities") }
            if settings.linkType != .dedupeOnly && right == nil {
                throw ValidationError("link type \(settings.linkType.rawValue) needs --right FILE")
            }
            records = try RecordLoader(settings: settings, cities: lexicon).load(left: left, right: right)
        }
        progress("loaded \(records.count) records (\(records.leftCount) left) in \(seconds(LinkPipeline.now() - start))")
        return records
    }
}

func seconds(_ s: Double) -> String { JSONValueFormat.fixed(s, 2) + " s" }

/// Number formatting shared by the link commands.
enum JSONValueFormat {
    static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        var text = "\(r)"
        if text.contains("e") { text = r == 0 ? "0" : "\(r)" }
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 { text += "." + String(repeating: "0", count: digits) }
        return text
    }
}

func stderrProgress(_ quiet: Bool) -> (String) -> Void {
    quiet ? { _ in } : { warn("link: " + $0) }
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

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let progress = stderrProgress(quiet)
            let (settings, json) = try input.loadSettings()
            let records = try input.loadRecords(settings, progress: progress)
            let start = LinkPipeline.now()
            var trainer = LinkTrainer(settings: settings, settingsJSON: json, records: records)
            trainer.progress = progress
            let model = try trainer.train()
            try model.write(to: output)
            progress("trained in \(seconds(LinkPipeline.now() - start)); wrote \(output)")
            writeAll(1, LinkReport.parameters(model))
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
            person. Progress and stage timings go to stderr.
            """
    )

    @OptionGroup var input: LinkInputOptions

    @Option(help: "Trained model (from `link train`); without it the run trains from --settings.")
    var model: String?

    @Option(name: .shortAndLong, help: "Links JSONL to write (default: standard output).")
    var output: String?

    @Option(help: "Override the settings' match probability threshold.")
    var threshold: Double?

    @Flag(help: "Add each comparison's level and bits to every link.")
    var explain = false

    @Option(help: "SQLite file to store customers, identities and links in (WAL mode; a re-run updates it and reports merges and splits). Needs --customers/--identities.")
    var store: String?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        if store != nil && !input.social { throw ValidationError("--store keeps identity links: use it with --customers and --identities") }
        try reportingErrors {
            let progress = stderrProgress(quiet)
            let (run, total) = try LinkRunner.run(input: input, modelPath: model, threshold: threshold, progress: progress)
            var out = try LinkOutput(path: output)
            if input.social {
                let links = SocialPreset.identityLinks(run)
                for link in links { out.line(SocialPreset.line(link, run: run, explain: true)) }
                if let store {
                    let start = LinkPipeline.now()
                    let summary = try LinkStore(path: store).save(run, links: links)
                    progress(LinkReport.storeSummary(summary, path: store, seconds: LinkPipeline.now() - start))
                }
            } else {
                for link in run.links { out.line(LinkReport.pairLine(link, run: run, explain: explain)) }
            }
            try out.close()
            progress(LinkReport.timings(run, total: total))
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
            let model = try LinkModel.load(path: model)
            let records = try input.loadRecords(model.settings, progress: { _ in })
            let scorer = try PairScorer(model: model, records: records)
            guard let i = records.ids.firstIndex(of: leftId) else { throw ValidationError("no record with id '\(leftId)'") }
            guard let j = records.ids.lastIndex(of: rightId) else { throw ValidationError("no record with id '\(rightId)'") }
            writeAll(1, LinkReport.explanation(scorer, min(i, j), max(i, j)))
        }
    }
}

/// Loads inputs and a model (or trains one), then runs the batch.
enum LinkRunner {
    static func run(input: LinkInputOptions, modelPath: String?, threshold: Double?,
                    progress: @escaping (String) -> Void) throws -> (LinkRun, Double) {
        let start = LinkPipeline.now()
        var model = try modelPath.map { try LinkModel.load(path: $0) }
        var settings: LinkSettings, json: JSONValue
        if let model { (settings, json) = (model.settings, model.settingsJSON) } else { (settings, json) = try input.loadSettings() }
        if let threshold {
            guard threshold > 0 && threshold < 1 else { throw ValidationError("--threshold must be in (0, 1), got \(threshold)") }
            settings.threshold = threshold
            model?.settings.threshold = threshold
        }
        let records = try input.loadRecords(settings, progress: progress)
        let run = try LinkPipeline.run(records: records, model: model, settings: settings, settingsJSON: json, progress: progress)
        return (run, LinkPipeline.now() - start)
    }
}

/// A JSONL sink: a file (written whole at close, atomically) or standard output.
struct LinkOutput {
    let path: String?
    private var buffer: [UInt8] = []
    private var stdout = Output()

    init(path: String?) throws { self.path = path }

    mutating func line(_ text: String) {
        if path == nil { stdout.line(text) } else { buffer.append(contentsOf: text.utf8); buffer.append(10) }
    }

    mutating func close() throws {
        if let path { try FileIO.writeAtomically(buffer, to: path) } else { stdout.flush() }
    }
}

/// Text and JSON the link commands print.
enum LinkReport {
    static func pairLine(_ link: PairScorer.Scored, run: LinkRun, explain: Bool) -> String {
        let (i, j) = Blocking.split(link.pair)
        let records = run.records
        var obj: [String: JSONValue] = [
            "left": .string(records.ids[i]), "right": .string(records.ids[j]),
            "probability": .number(JSONValueFormat.fixed(link.probability, 4)),
            "match_weight": .number(JSONValueFormat.fixed(Double(link.weight), 2)),
            "rule": link.rule >= 0 ? .string(run.model.settings.deterministic[Int(link.rule)].name) : .null,
            "status": .string(link.rule >= 0 ? "confirmed" : "suggested"),
        ]
        if explain { obj["explain"] = PairScorer.Term.json(run.scorer.explain(i, j)) }
        var out = ""
        JSONValue.object(obj).appendJSON(to: &out)
        return out
    }

    static func explanation(_ scorer: PairScorer, _ i: Int, _ j: Int) -> String {
        let records = scorer.records
        var text = "\(records.ids[i])  ×  \(records.ids[j])\n"
        text += "  prior                         \(pad(JSONValueFormat.fixed(scorer.model.priorBits, 2), 8)) bits\n"
        for t in scorer.explain(i, j) {
            text += "  \(pad(t.comparison, 14, left: true)) \(pad(t.level, 28, left: true)) \(pad(JSONValueFormat.fixed(t.bits, 2), 8)) bits\n"
        }
        let w = scorer.weight(i, j)
        let rule = scorer.rule(i, j)
        text += "  total                         \(pad(JSONValueFormat.fixed(w, 2), 8)) bits  probability \(JSONValueFormat.fixed(PairScorer.probability(bits: w), 4))\n"
        if rule >= 0 { text += "  deterministic rule \(scorer.model.settings.deterministic[Int(rule)].name) links them: confirmed\n" }
        return text
    }

    static func parameters(_ model: LinkModel) -> String {
        var text = "prior: \(JSONValueFormat.fixed(model.priorBits, 2)) bits (probability two random records match \(model.prior))\n"
        for c in model.comparisons {
            text += "\(c.name)\(c.termFrequency ? " (term frequency)" : "")\n"
            for (l, label) in c.labels.enumerated() {
                text += "  \(pad(label, 30, left: true)) m \(pad(JSONValueFormat.fixed(c.m[l], 4), 7))  u \(pad(JSONValueFormat.fixed(c.u[l], 6), 9))  \(pad(JSONValueFormat.fixed(c.bits[l], 2), 7)) bits\n"
            }
        }
        return text
    }

    static func timings(_ run: LinkRun, total: Double) -> String {
        "done: \(run.links.count) links from \(run.candidateCount) candidate pairs; " +
            run.timings.map { "\($0.0) \(seconds($0.1))" }.joined(separator: ", ") + "; total \(seconds(total))"
    }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s }
        return left ? s + String(repeating: " ", count: width - n) : String(repeating: " ", count: width - n) + s
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

    @Option(help: "Trained model (from `link train`); without it the run trains from --settings.")
    var model: String?

    @Option(help: "Truth JSONL: {\"id\": …, \"entity\": …} per record.")
    var truth: String

    @Option(help: "Override the settings' match probability threshold.")
    var threshold: Double?

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let progress = stderrProgress(quiet)
            let (run, total) = try LinkRunner.run(input: input, modelPath: model, threshold: threshold, progress: progress)
            if input.social {
                let links = SocialPreset.identityLinks(run)
                let e = SocialPreset.evaluate(links, run: run, truth: try SocialPreset.readTruth(path: truth))
                writeAll(1, LinkReport.socialEvaluation(e, threshold: run.model.settings.threshold, seconds: total))
                progress(LinkReport.timings(run, total: total))
                return
            }
            let truthMap = try LinkEvaluation.readTruth(path: truth)
            let entityOf = run.records.ids.map { truthMap[$0] }
            let e = LinkEvaluation.pairwise(links: run.links, candidates: run.candidates, records: run.records,
                                            linkType: run.model.settings.linkType, entityOf: entityOf)
            writeAll(1, LinkReport.evaluation(e, threshold: run.model.settings.threshold, seconds: total))
            progress(LinkReport.timings(run, total: total))
        }
    }
}

extension LinkReport {
    static func storeSummary(_ s: LinkStore.Summary, path: String, seconds elapsed: Double) -> String {
        var text = "store \(path): run \(s.run), \(s.customers) customers and \(s.identities) identities written (\(s.linked) linked) in \(seconds(elapsed)); "
        text += "\(s.merges.count) clusters merged, \(s.splits.count) split since the last run"
        for m in s.merges.prefix(5) { text += "\n  merged into \(m.cluster): \(m.previous.joined(separator: ", "))" }
        for sp in s.splits.prefix(5) { text += "\n  split \(sp.previous) into: \(sp.clusters.joined(separator: ", "))" }
        return text
    }

    static func socialEvaluation(_ e: SocialPreset.Evaluation, threshold: Double, seconds total: Double) -> String {
        let f = { (x: Double) in JSONValueFormat.fixed(x, 4) }
        var text = "identities: \(e.identities); with a true customer: \(e.truthLinked) (\(e.truthDeterministic) carrying a verified phone or e-mail)\n"
        text += "linked at probability >= \(threshold): \(e.predicted) (\(e.correct) to the right customer)\n"
        text += "overall:       precision \(f(e.precision))  recall \(f(e.recall))  F1 \(f(e.f1))\n"
        text += "deterministic: \(e.deterministic.predicted) confirmed links, precision \(f(e.deterministic.precision))  recall \(f(e.deterministicRecall))  F1 \(f(e.deterministicF1))\n"
        text += "probabilistic: \(e.probabilistic.predicted) suggested links, precision \(f(e.probabilistic.precision))\n"
        text += "wall time (load, block, train, score, cluster): \(seconds(total))\n"
        return text
    }

    static func evaluation(_ e: LinkEvaluation, threshold: Double, seconds total: Double) -> String {
        let f = { (x: Double) in JSONValueFormat.fixed(x, 4) }
        var text = "links at probability >= \(threshold): \(e.predicted) (\(e.correct) correct); true links: \(e.truthLinks)\n"
        text += "precision \(f(e.precision))  recall \(f(e.recall))  F1 \(f(e.f1))\n"
        text += "deterministic: \(e.deterministic.predicted) links, precision \(f(e.deterministic.precision))\n"
        text += "probabilistic: \(e.probabilistic.predicted) links, precision \(f(e.probabilistic.precision))\n"
        text += "true links blocking did not offer: \(e.missedByBlocking)\n"
        text += "wall time (load, block, train, score, cluster): \(seconds(total))\n"
        return text
    }
}

struct LinkGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write synthetic customers, social identities and their truth (for tests and benchmarks).",
        discussion: """
            Writes DIR/customers.jsonl, DIR/identities.jsonl and DIR/truth.jsonl. Surnames follow \
            their real frequency, so common names repeat; identities have masked phones, pinyin \
            e-mails, nickname styles, shared devices and IP blocks, and a quarter are strangers.
            """
    )

    @Option(help: "Number of customers.")
    var customers = 10_000

    @Option(help: "Random seed (same seed, same files).")
    var seed: UInt64 = 7

    @Option(name: .shortAndLong, help: "Folder to write into (created if missing).")
    var output: String

    func run() throws {
        guard customers > 0 else { throw ValidationError("--customers must be at least 1, got \(customers)") }
        try reportingErrors {
            _ = mkdir(output, 0o755)
            let g = IdentityGenerator(customerCount: customers, seed: seed)
            for (name, lines) in [("customers.jsonl", g.customerLines()), ("identities.jsonl", g.identityLines()),
                                  ("truth.jsonl", g.truthLines())] {
                var bytes: [UInt8] = []
                for l in lines { bytes.append(contentsOf: l.utf8); bytes.append(10) }
                try FileIO.writeAtomically(bytes, to: "\(output)/\(name)")
            }
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
            query (p50, p99, max) goes to stderr.
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

    @Option(name: .shortAndLong, help: "Results JSONL (default: standard output).")
    var output: String?

    @Option(help: "Candidates to list per query.")
    var candidates = 3

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            let progress = stderrProgress(quiet)
            let start = LinkPipeline.now()
            let index = try IdentityIndex.load(modelPath: model, customersPath: customers, citiesPath: cities)
            progress("indexed \(index.records.count) customers in \(seconds(LinkPipeline.now() - start))")
            var out = try LinkOutput(path: output)
            var latencies: [Double] = []
            var compared = 0
            try RecordLoader.forEachObject(path: queries) { object, _ in
                let t0 = LinkPipeline.now()
                let fields = SocialPreset.queryFields(.object(object))
                let resolution = try index.resolve(fields, limit: candidates)
                latencies.append(LinkPipeline.now() - t0)
                compared += resolution.compared
                out.line(index.json(resolution, query: fields))
            }
            try out.close()
            latencies.sort()
            func pct(_ p: Double) -> String {
                latencies.isEmpty ? "-" : JSONValueFormat.fixed(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000, 3) + " ms"
            }
            progress("resolved \(latencies.count) identities; latency p50 \(pct(0.5)), p99 \(pct(0.99)), max \(pct(1)); \(JSONValueFormat.fixed(latencies.isEmpty ? 0 : Double(compared) / Double(latencies.count), 1)) pairs compared per query")
        }
    }
}
