// Side-by-side throughput, measured in one run so that the ratios compare like with like.
//   peer-compare segment CORPUS   Qingting (lexicon), Qingting (ICU engine), bare ICU, jieba
//   peer-compare hash             AVX2 vs scalar n-gram hashing
import CSupport
import Foundation
import QingtingText

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Best of `repeats` timings of `body` (seconds).
func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var result = Double.infinity
    for _ in 0..<repeats {
        let start = now()
        try body()
        result = min(result, now() - start)
    }
    return result
}

struct Row { var name: String; var mbPerSecond: Double; var note: String }

func printTable(_ rows: [Row], baseline: String) {
    let base = rows.first { $0.name == baseline }?.mbPerSecond ?? 1
    print(String(repeating: "-", count: 78))
    for row in rows {
        let name = row.name.padding(toLength: 34, withPad: " ", startingAt: 0)
        let rate = String(format: "%8.2f MB/s", row.mbPerSecond)
        let ratio = String(format: "%7.2fx %@", row.mbPerSecond / base, baseline)
        print("\(name) \(rate)  \(ratio)  \(row.note)")
    }
    print(String(repeating: "-", count: 78))
}

func repositoryRoot() -> String {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}

func segmentBenchmark(corpus: String, raw: Bool) throws {
    let root = repositoryRoot()
    let text = try String(contentsOfFile: corpus, encoding: .utf8)
    let lines: [String] = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        raw ? String(line) : GoldCorpus.words(of: String(line)).joined()
    }
    let bytes = lines.reduce(0) { $0 + $1.utf8.count }
    let megabytes = Double(bytes) / 1e6
    print("corpus: \(corpus) — \(lines.count) lines, \(bytes) bytes of UTF-8; single thread, best of 3")

    let lexicon = try Resources.segmenter(modelPath: "\(root)/Models/segment.qtseg",
                                          lexiconPath: "\(root)/Lexicons/userdict.tsv")
    var icuConfig = Segmenter.Configuration()
    icuConfig.engine = .icu
    let icuEngine = Segmenter(model: lexicon.model, configuration: icuConfig)

    var rows: [Row] = []
    var tokens = 0
    let tLexicon = best(3) { tokens = 0; for line in lines { tokens += lexicon.tokenize(line).count } }
    rows.append(Row(name: "qingting (lexicon + ICU fallback)", mbPerSecond: megabytes / tLexicon, note: "\(tokens) tokens"))
    let tEngine = best(3) { tokens = 0; for line in lines { tokens += icuEngine.tokenize(line).count } }
    rows.append(Row(name: "qingting --engine icu", mbPerSecond: megabytes / tEngine, note: "\(tokens) tokens"))
    // Bare ICU: UTF-8 decoding plus the break iterator, nothing else.
    let tICU = try best(3) {
        tokens = 0
        for line in lines { tokens += try ICUWordBreaks.boundaries(of: line.unicodeScalars.map(\.value)).count - 1 }
    }
    rows.append(Row(name: "ICU word break iterator (bare)", mbPerSecond: megabytes / tICU, note: "\(tokens) tokens"))

    // jieba, precise mode, in a child process on the same lines.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "\(root)/Benchmarks/peers/jieba_segment.py", corpus] + (raw ? ["--raw"] : [])
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus == 0,
       let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
       let seconds = json["seconds"] as? Double, let jiebaBytes = json["bytes"] as? Int {
        rows.append(Row(name: "jieba precise mode (Python)", mbPerSecond: Double(jiebaBytes) / 1e6 / seconds,
                        note: "\(json["tokens"] ?? 0) tokens"))
        printTable(rows, baseline: "jieba precise mode (Python)")
    } else {
        print("jieba did not run (pip install jieba); ratios against bare ICU only")
        printTable(rows, baseline: "ICU word break iterator (bare)")
    }
    let lexiconVsICU = rows[0].mbPerSecond / rows[2].mbPerSecond
    print(String(format: "qingting lexicon engine / bare ICU: %.2fx", lexiconVsICU))
}

func hashBenchmark() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let count = 1 << 20
    let units: [UInt32] = (0..<count).map { _ in
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return UInt32(truncatingIfNeeded: (state &* 2_685_821_657_736_338_717) >> 32)
    }
    let outCount = qt_ngram_count(count, 1, 3)
    var out = [UInt32](repeating: 0, count: outCount)
    let rounds = 50
    print("n-gram hash: \(count) units, n = 1...3, \(outCount) hashes per call, \(rounds) calls, best of 5")
    guard qt_cpu_has_avx2() == 1 else { print("this CPU has no AVX2"); return }
    let tScalar = best(5) { for _ in 0..<rounds { _ = qt_ngram_hash_scalar(units, count, 1, 3, 7, (1 << 20) - 1, &out, outCount) } }
    let tAVX2 = best(5) { for _ in 0..<rounds { _ = qt_ngram_hash_avx2(units, count, 1, 3, 7, (1 << 20) - 1, &out, outCount) } }
    let hashes = Double(outCount * rounds)
    print(String(format: "scalar  %8.1f M hashes/s", hashes / tScalar / 1e6))
    print(String(format: "avx2    %8.1f M hashes/s", hashes / tAVX2 / 1e6))
    print(String(format: "avx2 / scalar: %.2fx", tScalar / tAVX2))
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "segment":
    let rest = Array(arguments.dropFirst())
    let corpus = rest.first { !$0.hasPrefix("--") } ?? "\(repositoryRoot())/corpora/199801.txt"
    do { try segmentBenchmark(corpus: corpus, raw: rest.contains("--raw")) } catch {
        print("peer-compare: \(error)")
        exit(1)
    }
case "hash":
    hashBenchmark()
default:
    print("usage: peer-compare segment [CORPUS] [--raw] | peer-compare hash")
    exit(2)
}
