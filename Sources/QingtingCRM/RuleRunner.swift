import OrderedCollections
public import QingtingCore
import QingtingIngest
public import QingtingProfile
public import QingtingRules
public import QingtingStore
import Synchronization

/// The rules on the ingest path: in each write transaction, the batch's stored events go through
/// `RuleEngine` in `seq` order and what fires is appended to the feed before the commit ("rules ─►
/// alerts, actions, tickets (same txn)" in DESIGN.md). The engine's state is persisted as it
/// changes (`rule_state`) and kept in memory between transactions while no other process writes.
public final class RuleRunner: Sendable {
    public let rules: RuleSet
    /// The state as of the last commit this object made, with the generation it wrote; taken out
    /// for a transaction and put back only after it commits (a rollback makes the next one reload).
    private let memory = Mutex<(generation: Int64, state: RuleState)?>(nil)

    public init(rules: RuleSet) { self.rules = rules }

    /// The shipped default rule file.
    public static let shippedPath = "Lexicons/rules.txt"

    /// The shipped rules when the file can be found, else none.
    public static func shipped() throws -> RuleSet? {
        try Resources.find(shippedPath).map(RuleSet.load)
    }

    /// One transaction's use of the rules.
    final class Batch {
        var engine: RuleEngine
        let tx: CRMStore.Transaction
        let config: ProfileConfiguration
        /// This transaction's folded profile states (nil: read the stored one).
        let folded: (String) -> ProfileState?
        var appended: [Int64] = []
        /// The time profiles are read at: the event's (or the advance's), kept apart from `engine`
        /// because the lookups run while the engine is being mutated.
        var now: Int64 = 0
        /// The event being processed: its firings' trigger, so it is not read back from the log.
        var current: RuleEvent?
        /// The CRM fields of the customers read so far (the ingest and tick transactions do not
        /// change them), so a customer's events read them once per transaction.
        var crmFields: [String: [String: (value: String, source: String, updatedAt: Int64?)]?] = [:]
        /// A person's key-tag decisions of the customers whose profile a rule read so far (read once
        /// per customer per transaction, and only when a rule needs the profile).
        var tagDecisions: [String: [TagDecision]] = [:]
        /// The last facts built (customer, time): the rules and their firing's drafts on one event
        /// read the same profile, built once.
        var lastFacts: (customer: String, now: Int64, facts: (any ProfileFacts)?)?

        init(engine: RuleEngine, tx: CRMStore.Transaction, config: ProfileConfiguration,
             folded: @escaping (String) -> ProfileState?) {
            self.engine = engine
            self.tx = tx
            self.config = config
            self.folded = folded
        }

        var lookups: RuleEngine.Lookups {
            RuleEngine.Lookups(
                profile: { [unowned self] id in self.facts(id, now: self.now) },
                event: { [unowned self] seq in (try? self.tx.event(seq)).flatMap { RuleRunner.ruleEvent($0) } },
                actionStatus: { [unowned self] key in (try? self.tx.actionStatus(key: key)) ?? nil })
        }

        func facts(_ customer: String, now: Int64) -> (any ProfileFacts)? {
            if let last = lastFacts, last.customer == customer, last.now == now { return last.facts }
            let state = folded(customer) ?? (try? tx.profile(customer)).flatMap { $0 }.flatMap { try? ProfileState.decoded($0.state) }
            let fields = crmFields[customer] ?? {
                let read = (try? tx.customer(customer)).flatMap { $0 }.map(CustomerProfiles.fields)
                crmFields[customer] = .some(read)
                return read
            }()
            var made: (any ProfileFacts)?
            if state != nil || fields != nil {
                made = CustomerFacts(id: customer, fields: fields ?? [:], state: state ?? ProfileState(), config: config,
                                     now: now) { [unowned self] in self.decisions(customer) }
            }
            lastFacts = (customer, now, made)
            return made
        }

        func decisions(_ customer: String) -> [TagDecision] {
            if let known = tagDecisions[customer] { return known }
            let read = ((try? tx.tagDecisions(customer)) ?? []).map { TagDecision(tag: $0.tag, decision: $0.decision, at: $0.at) }
            tagDecisions[customer] = read
            return read
        }

        func process(_ event: RuleEvent) throws {
            now = event.occurredAt
            current = event
            // The profile folded this event since any facts were built.
            lastFacts = nil
            defer { current = nil }
            let lookups = self.lookups
            try write(engine.process(event, lookups))
        }

        func advance(to time: Int64) throws {
            now = time
            lastFacts = nil
            let lookups = self.lookups
            try write(engine.advance(to: time, lookups))
        }

        private func write(_ firings: [RuleEngine.Firing]) throws {
            for f in firings {
                let trigger = f.trigger == current?.seq ? current : try tx.event(f.trigger).map(RuleRunner.ruleEvent)
                let profile = f.customer.flatMap { facts($0, now: f.at) }
                let drafts = engine.drafts(f, trigger: trigger, profile: profile)
                appended += try RuleRunner.append(drafts, version: engine.rules.version, trigger: trigger, in: tx)
            }
        }

        /// Saves the entries the batch changed; returns the new generation.
        func save() throws -> Int64 {
            let entries = engine.state.dirty.sorted().map { (name: $0, value: engine.state.encoded($0)) }
            engine.state.clearDirty()
            return entries.isEmpty ? try tx.ruleGeneration() : try tx.saveRuleState(entries)
        }
    }

    /// The engine as the last commit left it: from memory when this object made that commit,
    /// else read from the store.
    func begin(_ tx: CRMStore.Transaction, config: ProfileConfiguration, folded: @escaping (String) -> ProfileState?)
        throws -> Batch
    {
        let generation = try tx.ruleGeneration()
        let remembered = memory.withLock { m -> RuleState? in
            defer { m = nil }
            return m?.generation == generation ? m?.state : nil
        }
        var state = remembered ?? RuleState()
        if remembered == nil {
            for (name, value) in try tx.ruleStateEntries() { try state.restore(name, value) }
            state.clearDirty()
        }
        return Batch(engine: RuleEngine(rules: rules, state: state), tx: tx, config: config, folded: folded)
    }

    /// After the commit: the state stays in memory for the next transaction.
    func committed(_ batch: Batch, generation: Int64) {
        let state = batch.engine.state
        memory.withLock { $0 = (generation, state) }
    }

    /// The rule's view of a stored event.
    static func ruleEvent(_ e: CRMStore.StoredEvent) -> RuleEvent {
        ruleEvent(e.event, seq: e.seq, customer: e.customer, analysis: e.analysis)
    }

    /// With `brandTerms`, its topics are worked out now (`RuleEvent.topics`), not when a rule asks.
    static func ruleEvent(_ e: SocialEvent, seq: Int64, customer: String?, analysis: String?,
                          brandTerms: [String]? = nil) -> RuleEvent {
        ruleEvent(e, seq: seq, customer: customer, labels: AnalysisLabels(json: analysis), brandTerms: brandTerms)
    }

    /// From labels already at hand (the ingest path's own analysis: no JSON read back).
    static func ruleEvent(_ e: SocialEvent, seq: Int64, customer: String?, labels: AnalysisLabels,
                          brandTerms: [String]? = nil) -> RuleEvent {
        var event = RuleEvent(seq: seq, platform: e.platform.rawValue, eventID: e.eventID, kind: e.kind.rawValue,
                              occurredAt: e.occurredAt, text: e.text, customer: customer,
                              author: e.author.map { $0.platform.rawValue + ":" + $0.uid }, labels: labels,
                              metrics: e.metrics, authorProfile: e.author?.profile ?? [:])
        if let brandTerms { event.knownTopics = event.topics(brandTerms: brandTerms) }
        return event
    }

    /// Appends a firing's records (a ticket record also opens its ticket); returns the new seqs.
    static func append(_ drafts: [FeedDraft], version: String?, trigger: RuleEvent?, in tx: CRMStore.Transaction)
        throws -> [Int64]
    {
        var out: [Int64] = []
        for d in drafts {
            let record = CRMStore.NewFeedRecord(
                kind: d.kind, key: d.key, rule: d.rule, rulesVersion: version, customer: d.customer,
                priority: d.priority.rawValue, action: d.action, status: d.status, events: d.events, body: d.body,
                at: d.at)
            guard let seq = try tx.appendFeed(record) else { continue }
            out.append(seq)
            // The automation KPI's denominator, kept with the daily aggregates (by the trigger's platform).
            if d.kind == "action" {
                tx.addMeasures(day: CRMStore.day(d.at), platform: trigger?.platform ?? "unknown", [("automation.actions", 1)])
            }
            if d.kind == "ticket" {
                let ticket = CRMStore.Ticket(
                    id: seq, customer: d.customer, rule: d.rule, status: d.assignee == nil ? "open" : "assigned",
                    priority: d.priority.rawValue, skill: d.skill ?? "general", assignee: d.assignee,
                    subject: RuleEngine.subject(trigger, rule: d.rule), platform: trigger?.platform, events: d.events,
                    createdAt: d.at, updatedAt: d.at)
                try tx.openTicket(ticket)
                out += try Tickets.statusMessage(ticket, change: 0, at: d.at, in: tx)
            }
        }
        return out
    }
}

extension RuleRunner {
    /// Loads `path`, or the shipped file when nil (no rules when neither is there, or `none`).
    public static func load(_ path: String?) throws -> RuleRunner? {
        if path == "none" { return nil }
        let rules = try path.map(RuleSet.load) ?? shipped()
        return rules.map(RuleRunner.init)
    }

    /// Fires the timers due by `time` (`rules tick --now`): one transaction; returns the new feed seqs.
    public func advance(to time: Int64, store: CRMStore, profile: ProfileConfiguration) throws -> [Int64] {
        let (batch, generation) = try store.write(now: EventPipeline.clock()) { tx in
            let batch = try begin(tx, config: profile) { _ in nil }
            try batch.advance(to: time)
            return (batch, try batch.save())
        }
        committed(batch, generation: generation)
        return batch.appended
    }
}
