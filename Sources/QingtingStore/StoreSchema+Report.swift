internal import GRDB

extension StoreSchema {
    /// Evaluate: what the KPIs read without rescanning the log.
    ///
    /// - `kpi_daily`: per day (UTC, of the event's `occurred_at`), measure (`events`,
    ///   `kind.comment`, `sentiment.negative`, `intent.purchase`, `csat.satisfied`,
    ///   `automation.actions`, …) and platform, the sum the events and rule actions appended so far
    ///   add up to; kept in the transaction that appends them. Keyed day first, then measure, so a
    ///   report seeks each (day, measure) it reads.
    /// - `tickets_created`: the tickets created in a range, counted from the index alone.
    /// - `kpi_leads`: one row per customer who showed a purchase intent on a social platform: when
    ///   (the first such event), where, and the first order after it (lead conversion, incubation).
    /// - `kpi_orders`: each order event with its amount and whether its customer was seen on a social
    ///   platform before it (CLV of social customers).
    /// - `kpi_active`: which customers were active on which platform on which day (cross-channel
    ///   retention counts distinct customers, which daily sums cannot).
    /// - `feed_kind_at`: the automation-accuracy KPI reads the actions of a range; `feed_ticket`:
    ///   the ticket clocks read each ticket's changes.
    /// - `crm_state.kpi_built` is set once the aggregates hold every event of the log (a store that
    ///   had events before this migration is aggregated by the first report or `rebuild`).
    @Sendable static func v5Report(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE kpi_daily (
                    day TEXT NOT NULL, measure TEXT NOT NULL, platform TEXT NOT NULL, value REAL NOT NULL,
                    PRIMARY KEY (day, measure, platform)) WITHOUT ROWID;
                CREATE INDEX tickets_created ON tickets(created_at, platform, assignee, customer);
                CREATE TABLE kpi_leads (
                    customer TEXT PRIMARY KEY, platform TEXT NOT NULL, lead_at INTEGER NOT NULL, lead_seq INTEGER NOT NULL,
                    converted_at INTEGER, order_seq INTEGER) WITHOUT ROWID;
                CREATE INDEX kpi_leads_at ON kpi_leads(lead_at);
                CREATE TABLE kpi_orders (
                    seq INTEGER PRIMARY KEY, customer TEXT, at INTEGER NOT NULL, amount REAL NOT NULL, social INTEGER NOT NULL);
                CREATE INDEX kpi_orders_at ON kpi_orders(at);
                CREATE INDEX feed_kind_at ON feed(kind, at);
                CREATE INDEX feed_ticket ON feed(ticket) WHERE kind = 'ticket';
                CREATE TABLE kpi_active (
                    day TEXT NOT NULL, customer TEXT NOT NULL, platform TEXT NOT NULL,
                    PRIMARY KEY (day, customer, platform)) WITHOUT ROWID;
                INSERT INTO crm_state (key, value) SELECT 'kpi_built', 1 WHERE NOT EXISTS (SELECT 1 FROM events);
                """)
    }

    /// Evaluate: cross-channel retention without grouping a window's activity by customer.
    ///
    /// - `kpi_active.cross_since`: for a customer's activity on a platform on a day, the latest
    ///   day on or before it on which they were active on another platform (NULL when none). A
    ///   customer was active on two or more platforms within `[a, b)` exactly when one of their
    ///   rows in `[a, b)` has `cross_since >= a`, so a window reads only such rows
    ///   (`kpi_active_cross`, a partial index) instead of sorting all its rows by customer.
    ///   The value depends only on the rows, not on the order they arrived in (`rebuild` gives
    ///   what ingest kept).
    /// - `kpi_active_customer`: a customer's days, for keeping `cross_since` and for "active again
    ///   in the next window".
    @Sendable static func v10KPICrossing(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE kpi_active ADD COLUMN cross_since TEXT;
                CREATE INDEX kpi_active_customer ON kpi_active(customer, day);
                \(CRMStore.fillCrossSince);
                CREATE INDEX kpi_active_cross ON kpi_active(day, customer, cross_since) WHERE cross_since IS NOT NULL;
                """)
    }
}

