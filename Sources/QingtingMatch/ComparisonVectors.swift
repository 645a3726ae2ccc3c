import Dispatch

/// The levels of every comparison for one pair, packed: 8 bits per comparison, 16 at most.
public struct Pattern: Hashable, Sendable {
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    @inline(__always)
    subscript(c: Int) -> UInt8 {
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

    /// Pattern counts over `count` pairs given by `pairAt`, on all cores.
    static func counts(count: Int, comparators: [Comparator], pairAt: @Sendable (Int) -> (Int, Int)) -> [Pattern: Int] {
        let workers = max(1, min(Parallel.workers, count / 10_000 + 1))
        let parts = Parallel.map(workers) { w -> [Pattern: Int] in
            var local: [Pattern: Int] = [:]
            var k = w * count / workers
            let end = (w + 1) * count / workers
            while k < end {
                let (i, j) = pairAt(k)
                local[pattern(i, j, comparators), default: 0] += 1
                k += 1
            }
            return local
        }
        var total: [Pattern: Int] = [:]
        for part in parts { total.merge(part, uniquingKeysWith: +) }
        return total
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
    static func map<T>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
        if n <= 1 { return [body(0)] }
        let slots = WorkerSlots<T>(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { w in slots.set(w, body(w)) }
        return slots.take()
    }
}

/// Result slots that threads fill at distinct indices (no two threads touch the same slot).
final class WorkerSlots<Value>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Value) { base[index] = value }

    /// Every slot was set by the time `concurrentPerform` returned.
    func take() -> [Value] { (0..<count).map { base[$0]! } }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
