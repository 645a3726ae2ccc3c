internal import GRDB

extension StoreSchema {
    /// Encryption at rest (`FieldCipher`, `StoreKeys`).
    ///
    /// - `store_keys`: the ids (never the keys) of the keys this store's values are sealed with:
    ///   `active` (seals new values), `rotating` (being re-sealed under the active one by `qingting
    ///   keys rotate`) or `retired`. No row: a store created without a key, whose values are clear.
    /// - `customers.name_index`: the blind index of the name (a customer search by name); a clear
    ///   store keeps the name itself there. The plain index on `name` goes: it cannot serve sealed names.
    /// - `customer_keys.value`: the unified key itself (sealed), so a rotation can recompute its
    ///   blind index `key`.
    /// A file from before this step is clear, so its lookup columns are copied from the values.
    @Sendable static func v7Encryption(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE store_keys (
                    id TEXT PRIMARY KEY, state TEXT NOT NULL, added_at INTEGER NOT NULL, retired_at INTEGER) WITHOUT ROWID;
                ALTER TABLE customers ADD COLUMN name_index;
                UPDATE customers SET name_index = name;
                DROP INDEX customers_name;
                CREATE INDEX customers_name_index ON customers(name_index);
                ALTER TABLE customer_keys ADD COLUMN value;
                UPDATE customer_keys SET value = key;
                """)
    }
}
