#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Learns the segmenter's word model from a gold-segmented corpus (words split by spaces,
/// `word/POS` accepted, as in People's Daily 1998).
public struct SegmentTrainer {
    /// Which lines of the corpus are used: by default every line; `heldOut` names lines to skip.
    public struct Split: Sendable, Hashable {
        /// Lines whose 0-based index % modulus == remainder are held out (the test lines).
        public var modulus: Int
        public var remainder: Int
        public init(modulus: Int, remainder: Int) {
            self.modulus = modulus
            self.remainder = remainder
        }

        /// People's Daily convention of this project: every tenth line (index % 10 == 9) is test.
        public static let peoplesDaily = Split(modulus: 10, remainder: 9)

        public func isHeldOut(lineIndex: Int) -> Bool { lineIndex % modulus == remainder }
    }

    private var counts: [[UInt32]: Int] = [:]
    private var total = 0
    public private(set) var linesUsed = 0

    public init() {}

    /// Counts the words of one gold line.
    public mutating func add(goldLine: String) {
        linesUsed += 1
        for word in GoldCorpus.words(of: goldLine) {
            guard let keys = SegmentKeys.keys(forWord: word) else { continue }
            counts[keys, default: 0] += 1
            total += 1
        }
    }

    /// The model: cost of a word = −ln(count / total); an unknown atom costs as a word seen half
    /// a time, so that any known word, however rare, is preferred to the unknown.
    public func model() -> SegmentModel {
        var builder = HashTrieBuilder()
        let totalCount = Double(max(total, 1))
        // Sorted so that node numbering (and so the file's bytes) depends only on the corpus.
        for (keys, count) in counts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            builder.insert(keys, cost: Float(log(totalCount / Double(count))))
        }
        return SegmentModel(builder: builder, unknownCost: Float(log(totalCount / 0.5)), totalCount: totalCount,
                            wordCount: counts.count)
    }
}
