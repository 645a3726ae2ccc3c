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
        let logU = u.map { $0.map { Math.log($0) } }
        var iterations = 0
        for _ in 0..<maxIterations {
            iterations += 1
            let logM = m.map { $0.map { Math.log($0) } }
            var mass = m.map { [Double](repeating: 0, count: $0.count) }
            var matchTotal = 0.0, total = 0.0
            let logLambda = Math.log(lambda), logNot = Math.log(1 - lambda)
            for (pattern, count) in patterns {
                var lm = logLambda, lu = logNot
                for c in 0..<comparisons where active[c] {
                    let level = pattern[c]
                    if level == Comparator.null { continue }
                    lm += logM[c][Int(level)]
                    lu += logU[c][Int(level)]
                }
                let d = lu - lm
                let p = d > 700 ? 0 : 1 / (1 + Math.exp(d))
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
