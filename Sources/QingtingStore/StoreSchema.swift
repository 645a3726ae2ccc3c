internal import GRDB
import QingtingMatch
import QingtingCore

/// One named step of the store's schema. Steps run in order, each in its own transaction, and
/// each is recorded by name (GRDB's `grdb_migrations` table) when it commits. A step that has
/// shipped is never edited: a schema change is a new step appended to `StoreSchema.migrations`.
struct StoreMigration: Sendable {
    var name: String
    var migrate: @Sendable (Database) throws -> Void
}

/// The store's migrations, and opening a file with them.
///
/// `PRAGMA user_version` is kept equal to the number of steps applied, so an engine from before
/// the migrator (which checked only `user_version <= 1`) also refuses a file a newer engine wrote.
enum StoreSchema {
    static let migrations: [StoreMigration] = [
        StoreMigration(name: "v1-links", migrate: v1Links),
        StoreMigration(name: "v2-events", migrate: v2Events),
        StoreMigration(name: "v3-profiles", migrate: v3Profiles),
        StoreMigration(name: "v4-rules", migrate: v4Rules),
        StoreMigration(name: "v5-report", migrate: v5Report),
        StoreMigration(name: "v6-audit", migrate: v6Audit),
        StoreMigration(name: "v7-redaction", migrate: v7Redaction),
        StoreMigration(name: "v8-encryption", migrate: v7Encryption),
        StoreMigration(name: "v9-audit-window", migrate: v9AuditWindow),
        StoreMigration(name: "v10-kpi-crossing", migrate: v10KPICrossing),
    ]

    /// Customers, identities and runs: the schema the store had before named migrations, as it
    /// was written (same text, so `sqlite_master` reads alike whichever engine created the file).
    @Sendable static func v1Links(_ db: Database) throws {
        // A file the engine wrote before the migrator has user_version 1 and these tables
        // already: it is at this step, with nothing to create.
        if try Int.fetchOne(db, sql: "PRAGMA user_version") == 1, try db.tableExists("identities") { return }
        try db.execute(sql: """
            CREATE TABLE runs (id INTEGER PRIMARY KEY, records INTEGER NOT NULL, linked INTEGER NOT NULL,
                               merges INTEGER NOT NULL, splits INTEGER NOT NULL);
            CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT, phone TEXT, email TEXT, city TEXT);
            CREATE TABLE identities (
                id TEXT PRIMARY KEY, platform TEXT NOT NULL, uid TEXT NOT NULL, nickname TEXT,
                customer TEXT, cluster TEXT NOT NULL, probability REAL, match_weight REAL, rule TEXT,
                status TEXT, explain TEXT, via TEXT, decided_by TEXT, run INTEGER NOT NULL REFERENCES runs(id));
            CREATE INDEX identities_customer ON identities(customer);
            CREATE INDEX identities_cluster ON identities(cluster);
            """)
    }

    /// Opens (creating if needed) the database at `path` in WAL mode and applies the migrations
    /// it lacks, after refusing a file with steps or a version this engine does not know.
    /// - Throws: `QingtingError(.store)` naming the file, for a newer schema as for SQLite errors.
    static func open(path: String, migrations: [StoreMigration] = migrations) throws -> DatabaseQueue {
        try open(path: path, migrations: migrations) { try DatabaseQueue(path: $0, configuration: $1) }
    }

    /// `open(path:migrations:)` with the kind of connection `make` builds: the event log uses a
    /// `DatabasePool` (one writer, readers beside it).
    static func open<Writer: DatabaseWriter>(
        path: String, migrations: [StoreMigration] = migrations,
        make: (String, Configuration) throws -> Writer
    ) throws -> Writer {
        var configuration = Configuration()
        configuration.journalMode = .wal  // and synchronous = NORMAL
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        configuration.label = "QingtingStore"
        let queue = try make(path, configuration)

        var migrator = DatabaseMigrator()
        for (index, step) in migrations.enumerated() {
            migrator.registerMigration(step.name) { db in
                try step.migrate(db)
                try db.execute(sql: "PRAGMA user_version = \(index + 1)")
            }
        }
        let (version, applied) = try queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0, try migrator.appliedIdentifiers(db))
        }
        let known = migrations.map(\.name)
        let unknown = applied.subtracting(known).sorted()
        if version > migrations.count || !unknown.isEmpty {
            var message = "the store has schema version \(version)"
            if !unknown.isEmpty { message += " (migrations \(unknown.joined(separator: ", ")))" }
            message += "; this engine knows up to \(migrations.count)"
            if let last = known.last { message += " (\(last))" }
            throw QingtingError(.store, message, location: path)
        }
        try migrator.migrate(queue)
        return queue
    }
}
