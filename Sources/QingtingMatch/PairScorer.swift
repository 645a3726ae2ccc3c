import QingtingText

/// Scores record pairs with a trained model: the match weight in bits is the prior's log-odds
/// plus each comparison's log2(m/u) at the pair's level, with the exact level's u replaced by
/// the value's own frequency where term-frequency adjustment is on (agreeing on 王伟 says less
/// than agreeing on 王梓萱). Deterministic rules short-circuit to probability 1.
public struct PairScorer: Sendable {
    public struct Scored: Sendable, Equatable {
        public var pair: Blocking.Pair
        public var weight: Float
        /// Index of the deterministic rule that fired, or -1.
        public var rule: Int16
        public var probability: Double { rule >= 0 ? 1 : Math.probability(bits: Double(weight)) }

        public init(pair: Blocking.Pair, weight: Float, rule: Int16) {
            self.pair = pair
            self.weight = weight
            self.rule = rule
        }
    }

    /// One comparison's part of a pair's score.
    public struct Term: Sendable, Equatable {
        public var comparison: String
        public var level: String
        public var bits: Double

        /// `[{"comparison","level","bits"}…]`, as links and resolutions carry it.
        public static func json(_ terms: [Term]) -> JSONValue {
            .array(terms.map {
                .object(["comparison": .string($0.comparison), "level": .string($0.level), "bits": .number(JSONOut.fixed($0.bits, 2))])
            })
        }
    }

    public let model: LinkModel
    public let records: RecordSet
    public let comparators: [Comparator]
    let bits: [[Double]]
    /// Per term-frequency comparison and value id: the bits of agreeing exactly on that value.
    let exactBits: [[Double]?]
    let rules: [[Column]]

    public init(model: LinkModel, records: RecordSet) throws {
        self.model = model
        self.records = records
        let comparators = try model.comparators(for: records)
        self.comparators = comparators
        bits = model.comparisons.map(\.bits)
        exactBits = comparators.indices.map { c in
            guard comparators[c].termFrequency, let column = comparators[c].column else { return nil }
            let m0 = model.comparisons[c].m[0]
            let floor = 1 / Double(max(column.totalCount, 1))
            return column.counts.indices.map { v in Math.log2(m0 / max(column.frequency(Int32(v)), floor)) }
        }
        rules = try model.settings.deterministic.map { rule in
            try rule.columns.map { name in
                guard let c = records.column(name) else {
                    throw MatchError(.invalidSettings, "deterministic rule '\(rule.name)' reads column '\(name)', which the data does not have")
                }
                return c
            }
        }
    }

    /// The probability of a match weight in bits: 1 / (1 + 2^-bits).
    public static func probability(bits: Double) -> Double { Math.probability(bits: bits) }

    /// The deterministic rule that links (i, j), or -1.
    @inline(__always)
    public func rule(_ i: Int, _ j: Int) -> Int16 {
        outer: for (k, columns) in rules.enumerated() {
            for column in columns {
                let a = column.values(i), b = column.values(j)
                if a.isEmpty || b.isEmpty || !a.contains(where: { b.contains($0) }) { continue outer }
            }
            return Int16(k)
        }
        return -1
    }

    /// The match weight of (i, j) in bits.
    @inline(__always)
    public func weight(_ i: Int, _ j: Int) -> Double {
        var w = model.priorBits
        for c in comparators.indices {
            let (level, value) = comparators[c].level(i, j)
            if level == Comparator.null { continue }
            if level == 0, value >= 0, let exact = exactBits[c] { w += exact[Int(value)] } else { w += bits[c][Int(level)] }
        }
        return w
    }

    /// The match weight of (i, j) whose comparison pattern is already known.
    @inline(__always)
    func weight(_ pattern: Pattern, _ i: Int, _ j: Int) -> Double {
        var w = model.priorBits
        for c in comparators.indices {
            let level = pattern[c]
            if level == Comparator.null { continue }
            if level == 0, let exact = exactBits[c] {
                let value = comparators[c].sharedValue(i, j)
                w += value >= 0 ? exact[Int(value)] : bits[c][0]
            } else {
                w += bits[c][Int(level)]
            }
        }
        return w
    }

    /// Each comparison's level and bits for (i, j), for explanations.
    public func explain(_ i: Int, _ j: Int) -> [Term] { explain(i, against: comparators, j) }

    /// Each comparison's level and bits for record i against record j of a query set, whose
    /// comparators (`model.comparators(for: query)`) are `query`.
    public func explain(_ i: Int, against query: [Comparator], _ j: Int) -> [Term] {
        comparators.indices.map { c in
            let (level, value) = comparators[c].level(i, against: query[c], j)
            if level == Comparator.null { return Term(comparison: comparators[c].name, level: "null", bits: 0) }
            let label = comparators[c].labels[Int(level)]
            if level == 0, value >= 0, let exact = exactBits[c] {
                return Term(comparison: comparators[c].name, level: label + " (term frequency)", bits: exact[Int(value)])
            }
            return Term(comparison: comparators[c].name, level: label, bits: bits[c][Int(level)])
        }
    }

    /// Scores every pair; keeps those at or above `minimumProbability` or linked by a rule.
    /// `patterns`, when given, are the pairs' comparison patterns (from training), in order.
    public func score(_ pairs: [Blocking.Pair], patterns: [Pattern]? = nil, minimumProbability: Double) -> [Scored] {
        let floorBits = Math.log2(minimumProbability / (1 - minimumProbability))
        let chunks = max(1, min(64, pairs.count / 50_000 + 1))
        let parts = Parallel.map(chunks) { k -> [Scored] in
            var out: [Scored] = []
            let lo = k * pairs.count / chunks, hi = (k + 1) * pairs.count / chunks
            for k in lo..<hi {
                let p = pairs[k]
                let (i, j) = Blocking.split(p)
                let r = rule(i, j)
                let w = patterns.map { weight($0[k], i, j) } ?? weight(i, j)
                if r >= 0 || w >= floorBits { out.append(Scored(pair: p, weight: Float(w), rule: r)) }
            }
            return out
        }
        return parts.flatMap { $0 }
    }
}
