import OrderedCollections
import QingtingText
public import QingtingCore

/// Scores record pairs with a trained model through `MatchWeights` (the one Fellegi–Sunter
/// scoring function), with the deterministic rules checked first: a rule link is certain.
public struct PairScorer: Sendable {
    public struct Scored: Sendable, Equatable, RankedMatch {
        public var pair: Blocking.Pair
        public var weight: Float
        /// Index of the deterministic rule that fired, or -1.
        public var rule: Int16

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
                .object(["comparison": .string($0.comparison), "level": .string($0.level), "bits": .number(NumberFormat.rounded($0.bits, 2))])
            })
        }
    }

    public let model: LinkModel
    public let records: RecordSet
    public let comparators: [Comparator]
    public let weights: MatchWeights
    let rules: [[Column]]

    public init(model: LinkModel, records: RecordSet) throws {
        self.model = model
        self.records = records
        let comparators = try model.comparators(for: records)
        self.comparators = comparators
        weights = MatchWeights(model: model, comparators: comparators)
        rules = try model.settings.deterministic.map { rule in
            try rule.columns.map { name in
                guard let c = records.column(name) else {
                    throw QingtingError(.invalidSettings, "deterministic rule '\(rule.name)' reads column '\(name)', which the data does not have")
                }
                return c
            }
        }
    }

    /// The probability of a match weight in bits: 1 / (1 + 2^-bits).
    public static func probability(bits: Double) -> Double { MatchWeights.probability(bits: bits) }

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
    public func weight(_ i: Int, _ j: Int) -> Double { weights.weight { comparators[$0].level(i, j) } }

    /// The match weight of (i, j) whose comparison pattern is already known.
    @inline(__always)
    func weight(_ pattern: Pattern, _ i: Int, _ j: Int) -> Double {
        weights.weight { c in
            let level = pattern[c]
            return (level, level == 0 && weights.adjustsTermFrequency(c) ? comparators[c].sharedValue(i, j) : -1)
        }
    }

    /// The pair (i, j) scored: its rule (checked first) and weight.
    public func score(_ i: Int, _ j: Int) -> Scored {
        Scored(pair: Blocking.pair(i, j), weight: Float(weight(i, j)), rule: rule(i, j))
    }

    /// Each comparison's level and bits for (i, j), for explanations.
    public func explain(_ i: Int, _ j: Int) -> [Term] { explain(i, against: comparators, j).terms }

    /// Record i against record j of a query set whose comparators (`model.comparators(for:
    /// query)`) are `query`: each comparison's level and bits, and the weight they sum to.
    public func explain(_ i: Int, against query: [Comparator], _ j: Int) -> (terms: [Term], weight: Double) {
        let levels = comparators.indices.map { comparators[$0].level(i, against: query[$0], j) }
        let terms = comparators.indices.map { c -> Term in
            let (level, value) = levels[c]
            if level == Comparator.null { return Term(comparison: comparators[c].name, level: "null", bits: 0) }
            let label = comparators[c].labels[Int(level)]
            let (bits, tf) = weights.term(c, level: level, value: value)
            return Term(comparison: comparators[c].name, level: tf ? label + " (term frequency)" : label, bits: bits)
        }
        return (terms, weights.weight { levels[$0] })
    }

    /// Scores every pair; keeps those at or above `minimumProbability` or linked by a rule.
    /// `patterns`, when given, are the pairs' comparison patterns (from training), in order.
    public func score(_ pairs: [Blocking.Pair], patterns: PatternList? = nil, minimumProbability: Double) -> [Scored] {
        let floorBits = MatchWeights.bits(probability: minimumProbability)
        let chunks = max(1, min(64, pairs.count / 50_000 + 1))
        let parts = Parallel.map(chunks) { k -> [Scored] in
            var out: [Scored] = []
            let lo = k * pairs.count / chunks, hi = (k + 1) * pairs.count / chunks
            for k in lo..<hi {
                let p = pairs[k]
                let (i, j) = Blocking.split(p)
                let r = rule(i, j)
                let w = patterns.map { weight($0[k], i, j) } ?? weight(i, j)
                // A rule link is kept whatever its weight.
                if r >= 0 || w >= floorBits { out.append(Scored(pair: p, weight: Float(w), rule: r)) }
            }
            return out
        }
        return parts.flatMap { $0 }
    }
}
