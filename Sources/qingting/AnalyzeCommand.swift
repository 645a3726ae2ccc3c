import ArgumentParser
import QingtingClassify
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Sentiment, intents, product category and CRM tags of each post, as JSONL, with the cues behind them.",
        discussion: """
            Reads the TEXT arguments, else --file, else standard input, one post per line: plain text, \
            or JSON objects {"id": …, "text": "…", …} (--input jsonl; by default the first line of a file \
            decides: a line starting with '{' means JSONL; TEXT arguments are always text unless \
            --input jsonl). --text-field names the member that holds the post. Writes one JSON line per \
            input line, in input order: "line", then the input's other members as they came (id, author, \
            time, platform…; a member named like an output member is left out), then \
            {"sentiment":"negative","probabilities":{"negative":…,"neutral":…,"positive":…},\
            "cues":[{"term":…,"polarity":…,"negated":…,"strength":…,"start":…,"end":…}],\
            "intents":[{"label":"purchase","probability":…,"cues":[{"term":…,"negated":…,"start":…,"end":…}]}],\
            "category":{"name":"手机","term":"iphone","kind":"model","start":…,"end":…} or null,\
            "tags":["#负面情绪#","#购买意图_手机#",…]} \
            (spans are byte offsets into the text). A line that is not valid UTF-8, not valid JSON or \
            has no string "text" is reported on stderr as SOURCE:LINE and written as \
            {"line":N,"error":{"code":…,"message":…}}; the run goes on and exits non-zero at the end \
            (with --skip-invalid such lines are dropped and counted instead).
            """
    )

    enum InputFormat: String, ExpressibleByArgument, CaseIterable { case auto, text, jsonl }

    @Argument(help: "Posts to analyze (each one document).")
    var texts: [String] = []

    @Option(name: .shortAndLong, help: "Read posts from this file, one per line ('-' for stdin).")
    var file: String?

    @Option(help: "Input lines: text, jsonl, or auto (JSONL when the first line of a file or stdin starts with '{'; TEXT arguments are text).")
    var input: InputFormat = .auto

    @Option(help: "The member of a JSONL line that holds the post (WeChat's Content, say).")
    var textField = "text"

    @Option(help: "Worker threads (default: the number of CPUs).")
    var threads: Int?

    @Option(help: "Sentiment model (default: Models/sentiment.qtlin).")
    var model: String?

    @Option(help: "Intent model (default: Models/intent.qtlin when present; without one there is no \"intents\" field).")
    var intentModel: String?

    @Flag(help: "Leave intents out (sentiment, category and the sentiment tag only).")
    var noIntents = false

    @Flag(help: "Also write the tokens (text, kind, byte span) of each post.")
    var tokens = false

    @Flag(help: "Drop bad lines (their count goes to stderr) instead of failing at the end.")
    var skipInvalid = false

    @OptionGroup var segmenterOptions: SegmenterOptions

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads \(threads) is not in 1...256")
        }
    }

    func run() throws {
        let analyzer = try reportingErrors {
            try ClassifyResources.postAnalyzer(segmenter: try segmenterOptions.segmenter(), modelPath: model,
                                              intentModelPath: intentModel, intents: !noIntents)
        }
        let source = texts.isEmpty ? (file ?? "-") : "argument"
        let lines: ((ArraySlice<UInt8>, Int) throws -> Void) throws -> Void = { body in
            if texts.isEmpty {
                try FileIO.forEachLine(file ?? "-", body)
            } else {
                for (index, text) in texts.enumerated() { try body(ArraySlice(text.utf8), index + 1) }
            }
        }
        let workers = threads ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var output = Output()
        var invalid = 0
        let progress = Progress(label: "analyze")
        let includeTokens = tokens, textField = self.textField
        // With --input auto the first line of a file or stdin decides; it is read before any line
        // is analyzed. TEXT arguments are posts: they are never parsed as JSON unless --input jsonl.
        let format = DecidedFormat(input == .jsonl)
        var decided = input != .auto || !texts.isEmpty
        try reportingErrors {
            try ParallelLines(threads: workers).run(
                lines: { body in
                    try lines { line, number in
                        if !decided { format.jsonl = line.first == UInt8(ascii: "{"); decided = true }
                        try body(line, number)
                    }
                },
                transform: { line, number in
                    AnalyzedLine(line, number: number, jsonl: format.jsonl, textField: textField, analyzer: analyzer,
                                 tokens: includeTokens)
                },
                emit: { analyzed, number in
                    progress.update(number)
                    if let error = analyzed.error {
                        invalid += 1
                        if skipInvalid { return }
                        warn("qingting: \(source):\(number): \(error)")
                    }
                    output.line(analyzed.json)
                })
        }
        output.flush()
        progress.finish()
        if invalid > 0 {
            if skipInvalid { warn("qingting: skipped \(invalid) bad line(s)") } else { throw ExitCode.failure }
        }
    }
}

/// Whether input lines are JSON; set once, from the first line, before any worker reads it.
private final class DecidedFormat: @unchecked Sendable {
    var jsonl: Bool
    init(_ jsonl: Bool) { self.jsonl = jsonl }
}
