public import QingtingIngest
public import QingtingStore

/// A platform's delete event (a user deleted their post or comment, a WeCom or Bilibili recall —
/// `EventKind.delete`, parent: the event it deletes) does for that event what an erasure does for
/// a customer's: its text, quoted text, author profile and payload go, events quoting it lose the
/// quote, and feed records and tickets that repeated its words are cleaned. Its kind, time, labels
/// and link stay, so the profile and the aggregates it counted in are unchanged. Runs in the
/// ingest transaction that appends the delete (or the deleted event, when the delete came first).
public enum PostDeletion {
    /// One event appended in the transaction.
    public struct Appended: Sendable {
        public var seq: Int64
        public var event: SocialEvent
        public init(seq: Int64, event: SocialEvent) {
            self.seq = seq
            self.event = event
        }
    }

    /// Redacts the events the appended deletes name, and the appended events a delete already in
    /// the log names.
    /// - Returns: the events redacted.
    @discardableResult
    public static func apply(_ appended: [Appended], in tx: CRMStore.Transaction, at time: Int64) throws -> Int {
        var targets: [Int64] = []
        // A delete's own payload may repeat the deleted item (a Weibo push `delete` carries the status).
        var deletes: [Int64] = []
        for a in appended {
            let platform = a.event.platform.rawValue
            if a.event.kind == .delete { deletes.append(a.seq) }
            if a.event.kind == .delete, let parent = a.event.parent?.id,
               let seq = try tx.seq(platform: platform, eventID: parent) {
                targets.append(seq)
            } else if a.event.kind != .delete, try tx.isDeleted(platform: platform, eventID: a.event.eventID) {
                targets.append(a.seq)
            }
        }
        if !deletes.isEmpty { _ = try tx.clearPayloads(of: deletes, whenAllRedacted: false) }
        guard !targets.isEmpty else { return 0 }
        var needles: [String] = []
        var since = Int64.max
        let events = try tx.events(targets).filter { $0.redaction?.reason != "platform_delete" }
        for stored in events {
            needles += Redactions.needles(of: stored)
            since = min(since, stored.event.occurredAt)
            try tx.redact(stored.seq, Redactions.redaction(of: stored, reason: "platform_delete", at: time))
            _ = try tx.dropQuotes(of: stored.event.eventID, platform: stored.event.platform.rawValue)
        }
        let seqs = events.map(\.seq)
        _ = try tx.clearPayloads(of: seqs, whenAllRedacted: false)
        _ = try tx.scrubRecords(events: Set(seqs), customers: [], since: since, CRMStore.Scrub(needles: needles))
        return events.count
    }
}
