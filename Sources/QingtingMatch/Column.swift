/// One column of a record set, stored once for all records: every distinct value is interned
/// (an id, its code points, how often it occurs), and each record holds zero, one or several
/// value ids (several for list columns such as devices or IP addresses).
///
/// Exact comparison is id equality; fuzzy comparisons read the code points of two ids; term
/// frequency is `count(id) / total`. Interning also makes a million records cheap to hold.
public struct Column: Sendable {
    public let name: String
    /// Record r's value ids are `items[offsets[r]..<offsets[r + 1]]`.
    public private(set) var offsets: [Int32] = [0]
    public private(set) var items: [Int32] = []
    /// Distinct values, by id.
    public private(set) var dictionary: [String] = []
    /// Code points of every distinct value, concatenated; value id v is `scalars[scalarStart[v]..<scalarStart[v + 1]]`.
    public private(set) var scalars: [UInt32] = []
    public private(set) var scalarStart: [Int32] = [0]
    /// Occurrences of each value id over all records.
    public private(set) var counts: [Int32] = []
    private var ids: [String: Int32] = [:]

    public init(name: String) { self.name = name }

    public var recordCount: Int { offsets.count - 1 }
    /// Number of value occurrences (the denominator of term frequencies).
    public var totalCount: Int { items.count }

    /// Appends one record's values (empty for a missing value).
    public mutating func append(_ values: [String]) {
        for value in values {
            let id = intern(value)
            if !items[Int(offsets[offsets.count - 1])...].contains(id) {
                items.append(id)
                counts[Int(id)] += 1
            }
        }
        offsets.append(Int32(items.count))
    }

    /// Appends one record's values given as ids of this column (from `intern`), dropping repeats.
    public mutating func append(ids: some Collection<Int32>) {
        let start = items.count
        for id in ids where !items[start...].contains(id) {
            items.append(id)
            counts[Int(id)] += 1
        }
        offsets.append(Int32(items.count))
    }

    public mutating func append(_ value: String?) {
        if let value { append([value]) } else { append([String]()) }
    }

    /// The id of `value`, adding it when new (it is not counted until a record holds it).
    public mutating func intern(_ value: String) -> Int32 {
        if let id = ids[value] { return id }
        let id = Int32(dictionary.count)
        ids[value] = id
        dictionary.append(value)
        counts.append(0)
        scalars.append(contentsOf: value.unicodeScalars.lazy.map { $0.value })
        scalarStart.append(Int32(scalars.count))
        return id
    }

    /// The id of `value`, or nil when no record has it.
    public func id(of value: String) -> Int32? { ids[value] }

    /// Record r's value ids (empty when missing).
    @inline(__always)
    public func values(_ r: Int) -> ArraySlice<Int32> { items[Int(offsets[r])..<Int(offsets[r + 1])] }

    /// Record r's first value id, or -1 when missing.
    @inline(__always)
    public func first(_ r: Int) -> Int32 {
        let start = Int(offsets[r])
        return start < Int(offsets[r + 1]) ? items[start] : -1
    }

    /// Record r's first value, or nil.
    public func string(_ r: Int) -> String? {
        let id = first(r)
        return id < 0 ? nil : dictionary[Int(id)]
    }

    /// Calls `body` with the code points of value `id`.
    @inline(__always)
    public func withScalars<R>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt32>) -> R) -> R {
        let lo = Int(scalarStart[Int(id)]), hi = Int(scalarStart[Int(id) + 1])
        return scalars.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[lo..<hi]))
        }
    }

    /// Relative frequency of value `id` among all value occurrences.
    public func frequency(_ id: Int32) -> Double {
        totalCount == 0 ? 0 : Double(counts[Int(id)]) / Double(totalCount)
    }
}

/// Records to link: an id and a source per record, and named columns.
///
/// Source 0 is the left (or master) dataset and source 1 the right; left records come first, so
/// a pair (i, j) with i < j that crosses sources always has i on the left.
public struct RecordSet: Sendable {
    public private(set) var ids: [String] = []
    public private(set) var sources: [UInt8] = []
    public private(set) var columns: [Column] = []
    private var columnIndex: [String: Int] = [:]

    public init(columnNames: [String]) {
        for name in columnNames { addColumn(name) }
    }

    public var count: Int { ids.count }
    public var leftCount: Int { sources.firstIndex(of: 1) ?? sources.count }
    public var columnNames: [String] { columns.map(\.name) }

    public func column(_ name: String) -> Column? { columnIndex[name].map { columns[$0] } }

    @discardableResult
    public mutating func addColumn(_ name: String) -> Int {
        if let i = columnIndex[name] { return i }
        columnIndex[name] = columns.count
        columns.append(Column(name: name))
        return columns.count - 1
    }

    /// Appends a record with `values[k]` for column k (by position). Right records must follow
    /// every left record.
    public mutating func append(id: String, source: UInt8, values: [[String]]) {
        precondition(values.count == columns.count, "one value list per column")
        precondition(source >= (sources.last ?? 0), "left records come before right records")
        ids.append(id)
        sources.append(source)
        for k in columns.indices { columns[k].append(values[k]) }
    }

    /// Replaces a whole column (a derived column computed by a transform).
    public mutating func setColumn(_ column: Column) {
        precondition(column.recordCount == count)
        if let i = columnIndex[column.name] { columns[i] = column } else {
            columnIndex[column.name] = columns.count
            columns.append(column)
        }
    }
}

/// Each record's value id in several columns side by side, record after record, so that
/// comparing a pair reads about one cache line a record instead of two lines a column (the
/// offsets, then the ids): comparing the candidate pairs of a million records is bound by
/// memory, the partner records being scattered. -1: the record has no value there; -2: it has
/// several (read them from the column).
final class RecordRows: Sendable {
    static let missing: Int32 = -1
    static let several: Int32 = -2
    let stride: Int
    let ids: [Int32]
    /// The position of each column in a row.
    let slots: [String: Int]

    init(records: RecordSet, columns names: [String]) {
        var unique: [String] = []
        for n in names where records.column(n) != nil && !unique.contains(n) { unique.append(n) }
        let stride = unique.count, count = records.count
        var ids = [Int32](repeating: Self.missing, count: count * stride)
        ids.withUnsafeMutableBufferPointer { out in
            for (s, name) in unique.enumerated() {
                let column = records.column(name)!
                column.offsets.withUnsafeBufferPointer { o in
                    column.items.withUnsafeBufferPointer { items in
                        for r in 0..<count {
                            let lo = Int(o[r]), n = Int(o[r + 1]) - lo
                            if n == 1 { out[r * stride + s] = items[lo] } else if n > 1 { out[r * stride + s] = Self.several }
                        }
                    }
                }
            }
        }
        self.stride = stride
        self.ids = ids
        self.slots = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
    }

    /// Record r's id in column slot s.
    @inline(__always)
    func id(_ r: Int, _ s: Int) -> Int32 { ids[r &* stride &+ s] }
}
