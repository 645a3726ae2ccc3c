internal import GRDB
public import QingtingMatch
import QingtingCore

/// Identity-resolution results in SQLite (GRDB over the system libsqlite3, WAL mode): customers,
/// identities with their customer, cluster, probability, rule, status and explanation, and one
/// row per run. A re-run updates rows in place, reports which clusters merged or split since
/// the last run, and never overrides a decision a person made (`decided_by = 'person'`).
public final class LinkStore {
    /// The schema version this engine writes: the number of named migrations (`PRAGMA
    /// user_version` holds how many a file has applied).
    public static var schemaVersion: Int { StoreSchema.migrations.count }

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

        /// What `link run --store` reports: counts, then up to five merges and five splits.
        public func report(path: String, seconds: Double) -> String {
            var text = "store \(path): run \(run), \(customers) customers and \(identities) identities written (\(linked) linked) in \(NumberFormat.seconds(seconds)); "
            text += "\(merges.count) clusters merged, \(splits.count) split since the last run"
            for m in merges.prefix(5) { text += "\n  merged into \(m.cluster): \(m.previous.joined(separator: ", "))" }
            for sp in splits.prefix(5) { text += "\n  split \(sp.previous) into: \(sp.clusters.joined(separator: ", "))" }
            return text
        }
    }

    /// The open database; GRDB stays behind this file's API.
    let queue: DatabaseQueue
    public let path: String
    /// How names, phones, e-mails and nicknames are sealed (see `CRMStore(path:durability:keys:)`).
    let cipher: FieldCipher

    /// Opens or creates the store at `path` and brings its schema up to date.
    /// - Parameter keys: the keys of an encrypted store, nil for a clear one (as `CRMStore`'s).
    /// - Throws: `QingtingError(.store)` naming the file, also for a file a newer version wrote
    ///   (the message gives its schema version and this engine's), and for keys that do not fit.
    public convenience init(path: String, keys: StoreKeyring? = nil) throws {
        try self.init(path: path, migrations: StoreSchema.migrations, keys: keys)
    }

    /// Opens the store with a given list of migrations (tests add steps on top of the real ones).
    init(path: String, migrations: [StoreMigration], keys: StoreKeyring? = nil) throws {
        self.path = path
        do {
            queue = try StoreSchema.open(path: path, migrations: migrations)
            cipher = try queue.write { try StoreKeys.cipher($0, keyring: keys) }
        } catch var e as QingtingError {
            if e.code == .store, e.location == nil { e.location = path }
            throw e
        } catch {
            throw QingtingError(.store, "\(error)", location: path)
        }
    }

    /// Writes a run's customers and identity links in one `BEGIN IMMEDIATE` transaction;
    /// returns what changed since the last run, which is also appended to the feed (one `merge`
    /// record per merged cluster, one `split` per split one, at `time`, UTC ms) for subscribers.
    public func save(_ run: LinkRun, links: [SocialPreset.IdentityLink], at time: Int64 = 0) throws -> Summary {
        try storeErrors(path) {
            return try queue.writeWithoutTransaction { db in
                var summary: Summary?
                try db.inTransaction(.immediate) {
                    summary = try Self.write(db, run, links, cipher)
                    try Self.appendChanges(summary!, links: links, run: run, db, at: time, cipher)
                    return .commit
                }
                return summary!
            }
        }
    }

    /// The record's columns, then the name's blind index.
    private static let upsertCustomer = """
        INSERT INTO customers (\(CustomerRecord.columnNames.joined(separator: ", ")), name_index)
        VALUES (\(CustomerRecord.columnNames.map { _ in "?" }.joined(separator: ", ")), ?)
        ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, email = excluded.email,
            city = excluded.city, name_index = excluded.name_index
        """

    /// Every column but `platform` and `uid` (fixed by the id) and `decided_by` follows the run;
    /// `customer` and `status` do too unless a person decided the row.
    private static let upsertIdentity = """
        INSERT INTO identities (\(IdentityRecord.columnNames.joined(separator: ", ")))
        VALUES (\(IdentityRecord.columnNames.map { _ in "?" }.joined(separator: ", ")))
        ON CONFLICT(id) DO UPDATE SET nickname = excluded.nickname, cluster = excluded.cluster, run = excluded.run,
            customer = CASE WHEN identities.decided_by = 'person' THEN identities.customer ELSE excluded.customer END,
            probability = excluded.probability, match_weight = excluded.match_weight, rule = excluded.rule,
            status = CASE WHEN identities.decided_by = 'person' THEN identities.status ELSE excluded.status END,
            explain = excluded.explain, via = excluded.via
        """

    private static func write(_ db: Database, _ run: LinkRun, _ links: [SocialPreset.IdentityLink], _ cipher: FieldCipher)
        throws -> Summary
    {
        let records = run.records
        var previous: [String: String] = [:]
        let assignments = try ClusterAssignment.fetchCursor(db, sql: "SELECT id, cluster FROM identities")
        while let a = try assignments.next() { if let id = a.id, let cluster = a.cluster { previous[id] = cluster } }
        let now = Dictionary(uniqueKeysWithValues: links.map { (records.ids[$0.record], $0.cluster) })
        let (merges, splits) = changes(previous: previous, now: now)

        let runId = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM runs") ?? 1
        let linked = links.filter { $0.customer != nil }.count
        try RunRecord(id: runId, records: records.count, linked: linked, merges: merges.count, splits: splits.count)
            .insert(db)

        let customer = try db.makeStatement(sql: upsertCustomer)
        let columns = ["name", "phone", "email", "city"].map { records.column($0) }
        for r in 0..<records.leftCount {
            let row = CustomerRecord(id: records.ids[r], name: columns[0]?.string(r), phone: columns[1]?.string(r),
                                     email: columns[2]?.string(r), city: columns[3]?.string(r))
            try customer.execute(arguments: [
                row.id, cipher.seal(row.name, .customerName), cipher.seal(row.phone, .customerPhone),
                cipher.seal(row.email, .customerEmail), row.city,
                row.name.map { cipher.index($0, label: FieldCipher.nameLabel) },
            ])
        }
        let identity = try db.makeStatement(sql: upsertIdentity)
        let name = records.column("name")
        for link in links {
            let row = IdentityRecord(link, of: run, nickname: name?.string(link.record), runId: runId)
            var values = row.values
            values[3] = cipher.seal(row.nickname, .nickname)
            try identity.execute(arguments: StatementArguments(values))
        }
        return Summary(run: runId, customers: records.leftCount, identities: links.count,
                       linked: linked, merges: merges, splits: splits)
    }

    /// The run's merges and splits as feed records: `customer` is the cluster's customer where the
    /// cluster holds one, `detail` names the clusters before and after.
    private static func appendChanges(_ summary: Summary, links: [SocialPreset.IdentityLink], run: LinkRun,
                                      _ db: Database, at time: Int64, _ cipher: FieldCipher) throws {
        guard !summary.merges.isEmpty || !summary.splits.isEmpty else { return }
        var customerOf: [String: String] = [:]
        for link in links { if let c = link.customer { customerOf[link.cluster] = run.records.ids[c] } }
        func record(_ kind: String, _ key: String, customer: String?, _ detail: (inout JSONWriter) -> Void) throws {
            var w = JSONWriter()
            w.object { w in
                w.member("run", summary.run)
                detail(&w)
            }
            _ = try CRMStore.insertFeed(
                CRMStore.NewFeedRecord(kind: kind, key: "link-run:\(summary.run):\(key)", rule: nil, rulesVersion: nil,
                                       customer: customer, priority: nil, action: nil, status: nil, events: [],
                                       body: w.text, at: time),
                db, committedAt: time, cipher)
        }
        for m in summary.merges {
            try record("merge", "merge:\(m.cluster)", customer: customerOf[m.cluster]) { w in
                w.member("cluster", m.cluster)
                w.member("previous") { w in w.array(m.previous) { w, c in w.string(c) } }
            }
        }
        for sp in summary.splits {
            try record("split", "split:\(sp.previous)", customer: customerOf[sp.previous]) { w in
                w.member("previous", sp.previous)
                w.member("clusters") { w in w.array(sp.clusters) { w, c in w.string(c) } }
            }
        }
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
