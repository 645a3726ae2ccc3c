public import QingtingCore
public import QingtingStore
import QingtingIngest
import QingtingRules

/// Tickets: open → assigned → responded → resolved (→ reopened), each change a feed record, and
/// the changes a customer should hear of (accepted, resolved, reopened) a status message queued
/// for the channel the ticket came from. `qingting tickets` and `ticket.*` call these.
public enum Tickets {
    public static let statuses = ["open", "assigned", "responded", "resolved", "reopened"]

    /// Which status may follow which.
    static let next: [String: Set<String>] = [
        "open": ["assigned", "responded", "resolved"],
        "assigned": ["assigned", "responded", "resolved"],
        "responded": ["assigned", "responded", "resolved"],
        "resolved": ["reopened"],
        "reopened": ["assigned", "responded", "resolved"],
    ]

    /// What a change asks for; nil members stay as they are.
    public struct Change: Sendable {
        public var status: String?
        public var assignee: String?
        public var priority: String?
        public var note: String?
        public init(status: String? = nil, assignee: String? = nil, priority: String? = nil, note: String? = nil) {
            self.status = status
            self.assignee = assignee
            self.priority = priority
            self.note = note
        }
    }

    /// Applies `change` to ticket `id` at `time` and appends it to the feed; returns the ticket.
    /// - Throws: `QingtingError(.invalidInput)` for an unknown ticket, status or priority, or a
    ///   status that cannot follow the ticket's (a resolved ticket is reopened before it is worked).
    public static func update(_ id: Int64, _ change: Change, at time: Int64, store: CRMStore) throws -> CRMStore.Ticket {
        if let s = change.status, !statuses.contains(s) {
            throw QingtingError(.invalidInput, "status must be one of \(statuses.joined(separator: ", "))")
        }
        if let p = change.priority, Priority(rawValue: p) == nil {
            throw QingtingError(.invalidInput, "priority must be one of \(Priority.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try store.write(now: time) { tx in
            guard var t = try tx.ticket(id) else { throw QingtingError(.invalidInput, "no ticket \(id) in the store") }
            var status = change.status ?? t.status
            if change.status == nil, change.assignee != nil, ["open", "reopened"].contains(t.status) { status = "assigned" }
            if status != t.status || change.status != nil {
                guard next[t.status]?.contains(status) == true else {
                    throw QingtingError(.invalidInput, "ticket \(id) is \(t.status); it cannot become \(status) (next: \(next[t.status]!.sorted().joined(separator: ", ")))")
                }
            }
            t.status = status
            if let a = change.assignee { t.assignee = a }
            if let p = change.priority { t.priority = p }
            if status == "responded", t.firstResponseAt == nil { t.firstResponseAt = time }
            if status == "resolved" { t.resolvedAt = time }
            if status == "reopened" { t.resolvedAt = nil }
            t.updatedAt = time
            t.changes += 1
            try tx.saveTicket(t)
            var w = JSONWriter()
            w.object { w in
                w.member("status", t.status)
                w.member("assignee", ifPresent: t.assignee)
                w.member("note", ifPresent: change.note)
            }
            _ = try tx.appendFeed(CRMStore.NewFeedRecord(
                kind: "ticket", key: "ticket|\(id)|change\(t.changes)", rule: t.rule, rulesVersion: nil,
                customer: t.customer, priority: t.priority, action: "update", status: t.status, ticket: id,
                events: t.events, body: w.text, at: time))
            _ = try statusMessage(t, change: t.changes, at: time, in: tx)
            return t
        }
    }

    /// Queues the message a customer gets when their ticket is accepted, resolved or reopened.
    static func statusMessage(_ t: CRMStore.Ticket, change: Int, at time: Int64, in tx: CRMStore.Transaction) throws -> [Int64] {
        let text: String
        switch t.status {
        case "open", "assigned":
            // Accepted once, when the ticket opens; a later reassignment is not news to the customer.
            guard change == 0 else { return [] }
            text = "您的问题已受理（工单 #\(t.id)），我们会尽快处理。"
        case "resolved": text = "您的工单 #\(t.id) 已处理完毕，如仍有问题请直接回复。"
        case "reopened": text = "您的工单 #\(t.id) 已重新打开，我们会继续跟进。"
        default: return []
        }
        var w = JSONWriter()
        w.object { w in
            w.member("platform", t.platform ?? "unknown")
            w.member("ticket", t.id)
            w.member("text", text)
        }
        let seq = try tx.appendFeed(CRMStore.NewFeedRecord(
            kind: "action", key: "ticket|\(t.id)|message\(change)", rule: t.rule, rulesVersion: nil, customer: t.customer,
            priority: t.priority, action: "message", status: "queued", ticket: t.id, events: t.events, body: w.text,
            at: time))
        return seq.map { [$0] } ?? []
    }

    /// A ticket as one JSON object.
    public static func json(_ t: CRMStore.Ticket) -> String {
        var w = JSONWriter()
        write(t, to: &w)
        return w.text
    }

    public static func write(_ t: CRMStore.Ticket, to w: inout JSONWriter) {
        w.object { w in
            w.member("id", t.id)
            w.member("status", t.status)
            w.member("priority", t.priority)
            w.member("skill", t.skill)
            w.member("assignee", ifPresent: t.assignee)
            w.member("customer", ifPresent: t.customer)
            w.member("rule", ifPresent: t.rule)
            w.member("platform", ifPresent: t.platform)
            w.member("subject", ifPresent: t.subject)
            w.member("events") { w in w.array(t.events) { w, s in w.int(s) } }
            w.member("created_at", Timestamp.iso8601(t.createdAt))
            w.member("updated_at", Timestamp.iso8601(t.updatedAt))
            if let f = t.firstResponseAt { w.member("first_response_at", Timestamp.iso8601(f)) }
            if let r = t.resolvedAt { w.member("resolved_at", Timestamp.iso8601(r)) }
        }
    }
}
