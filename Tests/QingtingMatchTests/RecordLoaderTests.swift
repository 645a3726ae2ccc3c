import Foundation
import OrderedCollections
import QingtingCore
import QingtingMatch
import Testing

/// JSONL reading: lines are parsed in parallel batches, but `body` and `skipped` must see them
/// exactly as a line-by-line read would — in file order, with each bad line's own number.
@Suite struct RecordLoaderTests {
    @Test func parallelBatchesKeepFileOrderAndLineNumbers() throws {
        // More lines than one batch (16,384), with bad lines on both sides of the boundary and blank lines.
        var lines: [String] = []
        for k in 1...40_000 {
            switch k {
            case 5, 16_384, 16_385, 39_999: lines.append("{not json")
            case 20_000: lines.append("[1, 2]")
            case 7, 30_000: lines.append("   ")
            default: lines.append(#"{"id":"\#(k)"}"#)
            }
        }
        let path = NSTemporaryDirectory() + "qingting-jsonl-\(UUID().uuidString.prefix(8)).jsonl"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        var seen: [(id: String, line: Int)] = []
        var refused: [String] = []
        try RecordLoader.forEachObject(path: path, skipped: { refused.append($0.location ?? "") }) { fields, line in
            seen.append((fields["id"]?.stringValue ?? "", line))
        }
        let bad: Set<Int> = [5, 7, 16_384, 16_385, 20_000, 30_000, 39_999]
        #expect(seen.count == 40_000 - bad.count)
        #expect(seen.allSatisfy { $0.id == "\($0.line)" })
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.line < $1.line })
        #expect(refused == [5, 16_384, 16_385, 20_000, 39_999].map { "\(path):\($0)" })

        // Without `skipped`, the first bad line ends the read, after the lines before it.
        var before = 0
        #expect(throws: QingtingError.self) {
            try RecordLoader.forEachObject(path: path) { _, _ in before += 1 }
        }
        #expect(before == 4)
    }
}
