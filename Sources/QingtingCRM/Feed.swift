public import QingtingCore
import QingtingIngest
public import QingtingStore

/// The feed as the CLI and the socket serve it: one JSON object per record (`qingting feed`,
/// `alerts.subscribe` notifications), each with its `seq`, `kind`, the rule that fired, the
/// customer and the events behind it.
public enum Feed {
    /// `{"seq","kind","rule","customer","priority","action","status","delivery","ticket","events","at","created_at","detail"}`.
    public static func line(_ r: CRMStore.FeedRecord) -> String {
        var w = JSONWriter()
        write(r, to: &w)
        return w.text
    }

    public static func write(_ r: CRMStore.FeedRecord, to w: inout JSONWriter) {
        let x = r.record
        w.object { w in
            w.member("seq", r.seq)
            w.member("kind", x.kind)
            w.member("rule", ifPresent: x.rule)
            w.member("customer", ifPresent: x.customer)
            w.member("priority", ifPresent: x.priority)
            w.member("action", ifPresent: x.action)
            w.member("status", ifPresent: x.status)
            w.member("delivery", ifPresent: r.delivery)
            if let ticket = x.ticket ?? (x.kind == "ticket" ? r.seq : nil) { w.member("ticket", ticket) }
            w.member("events") { w in w.array(x.events) { w, s in w.int(s) } }
            w.member("at", Timestamp.iso8601(x.at))
            w.member("created_at", Timestamp.iso8601(r.createdAt))
            w.member("rules_version", ifPresent: x.rulesVersion)
            w.member("detail", raw: x.body)
        }
    }
}
