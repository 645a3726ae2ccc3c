import QingtingMatch
import QingtingText
import Testing
import QingtingCore

@Suite struct FellegiSunterTests {
    /// Draws comparison patterns from known m, u and match share, and checks that EM (with u
    /// given, as in training) finds m and the share again.
    @Test func expectationMaximisationRecoversKnownParameters() {
        let m: [[Double]] = [[0.85, 0.10, 0.05], [0.70, 0.20, 0.10], [0.90, 0.10], [0.60, 0.30, 0.10]]
        let u: [[Double]] = [[0.01, 0.04, 0.95], [0.05, 0.15, 0.80], [0.10, 0.90], [0.02, 0.08, 0.90]]
        let lambda = 0.15
        var rng = SplitMix64(seed: 11)
        func draw(_ p: [Double]) -> UInt8 {
            var x = rng.unit()
            for (k, v) in p.enumerated() { x -= v; if x < 0 { return UInt8(k) } }
            return UInt8(p.count - 1)
        }
        var counts: [Pattern: Double] = [:]
        for _ in 0..<200_000 {
            let match = rng.unit() < lambda
            var p = Pattern()
            for c in m.indices { p[c] = draw(match ? m[c] : u[c]) }
            counts[p, default: 0] += 1
        }
        let start = m.map { ExpectationMaximisation.initialM(levels: $0.count) }
        let result = ExpectationMaximisation.run(patterns: counts.map { ($0.key, $0.value) }, active: [true, true, true, true],
                                                 m: start, u: u, lambda: 0.5, maxIterations: 200)
        #expect(abs(result.lambda - lambda) < 0.01)
        for c in m.indices {
            for l in m[c].indices { #expect(abs(result.m[c][l] - m[c][l]) < 0.02, "m[\(c)][\(l)]") }
        }
    }

    @Test func inactiveComparisonsKeepTheirM() {
        var p = Pattern()
        p[0] = 0; p[1] = 1
        let start: [[Double]] = [[0.5, 0.5], [0.3, 0.7]]
        let result = ExpectationMaximisation.run(patterns: [(p, 100)], active: [true, false], m: start,
                                                 u: [[0.1, 0.9], [0.5, 0.5]], lambda: 0.5, maxIterations: 10)
        #expect(result.m[1] == start[1])
    }
}
