internal import Foundation
internal import GRDB
import QingtingCore

/// What opening a store checks of the keys it is given against the key ids it records
/// (`store_keys`), so that a store is never half clear and half sealed, and a wrong or missing key
/// is said plainly before anything is read:
///
/// - a store with no key ids is clear: opened without keys it stays clear; opened with keys it
///   becomes encrypted only while it holds no data yet (a new store), else it is refused;
/// - an encrypted store needs every key its values may be sealed with (`active`, `rotating`);
/// - the first key given seals new values: a key the store does not know yet becomes `active`
///   and the active one `rotating` (a rotation begins); a `rotating` or `retired` key first is refused.
enum StoreKeys {
    /// The message of a store opened without its key: names the option and the variable.
    static let missingKey = "this store is encrypted: give its key file with --key-file FILE or the environment variable \(StoreKeyring.environmentVariable)"

    /// Checks `keyring` against the store and records what changes (in the caller's transaction).
    static func cipher(_ db: Database, keyring: StoreKeyring?) throws -> FieldCipher {
        // A store opened with fewer migrations than today's (tests of the migrator) has no keys.
        guard try db.tableExists("store_keys") else {
            if keyring == nil { return .clear }
            throw QingtingError(.store, "this store's schema predates encryption (v8-encryption)")
        }
        var states: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, state FROM store_keys") { states[row[0]] = row[1] }
        guard let keyring else {
            if states.isEmpty { return .clear }
            throw QingtingError(.store, missingKey)
        }
        if states.isEmpty {
            guard try !holdsData(db) else {
                throw QingtingError(
                    .store, "this store was created without encryption and holds data: open it without --key-file "
                        + "and \(StoreKeyring.environmentVariable) (its values stay in the clear), or use a new store with the key")
            }
            try add(keyring.current, db)
            return FieldCipher(keyring: keyring)
        }
        let given = Set(keyring.keys.map(\.id))
        for (id, state) in states.sorted(by: { $0.key < $1.key }) where state != "retired" && !given.contains(id) {
            throw QingtingError(
                .store, "the key files given do not hold key \(id), which this store's values are sealed with "
                    + "(a wrong key file, or a rotation's old key missing)")
        }
        switch states[keyring.current.id] {
        case "active"?: break
        case nil:
            try db.execute(sql: "UPDATE store_keys SET state = 'rotating' WHERE state = 'active'")
            try add(keyring.current, db)
        case let state?:
            throw QingtingError(
                .store, "key \(keyring.current.id) is \(state == "retired" ? "retired" : "being rotated out") in this store: "
                    + "give the new key first (the first --key-file seals new values)")
        }
        return FieldCipher(keyring: keyring)
    }

    private static func add(_ key: StoreKey, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO store_keys (id, state, added_at) VALUES (?, 'active', ?)",
                       arguments: [key.id, Int64(Date().timeIntervalSince1970 * 1000)])
    }

    /// Whether any table with personal columns has a row.
    private static func holdsData(_ db: Database) throws -> Bool {
        let tables = Set(SealedColumn.allCases.map(\.table)).sorted()
        let sql = "SELECT " + tables.map { "EXISTS (SELECT 1 FROM \($0))" }.joined(separator: " OR ")
        return try Bool.fetchOne(db, sql: sql) ?? false
    }

    /// The store's key ids and their states, by id.
    static func states(_ db: Database) throws -> [(id: String, state: String)] {
        try Row.fetchAll(db, sql: "SELECT id, state FROM store_keys ORDER BY added_at, id").map { ($0[0], $0[1]) }
    }
}
