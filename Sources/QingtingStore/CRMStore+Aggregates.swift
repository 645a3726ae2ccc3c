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
                INSERT INTO kpi_daily (day, measure, platform, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (day, measure, platform) DO UPDATE SET value = value + excluded.value
                """)
        for (k, value) in measures { try upsert.execute(arguments: [k.day, k.measure, k.platform, value]) }
        measures = [:]
    }

    /// Records that `customer` was active on `platform` on `day`.
    /// A new row gets its `cross_since`, and becomes the `cross_since` of the customer's rows on
    /// other platforms on or after its day that had an earlier one (or none): see `v10KPICrossing`.
    public func active(day: String, customer: String, platform: String) throws {
        guard activeSeen.insert(CRMStore.ActiveKey(day: day, customer: customer, platform: platform)).inserted else { return }
        try db.cachedStatement(sql: "INSERT INTO kpi_active (day, customer, platform) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .execute(arguments: [day, customer, platform])
        guard db.changesCount > 0 else { return }
        try db.cachedStatement(sql: """
            UPDATE kpi_active SET cross_since = (
                SELECT MAX(b.day) FROM kpi_active b WHERE b.customer = ?1 AND b.day <= ?2 AND b.platform != ?3)
            WHERE day = ?2 AND customer = ?1 AND platform = ?3
            """).execute(arguments: [customer, day, platform])
        try db.cachedStatement(sql: """
            UPDATE kpi_active SET cross_since = ?2
            WHERE customer = ?1 AND day >= ?2 AND platform != ?3 AND (cross_since IS NULL OR cross_since < ?2)
            """).execute(arguments: [customer, day, platform])
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

    /// Replaces the aggregates with `fold` (made from the whole log) and the automation counts of
    /// the feed, and marks them built.
    public func replaceAggregates(_ fold: CRMStore.AggregateFold) throws {
        var fold = fold
        let actions = try Row.fetchCursor(
            db, sql: """
                SELECT f.at, e.platform, o.status = 'reversed' FROM feed f LEFT JOIN outbox o ON o.record = f.seq
                LEFT JOIN events e ON e.seq = CAST(json_extract(f.events, '$[0]') AS INTEGER)
                WHERE \(CRMStore.ruleActions)
                """)
        while let row = try actions.next() {
            let day = CRMStore.day(row[0]), platform: String = row[1] ?? "unknown"
            fold.add(day: day, platform: platform, [("automation.actions", 1)])
            if (row[2] as Bool?) == true { fold.add(day: day, platform: platform, [("automation.reversed", 1)]) }
        }
        measures = [:]
        try db.execute(sql: "DELETE FROM kpi_daily; DELETE FROM kpi_leads; DELETE FROM kpi_orders; DELETE FROM kpi_active")
        let active = try db.cachedStatement(sql: "INSERT INTO kpi_active (day, customer, platform) VALUES (?, ?, ?)")
        for k in fold.active { try active.execute(arguments: [k.day, k.customer, k.platform]) }
        try db.execute(sql: CRMStore.fillCrossSince)
        let daily = try db.cachedStatement(sql: "INSERT INTO kpi_daily (day, measure, platform, value) VALUES (?, ?, ?, ?)")
        for (k, value) in fold.daily { try daily.execute(arguments: [k.day, k.measure, k.platform, value]) }
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
        var daily: [MeasureKey: Double] = [:]
        var leads: [String: (platform: String, at: Int64, seq: Int64, convertedAt: Int64?, orderSeq: Int64?)] = [:]
        var orders: [(seq: Int64, customer: String?, at: Int64, amount: Double)] = []
        /// Per customer, the earliest time of an event that is not an order.
        var firstSocial: [String: Int64] = [:]
        /// Who was active where each day (events with a customer).
        var active: Set<ActiveKey> = []

        public init() {}

        public mutating func add(day: String, platform: String, _ values: [(measure: String, value: Double)]) {
            for (measure, value) in values { daily[MeasureKey(day: day, platform: platform, measure: measure), default: 0] += value }
        }

        public mutating func event(customer: String?, platform: String, kind: String, at time: Int64) {
            guard let customer else { return }
            active.insert(ActiveKey(day: CRMStore.day(time), customer: customer, platform: platform))
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
    struct MeasureKey: Hashable, Sendable {
        var day: String
        var platform: String
        var measure: String
    }

    /// A row of `kpi_active`.
    struct ActiveKey: Hashable, Sendable {
        var day: String
        var customer: String
        var platform: String
    }

    /// The feed records that are actions a rule firing appended (a ticket's status messages,
    /// keyed `ticket|…`, follow a person's change): what the automation KPI counts.
    static let ruleActions = "f.kind = 'action' AND f.rule IS NOT NULL AND f.key NOT LIKE 'ticket|%'"

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

    /// The daily aggregates of `days` (`YYYY-MM-DD`), of one platform or all, summed in SQL over
    /// what `by` leaves out: per day and measure (`.day`) or per platform and measure (`.platform`);
    /// `platform` of a `.day` row and `day` of a `.platform` row are empty. Only `measures` and the
    /// measures starting with one of `prefixes` (`category.`) are read, each (day, measure) by a seek.
    public func dailyMeasures(days: [String], measures: [String], prefixes: [String] = [], platform: String? = nil,
                              by: MeasureGrouping) throws -> [DailyMeasure]
    {
        guard !days.isEmpty else { return [] }
        return try read { db in
            let key = by == .day ? "day" : "platform"
            let dayList = days.map { _ in "?" }.joined(separator: ", ")
            var conditions: [(sql: String, args: [any DatabaseValueConvertible])] = []
            if !measures.isEmpty {
                conditions.append(("measure IN (\(measures.map { _ in "?" }.joined(separator: ", ")))", measures))
            }
            for prefix in prefixes {
                // The measures in [prefix, prefix with its last byte + 1): `category.` … `category/`.
                var bytes = Array(prefix.utf8)
                bytes[bytes.count - 1] += 1
                conditions.append(("measure >= ? AND measure < ?", [prefix, String(decoding: bytes, as: UTF8.self)]))
            }
            var out: [DailyMeasure] = []
            for condition in conditions {
                var sql = "SELECT \(key), measure, SUM(value) FROM kpi_daily WHERE day IN (\(dayList)) AND \(condition.sql)"
                var args: [any DatabaseValueConvertible] = days
                args += condition.args
                if let platform {
                    sql += " AND platform = ?"
                    args.append(platform)
                }
                sql += " GROUP BY \(key), measure"
                let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
                while let row = try rows.next() {
                    let k: String = row[0]
                    out.append(DailyMeasure(day: by == .day ? k : "", platform: by == .day ? "" : k, measure: row[1], value: row[2]))
                }
            }
            return out
        }
    }

    public enum MeasureGrouping: Sendable { case day, platform }

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

    /// `kpi_active.cross_since` of every row, from the rows (see `v10KPICrossing`).
    static let fillCrossSince = """
        UPDATE kpi_active SET cross_since = (
            SELECT MAX(b.day) FROM kpi_active b
            WHERE b.customer = kpi_active.customer AND b.day <= kpi_active.day AND b.platform != kpi_active.platform)
        """

    /// The customers active on two or more platforms within the days `fromDay..<untilDay`
    /// (`YYYY-MM-DD`), in id order.
    public func crossChannelCustomers(fromDay: String, untilDay: String) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: """
                    SELECT DISTINCT customer FROM kpi_active
                    WHERE cross_since IS NOT NULL AND day >= ?1 AND day < ?2 AND cross_since >= ?1 ORDER BY customer
                    """), arguments: [fromDay, untilDay])
        }
    }

    /// Cross-channel retention counted in SQL: the customers active on two or more platforms
    /// within `fromDay..<untilDay`, and how many of them were active again within
    /// `untilDay..<nextUntilDay`.
    /// - Complexity: the window's rows of customers seen on another platform by then
    ///   (`kpi_active_cross`), then a seek per such customer; not every row of the window.
    public func crossChannelRetention(fromDay: String, untilDay: String, nextUntilDay: String) throws
        -> (cross: Int, returned: Int)
    {
        try read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM kpi_active a
                        WHERE a.customer = c.customer AND a.day >= ?2 AND a.day < ?3)), 0)
                    FROM (SELECT DISTINCT customer FROM kpi_active
                          WHERE cross_since IS NOT NULL AND day >= ?1 AND day < ?2 AND cross_since >= ?1) c
                    """), arguments: [fromDay, untilDay, nextUntilDay])
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// The customers active on the days `fromDay..<untilDay`.
    public func activeCustomers(fromDay: String, untilDay: String) throws -> Set<String> {
        try read { db in
            Set(try String.fetchAll(
                db.cachedStatement(sql: "SELECT DISTINCT customer FROM kpi_active WHERE day >= ? AND day < ?"),
                arguments: [fromDay, untilDay]))
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

    /// An action a rule firing appended, as the automation KPI reads it.
    public struct AutomatedAction: Sendable {
        public var at: Int64
        public var customer: String?
        /// A person undid it (`action.ack` status `reversed`).
        public var reversed: Bool
    }

    /// The actions rule firings appended with `at` in `[from, until)` (`ruleActions`).
    public func automatedActions(from: Int64, until: Int64) throws -> [AutomatedAction] {
        try read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT f.at, f.customer, o.status = 'reversed' FROM feed f LEFT JOIN outbox o ON o.record = f.seq
                    WHERE \(Self.ruleActions) AND f.at >= ? AND f.at < ?
                    """), arguments: [from, until])
            var out: [AutomatedAction] = []
            while let row = try rows.next() { out.append(AutomatedAction(at: row[0], customer: row[1], reversed: row[2] ?? false)) }
            return out
        }
    }
}

extension CRMStore {
    /// A ticket with its history: its status changes (oldest first) and the times of the automated
    /// replies of the firing that opened it (same rule, same trigger events).
    public struct TicketHistory: Sendable {
        public var ticket: Ticket
        public var changes: [(status: String, at: Int64)]
        public var botReplies: [Int64]
    }

    /// The tickets created in `[from, until)`: when, where, for whom, whether assigned (read from
    /// the `tickets_created` index alone).
    public func ticketCounts(from: Int64, until: Int64) throws
        -> [(createdAt: Int64, platform: String?, customer: String?, assigned: Bool)]
    {
        try read { db in
            let rows = try Row.fetchCursor(
                db, sql: """
                    SELECT created_at, platform, customer, assignee IS NOT NULL FROM tickets INDEXED BY tickets_created
                    WHERE created_at >= ? AND created_at < ?
                    """, arguments: [from, until])
            var out: [(createdAt: Int64, platform: String?, customer: String?, assigned: Bool)] = []
            while let row = try rows.next() { out.append((row[0], row[1], row[2], row[3])) }
            return out
        }
    }

    /// How long after a ticket opens an automated reply of its firing is looked for (30 days).
    static let replyHorizon: Int64 = 30 * 86_400_000

    /// Tickets created in `[from, until)` with their histories: every one with `botReplies` (an
    /// automated reply may answer a ticket no person touched), else only those a person changed
    /// (the others have no clock to read).
    public func ticketHistories(from: Int64, until: Int64, botReplies: Bool = true) throws -> [TicketHistory] {
        try read { db in
            var tickets: [Ticket]
            if botReplies {
                tickets = try Row.fetchAll(
                    db, sql: "SELECT \(Self.ticketColumns) FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY id",
                    arguments: [from, until]
                ).map { try Self.ticket($0, cipher) }
            } else {
                guard let low = try Int64.fetchOne(
                    db, sql: "SELECT MIN(id) FROM tickets INDEXED BY tickets_created WHERE created_at >= ? AND created_at < ?",
                    arguments: [from, until])
                else { return [] }
                let changed = try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT ticket FROM feed INDEXED BY feed_ticket WHERE kind = 'ticket' AND ticket >= ?",
                    arguments: [low])
                tickets = try changed.compactMap { try Self.ticket($0, db, cipher) }.filter { $0.createdAt >= from && $0.createdAt < until }
            }
            guard let first = tickets.map(\.id).min() else { return [] }
            let ids = Set(tickets.map(\.id))
            var changes: [Int64: [(status: String, at: Int64)]] = [:]
            let changeRows = try Row.fetchCursor(
                db, sql: "SELECT ticket, status, at FROM feed INDEXED BY feed_ticket WHERE kind = 'ticket' AND ticket >= ? AND status IS NOT NULL ORDER BY seq",
                arguments: [first])
            while let row = try changeRows.next() {
                let id: Int64 = row[0]
                if ids.contains(id) { changes[id, default: []].append((row[1], row[2])) }
            }
            var replies: [String: [Int64]] = [:]
            if botReplies {
                // A firing's reply carries the firing's time, as its ticket does; a delayed step's
                // reply comes later, so the range runs on past `until` by the longest delay kept.
                let keys = Set(tickets.map { ($0.rule ?? "") + "|" + Self.seqsJSON($0.events) })
                let replyRows = try Row.fetchCursor(
                    db, sql: "SELECT rule, events, at FROM feed WHERE kind = 'action' AND action = 'reply' AND at >= ? AND at < ?",
                    arguments: [tickets.map(\.createdAt).min()!, until + Self.replyHorizon])
                while let row = try replyRows.next() {
                    let key = ((row[0] as String?) ?? "") + "|" + (row[1] as String)
                    if keys.contains(key) { replies[key, default: []].append(row[2]) }
                }
            }
            return tickets.map { t in
                TicketHistory(ticket: t, changes: changes[t.id] ?? [],
                              botReplies: replies[(t.rule ?? "") + "|" + Self.seqsJSON(t.events)] ?? [])
            }
        }
    }
}
