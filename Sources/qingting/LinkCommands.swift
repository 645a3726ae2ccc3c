import ArgumentParser
import QingtingMatch
import QingtingText

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Identity resolution: link records (social identities, CRM customers, any CSV/JSONL) by deterministic rules and Fellegi–Sunter scoring.",
        subcommands: [LinkTrain.self, LinkRunCommand.self, LinkExplain.self]
    )
}

/// Where the records and the settings come from: a settings file with left/right files.
struct LinkInputOptions: ParsableArguments {
    @Option(help: "Linkage settings JSON (columns, comparisons, blocking rules, thresholds).")
    var settings: String?

    @Option(help: "Left (or master) records: .csv with a header, or JSONL.")
    var left: String?

    @Option(help: "Right records (for link_only and link_to_master).")
    var right: String?

    @Option(help: "City alias lexicon (default: Lexicons/cities.tsv).")
    var cities: String?

    func loadSettings() throws -> (LinkSettings, JSONValueBox) {
        guard let settings else { throw ValidationError("pass --settings FILE (or --model FILE where the command takes one)") }
        let bytes = try FileIO.read(settings)
        let json = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) }
        return (try LinkSettings(json: json, path: settings), JSONValueBox(json))
    }

    func loadRecords(_ settings: LinkSettings, progress: (String) -> Void) throws -> RecordSet {
        guard let left else { throw ValidationError("pass --left FILE (and --right FILE unless the link type is dedupe_only)") }
        if settings.linkType != .dedupeOnly && right == nil {
            throw ValidationError("link type \(settings.linkType.rawValue) needs --right FILE")
        }
        let start = LinkPipeline.now()
        let loader = RecordLoader(settings: settings, cities: try CityLexicon.load(path: cities))
        let records = try loader.load(left: left, right: right)
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
        try reportingLinkErrors {
            let progress = stderrProgress(quiet)
            let (settings, json) = try input.loadSettings()
            let records = try input.loadRecords(settings, progress: progress)
            let start = LinkPipeline.now()
            var trainer = LinkTrainer(settings: settings, settingsJSON: json.value, records: records)
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
            With --model, scores with a trained model; with --settings alone, trains first on the \
            same candidate pairs. Each output line is one link: left and right ids, probability, \
            match weight in bits, the deterministic rule (or null), status (confirmed for rule \
            links, suggested otherwise), the cluster, and with --explain each comparison's level \
            and bits. Progress and stage timings go to stderr.
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

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        try reportingLinkErrors {
            let progress = stderrProgress(quiet)
            let (run, total) = try LinkRunner.run(input: input, modelPath: model, threshold: threshold, progress: progress)
            var out = try LinkOutput(path: output)
            for link in run.links { out.line(LinkReport.pairLine(link, run: run, explain: explain)) }
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
        try reportingLinkErrors {
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
        var settings: LinkSettings, json: JSONValueBox
        if let model { (settings, json) = (model.settings, JSONValueBox(model.settingsJSON)) } else { (settings, json) = try input.loadSettings() }
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
        if explain { obj["explain"] = explainJSON(run.scorer.explain(i, j)) }
        var out = ""
        JSONValue.object(obj).appendJSON(to: &out)
        return out
    }

    static func explainJSON(_ terms: [PairScorer.Term]) -> JSONValue {
        .array(terms.map { .object(["comparison": .string($0.comparison), "level": .string($0.level),
                                    "bits": .number(JSONValueFormat.fixed($0.bits, 2))]) })
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

/// Library errors of identity resolution as a failing exit with a readable message.
func reportingLinkErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try reportingErrors(body)
    } catch let error as MatchError {
        warn("qingting: \(error)")
        throw ExitCode.failure
    }
}

struct EvalLink: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Precision, recall and F1 of a linkage run against known truth, split by deterministic and probabilistic links.",
        discussion: """
            --truth is JSONL, one line per record: {"id": …, "entity": …}; two records with the same \
            entity are a true link (among the pairs the link type allows). Records not listed belong \
            to no entity. Also reports how many true links blocking never offered for scoring.
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
        try reportingLinkErrors {
            let progress = stderrProgress(quiet)
            let (run, total) = try LinkRunner.run(input: input, modelPath: model, threshold: threshold, progress: progress)
            let truthMap = try LinkEvaluation.readTruth(path: truth)
            let entityOf = run.records.ids.map { truthMap[$0] }
            let candidates = try Set(Blocking(settings: run.model.settings, records: run.records).candidatePairs().pairs)
            let e = LinkEvaluation.pairwise(links: run.links, candidates: candidates, records: run.records,
                                            linkType: run.model.settings.linkType, entityOf: entityOf)
            writeAll(1, LinkReport.evaluation(e, threshold: run.model.settings.threshold, seconds: total))
        }
    }
}

extension LinkReport {
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
