internal import Crypto

/// An A/B test: customers of a population are split into variants by a stable hash of the
/// customer id, and each variant's conversion over the event log is compared with the control's
/// (`ABReport`). Experiments are data, in a versioned, human-edited file (`ExperimentFile`,
/// shipped as `Lexicons/experiments.json`).
public struct Experiment: Sendable, Equatable {
    public struct Variant: Sendable, Equatable {
        public var name: String
        /// A relative share of the population (weights need not sum to 1 or 100).
        public var weight: Double

        public init(name: String, weight: Double) {
            self.name = name
            self.weight = weight
        }
    }

    /// When a customer counts as converted: an event in the period whose kind is one of `kinds`
    /// (any kind when empty) and, when `intents` is given, which carries one of those intents with
    /// at least `minProbability`. At least one of the two lists is given.
    public struct Conversion: Sendable, Equatable {
        public var kinds: [String] = ["order"]
        public var intents: [String] = []
        public var minProbability = 0.5

        public init(kinds: [String] = ["order"], intents: [String] = [], minProbability: Double = 0.5) {
            self.kinds = kinds
            self.intents = intents
            self.minProbability = minProbability
        }
    }

    public var name: String
    public var summary = ""
    /// What the hash is salted with: the name unless the file says otherwise, so two experiments
    /// split the same customers independently, and renaming one can keep its split.
    public var salt: String
    /// In file order; `control` names one of them (the first by default).
    public var variants: [Variant]
    public var control: String
    /// Who takes part: a segment (`all`, a tier or a configured segment), read at the report's `now`.
    public var population = "all"
    /// The period conversions are counted in, UTC ms, `start` included, `end` excluded.
    public var start: Int64
    public var end: Int64
    public var conversion = Conversion()
    /// Below this many customers in a variant the report warns that the sample is too small.
    public var minSample = 100

    public init(name: String, salt: String? = nil, variants: [Variant], control: String? = nil, start: Int64,
                end: Int64) {
        self.name = name
        self.salt = salt ?? name
        self.variants = variants
        self.control = control ?? variants.first?.name ?? ""
        self.start = start
        self.end = end
    }

    /// Where customer `id` falls in [0, 1): the first 8 bytes of SHA-256(`salt:id`), big-endian,
    /// top 53 bits over 2^53 (exact in a `Double`). Stable across runs, machines and versions:
    /// changing it would move customers between variants mid-experiment, so it is part of the
    /// file format.
    public static func unit(salt: String, customer id: String) -> Double {
        let digest = SHA256.hash(data: Array((salt + ":" + id).utf8))
        var x: UInt64 = 0
        for byte in digest.prefix(8) { x = x << 8 | UInt64(byte) }
        return Double(x >> 11) / 9_007_199_254_740_992  // 2^53
    }

    /// The variant customer `id` is assigned to: the first whose cumulative share of the weights
    /// exceeds `unit(salt:customer:)`.
    /// - Complexity: O(variants).
    public func assign(_ id: String) -> Variant {
        let u = Self.unit(salt: salt, customer: id)
        let total = variants.reduce(0) { $0 + $1.weight }
        var cumulative = 0.0
        for variant in variants {
            cumulative += variant.weight
            if u < cumulative / total { return variant }
        }
        return variants.last { $0.weight > 0 } ?? variants[variants.count - 1]  // rounding at the top end
    }
}
