internal import GRDB
import QingtingCore

extension CRMStore {
    /// A feed record to append (the store numbers it).
    public struct NewFeedRecord: Sendable {
        public var kind: String
        public var key: String
        public var rule: String?
        public var rulesVersion: String?
        public var customer: String?
        public var priority: String?
        public var action: String?
        public var status: String?
        public var ticket: Int64?
        public var events: [Int64]
        public var body: String
        public var at: Int64

        public init(kind: String, key: String, rule: String?, rulesVersion: String?, customer: String?,
                    priority: String?, action: String?, status: String?, ticket: Int64? = nil, events: [Int64],
                    body: String, at: Int64) {
            self.kind = kind
            self.key = key
            self.rule = rule
            self.rulesVersion = rulesVersion
            self.customer = customer
            self.priority = priority
            self.action = action
            self.status = status
            self.ticket = ticket
            self.events = events
            self.body = body
            self.at = at
        }
    }

    /// A record as the feed holds it; `delivery` is the outbox's status now (actions only).
    public struct FeedRecord: Sendable {
        public var seq: Int64
        public var record: NewFeedRecord
        public var createdAt: Int64
        public var delivery: String?

        public init(seq: Int64, record: NewFeedRecord, createdAt: Int64, delivery: String?) {
            self.seq = seq
            self.record = record
            self.createdAt = createdAt
            self.delivery = delivery
        }
    }

    /// A ticket as the store holds it.
    public struct Ticket: Sendable, Equatable {
        public var id: Int64
        public var customer: String?
        public var rule: String?
        public var status: String
        public var priority: String
        public var skill: String
        public var assignee: String?
        public var subject: String?
        public var platform: String?
        public var events: [Int64]
        public var createdAt: Int64
        public var updatedAt: Int64
        public var firstResponseAt: Int64?
        public var resolvedAt: Int64?
        public var changes: Int

        public init(id: Int64, customer: String?, rule: String?, status: String, priority: String, skill: String,
                    assignee: String?, subject: String?, platform: String?, events: [Int64], createdAt: Int64,
                    updatedAt: Int64, firstResponseAt: Int64? = nil, resolvedAt: Int64? = nil, changes: Int = 0) {
            self.id = id
            self.customer = customer
            self.rule = rule
            self.status = status
            self.priority = priority
            self.skill = skill
            self.assignee = assignee
            self.subject = subject
            self.platform = platform
            self.events = events
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.firstResponseAt = firstResponseAt
            self.resolvedAt = resolvedAt
            self.changes = changes
        }
    }

    /// Which feed records to list.
    public struct FeedFilter: Sendable {
        public var kinds: Set<String> = []
        public var priorities: Set<String> = []
        public var rules: Set<String> = []
        public var customer: String?
        public init(kinds: Set<String> = [], priorities: Set<String> = [], rules: Set<String> = [], customer: String? = nil) {
            self.kinds = kinds
            self.priorities = priorities
            self.rules = rules
            self.customer = customer
        }

        public func admits(_ r: NewFeedRecord) -> Bool {
            (kinds.isEmpty || kinds.contains(r.kind)) && (priorities.isEmpty || r.priority.map(priorities.contains) == true)
                && (rules.isEmpty || r.rule.map(rules.contains) == true) && (customer == nil || r.customer == customer)
        }
    }

    /// Feed records after `since`, in `seq` order, at most `limit`.
    public func feed(since: Int64, filter: FeedFilter = FeedFilter(), limit: Int = 1000) throws -> [FeedRecord] {
        try feedPage(since: since, filter: filter, limit: limit).records
    }

    /// Feed records after `since` that pass `filter`, in `seq` order, at most `limit`, and the seq
    /// the scan got through: a reader resumes after `through`, so records the filter skipped are
    /// not scanned again (it is the last record's seq when `limit` cut the page short).
    public func feedPage(since: Int64, filter: FeedFilter = FeedFilter(), limit: Int = 1000) throws
        -> (records: [FeedRecord], through: Int64)
    {
        var out: [FeedRecord] = []
        var after = since
        // The filter runs here (kinds, priorities and rules are few); read in pages until `limit` pass.
        while out.count < limit {
            let page = try read { db in
                try Row.fetchAll(db, sql: """
                    \(Self.feedColumns)
                    FROM feed f LEFT JOIN outbox o ON o.record = f.seq WHERE f.seq > ? ORDER BY f.seq LIMIT ?
                    """, arguments: [after, max(limit, 256)]).map { try Self.feedRecord($0, cipher) }
            }
            guard let last = page.last else { break }
            for r in page where filter.admits(r.record) {
                out.append(r)
                if out.count == limit { return (out, r.seq) }
            }
            after = last.seq
        }
        return (out, after)
    }

    /// The largest feed `seq` (0 for an empty feed).
    public func lastFeedSeq() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM feed") ?? 0 }
    }

    /// The columns `feedRecord` reads (`f` the feed, `o` its outbox row).
    static let feedColumns = """
        SELECT f.seq, f.kind, f.key, f.rule, f.rules_version, f.customer, f.priority, f.action, f.status,
               f.ticket, f.events, f.body, f.at, f.created_at, o.status
        """

    /// A JSON array of seqs as the feed and tickets store them.
    static func seqs(_ text: String) -> [Int64] {
        guard case .array(let items)? = try? JSONValue.parse(text) else { return [] }
        return items.compactMap { if case .number(let n) = $0 { Int64(n) } else { nil } }
    }

    /// Seqs as the JSON array `seqs` reads.
    static func seqsJSON(_ seqs: [Int64]) -> String {
        var w = JSONWriter()
        w.array(seqs) { w, s in w.int(s) }
        return w.text
    }

    /// The record of a row `feedColumns` selected, its body opened with `cipher`.
    static func feedRecord(_ row: Row, _ cipher: FieldCipher) throws -> FeedRecord {
        let seqs = Self.seqs(row[10])
        return FeedRecord(
            seq: row[0],
            record: NewFeedRecord(kind: row[1], key: row[2], rule: row[3], rulesVersion: row[4], customer: row[5],
                                  priority: row[6], action: row[7], status: row[8], ticket: row[9], events: seqs,
                                  body: try cipher.text(row[11], .feedBody) ?? "", at: row[12]),
            createdAt: row[13], delivery: row[14])
    }

    /// The outbox status of the action with this key, nil when there is none.
    public func actionStatus(key: String) throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT o.status FROM feed f JOIN outbox o ON o.record = f.seq WHERE f.key = ?",
                                arguments: [key])
        }
    }

    /// The delivery statuses a sender may report (`action.ack`); `reversed`: a person undid the
    /// action (a wrong automation, which the automation-accuracy KPI counts).
    public static let deliveryStatuses: Set<String> = ["sent", "delivered", "read", "failed", "reversed"]

    /// Records a sender's report on action `seq`. Returns false when no action has that `seq`.
    /// - Throws: `QingtingError(.invalidInput)` for a status not in `deliveryStatuses`.
    public func ack(_ seq: Int64, status: String, detail: String?, at time: Int64) throws -> Bool {
        guard Self.deliveryStatuses.contains(status) else {
            throw QingtingError(.invalidInput, "status must be one of \(Self.deliveryStatuses.sorted().joined(separator: ", ")), got '\(status)'")
        }
        return try write(now: time) { tx in
            let before = try String.fetchOne(tx.db, sql: "SELECT status FROM outbox WHERE record = ?", arguments: [seq])
            try tx.db.execute(sql: "UPDATE outbox SET status = ?, updated_at = ?, detail = ? WHERE record = ?",
                              arguments: [status, time, detail, seq])
            guard tx.db.changesCount > 0 else { return false }
            // A rule's action taken back (or un-taken back) moves the automation KPI's numerator.
            if (status == "reversed") != (before == "reversed"), let a = try Self.automatedAction(seq, tx.db) {
                tx.addMeasures(day: CRMStore.day(a.at), platform: a.platform, [("automation.reversed", status == "reversed" ? 1 : -1)])
            }
            return true
        }
    }

    /// The time and trigger platform of action `seq` when a rule firing appended it (not a
    /// ticket's status message), else nil.
    static func automatedAction(_ seq: Int64, _ db: Database) throws -> (at: Int64, platform: String)? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT at, events FROM feed f WHERE f.seq = ? AND \(ruleActions)", arguments: [seq])
        else { return nil }
        let trigger = Self.seqs(row[1]).first
        let platform = try trigger.flatMap { try String.fetchOne(db, sql: "SELECT platform FROM events WHERE seq = ?", arguments: [$0]) }
        return (row[0], platform ?? "unknown")
    }

    /// Actions not yet acknowledged, oldest first (what a sender has left to deliver).
    public func pendingActions(limit: Int = 1000) throws -> [FeedRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                \(Self.feedColumns)
                FROM outbox o JOIN feed f ON f.seq = o.record WHERE o.status = 'queued' ORDER BY o.record LIMIT ?
                """, arguments: [limit]).map { try Self.feedRecord($0, cipher) }
        }
    }

    // MARK: Tickets

    /// Tickets, newest first, optionally by status, customer and assignee.
    public func tickets(status: String? = nil, customer: String? = nil, assignee: String? = nil, limit: Int = 100) throws -> [Ticket] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let status { conditions.append("status = ?"); arguments.append(status) }
        if let customer { conditions.append("customer = ?"); arguments.append(customer) }
        if let assignee { conditions.append("assignee = ?"); arguments.append(assignee) }
        arguments.append(limit)
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.ticketColumns) FROM tickets
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY id DESC LIMIT ?
                """, arguments: StatementArguments(arguments)).map { try Self.ticket($0, cipher) }
        }
    }

    public func ticket(_ id: Int64) throws -> Ticket? {
        try read { db in try Self.ticket(id, db, cipher) }
    }

    static let ticketColumns = """
        id, customer, rule, status, priority, skill, assignee, subject, platform, events, created_at, updated_at,
        first_response_at, resolved_at, changes
        """

    static func ticket(_ id: Int64, _ db: Database, _ cipher: FieldCipher) throws -> Ticket? {
        try Row.fetchOne(db, sql: "SELECT \(ticketColumns) FROM tickets WHERE id = ?", arguments: [id])
            .map { try ticket($0, cipher) }
    }

    /// The ticket of a row `ticketColumns` selected, its subject opened with `cipher`.
    static func ticket(_ row: Row, _ cipher: FieldCipher) throws -> Ticket {
        let seqs = Self.seqs(row[9])
        return Ticket(id: row[0], customer: row[1], rule: row[2], status: row[3], priority: row[4], skill: row[5],
                      assignee: row[6], subject: try cipher.text(row[7], .ticketSubject), platform: row[8], events: seqs, createdAt: row[10],
                      updatedAt: row[11], firstResponseAt: row[12], resolvedAt: row[13], changes: row[14])
    }

    /// `Transaction.appendFeed` on a connection in a write transaction (the link store's runs
    /// append their merges and splits with it).
    static func insertFeed(_ r: NewFeedRecord, _ db: Database, committedAt: Int64, _ cipher: FieldCipher) throws
        -> Int64?
    {
        let events = CRMStore.seqsJSON(r.events)
        try db.cachedStatement(sql: """
            INSERT INTO feed (kind, key, rule, rules_version, customer, priority, action, status, ticket, events, body,
                              at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING
            """).execute(arguments: [r.kind, r.key, r.rule, r.rulesVersion, r.customer, r.priority, r.action, r.status,
                                     r.ticket, events, cipher.seal(r.body, .feedBody), r.at, committedAt])
        guard db.changesCount > 0 else { return nil }
        let seq = db.lastInsertedRowID
        if r.kind == "action", r.status == "queued" {
            try db.cachedStatement(sql: "INSERT INTO outbox (record, status, updated_at) VALUES (?, 'queued', ?)")
                .execute(arguments: [seq, committedAt])
        }
        return seq
    }
}

extension CRMStore.Transaction {
    /// Appends a feed record unless one with its key is there; an action a sender delivers gets
    /// an outbox row (`queued`). Returns the new `seq`, or nil when the key was there already.
    public func appendFeed(_ r: CRMStore.NewFeedRecord) throws -> Int64? {
        try CRMStore.insertFeed(r, db, committedAt: committedAt, cipher)
    }

    /// Opens ticket `t` (its id is the seq of the feed record that opened it).
    public func openTicket(_ t: CRMStore.Ticket) throws {
        let events = CRMStore.seqsJSON(t.events)
        // Cached: the rules open tickets inside the ingest transaction, one statement for all.
        try db.cachedStatement(sql: """
            INSERT INTO tickets (id, customer, rule, status, priority, skill, assignee, subject, platform, events,
                                 created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [t.id, t.customer, t.rule, t.status, t.priority, t.skill, t.assignee,
                             cipher.seal(t.subject, .ticketSubject), t.platform,
                             events, t.createdAt, t.updatedAt])
    }

    public func ticket(_ id: Int64) throws -> CRMStore.Ticket? { try CRMStore.ticket(id, db, cipher) }

    /// Writes a ticket's changed fields (status, assignee, priority, times, change count).
    public func saveTicket(_ t: CRMStore.Ticket) throws {
        try db.execute(sql: """
            UPDATE tickets SET status = ?, priority = ?, skill = ?, assignee = ?, updated_at = ?, first_response_at = ?,
                               resolved_at = ?, changes = ? WHERE id = ?
            """, arguments: [t.status, t.priority, t.skill, t.assignee, t.updatedAt, t.firstResponseAt, t.resolvedAt,
                             t.changes, t.id])
    }

    /// Writes (or, for nil, deletes) rule-state entries, and bumps `rules_generation` so another
    /// process holding the state in memory knows to reload it.
    public func saveRuleState(_ entries: [(name: String, value: String?)]) throws -> Int64 {
        for (name, value) in entries {
            if let value {
                try db.cachedStatement(sql: "INSERT INTO rule_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                    .execute(arguments: [name, value])
            } else {
                try db.cachedStatement(sql: "DELETE FROM rule_state WHERE name = ?").execute(arguments: [name])
            }
        }
        try db.execute(sql: """
            INSERT INTO crm_state (key, value) VALUES ('rules_generation', 1)
            ON CONFLICT (key) DO UPDATE SET value = value + 1
            """)
        return try Int64.fetchOne(db, sql: "SELECT value FROM crm_state WHERE key = 'rules_generation'") ?? 0
    }

    /// The generation of the stored rule state (see `saveRuleState`).
    public func ruleGeneration() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM crm_state WHERE key = 'rules_generation'")) ?? 0
    }

    /// The outbox status of the action with this key (inside the transaction).
    public func actionStatus(key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT o.status FROM feed f JOIN outbox o ON o.record = f.seq WHERE f.key = ?"),
                            arguments: [key])
    }

    /// A stored event by seq, with its current customer (a timer's trigger).
    public func event(_ seq: Int64) throws -> CRMStore.StoredEvent? {
        try Row.fetchOne(db, sql: CRMStore.eventSelect(includeRaw: false) + " WHERE e.seq = ?", arguments: [seq])
            .map { try CRMStore.storedEvent($0, cipher) }
    }
}

extension CRMStore.Transaction {
    /// Every rule-state entry (inside the transaction, so it matches `ruleGeneration`).
    public func ruleStateEntries() throws -> [(name: String, value: String)] {
        try Row.fetchAll(db, sql: "SELECT name, value FROM rule_state").map { ($0[0], $0[1]) }
    }
}
