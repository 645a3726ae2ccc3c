public import OrderedCollections
import QingtingText
public import QingtingCore

/// Reads records from CSV (a header line, then one record per line; fields trimmed, empty = missing)
/// or JSONL (one object per line; strings, numbers, arrays of them, or null), keeps the columns a
/// linkage needs, and computes the derived columns.
public struct RecordLoader {
    public let settings: LinkSettings
    public let context: TransformContext

    public init(settings: LinkSettings, cities: CityLexicon) {
        self.settings = settings
        self.context = TransformContext(cities: cities)
    }

    /// A raw input row: the id and, per input column, its values.
    public typealias Row = (id: String, values: [[String]])

    /// Loads the left (source 0) and optional right (source 1) files into one record set.
    /// With `skipped`, a bad row (no id, a duplicate id, not a JSON object) is handed to it as
    /// a `path:line` error and left out; without, it ends the load.
    public func load(left: String, right: String?, skipped: ((QingtingError) -> Void)? = nil) throws -> RecordSet {
        var records = RecordSet(columnNames: settings.inputColumns)
        var seen: Set<String> = []
        for (source, path) in [(UInt8(0), left), (UInt8(1), right)] {
            guard let path else { continue }
            try Self.readRows(path: path, idColumn: settings.uniqueIdColumn, columns: settings.inputColumns, skipped: skipped) { row, line in
                let key = "\(source):\(row.id)"
                guard seen.insert(key).inserted else {
                    throw QingtingError(.invalidInput, "duplicate id (an earlier line has the same one)", location: "\(path):\(line)")
                }
                records.append(id: row.id, source: source, values: row.values)
            }
        }
        try derive(&records)
        return records
    }

    /// Computes every derived column from its source column, once per distinct value.
    public func derive(_ records: inout RecordSet) throws {
        for d in settings.derived {
            guard let source = records.column(d.from) else {
                throw QingtingError(.invalidSettings, "derived column '\(d.name)' reads '\(d.from)', which no input or earlier column provides")
            }
            var column = Column(name: d.name)
            // Each distinct source value is transformed once, on all cores (each worker with a
            // context of its own: the context caches), then interned in order; records map ids.
            let mapped: [[Int32]] = transformed(source.dictionary, d.transform).map { values in
                values.map { column.intern($0) }
            }
            var ids: [Int32] = []
            for r in 0..<source.recordCount {
                ids.removeAll(keepingCapacity: true)
                for id in source.values(r) { ids.append(contentsOf: mapped[Int(id)]) }
                column.append(ids: ids)
            }
            records.setColumn(column)
        }
    }

    /// `transform` applied to every value, in order; split over the cores for large columns.
    func transformed(_ values: [String], _ transform: ValueTransform) -> [[String]] {
        let workers = values.count < 4_096 ? 1 : Parallel.workers
        guard workers > 1 else { return values.map { context.apply(transform, to: $0) } }
        let cities = context.cities
        return Parallel.map(workers) { w -> [[String]] in
            let own = TransformContext(cities: cities)
            return values[w * values.count / workers..<(w + 1) * values.count / workers].map { own.apply(transform, to: $0) }
        }.flatMap { $0 }
    }

    /// Calls `body` with each row of a CSV or JSONL file (by extension: `.csv`, else JSONL).
    /// With `skipped`, a bad row is handed to it and left out instead of ending the read.
    public static func readRows(path: String, idColumn: String, columns: [String], skipped: ((QingtingError) -> Void)? = nil,
                                _ body: (Row, Int) throws -> Void) throws {
        if path.hasSuffix(".csv") {
            try readCSV(path: path, idColumn: idColumn, columns: columns, skipped: skipped, body)
        } else {
            try readJSONL(path: path, idColumn: idColumn, columns: columns, skipped: skipped, body)
        }
    }

    /// Runs one line's work; a located `invalidInput` error goes to `skipped` when there is one.
    @inline(__always)
    static func line(_ skipped: ((QingtingError) -> Void)?, _ work: () throws -> Void) throws {
        guard let skipped else { return try work() }
        do { try work() } catch let e as QingtingError where e.code == .invalidInput && e.location != nil { skipped(e) }
    }

    static func readCSV(path: String, idColumn: String, columns: [String], skipped: ((QingtingError) -> Void)?,
                        _ body: (Row, Int) throws -> Void) throws {
        var header: [String: Int]? = nil
        var idAt = 0
        var positions: [Int?] = []
        do {
            try FileIO.forEachLine(path) { bytes, line in
                let text = String(decoding: bytes, as: UTF8.self)
                if text.trimmingWhitespace.isEmpty { return }
                let fields = CSV.splitLine(text)
                guard let h = header else {
                    var map: [String: Int] = [:]
                    for (i, f) in fields.enumerated() { map[f] = i }
                    guard let i = map[idColumn] else {
                        throw QingtingError(.invalidInput, "the header has no id column '\(idColumn)' (columns: \(fields.joined(separator: ", ")))", location: "\(path):\(line)")
                    }
                    idAt = i
                    positions = columns.map { map[$0] }
                    header = map
                    return
                }
                _ = h
                try Self.line(skipped) {
                    guard idAt < fields.count, !fields[idAt].isEmpty else {
                        throw QingtingError(.invalidInput, "row without an id in column '\(idColumn)'", location: "\(path):\(line)")
                    }
                    let values: [[String]] = positions.map { p in
                        guard let p, p < fields.count, !fields[p].isEmpty else { return [] }
                        return [fields[p]]
                    }
                    try body((fields[idAt], values), line)
                }
            }
        } catch let e as QingtingError { throw e } catch { throw QingtingError(.io, "\(error)", location: path) }
    }

    static func readJSONL(path: String, idColumn: String, columns: [String], skipped: ((QingtingError) -> Void)?,
                          _ body: (Row, Int) throws -> Void) throws {
        try forEachObject(path: path, skipped: skipped) { fields, line in
            guard let id = fields[idColumn].flatMap(scalarString) else {
                throw QingtingError(.invalidInput, "missing id '\(idColumn)' (a string or number)", location: "\(path):\(line)")
            }
            try body((id, columns.map { values(fields[$0]) }), line)
        }
    }

    /// Calls `body` with each JSONL line's object and its line number; blank lines are skipped,
    /// anything else that is not a JSON object is an error naming `path:line`. With `skipped`,
    /// such a line, or one `body` refuses with a located `invalidInput` error, is handed to it
    /// and the read goes on. Lines are parsed in batches on all cores (parsing is most of a
    /// load); `body` sees them one at a time, in file order.
    public static func forEachObject(path: String, skipped: ((QingtingError) -> Void)? = nil,
                                     _ body: (JSONObject, Int) throws -> Void) throws {
        try forEachObject(path: path, skipped: skipped, map: { object, _ in object }, body)
    }

    /// As `forEachObject`, with `map` turning each object into what `body` needs on the parsing
    /// cores too (a located `invalidInput` error from it counts as the line's error), so that
    /// only what must see the lines in order is left to `body`.
    public static func forEachObject<T: Sendable>(path: String, skipped: ((QingtingError) -> Void)? = nil,
                                                  map: @escaping @Sendable (JSONObject, Int) throws -> T,
                                                  _ body: (T, Int) throws -> Void) throws {
        var batch = LineBatch()
        func flush() throws {
            for (parsed, line) in zip(batch.parsed(path: path, map: map), batch.lines) {
                try Self.line(skipped) { try body(parsed.get(), line) }
            }
            batch = LineBatch()
        }
        do {
            try FileIO.forEachLine(path) { bytes, line in
                if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
                batch.append(bytes, line: line)
                if batch.lines.count == LineBatch.capacity { try flush() }
            }
            try flush()
        } catch let e as QingtingError { throw e } catch { throw QingtingError(.io, "\(error)", location: path) }
    }

    /// Lines gathered for one parallel parse: their bytes end to end, and where each ends.
    struct LineBatch {
        static let capacity = 16_384
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var lines: [Int] = []

        mutating func append(_ line: ArraySlice<UInt8>, line number: Int) {
            bytes.append(contentsOf: line)
            ends.append(bytes.count)
            lines.append(number)
        }

        /// Each line as a JSON object passed through `map`, or the located error it gives.
        func parsed<T: Sendable>(path: String, map: @escaping @Sendable (JSONObject, Int) throws -> T) -> [Result<T, QingtingError>] {
            let count = lines.count
            guard count > 0 else { return [] }
            let workers = count < 1_024 ? 1 : Parallel.workers
            let (bytes, ends, lines) = (self.bytes, self.ends, self.lines)
            return Parallel.map(workers) { w -> [Result<T, QingtingError>] in
                (w * count / workers..<(w + 1) * count / workers).map { k in
                    let range = (k == 0 ? 0 : ends[k - 1])..<ends[k]
                    let json: JSONValue
                    do { json = try bytes[range].withUnsafeBufferPointer { try JSONValue.parse($0) } } catch {
                        return .failure(QingtingError(.invalidInput, "not valid JSON: \(error)", location: "\(path):\(lines[k])"))
                    }
                    guard case .object(let fields) = json else {
                        return .failure(QingtingError(.invalidInput, "expected a JSON object", location: "\(path):\(lines[k])"))
                    }
                    do { return .success(try map(fields, lines[k])) } catch let e as QingtingError where e.code == .invalidInput && e.location != nil {
                        return .failure(e)
                    } catch {
                        return .failure(QingtingError(.invalidInput, "\(error)", location: "\(path):\(lines[k])"))
                    }
                }
            }.flatMap { $0 }
        }
    }

    static func scalarString(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): let t = s.trimmingWhitespace; return t.isEmpty ? nil : t
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static func values(_ v: JSONValue?) -> [String] {
        guard let v else { return [] }
        if case .array(let items) = v { return items.compactMap(scalarString) }
        return scalarString(v).map { [$0] } ?? []
    }
}
