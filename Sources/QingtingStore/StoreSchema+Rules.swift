internal import GRDB

extension StoreSchema {
    /// Act: what the rules raise, and the state they keep.
    ///
    /// - `feed`: alerts, actions, ticket changes, merges and splits, numbered by an autoincrement
    ///   `seq` (never reused: a subscriber resumes after the last `seq` it saw). `key` is unique:
    ///   the same trigger never appends a second record (idempotent actions). `body` is the
    ///   record's details as JSON; `at` the event time it fired at.
    /// - `outbox`: the delivery status of each action a sender delivers (`queued` → `sent` →
    ///   `delivered` → `read`, or `failed`), updated by `action.ack`.
    /// - `tickets`: open → assigned → responded → resolved (→ reopened), with the feed record
    ///   that opened each as its id.
    /// - `rule_state`: the rule engine's entries (windows, cooldowns, timers, topic volumes) as
    ///   of the last commit, so a restart resumes them.
    /// - `customers` gains `account_manager` (who a VIP's tickets go to) and `consent` (a
    ///   refusal blocks private messages and coupons).
    @Sendable static func v4Rules(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE customers ADD COLUMN account_manager TEXT;
                ALTER TABLE customers ADD COLUMN consent TEXT;
                CREATE TABLE feed (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
                    rule TEXT, rules_version TEXT, customer TEXT, priority TEXT, action TEXT, status TEXT,
                    ticket INTEGER, events TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL);
                CREATE INDEX feed_customer ON feed(customer);
                CREATE TABLE outbox (
                    record INTEGER PRIMARY KEY REFERENCES feed(seq), status TEXT NOT NULL,
                    updated_at INTEGER NOT NULL, detail TEXT);
                CREATE INDEX outbox_status ON outbox(status);
                CREATE TABLE tickets (
                    id INTEGER PRIMARY KEY, customer TEXT, rule TEXT, status TEXT NOT NULL, priority TEXT NOT NULL,
                    skill TEXT NOT NULL, assignee TEXT, subject TEXT, platform TEXT, events TEXT NOT NULL,
                    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, first_response_at INTEGER,
                    resolved_at INTEGER, changes INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX tickets_status ON tickets(status);
                CREATE INDEX tickets_customer ON tickets(customer);
                CREATE TABLE rule_state (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
    }
}
