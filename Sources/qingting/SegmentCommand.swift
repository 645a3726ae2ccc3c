import ArgumentParser
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Split text into typed tokens (words, emoji, #hashtags#, @mentions, URLs, phones …).",
        discussion: """
            Reads the TEXT arguments, else --file, else standard input: one document per line. \
            Prints one output line per input line. Invalid UTF-8 is reported with its line and \
            byte offset and the command exits non-zero at the end (with --skip-invalid, bad lines \
            are dropped and counted).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, jsonl }

    @Argument(help: "Texts to segment (each one document).")
    var texts: [String] = []

    @Option(name: .shortAndLong, help: "Read documents from this file, one per line ('-' for stdin).")
    var file: String?

    @Option(help: "Output: text (tokens split by spaces) or jsonl (tokens with kinds and byte spans).")
    var format: Format = .text

    @Flag(help: "Drop lines that are not valid UTF-8 (their count goes to stderr) instead of failing.")
    var skipInvalid = false

    @OptionGroup var segmenterOptions: SegmenterOptions

    func run() throws {
        let segmenter = try reportingErrors { try segmenterOptions.segmenter() }
        var output = Output()
        var invalid = 0
        let progress = Progress(label: "segment")
        let source = texts.isEmpty ? (file ?? "-") : "argument"
        let handle = { (line: ArraySlice<UInt8>, number: Int) in
            progress.update(number)
            do {
                let tokens = try line.withUnsafeBufferPointer { try segmenter.tokenize(utf8: $0) }
                output.line(render(tokens, line: number))
            } catch {
                let error = error as? QingtingError ?? QingtingError(.io, "\(error)")
                invalid += 1
                if skipInvalid { return }
                warn("qingting: \(error.at("\(source):\(number)"))")
                output.line(format == .jsonl ? error.errorLine(line: number) : "")
            }
        }
        try reportingErrors {
            if !texts.isEmpty {
                for (index, text) in texts.enumerated() { handle(ArraySlice(text.utf8), index + 1) }
            } else {
                try FileIO.forEachLine(file ?? "-") { line, number in handle(line, number) }
            }
        }
        output.flush()
        progress.finish()
        if invalid > 0 {
            if skipInvalid {
                warn("qingting: skipped \(invalid) line(s) of invalid UTF-8")
            } else {
                throw ExitCode.failure
            }
        }
    }

    private func render(_ tokens: [Token], line: Int) -> String {
        switch format {
        case .text:
            return tokens.map(\.text).joined(separator: " ")
        case .jsonl:
            var w = JSONWriter()
            w.object { w in
                w.member("line", line)
                w.member("tokens") { w in Token.write(tokens, to: &w) }
            }
            return w.text
        }
    }
}

/// A line counter on stderr, shown only when stderr is a terminal, at most a few times a second.
final class Progress {
    private let label: String
    private let enabled = isatty(2) == 1
    private var lastShown: Double = 0
    private var lastCount = 0

    init(label: String) { self.label = label }

    /// Shows `count` lines done (called per line or per batch; at most every 1,024 lines and 0.25 s).
    func update(_ count: Int) {
        guard enabled, count - lastCount >= 1024 else { return }
        let now = Monotonic.seconds()
        lastCount = count
        if now - lastShown > 0.25 {
            lastShown = now
            writeAll(2, "\r\(label): \(count) lines")
        }
    }

    func finish() {
        if enabled && lastCount > 0 { writeAll(2, "\r\u{1B}[K") }
    }

}
