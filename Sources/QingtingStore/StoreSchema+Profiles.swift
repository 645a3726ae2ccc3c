internal import GRDB

extension StoreSchema {
    /// The living customer profile: what derives from the event log per customer, and what a
    /// person decided about it.
    ///
    /// - `profiles`: per customer, the folded state (`ProfileState` as JSON), the version of the
    ///   profile configuration it was folded with, and the last `seq` folded in. Derived:
    ///   `rebuild` replaces every row from the log.
    /// - `tag_decisions`: a person's `confirmed` / `rejected` on a key tag, with its time. Not
    ///   derived (a person is not in the log): `rebuild` keeps it, and no rule overrides it.
    @Sendable static func v3Profiles(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE profiles (
                    customer TEXT PRIMARY KEY, state TEXT NOT NULL, config TEXT NOT NULL,
                    last_seq INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE tag_decisions (
                    customer TEXT NOT NULL, tag TEXT NOT NULL, decision TEXT NOT NULL, decided_at INTEGER NOT NULL,
                    PRIMARY KEY (customer, tag)) WITHOUT ROWID;
                CREATE INDEX customers_name ON customers(name);
                """)
    }
}
