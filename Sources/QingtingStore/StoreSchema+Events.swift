internal import GRDB

extension StoreSchema {
    /// The CRM layer: the append-only event log and what it is resolved against.
    ///
    /// - `events`: one row per `SocialEvent`, unique on `(platform, event_id)`, numbered by an
    ///   autoincrement `seq` (never reused, so a reader resumes after the last `seq` it saw); the
    ///   author, the customer it resolved to and how, the analysis JSON and the model set that
    ///   made it, completeness counts for sync health, and the payload it came from.
    /// - `payloads`: the raw bytes as received, once per payload (a Weibo timeline's statuses share
    ///   one row), so an event can be re-read.
    /// - `model_sets`: the model and lexicon files (role → FNV-1a 64 hash) an analysis came from.
    /// - `customers` gains the rest of the CRM fields; `customer_fields` says, per field, which
    ///   source set its value and the time that value carries (for `latest_wins`);
    ///   `customer_keys` holds the unified keys (`phone:+86…`, `email:…`, `unionid:…`, `id:…`)
    ///   a record is deduplicated on.
    /// - `bindings`: accounts a customer bound themselves (explicit binding: a deterministic link).
    /// - `sync_counts`, `sync_rejections`: per day (UTC, of the commit) and platform, payloads
    ///   received, events stored and duplicates, and rejections by reason.
    /// - `crm_state`: counters, such as `customers_generation`, which every customer import
    ///   bumps so that a running ingest knows its cached resolutions may be stale.
    @Sendable static func v2Events(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE customers ADD COLUMN gender TEXT;
                ALTER TABLE customers ADD COLUMN birthday TEXT;
                ALTER TABLE customers ADD COLUMN level TEXT;
                ALTER TABLE customers ADD COLUMN unionid TEXT;
                ALTER TABLE customers ADD COLUMN updated_at INTEGER;
                ALTER TABLE customers ADD COLUMN source TEXT;
                CREATE TABLE customer_fields (
                    customer TEXT NOT NULL REFERENCES customers(id), field TEXT NOT NULL, source TEXT NOT NULL,
                    updated_at INTEGER, imported_at INTEGER NOT NULL,
                    PRIMARY KEY (customer, field)) WITHOUT ROWID;
                CREATE TABLE customer_keys (
                    key TEXT PRIMARY KEY, customer TEXT NOT NULL REFERENCES customers(id)) WITHOUT ROWID;
                CREATE INDEX customer_keys_customer ON customer_keys(customer);
                CREATE TABLE bindings (
                    platform TEXT NOT NULL, uid TEXT NOT NULL, customer TEXT NOT NULL REFERENCES customers(id),
                    source TEXT NOT NULL, bound_at INTEGER NOT NULL,
                    PRIMARY KEY (platform, uid)) WITHOUT ROWID;
                CREATE INDEX bindings_customer ON bindings(customer);
                CREATE TABLE model_sets (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, files TEXT NOT NULL);
                CREATE TABLE payloads (
                    id INTEGER PRIMARY KEY, platform TEXT NOT NULL, bytes BLOB NOT NULL, received_at INTEGER NOT NULL);
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    platform TEXT NOT NULL, event_id TEXT NOT NULL, kind TEXT NOT NULL,
                    author_platform TEXT, author_uid TEXT, author_profile TEXT,
                    identity TEXT, customer TEXT, link_rule TEXT, link_probability REAL,
                    parent_id TEXT, parent_root TEXT, parent_post TEXT, text TEXT, quoted_text TEXT,
                    occurred_at INTEGER NOT NULL, received_at INTEGER NOT NULL, committed_at INTEGER NOT NULL,
                    metrics TEXT, analysis TEXT, model_set INTEGER REFERENCES model_sets(id),
                    fields_present INTEGER NOT NULL, fields_expected INTEGER NOT NULL,
                    payload INTEGER NOT NULL REFERENCES payloads(id),
                    UNIQUE (platform, event_id));
                CREATE INDEX events_customer ON events(customer);
                CREATE INDEX events_identity ON events(identity);
                CREATE INDEX events_occurred ON events(occurred_at);
                CREATE INDEX events_parent ON events(platform, parent_id);
                CREATE TABLE sync_counts (
                    day TEXT NOT NULL, platform TEXT NOT NULL, received INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (day, platform)) WITHOUT ROWID;
                CREATE TABLE sync_rejections (
                    day TEXT NOT NULL, platform TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
                    example TEXT, PRIMARY KEY (day, platform, reason)) WITHOUT ROWID;
                CREATE TABLE crm_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
    }
}
