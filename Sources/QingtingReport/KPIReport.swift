import QingtingCore
import QingtingCRM
public import QingtingProfile
import QingtingIngest
public import QingtingStore

/// `qingting report` and `kpi.report`: every KPI of the definition file per period and over the
/// whole range, from the daily aggregates and the small tables (tickets, leads, orders, the feed's
/// actions), never from a scan of the log. With a comparison range, each KPI's change.
public struct KPIReport: Sendable {
    public struct Request: Sendable {
        public var from: Int64
        public var until: Int64
        public var by: ReportPeriods.Granularity
        public var platform: String?
        public var compare: (from: Int64, until: Int64)?
        /// Only the members of this segment (`all`, a tier, a configured segment) at `now`: their
        /// events are read from the log (no daily aggregate is kept per segment), sync health is left out.
        public var segment: String?
        /// Segments to drill down into (each read from its members' events, as `segment` is).
        public var drillSegments: [String]

        public init(from: Int64, until: Int64, by: ReportPeriods.Granularity = .day, platform: String? = nil,
                    compare: (from: Int64, until: Int64)? = nil, segment: String? = nil, drillSegments: [String] = []) {
            self.drillSegments = drillSegments
            self.from = from
            self.until = until
            self.by = by
            self.platform = platform
            self.compare = compare
            self.segment = segment
        }
    }

    /// The measures of one window: the summed counters and, per ticket-parameter set, the ticket clocks.
    public struct Measures: Sendable {
        public var values: [String: Double] = [:]
        var tickets: [String: [String: Double]] = [:]
        var buyers: Set<String> = []

        mutating func merge(_ other: Measures) {
            values.merge(other.values, uniquingKeysWith: +)
            for (k, m) in other.tickets { tickets[k, default: [:]].merge(m, uniquingKeysWith: +) }
            buyers.formUnion(other.buyers)
        }

        /// The value of `kpi` over these measures (nil: undefined, such as a ratio of nothing).
        public func value(_ kpi: KPIDefinitions.KPI) -> Double? {
            let clock = tickets[TicketClock.key(kpi.params)] ?? [:]
            return kpi.formula.value { name in
                if name == "social_orders.buyers" { return Double(buyers.count) }
                return name.hasPrefix("tickets.") ? clock[name] : values[name]
            }
        }
    }

    public var definitions: KPIDefinitions
    public var request: Request
    public var periods: ReportPeriods
    public var series: [Measures]
    public var total: Measures
    /// The total of each platform over the range (volume by platform, the drill-down).
    public var byPlatform: [(platform: String, measures: Measures)]
    public var compare: (periods: ReportPeriods, total: Measures)?
    /// Tickets created in the range that reached each status.
    public var funnel: [(status: String, count: Int)]
    /// The drill-down by segment (`Request.drillSegments`): each segment's totals over the range.
    public var bySegment: [(segment: String, members: Int, measures: Measures)] = []

    /// Reads the report of `request` from `store` (folding the aggregates first if the store
    /// predates them or a replay made them stale).
    /// - Parameter profile: the configuration segments are read by (their tiers and queries).
    public static func run(_ store: CRMStore, definitions: KPIDefinitions, request: Request, now: Int64,
                           profile: ProfileConfiguration = ProfileConfiguration()) throws -> KPIReport {
        try EventMeasures.ensureBuilt(store, now: now)
        let periods = try ReportPeriods(from: request.from, until: request.until, by: request.by)
        let segments = SegmentMembers(CustomerProfiles(store: store, config: profile))
        let members = try request.segment.map { Set(try segments.members($0, now: now)) }
        let main = try window(store, definitions: definitions, periods: periods, platform: request.platform, members: members)
        var compare: (ReportPeriods, Measures)?
        if let c = request.compare {
            let cp = try ReportPeriods(from: c.from, until: c.until, by: request.by)
            compare = (cp, try window(store, definitions: definitions, periods: cp, platform: request.platform, members: members).total)
        }
        var bySegment: [(segment: String, members: Int, measures: Measures)] = []
        for name in request.drillSegments {
            var m = Set(try segments.members(name, now: now))
            if let members { m.formIntersection(members) }
            let w = try window(store, definitions: definitions, periods: periods, platform: request.platform, members: m)
            bySegment.append((name, m.count, w.total))
        }
        return KPIReport(definitions: definitions, request: request, periods: periods, series: main.series, total: main.total,
                         byPlatform: main.platforms, compare: compare, funnel: main.funnel, bySegment: bySegment)
    }

    /// The measures of one range: per period, in total, per platform, and the ticket funnel.
    static func window(_ store: CRMStore, definitions: KPIDefinitions, periods: ReportPeriods, platform: String?,
                       members: Set<String>?) throws
        -> (series: [Measures], total: Measures, platforms: [(platform: String, measures: Measures)],
            funnel: [(status: String, count: Int)])
    {
        var (series, platforms, funnel) = try gather(store, definitions: definitions, periods: periods, platform: platform,
                                                     members: members)
        var total = Measures()
        for m in series { total.merge(m) }
        try retention(store, periods: periods, members: members, series: &series, total: &total)
        return (series, total, platforms, funnel)
    }

    static func gather(_ store: CRMStore, definitions: KPIDefinitions, periods: ReportPeriods, platform: String?,
                       members: Set<String>?) throws
        -> (series: [Measures], platforms: [(platform: String, measures: Measures)], funnel: [(status: String, count: Int)])
    {
        func admits(_ customer: String?) -> Bool { members.map { m in customer.map(m.contains) ?? false } ?? true }
        var series = Array(repeating: Measures(), count: periods.periods.count)
        var platforms: [String: Measures] = [:]
        let (firstDay, lastDay) = periods.days
        var dayIndex: [String: Int?] = [:]
        func bucket(_ day: String) -> Int? {
            if let known = dayIndex[day] { return known }
            let i = Timestamp.millis(day).flatMap(periods.index(of:))
            dayIndex[day] = i
            return i
        }
        if let members {
            // A segment: its members' events, measured as the ingest path measures them.
            for customer in members.sorted() {
                try store.forEachEvent(CRMStore.EventFilter(
                    customer: customer, platform: platform.flatMap(Platform.init(rawValue:)), since: periods.from,
                    until: periods.until)
                ) { e in
                    guard e.customer == customer, let i = periods.index(of: e.event.occurredAt) else { return }
                    let m = EventMeasures(e)
                    for (name, x) in m.values {
                        series[i].values[name, default: 0] += x
                        platforms[e.event.platform.rawValue, default: Measures()].values[name, default: 0] += x
                    }
                }
            }
        } else {
            let days = periods.dayLabels
            let needed = Self.dailyMeasures(definitions)
            for row in try store.dailyMeasures(days: days, measures: needed, prefixes: Self.topicPrefixes, platform: platform, by: .day) {
                guard let i = bucket(row.day) else { continue }
                series[i].values[row.measure, default: 0] += row.value
            }
            for row in try store.dailyMeasures(days: days, measures: needed, platform: platform, by: .platform) {
                platforms[row.platform, default: Measures()].values[row.measure, default: 0] += row.value
            }
        }
        for s in try store.syncDays(fromDay: firstDay, untilDay: lastDay, platform: platform) where members == nil {
            guard let i = bucket(s.day) else { continue }
            series[i].values["sync.received", default: 0] += Double(s.received)
            series[i].values["sync.stored", default: 0] += Double(s.stored)
            series[i].values["sync.duplicates", default: 0] += Double(s.duplicates)
            series[i].values["sync.rejected", default: 0] += Double(s.rejected)
        }
        for lead in try store.leads(from: periods.from, until: periods.until, platform: platform) where admits(lead.customer) {
            guard let i = periods.index(of: lead.leadAt) else { continue }
            series[i].values["leads.count", default: 0] += 1
            if let c = lead.convertedAt {
                series[i].values["leads.converted", default: 0] += 1
                series[i].values["leads.incubation_seconds", default: 0] += Double(c - lead.leadAt) / 1000
            }
        }
        for order in try store.orders(from: periods.from, until: periods.until) where order.social && admits(order.customer) {
            guard let i = periods.index(of: order.at) else { continue }
            series[i].values["social_orders.count", default: 0] += 1
            series[i].values["social_orders.value", default: 0] += order.amount
            if let c = order.customer { series[i].buyers.insert(c) }
        }
        // Automation: kept with the daily aggregates, read row by row only for a segment.
        for a in try members == nil ? [] : store.automatedActions(from: periods.from, until: periods.until) where admits(a.customer) {
            guard let i = periods.index(of: a.at) else { continue }
            series[i].values["automation.actions", default: 0] += 1
            if a.reversed { series[i].values["automation.reversed", default: 0] += 1 }
        }
        // Ticket clocks, once per parameter set the definitions use (and the default set).
        var clocks: [String: TicketClock] = [TicketClock.key([:]): TicketClock(params: [:])]
        for kpi in definitions.kpis { clocks[TicketClock.key(kpi.params)] = TicketClock(params: kpi.params) }
        var reached: [String: Int] = [:]
        for t in try store.ticketCounts(from: periods.from, until: periods.until) {
            if let platform, t.platform != platform { continue }
            guard admits(t.customer), let i = periods.index(of: t.createdAt) else { continue }
            for key in clocks.keys { series[i].tickets[key, default: [:]]["tickets.created", default: 0] += 1 }
            reached["created", default: 0] += 1
            if t.assigned { reached["assigned", default: 0] += 1 }
        }
        let bots = clocks.values.contains { $0.botReplies }
        for h in try store.ticketHistories(from: periods.from, until: periods.until, botReplies: bots) {
            if let platform, h.ticket.platform != platform { continue }
            if !admits(h.ticket.customer) { continue }
            guard let i = periods.index(of: h.ticket.createdAt) else { continue }
            for (key, clock) in clocks { clock.add(h, to: &series[i].tickets[key, default: [:]]) }
            // `assigned` is counted from the tickets (an assignee, once set, stays).
            for s in Set(h.changes.map(\.status)).subtracting(["open", "assigned"]) { reached[s, default: 0] += 1 }
        }
        let funnel = ["created", "assigned", "responded", "resolved", "reopened"].map { ($0, reached[$0] ?? 0) }
        return (series, platforms.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, funnel)
    }

    /// Cross-channel session retention: of the customers active on two or more platforms in a
    /// window (`retention.cross_channel`), those active again in the window of the same length
    /// right after it (`retention.returned`). Distinct customers do not add up across periods, so
    /// the range's own window gives the total. Every platform counts (a --platform filter does not
    /// apply: the measure is about crossing them).
    static func retention(_ store: CRMStore, periods: ReportPeriods, members: Set<String>?,
                          series: inout [Measures], total: inout Measures) throws {
        func day(_ t: Int64) -> String { String(Timestamp.iso8601(t).prefix(10)) }
        func count(_ start: Int64, _ end: Int64) throws -> (cross: Double, returned: Double) {
            if members == nil {
                let c = try store.crossChannelRetention(fromDay: day(start), untilDay: day(end),
                                                        nextUntilDay: day(end + (end - start)))
                return (Double(c.cross), Double(c.returned))
            }
            var cross = try store.crossChannelCustomers(fromDay: day(start), untilDay: day(end))
            if let members { cross = cross.filter(members.contains) }
            guard !cross.isEmpty else { return (0, 0) }
            let later = try store.activeCustomers(fromDay: day(end), untilDay: day(end + (end - start)))
            return (Double(cross.count), Double(cross.filter(later.contains).count))
        }
        for (i, p) in periods.periods.enumerated() {
            let c = try count(p.start, p.end)
            series[i].values["retention.cross_channel"] = c.cross
            series[i].values["retention.returned"] = c.returned
        }
        let c = try count(periods.from, periods.until)
        total.values["retention.cross_channel"] = c.cross
        total.values["retention.returned"] = c.returned
    }

    // MARK: Derived views

    /// Topics (categories, hashtags) whose volume grew most from the first half of the range to
    /// the second, among those with at least `minimum` mentions in the second half.
    public func risingTopics(limit: Int = 10, minimum: Double = 5) -> [(topic: String, before: Double, after: Double, growth: Double)] {
        let half = series.count / 2
        guard series.count >= 2 else { return [] }
        var before: [String: Double] = [:], after: [String: Double] = [:]
        for (i, m) in series.enumerated() {
            for (name, x) in m.values where name.hasPrefix("category.") || name.hasPrefix("hashtag.") {
                if i < half { before[name, default: 0] += x } else { after[name, default: 0] += x }
            }
        }
        return after.filter { $0.value >= minimum }
            .map { (topic: $0.key, before: before[$0.key] ?? 0, after: $0.value, growth: ($0.value - (before[$0.key] ?? 0)) / max(before[$0.key] ?? 0, 1)) }
            .sorted { ($0.growth, $0.after, $1.topic) > ($1.growth, $1.after, $0.topic) }
            .prefix(limit).map { $0 }
    }

    /// The campaigns events named (`metrics.campaign`) with their event counts over the range.
    public var campaigns: [(campaign: String, events: Double)] {
        total.values.filter { $0.key.hasPrefix("campaign.") }
            .map { (String($0.key.dropFirst("campaign.".count)), $0.value) }
            .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    }

    // MARK: JSON

    /// The report as one JSON object (README: Evaluate, "The report's JSON").
    public var json: String {
        var w = JSONWriter()
        w.object { w in
            w.member("definitions") { w in
                w.object { w in
                    w.member("file", definitions.source)
                    w.member("version", definitions.version)
                    w.member("hash", definitions.hash)
                }
            }
            w.member("from", Timestamp.iso8601(periods.from))
            w.member("until", Timestamp.iso8601(periods.until))
            w.member("by", request.by.rawValue)
            w.key("platform")
            if let p = request.platform { w.string(p) } else { w.null() }
            w.key("segment")
            if let g = request.segment { w.string(g) } else { w.null() }
            w.member("kpis") { w in
                w.array(definitions.kpis) { w, kpi in
                    w.object { w in
                        w.member("name", kpi.name)
                        w.member("title", kpi.title)
                        w.member("unit", kpi.unit)
                        w.member("formula", kpi.formula.description)
                        if !kpi.params.isEmpty {
                            w.member("params") { w in w.object { w in for (k, v) in kpi.params.sorted(by: { $0.key < $1.key }) { w.member(k, v) } } }
                        }
                        Self.number(&w, "value", total.value(kpi))
                        if let compare {
                            let before = compare.total.value(kpi), now = total.value(kpi)
                            Self.number(&w, "previous", before)
                            Self.number(&w, "change", before.flatMap { b in now.map { $0 - b } })
                            Self.number(&w, "change_ratio", before.flatMap { b in now.flatMap { b == 0 ? nil : ($0 - b) / abs(b) } })
                        }
                        w.member("series") { w in
                            w.array(zip(periods.periods, series)) { w, pair in
                                w.object { w in
                                    w.member("period", pair.0.label)
                                    Self.number(&w, "value", pair.1.value(kpi))
                                }
                            }
                        }
                    }
                }
            }
            if let compare {
                w.member("compare") { w in
                    w.object { w in
                        w.member("from", Timestamp.iso8601(compare.periods.from))
                        w.member("until", Timestamp.iso8601(compare.periods.until))
                    }
                }
            }
            w.member("sentiment_mix") { w in
                w.array(zip(periods.periods, series)) { w, pair in
                    w.object { w in
                        w.member("period", pair.0.label)
                        for label in ["positive", "neutral", "negative"] {
                            w.member(label, Int(pair.1.values["sentiment." + label] ?? 0))
                        }
                    }
                }
            }
            w.member("platforms") { w in
                w.array(byPlatform) { w, p in
                    w.object { w in
                        w.member("platform", p.platform)
                        w.member("events", Int(p.measures.values["events"] ?? 0))
                        w.member("mentions", Int(p.measures.values["mentions"] ?? 0))
                        w.member("kpis") { w in
                            w.object { w in
                                for kpi in definitions.kpis where Self.eventBased(kpi) { Self.number(&w, kpi.name, p.measures.value(kpi)) }
                            }
                        }
                    }
                }
            }
            w.member("rising_topics") { w in
                w.array(risingTopics()) { w, t in
                    w.object { w in
                        w.member("topic", t.topic)
                        w.member("before", Int(t.before))
                        w.member("after", Int(t.after))
                        w.member("growth", t.growth, digits: 4)
                    }
                }
            }
            w.member("segments") { w in
                w.array(bySegment) { w, g in
                    w.object { w in
                        w.member("segment", g.segment)
                        w.member("members", g.members)
                        w.member("events", Int(g.measures.values["events"] ?? 0))
                        w.member("kpis") { w in
                            w.object { w in for kpi in definitions.kpis { Self.number(&w, kpi.name, g.measures.value(kpi)) } }
                        }
                    }
                }
            }
            w.member("campaigns") { w in
                w.array(campaigns) { w, c in
                    w.object { w in
                        w.member("campaign", c.campaign)
                        w.member("events", Int(c.events))
                    }
                }
            }
            w.member("ticket_funnel") { w in
                w.array(funnel) { w, f in
                    w.object { w in
                        w.member("status", f.status)
                        w.member("tickets", f.count)
                    }
                }
            }
            w.member("measures") { w in
                w.object { w in
                    var all = total.values
                    all["social_orders.buyers"] = Double(total.buyers.count)
                    for (k, v) in total.tickets[TicketClock.key([:])] ?? [:] { all[k] = v }
                    for (k, v) in all.sorted(by: { $0.key < $1.key }) { w.member(k, v, digits: 4) }
                }
            }
        }
        return w.text
    }

    /// The measures of the daily aggregates a report reads: those the KPIs' formulas name, the
    /// sentiment mix, events and mentions (topics and campaigns are read by `topicPrefixes`).
    static func dailyMeasures(_ definitions: KPIDefinitions) -> [String] {
        var out = ["events", "mentions", "sentiment.positive", "sentiment.neutral", "sentiment.negative"]
        for kpi in definitions.kpis {
            for m in kpi.formula.measures where !out.contains(m) && !Self.reportTime.contains(where: m.hasPrefix) { out.append(m) }
        }
        return out
    }

    static let topicPrefixes = ["category.", "hashtag.", "campaign."]
    /// Measures made when the report runs, not kept by day.
    static let reportTime = ["tickets.", "leads.", "social_orders.", "sync.", "retention."]

    /// Whether a KPI reads only the daily aggregates (so a per-platform value means something).
    static func eventBased(_ kpi: KPIDefinitions.KPI) -> Bool {
        kpi.formula.measures.allSatisfy { m in
            !(Self.reportTime + ["automation."]).contains(where: m.hasPrefix)
        }
    }

    static func number(_ w: inout JSONWriter, _ name: String, _ x: Double?) {
        w.key(name)
        if let x, x.isFinite { w.number(x, digits: 6) } else { w.null() }
    }
}
