import CSupport
import QingtingCore

/// One comparison compiled against a record set: gives a record pair its level (0 = the first,
/// strongest level of the settings, then the others, then "else"), or `Comparator.null` when
/// either record lacks the value. A joint comparison crosses the levels of two comparisons, so
/// that dependent evidence (city and IP block) gets one m and u per combination instead of two
/// factors that count the same fact twice.
public final class Comparator: Sendable {
    public static let null: UInt8 = 255

    public let name: String
    /// A label per level, the last being "else".
    public let labels: [String]
    public let termFrequency: Bool
    /// Columns (as named in settings) this comparison reads.
    public let columns: [String]
    let column: Column?
    /// The column's arrays the hot path reads, held apart: reading them through `column` copied
    /// the whole column (a retain and a release of each of its arrays) for every pair compared.
    let offsets: [Int32], items: [Int32], dictionary: [String], scalars: [UInt32], scalarStart: [Int32]
    /// The records' value ids side by side, with this comparison's column at `slot` and the
    /// `when_missing` column at `unlessSlot` (-1: none); nil for a joint comparison.
    let rows: RecordRows?
    let slot: Int, unlessSlot: Int
    let levels: [LinkSettings.Level]
    let parts: [Comparator]
    /// The other column of a `swapped_with` level.
    let swapColumn: Column?
    /// `when_missing`: the column both records must not have for this comparison to count.
    let unlessBoth: Column?
    /// Day number of every distinct value when a level compares dates (Int32.min: not a date).
    let days: [Int32]

    public var levelCount: Int { labels.count }

    init(_ spec: LinkSettings.Comparison, records: RecordSet, rows: RecordRows) throws {
        guard let column = records.column(spec.column) else {
            throw QingtingError(.invalidSettings, "comparison '\(spec.name)' reads column '\(spec.column)', which the data does not have")
        }
        guard spec.levels.count < 62 else { throw QingtingError(.invalidSettings, "comparison '\(spec.name)' has too many levels") }
        name = spec.name
        labels = spec.levels.map(\.label) + ["else"]
        termFrequency = spec.termFrequency && spec.levels.first == .exact
        columns = [spec.column]
        self.column = column
        (offsets, items, dictionary) = (column.offsets, column.items, column.dictionary)
        (scalars, scalarStart) = (column.scalars, column.scalarStart)
        self.rows = rows
        slot = rows.slots[spec.column]!
        levels = spec.levels
        parts = []
        var swap: Column? = nil
        for case .swappedWith(let other) in spec.levels {
            guard let c = records.column(other) else {
                throw QingtingError(.invalidSettings, "comparison '\(spec.name)' swaps with column '\(other)', which the data does not have")
            }
            swap = c
        }
        swapColumn = swap
        if let name = spec.whenMissing {
            guard let c = records.column(name) else {
                throw QingtingError(.invalidSettings, "comparison '\(spec.name)' is compared when '\(name)' is missing, which the data does not have")
            }
            unlessBoth = c
            unlessSlot = rows.slots[name]!
        } else {
            unlessBoth = nil
            unlessSlot = -1
        }
        let usesDates = spec.levels.contains { if case .dateWithinDays = $0 { return true } else { return false } }
        days = usesDates ? column.dictionary.indices.map { id in
            column.withScalars(Int32(id)) { Similarity.dayNumber($0).map { Int32(clamping: $0) } ?? Int32.min }
        } : []
    }

    /// The joint comparison of two.
    init(joining a: Comparator, _ b: Comparator) {
        name = "\(a.name)&\(b.name)"
        var l: [String] = []
        for la in a.labels + ["null"] { for lb in b.labels + ["null"] { l.append("\(a.name):\(la) & \(b.name):\(lb)") } }
        l.removeLast()  // both null is the joint's null
        l.append("else")  // never produced; keeps "last = else" for readers
        labels = l
        termFrequency = false
        columns = a.columns + b.columns
        column = nil
        (offsets, items, dictionary, scalars, scalarStart) = ([], [], [], [], [])
        (rows, slot, unlessSlot) = (nil, -1, -1)
        levels = []
        parts = [a, b]
        days = []
        swapColumn = nil
        unlessBoth = nil
    }

    /// The value both records have (the first in common), for the exact level's term frequency.
    @inline(__always)
    func sharedValue(_ i: Int, _ j: Int) -> Int32 {
        guard column != nil else { return -1 }
        let a = items[Int(offsets[i])..<Int(offsets[i + 1])], b = items[Int(offsets[j])..<Int(offsets[j + 1])]
        if a.count == 1 { return a.first! }
        return a.first { b.contains($0) } ?? -1
    }

    /// Calls `body` with the code points of value `id`.
    @inline(__always)
    func withScalars<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
        let lo = Int(scalarStart[Int(id)]), hi = Int(scalarStart[Int(id) + 1])
        return scalars.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[lo..<hi])) }
    }

    /// The level of pair (i, j), and the shared value id when the exact level holds (for term
    /// frequencies), else -1.
    @inline(__always)
    public func level(_ i: Int, _ j: Int) -> (level: UInt8, value: Int32) { level(i, against: self, j) }

    /// The joint level of the parts' levels `a` and `b`.
    func joint(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == Self.null && b == Self.null { return Self.null }
        let na = parts[0].levelCount, nb = parts[1].levelCount
        let ia = a == Self.null ? na : Int(a), ib = b == Self.null ? nb : Int(b)
        return UInt8(ia * (nb + 1) + ib)
    }

    /// The level of record i (of this comparator's records) against record j of `other`: this
    /// comparator itself, or one of the same settings over another record set (a query), whose
    /// values have other ids, so exact agreement there compares the strings.
    public func level(_ i: Int, against other: Comparator, _ j: Int) -> (level: UInt8, value: Int32) {
        if !parts.isEmpty {
            return (joint(parts[0].level(i, against: other.parts[0], j).level, parts[1].level(i, against: other.parts[1], j).level), -1)
        }
        if let rows, let theirs = other.rows {
            let a = rows.id(i, slot), b = theirs.id(j, other.slot)
            if a == RecordRows.missing || b == RecordRows.missing { return (Self.null, -1) }
            if unlessSlot >= 0 && rows.id(i, unlessSlot) != RecordRows.missing
                && theirs.id(j, other.unlessSlot) != RecordRows.missing { return (Self.null, -1) }
            if a >= 0 && b >= 0 { return level(a, in: self, i, b, in: other, j) }
        }
        let a0 = Int(offsets[i]), a1 = Int(offsets[i + 1]), b0 = Int(other.offsets[j]), b1 = Int(other.offsets[j + 1])
        if a0 == a1 || b0 == b1 { return (Self.null, -1) }
        if let a = unlessBoth, let b = other.unlessBoth, !a.values(i).isEmpty, !b.values(j).isEmpty { return (Self.null, -1) }
        if a1 - a0 == 1 && b1 - b0 == 1 { return level(items[a0], in: self, i, other.items[b0], in: other, j) }
        var best: (level: UInt8, value: Int32) = (UInt8(levels.count), -1)
        for x in a0..<a1 {
            for y in b0..<b1 {
                let l = level(items[x], in: self, i, other.items[y], in: other, j)
                if l.level < best.level { best = l; if l.level == 0 { return best } }
            }
        }
        return best
    }

    /// The level of value a (of `left`'s column, record i) against value b (of `right`'s column,
    /// record j). `left` and `right` are this comparator, or this and its twin over a query.
    @inline(__always)
    private func level(_ a: Int32, in left: Comparator, _ i: Int, _ b: Int32, in right: Comparator, _ j: Int) -> (level: UInt8, value: Int32) {
        let same = left === right
        let equal = same ? a == b : left.dictionary[Int(a)] == right.dictionary[Int(b)]
        var jaroWinkler = -1.0
        var distance = -1
        for (k, level) in levels.enumerated() {
            switch level {
            case .exact:
                if equal { return (UInt8(k), a) }
            case .jaroWinkler(let t):
                if equal { return (UInt8(k), -1) }
                if jaroWinkler < 0 {
                    jaroWinkler = left.withScalars(a) { x in right.withScalars(b) { y in
                        qt_jaro_winkler(x.baseAddress, x.count, y.baseAddress, y.count, 0.1) } }
                }
                if jaroWinkler >= t { return (UInt8(k), -1) }
            case .levenshtein(let limit):
                if equal { return (UInt8(k), -1) }
                if distance < 0 {
                    distance = Int(left.withScalars(a) { x in right.withScalars(b) { y in
                        qt_levenshtein(x.baseAddress, x.count, y.baseAddress, y.count) } })
                }
                if distance <= limit { return (UInt8(k), -1) }
            case .damerauLevenshtein(let limit):
                if equal { return (UInt8(k), -1) }
                let d = left.withScalars(a) { x in right.withScalars(b) { y in
                    qt_damerau_levenshtein(x.baseAddress, x.count, y.baseAddress, y.count) } }
                if d <= limit { return (UInt8(k), -1) }
            case .swappedWith:
                let oa = left.swapColumn!, ob = right.swapColumn!
                let oi = oa.first(i), oj = ob.first(j)
                if oi >= 0, oj >= 0, left.dictionary[Int(a)] == ob.dictionary[Int(oj)],
                   right.dictionary[Int(b)] == oa.dictionary[Int(oi)] {
                    return (UInt8(k), -1)
                }
            case .anagram:
                if equal || left.withScalars(a, { x in right.withScalars(b) { y in
                    x.count == y.count && x.sorted() == y.sorted() } }) {
                    return (UInt8(k), -1)
                }
            case .contains(let n):
                if equal || left.withScalars(a, { x in right.withScalars(b) { y in Similarity.contains(x, y, minimum: n) } }) {
                    return (UInt8(k), -1)
                }
            case .jaccard(let t):
                if equal || left.withScalars(a, { x in right.withScalars(b) { y in Similarity.bigramJaccard(x, y) } }) >= t {
                    return (UInt8(k), -1)
                }
            case .phoneCompatible(let n):
                let shared = left.withScalars(a) { x in right.withScalars(b) { y in PhoneNumber.compatible(x, y) } }
                if let shared, shared >= n { return (UInt8(k), -1) }
            case .dateWithinDays(let days):
                if equal { return (UInt8(k), -1) }
                let da = left.days[Int(a)], db = right.days[Int(b)]
                if da != Int32.min, db != Int32.min, abs(Int(da) - Int(db)) <= days { return (UInt8(k), -1) }
            }
        }
        return (UInt8(levels.count), -1)
    }
}

/// Small similarity helpers over code points.
enum Similarity {
    /// Jaccard similarity of the character bigram sets (a one-character string is its own bigram).
    static func bigramJaccard(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        func grams(_ s: UnsafeBufferPointer<UInt32>) -> [UInt64] {
            if s.count < 2 { return s.isEmpty ? [] : [UInt64(s[0])] }
            var g = (0..<(s.count - 1)).map { UInt64(s[$0]) << 32 | UInt64(s[$0 + 1]) }
            g.sort()
            var out: [UInt64] = []
            for x in g where out.last != x { out.append(x) }
            return out
        }
        let x = grams(a), y = grams(b)
        if x.isEmpty && y.isEmpty { return 1 }
        var i = 0, j = 0, shared = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] { shared += 1; i += 1; j += 1 } else if x[i] < y[j] { i += 1 } else { j += 1 }
        }
        return Double(shared) / Double(x.count + y.count - shared)
    }

    /// Whether the shorter of a and b, of at least `minimum` code points, occurs inside the other.
    static func contains(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, minimum: Int) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard short.count >= minimum, !short.isEmpty else { return false }
        var start = 0
        while start + short.count <= long.count {
            var k = 0
            while k < short.count && long[start + k] == short[k] { k += 1 }
            if k == short.count { return true }
            start += 1
        }
        return false
    }

    /// Days since 1970-01-01 of a YYYYMMDD or YYYY-MM-DD date, or nil when it is not a valid date.
    static func dayNumber(_ s: UnsafeBufferPointer<UInt32>) -> Int? {
        var digits: [Int] = []
        for c in s {
            if c >= 48 && c <= 57 { digits.append(Int(c - 48)) } else if c != 45 && c != 47 { return nil }
        }
        guard digits.count == 8 else { return nil }
        let y = digits[0...3].reduce(0) { $0 * 10 + $1 }
        let m = digits[4] * 10 + digits[5], d = digits[6] * 10 + digits[7]
        guard (1...12).contains(m), (1...31).contains(d) else { return nil }
        // Howard Hinnant's days_from_civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
