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

    /// Trust: what the unusual-access check counts, kept as the audit log is appended so that the
    /// check reads an index instead of every row of the window (which made each audited call
    /// cost more than the one before it).
    ///
    /// - `audit_reads`: per actor (`t:` + token name, or `u:` + uid for a call without a token),
    ///   each customer an allowed, non-aggregate call listed, with the last time it did.
    /// - `audit_unlisted`: the customers such a call counted but did not list (capped lists).
    /// Both are filled from the rows already in `audit`; they repeat what `audit` holds and are
    /// not part of its chain.
    @Sendable static func v9AuditWindow(_ db: Database) throws {
        let actor = "CASE WHEN token IS NOT NULL THEN 't:' || token ELSE 'u:' || COALESCE(uid, '') END"
        let counted = "outcome = 'allowed' AND access != 'aggregate'"
        try db.execute(
            sql: """
                CREATE TABLE audit_reads (
                    actor TEXT NOT NULL, customer TEXT NOT NULL, last_at INTEGER NOT NULL,
                    PRIMARY KEY (actor, customer)) WITHOUT ROWID;
                CREATE INDEX audit_reads_recent ON audit_reads(actor, last_at);
                CREATE TABLE audit_unlisted (actor TEXT NOT NULL, at INTEGER NOT NULL, count INTEGER NOT NULL);
                CREATE INDEX audit_unlisted_recent ON audit_unlisted(actor, at);
                INSERT INTO audit_reads (actor, customer, last_at)
                    SELECT \(actor), j.value, MAX(at) FROM audit, json_each(audit.customers) j
                    WHERE \(counted) GROUP BY 1, 2;
                INSERT INTO audit_unlisted (actor, at, count)
                    SELECT \(actor), at, customer_count - json_array_length(customers) FROM audit
                    WHERE \(counted) AND customer_count > json_array_length(customers);
                """)
    }
}
