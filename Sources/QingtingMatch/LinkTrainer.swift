import OrderedCollections
import QingtingText
public import QingtingCore

/// Trains a Fellegi–Sunter model without labels:
/// 1. u from random pairs (what agreement by chance looks like);
/// 2. comparisons whose agreement among random pairs is far above what independence predicts
///    are joined into one joint comparison (their evidence is counted once);
/// 3. m by EM, one session per training blocking rule, each leaving out the comparisons on the
///    rule's own columns;
/// 4. the prior (probability that two random records match) as the fixed point of expected
///    matches over all candidate pairs.
public struct LinkTrainer {
    public let settings: LinkSettings
    public let settingsJSON: JSONValue
    public let records: RecordSet
    public var progress: (String) -> Void = { _ in }

    public init(settings: LinkSettings, settingsJSON: JSONValue, records: RecordSet) {
        self.settings = settings
        self.settingsJSON = settingsJSON
        self.records = records
    }

    /// Number of pairs the link type allows.
    public static func possiblePairs(_ settings: LinkSettings, _ records: RecordSet) -> Double {
        settings.linkType.possiblePairs(left: records.leftCount, count: records.count)
    }

    /// Trains on `candidates` (the blocked pairs of all rules, sorted; computed when nil).
    public func train(candidates: [Blocking.Pair]? = nil) throws -> LinkModel {
        try trainReturningPatterns(candidates: candidates).model
    }

    /// Trains, and returns the comparison pattern of every candidate pair too (in order), so
    /// scoring need not compare the pairs again.
    public func trainReturningPatterns(candidates: [Blocking.Pair]? = nil) throws -> (model: LinkModel, patterns: PatternList) {
        guard Self.possiblePairs(settings, records) >= 1 else {
            throw QingtingError(.invalidInput, "no pairs to compare: the link type \(settings.linkType.rawValue) needs records on \(settings.linkType == .linkOnly ? "both sides" : "the right side")")
        }
        var rng = SplitMix64(seed: settings.seed)
        // 1. u from random pairs.
        let sample = randomPairs(count: settings.uSamplePairs, rng: &rng)
        var joint = settings.joint
        let rows = LinkModel.rows(settings: settings, records: records)
        let simple = try LinkModel.comparators(settings: settings, joint: [], records: records, rows: rows)
        guard simple.count <= ComparisonVectors.maxComparisons else {
            throw QingtingError(.invalidSettings, "at most \(ComparisonVectors.maxComparisons) comparisons, got \(simple.count)")
        }
        let simpleCounts = ComparisonVectors.counts(count: sample.count, comparators: simple) { sample[$0] }
        var comparators = try LinkModel.comparators(settings: settings, joint: joint, records: records, rows: rows)
        var uCounts = ComparisonVectors.remap(simpleCounts, from: simple, to: comparators)
        progress("u: \(sample.count) random pairs, \(uCounts.count) distinct comparison patterns")
        // 2. dependence.
        let dependence = Self.dependentPairs(uCounts, comparators, minimumLift: settings.dependenceLift)
        var dependenceReport: [JSONValue] = []
        var joined: Set<String> = Set(joint.flatMap { $0 })
        for d in dependence {
            let join = !joined.contains(d.a) && !joined.contains(d.b)
            if join { joint.append([d.a, d.b]); joined.insert(d.a); joined.insert(d.b) }
            dependenceReport.append(.object(["a": .string(d.a), "b": .string(d.b), "lift": .number(NumberFormat.rounded(d.lift, 1)),
                                             "joined": .bool(join)]))
            progress("dependent comparisons \(d.a) and \(d.b): agree together \(NumberFormat.rounded(d.lift, 1))× as often as independence predicts\(join ? "; modelled jointly" : "")")
        }
        if joint != settings.joint {
            comparators = try LinkModel.comparators(settings: settings, joint: joint, records: records, rows: rows)
            uCounts = ComparisonVectors.remap(simpleCounts, from: simple, to: comparators)
        }
        let u = Self.levelShares(uCounts, comparators, smoothing: 0.1)

        // Every candidate pair's pattern, once; sessions and the prior read from it.
        let blocking = Blocking(settings: settings, records: records)
        let all = try candidates ?? blocking.candidatePairs().pairs
        let allPatterns = ComparisonVectors.patterns(all, comparators: comparators)

        // 3. m by EM sessions.
        var mSum = comparators.map { [Double](repeating: 0, count: $0.levelCount) }
        var sessionsFor = [Int](repeating: 0, count: comparators.count)
        var m = comparators.map { ExpectationMaximisation.initialM(levels: $0.levelCount) }
        var sessions: [JSONValue] = []
        let trainingRules = settings.trainingBlocking.isEmpty
            ? settings.blocking.filter { if case .columns = $0.key { return true } else { return false } }
            : settings.trainingBlocking
        for rule in trainingRules {
            let roots = Set(rule.columns.map(settings.root))
            let active = comparators.map { c in Set(c.columns.map(settings.root)).isDisjoint(with: roots) }
            guard active.contains(true) else { continue }
            let (rulePairs, _) = try blocking.pairs(for: rule)
            var pairs = Self.positions(of: rulePairs, in: all)
            if pairs.isEmpty { continue }
            if pairs.count > settings.maxTrainingPairs {
                pairs = Self.sample(pairs, settings.maxTrainingPairs, &rng)
            }
            let counts = ComparisonVectors.tally(pairs.lazy.map { allPatterns[$0] })
            let result = ExpectationMaximisation.run(patterns: counts.map { ($0.key, Double($0.value)) }, active: active,
                                                     m: m, u: u, lambda: 0.1, maxIterations: settings.emIterations)
            for c in comparators.indices where active[c] {
                for l in m[c].indices { mSum[c][l] += result.m[c][l] }
                sessionsFor[c] += 1
            }
            // Later sessions start from what is known so far.
            for c in comparators.indices where sessionsFor[c] > 0 { m[c] = mSum[c].map { $0 / Double(sessionsFor[c]) } }
            sessions.append(.object([
                "rule": .string(rule.name), "pairs": .number("\(pairs.count)"), "iterations": .number("\(result.iterations)"),
                "match_share": .number(NumberFormat.rounded(result.lambda, 6)),
                "estimated": .array(comparators.indices.filter { active[$0] }.map { .string(comparators[$0].name) }),
            ]))
            progress("EM on pairs blocked by \(rule.name): \(pairs.count) pairs, \(result.iterations) iterations, match share \(NumberFormat.rounded(result.lambda, 4))")
        }

        // Comparisons no session could estimate, and the prior, from all candidate pairs.
        let patterns = ComparisonVectors.tally(allPatterns).map { ($0.key, Double($0.value)) }
        let missing = comparators.indices.map { sessionsFor[$0] == 0 }
        if missing.contains(true) {
            let result = ExpectationMaximisation.run(patterns: patterns, active: missing, m: m, u: u, lambda: 0.1,
                                                     maxIterations: settings.emIterations)
            for c in comparators.indices where missing[c] { m[c] = result.m[c] }
            sessions.append(.object([
                "rule": .string("all candidate pairs"), "pairs": .number("\(all.count)"), "iterations": .number("\(result.iterations)"),
                "match_share": .number(NumberFormat.rounded(result.lambda, 6)),
                "estimated": .array(comparators.indices.filter { missing[$0] }.map { .string(comparators[$0].name) }),
            ]))
            progress("EM on all \(all.count) candidate pairs for \(comparators.indices.filter { missing[$0] }.map { comparators[$0].name }.joined(separator: ", "))")
        }
        var parameters = comparators.indices.map { c in
            LinkModel.ComparisonParameters(name: comparators[c].name, labels: comparators[c].labels, m: m[c], u: u[c],
                                           termFrequency: comparators[c].termFrequency)
        }
        let possible = Self.possiblePairs(settings, records)
        let prior = Self.prior(patterns: patterns, parameters: parameters, possiblePairs: possible)
        progress("prior: \(NumberFormat.rounded(prior * possible, 0)) expected matches among \(NumberFormat.rounded(possible, 0)) possible pairs")
        for c in parameters.indices { parameters[c].m = parameters[c].m.map { max($0, 1e-9) } }
        let report: JSONValue = .object([
            "records": .number("\(records.count)"),
            "possible_pairs": .number(NumberFormat.rounded(possible, 0)),
            "candidate_pairs": .number("\(all.count)"),
            "u_sample_pairs": .number("\(sample.count)"),
            "expected_matches": .number(NumberFormat.rounded(prior * possible, 1)),
            "dependence": .array(dependenceReport),
            "sessions": .array(sessions),
        ])
        let model = LinkModel(settings: settings, settingsJSON: settingsJSON, joint: joint, comparisons: parameters,
                              prior: prior, trainingReport: report)
        return (model, allPatterns)
    }

    /// Indices in `all` (sorted) of the pairs of `subset` (sorted), by one merge walk.
    static func positions(of subset: [Blocking.Pair], in all: [Blocking.Pair]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(subset.count)
        var k = 0
        for p in subset {
            while k < all.count && all[k] < p { k += 1 }
            if k < all.count && all[k] == p { out.append(k) }
        }
        return out
    }

    /// Random pairs the link type allows (all of them when there are fewer than `count`).
    func randomPairs(count: Int, rng: inout SplitMix64) -> [(Int, Int)] {
        let n = records.count, left = records.leftCount
        let type = settings.linkType
        let possible = type.possiblePairs(left: left, count: n)
        var out: [(Int, Int)] = []
        if possible <= Double(count) {
            for i in 0..<n {
                for j in type.firstPartner(of: i, left: left, count: n)..<max(n, i + 1) { out.append((i, j)) }
            }
            return out
        }
        out.reserveCapacity(count)
        while out.count < count {
            if let p = type.randomPair(left: left, count: n, possible: possible, rng: &rng) { out.append(p) }
        }
        return out
    }

    /// Share of each level among non-null values, smoothed so no level has u = 0.
    static func levelShares(_ counts: [Pattern: Int], _ comparators: [Comparator], smoothing: Double) -> [[Double]] {
        var tally = comparators.map { [Double](repeating: 0, count: $0.levelCount) }
        for (p, n) in counts {
            for c in comparators.indices where p[c] != Comparator.null { tally[c][Int(p[c])] += Double(n) }
        }
        return tally.map { t in
            let sum = t.reduce(0, +) + smoothing * Double(t.count)
            return t.map { ($0 + smoothing) / sum }
        }
    }

    struct Dependence { var a: String; var b: String; var lift: Double }

    /// Comparison pairs whose strongest levels co-occur among clear non-matches (random pairs on
    /// which every other comparison is at "else" or missing) at least `minimumLift` times as
    /// often as independence predicts, with at least 10 co-occurrences; strongest first.
    /// Random pairs include a few true matches, which agree on everything; leaving out pairs
    /// that agree elsewhere keeps those from posing as dependence.
    static func dependentPairs(_ counts: [Pattern: Int], _ comparators: [Comparator], minimumLift: Double) -> [Dependence] {
        guard minimumLift > 0 else { return [] }
        let elseLevel = comparators.map { UInt8($0.levelCount - 1) }
        var out: [Dependence] = []
        for a in comparators.indices where comparators[a].levelCount > 1 {
            for b in comparators.indices where b > a && comparators[b].levelCount > 1 {
                var both = 0.0, topA = 0.0, topB = 0.0, topBoth = 0.0
                for (p, n) in counts where p[a] != Comparator.null && p[b] != Comparator.null {
                    let othersDisagree = comparators.indices.allSatisfy { c in
                        c == a || c == b || p[c] == Comparator.null || p[c] == elseLevel[c]
                    }
                    guard othersDisagree else { continue }
                    both += Double(n)
                    if p[a] == 0 { topA += Double(n) }
                    if p[b] == 0 { topB += Double(n) }
                    if p[a] == 0 && p[b] == 0 { topBoth += Double(n) }
                }
                guard topBoth >= 10, topA > 0, topB > 0 else { continue }
                let lift = topBoth * both / (topA * topB)
                if lift >= minimumLift { out.append(Dependence(a: comparators[a].name, b: comparators[b].name, lift: lift)) }
            }
        }
        return out.sorted { $0.lift > $1.lift }
    }

    /// The prior as the fixed point λ = E[matches | λ] / possible pairs over the candidate patterns.
    /// Each pattern's evidence (its weight from a prior of 0 bits) is scored once; each step
    /// adds the step's prior to it.
    static func prior(patterns: [(Pattern, Double)], parameters: [LinkModel.ComparisonParameters], possiblePairs: Double) -> Double {
        let evidence = MatchWeights(priorBits: 0, m: parameters.map(\.m), u: parameters.map(\.u))
        let weights = patterns.map { (p, n) in (evidence.weight(p), n) }
        var lambda = 1e-4
        for _ in 0..<100 {
            let priorBits = MatchWeights.bits(probability: lambda)
            let expected = weights.reduce(0.0) { $0 + $1.1 * MatchWeights.probability(bits: priorBits + $1.0) }
            let next = min(max(expected / max(possiblePairs, 1), 1e-12), 0.5)
            if abs(next - lambda) < lambda * 1e-6 { lambda = next; break }
            lambda = next
        }
        return lambda
    }

    static func sample<T>(_ pairs: [T], _ count: Int, _ rng: inout SplitMix64) -> [T] {
        var copy = pairs
        for k in 0..<count {  // partial Fisher–Yates
            let r = k + rng.below(copy.count - k)
            copy.swapAt(k, r)
        }
        return Array(copy[..<count])
    }
}
