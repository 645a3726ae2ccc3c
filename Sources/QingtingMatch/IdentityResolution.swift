import QingtingCore

/// Where each social identity lands when a person's accounts are read together
/// (`link_to_master` with a `graph` in the settings).
///
/// 1. `PersonGraph` groups identities that share a rare identifier into people.
/// 2. A person's evidence against a candidate customer is, per comparison, the strongest level
///    any of their accounts reaches (one account shows 138****1234, another the city, a third
///    the e-mail), less log2(n) bits when n accounts had a chance to agree, so that more
///    accounts do not mean more luck. A comparison with a frequency column counts how many
///    customers share the key (a masked phone compatible with one customer in 10,000 says far
///    more than a 号段 shared by 300).
/// 3. Candidates compete: a person is one customer or none, so customer c has probability
///    λ·2^W(c) / ((1 − Λ) + λ·Σ 2^W), Λ the share of people who are customers, λ = Λ / customers;
///    the customers no rule offered share the rest of the mass at the weight their missing key
///    gives.
/// 4. The parameters are estimated on the run's own data: u from random customer × identity
///    pairs; m from the links a deterministic rule confirms, each comparison counted only on
///    rules that do not read its column (an EM at this level latched onto name + city and did
///    worse); Λ as the fixed point of its own mean posterior. This is what keeps a probability
///    meaning what it says.
/// 5. An identity's own deterministic link (verified phone, e-mail, unionid) always wins for it.
public struct IdentityResolution: Sendable {
    /// One identity's outcome.
    public struct Decision: Sendable {
        /// The customer (record index), when the probability reaches the threshold or a rule links it.
        public var customer: Int?
        /// The best candidate, linked or not.
        public var candidate: Int?
        public var probability: Double
        /// The identity's own deterministic rule to `customer`, or -1.
        public var rule: Int16
        /// The account of the same person whose evidence weighed most, when not this one.
        public var via: Int?
        /// The person: the first record of the identity's component.
        public var person: Int
    }

    /// Per right record (index `record - records.leftCount`).
    public var decisions: [Decision]
    /// The estimated share of people who are customers (Λ).
    public var customerShare: Double
    /// m and u per comparison and level, as estimated on this run.
    public var m: [[Double]]
    public var u: [[Double]]
    public var graph: PersonGraph
    /// What `terms(of:)` recomputes an explanation from (kept instead of every identity's terms:
    /// a million customers bring millions of people, and few lines are ever explained).
    let evidence: Evidence
    let weights: MatchWeights
    /// The right records grouped by person; person k's are `members[memberStarts[k]..<memberStarts[k + 1]]`.
    let members: [Int32]
    let memberStarts: [Int32]
    /// Per right record: its person's k.
    let personIndex: [Int32]

    /// The evidence behind `record`'s decision, each term with the account it came from: its own
    /// terms against the customer its rule links, else its person's combined terms against the
    /// best candidate; empty without a candidate.
    public func terms(of record: Int) -> [(term: PairScorer.Term, from: Int)] {
        let left = evidence.scorer.records.leftCount
        let d = decisions[record - left]
        guard let candidate = d.candidate else { return [] }
        if d.rule >= 0 {
            return evidence.terms(evidence.person([Int32(record)], candidates: [Int32(candidate)]).units[0], weights: weights)
        }
        let k = Int(personIndex[record - left])
        let people = Array(members[Int(memberStarts[k])..<Int(memberStarts[k + 1])])
        return evidence.terms(evidence.person(people, candidates: [Int32(candidate)]).units[0], weights: weights)
    }

    /// Resolves every identity of the scorer's records from the candidate pairs blocking produced.
    public static func resolve(scorer: PairScorer, candidates: [Blocking.Pair], graph settings: LinkSettings.Graph,
                               threshold: Double, iterations: Int = 100, seed: UInt64 = 42,
                               progress: (String) -> Void = { _ in }) -> IdentityResolution {
        let records = scorer.records
        let left = records.leftCount, n = records.count
        let graph = PersonGraph(records: records, columns: settings.identifiers.compactMap { records.column($0) },
                                maxShared: settings.maxShared)
        // People and their candidates as sorted runs (no per-person dictionaries: a million
        // customers bring millions of people).
        var order = (left..<n).map { UInt64(UInt32(graph.component[$0])) << 32 | UInt64($0) }
        order.sort()
        var keys: [UInt64] = []
        keys.reserveCapacity(candidates.count)
        for p in candidates {
            let (i, j) = Blocking.split(p)
            guard i < left, j >= left else { continue }
            keys.append(UInt64(UInt32(graph.component[j])) << 32 | UInt64(i))
        }
        keys.sort()
        keys = Blocking.unique(keys)
        var persons: [Int32] = [], memberRanges: [Range<Int>] = [], candidateRanges: [Range<Int>] = []
        var start = 0, c = 0
        while start < order.count {
            let person = order[start] >> 32
            var end = start + 1
            while end < order.count && order[end] >> 32 == person { end += 1 }
            while c < keys.count && keys[c] >> 32 < person { c += 1 }
            var d = c
            while d < keys.count && keys[d] >> 32 == person { d += 1 }
            persons.append(Int32(person)); memberRanges.append(start..<end); candidateRanges.append(c..<d)
            start = end; c = d
        }
        progress("graph: \(persons.count) people from \(n - left) identities (\(graph.joins) joins; \(graph.commonValuesSkipped) identifier values too common to join)")

        // u from random customer × identity pairs; m from the links a deterministic rule
        // confirms, each comparison counted only on the rules that do not read its column (so
        // how a link was found does not bias what it shows); the pairwise model's m weighs in
        // as a prior of `priorPairs` links.
        let evidence = Evidence(scorer: scorer)
        let u = evidence.randomPairLevels(samples: min(400_000, 20 * n), seed: seed)
        let m = evidence.confirmedLinkLevels(candidates: candidates, priorPairs: 20)
        let weights = evidence.weights(m: m, u: u)

        // Per person, what the fixed point below needs, computed once: the mass 2^W of its best
        // candidate (and which one, in the order of `keys`), of all its candidates, and of the
        // customers no rule offered (at the weight their missing key gives). Λ scales them all,
        // so an iteration costs one pass over people, not over candidates.
        let sortedMembers = order, sortedKeys = keys, ranges = memberRanges, candidateRangesOf = candidateRanges
        let people = persons
        @Sendable func membersOf(_ k: Int) -> [Int32] { ranges[k].map { Int32(truncatingIfNeeded: sortedMembers[$0]) } }
        @Sendable func candidatesOf(_ k: Int) -> [Int32] { candidateRangesOf[k].map { Int32(truncatingIfNeeded: sortedKeys[$0]) } }
        // `strongest`: the account whose term weighs most against the best candidate (a link's `via`).
        struct Masses { var best: Int?; var bestMass: Double; var strongest: Int?; var candidates: Double; var rest: Double }
        let chunks = max(1, min(256, people.count / 2_000))
        let masses = Parallel.map(chunks) { w -> [Masses] in
            var out: [Masses] = []
            for k in (w * people.count / chunks)..<((w + 1) * people.count / chunks) {
                let range = candidateRangesOf[k]
                let person = evidence.person(membersOf(k), candidates: candidatesOf(k))
                var m = Masses(best: nil, bestMass: 0, strongest: nil, candidates: 0,
                               rest: Double(max(left - range.count, 0)) * Math.exp2(evidence.restWeight(person, weights)))
                for (x, unit) in zip(range, person.units) {
                    let mass = Math.exp2(min(evidence.weight(unit, weights), 1000))
                    m.candidates += mass
                    if mass > m.bestMass { m.bestMass = mass; m.best = x; m.strongest = evidence.strongest(unit, weights) }
                }
                out.append(m)
            }
            return out
        }.flatMap { $0 }
        @Sendable func posterior(_ k: Int, _ share: Double) -> (best: Int?, probability: Double, linked: Double) {
            let lambda = share / Double(max(left, 1))
            let m = masses[k]
            let mass = lambda * (m.rest + m.candidates)
            let total = (1 - share) + mass
            return (m.best, lambda * m.bestMass / total, mass / total)
        }

        // Λ: the fixed point of the mean posterior share of people who are customers.
        var share = 0.5
        for _ in 0..<iterations {
            var linked = 0.0
            for k in persons.indices { linked += posterior(k, share).linked }
            let next = min(max(linked / Double(max(persons.count, 1)), 1e-6), 1 - 1e-6)
            let settled = abs(next - share) < 1e-6
            share = next
            if settled { break }
        }
        progress("graph: estimated share of people who are customers \(NumberFormat.fixed(share, 4))")
        for (c, comparator) in scorer.comparators.enumerated() {
            progress("graph: \(comparator.name): " + comparator.labels.indices.map { l in
                "\(comparator.labels[l]) m \(NumberFormat.fixed(m[c][l], 4)) u \(NumberFormat.fixed(u[c][l], 6))" }.joined(separator: "; "))
        }

        let finalShare = share
        let decided = Parallel.map(chunks) { w -> [(Int, Decision)] in
            var out: [(Int, Decision)] = []
            for k in (w * people.count / chunks)..<((w + 1) * people.count / chunks) {
                let person = Int(people[k])
                let members = membersOf(k), cands = candidatesOf(k)
                let post = posterior(k, finalShare)
                let candidate = post.best.map { Int(sortedKeys[$0] & 0xFFFF_FFFF) }
                let strongest = masses[k].strongest
                for r in members.map(Int.init) {
                    // The identity's own rule link wins for it.
                    if let (customer, rule) = cands.lazy.compactMap({ c -> (Int, Int16)? in
                        let x = scorer.rule(Int(c), r)
                        return x >= 0 ? (Int(c), x) : nil
                    }).first {
                        out.append((r, Decision(customer: customer, candidate: customer, probability: 1, rule: rule, via: nil,
                                                person: person)))
                        continue
                    }
                    let isLinked = post.probability >= threshold
                    out.append((r, Decision(customer: isLinked ? candidate : nil, candidate: candidate, probability: post.probability,
                                            rule: -1, via: isLinked && strongest != r ? strongest : nil, person: person)))
                }
            }
            return out
        }
        var decisions = [Decision?](repeating: nil, count: n - left)
        for part in decided { for (r, d) in part { decisions[r - left] = d } }
        var personIndex = [Int32](repeating: 0, count: n - left)
        for (k, range) in memberRanges.enumerated() { for x in range { personIndex[Int(order[x] & 0xFFFF_FFFF) - left] = Int32(k) } }
        return IdentityResolution(decisions: decisions.map { $0! }, customerShare: share, m: m, u: u, graph: graph,
                                  evidence: evidence, weights: weights,
                                  members: order.map { Int32(truncatingIfNeeded: $0) },
                                  memberStarts: memberRanges.map { Int32($0.lowerBound) } + [Int32(order.count)],
                                  personIndex: personIndex)
    }
}

/// A person's evidence against customers, read from all their accounts.
struct Evidence: Sendable {
    /// One person against one candidate customer (the caller knows which): per comparison the strongest level any
    /// account reached (or null), the key value behind it, the account, and how many accounts
    /// had a value.
    struct Unit: Sendable {
        var levels: [UInt8]
        var values: [Int32]
        var from: [Int32]
        var present: [UInt8]
    }

    struct Person: Sendable {
        var units: [Unit]
        /// Which comparisons any account has a value for (for the rest of the customers).
        var hasValue: [Bool]
    }

    let scorer: PairScorer
    /// Per comparison, the frequency column's values among the master records (nil: none).
    let keyColumn: [Column?]
    let keyFrequency: [[Double]?]
    /// Per comparison that blocks on its own: the share of customers with a value (a customer no
    /// rule offered then disagrees there); nil for the others, whose likelihood ratio averages
    /// to 1 over all customers.
    let blockingShare: [Double?]

    init(scorer: PairScorer) {
        self.scorer = scorer
        let settings = scorer.model.settings
        let records = scorer.records
        let left = records.leftCount
        let specs = settings.comparisons.filter { s in scorer.comparators.contains { $0.name == s.name } }
        keyColumn = scorer.comparators.map { c in
            specs.first { $0.name == c.name }?.frequencyColumn.flatMap { records.column($0) }
        }
        keyFrequency = keyColumn.map { column in column.map { Self.otherHolderFrequency($0, masters: left) } }
        let alone = Set(settings.blocking.compactMap { rule -> String? in
            guard case .columns(let c, _) = rule.key, c.count == 1 else { return nil }
            return settings.root(of: c[0])
        })
        blockingShare = scorer.comparators.map { c in
            guard let column = c.column, c.columns.allSatisfy({ alone.contains(settings.root(of: $0)) }) else { return nil }
            return left == 0 ? 0 : Double((0..<left).count { !column.values($0).isEmpty }) / Double(left)
        }
    }

    /// Per value of a key column: the chance that a random master record holds it besides the
    /// one that is the match: (holders − 1) / masters, floored at the rate at which values of
    /// the same shape collide (a key held once is not 1 in N but much rarer: the chance of a
    /// second 138****1234 among 10,000 customers is about 1 in 80). Shape: where `|` sits.
    static func otherHolderFrequency(_ column: Column, masters: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: column.dictionary.count)
        for r in 0..<masters { for v in column.values(r) { counts[Int(v)] += 1 } }
        let shapes = column.dictionary.map { Array($0.utf8).firstIndex(of: 0x7C) ?? -1 }
        var holders: [Int: (sum: Double, distinct: Double)] = [:]
        for (v, c) in counts.enumerated() where c > 0 {
            holders[shapes[v], default: (0, 0)].sum += c
            holders[shapes[v], default: (0, 0)].distinct += 1
        }
        let n = Double(max(masters, 1))
        return counts.indices.map { v in
            let shape = holders[shapes[v]] ?? (0, 0)
            let collision = shape.distinct > 0 ? max((shape.sum - shape.distinct) / shape.distinct, 1 / n) : 1 / n
            return max(counts[v] - 1, collision) / n
        }
    }

    /// The weights for m and u, with each comparison's key frequencies.
    func weights(m: [[Double]], u: [[Double]]) -> MatchWeights {
        MatchWeights(priorBits: 0, m: m, u: u, termFrequency: scorer.comparators.map { $0.termFrequency ? $0.column : nil },
                     keyFrequency: keyFrequency)
    }

    /// The person's units against each candidate.
    func person(_ members: [Int32], candidates: [Int32]) -> Person {
        let comparators = scorer.comparators
        var hasValue = [Bool](repeating: false, count: comparators.count)
        for (k, c) in comparators.enumerated() {
            if let column = c.column { hasValue[k] = members.contains { !column.values(Int($0)).isEmpty } }
        }
        let units = candidates.map { customer -> Unit in
            var unit = Unit(levels: [], values: [], from: [], present: [])
            for (k, comparator) in comparators.enumerated() {
                var best: (level: UInt8, value: Int32, from: Int32) = (Comparator.null, -1, -1)
                var present: UInt8 = 0
                for r in members {
                    var (level, value) = comparator.level(Int(customer), Int(r))
                    if level == Comparator.null { continue }
                    present &+= 1
                    if let key = keyColumn[k] { value = Self.shared(key, Int(customer), Int(r)) }
                    if best.level == Comparator.null || level < best.level { best = (level, value, r) }
                }
                unit.levels.append(best.level)
                unit.values.append(best.value)
                unit.from.append(best.from)
                unit.present.append(present)
            }
            return unit
        }
        return Person(units: units, hasValue: hasValue)
    }

    static func shared(_ column: Column, _ i: Int, _ j: Int) -> Int32 {
        let a = column.values(i), b = column.values(j)
        return b.first { a.contains($0) } ?? -1
    }

    /// One comparison's bits in a unit: the level's, less log2(n) when positive and n accounts
    /// could have agreed.
    @inline(__always)
    func bits(_ unit: Unit, _ c: Int, _ weights: MatchWeights) -> (bits: Double, frequency: Bool) {
        let (b, tf) = weights.term(c, level: unit.levels[c], value: unit.values[c])
        let n = Double(unit.present[c])
        return (b > 0 && n > 1 ? max(b - Math.log2(n), 0) : b, tf)
    }

    func weight(_ unit: Unit, _ weights: MatchWeights) -> Double {
        var w = 0.0
        for c in unit.levels.indices where unit.levels[c] != Comparator.null { w += bits(unit, c, weights).bits }
        return w
    }

    /// The weight of a customer no rule offered: the "else" level wherever it has a value, on
    /// the comparisons that block alone and that the person has a value for.
    func restWeight(_ p: Person, _ weights: MatchWeights) -> Double {
        var w = 0.0
        for (c, share) in blockingShare.enumerated() {
            guard let share, p.hasValue[c] else { continue }
            let elseBits = weights.term(c, level: UInt8(scorer.comparators[c].levelCount - 1), value: -1).bits
            w += Math.log2(share * Math.exp2(elseBits) + (1 - share))
        }
        return w
    }

    /// The account whose term weighs most in `unit` (what `terms` would name first), or nil.
    func strongest(_ unit: Unit, _ weights: MatchWeights) -> Int? {
        var best: (bits: Double, from: Int)? = nil
        for c in unit.levels.indices where unit.levels[c] != Comparator.null {
            let b = bits(unit, c, weights).bits
            if best == nil || b > best!.bits { best = (b, Int(unit.from[c])) }
        }
        return best?.from
    }

    /// The unit's terms for an explanation, each with the account it came from.
    func terms(_ unit: Unit, weights: MatchWeights) -> [(term: PairScorer.Term, from: Int)] {
        unit.levels.indices.compactMap { c in
            guard unit.levels[c] != Comparator.null else { return nil }
            let (b, tf) = bits(unit, c, weights)
            let comparator = scorer.comparators[c]
            let label = comparator.labels[Int(unit.levels[c])] + (tf ? " (term frequency)" : "")
            return (PairScorer.Term(comparison: comparator.name, level: label, bits: b), Int(unit.from[c]))
        }
    }

    /// m per comparison and level from the candidate pairs a deterministic rule links, each
    /// comparison counted on the rules that read none of its columns; `priorPairs` links' worth
    /// of the pairwise model's m are added, so a comparison no rule leaves free keeps that m.
    func confirmedLinkLevels(candidates: [Blocking.Pair], priorPairs: Double) -> [[Double]] {
        let settings = scorer.model.settings
        let left = scorer.records.leftCount
        let ruleRoots = settings.deterministic.map { Set($0.columns.map { settings.root(of: $0) }) }
        let roots = scorer.comparators.map { Set($0.columns.map { settings.root(of: $0) }) }
        var counts = scorer.model.comparisons.map { $0.m.map { $0 * priorPairs } }
        for p in candidates {
            let (i, j) = Blocking.split(p)
            guard i < left, j >= left else { continue }
            let rule = scorer.rule(i, j)
            guard rule >= 0 else { continue }
            for (k, c) in scorer.comparators.enumerated() where ruleRoots[Int(rule)].isDisjoint(with: roots[k]) {
                let level = c.level(i, j).level
                if level != Comparator.null { counts[k][Int(level)] += 1 }
            }
        }
        return counts.map { c in let total = c.reduce(0, +); return c.map { $0 / total } }
    }

    /// u per comparison and level among random customer × identity pairs (a small floor keeps
    /// a level never seen at random from infinite evidence).
    func randomPairLevels(samples: Int, seed: UInt64) -> [[Double]] {
        let records = scorer.records
        let left = records.leftCount, right = records.count - left
        var counts = scorer.comparators.map { [Double](repeating: 0, count: $0.levelCount) }
        guard left > 0, right > 0 else { return counts.map { c in c.map { _ in 1 / Double(c.count) } } }
        var rng = SplitMix64(seed: seed)
        for _ in 0..<samples {
            let i = rng.below(left), j = left + rng.below(right)
            for (k, c) in scorer.comparators.enumerated() {
                let level = c.level(i, j).level
                if level != Comparator.null { counts[k][Int(level)] += 1 }
            }
        }
        return counts.map { c in
            let total = c.reduce(0, +)
            return c.map { max($0, 0.5) / max(total, 1) }
        }
    }
}
