import QingtingText
import Dispatch
import QingtingCore

/// The levels of every comparison for one pair, packed: 8 bits per comparison, 16 at most.
public struct Pattern: Hashable, Sendable {
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    public init() {}

    /// The level of comparison `c` (`Comparator.null` when missing).
    @inline(__always)
    public subscript(c: Int) -> UInt8 {
        get { UInt8(truncatingIfNeeded: (c < 8 ? lo >> (8 * UInt64(c)) : hi >> (8 * UInt64(c - 8)))) }
        set {
            if c < 8 {
                let shift = 8 * UInt64(c)
                lo = (lo & ~(0xFF << shift)) | (UInt64(newValue) << shift)
            } else {
                let shift = 8 * UInt64(c - 8)
                hi = (hi & ~(0xFF << shift)) | (UInt64(newValue) << shift)
            }
        }
    }
}

/// The patterns of many pairs, in order: 8 bytes a pair when the comparisons fit in the low
/// word (at most 8, the usual case), 16 otherwise. Tens of millions of candidate pairs are
/// held through training and scoring, so the half that is always zero is not stored.
public struct PatternList: RandomAccessCollection, Sendable {
    var lo: [UInt64]
    /// Empty when every pattern's high word is zero.
    var hi: [UInt64]

    public init(_ patterns: [Pattern]) {
        lo = patterns.map(\.lo)
        hi = patterns.contains { $0.hi != 0 } ? patterns.map(\.hi) : []
    }

    init(lo: [UInt64], hi: [UInt64]) { (self.lo, self.hi) = (lo, hi) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { lo.count }

    @inline(__always)
    public subscript(k: Int) -> Pattern {
        var p = Pattern()
        p.lo = lo[k]
        if !hi.isEmpty { p.hi = hi[k] }
        return p
    }
}

/// Comparison vectors of many pairs, counted by distinct pattern: EM runs over the distinct
/// patterns (a few thousand) instead of the pairs (millions).
enum ComparisonVectors {
    static let maxComparisons = 16

    @inline(__always)
    static func pattern(_ i: Int, _ j: Int, _ comparators: [Comparator]) -> Pattern {
        var p = Pattern()
        for c in comparators.indices { p[c] = comparators[c].level(i, j).level }
        return p
    }

    /// The pattern of every pair, on all cores.
    static func patterns(_ pairs: [Blocking.Pair], comparators: [Comparator]) -> PatternList {
        let chunks = max(1, min(64, pairs.count / 50_000 + 1))
        let wide = comparators.count > 8
        let parts = Parallel.map(chunks) { k -> (lo: [UInt64], hi: [UInt64]) in
            let start = k * pairs.count / chunks, end = (k + 1) * pairs.count / chunks
            var lo: [UInt64] = [], hi: [UInt64] = []
            lo.reserveCapacity(end - start)
            if wide { hi.reserveCapacity(end - start) }
            for p in pairs[start..<end] {
                let (i, j) = Blocking.split(p)
                let pattern = pattern(i, j, comparators)
                lo.append(pattern.lo)
                if wide { hi.append(pattern.hi) }
            }
            return (lo, hi)
        }
        return PatternList(lo: parts.flatMap(\.lo), hi: wide ? parts.flatMap(\.hi) : [])
    }

    /// Counts of each distinct pattern.
    static func tally<S: Sequence>(_ patterns: S) -> [Pattern: Int] where S.Element == Pattern {
        var counter = PatternCounter()
        for p in patterns { counter.add(p) }
        return counter.dictionary
    }

    /// Patterns of the simple comparators turned into patterns of `joined` (some of them crossed
    /// into joint comparisons), without comparing the pairs again.
    static func remap(_ counts: [Pattern: Int], from simple: [Comparator], to joined: [Comparator]) -> [Pattern: Int] {
        let position = Dictionary(uniqueKeysWithValues: simple.enumerated().map { ($1.name, $0) })
        var out: [Pattern: Int] = [:]
        for (p, n) in counts {
            var q = Pattern()
            for (c, comparator) in joined.enumerated() {
                if comparator.parts.isEmpty {
                    q[c] = p[position[comparator.name]!]
                } else {
                    q[c] = comparator.joint(p[position[comparator.parts[0].name]!], p[position[comparator.parts[1].name]!])
                }
            }
            out[q, default: 0] += n
        }
        return out
    }

    /// Pattern counts over `count` pairs given by `pairAt`, on all cores.
    static func counts(count: Int, comparators: [Comparator], pairAt: @Sendable (Int) -> (Int, Int)) -> [Pattern: Int] {
        let workers = max(1, min(Parallel.workers, count / 10_000 + 1))
        let parts = Parallel.map(workers) { w -> [Pattern: Int] in
            var local = PatternCounter()
            var k = w * count / workers
            let end = (w + 1) * count / workers
            while k < end {
                let (i, j) = pairAt(k)
                local.add(pattern(i, j, comparators))
                k += 1
            }
            return local.dictionary
        }
        var total: [Pattern: Int] = [:]
        for part in parts { total.merge(part, uniquingKeysWith: +) }
        return total
    }
}

/// Counts patterns in an open-addressing table with a cheap hash: there are only hundreds of
/// distinct patterns among millions of pairs, and a Dictionary's SipHash per pair was the
/// largest cost of training.
struct PatternCounter {
    private var keys: [Pattern]
    private var counts: [Int]
    private var mask: Int
    private var used = 0

    init() {
        keys = [Pattern](repeating: Pattern(), count: 1024)
        counts = [Int](repeating: 0, count: 1024)
        mask = 1023
    }

    @inline(__always)
    mutating func add(_ p: Pattern, _ n: Int = 1) {
        var h = p.lo &* 0x9E37_79B9_7F4A_7C15 ^ p.hi &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            if counts[slot] == 0 {
                keys[slot] = p
                counts[slot] = n
                used += 1
                if used * 2 > mask { grow() }
                return
            }
            if keys[slot] == p { counts[slot] += n; return }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = dictionary
        keys = [Pattern](repeating: Pattern(), count: (mask + 1) * 2)
        counts = [Int](repeating: 0, count: (mask + 1) * 2)
        mask = (mask + 1) * 2 - 1
        used = 0
        for (p, n) in old { add(p, n) }
    }

    var dictionary: [Pattern: Int] {
        var out: [Pattern: Int] = [:]
        for k in counts.indices where counts[k] > 0 { out[keys[k]] = counts[k] }
        return out
    }
}

/// Work split over the machine's cores.
enum Parallel {
    static let workers: Int = {
        #if os(Linux)
        let n = Int(sysconfNumberOfProcessors())
        return max(1, n)
        #else
        return 2
        #endif
    }()

    /// `body(w)` for w in 0..<n, concurrently; results in order.
    static func map<T>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] { ConcurrentSlots<T>.map(n, body) }
}
