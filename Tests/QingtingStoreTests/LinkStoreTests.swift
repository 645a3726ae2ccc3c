import Foundation
import OrderedCollections
import GRDB
import QingtingMatch
@testable import QingtingStore
import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Link results in SQLite: WAL mode, rows updated in place on a re-run, merges and splits
/// reported, people's decisions kept, newer schemas refused.
@Suite struct LinkStoreTests {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// The social preset on 300 generated customers, at `threshold`, without the comparisons in `drop`.
    func run(threshold: Double, drop: Set<String> = []) throws -> (LinkRun, [SocialPreset.IdentityLink]) {
        let dir = "/tmp/qingting-store-test-\(getpid())"
        mkdir(dir, 0o755)
        let g = IdentityGenerator(customerCount: 300, seed: 5)
        for (name, lines) in [("customers.jsonl", g.customerLines()), ("identities.jsonl", g.identityLines())] {
            try FileIO.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: "\(dir)/\(name)")
        }
        guard case .object(var top) = try JSONValue.parse(SocialPreset.settingsText) else { fatalError() }
        top["threshold"] = .number("\(threshold)")
        if case .array(let comparisons)? = top["comparisons"] {
            top["comparisons"] = .array(comparisons.filter { !drop.contains($0["name"]?.stringValue ?? "") })
        }
        let json = JSONValue.object(top)
        let settings = try LinkSettings(json: json, path: "test")
        let cities = try CityLexicon.load(path: Self.root + "/Lexicons/cities.tsv")
        let records = try SocialPreset.loadRecords(customers: "\(dir)/customers.jsonl", identities: "\(dir)/identities.jsonl",
                                                   settings: settings, cities: cities)
        let run = try LinkPipeline.run(records: records, model: nil, settings: settings, settingsJSON: json)
        return (run, SocialPreset.identityLinks(run))
    }

    /// A fresh path under /tmp, and a function removing it with its WAL files.
    func scratch(_ name: String) -> (String, () -> Void) {
        let path = "/tmp/qingting-store-\(name)-\(getpid()).sqlite"
        let remove = { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        remove()
        return (path, remove)
    }

    func count(_ store: LinkStore, _ sql: String) throws -> Int {
        try store.queue.read { try Int.fetchOne($0, sql: sql) ?? 0 }
    }

    @Test func reRunsUpdateInPlaceAndReportMergesAndSplits() throws {
        let (path, remove) = scratch("rerun")
        defer { remove() }
        let store = try LinkStore(path: path)
        #expect(try store.queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")

        let (first, links) = try run(threshold: 0.5)
        let s1 = try store.save(first, links: links)
        #expect(s1.run == 1 && s1.merges.isEmpty && s1.splits.isEmpty)
        #expect(try count(store, "SELECT COUNT(*) FROM identities") == links.count)
        #expect(try count(store, "SELECT COUNT(*) FROM customers") == 300)
        #expect(try count(store, "SELECT COUNT(*) FROM identities WHERE status = 'confirmed' AND rule IS NOT NULL") > 0)

        // The same run again: same rows, nothing merged or split.
        let s2 = try store.save(first, links: links)
        #expect(s2.run == 2 && s2.merges.isEmpty && s2.splits.isEmpty)
        #expect(try count(store, "SELECT COUNT(*) FROM identities") == links.count)

        // A person's decision survives re-runs.
        try store.queue.write {
            try $0.execute(sql: """
                UPDATE identities SET customer = 'C-person', status = 'confirmed', decided_by = 'person' WHERE rowid = 1
                """)
        }
        _ = try store.save(first, links: links)
        #expect(try count(store, "SELECT COUNT(*) FROM identities WHERE customer = 'C-person'") == 1)

        // A model without the phone and e-mail evidence joins fewer: splits reported; back to
        // the full one: merges.
        let (weak, weakLinks) = try run(threshold: 0.5, drop: ["phone", "email"])
        let s3 = try store.save(weak, links: weakLinks)
        #expect(!s3.splits.isEmpty)
        let s4 = try store.save(first, links: links, at: 1_700_000_000_000)
        #expect(!s4.merges.isEmpty)
        #expect(try store.queue.read { try RunRecord.fetchAll($0) }.map(\.id) == [1, 2, 3, 4, 5])
        // Each merge and split is a feed record, named by its run and clusters.
        #expect(try count(store, "SELECT COUNT(*) FROM feed WHERE kind = 'split'") == s3.splits.count)
        #expect(try count(store, "SELECT COUNT(*) FROM feed WHERE kind = 'merge'") == s4.merges.count)
        let merge = try store.queue.read { try String.fetchOne($0, sql: "SELECT body FROM feed WHERE kind = 'merge' LIMIT 1") }
        #expect(merge?.hasPrefix(#"{"run":5,"cluster":""#) == true)
    }

    /// The review queue lists undecided suggested links, least certain first; a confirmation and
    /// a rejection leave the queue and survive a re-run; unknown ids are clear errors without the id.
    @Test func reviewQueueDecisionsSurviveReRuns() throws {
        let (path, remove) = scratch("review")
        defer { remove() }
        let store = try LinkStore(path: path)
        let (first, links) = try run(threshold: 0.5)
        _ = try store.save(first, links: links)
        let queue = try store.reviewQueue(from: 0.5, below: 2, limit: 10_000)
        let suggested = links.filter { $0.customer != nil && $0.pair?.rule ?? -1 < 0 }
        #expect(queue.count == suggested.count && queue.count >= 2)
        #expect(zip(queue, queue.dropFirst()).allSatisfy { $0.probability <= $1.probability })
        #expect(try store.reviewQueue(from: 0.5, below: 0.6, limit: 10_000).allSatisfy { $0.probability < 0.6 })
        let (a, b) = (queue[0], queue[1])
        #expect(try store.decide(identity: a.identity, .reject) == nil)
        let other = try #require(first.records.ids.first { $0 != b.customer && !$0.contains(":") })
        #expect(try store.decide(identity: b.identity, .confirm(customer: other)) == other)
        _ = try store.save(first, links: links)
        let rows = try store.queue.read { try IdentityRecord.fetchAll($0) }
        let byId = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })
        #expect(byId[a.identity]?.customer == nil && byId[a.identity]?.status == "rejected")
        #expect(byId[b.identity]?.customer == other && byId[b.identity]?.status == "confirmed")
        let after = try store.reviewQueue(from: 0.5, below: 2, limit: 10_000).map(\.identity)
        #expect(!after.contains(a.identity) && !after.contains(b.identity) && after.count == queue.count - 2)
        #expect { try store.decide(identity: "weibo:nobody", .reject) } throws: { !"\($0)".contains("nobody") }
        #expect { try store.decide(identity: a.identity, .confirm(customer: nil)) } throws: { "\($0)".contains("--customer") }
        #expect { try store.decide(identity: a.identity, .confirm(customer: "C-none")) } throws: { !"\($0)".contains("C-none") }
    }

    @Test func clusterChangesAreComparedPerIdentity() {
        let (merges, splits) = LinkStore.changes(previous: ["a": "1", "b": "2", "c": "3", "d": "3"],
                                                 now: ["a": "X", "b": "X", "c": "3", "d": "4", "e": "5"])
        #expect(merges.map(\.cluster) == ["X"] && merges.first?.previous == ["1", "2"])
        #expect(splits.map(\.previous) == ["3"] && splits.first?.clusters == ["3", "4"])
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let (path, remove) = scratch("new")
        defer { remove() }
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 99") }
        let error = #expect(throws: QingtingError.self) { _ = try LinkStore(path: path) }
        #expect(error?.description == "\(path): the store has schema version 99; this engine knows up to 10 (v10-kpi-crossing)")
    }

    /// A file with a migration this engine has not registered is refused by name, and its
    /// user_version (11) also makes an engine from before the migrator refuse it.
    @Test func aStoreWithAnUnknownMigrationIsRefused() throws {
        let (path, remove) = scratch("unknown")
        defer { remove() }
        _ = try LinkStore(path: path, migrations: StoreSchema.migrations + [Self.throwaway])
        let error = #expect(throws: QingtingError.self) { _ = try LinkStore(path: path) }
        #expect(error?.description
                == "\(path): the store has schema version 11 (migrations v11-test-notes); this engine knows up to 10 (v10-kpi-crossing)")
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == 11)
    }

    static let throwaway = StoreMigration(name: "v11-test-notes") { db in
        try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, identity TEXT REFERENCES identities(id), body TEXT)")
    }

    /// The exact DDL the store wrote before named migrations (user_version 1, WAL).
    static let legacySchema = """
        PRAGMA journal_mode=WAL;
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
        """

    static func schema(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read {
            try String.fetchAll($0, sql: """
                SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
                WHERE tbl_name <> 'grdb_migrations' ORDER BY name
                """)
        }
    }

    /// A file today's engine wrote opens at "v1-links": nothing recreated, its rows and a
    /// person's decision kept through the next run.
    @Test func aStoreFromBeforeTheMigratorOpensAtItsFirstMigration() throws {
        let (path, remove) = scratch("legacy")
        defer { remove() }
        let (first, links) = try run(threshold: 0.5)
        let personal = first.records.ids[links[0].record]
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: Self.legacySchema)
            try db.execute(sql: """
                INSERT INTO runs VALUES (1, 10, 5, 0, 0);
                INSERT INTO customers VALUES ('C-old', '张三', '13800000000', NULL, '上海');
                INSERT INTO identities (id, platform, uid, customer, cluster, status, explain, decided_by, run)
                    VALUES (?, 'x', 'y', 'C-person', 'k1', 'confirmed', '[]', 'person', 1);
                """, arguments: [personal])
        }
        let legacy = try Self.schema(path)

        // With the first migration alone, the file is already at it: nothing recreated.
        let first1 = try LinkStore(path: path, migrations: Array(StoreSchema.migrations.prefix(1)))
        let (applied1, version1) = try first1.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(applied1 == ["v1-links"] && version1 == 1)
        #expect(try Self.schema(path) == legacy)

        // Today's engine adds the event log and the profiles on top.
        let store = try LinkStore(path: path)
        let (applied, version) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        #expect(applied == ["v1-links", "v2-events", "v3-profiles", "v4-rules", "v5-report", "v6-audit", "v7-redaction", "v8-encryption", "v9-audit-window", "v10-kpi-crossing"] && version == 10)
        #expect(try store.queue.read { try CustomerRecord.fetchOne($0, key: "C-old") }?.name == "张三")

        let summary = try store.save(first, links: links)
        #expect(summary.run == 2)
        let kept = try store.queue.read { try IdentityRecord.fetchOne($0, key: personal) }
        #expect(kept?.customer == "C-person" && kept?.decidedBy == "person" && kept?.run == 2)

        // A fresh store has the same schema text as the upgraded one.
        let (fresh, removeFresh) = scratch("fresh")
        defer { removeFresh() }
        _ = try LinkStore(path: fresh)
        #expect(try Self.schema(fresh) == Self.schema(path))
    }

    /// A migration registered after "v1-links" applies on top of a store already holding rows.
    @Test func aSecondMigrationAppliesOnTop() throws {
        let (path, remove) = scratch("second")
        defer { remove() }
        let (first, links) = try run(threshold: 0.5)
        _ = try LinkStore(path: path).save(first, links: links)

        let store = try LinkStore(path: path, migrations: StoreSchema.migrations + [Self.throwaway])
        let (applied, version, tables) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"), try db.tableExists("notes"))
        }
        #expect(applied == ["v1-links", "v2-events", "v3-profiles", "v4-rules", "v5-report", "v6-audit", "v7-redaction", "v8-encryption", "v9-audit-window", "v10-kpi-crossing", "v11-test-notes"] && version == 11 && tables)
        #expect(try count(store, "SELECT COUNT(*) FROM identities") == links.count)
        #expect(try store.save(first, links: links).run == 2)
        // Opening again with both steps changes nothing.
        _ = try LinkStore(path: path, migrations: StoreSchema.migrations + [Self.throwaway])
    }

    @Test func recordsRoundTrip() throws {
        let (path, remove) = scratch("records")
        defer { remove() }
        let store = try LinkStore(path: path)
        let run = RunRecord(id: 7, records: 3, linked: 1, merges: 0, splits: 2)
        let customer = CustomerRecord(id: "C1", name: "李四", phone: nil, email: "li@example.com", city: "北京")
        let identity = IdentityRecord(id: "weibo:1", platform: "weibo", uid: "1", nickname: nil, customer: "C1",
                                      cluster: "C1", probability: 0.9876, matchWeight: -1.25, rule: nil,
                                      status: "suggested", explain: "[]", via: "douyin:2", decidedBy: "person", run: 7)
        try store.queue.write { db in
            try run.insert(db)
            try customer.insert(db)
            try identity.insert(db)
        }
        let back = try store.queue.read { db in
            (try RunRecord.fetchAll(db), try CustomerRecord.fetchAll(db), try IdentityRecord.fetchAll(db))
        }
        #expect(back.0 == [run] && back.1 == [customer] && back.2 == [identity])
    }

    /// Every stored identity row carries the values of its link's JSON line.
    @Test func storedRowsMatchTheLinkLines() throws {
        let (path, remove) = scratch("lines")
        defer { remove() }
        let store = try LinkStore(path: path)
        let (first, links) = try run(threshold: 0.5)
        _ = try store.save(first, links: links)
        let stored = try store.queue.read { try IdentityRecord.fetchAll($0) }
        let rows = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0) })
        let number = { (v: JSONValue?) -> Double? in
            if case .number(let s)? = v { return Double(s) } else { return nil }
        }
        var mismatches = 0
        for link in links {
            let line = SocialPreset.members(link, run: first)
            guard let row = rows[first.records.ids[link.record]] else { mismatches += 1; continue }
            let explain = (line["explain"] ?? .array([])).jsonText
            let strings: [(String?, String)] = [
                (row.platform, "platform"), (row.uid, "uid"), (row.customer, "customer"), (row.cluster, "cluster"),
                (row.rule, "rule"), (row.status, "status"), (row.via, "via"),
            ]
            var same = strings.allSatisfy { $0.0 == line[$0.1]?.stringValue }
            same = same && row.probability == number(line["probability"])
            same = same && row.matchWeight == number(line["match_weight"]) && row.explain == explain
            if !same { mismatches += 1 }
        }
        #expect(mismatches == 0 && rows.count == links.count)
        #expect(links.contains { $0.via != nil } && links.contains { $0.pair == nil || $0.customer == nil })
    }

    /// A link store opened with a key seals names, phones, e-mails and nicknames: none is in the
    /// file, the review queue reads them back as the clear store's does, and a search by name
    /// finds the same customers through the blind index.
    @Test func anEncryptedLinkStoreSealsNamesPhonesEmailsAndNicknames() throws {
        let (path, remove) = scratch("sealed")
        let (clearPath, removeClear) = scratch("sealed-clear")
        let keyPath = "/tmp/qingting-store-sealed-\(getpid()).key"
        unlink(keyPath)
        defer { remove(); removeClear(); unlink(keyPath) }
        try StoreKey.generate(keyPath)
        let keys = StoreKeyring([try StoreKey.load(keyPath)])
        let (first, links) = try run(threshold: 0.5)
        let store = try LinkStore(path: path, keys: keys)
        _ = try store.save(first, links: links)
        let clear = try LinkStore(path: clearPath)
        _ = try clear.save(first, links: links)

        let queue = try store.reviewQueue(from: 0.5, below: 0.99, limit: 1000)
        let clearQueue = try clear.reviewQueue(from: 0.5, below: 0.99, limit: 1000)
        #expect(!queue.isEmpty && queue == clearQueue)
        #expect(queue.contains { $0.nickname != nil })
        let kinds = try store.queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT typeof(name) FROM customers UNION SELECT DISTINCT typeof(phone) FROM customers
                UNION SELECT DISTINCT typeof(email) FROM customers UNION SELECT DISTINCT typeof(nickname) FROM identities
                """)
        }
        #expect(Set(kinds).isSubset(of: ["blob", "null"]))

        let values = try clear.queue.read { db in
            try String.fetchAll(db, sql: """
                SELECT value FROM (SELECT name AS value FROM customers UNION SELECT phone FROM customers
                    UNION SELECT email FROM customers UNION SELECT nickname FROM identities)
                WHERE length(value) >= 3 ORDER BY value LIMIT 40
                """)
        }
        try store.queue.writeWithoutTransaction { _ = try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
            + [UInt8](FileManager.default.contents(atPath: path + "-wal") ?? Data())
        let file = String(decoding: bytes.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        #expect(values.count == 40)
        for value in values { #expect(!file.contains(value), "a value of the clear store is in the sealed file") }

        let name = try #require(try clear.queue.read { try String.fetchOne($0, sql: "SELECT name FROM customers WHERE name IS NOT NULL ORDER BY id") })
        let (sealedIDs, clearIDs) = (try CRMStore(path: path, keys: keys).customers(named: name),
                                     try CRMStore(path: clearPath).customers(named: name))
        #expect(!sealedIDs.isEmpty && sealedIDs == clearIDs)
    }
}
