public import QingtingCore
public import QingtingIngest
public import QingtingStore
import QingtingRules
public import OrderedCollections

/// What one event adds to the daily aggregates the KPIs read (`kpi_daily`), and whether it makes
/// its customer a lead or is an order. A pure function of the event and its analysis, so the
/// ingest path (on its parallel threads) and `rebuild` count alike.
///
/// Measures: `events`; `kind.K` per kind; for a text-bearing event (post, comment, reply, dm,
/// mention with text) `mentions`, `sentiment.L`, `intent.L` per intent, `category.C`, `hashtag.H`
/// (at most 5); a survey answer `csat.responses` / `csat.satisfied` (4–5 of 1–5) or
/// `nps.responses` / `nps.promoters` (9–10) / `nps.detractors` (0–6); an order `orders.count`
/// and `orders.value` (`metrics.amount`, else `value`, `total`, `price`); `campaign.ID` for an event
/// carrying `metrics.campaign`; `fields.present` and
/// `fields.expected` (sync completeness).
public struct EventMeasures: Sendable {
    public var values: [(measure: String, value: Double)] = []
    /// A purchase intent on a social platform: the customer becomes a lead (the first time).
    public var purchaseIntent = false
    /// An order, with its amount (0 when the payload gave none).
    public var orderAmount: Double?

    static let textKinds: Set<String> = ["post", "comment", "reply", "dm", "mention"]
    /// Platforms that are not social channels (their purchase intents do not make a social lead).
    static let nonSocial: Set<String> = ["crm", "shop", "erp", "pos"]

    public init(kind: String, platform: String, hasText: Bool, sentiment: String?, intents: [String],
                category: String?, hashtags: [String], metrics: JSONObject, fieldsPresent: Int, fieldsExpected: Int) {
        add("events")
        add("kind." + kind)
        if Self.textKinds.contains(kind), hasText {
            add("mentions")
            if let sentiment { add("sentiment." + sentiment) }
            for intent in intents { add("intent." + intent) }
            if let category { add("category." + category) }
            for tag in hashtags.prefix(5) { add("hashtag." + tag) }
            purchaseIntent = intents.contains("purchase") && !Self.nonSocial.contains(platform)
        }
        if let csat = Self.number(metrics["csat"]), (1...5).contains(csat) {
            add("csat.responses")
            if csat >= 4 { add("csat.satisfied") }
        }
        if let nps = Self.number(metrics["nps"]), (0...10).contains(nps) {
            add("nps.responses")
            if nps >= 9 { add("nps.promoters") }
            if nps <= 6 { add("nps.detractors") }
        }
        if kind == "order" {
            let amount = ["amount", "value", "total", "price"].lazy.compactMap { Self.number(metrics[$0]) }.first ?? 0
            orderAmount = amount
            add("orders.count")
            add("orders.value", amount)
        }
        if case .number(let id)? = metrics["campaign"] { add("campaign." + id) }
        if fieldsExpected > 0 {
            add("fields.present", Double(fieldsPresent))
            add("fields.expected", Double(fieldsExpected))
        }
    }

    /// From an event and its stored analysis JSON (`rebuild`, a segment's report).
    public init(_ event: SocialEvent, analysis: String?, fieldsPresent: Int, fieldsExpected: Int) {
        self.init(event, labels: AnalysisLabels(json: analysis), fieldsPresent: fieldsPresent, fieldsExpected: fieldsExpected)
    }

    /// From an event and the labels of its analysis (on the ingest path, those just made).
    init(_ event: SocialEvent, labels: AnalysisLabels, fieldsPresent: Int, fieldsExpected: Int) {
        let text = event.text ?? ""
        self.init(kind: event.kind.rawValue, platform: event.platform.rawValue, hasText: !text.isEmpty,
                  sentiment: labels.sentiment, intents: labels.intents, category: labels.category,
                  hashtags: RuleEvent.hashtags(in: text), metrics: event.metrics,
                  fieldsPresent: fieldsPresent, fieldsExpected: fieldsExpected)
    }

    private mutating func add(_ measure: String, _ value: Double = 1) { values.append((measure, value)) }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let literal): return Double(literal)
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    /// Adds the event (stored as `seq`, resolved to `customer`) to the transaction's aggregates.
    public func record(seq: Int64, platform: String, occurredAt: Int64, customer: String?,
                       in tx: CRMStore.Transaction) throws {
        let day = CRMStore.day(occurredAt)
        tx.addMeasures(day: day, platform: platform, values)
        if let customer { try tx.active(day: day, customer: customer, platform: platform) }
        if purchaseIntent, let customer { try tx.lead(customer: customer, platform: platform, at: occurredAt, seq: seq) }
        if let orderAmount { try tx.order(seq: seq, customer: customer, at: occurredAt, amount: orderAmount) }
    }

    /// Refolds the aggregates from the whole log (each event under its customer now), replacing
    /// them: after `replay` changed analyses, for a store filled before they existed, and in `rebuild`.
    /// - Returns: the number of events folded.
    @discardableResult
    public static func rebuild(_ store: CRMStore, now: Int64) throws -> Int {
        var fold = CRMStore.AggregateFold()
        var n = 0
        try store.forEachEvent { stored in
            n += 1
            let e = stored.event
            let m = EventMeasures(stored)
            fold.add(day: CRMStore.day(e.occurredAt), platform: e.platform.rawValue, m.values)
            fold.event(customer: stored.customer, platform: e.platform.rawValue, kind: e.kind.rawValue, at: e.occurredAt)
            if m.purchaseIntent, let c = stored.customer {
                fold.lead(customer: c, platform: e.platform.rawValue, at: e.occurredAt, seq: stored.seq)
            }
            if let amount = m.orderAmount { fold.order(seq: stored.seq, customer: stored.customer, at: e.occurredAt, amount: amount) }
        }
        try store.write(now: now) { tx in try tx.replaceAggregates(fold) }
        return n
    }

    /// Folds the aggregates unless they hold the whole log already.
    public static func ensureBuilt(_ store: CRMStore, now: Int64) throws {
        if try !store.aggregatesBuilt() { try rebuild(store, now: now) }
    }
}
