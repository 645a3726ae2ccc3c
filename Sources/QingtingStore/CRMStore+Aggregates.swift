internal import GRDB
import QingtingCore

extension CRMStore.Transaction {
    /// Adds an event's measures to the daily aggregates of `day` (its `occurred_at`) and `platform`;
    /// written with the transaction's other counters.
    public func addMeasures(day: String, platform: String, _ values: [(measure: String, value: Double)]) {
        for (measure, value) in values {
            measures[CRMStore.MeasureKey(day: day, platform: platform, measure: measure), default: 0] += value
        }
    }

    func flushMeasures() throws {
        guard !measures.isEmpty else { return }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO kpi_daily (day, platform, measure, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (day, platform, measure) DO UPDATE SET value = value + excluded.value
                """)
        for (k, value) in measures { try upsert.execute(arguments: [k.day, k.platform, k.measure, value]) }
        measures = [:]
    }

    /// Records that `customer` was active on `platform` on `day`.
    public func active(day: String, customer: String, platform: String) throws {
        guard activeSeen.insert(day + "|" + customer + "|" + platform).inserted else { return }
        try db.cachedStatement(sql: "INSERT INTO kpi_active (day, customer, platform) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [day, customer, platform])
    }

    /// Records a social purchase intent of `customer` (the first one makes them a lead).
    public func lead(customer: String, platform: String, at time: Int64, seq: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO kpi_leads (customer, platform, lead_at, lead_seq) VALUES (?, ?, ?, ?) ON CONFLICT (customer) DO NOTHING")
            .execute(arguments: [customer, platform, time, seq])
    }

    /// Records an order event; it converts its customer's lead when it comes after the lead.
    /// `social` says whether the customer was seen on a social platform before.
    public func order(seq: Int64, customer: String?, at time: Int64, amount: Double) throws {
        var social = false
        if let customer {
            social = try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT EXISTS (SELECT 1 FROM events WHERE customer = ? AND kind != 'order' AND occurred_at <= ?)"),
                arguments: [customer, time]) ?? false
            try db.cachedStatement(
                sql: """
                    UPDATE kpi_leads SET converted_at = ?, order_seq = ?
                    WHERE customer = ? AND converted_at IS NULL AND lead_at <= ?
                    """)
                .execute(arguments: [time, seq, customer, time])
        }
        try db.cachedStatement(sql: "INSERT INTO kpi_orders (seq, customer, at, amount, social) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [seq, customer, time, amount, social])
    }

    /// Replaces the aggregates with `fold` (made from the whole log) and marks them built.
    public func replaceAggregates(_ fold: CRMStore.AggregateFold) throws {
        measures = [:]
        try db.execute(sql: "DELETE FROM kpi_daily; DELETE FROM kpi_leads; DELETE FROM kpi_orders; DELETE FROM kpi_active")
        let active = try db.cachedStatement(sql: "INSERT INTO kpi_active (day, customer, platform) VALUES (?, ?, ?)")
        for key in fold.active {
            let parts = key.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            try active.execute(arguments: [parts[0], parts[1], parts[2]])
        }
        let daily = try db.cachedStatement(sql: "INSERT INTO kpi_daily (day, platform, measure, value) VALUES (?, ?, ?, ?)")
        for (key, value) in fold.daily {
            let parts = key.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            try daily.execute(arguments: [parts[0], parts[1], parts[2], value])
        }
        let leads = try db.cachedStatement(
            sql: "INSERT INTO kpi_leads (customer, platform, lead_at, lead_seq, converted_at, order_seq) VALUES (?, ?, ?, ?, ?, ?)")
        let orders = try db.cachedStatement(sql: "INSERT INTO kpi_orders (seq, customer, at, amount, social) VALUES (?, ?, ?, ?, ?)")
        var lead = fold.leads
        for o in fold.orders.sorted(by: { ($0.at, $0.seq) < ($1.at, $1.seq) }) {
            let social = o.customer.flatMap { fold.firstSocial[$0] }.map { $0 <= o.at } ?? false
            try orders.execute(arguments: [o.seq, o.customer, o.at, o.amount, social])
            if let c = o.customer, var l = lead[c], l.convertedAt == nil, l.at <= o.at {
                l.convertedAt = o.at
                l.orderSeq = o.seq
                lead[c] = l
            }
        }
        for (customer, l) in lead {
            try leads.execute(arguments: [customer, l.platform, l.at, l.seq, l.convertedAt, l.orderSeq])
        }
        try db.execute(
            sql: "INSERT INTO crm_state (key, value) VALUES ('kpi_built', 1) ON CONFLICT (key) DO UPDATE SET value = 1")
    }
}

extension CRMStore {
    /// The aggregates folded from the log in memory (`rebuild`), written by `replaceAggregates`.
    public struct AggregateFold: Sendable {
        var daily: [String: Double] = [:]
        var leads: [String: (platform: String, at: Int64, seq: Int64, convertedAt: Int64?, orderSeq: Int64?)] = [:]
        var orders: [(seq: Int64, customer: String?, at: Int64, amount: Double)] = []
        /// Per customer, the earliest time of an event that is not an order.
        var firstSocial: [String: Int64] = [:]
        /// `day|customer|platform` of every event with a customer.
        var active: Set<String> = []

        public init() {}

        public mutating func add(day: String, platform: String, _ values: [(measure: String, value: Double)]) {
            for (measure, value) in values { daily[day + "|" + platform + "|" + measure, default: 0] += value }
        }

        public mutating func event(customer: String?, platform: String, kind: String, at time: Int64) {
            guard let customer else { return }
            active.insert(CRMStore.day(time) + "|" + customer + "|" + platform)
            guard kind != "order" else { return }
            firstSocial[customer] = min(firstSocial[customer] ?? time, time)
        }

        public mutating func lead(customer: String, platform: String, at time: Int64, seq: Int64) {
            if let old = leads[customer], (old.at, old.seq) <= (time, seq) { return }
            leads[customer] = (platform, time, seq, nil, nil)
        }

        public mutating func order(seq: Int64, customer: String?, at time: Int64, amount: Double) {
            orders.append((seq, customer, time, amount))
        }
    }
}

extension CRMStore {
    /// Where a daily aggregate adds up: day, platform, measure.
    struct MeasureKey: Hashable {
        var day: String
        var platform: String
        var measure: String
    }

    /// One row of the daily aggregates.
    public struct DailyMeasure: Sendable, Equatable {
        public var day: String
        public var platform: String
        public var measure: String
        public var value: Double
    }

    /// A lead: the customer's first social purchase intent, and the order that converted it.
    public struct Lead: Sendable, Equatable {
        public var customer: String
        public var platform: String
        public var leadAt: Int64
        public var convertedAt: Int64?
    }

    /// An order as the aggregates keep it.
    public struct OrderFact: Sendable, Equatable {
        public var customer: String?
        public var at: Int64
        public var amount: Double
        public var social: Bool
    }

    /// Whether the aggregates hold every event (false for a store filled before they existed).
    public func aggregatesBuilt() throws -> Bool {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM crm_state WHERE key = 'kpi_built'") == 1 }
    }

    /// The daily aggregates of days `from...until` (`YYYY-MM-DD`), of one platform or all.
    public func dailyMeasures(fromDay: String, untilDay: String, platform: String? = nil) throws -> [DailyMeasure] {
        try read { db in
            var sql = "SELECT day, platform, measure, value FROM kpi_daily WHERE day >= ? AND day <= ?"
            var args: [any DatabaseValueConvertible] = [fromDay, untilDay]
            if let platform {
                sql += " AND platform = ?"
                args.append(platform)
            }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                DailyMeasure(day: $0[0], platform: $0[1], measure: $0[2], value: $0[3])
            }
        }
    }

    /// Leads that became leads in `[from, until)`.
    public func leads(from: Int64, until: Int64, platform: String? = nil) throws -> [Lead] {
        try read { db in
            var sql = "SELECT customer, platform, lead_at, converted_at FROM kpi_leads WHERE lead_at >= ? AND lead_at < ?"
            var args: [any DatabaseValueConvertible] = [from, until]
            if let platform {
                sql += " AND platform = ?"
                args.append(platform)
            }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map {
                Lead(customer: $0[0], platform: $0[1], leadAt: $0[2], convertedAt: $0[3])
            }
        }
    }

    /// Who was active where, on the days `from...until`: `(day, customer, platform)`.
    public func activity(fromDay: String, untilDay: String) throws -> [(day: String, customer: String, platform: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT day, customer, platform FROM kpi_active WHERE day >= ? AND day <= ?",
                             arguments: [fromDay, untilDay]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Orders in `[from, until)`.
    public func orders(from: Int64, until: Int64) throws -> [OrderFact] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT customer, at, amount, social FROM kpi_orders WHERE at >= ? AND at < ?",
                arguments: [from, until]
            ).map { OrderFact(customer: $0[0], at: $0[1], amount: $0[2], social: $0[3]) }
        }
    }

    /// Sync health per day of commit in `from...until`: payloads received, events stored,
    /// duplicates, rejections (summed over reasons), of one platform or all.
    public func syncDays(fromDay: String, untilDay: String, platform: String? = nil) throws
        -> [(day: String, received: Int, stored: Int, duplicates: Int, rejected: Int)]
    {
        try read { db in
            let p = platform == nil ? "" : " AND platform = ?"
            var args: [any DatabaseValueConvertible] = [fromDay, untilDay]
            if let platform { args.append(platform) }
            var out: [String: (received: Int, stored: Int, duplicates: Int, rejected: Int)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT day, received, stored, duplicates FROM sync_counts WHERE day >= ? AND day <= ?\(p)",
                arguments: StatementArguments(args))
            {
                var c = out[row[0], default: (0, 0, 0, 0)]
                c.received += row[1] as Int
                c.stored += row[2] as Int
                c.duplicates += row[3] as Int
                out[row[0]] = c
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT day, count FROM sync_rejections WHERE day >= ? AND day <= ?\(p)",
                arguments: StatementArguments(args))
            {
                out[row[0], default: (0, 0, 0, 0)].rejected += row[1] as Int
            }
            return out.sorted { $0.key < $1.key }.map { ($0.key, $0.value.received, $0.value.stored, $0.value.duplicates, $0.value.rejected) }
        }
    }

    /// The feed records of kind `ticket` and the actions rules appended, with `at` in
    /// `[from, until)` (ticket KPIs read the change history; automation accuracy the actions).
    public func feedRecords(kinds: [String], from: Int64, until: Int64) throws -> [FeedRecord] {
        try read { db in
            let marks = kinds.map { _ in "?" }.joined(separator: ", ")
            var args: [any DatabaseValueConvertible] = kinds
            args += [from, until]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, o.status AS delivery FROM feed f LEFT JOIN outbox o ON o.record = f.seq
                    WHERE f.kind IN (\(marks)) AND f.at >= ? AND f.at < ? ORDER BY f.seq
                    """,
                arguments: StatementArguments(args)
            ).map(Self.feedRecord)
        }
    }
}

extension CRMStore {
    /// A ticket with its history: the feed's change records of it (oldest first) and the
    /// automated replies of the firing that opened it (same rule, same trigger events).
    public struct TicketHistory: Sendable {
        public var ticket: Ticket
        public var changes: [FeedRecord]
        public var botReplies: [FeedRecord]
    }

    /// Tickets created in `[from, until)` with their histories.
    public func ticketHistories(from: Int64, until: Int64) throws -> [TicketHistory] {
        try read { db in
            let tickets = try Row.fetchAll(
                db, sql: "SELECT \(Self.ticketColumns) FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY id",
                arguments: [from, until]
            ).map(Self.ticket)
            guard let first = tickets.first?.id else { return [] }
            var changes: [Int64: [FeedRecord]] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, NULL FROM feed f WHERE f.kind = 'ticket' AND f.ticket >= ? ORDER BY f.seq
                    """, arguments: [first]
            ).map(Self.feedRecord) {
                if let id = r.record.ticket { changes[id, default: []].append(r) }
            }
            var replies: [String: [FeedRecord]] = [:]
            for r in try Row.fetchAll(
                db,
                sql: """
                    SELECT f.*, o.status FROM feed f LEFT JOIN outbox o ON o.record = f.seq
                    WHERE f.kind = 'action' AND f.action = 'reply' AND f.at >= ? ORDER BY f.seq
                    """, arguments: [tickets.map(\.createdAt).min()!]
            ).map(Self.feedRecord) {
                replies[(r.record.rule ?? "") + "|" + Self.seqsJSON(r.record.events), default: []].append(r)
            }
            return tickets.map { t in
                TicketHistory(
                    ticket: t, changes: changes[t.id] ?? [],
                    botReplies: replies[(t.rule ?? "") + "|" + Self.seqsJSON(t.events)] ?? [])
            }
        }
    }
}
