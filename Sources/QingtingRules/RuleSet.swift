import OrderedCollections
import QingtingCore

/// A parsed rule file: rules (conditions → actions), ticket routes, reply templates and brand
/// terms. Immutable and `Sendable`; `RuleEngine` interprets it the same way live and in a backtest.
public struct RuleSet: Sendable {
    /// Where it was read from, and the FNV-1a 64 hash of its bytes (the provenance of what it raises).
    public var source: String
    public var version: String
    public var rules: [Rule]
    /// Ticket routing, first match wins: the skill group a ticket goes to.
    public var routes: [Route]
    /// Reply and message templates by name; a name's variants are tried in file order.
    public var templates: [String: [Template]]
    /// Brand terms: a post that names one counts towards that term's topic.
    public var brandTerms: [String]

    /// The longest time any rule looks back or ahead (windows, waits, delays, baselines): the
    /// engine forgets state older than this.
    public var horizonMillis: Int64 {
        rules.map { rule in
            var longest = rule.cooldown ?? 0
            if let wait = rule.wait { longest = max(longest, wait.millis) }
            if let spike = rule.spike { longest = max(longest, spike.baseline + spike.window) }
            for step in rule.steps { longest = max(longest, step.delay) }
            rule.when?.forEachCount { longest = max(longest, $0.window) }
            return longest
        }.max() ?? 0
    }
}

/// One rule: which events it reads, when it fires, and what it does.
public struct Rule: Sendable {
    public var name: String
    /// `file:line` of its `rule` line.
    public var location: String
    /// Event kinds it reads; empty: every kind.
    public var kinds: Set<String>
    /// Platforms it reads; empty: every platform.
    public var platforms: Set<String>
    public var when: Condition?
    /// A timer: the rule's actions wait this long and are dropped if a later event of the same
    /// customer matches `unless` before (event time).
    public var wait: Wait?
    /// A volume spike per topic instead of a per-event trigger.
    public var spike: Spike?
    /// After firing for a key (customer, topic or event), not again for this long.
    public var cooldown: Int64?
    public var priority: Priority
    public var actions: [Action]
    /// Delayed, conditional steps: run `delay` after the trigger if their condition holds then.
    public var steps: [Step]

    public struct Wait: Sendable {
        public var millis: Int64
        /// Nil: any later event of the customer cancels the wait.
        public var unless: Condition?
    }

    public struct Spike: Sendable {
        /// The bucket a topic's volume is counted in, and the rolling baseline before it.
        public var window: Int64
        public var baseline: Int64
        /// Fires when the window's count exceeds the baseline mean by more than this fraction (2 = 200%).
        public var growth: Double
        /// And the window holds at least this many events.
        public var minimum: Int
    }

    public struct Step: Sendable {
        public var delay: Int64
        public var condition: StepCondition
        public var action: Action
    }

    public enum StepCondition: Sendable {
        /// The rule's last message or reply was acknowledged `read` (or not) by then.
        case read, unread
        case always
        case when(Condition)
    }
}

public enum Priority: String, Sendable, CaseIterable, Comparable {
    case low, normal, high, urgent
    public static func < (a: Priority, b: Priority) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a rule does; each becomes a feed record a sender can deliver.
public struct Action: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case alert, ticket, notify, reply, message, tag, coupon, opportunity, profile
    }
    public var kind: Kind
    /// The bare word after the action (`tag 投诉客户`, `notify wecom`, `coupon welcome-10`).
    public var argument: String?
    /// `key=value` options (`priority=high`, `template=soothe`, `to=account_manager`).
    public var options: [String: String]
    public var location: String
}

/// A ticket route: tickets whose trigger matches go to `skill`.
public struct Route: Sendable {
    public var skill: String
    public var when: Condition
    public var location: String
}

/// One variant of a named template: used when `when` holds (nil: always).
public struct Template: Sendable {
    public var name: String
    public var when: Condition?
    public var text: String
    public var location: String
}
