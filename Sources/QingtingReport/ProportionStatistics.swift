#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The statistics of an A/B report on plain counts: a proportion's Wilson score interval, and
/// for two groups the difference with its Wald interval (unpooled standard error) and the
/// two-proportion z-test (pooled standard error, two-sided p-value). Pure functions; the
/// textbook case in the tests pins them.
public enum ProportionStatistics {
    /// z of a two-sided 95% interval: Φ⁻¹(0.975).
    public static let z95 = 1.959963984540054

    /// What `ABReport` states it ran.
    public static let testName = "two-proportion z-test (pooled), two-sided"

    /// The Wilson score interval of `successes` out of `n` at `z` (95% by default); (0, 1) for n = 0.
    public static func wilson(_ successes: Int, _ n: Int, z: Double = z95) -> (low: Double, high: Double) {
        guard n > 0 else { return (0, 1) }
        let nn = Double(n), p = Double(successes) / nn, z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Treatment `b` against control `a`.
    public struct Comparison: Sendable, Equatable {
        /// p_b − p_a.
        public var difference: Double
        /// The 95% interval of the difference: ± z·√(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b).
        public var low: Double
        public var high: Double
        /// (p_b − p_a) / √(p̂(1−p̂)(1/n_a + 1/n_b)), p̂ the pooled proportion; 0 when that is 0.
        public var z: Double
        /// 2·(1 − Φ(|z|)) = erfc(|z|/√2).
        public var pValue: Double
    }

    /// The comparison of `b` (successes, n) with `a`; nil when either group is empty.
    public static func compare(_ a: (successes: Int, n: Int), _ b: (successes: Int, n: Int), z zc: Double = z95)
        -> Comparison?
    {
        guard a.n > 0, b.n > 0 else { return nil }
        let na = Double(a.n), nb = Double(b.n)
        let pa = Double(a.successes) / na, pb = Double(b.successes) / nb
        let difference = pb - pa
        let unpooled = (pa * (1 - pa) / na + pb * (1 - pb) / nb).squareRoot()
        let pooled = Double(a.successes + b.successes) / (na + nb)
        let se = (pooled * (1 - pooled) * (1 / na + 1 / nb)).squareRoot()
        // Both groups all converted or none did: no variation, no evidence of a difference.
        let z = se > 0 ? difference / se : 0
        return Comparison(difference: difference, low: difference - zc * unpooled, high: difference + zc * unpooled,
                          z: z, pValue: erfc(abs(z) / 2.0.squareRoot()))
    }

    /// Why the normal approximation cannot be trusted for these groups, or nil when it can: each
    /// group needs `minSample` members, and at least 10 successes and 10 failures, both observed
    /// and expected under the pooled proportion (the success–failure condition of the pooled test).
    public static func smallSampleWarning(_ groups: [(name: String, successes: Int, n: Int)], minSample: Int)
        -> String?
    {
        var reasons: [String] = []
        let total = groups.reduce(0) { $0 + $1.n }
        let pooled = total > 0 ? Double(groups.reduce(0) { $0 + $1.successes }) / Double(total) : 0
        for g in groups {
            if g.n < minSample {
                reasons.append("\(g.name) has \(g.n) customers (fewer than \(minSample))")
            } else if g.successes < 10 || g.n - g.successes < 10 {
                reasons.append("\(g.name) has \(g.successes) conversions and \(g.n - g.successes) non-conversions (fewer than 10)")
            } else if Double(g.n) * pooled < 10 || Double(g.n) * (1 - pooled) < 10 {
                reasons.append("\(g.name): n·p or n·(1−p) under the pooled rate is below 10")
            }
        }
        guard !reasons.isEmpty else { return nil }
        return "sample too small to tell: " + reasons.joined(separator: "; ")
            + " — the normal approximation behind the z-test and the intervals is unreliable"
    }
}
