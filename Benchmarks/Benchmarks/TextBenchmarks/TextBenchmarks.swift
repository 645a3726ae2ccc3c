import Benchmark
import CSupport
import Foundation
import QingtingText

/// package-benchmark suites: per-call cost and allocations of the hot paths.
/// Run from Benchmarks/: `swift package benchmark`.
let benchmarks: @Sendable () -> Void = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    let posts = (try? String(contentsOfFile: "\(root)/Models/corpus/demo-posts.txt", encoding: .utf8))?
        .split(separator: "\n").map(String.init) ?? ["客服态度太差了，我要投诉！"]
    let segmenter = try? Resources.segmenter(modelPath: "\(root)/Models/segment.qtseg",
                                             lexiconPath: "\(root)/Lexicons/userdict.tsv")
    let postBytes = posts.reduce(0) { $0 + $1.utf8.count }

    Benchmark("segment demo posts", configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                                         scalingFactor: .kilo)) { benchmark in
        guard let segmenter else { return }
        for _ in benchmark.scaledIterations {
            for post in posts { blackHole(segmenter.tokenize(post)) }
        }
    }

    var state: UInt64 = 88_172_645_463_325_252
    let units: [UInt32] = (0..<4096).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return UInt32(truncatingIfNeeded: state)
    }
    var out = [UInt32](repeating: 0, count: qt_ngram_count(4096, 1, 3))
    let outCount = out.count
    Benchmark("ngram hash scalar 4096 units", configuration: .init(metrics: [.wallClock, .throughput])) { benchmark in
        for _ in benchmark.scaledIterations {
            _ = qt_ngram_hash_scalar(units, 4096, 1, 3, 7, 0xFFFFF, &out, outCount)
            blackHole(out[0])
        }
    }
    Benchmark("ngram hash avx2 4096 units", configuration: .init(metrics: [.wallClock, .throughput])) { benchmark in
        for _ in benchmark.scaledIterations {
            _ = qt_ngram_hash(units, 4096, 1, 3, 7, 0xFFFFF, &out, outCount)
            blackHole(out[0])
        }
    }
    _ = postBytes
}
