import OrderedCollections
import QingtingCore
/// A rule's condition: tests on the event, the customer's profile and counts over time windows,
/// combined with `and`, `or` and `not` (README: Rules, "Conditions").
public indirect enum Condition: Sendable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    /// `field op value`, `field in (a, b)`, `field contains "x"`; a field with several values
    /// (intents, tags, topics) holds when one of them does (`!=`: when none is equal).
    case compare(Field, Operator, [Value])
    /// A bare field: true when it has a value that is not `false`, `0` or `no`.
    case present(Field)
    /// `count(CONDITION within DURATION by KEY) op N`.
    case count(Count, Operator, Double)

    public enum Operator: String, Sendable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case isIn = "in", contains = "contains"
    }

    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)

        var text: String {
            switch self {
            case .text(let s): s
            case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : NumberFormat.rounded(x, 4)
            }
        }
    }

    /// Events counted in a sliding window of event time, per key.
    public struct Count: Sendable {
        /// Which events count (nil: every event the rule reads).
        public var of: Condition?
        public var window: Int64
        public var by: Key
        /// The counter's name in the engine's state: `rule#n`, n its place in the rule.
        public var id: String

        public enum Key: String, Sendable, CaseIterable { case customer, topic, platform, all }
    }

    /// Calls `body` with every count inside this condition, outermost first.
    public func forEachCount(_ body: (Count) -> Void) {
        switch self {
        case .all(let parts), .any(let parts): for part in parts { part.forEachCount(body) }
        case .not(let inner): inner.forEachCount(body)
        case .compare, .present: break
        case .count(let count, _, _):
            body(count)
            count.of?.forEachCount(body)
        }
    }
}

/// What a test reads.
public enum Field: Sendable, Equatable {
    case platform, kind, text, sentiment, intent, category, tag, hashtag, topic, customer
    /// The probability of the event's sentiment label.
    case confidence
    /// `profile.NAME`: level, tier, stage, tag, consent, opted_out, private_domain, account_manager, a
    /// measure (engagement, koc, purchase_intent, churn_risk, days_silent, orders…) or a CRM field.
    case profile(String)
    case metric(String)
    case author(String)

    /// The names a rule file may use, for the error that lists them.
    public static let eventNames = ["platform", "kind", "text", "sentiment", "intent", "category", "tag", "hashtag",
                                    "topic", "customer", "confidence"]

    init?(_ name: String) {
        let lower = name.lowercased()
        if let rest = Self.after("profile.", lower, name) { self = .profile(rest); return }
        if let rest = Self.after("metric.", lower, name) { self = .metric(rest); return }
        if let rest = Self.after("author.", lower, name) { self = .author(rest); return }
        switch lower {
        case "platform": self = .platform
        case "kind": self = .kind
        case "text": self = .text
        case "sentiment": self = .sentiment
        case "intent": self = .intent
        case "category": self = .category
        case "tag": self = .tag
        case "hashtag": self = .hashtag
        case "topic": self = .topic
        case "customer": self = .customer
        case "confidence": self = .confidence
        default: return nil
        }
    }

    private static func after(_ prefix: String, _ lower: String, _ original: String) -> String? {
        guard lower.hasPrefix(prefix), lower.count > prefix.count else { return nil }
        return String(original.dropFirst(prefix.count))
    }
}
