import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingStore

extension RPCMethod {

    /// The filter parameters `feed.read` and `alerts.subscribe` share.
    static let feedFilterParams = [
        Param(name: "kind", required: false, schema: #"{"type":"array","items":{"type":"string"}}"#, summary: "Only these kinds (alert, action, ticket, merge, split)."),
        Param(name: "priority", required: false, schema: #"{"type":"array","items":{"type":"string"}}"#, summary: "Only these priorities."),
        Param(name: "rule", required: false, schema: #"{"type":"array","items":{"type":"string"}}"#, summary: "Only these rules."),
    ]

    static func feedFilter(_ params: JSONObject) throws -> CRMStore.FeedFilter {
        func set(_ name: String) throws -> Set<String> { Set(try params.strings(name) ?? []) }
        return CRMStore.FeedFilter(kinds: try set("kind"), priorities: try set("priority"), rules: try set("rule"))
    }

    static let readFeed = RPCMethod(
        name: "feed.read",
        summary: "Feed records (alerts, actions, tickets, merges, splits) after `since`, in sequence order, what `qingting feed` prints: a client that polls with `last` gets every record after it, nothing lost, nothing out of order.",
        params: [
            Param(name: "since", required: false, schema: #"{"type":"integer","minimum":0}"#, summary: "Records after this seq (default 0)."),
            Param(name: "limit", required: false, schema: #"{"type":"integer","minimum":1,"maximum":10000}"#, summary: "At most this many (default 1000)."),
        ] + feedFilterParams,
        resultSchema: #"{"type":"object","properties":{"records":{"type":"array"},"last":{"type":"integer","description":"The seq the read got through (past records the filter skipped): pass it as the next since."}}}"#,
        run: { context, params in
            let log = try profileLog(context, "feed.read")
            let since = try params.integer("since", in: 0...Int64.max) ?? 0
            let limit = Int(try params.integer("limit", in: 1...10_000) ?? 1000)
            let page = try log.store.feedPage(since: since, filter: try feedFilter(params), limit: limit)
            var w = JSONWriter()
            w.object { w in
                w.member("records") { w in w.array(page.records) { w, r in Feed.write(r, to: &w) } }
                w.member("last", page.through)
            }
            return w.text
        }).touching(PersonalData(access: .read, fields: ["feed"], customers: .each("records", "customer")))

    static let subscribeAlerts = RPCMethod(
        name: "alerts.subscribe",
        summary: "Streams feed records after `since` on this connection as `alerts.record` notifications (params: one record, as `feed.read` gives it), in sequence order, as they are appended. After a disconnect or a restart, subscribe again with the last seq received: every record after it comes, nothing lost, nothing twice. A second subscribe on a connection replaces the first.",
        params: [
            Param(name: "since", required: false, schema: #"{"type":"integer","minimum":0}"#, summary: "Records after this seq (default: only records appended from now on)."),
        ] + feedFilterParams,
        resultSchema: #"{"type":"object","properties":{"subscribed":{"type":"boolean"},"since":{"type":"integer"},"last":{"type":"integer","description":"The feed's last seq when the subscription began."}}}"#,
        run: { context, params in
            let log = try profileLog(context, "alerts.subscribe")
            let last = try log.store.lastFeedSeq()
            let since = try params.integer("since", in: 0...Int64.max) ?? last
            context.effects.subscription = RPCEngine.FeedSubscription(cursor: since, filter: try feedFilter(params),
                                                                      token: context.token, uid: context.caller.uid)
            var w = JSONWriter()
            w.object { w in
                w.member("subscribed", true)
                w.member("since", since)
                w.member("last", last)
            }
            return w.text
        }).touching(PersonalData(access: .read, fields: ["feed"], streams: true))

    /// One `alerts.record` notification: `{"jsonrpc":"2.0","method":"alerts.record","params":RECORD}`,
    /// the record without the fields the subscriber's role does not see.
    static func feedNotification(_ r: CRMStore.FeedRecord, _ permission: Permission? = nil) -> String {
        var record = JSONWriter()
        Feed.write(r, to: &record)
        var text = record.text
        if let permission, !permission.filter.isEmpty, let value = try? JSONValue.parse(text) {
            text = permission.filtered(value).value.jsonText
        }
        var w = JSONWriter()
        w.object { w in
            w.member("jsonrpc", "2.0")
            w.member("method", "alerts.record")
            w.member("params", raw: text)
        }
        return w.text
    }

    /// The notification that ends a subscription whose caller may no longer read the feed:
    /// `{"jsonrpc":"2.0","method":"alerts.closed","params":{"code":-32001,"message":…,"data":{…}}}`.
    static func closedNotification(_ refusal: RPCError) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("jsonrpc", "2.0")
            w.member("method", "alerts.closed")
            w.member("params") { w in refusal.write(to: &w) }
        }
        return w.text
    }

    static let ackAction = RPCMethod(
        name: "action.ack",
        summary: "A sender's report on an action it delivered: sent, delivered, read or failed (a delayed step `if read` reads it).",
        params: [
            Param(name: "seq", required: true, schema: #"{"type":"integer","minimum":1}"#, summary: "The action's feed seq."),
            Param(name: "status", required: true, schema: #"{"type":"string","enum":["sent","delivered","read","failed","reversed"]}"#, summary: "Its delivery status (reversed: a person undid the action)."),
            Param(name: "detail", required: false, schema: #"{"type":"string"}"#, summary: "The platform's message id or the error."),
        ],
        resultSchema: #"{"type":"object","properties":{"seq":{"type":"integer"},"delivery":{"type":"string"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "action.ack")
            let seq = try params.integer("seq", in: 1...Int64.max)!
            let status = try params.requiredString("status")
            guard CRMStore.deliveryStatuses.contains(status) else {
                throw RPCError.param("status", expected: "one of sent, delivered, read, failed, reversed", got: .string(status))
            }
            guard try log.store.ack(seq, status: status, detail: try params.string("detail"), at: EventPipeline.clock()) else {
                throw RPCError(.notFound, "no action with this seq in the outbox", data: [("param", .string("seq"))])
            }
            var w = JSONWriter()
            w.object { w in w.member("seq", seq); w.member("delivery", status) }
            return w.text
        }).touching(PersonalData(access: .change, fields: ["delivery"]))

    static let listTickets = RPCMethod(
        name: "ticket.list",
        summary: "Tickets, newest first, what `qingting tickets` prints, optionally by status, customer and assignee.",
        params: [
            Param(name: "status", required: false, schema: #"{"type":"string"}"#, summary: "open, assigned, responded, resolved or reopened."),
            Param(name: "customer", required: false, schema: #"{"type":"string"}"#, summary: "A customer id."),
            Param(name: "assignee", required: false, schema: #"{"type":"string"}"#, summary: "An assignee."),
            Param(name: "limit", required: false, schema: #"{"type":"integer","minimum":1,"maximum":10000}"#, summary: "At most this many (default 100)."),
        ],
        resultSchema: #"{"type":"object","properties":{"tickets":{"type":"array"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "ticket.list")
            let tickets = try log.store.tickets(
                status: try params.string("status"), customer: try params.string("customer"),
                assignee: try params.string("assignee"), limit: Int(try params.integer("limit", in: 1...10_000) ?? 100))
            var w = JSONWriter()
            w.object { w in w.member("tickets") { w in w.array(tickets) { w, t in Tickets.write(t, to: &w) } } }
            return w.text
        }).touching(PersonalData(access: .read, fields: ["tickets"], customers: .all(.param("customer"), .each("tickets", "customer")), ticketBound: true))

    static let getTicket = RPCMethod(
        name: "ticket.get",
        summary: "One ticket: status, priority, skill group, assignee, customer, rule, the events behind it and its times.",
        params: [Param(name: "id", required: true, schema: #"{"type":"integer","minimum":1}"#, summary: "The ticket id.")],
        resultSchema: #"{"type":"object"}"#,
        run: { context, params in
            let log = try profileLog(context, "ticket.get")
            guard let t = try log.store.ticket(try params.integer("id", in: 1...Int64.max)!) else {
                throw RPCError(.notFound, "no such ticket in the store", data: [("param", .string("id"))])
            }
            return Tickets.json(t)
        }).touching(PersonalData(access: .read, fields: ["tickets"], customers: .result("customer"), ticketBound: true))

    static let updateTicket = RPCMethod(
        name: "ticket.update",
        summary: "Changes a ticket's status (open → assigned → responded → resolved → reopened), assignee or priority; the change is appended to the feed with the status message the customer gets.",
        params: [
            Param(name: "id", required: true, schema: #"{"type":"integer","minimum":1}"#, summary: "The ticket id."),
            Param(name: "status", required: false, schema: #"{"type":"string"}"#, summary: "The new status."),
            Param(name: "assignee", required: false, schema: #"{"type":"string"}"#, summary: "The new assignee."),
            Param(name: "priority", required: false, schema: #"{"type":"string"}"#, summary: "low, normal, high or urgent."),
            Param(name: "note", required: false, schema: #"{"type":"string"}"#, summary: "A note kept with the change."),
            Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The change's time; default: the clock."),
        ],
        resultSchema: #"{"type":"object"}"#,
        run: { context, params in
            let log = try profileLog(context, "ticket.update")
            let id = try params.integer("id", in: 1...Int64.max)!
            let change = Tickets.Change(status: try params.string("status"), assignee: try params.string("assignee"),
                                        priority: try params.string("priority"), note: try params.string("note"))
            do {
                return Tickets.json(try Tickets.update(id, change, at: try profileNow(params), store: log.store))
            } catch let e as QingtingError where e.code == .invalidInput {
                throw RPCError(.invalidParams, e.message)
            }
        }).touching(PersonalData(access: .change, fields: ["tickets"], customers: .result("customer"), ticketBound: true))
}
