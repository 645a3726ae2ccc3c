internal import GRDB
import QingtingCore
public import QingtingIngest
import Synchronization

/// The CRM layer's tables in SQLite (GRDB over the system libsqlite3, WAL): the append-only
/// event log, the payloads it came from, customers with per-field provenance and unified keys,
/// explicit bindings, and the sync-health counters. Every write runs in one `BEGIN IMMEDIATE`
/// transaction (`write`), and returns only once that transaction has committed: callers
/// acknowledge after `write` returns, never before.
///
/// One writer at a time (SQLite's rule; GRDB's pool serializes writes), readers beside it.
/// Safe to share between threads. No SQLite or GRDB type appears in this API.
public final class CRMStore: Sendable {
    /// How durable a commit is. `full` (the default) syncs the WAL at every commit, so an
    /// acknowledged event survives a power cut, not only a crash of the process; `normal` syncs
    /// only at checkpoints (a process crash still loses nothing committed).
    public enum Durability: String, Sendable, CaseIterable {
        case full, normal

        /// The `PRAGMA synchronous` value.
        var pragma: String { rawValue.uppercased() }
    }

    let pool: DatabasePool
    /// The writer connection's page cache, KiB (a bound: memory stays flat however long a run).
    static let writerCacheKiB = 32 * 1024
    public let path: String
    /// How personal columns are sealed and looked up (`FieldCipher.clear` for a store without a key).
    let cipher: FieldCipher
    /// The `runs` row identities added by this store object are recorded under, made at the first
    /// commit that adds one (a link run and an ingest session are both runs).
    let session = SessionRun()
    private let commitCounter = Atomic<Int64>(0)

    /// Transactions this store object has committed (`write`): a cheap "anything new?" for
    /// readers that follow the feed, who still poll now and then for other processes' commits.
    public var commits: Int64 { commitCounter.load(ordering: .acquiring) }

    /// Opens or creates the store at `path` and brings its schema up to date (the link store's
    /// migrations and the event log's, in one list).
    /// - Parameter keys: the keys of an encrypted store (`StoreKeyring.load`), nil for a clear one;
    ///   a new store opened with keys is encrypted from then on (see `StoreKeys`).
    /// - Throws: `QingtingError(.store)` naming the file, also for an encrypted store opened
    ///   without its key, or a store created without encryption opened with one.
    public init(path: String, durability: Durability = .full, keys: StoreKeyring? = nil) throws {
        self.path = path
        do {
            pool = try StoreSchema.open(path: path) { try DatabasePool(path: $0, configuration: $1) }
            // The pool has one writer connection, and commits happen only there. Its page cache is
            // raised from SQLite's 2 MiB to `writerCacheKiB`: the appends, dedupe and identity
            // look-ups touch the same index pages batch after batch, and reading them back from the
            // OS on every transaction cost the ingest writer a few percent of its CPU.
            try pool.writeWithoutTransaction {
                try $0.execute(sql: "PRAGMA synchronous = \(durability.pragma)")
                try $0.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            cipher = try pool.write { try StoreKeys.cipher($0, keyring: keys) }
        } catch var e as QingtingError {
            if e.code == .store, e.location == nil { e.location = path }
            throw e
        } catch {
            throw QingtingError(.store, "\(error)", location: path)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction and commits it; returns after the commit.
    /// If `body` throws, nothing of it is kept. `now` is the commit time stamped on every event
    /// (`committed_at`) and the day the sync counters count under (UTC).
    public func write<T>(now: Int64, _ body: (Transaction) throws -> T) throws -> T {
        try storeErrors(path) {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                let tx = Transaction(db: db, committedAt: now, session: session, cipher: cipher)
                try db.inTransaction(.immediate) {
                    result = try body(tx)
                    try tx.finish()
                    return .commit
                }
                session.committed(tx)
                commitCounter.add(1, ordering: .releasing)
                return result!
            }
        }
    }

    /// Runs `body` on a read-only snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try storeErrors(path) {
            return try pool.read { try body($0) }
        }
    }

    /// A transaction object over a read snapshot (for its read functions only).
    func reader(_ db: Database) -> Transaction { Transaction(db: db, committedAt: 0, session: session, cipher: cipher) }

    /// Whether this store's personal columns are sealed (it was created with a key).
    public var encrypted: Bool { cipher.encrypted }

    /// Whether `(platform, eventID)` is in the log already (a read outside any write: callers use
    /// it to skip analysing known duplicates; the append itself decides, inside its transaction).
    public func contains(platform: Platform, eventID: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE platform = ? AND event_id = ?)",
                arguments: [platform.rawValue, eventID]) ?? false
        }
    }

    /// Which of the keys are in the log already, in one read.
    public func stored(_ keys: [(platform: Platform, eventID: String)]) throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try read { db in
            var found: Set<String> = []
            let statement = try db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM events WHERE platform = ? AND event_id = ?)")
            for key in keys {
                if try Bool.fetchOne(statement, arguments: [key.platform.rawValue, key.eventID]) == true {
                    found.insert(key.platform.rawValue + "\u{1F}" + key.eventID)
                }
            }
            return found
        }
    }

    /// Which of the authors (`platform:uid`) the store knows already: an identity row or a binding.
    public func knownAuthors(_ ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            var found: Set<String> = []
            let identity = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM identities WHERE id = ?)")
            let binding = try db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM bindings WHERE platform = ? AND uid = ?)")
            for id in ids {
                guard let colon = id.firstIndex(of: ":") else { continue }
                if try Bool.fetchOne(identity, arguments: [id]) == true
                    || Bool.fetchOne(binding, arguments: [String(id[..<colon]), String(id[id.index(after: colon)...])])
                        == true
                {
                    found.insert(id)
                }
            }
            return found
        }
    }

    /// `PRAGMA integrity_check`'s lines: `["ok"]` for a sound file.
    public func integrityCheck() throws -> [String] {
        try read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
    }

    /// How many rows `table` holds (tests and summaries).
    public func count(_ table: String) throws -> Int {
        guard table.allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw QingtingError(.invalidInput, "not a table name")
        }
        return try read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// The day (`YYYY-MM-DD`, UTC) of a time in milliseconds: the date part of `Timestamp.iso8601`.
    public static func day(_ millis: Int64) -> String { String(Timestamp.iso8601(millis).prefix(10)) }
}

/// The `runs` row of one store object's identities, created by the first transaction that adds
/// identities and remembered once that transaction commits.
final class SessionRun: @unchecked Sendable {
    // @unchecked: read and written only inside `pool.writeWithoutTransaction`, which runs one
    // closure at a time (SQLite's single writer), so no two threads touch it at once.
    var id: Int64?

    func committed(_ tx: CRMStore.Transaction) {
        if let made = tx.madeRun { id = made }
    }
}
