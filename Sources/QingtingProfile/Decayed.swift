#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A sum of weights that lose half their weight every half-life: Σ wᵢ · 2^(−(t − tᵢ)/h).
///
/// Kept as the sum at the newest evidence time (`at`), so folding events in any order of time is
/// exact (up to rounding) and `value(now:)` is a pure function of the evidence times and `now`:
/// the same events folded in the same order give the same bits, which is what makes
/// `rebuild` equal the incremental state. Evidence newer than `now` counts at full weight.
public struct Decayed: Codable, Sendable, Equatable {
    public var value = 0.0
    /// UTC ms of the newest evidence (the time `value` is the sum at).
    public var at: Int64 = 0

    public init() {}

    /// The factor a weight keeps after `age` ms: 2^(−age/h), 1 for ages ≤ 0.
    public static func factor(age: Int64, halfLifeMillis: Double) -> Double {
        age <= 0 ? 1 : Double.power2(-Double(age) / halfLifeMillis)
    }

    /// Adds weight `w` observed at `time`.
    public mutating func add(_ w: Double, at time: Int64, halfLifeMillis: Double) {
        if value == 0 && at == 0 {
            (value, at) = (w, time)
        } else if time >= at {
            value = value * Self.factor(age: time - at, halfLifeMillis: halfLifeMillis) + w
            at = time
        } else {
            value += w * Self.factor(age: at - time, halfLifeMillis: halfLifeMillis)
        }
    }

    /// The decayed sum at `now`.
    public func value(now: Int64, halfLifeMillis: Double) -> Double {
        value * Self.factor(age: now - at, halfLifeMillis: halfLifeMillis)
    }
}

extension Double {
    /// Days as milliseconds.
    static func days(_ d: Double) -> Double { d * 86_400_000 }

    /// 1 − 2^(−x/half): 0 at 0, 0.5 at `half`, towards 1 — the one normalization of a decayed
    /// count into 0…1 the profile uses.
    static func saturating(_ x: Double, half: Double) -> Double { x <= 0 ? 0 : 1 - Double.power2(-x / half) }

    static func power2(_ x: Double) -> Double { exp2(x) }
}
