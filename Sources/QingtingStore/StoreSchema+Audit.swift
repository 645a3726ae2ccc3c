internal import GRDB

extension StoreSchema {
    /// Trust: the audit log of calls that read or change personal data (`CRMStore+Audit.swift`).
    ///
    /// - `audit`: one row per call, numbered `seq` from 1 with no gaps; `prev_hash` is the `hash`
    ///   of the row before (64 zeros for the first), `hash` = SHA-256(prev_hash ‖ the row's
    ///   canonical JSON), so an edited, deleted or inserted row breaks the chain from there on.
    /// - Triggers refuse `UPDATE` and `DELETE` on it: the engine only appends. They stop accidents,
    ///   not an owner of the file (who can drop them); the chain is what shows such an edit.
    @Sendable static func v6Audit(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, uid INTEGER, token TEXT, role TEXT,
                    method TEXT NOT NULL, access TEXT NOT NULL, customers TEXT NOT NULL,
                    customer_count INTEGER NOT NULL, fields TEXT NOT NULL, outcome TEXT NOT NULL, error INTEGER,
                    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
                CREATE INDEX audit_at ON audit(at);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
    }
}
