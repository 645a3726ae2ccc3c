import GRDB
import QingtingCore
@testable import QingtingStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The audit log: a hash chain that `verifyAudit` checks (an edit, a deletion or a replaced
/// row is named by its seq), append-only triggers, queries, and the unusual-access alert.
@Suite struct AuditLogTests {
    func scratch(_ name: String) -> (String, () -> Void) {
        let path = "/tmp/qingting-audit-\(name)-\(getpid()).sqlite"
        let remove = { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        remove()
        return (path, remove)
    }

    static let t0: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    func entry(_ minute: Int64, token: String? = "ops", uid: UInt32? = 1000, method: String = "customer.get",
               customers: [String], error: Int? = nil) -> CRMStore.AuditEntry {
        CRMStore.AuditEntry(at: Self.t0 + minute * 60_000, uid: uid, token: token, role: token == nil ? nil : "analyst",
                            method: method, access: .read, customers: customers, fields: ["profile"], error: error)
    }

    /// Three records C1, C2, C3 (one customer each), a minute apart.
    func threeRecords(_ path: String) throws -> CRMStore {
        let store = try CRMStore(path: path, durability: .normal)
        for (i, c) in ["C1", "C2", "C3"].enumerated() { try store.appendAudit(entry(Int64(i), customers: [c])) }
        return store
    }

    /// Edits the file behind the engine's back, as someone with the file could (triggers dropped).
    func tamper(_ path: String, _ sql: String) throws {
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + sql)
        }
    }

    @Test func theChainHoldsAndLinksEachRecordToTheOneBefore() throws {
        let (path, remove) = scratch("holds")
        defer { remove() }
        let store = try threeRecords(path)
        let records = try store.audit()
        #expect(records.map(\.seq) == [1, 2, 3])
        #expect(records[0].prevHash == CRMStore.auditGenesis)
        #expect(records[1].prevHash == records[0].hash && records[2].prevHash == records[1].hash)
        #expect(records.allSatisfy { $0.hash.utf8.count == 64 })
        let verified = try store.verifyAudit()
        #expect(verified == CRMStore.AuditVerification(records: 3, head: records[2].hash, brokenAt: nil, reason: nil))
        #expect(verified.json == #"{"ok":true,"records":3,"head":"\#(records[2].hash)"}"#)
        // An empty log holds.
        let (empty, removeEmpty) = scratch("empty")
        defer { removeEmpty() }
        #expect(try CRMStore(path: empty).verifyAudit().holds)
    }

    @Test func theEngineCannotUpdateOrDeleteARecord() throws {
        let (path, remove) = scratch("triggers")
        defer { remove() }
        _ = try threeRecords(path)
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE audit SET customers = '[]' WHERE seq = 2") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM audit WHERE seq = 2") } }
    }

    @Test func anEditedRecordBreaksTheChainAtItsSeq() throws {
        let (path, remove) = scratch("edited")
        defer { remove() }
        let store = try threeRecords(path)
        try tamper(path, #"UPDATE audit SET customers = '["C9"]' WHERE seq = 2"#)
        let verified = try store.verifyAudit()
        #expect(verified.brokenAt == 2 && verified.reason == "hash" && verified.records == 1)
        #expect(verified.json == #"{"ok":false,"records":1,"broken_at":2,"reason":"hash"}"#)
    }

    @Test func aColumnEditedToAnotherTypeIsCaughtToo() throws {
        let (path, remove) = scratch("retyped")
        defer { remove() }
        let store = try threeRecords(path)
        try tamper(path, "UPDATE audit SET uid = 'x' WHERE seq = 3")
        #expect(try store.verifyAudit().brokenAt == 3)
    }

    @Test func aDeletedRecordIsNamedAsMissing() throws {
        let (path, remove) = scratch("deleted")
        defer { remove() }
        let store = try threeRecords(path)
        try tamper(path, "DELETE FROM audit WHERE seq = 2")
        let verified = try store.verifyAudit()
        #expect(verified.brokenAt == 2 && verified.reason == "missing")
    }

    /// A record replaced by one whose own hash is right still breaks the chain at the next seq.
    @Test func aReplacedRecordBreaksTheLinkToTheNext() throws {
        let (path, remove) = scratch("replaced")
        defer { remove() }
        let store = try threeRecords(path)
        let second = try #require(try store.audit().first { $0.seq == 2 })
        var forged = second.entry
        forged.customers = ["C9"]
        let hash = CRMStore.auditHash(prevHash: second.prevHash, CRMStore.auditValues(seq: 2, forged))
        try tamper(path, #"UPDATE audit SET customers = '["C9"]', hash = '\#(hash)' WHERE seq = 2"#)
        let verified = try store.verifyAudit()
        #expect(verified.brokenAt == 3 && verified.reason == "chain")
    }

    @Test func queriesFilterByWhoCustomerAndSince() throws {
        let (path, remove) = scratch("query")
        defer { remove() }
        let store = try threeRecords(path)
        try store.appendAudit(entry(10, token: nil, uid: 1001, customers: ["C1", "C4"], error: -32004))
        #expect(try store.audit(who: "ops").map(\.seq) == [1, 2, 3])
        #expect(try store.audit(who: "1001").map(\.seq) == [4])
        #expect(try store.audit(customer: "C1").map(\.seq) == [1, 4])
        #expect(try store.audit(since: Self.t0 + 2 * 60_000).map(\.seq) == [3, 4])
        #expect(try store.audit(who: "ops", customer: "C2").map(\.seq) == [2])
        let refused = try #require(try store.audit(who: "1001").first)
        #expect(refused.entry.outcome == "refused" && refused.entry.error == -32004 && refused.entry.token == nil)
        var w = JSONWriter()
        refused.write(to: &w)
        #expect(w.text.hasPrefix(#"{"seq":4,"at":"2026-01-01T00:10:00.000Z","uid":1001,"token":null,"role":null,"method":"customer.get","access":"read","customers":["C1","C4"],"customer_count":2,"fields":["profile"],"outcome":"refused","error":-32004,"prev_hash":""#))
    }

    @Test func aHugeListIsCappedAndCounted() throws {
        let (path, remove) = scratch("capped")
        defer { remove() }
        let store = try CRMStore(path: path, durability: .normal)
        let ids = (0..<2500).map { "C\($0)" }
        let record = try store.appendAudit(entry(0, customers: ids), unusual: CRMStore.UnusualAccess(maxCustomers: 10_000))
        #expect(record.entry.customers.count == CRMStore.AuditEntry.maxListedCustomers)
        #expect(record.entry.customerCount == 2500)
        #expect(try store.verifyAudit().holds)
    }

    @Test func oneCallerReadingTooManyCustomersRaisesOneAlertPerWindow() throws {
        let (path, remove) = scratch("unusual")
        defer { remove() }
        let store = try CRMStore(path: path, durability: .normal)
        let unusual = CRMStore.UnusualAccess(maxCustomers: 3, windowMillis: 3_600_000)
        try store.appendAudit(entry(0, customers: ["C1", "C2"]), unusual: unusual)
        try store.appendAudit(entry(1, customers: ["C2", "C3"]), unusual: unusual)  // 3 distinct: not over
        // Another caller's reads and refused calls do not count toward ops.
        try store.appendAudit(entry(2, token: "other", customers: ["C7", "C8", "C9"]), unusual: unusual)
        try store.appendAudit(entry(3, customers: ["C5"], error: -32004), unusual: unusual)
        #expect(try store.feed(since: 0).isEmpty)
        try store.appendAudit(entry(4, customers: ["C4"]), unusual: unusual)  // 4 distinct
        try store.appendAudit(entry(5, customers: ["C6"]), unusual: unusual)  // still the same window: no second alert
        let alerts = try store.feed(since: 0)
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect(alert.record.kind == "alert" && alert.record.rule == "audit-unusual-access" && alert.record.priority == "high")
        #expect(alert.record.body == #"{"who":"ops","uid":1000,"token":"ops","customers":4,"threshold":3,"window_seconds":3600,"audit_seq":5,"method":"customer.get"}"#)
        // Reads older than the window no longer count: two hours later, one customer is not unusual.
        try store.appendAudit(entry(125, customers: ["C1"]), unusual: unusual)
        #expect(try store.feed(since: 0).count == 1)
    }

    /// Customers a capped list only counted add to the caller's total; the alert gives the exact
    /// count however far past the threshold one call goes.
    @Test func countedButUnlistedCustomersAddToTheWindow() throws {
        let (path, remove) = scratch("unlisted")
        defer { remove() }
        let store = try CRMStore(path: path, durability: .normal)
        let unusual = CRMStore.UnusualAccess(maxCustomers: 2000, windowMillis: 3_600_000)
        try store.appendAudit(entry(0, customers: (0..<1500).map { "C\($0)" }), unusual: unusual)
        #expect(try store.feed(since: 0).isEmpty)
        try store.appendAudit(entry(1, customers: (1500..<2600).map { "C\($0)" }), unusual: unusual)
        let alert = try #require(try store.feed(since: 0).first)
        // 1,000 + 1,000 listed, 500 + 100 only counted.
        #expect(alert.record.body.contains(#""customers":2600,"threshold":2000"#))
    }

    /// A store written before the counts were kept (v8) gets them from its audit rows: the
    /// caller's earlier reads still count toward the window after the upgrade.
    @Test func aStoreFromBeforeTheCountsKeepsItsCallersReads() throws {
        let (path, remove) = scratch("upgrade")
        defer { remove() }
        _ = try LinkStore(path: path, migrations: Array(StoreSchema.migrations.prefix(8)))
        try DatabaseQueue(path: path).write { db in
            for (seq, customers) in [(1, #"["C1","C2"]"#), (2, #"["C3"]"#)] {
                try db.execute(sql: """
                    INSERT INTO audit (seq, at, uid, token, role, method, access, customers, customer_count, fields,
                                       outcome, error, prev_hash, hash)
                    VALUES (?, ?, 1000, 'ops', 'analyst', 'customer.get', 'read', ?, ?, '["profile"]', 'allowed', NULL, '', '')
                    """, arguments: [seq, Self.t0 + Int64(seq) * 60_000, customers, seq == 1 ? 2 : 1])
            }
        }
        let store = try CRMStore(path: path, durability: .normal)
        let unusual = CRMStore.UnusualAccess(maxCustomers: 3, windowMillis: 3_600_000)
        try store.appendAudit(entry(5, customers: ["C4"]), unusual: unusual)
        let alert = try #require(try store.feed(since: 0).first)
        #expect(alert.record.body.contains(#""customers":4,"threshold":3"#))
    }

    @Test func aTokenIsRecordedByAShortHashNeverItself() {
        // printf s3cret | sha256sum → 1ec1c26b50d5…
        #expect(CRMStore.tokenFingerprint("s3cret") == "sha256:1ec1c26b")
    }
}
