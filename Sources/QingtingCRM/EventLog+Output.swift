import OrderedCollections
public import QingtingCore
import QingtingIngest
public import QingtingStore

/// The JSON the event log's readers print: one stored event (a line of `qingting events`), and
/// sync health (`qingting sync status`, `sync.status`).
public enum EventLogOutput {
    /// The sync-health targets: field completeness at least this, latency under this.
    public static let completenessTarget = 0.98
    public static let latencyTargetMillis: Int64 = 15 * 60 * 1000

    /// One stored event: `seq`, the SocialEvent members (`platform, event_id, kind, author, parent,
    /// text, quoted_text, occurred_at, received_at, metrics`), then `committed_at`, `customer`
    /// (or null) with `link` (`{"rule","probability"}`) when linked, `analysis` (with `models`,
    /// the model set's fingerprint; null for an event without text), `deleted_at` / `edited_at`
    /// when a later event of the platform deleted or edited it, `redacted` `{"reason","at"}` when
    /// its personal data was removed, and `raw` when asked.
    public static func line(_ e: CRMStore.StoredEvent, includeRaw: Bool = false) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("seq", e.seq)
            // The SocialEvent's own members, written by its one writer, spliced in.
            let own = e.event.json(includeRaw: false)
            w.raw("")
            w.text.append(contentsOf: own.dropFirst().dropLast())
            w.member("committed_at", e.committedAt)
            w.key("customer")
            if let customer = e.customer { w.string(customer) } else { w.null() }
            if e.customer != nil, let rule = e.linkRule {
                w.member("link") { w in
                    w.object { w in
                        w.member("rule", rule)
                        if let p = e.linkProbability { w.member("probability", p, digits: 4) }
                    }
                }
            }
            w.key("analysis")
            if let analysis = e.analysis {
                var members = analysis
                members.removeLast()
                w.raw(members + ",\"models\":" + JSON.quoted(e.models ?? "") + "}")
            } else {
                w.null()
            }
            w.member("deleted_at", ifPresent: e.deletedAt)
            w.member("edited_at", ifPresent: e.editedAt)
            if let r = e.redaction {
                // Why the words are gone (retention, erasure, a platform delete), and when.
                w.member("redacted") { w in
                    w.object { w in
                        w.member("reason", r.reason)
                        w.member("at", r.at)
                    }
                }
            }
            if includeRaw { w.member("raw", String(decoding: e.event.raw, as: UTF8.self)) }
        }
        return w.text
    }

    /// `{"targets":{"completeness":0.98,"latency_ms":900000},"days":[{"day","platform","received",
    /// "stored","duplicates","rejected","rejected_by_reason":{…},"completeness","fields_present",
    /// "fields_expected","latency_ms":{"p50","p95","max"},"meets_targets":{"completeness","latency"}}…]}`
    public static func syncStatus(_ days: [CRMStore.SyncDay]) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("targets") { w in
                w.object { w in
                    w.member("completeness", completenessTarget, digits: 2)
                    w.member("latency_ms", latencyTargetMillis)
                }
            }
            w.member("days") { w in
                w.array(days) { w, d in
                    w.object { w in
                        w.member("day", d.day)
                        w.member("platform", d.platform)
                        w.member("received", d.received)
                        w.member("stored", d.stored)
                        w.member("duplicates", d.duplicates)
                        w.member("rejected", d.rejected.values.reduce(0, +))
                        w.member("rejected_by_reason") { w in
                            w.object { w in
                                for (reason, n) in d.rejected.sorted(by: { $0.key < $1.key }) { w.member(reason, n) }
                            }
                        }
                        w.member("completeness", d.completeness, digits: 4)
                        w.member("fields_present", d.fieldsPresent)
                        w.member("fields_expected", d.fieldsExpected)
                        w.member("latency_ms") { w in
                            w.object { w in
                                for (name, value) in [
                                    ("p50", d.latencyP50), ("p95", d.latencyP95), ("max", d.latencyMax),
                                ] {
                                    w.key(name)
                                    if let value { w.int(value) } else { w.null() }
                                }
                            }
                        }
                        w.member("meets_targets") { w in
                            w.object { w in
                                w.member("completeness", d.completeness >= completenessTarget)
                                w.key("latency")
                                if let p95 = d.latencyP95 { w.bool(p95 < latencyTargetMillis) } else { w.null() }
                            }
                        }
                    }
                }
            }
        }
        return w.text
    }
}
