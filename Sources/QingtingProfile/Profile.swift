public import QingtingCore
import QingtingIngest

/// A customer's profile at one time (`now`): the stored state read against the configuration,
/// with the CRM fields, linked identities, recent events and a person's tag decisions beside it.
/// A pure function of its inputs, so `--now` gives the same output every run.
public struct Profile: Sendable {
    /// What the store knows of the customer besides the derived state.
    public struct Customer: Sendable {
        public var id: String
        /// Field → value, the source that set it and the time it carries.
        public var fields: [String: (value: String, source: String, updatedAt: Int64?)]
        public var identities: [Identity]

        public init(id: String, fields: [String: (value: String, source: String, updatedAt: Int64?)],
                    identities: [Identity]) {
            self.id = id
            self.fields = fields
            self.identities = identities
        }
    }

    public struct Identity: Sendable, Equatable {
        public var platform: String
        public var uid: String
        /// `confirmed` or `suggested`.
        public var status: String
        public var probability: Double?
        public var rule: String?

        public init(platform: String, uid: String, status: String, probability: Double?, rule: String?) {
            self.platform = platform
            self.uid = uid
            self.status = status
            self.probability = probability
            self.rule = rule
        }
    }

    public let customer: Customer
    public let state: ProfileState
    public let config: ProfileConfiguration
    public let now: Int64
    public let decisions: [TagDecision]
    public let engagement: EngagementScore
    public let koc: KOCScore
    public let purchaseIntent: Double
    public let churnRisk: Double
    /// The values tier and key-tag rules read, by name (`measureNames`).
    public let measures: [String: Double]

    public static let measureNames = ["engagement", "koc", "purchase_intent", "churn_risk", "days_silent", "orders",
                                      "order_amount", "events", "days_since_seen"]

    public init(customer: Customer, state: ProfileState, config: ProfileConfiguration, now: Int64,
                decisions: [TagDecision] = []) {
        self.customer = customer
        self.state = state
        self.config = config
        self.now = now
        self.decisions = decisions
        engagement = EngagementScore(state, now: now, config)
        koc = KOCScore(state, config)
        let halfLife = Double.days(config.tags.halfLifeDays)
        func mass(_ intent: String) -> Double { state.intents[intent]?.weight.value(now: now, halfLifeMillis: halfLife) ?? 0 }
        // One clear intent just now scores 0.75; it falls to 0.5 one tag half-life later.
        purchaseIntent = Double.saturating(mass("purchase"), half: 0.5)
        churnRisk = Double.saturating(mass("churn") + 0.5 * mass("complaint"), half: 0.5)
        let since = state.lastInteraction ?? state.firstSeen
        measures = [
            "engagement": engagement.score, "koc": koc.score, "purchase_intent": purchaseIntent,
            "churn_risk": churnRisk, "days_silent": since.map { max(0, Double(now - $0) / Double.days(1)) } ?? 0,
            "orders": Double(state.orders), "order_amount": state.orderAmount, "events": Double(state.events),
            "days_since_seen": state.lastSeen.map { max(0, Double(now - $0) / Double.days(1)) } ?? 0,
        ]
    }

    public var tags: [ProfileTag] { computeTags() }

    /// The names of the tags that hold now (active or confirmed), as rules and segments test them:
    /// the same tags as `tags`, built without their evidence, in no particular order within a kind.
    public var heldTags: [String] {
        computeTags(namesOnly: true).compactMap { $0.status == "active" || $0.status == "confirmed" ? $0.tag : nil }
    }

    /// The first tier rule (in file order) whose conditions all hold, and why; nil when none does.
    public var tier: (tier: String, reason: String)? {
        for rule in config.tiers where rule.when.allSatisfy({ $0.holds(measures[$0.measure] ?? 0) }) {
            let reason = rule.when.map { "\($0.measure) \(NumberFormat.rounded(measures[$0.measure] ?? 0, 2)) \($0.op.rawValue) \(NumberFormat.rounded($0.value, 4))" }
            return (rule.tier, reason.joined(separator: " and "))
        }
        return nil
    }

    /// Whether the customer is in `segment` now.
    public func isMember(of segment: ProfileConfiguration.Segment) -> Bool {
        guard segment.when.allSatisfy({ $0.holds(measures[$0.measure] ?? 0) }) else { return false }
        if !segment.tiers.isEmpty, !segment.tiers.contains(tier?.tier ?? "") { return false }
        if !segment.stages.isEmpty, !segment.stages.contains(state.journey.last?.stage ?? "") { return false }
        if !segment.platforms.isEmpty, !segment.platforms.contains(where: { state.platforms[$0] != nil }) { return false }
        if !segment.tags.isEmpty {
            let held = Set(heldTags)
            if !segment.tags.allSatisfy(held.contains) { return false }
        }
        return true
    }

    /// The members a list of customers shows of each (search results, segment members):
    /// `id`, `tier`, `stage`, `engagement`, `koc`, `last_seen`, then whatever `more` adds.
    public func writeSummary(to w: inout JSONWriter, _ more: (inout JSONWriter) -> Void = { _ in }) {
        w.object { w in
            w.member("id", customer.id)
            w.key("tier")
            if let tier = tier?.tier { w.string(tier) } else { w.null() }
            w.key("stage")
            if let stage = state.journey.last?.stage { w.string(stage) } else { w.null() }
            w.member("engagement", engagement.score, digits: 4)
            w.member("koc", koc.score, digits: 4)
            w.key("last_seen")
            if let t = state.lastSeen { w.string(Timestamp.iso8601(t)) } else { w.null() }
            more(&w)
        }
    }

    /// `{"marketing","opted_out","changed_by","changed_at"}`: the customer's consent to automated
    /// marketing (the `consent` field, nil when never given), whether it refuses it (as the rules,
    /// templates and audience exports read it), and who set it when (the field's provenance).
    public static func writeConsent(_ field: (value: String, source: String, updatedAt: Int64?)?,
                                    to w: inout JSONWriter) {
        w.object { w in
            w.key("marketing")
            if let value = field?.value { w.string(value) } else { w.null() }
            w.member("opted_out", MarketingConsent.refuses(field?.value))
            w.key("changed_by")
            if let source = field?.source { w.string(source) } else { w.null() }
            w.key("changed_at")
            if let t = field?.updatedAt { w.string(Timestamp.iso8601(t)) } else { w.null() }
        }
    }

    /// The profile as one JSON object; `events` are the recent events' JSON lines, newest last.
    public func json(events: [String]) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("id", customer.id)
            w.member("now", Timestamp.iso8601(now))
            w.member("fields") { w in
                w.object { w in
                    for name in customer.fields.keys.sorted() {
                        let f = customer.fields[name]!
                        w.member(name) { w in
                            w.object { w in
                                w.member("value", f.value)
                                w.member("source", f.source)
                                w.key("updated_at")
                                if let t = f.updatedAt { w.string(Timestamp.iso8601(t)) } else { w.null() }
                            }
                        }
                    }
                }
            }
            w.member("consent") { w in Self.writeConsent(customer.fields["consent"], to: &w) }
            w.member("identities") { w in
                w.array(customer.identities) { w, i in
                    w.object { w in
                        w.member("platform", i.platform)
                        w.member("uid", i.uid)
                        w.member("status", i.status)
                        w.key("probability")
                        if let p = i.probability { w.number(p, digits: 4) } else { w.null() }
                        w.key("rule")
                        if let r = i.rule { w.string(r) } else { w.null() }
                    }
                }
            }
            w.member("activity") { w in
                w.object { w in
                    w.member("events", state.events)
                    w.member("last_seq", state.lastSeq)
                    for (name, t) in [("first_seen", state.firstSeen), ("last_seen", state.lastSeen),
                                      ("last_interaction", state.lastInteraction)] {
                        w.key(name)
                        if let t { w.string(Timestamp.iso8601(t)) } else { w.null() }
                    }
                    w.member("kinds") { w in w.object { w in for k in state.kinds.keys.sorted() { w.member(k, state.kinds[k]!) } } }
                    w.member("platforms") { w in
                        w.object { w in for p in state.platforms.keys.sorted() { w.member(p, state.platforms[p]!) } }
                    }
                    w.member("orders", state.orders)
                    w.member("order_amount", state.orderAmount, digits: 2)
                }
            }
            w.member("tags") { w in w.array(tags) { w, t in t.write(to: &w) } }
            w.member("engagement") { w in engagement.write(to: &w, config) }
            w.member("predicted") { w in
                w.object { w in
                    w.member("purchase_intent", purchaseIntent, digits: 4)
                    w.member("churn_risk", churnRisk, digits: 4)
                }
            }
            w.member("koc") { w in koc.write(to: &w, state, config) }
            w.member("tier") { w in
                w.object { w in
                    w.key("tier")
                    if let tier { w.string(tier.tier) } else { w.null() }
                    w.member("reason", tier?.reason ?? "no tier rule holds")
                    w.member("measures") { w in
                        w.object { w in for name in Self.measureNames { w.member(name, measures[name] ?? 0, digits: 4) } }
                    }
                }
            }
            w.member("journey") { w in
                w.object { w in
                    w.key("stage")
                    if let stage = state.journey.last?.stage { w.string(stage) } else { w.null() }
                    w.member("history") { w in
                        w.array(state.journey) { w, step in
                            w.object { w in
                                w.member("stage", step.stage)
                                w.member("seq", step.seq)
                                w.member("at", Timestamp.iso8601(step.at))
                                w.member("reason", step.reason)
                            }
                        }
                    }
                }
            }
            w.member("events") { w in w.array(events) { w, line in w.raw(line) } }
            w.member("config") { w in
                w.object { w in
                    w.member("source", config.source)
                    w.member("version", config.version)
                }
            }
        }
        return w.text
    }
}
