import OrderedCollections
import QingtingCore
import QingtingIngest

/// One record a firing appends to the feed, before the store numbers it: an alert, an action a
/// sender delivers (notify, reply, message, tag, coupon, opportunity, profile) or a ticket.
public struct FeedDraft: Sendable {
    /// `alert`, `action` or `ticket`.
    public var kind: String
    /// Idempotency: the firing's key and the action's place in the rule; the store keeps one
    /// record per key, so the same trigger never creates two tickets.
    public var key: String
    public var rule: String
    public var customer: String?
    public var priority: Priority
    public var events: [Int64]
    /// Event time it fired at.
    public var at: Int64
    /// The action (`reply`, `notify`…; `alert` and `ticket` for those kinds).
    public var action: String
    /// `queued` for a sender, `blocked` (with `reason`) when a check refused it, `open` or
    /// `assigned` for a ticket, `raised` for an alert.
    public var status: String
    /// The ticket's skill group and assignee (tickets only).
    public var skill: String?
    public var assignee: String?
    /// The record's details as one JSON object (text, channel, template, why…).
    public var body: String
}

extension RuleEngine {
    /// Platforms whose private replies must fall within a window after the customer's last
    /// message: Meta's standard messaging window (24 h) and WeChat's customer-service window (48 h).
    public static let replyWindows: [String: Int64] = [
        "facebook": 24 * 3_600_000, "instagram": 24 * 3_600_000, "wechat": 48 * 3_600_000,
    ]

    /// The values of a customer's `consent` field that refuse marketing (`MarketingConsent.refusals`):
    /// rules block coupons and messages on them, and audience exports leave those customers out.
    public static var refusals: Set<String> { MarketingConsent.refusals }

    /// Whether a `consent` value refuses marketing (nil, no value given, does not).
    public static func refusesConsent(_ consent: String?) -> Bool { MarketingConsent.refuses(consent) }

    /// The feed records of one firing, in the rule's action order.
    /// - Parameters:
    ///   - trigger: the event it fired on (nil for a spike's topic-wide alert when it is gone).
    ///   - profile: the customer's profile facts, when the firing has a customer.
    public func drafts(_ f: Firing, trigger: RuleEvent?, profile: (any ProfileFacts)?) -> [FeedDraft] {
        let evaluation = trigger.map {
            Evaluation(event: $0, topics: $0.topics(brandTerms: rules.brandTerms), profile: { profile })
        }
        func first(_ name: String) -> String? { profile?.values(of: name).first?.text }
        var out: [FeedDraft] = []
        for (i, action) in f.actions.enumerated() {
            let priority = action.options["priority"].flatMap(Priority.init(rawValue:)) ?? f.rule.priority
            var draft = FeedDraft(
                kind: "action", key: f.key + "|\(i)", rule: f.rule.name, customer: f.customer, priority: priority,
                events: f.events, at: f.at, action: action.kind.rawValue, status: "queued", body: "{}")
            var reason: String?
            var w = JSONWriter()
            w.object { w in
                switch action.kind {
                case .alert:
                    draft.kind = "alert"
                    draft.status = "raised"
                    w.member("title", action.argument ?? f.rule.name)
                case .ticket:
                    draft.kind = "ticket"
                    let skill = action.options["skill"].flatMap { $0 == "auto" ? nil : $0 }
                        ?? evaluation.flatMap { e in rules.routes.first { $0.when.holds(e) }?.skill } ?? "general"
                    draft.skill = skill
                    let assign = action.options["assign"] ?? "auto"
                    let manager = first("account_manager")
                    let vip = (first("level").map { ["vip", "svip"].contains($0.lowercased()) } ?? false)
                    switch assign {
                    case "auto": draft.assignee = vip ? manager ?? "group:vip" : "group:" + skill
                    case "account_manager": draft.assignee = manager ?? "group:" + skill
                    default: draft.assignee = assign
                    }
                    draft.status = "assigned"
                    w.member("skill", skill)
                    w.member("subject", Self.subject(trigger, rule: f.rule.name))
                case .notify:
                    w.member("channel", action.argument ?? "wecom")
                    w.member("to", action.options["to"] == "account_manager" ? first("account_manager") ?? "group:vip"
                             : action.options["to"] ?? "group:service")
                    w.member("text", template(action.options["template"], evaluation, profile)
                             ?? Self.subject(trigger, rule: f.rule.name))
                    if let profile {
                        w.member("profile") { w in
                            w.object { w in
                                for name in ["level", "tier", "stage", "engagement", "koc", "account_manager"] {
                                    if let v = profile.values(of: name).first { w.member(name, v.text) }
                                }
                            }
                        }
                    }
                case .reply, .message:
                    let platform = action.kind == .message ? "wecom" : trigger?.platform ?? "unknown"
                    w.member("platform", platform)
                    if action.kind == .reply, let trigger { w.member("in_reply_to", trigger.eventID) }
                    if let name = action.options["template"] { w.member("template", name) }
                    w.member("text", template(action.options["template"], evaluation, profile) ?? "")
                    if action.kind == .message {
                        if !(profile?.values(of: "private_domain").contains { $0.text == "true" } ?? false) {
                            reason = "not_in_private_domain"
                        } else if Self.refusesConsent(first("consent")) {
                            reason = "no_consent"
                        }
                    } else if let trigger, trigger.kind == "dm", let window = Self.replyWindows[trigger.platform],
                              f.at - trigger.occurredAt > window {
                        reason = "reply_window"
                    }
                case .coupon:
                    w.member("coupon", action.argument ?? "")
                    if Self.refusesConsent(first("consent")) { reason = "no_consent" }
                case .tag: w.member("tag", action.argument ?? "")
                case .opportunity: w.member("stage", action.argument ?? "new")
                case .profile: w.member("create", true)
                }
                if let reason { w.member("reason", reason) }
                w.member("why", raw: f.reason)
                if let trigger { w.member("post") { w in Self.writePost(trigger, to: &w) } }
            }
            if reason != nil { draft.status = "blocked" }
            draft.body = w.text
            out.append(draft)
        }
        return out
    }

    /// The first variant of template `name` whose condition holds, with its placeholders filled.
    func template(_ name: String?, _ e: Evaluation?, _ profile: (any ProfileFacts)?) -> String? {
        guard let name, let variants = rules.templates[name] else { return nil }
        guard let chosen = variants.first(where: { t in t.when.map { c in e.map { c.holds($0) } ?? false } ?? true })
        else { return nil }
        var text = chosen.text
        for field in ["account_manager", "level", "tier"] where text.contains("{\(field)}") {
            text = text.replacing("{\(field)}", with: profile?.values(of: field).first?.text ?? "")
        }
        if let platform = e?.event.platform { text = text.replacing("{platform}", with: platform) }
        return text
    }

    /// A one-line subject for a ticket or notification: platform, kind and the post's first words.
    public static func subject(_ trigger: RuleEvent?, rule: String) -> String {
        guard let trigger else { return rule }
        let head = trigger.text.prefix(60)
        return "\(trigger.platform) \(trigger.kind): \(head)\(trigger.text.count > 60 ? "…" : "")"
    }

    static func writePost(_ e: RuleEvent, to w: inout JSONWriter) {
        w.object { w in
            w.member("seq", e.seq)
            w.member("platform", e.platform)
            w.member("event_id", e.eventID)
            w.member("kind", e.kind)
            w.member("occurred_at", Timestamp.iso8601(e.occurredAt))
            w.member("text", e.text)
            w.member("sentiment", ifPresent: e.sentiment)
            w.member("intents") { w in w.array(e.intents) { w, s in w.string(s) } }
            w.member("category", ifPresent: e.category)
        }
    }
}
