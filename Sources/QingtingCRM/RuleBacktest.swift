public import QingtingCore
import QingtingIngest
public import QingtingProfile
public import QingtingRules
public import QingtingStore

/// `rules backtest`: a rule file run over stored history as if live, with the same engine, and
/// what would have fired counted — per rule and per day, with examples and the tickets it would
/// have opened. Nothing is written: profiles are folded in memory as of each event, and a delayed
/// step's `if read` reads what the real outbox says of that action (unread when there is none).
public struct RuleBacktest {
    public struct Report: Sendable {
        public var source: String
        public var version: String
        public var events = 0
        public var records = 0
        /// Per rule: records, tickets, records per UTC day, and up to three example records.
        public var rules: [String: (records: Int, tickets: Int, days: [String: Int], examples: [String])] = [:]
    }

    /// Runs `rules` over the events whose `occurred_at` is in `from..<until` (windows see the
    /// events before `from` too, so a count that began earlier still counts), then advances to `until`.
    public static func run(_ rules: RuleSet, store: CRMStore, profile config: ProfileConfiguration,
                           from: Int64? = nil, until: Int64? = nil, progress: (Int) -> Void = { _ in }) throws -> Report {
        var report = Report(source: rules.source, version: rules.version)
        var engine = RuleEngine(rules: rules)
        engine.state.tracksChanges = false  // nothing is saved
        var states: [String: ProfileState] = [:]
        // The CRM fields as a profile reads them, made once per customer, not per profile read.
        var fields: [String: [String: (value: String, source: String, updatedAt: Int64?)]] = [:]
        for (id, f) in try store.customers() { fields[id] = f.mapValues { (value: $0, source: "crm", updatedAt: nil) } }
        // A person's decisions on key tags, each counting from its time on.
        let decisions = try store.allTagDecisions().mapValues { $0.map { TagDecision(tag: $0.tag, decision: $0.decision, at: $0.at) } }
        // The events that started a pending timer: the only ones looked up after their own turn.
        var events: [Int64: RuleEvent] = [:]
        var current: RuleEvent?
        let start = from.map { $0 - rules.horizonMillis }
        func facts(_ id: String, _ now: Int64) -> (any ProfileFacts)? {
            guard states[id] != nil || fields[id] != nil else { return nil }
            return CustomerFacts(id: id, fields: fields[id] ?? [:], state: states[id] ?? ProfileState(), config: config, now: now) {
                decisions[id] ?? []
            }
        }
        func record(_ firings: [RuleEngine.Firing]) {
            for f in firings where from.map({ f.at >= $0 }) ?? true {
                let trigger = f.trigger == current?.seq ? current : events[f.trigger]
                let drafts = engine.drafts(f, trigger: trigger, profile: f.customer.flatMap { facts($0, f.at) })
                var entry = report.rules[f.rule.name] ?? (0, 0, [:], [])
                for d in drafts {
                    entry.records += 1
                    if d.kind == "ticket" { entry.tickets += 1 }
                    entry.days[CRMStore.day(d.at), default: 0] += 1
                    if entry.examples.count < 3 {
                        let r = CRMStore.FeedRecord(
                            seq: 0, record: CRMStore.NewFeedRecord(
                                kind: d.kind, key: d.key, rule: d.rule, rulesVersion: rules.version, customer: d.customer,
                                priority: d.priority.rawValue, action: d.action, status: d.status, events: d.events,
                                body: d.body, at: d.at), createdAt: d.at, delivery: nil)
                        entry.examples.append(Feed.line(r))
                    }
                }
                report.records += drafts.count
                report.rules[f.rule.name] = entry
            }
        }
        var now: Int64 = 0
        let lookups = RuleEngine.Lookups(profile: { facts($0, now) }, event: { events[$0] },
                                         actionStatus: { (try? store.actionStatus(key: $0)) ?? nil })
        try store.forEachEvent(CRMStore.EventFilter(since: start, until: until), includeRevisions: false) { stored in
            // The analysis JSON parsed once, for the rules' labels and the profile fold.
            let analysis = stored.analysis.flatMap { try? JSONValue.parse($0) }
            let event = RuleRunner.ruleEvent(stored.event, seq: stored.seq, customer: stored.customer,
                                             labels: AnalysisLabels(parsed: analysis))
            if let customer = stored.customer {
                states[customer, default: ProfileState()].apply(
                    ProfileUpdates.event(stored, parsedAnalysis: analysis), config)
            }
            report.events += 1
            now = event.occurredAt
            current = event
            record(engine.process(event, lookups))
            current = nil
            if engine.state.hasTimer(triggeredBy: event.seq) { events[event.seq] = event }
            if report.events % 10_000 == 0 {
                progress(report.events)
                // The events whose timers have all fired or been cancelled are not looked up again.
                events = events.filter { engine.state.hasTimer(triggeredBy: $0.key) }
            }
        }
        // (Profiles read by the due timers' steps are as of the last event, as they always were.)
        if let until { record(engine.advance(to: until, lookups)) }
        return report
    }

    /// The report as one JSON object; with `other`, both side by side per rule (`a`, `b`, `difference`).
    public static func json(_ a: Report, against other: Report? = nil) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("rules_file", a.source)
            w.member("version", a.version)
            w.member("events", a.events)
            w.member("records", a.records)
            if let b = other {
                w.member("against", b.source)
                w.member("against_records", b.records)
            }
            let names = Set(a.rules.keys).union(other?.rules.keys.map { $0 } ?? []).sorted()
            w.member("rules") { w in
                w.array(names) { w, name in
                    w.object { w in
                        let x = a.rules[name]
                        w.member("rule", name)
                        w.member("records", x?.records ?? 0)
                        w.member("tickets", x?.tickets ?? 0)
                        if let b = other {
                            let y = b.rules[name]
                            w.member("against_records", y?.records ?? 0)
                            w.member("against_tickets", y?.tickets ?? 0)
                            w.member("difference", (x?.records ?? 0) - (y?.records ?? 0))
                        }
                        w.member("days") { w in
                            w.object { w in for d in (x?.days.keys.sorted() ?? []) { w.member(d, x!.days[d]!) } }
                        }
                        w.member("examples") { w in w.array(x?.examples ?? []) { w, e in w.raw(e) } }
                    }
                }
            }
        }
        return w.text
    }
}
