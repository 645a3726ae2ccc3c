import Dispatch

/// Result slots that threads fill at distinct indices (no two threads touch the same slot), for
/// `DispatchQueue.concurrentPerform` loops that return one value per index.
public final class ConcurrentSlots<Value>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Value?>
    private let count: Int

    public init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    public func set(_ index: Int, _ value: Value) { base[index] = value }

    /// Every slot, in order; each must have been set (true once `concurrentPerform` returned).
    public func take() -> [Value] { (0..<count).map { base[$0]! } }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// `body(w)` for w in 0..<n on concurrent threads; the results in order of w.
    public static func map(_ n: Int, _ body: @Sendable (Int) -> Value) -> [Value] {
        if n <= 1 { return n == 1 ? [body(0)] : [] }
        let slots = ConcurrentSlots<Value>(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { w in slots.set(w, body(w)) }
        return slots.take()
    }
}
