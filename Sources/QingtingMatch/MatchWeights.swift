/// The Fellegi–Sunter weights of a model and the one function that scores with them: a pair's
/// match weight in bits is the prior's log-odds plus, for each comparison not null, the bits
/// of the pair's level, log2(m/u) with m clamped; on the exact level of a term-frequency
/// comparison the value's own bits, log2(m / frequency), replace the level's (agreeing on 王伟
/// says less than agreeing on 王梓萱). A joint comparison is one comparison whose levels are
/// pairs of levels, so it adds one term, never two.
///
/// Batch scoring, EM's E-step, the prior's fixed point, online resolving and explanations all
/// score through `weight(_:level:value:)`, so training and serving cannot drift apart.
public struct MatchWeights: Sendable {
    /// Smallest m a level's bits are taken from (a level never seen among matches is strong
    /// evidence against, not infinite evidence).
    public static let mFloor = 1e-9

    /// log2 of the prior odds, where scoring starts.
    public let priorBits: Double
    /// Per comparison and level: log2(m/u).
    let bits: [[Double]]
    /// Per term-frequency comparison and value id: the bits of agreeing exactly on that value.
    let exactBits: [[Double]?]
    /// Per comparison with a frequency column: the chance a match agrees at all (1 − m of
    /// "else"), and per value of that column the chance that a non-match holds it; an agreeing
    /// level's bits are then log2(agreement / that chance).
    let agreeM: [Double?]
    let keyFrequency: [[Double]?]

    /// The bits of one level: log2(m/u), m clamped to `mFloor` first.
    @inline(__always)
    public static func levelBits(m: Double, u: Double) -> Double { Math.log2(max(m, mFloor) / u) }

    /// A probability as log-odds in bits: log2(p / (1 - p)).
    @inline(__always)
    public static func bits(probability p: Double) -> Double { Math.log2(p / (1 - p)) }

    /// Weights from a prior (in bits), each comparison's m and u per level, and, per
    /// comparison, the column whose value frequencies adjust its exact level (nil: none).
    public init(priorBits: Double, m: [[Double]], u: [[Double]], termFrequency: [Column?] = [],
                keyFrequency: [[Double]?] = []) {
        self.priorBits = priorBits
        self.keyFrequency = m.indices.map { $0 < keyFrequency.count ? keyFrequency[$0] : nil }
        agreeM = m.indices.map { $0 < keyFrequency.count && keyFrequency[$0] != nil ? 1 - m[$0].last! : nil }
        bits = zip(m, u).map { m, u in zip(m, u).map { Self.levelBits(m: $0, u: $1) } }
        exactBits = m.indices.map { c in
            guard c < termFrequency.count, let column = termFrequency[c] else { return nil }
            let m0 = max(m[c][0], Self.mFloor)
            let floor = 1 / Double(max(column.totalCount, 1))
            return column.counts.indices.map { v in Math.log2(m0 / max(column.frequency(Int32(v)), floor)) }
        }
    }

    /// The weights of a model's comparisons over the comparators of one record set.
    public init(model: LinkModel, comparators: [Comparator]) {
        self.init(priorBits: model.priorBits, m: model.comparisons.map(\.m), u: model.comparisons.map(\.u),
                  termFrequency: comparators.map { $0.termFrequency ? $0.column : nil })
    }

    /// The same weights starting from another prior.
    public func with(priorBits: Double) -> MatchWeights {
        MatchWeights(priorBits: priorBits, bits: bits, exactBits: exactBits, agreeM: agreeM, keyFrequency: keyFrequency)
    }

    private init(priorBits: Double, bits: [[Double]], exactBits: [[Double]?], agreeM: [Double?], keyFrequency: [[Double]?]) {
        self.priorBits = priorBits
        self.bits = bits
        self.exactBits = exactBits
        self.agreeM = agreeM
        self.keyFrequency = keyFrequency
    }

    /// Whether comparison c's agreeing levels count the frequency of a shared key value.
    @inline(__always)
    public func countsKeyFrequency(_ c: Int) -> Bool { keyFrequency[c] != nil }

    public var comparisonCount: Int { bits.count }

    /// Whether comparison c's exact level counts the shared value's own frequency (so a caller
    /// that knows only levels needs the value there).
    @inline(__always)
    public func adjustsTermFrequency(_ c: Int) -> Bool { exactBits[c] != nil }

    /// One comparison's part of the weight at `level`, and whether its value's term frequency
    /// gave it. `value` is the value both records share (-1 when unknown); only the exact level
    /// of a term-frequency comparison reads it. 0 bits for `Comparator.null`.
    @inline(__always)
    public func term(_ c: Int, level: UInt8, value: Int32) -> (bits: Double, termFrequency: Bool) {
        if level == Comparator.null { return (0, false) }
        if let frequency = keyFrequency[c] {
            let last = bits[c].count - 1
            guard Int(level) < last, value >= 0 else { return (bits[c][Int(level)], false) }
            return (Math.log2(max(agreeM[c]!, Self.mFloor) / frequency[Int(value)]), true)
        }
        if level == 0, value >= 0, let exact = exactBits[c] { return (exact[Int(value)], true) }
        return (bits[c][Int(level)], false)
    }

    /// The match weight in bits of a pair whose comparison c is at `levels(c)` (with the
    /// shared value, or -1): `priorBits` plus each non-null comparison's term, in order.
    ///
    /// - Complexity: O(comparisons).
    @inline(__always)
    public func weight(_ levels: (Int) -> (level: UInt8, value: Int32)) -> Double {
        var w = priorBits
        for c in 0..<bits.count {
            let (level, value) = levels(c)
            if level == Comparator.null { continue }
            w += term(c, level: level, value: value).bits
        }
        return w
    }

    /// The match weight of a comparison pattern without values (no term frequencies).
    @inline(__always)
    public func weight(_ pattern: Pattern) -> Double { weight { (pattern[$0], -1) } }

    /// The probability of a match weight in bits: 1 / (1 + 2^-bits).
    @inline(__always)
    public static func probability(bits: Double) -> Double { Math.probability(bits: bits) }
}

/// A scored pair or candidate: the deterministic rule that links it (or -1) and its weight.
/// Defines, once, how a decision reads them: a rule link is certain, and ranks above every
/// weight ("a deterministic rule first, then the weight").
public protocol RankedMatch {
    associatedtype Weight: BinaryFloatingPoint
    /// Index of the deterministic rule that fired, or -1.
    var rule: Int16 { get }
    /// Match weight in bits.
    var weight: Weight { get }
}

extension RankedMatch {
    /// 1 for a rule link, else the weight's probability.
    public var probability: Double { rule >= 0 ? 1 : MatchWeights.probability(bits: Double(weight)) }

    /// Whether this is a link at `threshold`: a rule links it, or its probability reaches it.
    @inline(__always)
    public func isLink(threshold: Double) -> Bool { rule >= 0 || probability >= threshold }

    /// Whether this decides before `other`: a rule link first, then the higher weight.
    @inline(__always)
    public func ranks(before other: Self) -> Bool {
        (rule >= 0 ? 1 : 0, weight) > (other.rule >= 0 ? 1 : 0, other.weight)
    }

    /// `confirmed` for a rule link, `suggested` for a probabilistic one.
    public var status: String { rule >= 0 ? "confirmed" : "suggested" }
}
