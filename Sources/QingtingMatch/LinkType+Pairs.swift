import QingtingText
import QingtingCore

/// Which record pairs a link type compares — the one rule that blocking, u sampling, the
/// count of possible pairs (the prior's denominator) and evaluation's true links all read.
///
/// Records are numbered left (source 0) first; a pair is (i, j) with i < j. Record i pairs
/// with every later record from `firstPartner(of: i)` on, and with no other.
extension LinkSettings.LinkType {
    /// The first record i may pair with among the records after it (`count` when none), in a
    /// set of `count` records whose first `left` are left records.
    @inline(__always)
    public func firstPartner(of i: Int, left: Int, count: Int) -> Int {
        switch self {
        case .linkOnly: i < left ? left : count  // left × right only
        case .dedupeOnly: i + 1  // any two
        case .linkToMaster: Swift.max(i + 1, left)  // never master with master
        }
    }

    /// Whether the pair (i, j), i < j, may be compared.
    @inline(__always)
    public func allows(_ i: Int, _ j: Int, left: Int, count: Int) -> Bool { j >= firstPartner(of: i, left: left, count: count) }

    /// How many pairs the link type allows among `count` records, `left` of them left records.
    public func possiblePairs(left: Int, count: Int) -> Double {
        var total = 0
        for i in 0..<count { total += count - firstPartner(of: i, left: left, count: count) }
        return Double(total)
    }

    /// One pair drawn uniformly from the allowed ones (nil: draw again), for u sampling.
    /// `possible` is `possiblePairs(left:count:)`.
    func randomPair(left: Int, count: Int, possible: Double, rng: inout SplitMix64) -> (Int, Int)? {
        let right = count - left
        switch self {
        case .linkOnly:
            return (rng.below(left), left + rng.below(right))
        case .dedupeOnly:
            let i = rng.below(count), j = rng.below(count)
            return i != j ? (Swift.min(i, j), Swift.max(i, j)) : nil
        case .linkToMaster:
            // Cross pairs and right × right pairs in proportion to how many there are.
            if rng.unit() < Double(left) * Double(right) / Swift.max(possible, 1) {
                return (rng.below(left), left + rng.below(right))
            }
            let i = left + rng.below(right), j = left + rng.below(right)
            return i != j ? (Swift.min(i, j), Swift.max(i, j)) : nil
        }
    }
}
