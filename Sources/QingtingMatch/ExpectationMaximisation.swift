/// Fellegi–Sunter parameter estimation by expectation maximisation over counted comparison
/// patterns, with u held fixed (it comes from random pairs) and m and the match share learned.
///
/// Only `active` comparisons take part: a session over pairs blocked on a column learns nothing
/// about that column (every pair agrees on it), so its comparisons sit the session out.
public enum ExpectationMaximisation {
    public struct Result: Sendable {
        public var m: [[Double]]
        /// Share of the session's pairs that match.
        public var lambda: Double
        public var iterations: Int
    }

    /// Runs EM from the starting `m` and `lambda` until no m moves by more than `tolerance`.
    public static func run(patterns: [(pattern: Pattern, count: Double)], active: [Bool], m: [[Double]], u: [[Double]],
                           lambda: Double, maxIterations: Int, tolerance: Double = 1e-6) -> Result {
        var m = m
        var lambda = lambda
        let comparisons = m.count
        // Comparisons sitting the session out add nothing to a pattern's weight.
        let silent = u.map { [Double](repeating: 1, count: $0.count) }
        let sessionU = (0..<comparisons).map { active[$0] ? u[$0] : silent[$0] }
        var iterations = 0
        for _ in 0..<maxIterations {
            iterations += 1
            // E-step: each pattern's match probability under the current m and λ, scored by the
            // same function as every other pair.
            let weights = MatchWeights(priorBits: MatchWeights.bits(probability: lambda),
                                       m: (0..<comparisons).map { active[$0] ? m[$0] : silent[$0] }, u: sessionU)
            var mass = m.map { [Double](repeating: 0, count: $0.count) }
            var matchTotal = 0.0, total = 0.0
            for (pattern, count) in patterns {
                let p = MatchWeights.probability(bits: weights.weight(pattern))
                matchTotal += p * count
                total += count
                for c in 0..<comparisons where active[c] {
                    let level = pattern[c]
                    if level != Comparator.null { mass[c][Int(level)] += p * count }
                }
            }
            var change = 0.0
            for c in 0..<comparisons where active[c] {
                let sum = mass[c].reduce(0, +)
                guard sum > 0 else { continue }
                let levels = Double(mass[c].count)
                for l in mass[c].indices {
                    let updated = (mass[c][l] + 1e-4) / (sum + 1e-4 * levels)
                    change = max(change, abs(updated - m[c][l]))
                    m[c][l] = updated
                }
            }
            lambda = min(max(total > 0 ? matchTotal / total : lambda, 1e-9), 1 - 1e-9)
            if change < tolerance { break }
        }
        return Result(m: m, lambda: lambda, iterations: iterations)
    }

    /// A neutral starting m: most mass on the strongest level, falling off, a little on "else".
    public static func initialM(levels: Int) -> [Double] {
        guard levels > 1 else { return [1] }
        var m = (0..<(levels - 1)).map { 0.6 / Double(1 << min($0, 20)) }
        m.append(0.05)
        let sum = m.reduce(0, +)
        return m.map { $0 / sum }
    }
}
