import OrderedCollections
#if canImport(Glibc)
import Glibc
#endif
import QingtingMatch
import QingtingText
import Testing
import QingtingCore

/// Batch scoring, explanations, online resolving, EM's E-step and the prior all score through
/// `MatchWeights`: these tests fail when one of them grows its own copy of the formula.
@Suite struct ScoringPathTests {
    /// A trained social run on generated data, shared by the tests below.
    static let run: LinkRun = try! LinkageTests.socialRun(customers: 300, dependenceLift: nil).0

    /// The same weight, to the bit, for every candidate pair: batch scoring (with and without
    /// the training patterns), one pair scored, its explanation, and `MatchWeights` fed the
    /// pair's levels by hand.
    @Test func batchScoringExplainAndTheWeightTableAgreeExactly() throws {
        let run = Self.run
        let scorer = run.scorer
        let kept = scorer.score(run.candidates, minimumProbability: 1e-300)
        #expect(kept.count == run.candidates.count)
        var tf = 0
        for (k, s) in kept.enumerated() where k % 7 == 0 {
            let (i, j) = Blocking.split(s.pair)
            let direct = scorer.weight(i, j)
            #expect(Float(direct) == s.weight)
            #expect(scorer.score(i, j) == s)
            let explained = scorer.explain(i, against: scorer.comparators, j)
            #expect(explained.weight == direct)
            let levels = scorer.comparators.map { $0.level(i, j) }
            let byHand = scorer.weights.weight { levels[$0] }
            #expect(byHand == direct)
            // The terms are the weight's parts: prior + terms = weight (up to summation order).
            let sum = scorer.model.priorBits + explained.terms.reduce(0) { $0 + $1.bits }
            #expect(abs(sum - direct) < 1e-9)
            if explained.terms.contains(where: { $0.level.hasSuffix("(term frequency)") }) { tf += 1 }
        }
        #expect(tf > 0, "some pairs use term frequencies")
        // With the patterns training computed, the kept pairs and weights are the same.
        let patterns = run.candidates.map { p -> Pattern in
            let (i, j) = Blocking.split(p)
            var pattern = Pattern()
            for (c, comparator) in scorer.comparators.enumerated() { pattern[c] = comparator.level(i, j).level }
            return pattern
        }
        #expect(scorer.score(run.candidates, patterns: PatternList(patterns), minimumProbability: 1e-300) == kept)
    }

    /// Online resolving scores a customer–identity pair exactly as the batch scorer does when
    /// both see the same records (so term frequencies are the same).
    @Test func resolveGivesTheBatchWeight() throws {
        let run = Self.run
        let index = try IdentityIndex(model: run.model, records: run.records, cities: LinkageTests.cities)
        let identities = run.records.leftCount..<run.records.count
        var compared = 0
        for j in identities where j % 5 == 0 {
            var fields: JSONObject = ["uid": .string(run.records.ids[j])]
            for name in run.model.settings.inputColumns {
                guard let column = run.records.column(name) else { continue }
                let values = column.values(j).map { JSONValue.string(column.dictionary[Int($0)]) }
                if !values.isEmpty { fields[name] = .array(values) }
            }
            let resolution = try index.resolve(fields, limit: 1000)
            for candidate in resolution.candidates where candidate.record != j {
                let (i, k) = (min(candidate.record, j), max(candidate.record, j))
                guard i == candidate.record else { continue }  // the query plays the right record
                #expect(candidate.weight == run.scorer.weight(i, k), "\(run.records.ids[i]) × \(run.records.ids[k])")
                #expect(candidate.rule == run.scorer.rule(i, k))
                compared += 1
            }
        }
        #expect(compared > 50)
    }

    /// One E-step from given m, u and λ: the match share EM reports is the mean of the
    /// probabilities `MatchWeights` gives the patterns.
    @Test func theEStepScoresWithTheWeightTable() {
        let m: [[Double]] = [[0.8, 0.15, 0.05], [0.7, 0.3], [0.6, 0.4]]
        let u: [[Double]] = [[0.02, 0.08, 0.9], [0.1, 0.9], [0.5, 0.5]]
        let active = [true, true, false]
        var patterns: [(pattern: Pattern, count: Double)] = []
        for a in 0..<3 {
            for b in [0, 1, Int(Comparator.null)] {
                var p = Pattern()
                p[0] = UInt8(a); p[1] = UInt8(b); p[2] = UInt8(a % 2)
                patterns.append((p, Double(1 + a * 10 + b)))
            }
        }
        let lambda = 0.2
        let result = ExpectationMaximisation.run(patterns: patterns, active: active, m: m, u: u, lambda: lambda, maxIterations: 1)
        // The inactive comparison adds nothing: m = u = 1 gives 0 bits.
        let weights = MatchWeights(priorBits: log2(lambda / (1 - lambda)), m: [m[0], m[1], [1, 1]], u: [u[0], u[1], [1, 1]])
        var matched = 0.0, total = 0.0
        for (p, n) in patterns {
            matched += MatchWeights.probability(bits: weights.weight(p)) * n
            total += n
        }
        #expect(result.lambda == matched / total)
    }

    /// The prior is the fixed point of the expected matches among all candidate pairs, each
    /// scored by the model's own weights.
    @Test func thePriorIsAFixedPointOfTheScoredCandidates() {
        let run = Self.run
        let scorer = run.scorer
        let possible = LinkTrainer.possiblePairs(run.model.settings, run.records)
        var expected = 0.0
        for p in run.candidates {
            let (i, j) = Blocking.split(p)
            let levels = scorer.comparators.map { $0.level(i, j).level }
            // Training counts patterns without values: no term frequencies.
            expected += MatchWeights.probability(bits: scorer.weights.weight { (levels[$0], -1) })
        }
        let share = expected / possible
        #expect(abs(share - run.model.prior) / run.model.prior < 0.01, "\(share) vs \(run.model.prior)")
    }

    /// The pair rule: blocking, the possible-pair count and evaluation agree on which pairs exist.
    @Test func oneRuleSaysWhichPairsExist() {
        for type in [LinkSettings.LinkType.linkOnly, .dedupeOnly, .linkToMaster] {
            let left = 3, count = 7
            var pairs = 0
            for i in 0..<count {
                for j in (i + 1)..<count where type.allows(i, j, left: left, count: count) {
                    pairs += 1
                    if type == .linkToMaster { #expect(j >= left, "never two masters") }
                    if type == .linkOnly { #expect(i < left && j >= left) }
                }
            }
            #expect(Double(pairs) == type.possiblePairs(left: left, count: count))
        }
        #expect(LinkSettings.LinkType.linkOnly.possiblePairs(left: 3, count: 7) == 12)
        #expect(LinkSettings.LinkType.dedupeOnly.possiblePairs(left: 3, count: 7) == 21)
        #expect(LinkSettings.LinkType.linkToMaster.possiblePairs(left: 3, count: 7) == 18)
    }
}
