internal import Crypto
internal import GRDB
public import QingtingCore
import QingtingIngest

/// The audit log: one hash-chained row per call that read or changed personal data (the server
/// appends them; see "Audit log" in the README). Rows are only ever appended, each in its own
/// transaction; `verifyAudit` recomputes the chain.
extension CRMStore {
    /// What a call did with personal data.
    public enum AuditAccess: String, Sendable, CaseIterable {
        /// Read customers' data (a profile, a search, members, tickets, feed records).
        case read
        /// Changed it (appended events, updated a ticket, acknowledged an action).
        case change
        /// Read only counts over customers (KPIs, A/B results, segment sizes).
        case aggregate
    }

    /// One call, as the audit log records it (the store adds `seq` and the hashes).
    public struct AuditEntry: Sendable, Equatable {
        /// Epoch ms.
        public var at: Int64
        /// The peer's uid (nil: called in-process).
        public var uid: UInt32?
        /// The name of the role token the call carried (never the token itself), nil without one.
        public var token: String?
        /// The token's role, nil without a (known) token.
        public var role: String?
        public var method: String
        public var access: AuditAccess
        /// Customer ids, distinct and sorted, at most `maxListedCustomers`.
        public var customers: [String]
        /// How many customers the call touched (more than `customers.count` when the list was capped,
        /// or when a call reports a count without ids, e.g. an audience export).
        public var customerCount: Int
        /// The kinds of personal data involved (`profile`, `phone`, `events`, …).
        public var fields: [String]
        /// nil: allowed (answered); else the JSON-RPC error code the call was refused with.
        public var error: Int?

        /// Most ids a row lists; the rest are only counted.
        public static let maxListedCustomers = 1000

        public init(at: Int64, uid: UInt32?, token: String?, role: String?, method: String, access: AuditAccess,
                    customers: [String], customerCount: Int? = nil, fields: [String], error: Int?) {
            let distinct = Array(Set(customers)).sorted()
            self.at = at
            self.uid = uid
            self.token = token
            self.role = role
            self.method = method
            self.access = access
            self.customers = Array(distinct.prefix(Self.maxListedCustomers))
            self.customerCount = max(customerCount ?? distinct.count, distinct.count)
            self.fields = fields
            self.error = error
        }

        public var outcome: String { error == nil ? "allowed" : "refused" }
    }

    /// A row of the audit log.
    public struct AuditRecord: Sendable, Equatable {
        public var seq: Int64
        public var entry: AuditEntry
        public var prevHash: String
        public var hash: String

        /// `{"seq","at","uid","token","role","method","access","customers","customer_count","fields","outcome","error",
        /// "prev_hash","hash"}` with `at` in ISO 8601 (what `qingting audit` prints).
        public func write(to w: inout JSONWriter) {
            w.object { w in
                CRMStore.writeAuditMembers(seq, entry, at: .string(Timestamp.iso8601(entry.at)), to: &w)
                w.member("prev_hash", prevHash)
                w.member("hash", hash)
            }
        }
    }

    /// When one caller's reading is unusual: more than `maxCustomers` distinct customers within
    /// `windowMillis` (by the same token name, or the same uid for calls without a token).
    public struct UnusualAccess: Sendable {
        public var maxCustomers = 1000
        public var windowMillis: Int64 = 3_600_000
        public init(maxCustomers: Int = 1000, windowMillis: Int64 = 3_600_000) {
            self.maxCustomers = maxCustomers
            self.windowMillis = windowMillis
        }
    }

    /// What `verifyAudit` found.
    public struct AuditVerification: Sendable, Equatable {
        /// Rows read (all of them when the chain holds; up to the break otherwise).
        public var records: Int64
        /// The last row's hash when the chain holds (write it down: deleting rows at the end
        /// leaves a shorter chain that still holds, which only a known head shows).
        public var head: String?
        /// The first seq where the chain breaks, nil when it holds.
        public var brokenAt: Int64?
        /// `missing` (seqs skipped: rows deleted), `hash` (the row does not match its hash: edited),
        /// `chain` (its prev_hash is not the hash of the row before: a row replaced or inserted).
        public var reason: String?

        public var holds: Bool { brokenAt == nil }

        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("ok", holds)
                w.member("records", records)
                if let head { w.member("head", head) }
                if let brokenAt { w.member("broken_at", brokenAt) }
                if let reason { w.member("reason", reason) }
            }
            return w.text
        }
    }

    /// The `prev_hash` of the first row.
    public static let auditGenesis = String(repeating: "0", count: 64)

    /// The columns the hash covers, in this order.
    static let hashedColumns = [
        "seq", "at", "uid", "token", "role", "method", "access", "customers", "customer_count", "fields", "outcome", "error",
    ]

    /// SHA-256 of `prevHash`'s bytes followed by the canonical record, lower-case hex. The
    /// canonical record is a JSON object of `hashedColumns` written from the values as stored
    /// (integers as numbers, `customers` and `fields` as their stored JSON text), so append and
    /// verify hash the same bytes, and any edit of a column — even to a value of another type —
    /// changes them.
    static func auditHash(prevHash: String, _ values: [DatabaseValue]) -> String {
        var w = JSONWriter()
        w.object { w in
            for (name, value) in zip(hashedColumns, values) {
                w.key(name)
                switch value.storage {
                case .null: w.null()
                case .int64(let n): w.int(n)
                case .double(let x): w.string("real:\(x)")
                case .string(let text): if name == "customers" || name == "fields" { w.raw(text) } else { w.string(text) }
                case .blob(let bytes): w.string("blob:" + BinaryFormat.hex(bytes))
                }
            }
        }
        var hasher = SHA256()
        hasher.update(data: Array(prevHash.utf8))
        hasher.update(data: Array(w.text.utf8))
        return BinaryFormat.hex(hasher.finalize())
    }

    /// The stored values of `hashedColumns` for an entry.
    static func auditValues(seq: Int64, _ e: AuditEntry) -> [DatabaseValue] {
        [seq.databaseValue, e.at.databaseValue, e.uid.map(Int64.init).databaseValue, e.token.databaseValue,
         e.role.databaseValue, e.method.databaseValue, e.access.rawValue.databaseValue,
         stringsJSON(e.customers).databaseValue, Int64(e.customerCount).databaseValue,
         stringsJSON(e.fields).databaseValue, e.outcome.databaseValue, e.error.map(Int64.init).databaseValue]
    }

    /// The record's members in the order of `hashedColumns` (for display).
    static func writeAuditMembers(_ seq: Int64, _ e: AuditEntry, at: JSONValue, to w: inout JSONWriter) {
        w.member("seq", seq)
        w.member("at", at)
        w.member("uid", e.uid.map { JSONValue.number("\($0)") } ?? .null)
        w.member("token", e.token.map(JSONValue.string) ?? .null)
        w.member("role", e.role.map(JSONValue.string) ?? .null)
        w.member("method", e.method)
        w.member("access", e.access.rawValue)
        w.member("customers") { w in w.array(e.customers) { w, c in w.string(c) } }
        w.member("customer_count", e.customerCount)
        w.member("fields") { w in w.array(e.fields) { w, f in w.string(f) } }
        w.member("outcome", e.outcome)
        w.member("error", e.error.map { JSONValue.number("\($0)") } ?? .null)
    }


    /// The name a token without one in the token file is recorded under: `sha256:` and the first 8
    /// hex digits of its SHA-256 — enough to tell tokens apart, not to recover one.
    public static func tokenFingerprint(_ token: String) -> String {
        "sha256:" + BinaryFormat.hex(SHA256.hash(data: Array(token.utf8))).prefix(8)
    }

    /// Appends `entry` in a transaction of its own and returns its row; when the entry read
    /// customers and its caller has now read more than `unusual.maxCustomers` distinct customers
    /// within the window, also appends an `alert` feed record (rule `audit-unusual-access`, one
    /// per caller and window) in the same transaction.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry, unusual: UnusualAccess = UnusualAccess()) throws -> AuditRecord {
        try write(now: entry.at) { tx in
            let db = tx.db
            let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
            let seq: Int64 = (last?[0] ?? 0) + 1
            let prev: String = last?[1] ?? Self.auditGenesis
            let values = Self.auditValues(seq: seq, entry)
            let hash = Self.auditHash(prevHash: prev, values)
            try db.cachedStatement(sql: """
                INSERT INTO audit (\(Self.hashedColumns.joined(separator: ", ")), prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments(values + [prev.databaseValue, hash.databaseValue]))
            if entry.error == nil, entry.access != .aggregate {
                try Self.recordReads(entry, tx)
                if entry.customerCount > 0 { try Self.checkUnusualAccess(entry, seq: seq, unusual, tx) }
            }
            return AuditRecord(seq: seq, entry: entry, prevHash: prev, hash: hash)
        }
    }

    /// Who made a call, as `audit_reads` and `audit_unlisted` key it: the token name, or the uid
    /// for a call without a token.
    static func auditActor(_ e: AuditEntry) -> String {
        e.token.map { "t:" + $0 } ?? "u:" + (e.uid.map { String($0) } ?? "")
    }

    /// Keeps the unusual-access counts (`v9AuditWindow`): the customers an allowed call listed,
    /// with this call's time, and the ones it only counted.
    private static func recordReads(_ e: AuditEntry, _ tx: Transaction) throws {
        let actor = auditActor(e)
        let upsert = try tx.db.cachedStatement(sql: """
            INSERT INTO audit_reads (actor, customer, last_at) VALUES (?, ?, ?)
            ON CONFLICT (actor, customer) DO UPDATE SET last_at = MAX(last_at, excluded.last_at)
            """)
        for customer in e.customers { try upsert.execute(arguments: [actor, customer, e.at]) }
        if e.customerCount > e.customers.count {
            try tx.db.cachedStatement(sql: "INSERT INTO audit_unlisted (actor, at, count) VALUES (?, ?, ?)")
                .execute(arguments: [actor, e.at, e.customerCount - e.customers.count])
        }
    }

    /// Raises `audit-unusual-access` when the caller has now read more than the threshold of
    /// distinct customers within the window. The listed ones are counted only up to one past the
    /// threshold (an index range, however busy the caller), and exactly only when an alert for
    /// this window is not there yet.
    private static func checkUnusualAccess(_ e: AuditEntry, seq: Int64, _ unusual: UnusualAccess, _ tx: Transaction) throws {
        let actor = auditActor(e)
        let since = e.at - unusual.windowMillis
        let unlisted = try Int.fetchOne(tx.db.cachedStatement(sql: """
            SELECT COALESCE(SUM(count), 0) FROM audit_unlisted WHERE actor = ? AND at > ?
            """), arguments: [actor, since]) ?? 0
        let enough = unusual.maxCustomers - unlisted + 1
        let listedUpTo = enough <= 0 ? 0 : try Int.fetchOne(tx.db.cachedStatement(sql: """
            SELECT COUNT(*) FROM (SELECT 1 FROM audit_reads WHERE actor = ? AND last_at > ? LIMIT ?)
            """), arguments: [actor, since, enough]) ?? 0
        guard listedUpTo + unlisted > unusual.maxCustomers else { return }
        let who = e.token ?? e.uid.map { "uid:\($0)" } ?? "in-process"
        let bucket = e.at / max(unusual.windowMillis, 1)
        let key = "audit-unusual-access|\(who)|\(bucket)"
        if try Bool.fetchOne(tx.db.cachedStatement(sql: "SELECT 1 FROM feed WHERE key = ?"), arguments: [key]) == true {
            return
        }
        let listed = try Int.fetchOne(tx.db.cachedStatement(sql: """
            SELECT COUNT(*) FROM audit_reads WHERE actor = ? AND last_at > ?
            """), arguments: [actor, since]) ?? 0
        let total = listed + unlisted
        var w = JSONWriter()
        w.object { w in
            w.member("who", who)
            w.member("uid", e.uid.map { JSONValue.number("\($0)") } ?? .null)
            w.member("token", e.token.map(JSONValue.string) ?? .null)
            w.member("customers", total)
            w.member("threshold", unusual.maxCustomers)
            w.member("window_seconds", unusual.windowMillis / 1000)
            w.member("audit_seq", seq)
            w.member("method", e.method)
        }
        _ = try tx.appendFeed(NewFeedRecord(
            kind: "alert", key: key, rule: "audit-unusual-access", rulesVersion: nil,
            customer: nil, priority: "high", action: nil, status: nil, events: [], body: w.text, at: e.at))
    }

    static func stringsJSON(_ items: [String]) -> String {
        var w = JSONWriter()
        w.array(items) { w, s in w.string(s) }
        return w.text
    }

    /// Audit rows in seq order: by `who` (a token name, or a uid written in decimal), that list
    /// `customer`, at or after `since` (epoch ms); nil matches all.
    public func audit(who: String? = nil, customer: String? = nil, since: Int64? = nil) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let who {
            conditions.append("(token = ? OR CAST(uid AS TEXT) = ?)")
            arguments += [who, who]
        }
        if let customer {
            conditions.append("EXISTS (SELECT 1 FROM json_each(audit.customers) j WHERE j.value = ?)")
            arguments += [customer]
        }
        if let since {
            conditions.append("at >= ?")
            arguments += [since]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read { db in
            try Row.fetchAll(db, sql: "\(Self.auditColumns) FROM audit \(filter) ORDER BY seq", arguments: arguments)
                .map(Self.auditRecord)
        }
    }

    /// Recomputes the chain from the first row: every seq follows the one before (1, 2, 3, …),
    /// every `prev_hash` is the hash of the row before, every `hash` matches its row.
    /// Reads the rows in one pass (a cursor), so memory does not grow with the log.
    public func verifyAudit() throws -> AuditVerification {
        try read { db in
            var expected: Int64 = 1
            var prev = Self.auditGenesis
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(Self.hashedColumns.joined(separator: ", ")), prev_hash, hash FROM audit ORDER BY seq
                """)
            let count = Self.hashedColumns.count
            while let row = try rows.next() {
                let values = (0..<count).map { row[$0] as DatabaseValue }
                let seq = Int64.fromDatabaseValue(values[0]) ?? -1
                let prevHash = String.fromDatabaseValue(row[count] as DatabaseValue) ?? ""
                let hash = String.fromDatabaseValue(row[count + 1] as DatabaseValue) ?? ""
                if seq != expected {
                    return AuditVerification(records: expected - 1, head: nil, brokenAt: min(expected, seq),
                                             reason: seq > expected ? "missing" : "chain")
                }
                if prevHash != prev {
                    return AuditVerification(records: expected - 1, head: nil, brokenAt: seq, reason: "chain")
                }
                if Self.auditHash(prevHash: prevHash, values) != hash {
                    return AuditVerification(records: expected - 1, head: nil, brokenAt: seq, reason: "hash")
                }
                prev = hash
                expected += 1
            }
            return AuditVerification(records: expected - 1, head: expected > 1 ? prev : nil, brokenAt: nil, reason: nil)
        }
    }

    static let auditColumns = """
        SELECT seq, at, uid, token, role, method, access, customers, customer_count, fields, error, prev_hash, hash
        """

    /// A row read back for display (`verifyAudit` hashes the stored values instead). A column
    /// edited into something unreadable reads as a placeholder rather than failing.
    static func auditRecord(_ row: Row) -> AuditRecord {
        func strings(_ text: String?) -> [String] {
            guard let text, case .array(let items)? = try? JSONValue.parse(text) else { return ["\u{FFFD}"] }
            return items.map { $0.stringValue ?? "\u{FFFD}" }
        }
        func text(_ i: Int) -> String? { String.fromDatabaseValue(row[i] as DatabaseValue) }
        func int(_ i: Int) -> Int64? { Int64.fromDatabaseValue(row[i] as DatabaseValue) }
        var entry = AuditEntry(
            at: int(1) ?? 0, uid: int(2).flatMap { UInt32(exactly: $0) }, token: text(3), role: text(4), method: text(5) ?? "",
            access: AuditAccess(rawValue: text(6) ?? "") ?? .read, customers: [], fields: strings(text(9)),
            error: int(10).map { Int($0) })
        // Kept as stored (not re-sorted or re-counted), so an edit shows.
        entry.customers = strings(text(7))
        entry.customerCount = Int(int(8) ?? 0)
        return AuditRecord(seq: int(0) ?? 0, entry: entry, prevHash: text(11) ?? "", hash: text(12) ?? "")
    }
}
