internal import GRDB
import QingtingCore

extension CRMStore {
    /// A customer's stored profile state (a `ProfileState` as JSON), the configuration version it
    /// was folded with and the last event `seq` in it.
    public struct StoredProfile: Sendable, Equatable {
        public var state: String
        public var config: String
        public var lastSeq: Int64

        public init(state: String, config: String, lastSeq: Int64) {
            self.state = state
            self.config = config
            self.lastSeq = lastSeq
        }
    }

    /// A customer's profile row, or nil before any of their events landed.
    public func profile(_ customer: String) throws -> StoredProfile? {
        try read { db in try Self.profile(customer, db) }
    }

    static func profile(_ customer: String, _ db: Database) throws -> StoredProfile? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT state, config, last_seq FROM profiles WHERE customer = ?"),
            arguments: [customer]
        ).map { StoredProfile(state: $0[0], config: $0[1], lastSeq: $0[2]) }
    }

    /// The newest `limit` events of customer `customer` — the events `forEachEvent` lists for the
    /// customer — in `seq` order.
    /// - Complexity: the newest `limit` seqs of the customer through the customer index, and of
    ///   their identities through the identity index, then `limit` rows; not a scan of the log,
    ///   and not a read of every event of a customer who wrote thousands.
    static func recentEvents(customer: String, limit: Int, _ db: Database, _ cipher: FieldCipher) throws -> [StoredEvent] {
        guard limit > 0 else { return [] }
        let sql = """
            \(Self.eventSelect(includeRaw: false))
            WHERE e.seq IN (
                SELECT seq FROM (SELECT seq FROM events WHERE customer = ? ORDER BY seq DESC LIMIT ?)
                UNION SELECT seq FROM (
                    SELECT x.seq FROM identities j JOIN events x ON x.identity = j.id WHERE j.customer = ?
                    ORDER BY x.seq DESC LIMIT ?))
            ORDER BY e.seq DESC LIMIT ?
            """
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [customer, limit, customer, limit, limit])
            .map { try Self.storedEvent($0, cipher) }.reversed()
    }

    /// What one customer's view reads, from one snapshot: the profile row, the CRM record, the
    /// linked identities, the tag decisions and the newest `eventLimit` events.
    public struct CustomerRecord: Sendable {
        public var profile: StoredProfile?
        public var customer: CustomerState?
        public var identities: [(platform: String, uid: String, status: String, probability: Double?, rule: String?)]
        public var decisions: [(tag: String, decision: String, at: Int64)]
        public var events: [StoredEvent]
    }

    /// Customer `id`'s record (see `CustomerRecord`), or nil when the store has neither the
    /// customer nor a profile of theirs.
    public func customerRecord(_ id: String, eventLimit: Int) throws -> CustomerRecord? {
        try read { db in
            let profile = try Self.profile(id, db)
            let customer = try reader(db).customer(id)
            guard profile != nil || customer != nil else { return nil }
            return CustomerRecord(
                profile: profile, customer: customer, identities: try Self.linkedIdentities(id, db),
                decisions: try Self.tagDecisions(id, db),
                events: try Self.recentEvents(customer: id, limit: eventLimit, db, cipher))
        }
    }

    /// Calls `body` with every profile row, in customer order.
    public func forEachProfile(_ body: (String, StoredProfile) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT customer, state, config, last_seq FROM profiles ORDER BY customer")
            while let row = try rows.next() {
                try body(row[0], StoredProfile(state: row[1], config: row[2], lastSeq: row[3]))
            }
        }
    }

    /// Replaces every profile row with `profiles` in one transaction (`rebuild`); tag decisions stay.
    public func replaceProfiles(_ profiles: [(customer: String, profile: StoredProfile)]) throws {
        try storeErrors(path) {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DELETE FROM profiles")
                    let insert = try db.makeStatement(
                        sql: "INSERT INTO profiles (customer, state, config, last_seq) VALUES (?, ?, ?, ?)")
                    for p in profiles {
                        try insert.execute(arguments: [p.customer, p.profile.state, p.profile.config, p.profile.lastSeq])
                    }
                    return .commit
                }
            }
        }
    }

    /// Replaces the profile rows of the given customers in one transaction (nil: the row goes).
    public func replaceProfiles(of customers: [(customer: String, profile: StoredProfile?)]) throws {
        try storeErrors(path) {
            try pool.write { db in
                let tx = reader(db)
                for c in customers {
                    if let profile = c.profile {
                        try tx.saveProfile(c.customer, profile)
                    } else {
                        try db.execute(sql: "DELETE FROM profiles WHERE customer = ?", arguments: [c.customer])
                    }
                }
            }
        }
    }

    /// A customer's fields and their provenance, or nil when the store has no such customer.
    public func customer(_ id: String) throws -> CustomerState? {
        try read { db in try reader(db).customer(id) }
    }

    /// Whether the store has customer `id`.
    public func hasCustomer(_ id: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?)", arguments: [id]) ?? false
        }
    }

    /// The identities linked to a customer (rows of `identities`: `status` confirmed or
    /// suggested), then the bound accounts no identity row stands for yet, each by platform and uid.
    static func linkedIdentities(_ customer: String, _ db: Database) throws
        -> [(platform: String, uid: String, status: String, probability: Double?, rule: String?)]
    {
        var out: [(platform: String, uid: String, status: String, probability: Double?, rule: String?)] = []
        var seen: Set<String> = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT id, platform, uid, status, probability, rule FROM identities WHERE customer = ? ORDER BY id"),
            arguments: [customer])
        while let row = try rows.next() {
            seen.insert(row[0])
            out.append((row[1], row[2], row[3] ?? "suggested", row[4], row[5]))
        }
        let bound = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT platform, uid FROM bindings WHERE customer = ? ORDER BY platform, uid"),
            arguments: [customer])
        while let row = try bound.next() {
            let (platform, uid): (String, String) = (row[0], row[1])
            if seen.contains(platform + ":" + uid) { continue }
            out.append((platform, uid, "confirmed", 1, "binding"))
        }
        return out
    }

    /// Records a person's decision on a tag (replacing an earlier one of theirs).
    public func decideTag(customer: String, tag: String, decision: String, at time: Int64) throws {
        try storeErrors(path) {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO tag_decisions (customer, tag, decision, decided_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (customer, tag) DO UPDATE SET decision = excluded.decision,
                            decided_at = excluded.decided_at
                        """,
                    arguments: [customer, tag, decision, time])
            }
        }
    }

    /// A customer's tag decisions, by tag.
    public func tagDecisions(_ customer: String) throws -> [(tag: String, decision: String, at: Int64)] {
        try read { db in try Self.tagDecisions(customer, db) }
    }

    static func tagDecisions(_ customer: String, _ db: Database) throws -> [(tag: String, decision: String, at: Int64)] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT tag, decision, decided_at FROM tag_decisions WHERE customer = ? ORDER BY tag"),
            arguments: [customer]
        ).map { ($0[0], $0[1], $0[2]) }
    }

    /// Every customer's tag decisions, by customer then tag (few: only what persons decided).
    public func allTagDecisions() throws -> [String: [(tag: String, decision: String, at: Int64)]] {
        try read { db in
            var out: [String: [(tag: String, decision: String, at: Int64)]] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT customer, tag, decision, decided_at FROM tag_decisions ORDER BY customer, tag")
            while let r = try rows.next() { out[r[0], default: []].append((r[1], r[2], r[3])) }
            return out
        }
    }

    /// Customers whose name is exactly `name`, in id order (by the name's blind index in an
    /// encrypted store).
    public func customers(named name: String) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM customers WHERE name_index IN (\(cipher.lookupPlaceholders)) ORDER BY id",
                arguments: StatementArguments(cipher.lookups(name, label: FieldCipher.nameLabel)))
        }
    }

    /// The customer holding a unified key (`phone:+86…`, `email:…`), if any.
    public func customer(forKey key: String) throws -> String? {
        try read { db in try reader(db).customer(forKey: key) }
    }

    /// The customer an account (`platform`, `uid`) is linked or bound to, if any.
    public func customer(platform: String, uid: String) throws -> String? {
        try read { db in
            let tx = reader(db)
            return try tx.identity(platform + ":" + uid)?.customer ?? tx.binding(platform: platform, uid: uid)
        }
    }
}

extension CRMStore.Transaction {
    /// A customer's profile row as this transaction sees it.
    public func profile(_ customer: String) throws -> CRMStore.StoredProfile? {
        try CRMStore.profile(customer, db)
    }

    /// A customer's tag decisions as this transaction sees them, by tag.
    public func tagDecisions(_ customer: String) throws -> [(tag: String, decision: String, at: Int64)] {
        try CRMStore.tagDecisions(customer, db)
    }

    /// Writes a customer's profile row.
    public func saveProfile(_ customer: String, _ profile: CRMStore.StoredProfile) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO profiles (customer, state, config, last_seq) VALUES (?, ?, ?, ?)
                ON CONFLICT (customer) DO UPDATE SET state = excluded.state, config = excluded.config,
                    last_seq = excluded.last_seq
                """
        ).execute(arguments: [customer, profile.state, profile.config, profile.lastSeq])
    }
}
