public import ArgumentParser
import QingtingClassify
import QingtingMatch
public import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Options every command that segments text shares.
struct SegmenterOptions: ParsableArguments {
    // Not `--model`: commands that classify use that name for their own model.
    @Option(help: "Segment model file (default: Models/segment.qtseg).")
    var segmentModel: String?

    @Option(help: "User lexicon TSV (default: Lexicons/userdict.tsv when present).")
    var userdict: String?

    @Flag(help: "Use no user lexicon, not even the default one.")
    var noUserdict = false

    @Option(help: "How Han runs are cut: lexicon (trained model + user lexicon) or icu (ICU word breaks only).")
    var engine: Segmenter.Engine = .lexicon

    @Flag(inversion: .prefixedNo, help: "Re-cut stretches of unknown characters with ICU's dictionary.")
    var icuFallback = true

    var configuration: Segmenter.Configuration {
        var configuration = Segmenter.Configuration()
        configuration.engine = engine
        configuration.icuForUnknown = icuFallback
        return configuration
    }

    func segmenter() throws -> Segmenter {
        try Resources.segmenter(modelPath: segmentModel, lexiconPath: userdict, useLexicon: !noUserdict,
                                configuration: configuration)
    }
}

extension Segmenter.Engine: ExpressibleByArgument {}

/// Buffered standard output: one write per 64 KiB instead of one per line.
struct Output {
    private var buffer = ""
    init() { buffer.reserveCapacity(1 << 17) }

    mutating func line(_ text: String) {
        buffer += text
        buffer += "\n"
        if buffer.utf8.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        writeAll(1, buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes a message to standard error.
func warn(_ message: String) {
    writeAll(2, message + "\n")
}

/// Writes all of `text` to a file descriptor (standard streams are not shared Swift state).
func writeAll(_ fd: Int32, _ text: String) {
    var copy = text
    copy.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// Turns the library's errors into a failing exit with a readable message.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw report(error)
    }
}

func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw report(error)
    }
}

/// Writes an engine error (or every error of a file) to stderr and turns it into a failing
/// exit; other errors (argument parsing, exit codes) pass through.
private func report(_ error: any Error) -> any Error {
    switch error {
    case let errors as QingtingErrors: warn(errors.errors.map { "qingting: \($0)" }.joined(separator: "\n"))
    case let error as any EngineError: warn("qingting: \(error)")
    default: return error
    }
    return ExitCode.failure
}

/// The default test sets that exist; each missing one is named on stderr (a corpus
/// `scripts/fetch-corpora.sh` downloads may not be there yet), so no set is skipped without a word.
func defaultTestSets(_ candidates: [String]) -> [String] {
    candidates.compactMap { candidate in
        guard let found = Resources.find(candidate) else {
            warn("qingting: default test set \(candidate) not found, left out (scripts/fetch-corpora.sh fetches the corpora; --test FILE names one)")
            return nil
        }
        return found
    }
}

/// A JSONL sink: a file (written whole at close, atomically) or standard output (no path, or `-`).
struct LinkOutput {
    let path: String?
    private var buffer: [UInt8] = []
    private var stdout = Output()

    init(path: String?) { self.path = path == "-" ? nil : path }

    mutating func line(_ text: String) {
        if path == nil { stdout.line(text) } else { buffer.append(contentsOf: text.utf8); buffer.append(10) }
    }

    mutating func close() throws {
        if let path { try FileIO.writeAtomically(buffer, to: path) } else { stdout.flush() }
    }
}
