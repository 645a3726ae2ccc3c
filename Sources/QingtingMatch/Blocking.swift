import CSupport
import QingtingCore

/// Candidate pairs: records that share a blocking key under some rule. Only these are scored.
///
/// Each rule gives every record zero or more 64-bit keys (the hashed values of its columns, or
/// MinHash LSH bands of a column's character n-grams); records with the same key form a block,
/// and a block yields the pairs the link type allows. Blocks larger than `maxBlockSize` are
/// skipped and counted, so one common value cannot blow up the run.
public struct Blocking: Sendable {
    public struct RuleReport: Sendable, Equatable {
        public var rule: String
        /// Pairs the rule produced.
        public var pairs: Int
        /// Of those, pairs no earlier rule had produced.
        public var newPairs: Int
        /// Blocks skipped for being larger than the limit, and the records in them.
        public var skippedBlocks: Int
        public var skippedRecords: Int
    }

    /// Pair (i, j), i < j, as `i << 32 | j`.
    public typealias Pair = UInt64

    public let settings: LinkSettings
    public let records: RecordSet
    /// How many left records `records` has.
    let left: Int

    public init(settings: LinkSettings, records: RecordSet) {
        self.settings = settings
        self.records = records
        left = records.leftCount
    }

    /// The distinct candidate pairs of all rules (sorted), and a report per rule.
    public func candidatePairs() throws -> (pairs: [Pair], reports: [RuleReport]) {
        var all: [Pair] = []
        var reports: [RuleReport] = []
        // Rules are blocked a round at a time, one rule a core, and merged in their order (so
        // `newPairs` counts as if one after another); a round holds one rule's pairs a core.
        let rules = settings.blocking
        var start = 0
        while start < rules.count {
            let round = Array(rules[start..<min(start + Parallel.workers, rules.count)])
            let results = Parallel.map(round.count) { k in Result { try self.pairs(for: round[k]) } }
            for result in results {
                var (pairs, report) = try result.get()
                let before = all.count
                all = Self.mergeUnique(all, pairs)
                report.newPairs = all.count - before
                reports.append(report)
                pairs.removeAll()
            }
            start += round.count
        }
        return (all, reports)
    }

    /// The distinct pairs of one rule, sorted.
    public func pairs(for rule: LinkSettings.BlockingRule) throws -> ([Pair], RuleReport) {
        var keyed = try keys(for: rule)
        keyed.sort { $0.key < $1.key || ($0.key == $1.key && $0.record < $1.record) }
        var pairs: [Pair] = []
        var report = RuleReport(rule: rule.name, pairs: 0, newPairs: 0, skippedBlocks: 0, skippedRecords: 0)
        var start = 0
        var block: [Int] = []
        while start < keyed.count {
            var end = start + 1
            while end < keyed.count && keyed[end].key == keyed[start].key { end += 1 }
            block.removeAll(keepingCapacity: true)
            for k in start..<end where block.last != Int(keyed[k].record) { block.append(Int(keyed[k].record)) }
            if block.count > (rule.maxBlockSize ?? settings.maxBlockSize) {
                report.skippedBlocks += 1
                report.skippedRecords += block.count
            } else if block.count > 1 {
                emitPairs(block, into: &pairs)
            }
            start = end
        }
        pairs.sort()
        pairs = Self.unique(pairs)
        report.pairs = pairs.count
        return (pairs, report)
    }

    /// Pairs the link type allows within one block (records ascending).
    private func emitPairs(_ block: [Int], into pairs: inout [Pair]) {
        let type = settings.linkType, count = records.count
        for x in 0..<block.count {
            let first = type.firstPartner(of: block[x], left: left, count: count)
            var y = x + 1
            while y < block.count && block[y] < first { y += 1 }
            while y < block.count { pairs.append(Self.pair(block[x], block[y])); y += 1 }
        }
    }

    @inline(__always)
    public static func pair(_ i: Int, _ j: Int) -> Pair { UInt64(i) << 32 | UInt64(j) }

    @inline(__always)
    public static func split(_ p: Pair) -> (Int, Int) { (Int(p >> 32), Int(p & 0xFFFF_FFFF)) }

    /// Every (key, record) of a rule.
    func keys(for rule: LinkSettings.BlockingRule) throws -> [(key: UInt64, record: UInt32)] {
        var out: [(key: UInt64, record: UInt32)] = []
        out.reserveCapacity(records.count)
        switch rule.key {
        case .columns(let names, let unordered):
            let composite = try compositeKeys(names, rule: rule, unordered: unordered)
            for r in 0..<records.count { for key in composite(r) { out.append((key, UInt32(r))) } }
        case .lsh(let name, let bands, let rows, let ngram, let within):
            guard let c = records.column(name) else {
                throw QingtingError(.invalidSettings, "blocking rule '\(rule.name)' reads column '\(name)', which the data does not have")
            }
            let signatures = c.dictionary.indices.map { id in
                c.withScalars(Int32(id)) { MinHashLSH.bandKeys($0, bands: bands, rows: rows, ngram: ngram) }
            }
            let scope = within.isEmpty ? nil : try compositeKeys(within, rule: rule, unordered: false)
            for r in 0..<records.count {
                let scopes = scope?(r) ?? [0]
                for id in c.values(r) {
                    for key in signatures[Int(id)] { for s in scopes { out.append((Self.mix(key ^ s), UInt32(r))) } }
                }
            }
        }
        return out
    }

    /// A function giving record r's keys over `names` (one per combination of list values, at most
    /// 8 values per column; none when a column is missing).
    private func compositeKeys(_ names: [String], rule: LinkSettings.BlockingRule, unordered: Bool) throws -> (Int) -> [UInt64] {
        let columns = try names.map { name -> Column in
            guard let c = records.column(name) else {
                throw QingtingError(.invalidSettings, "blocking rule '\(rule.name)' reads column '\(name)', which the data does not have")
            }
            return c
        }
        let hashes = columns.map { c in c.dictionary.map { Self.hash($0) } }
        return { r in
            if columns.count == 1 {
                return columns[0].values(r).map { Self.mix(0x9E37_79B9_7F4A_7C15 ^ hashes[0][Int($0)]) }
            }
            // One value a column (the common case): the key without building combinations.
            var single = true
            for k in columns.indices {
                let n = columns[k].offsets[r + 1] - columns[k].offsets[r]
                if n == 0 { return [] }
                if n > 1 { single = false }
            }
            if single && !unordered {
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                for k in columns.indices { h = Self.mix(h ^ hashes[k][Int(columns[k].first(r))]) }
                return [h]
            }
            var combos: [[UInt64]] = [[]]
            for k in columns.indices {
                let vs = columns[k].values(r)
                combos = combos.flatMap { prefix in vs.prefix(8).map { prefix + [hashes[k][Int($0)]] } }
            }
            return combos.map { parts in
                var parts = parts
                if unordered { parts.sort() }
                var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                for p in parts { h = Self.mix(h ^ p) }
                return h
            }
        }
    }

    /// FNV-1a over UTF-8, finalized: a value's blocking hash, equal for equal strings in any column.
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return mix(h)
    }

    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func unique(_ sorted: [Pair]) -> [Pair] {
        var out: [Pair] = []
        out.reserveCapacity(sorted.count)
        for p in sorted where out.last != p { out.append(p) }
        return out
    }

    /// The sorted union of two sorted, duplicate-free arrays.
    static func mergeUnique(_ a: [Pair], _ b: [Pair]) -> [Pair] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out: [Pair] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { out.append(a[i]); i += 1 }
            else if a[i] > b[j] { out.append(b[j]); j += 1 }
            else { out.append(a[i]); i += 1; j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }
}

/// MinHash over character n-grams, cut into bands: two strings whose n-gram sets have Jaccard
/// similarity s share at least one band with probability 1 - (1 - s^rows)^bands.
public enum MinHashLSH {
    static let seeds: [UInt32] = (0..<256).map { i in
        var z = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return UInt32(truncatingIfNeeded: z ^ (z >> 29))
    }

    /// One key per band for the code points `s`.
    public static func bandKeys(_ s: UnsafeBufferPointer<UInt32>, bands: Int, rows: Int, ngram: Int) -> [UInt64] {
        guard !s.isEmpty else { return [] }
        let n = min(ngram, s.count)
        var grams: [UInt32] = []
        for i in 0...(s.count - n) {
            grams.append(qt_hash_units(s.baseAddress! + i, n, 0x51ED_270B))
        }
        var signature = [UInt32](repeating: 0, count: bands * rows)
        grams.withUnsafeBufferPointer { g in
            seeds.withUnsafeBufferPointer { sd in
                signature.withUnsafeMutableBufferPointer { out in
                    qt_minhash(g.baseAddress, g.count, sd.baseAddress, bands * rows, out.baseAddress)
                }
            }
        }
        return (0..<bands).map { band in
            var h = Blocking.mix(UInt64(band) &+ 0x5851_F42D_4C95_7F2D)
            for r in 0..<rows { h = Blocking.mix(h ^ UInt64(signature[band * rows + r])) }
            return h
        }
    }
}
