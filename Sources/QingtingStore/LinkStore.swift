import QingtingMatch
import QingtingText

/// Identity-resolution results in SQLite (the system libsqlite3, WAL mode): customers,
/// identities with their customer, cluster, probability, rule, status and explanation, and one
/// row per run. A re-run updates rows in place, reports which clusters merged or split since
/// the last run, and never overrides a decision a person made (`decided_by = 'person'`).
public final class LinkStore {
    /// Schema version in `PRAGMA user_version`; migrations run from the file's version up.
    public static let schemaVersion = 1

    public struct Change: Sendable, Equatable {
        /// A cluster of this run and the earlier clusters it joined.
        public var cluster: String
        public var previous: [String]
    }

    public struct Split: Sendable, Equatable {
        /// An earlier cluster and the clusters its identities are in now.
        public var previous: String
        public var clusters: [String]
    }

    public struct Summary: Sendable {
        public var run: Int
        public var customers: Int
        public var identities: Int
        public var linked: Int
        public var merges: [Change]
        public var splits: [Split]
    }

    public let database: SQLiteDatabase

    /// Opens or creates the store at `path` and brings its schema up to date.
    /// - Throws: `MatchError(.store)` naming the file, also for a file a newer version wrote.
    public init(path: String) throws {
        do {
            database = try SQLiteDatabase(path: path)
            try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
            try migrate()
        } catch let e as MatchError { throw e } catch {
            throw MatchError(.store, "\(error)", location: path)
        }
    }

    private func migrate() throws {
        let version = try database.integer("PRAGMA user_version")
        guard version <= Self.schemaVersion else {
            throw MatchError(.store, "the store has schema version \(version); this engine knows up to \(Self.schemaVersion)", location: database.path)
        }
        if version < 1 {
            try database.execute("""
                CREATE TABLE runs (id INTEGER PRIMARY KEY, records INTEGER NOT NULL, linked INTEGER NOT NULL,
                                   merges INTEGER NOT NULL, splits INTEGER NOT NULL);
                CREATE TABLE customers (id TEXT PRIMARY KEY, name TEXT, phone TEXT, email TEXT, city TEXT);
                CREATE TABLE identities (
                    id TEXT PRIMARY KEY, platform TEXT NOT NULL, uid TEXT NOT NULL, nickname TEXT,
                    customer TEXT, cluster TEXT NOT NULL, probability REAL, match_weight REAL, rule TEXT,
                    status TEXT, explain TEXT, via TEXT, decided_by TEXT, run INTEGER NOT NULL REFERENCES runs(id));
                CREATE INDEX identities_customer ON identities(customer);
                CREATE INDEX identities_cluster ON identities(cluster);
                PRAGMA user_version = 1;
                """)
        }
    }

    /// Writes a run's customers and identity links; returns what changed since the last run.
    public func save(_ run: LinkRun, links: [SocialPreset.IdentityLink]) throws -> Summary {
        do {
            return try database.transaction { try write(run, links) }
        } catch let e as MatchError { throw e } catch {
            throw MatchError(.store, "\(error)", location: database.path)
        }
    }

    private func write(_ run: LinkRun, _ links: [SocialPreset.IdentityLink]) throws -> Summary {
        let records = run.records
        var previous: [String: String] = [:]
        let read = try database.prepare("SELECT id, cluster FROM identities")
        while try read.step() { if let id = read.string(0), let c = read.string(1) { previous[id] = c } }
        let now = Dictionary(uniqueKeysWithValues: links.map { (records.ids[$0.record], $0.cluster) })
        let (merges, splits) = Self.changes(previous: previous, now: now)

        let runId = try database.integer("SELECT COALESCE(MAX(id), 0) + 1 FROM runs")
        let insertRun = try database.prepare("INSERT INTO runs (id, records, linked, merges, splits) VALUES (?, ?, ?, ?, ?)")
        insertRun.bind(1, runId)
        insertRun.bind(2, records.count)
        insertRun.bind(3, links.filter { $0.customer != nil }.count)
        insertRun.bind(4, merges.count)
        insertRun.bind(5, splits.count)
        try insertRun.step()

        let customer = try database.prepare("""
            INSERT INTO customers (id, name, phone, email, city) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email, city = excluded.city
            """)
        let columns = ["name", "phone", "email", "city"].map { records.column($0) }
        for r in 0..<records.leftCount {
            customer.bind(1, records.ids[r])
            for (k, c) in columns.enumerated() { customer.bind(Int32(k + 2), c?.string(r)) }
            try customer.step()
            customer.reset()
        }
        let identity = try database.prepare("""
            INSERT INTO identities (id, platform, uid, nickname, customer, cluster, probability, match_weight, rule, status, explain, via, run)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET nickname = excluded.nickname, cluster = excluded.cluster, run = excluded.run,
                customer = CASE WHEN identities.decided_by = 'person' THEN identities.customer ELSE excluded.customer END,
                probability = excluded.probability, match_weight = excluded.match_weight, rule = excluded.rule,
                status = CASE WHEN identities.decided_by = 'person' THEN identities.status ELSE excluded.status END,
                explain = excluded.explain, via = excluded.via
            """)
        let name = records.column("name")
        for link in links {
            let line = SocialPreset.members(link, run: run)
            identity.bind(1, records.ids[link.record])
            identity.bind(2, line["platform"]?.stringValue)
            identity.bind(3, line["uid"]?.stringValue)
            identity.bind(4, name?.string(link.record))
            identity.bind(5, line["customer"]?.stringValue)
            identity.bind(6, link.cluster)
            identity.bind(7, Self.number(line["probability"]))
            identity.bind(8, Self.number(line["match_weight"]))
            identity.bind(9, line["rule"]?.stringValue)
            identity.bind(10, line["status"]?.stringValue)
            var explain = ""
            (line["explain"] ?? .array([])).appendJSON(to: &explain)
            identity.bind(11, explain)
            identity.bind(12, line["via"]?.stringValue)
            identity.bind(13, runId)
            try identity.step()
            identity.reset()
        }
        return Summary(run: runId, customers: records.leftCount, identities: links.count,
                       linked: links.filter { $0.customer != nil }.count, merges: merges, splits: splits)
    }

    private static func number(_ v: JSONValue?) -> Double? {
        if case .number(let s)? = v { return Double(s) }
        return nil
    }

    /// Merges (a cluster now holds identities of several earlier clusters) and splits (an earlier
    /// cluster's identities now sit in several clusters), over identities present in both runs.
    public static func changes(previous: [String: String], now: [String: String]) -> ([Change], [Split]) {
        var before: [String: Set<String>] = [:], after: [String: Set<String>] = [:]
        for (id, cluster) in now {
            guard let old = previous[id] else { continue }
            before[cluster, default: []].insert(old)
            after[old, default: []].insert(cluster)
        }
        let merges = before.filter { $0.value.count > 1 }.map { Change(cluster: $0.key, previous: $0.value.sorted()) }
            .sorted { $0.cluster < $1.cluster }
        let splits = after.filter { $0.value.count > 1 }.map { Split(previous: $0.key, clusters: $0.value.sorted()) }
            .sorted { $0.previous < $1.previous }
        return (merges, splits)
    }
}
