internal import Foundation
internal import GRDB
import QingtingCore

/// Key rotation: every sealed value re-sealed under the active key, in small transactions, then
/// the old keys retired. Readers keep reading throughout (each value opens with the old key or the
/// new one, and a process given both holds both); writers are held up one batch at a time at most.
extension CRMStore {
    /// What `rotateKeys` did.
    public struct Rotation: Sendable, Equatable {
        /// The key everything is sealed with now.
        public var active: String
        /// The keys retired (their values all re-sealed).
        public var retired: [String]
        /// Values re-sealed, by column (`events.text`, …).
        public var resealed: [String: Int]
        /// Write transactions the rotation took.
        public var batches: Int

        /// `{"active","retired","resealed":{column: n},"batches"}`.
        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("active", active)
                w.member("retired") { w in w.array(retired) { w, id in w.string(id) } }
                w.member("resealed") { w in
                    w.object { w in for (column, n) in resealed.sorted(by: { $0.key < $1.key }) { w.member(column, n) } }
                }
                w.member("batches", batches)
            }
            return w.text
        }
    }

    /// The store's key ids and their states (`active`, `rotating`, `retired`), oldest first.
    public func keyStates() throws -> [(id: String, state: String)] {
        try read { try StoreKeys.states($0) }
    }

    /// Re-seals every value sealed with a `rotating` key under the active one (this store object's
    /// first key), `batchSize` rows per transaction, then retires the rotating keys in one last
    /// transaction that checks none is left. Blind indexes are recomputed with the values.
    /// - Throws: `QingtingError(.store)` for a clear store, or when values under an old key keep
    ///   appearing (a process still writes with the old key first: restart it with the new one).
    /// - Complexity: one pass over the rows of the tables with personal columns.
    public func rotateKeys(batchSize: Int = 500, progress: (String, Int) -> Void = { _, _ in }) throws -> Rotation {
        guard let keyring = cipher.keyring else {
            throw QingtingError(.store, "this store is not encrypted: there is no key to rotate", location: path)
        }
        let current = keyring.current
        var rotation = Rotation(active: current.id, retired: [], resealed: [:], batches: 0)
        let tables = OrderedTables.all
        for attempt in 1...3 {
            for table in tables {
                var after: DatabaseValue = .null
                while true {
                    let (last, count) = try storeErrors(path) {
                        try pool.write { db in try reseal(table, after: after, limit: batchSize, db, current, keyring, &rotation) }
                    }
                    rotation.batches += 1
                    if count > 0 { progress(table.name, count) }
                    guard let last else { break }
                    after = last
                }
            }
            let retired = try storeErrors(path) {
                try pool.write { db -> [String]? in
                    rotation.batches += 1
                    for column in SealedColumn.allCases {
                        let left = try Bool.fetchOne(db, sql: """
                            SELECT EXISTS (SELECT 1 FROM \(column.table)
                                WHERE typeof(\(column.column)) = 'blob' AND substr(\(column.column), 2, 4) != ?)
                            """, arguments: [Data(current.idBytes)]) ?? false
                        if left { return nil }
                    }
                    let ids = try String.fetchAll(db, sql: "SELECT id FROM store_keys WHERE state = 'rotating' ORDER BY id")
                    try db.execute(sql: "UPDATE store_keys SET state = 'retired', retired_at = ? WHERE state = 'rotating'",
                                   arguments: [Int64(Date().timeIntervalSince1970 * 1000)])
                    return ids
                }
            }
            if let retired {
                rotation.retired = retired
                return rotation
            }
            if attempt == 3 { break }
        }
        throw QingtingError(
            .store, "values sealed with an old key keep appearing: a process still writes with it; restart it with "
                + "the new key first, then rotate again", location: path)
    }

    /// One batch of `table`'s rows after rowid (or key) `after`: each sealed value under another
    /// key is re-sealed under `current`. Returns the last row read (nil when none was left) and
    /// how many values changed.
    private func reseal(_ table: OrderedTables.Table, after: DatabaseValue, limit: Int, _ db: Database,
                        _ current: StoreKey, _ keyring: StoreKeyring, _ rotation: inout Rotation) throws
        -> (DatabaseValue?, Int)
    {
        let columns = table.columns.map(\.column).joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(table.key), \(columns) FROM \(table.name)
            WHERE \(after.isNull ? "1" : "\(table.key) > ?") ORDER BY \(table.key) LIMIT ?
            """, arguments: StatementArguments((after.isNull ? [] : [after]) + [limit.databaseValue]))
        var changed = 0
        for row in rows {
            var values: [DatabaseValue] = []
            var plainName: String?
            var any = false
            for (i, column) in table.columns.enumerated() {
                let value = row[i + 1] as DatabaseValue
                guard let id = FieldCipher.keyID(value), id != current.idBytes,
                      case .blob(let data) = value.storage
                else {
                    values.append(value)
                    continue
                }
                let plain = try FieldCipher.open([UInt8](data), column, keyring)
                if column == .customerName || column == .customerKey { plainName = String(decoding: plain, as: UTF8.self) }
                values.append(Data(FieldCipher.seal(plain, column, current)).databaseValue)
                rotation.resealed[column.rawValue, default: 0] += 1
                any = true
            }
            guard any else { continue }
            changed += 1
            let key = row[0] as DatabaseValue
            var assignments = table.columns.map { "\($0.column) = ?" }
            if let index = table.index, let plainName {
                assignments.append("\(index.column) = ?")
                values.append(FieldCipher.index(plainName, label: index.label, current))
            }
            try db.execute(
                sql: "UPDATE \(table.name) SET \(assignments.joined(separator: ", ")) WHERE \(table.key) = ?",
                arguments: StatementArguments(values + [key]))
        }
        return (rows.count < limit ? nil : rows.last.map { $0[0] as DatabaseValue }, changed)
    }
}

/// The tables with sealed columns, as a rotation walks them.
enum OrderedTables {
    struct Table {
        var name: String
        /// The column rows are read in order of: the rowid, or `customer_keys`' blind index (which
        /// the rotation rewrites: a row moved past the cursor is read again and left alone).
        var key: String
        var columns: [SealedColumn]
        /// The blind index recomputed from the first column's value, and its label.
        var index: (column: String, label: String)?
    }

    static var all: [Table] {
        var tables: [Table] = []
        for column in SealedColumn.allCases {
            if let i = tables.firstIndex(where: { $0.name == column.table }) {
                tables[i].columns.append(column)
                continue
            }
            switch column.table {
            case "customer_keys":
                tables.append(Table(name: "customer_keys", key: "key", columns: [column],
                                    index: ("key", FieldCipher.keyLabel)))
            case "customers":
                tables.append(Table(name: "customers", key: "rowid", columns: [column],
                                    index: ("name_index", FieldCipher.nameLabel)))
            default:
                tables.append(Table(name: column.table, key: "rowid", columns: [column], index: nil))
            }
        }
        return tables
    }
}
