internal import Foundation
internal import GRDB
import OrderedCollections
public import QingtingCore

/// Removing personal data from what the log and its derived tables hold, for retention
/// (`CRMStore+Retention`), erasure (`CRMStore+Erasure`) and a platform's delete events: the
/// primitives the CRM layer's jobs combine inside one transaction.
extension CRMStore {
    /// What a redacted event keeps of its text: why it was redacted and when, and the facts of the
    /// text the folds read — its length in characters (`ProfileEvent.textLength`) and the hashtags
    /// the daily aggregates count (at most 5, as `EventMeasures` counts them). Stored as JSON in
    /// `events.redacted`.
    public struct Redaction: Sendable, Equatable {
        /// `retention`, `erasure` or `platform_delete`.
        public var reason: String
        /// When (epoch ms).
        public var at: Int64
        public var textLength: Int
        public var hashtags: [String]

        public init(reason: String, at: Int64, textLength: Int, hashtags: [String]) {
            self.reason = reason
            self.at = at
            self.textLength = textLength
            self.hashtags = hashtags
        }

        /// `{"reason","at","text_length","hashtags"}`.
        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("reason", reason)
                w.member("at", at)
                w.member("text_length", textLength)
                w.member("hashtags") { w in w.array(hashtags) { w, h in w.string(h) } }
            }
            return w.text
        }

        /// Reads `json`'s form; nil for anything else.
        public init?(json: String) {
            guard case .object(let m)? = try? JSONValue.parse(json), let reason = m["reason"]?.stringValue,
                  case .number(let at)? = m["at"], case .number(let length)? = m["text_length"]
            else { return nil }
            var tags: [String] = []
            if case .array(let items)? = m["hashtags"] { tags = items.compactMap(\.stringValue) }
            self.init(reason: reason, at: Int64(at) ?? 0, textLength: Int(length) ?? 0, hashtags: tags)
        }
    }

    /// How to clean a JSON document (a feed record's body, a rule-state entry) or a text (a ticket's
    /// subject) of personal data: strings equal to a key of `exact` (an id) become its value, any
    /// string containing one of `needles` (a text, a phone, a name) is cut from the needle on and
    /// ends in `[redacted]`, and object members named in `dropped` (a person's notes) go.
    public struct Scrub: Sendable {
        public var exact: [String: String] = [:]
        public var needles: [String] = []
        public var dropped: Set<String> = []
        /// Every needle, short ones included: a string that is one (a post of one character) goes whole.
        var whole: Set<String> = []

        public init(exact: [String: String] = [:], needles: [String] = [], dropped: Set<String> = []) {
            self.exact = exact
            // Longest first, so a text is cut where it starts rather than at a word inside it; a
            // needle of one character would cut too much and is no identifier anyway.
            self.needles = Array(Set(needles.filter { $0.count >= 2 })).sorted { ($0.count, $0) > ($1.count, $1) }
            self.whole = Set(needles.filter { !$0.isEmpty })
            self.dropped = dropped
        }

        public var isEmpty: Bool { exact.isEmpty && whole.isEmpty && dropped.isEmpty }

        public static let marker = "[redacted]"

        /// `s` cleaned.
        public func text(_ s: String) -> String {
            if let mapped = exact[s] { return mapped }
            if whole.contains(s) { return Self.marker }
            var s = s
            for needle in needles {
                guard let range = s.range(of: needle) else { continue }
                s = String(s[..<range.lowerBound]) + Self.marker
            }
            return s
        }

        /// `value` cleaned, members and strings alike (keys too: a topic's authors are keys).
        public func value(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let s): return .string(text(s))
            case .array(let items): return .array(items.map(self.value))
            case .object(let members):
                var out = JSONObject()
                for (key, v) in members where !dropped.contains(key) { out[text(key)] = self.value(v) }
                return .object(out)
            default: return value
            }
        }

        /// A JSON text cleaned; nil when nothing changed (or it is not JSON: then `text` applies).
        public func json(_ json: String) -> String? {
            guard let parsed = try? JSONValue.parse(json) else {
                let cleaned = text(json)
                return cleaned == json ? nil : cleaned
            }
            let cleaned = value(parsed)
            return cleaned == parsed ? nil : cleaned.jsonText
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, then commits it — or, with `commit`
    /// false, rolls it back: a dry run that counts exactly what the same code would change.
    public func change<T>(now: Int64, commit: Bool, _ body: (Transaction) throws -> T) throws -> T {
        guard commit else {
            return try storeErrors(path) {
                try pool.writeWithoutTransaction { db in
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(Transaction(db: db, committedAt: now, session: session, cipher: cipher))
                        return .rollback
                    }
                    return result!
                }
            }
        }
        return try write(now: now, body)
    }

    /// Checkpoints the write-ahead log into the database file and truncates it, then rebuilds the
    /// file (`VACUUM`), so rows deleted or overwritten leave no copy in free pages, old WAL frames
    /// or the journal. Blocks other writers while it runs (it rewrites the whole file).
    /// - Returns: whether the WAL is empty afterwards (false when another connection still read
    ///   an old snapshot and the checkpoint could not finish).
    @discardableResult
    public func compact() throws -> Bool {
        try storeErrors(path) {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try db.execute(sql: "VACUUM")
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                let busy: Int = row?[0] ?? 1
                return busy == 0
            }
        }
    }
}

extension CRMStore.Transaction {
    /// The events `seqs` as they are now (text included), in seq order.
    public func events(_ seqs: [Int64]) throws -> [CRMStore.StoredEvent] {
        var out: [CRMStore.StoredEvent] = []
        let statement = try db.cachedStatement(sql: CRMStore.eventSelect(includeRaw: false) + " WHERE e.seq = ?")
        for seq in seqs.sorted() {
            if let row = try Row.fetchOne(statement, arguments: [seq]) { out.append(try CRMStore.storedEvent(row, cipher)) }
        }
        return out
    }

    /// Removes event `seq`'s text, quoted text and author profile (all but `followers_count`, a
    /// number the KOC score reads) and records `redaction` in their place.
    /// - Returns: whether the event was there.
    @discardableResult
    public func redact(_ seq: Int64, _ redaction: CRMStore.Redaction) throws -> Bool {
        guard let profile = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT author_profile FROM events WHERE seq = ?"), arguments: [seq])
        else { return false }
        var kept: String?
        if let text = try cipher.text(profile[0], .authorProfile), case .object(let m)? = try? JSONValue.parse(text),
           let followers = m["followers_count"]
        {
            kept = JSONValue.object(["followers_count": followers]).jsonText
        }
        try db.cachedStatement(
            sql: "UPDATE events SET text = NULL, quoted_text = NULL, author_profile = ?, redacted = ? WHERE seq = ?"
        ).execute(arguments: [cipher.seal(kept, .authorProfile), redaction.json, seq])
        return true
    }

    /// Empties the raw bytes of the payloads events `seqs` came from; with `whenAllRedacted`, only
    /// those whose every event is redacted (a timeline shared with newer events waits).
    /// - Returns: the payloads emptied.
    public func clearPayloads(of seqs: [Int64], whenAllRedacted: Bool) throws -> Int {
        var cleared = 0
        let ids = try Set(seqs.compactMap { seq in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT payload FROM events WHERE seq = ?"), arguments: [seq])
        })
        for id in ids.sorted() {
            if whenAllRedacted, try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE payload = ? AND redacted IS NULL)"),
                arguments: [id]) == true
            { continue }
            try db.cachedStatement(sql: "UPDATE payloads SET bytes = X'' WHERE id = ? AND length(bytes) > 0")
                .execute(arguments: [id])
            cleared += db.changesCount
        }
        return cleared
    }

    /// Removes the quoted text of the events that answer or repost `eventID` on `platform` (a
    /// repost quotes its original's words).
    /// - Returns: the events changed.
    public func dropQuotes(of eventID: String, platform: String) throws -> Int {
        try db.cachedStatement(
            sql: "UPDATE events SET quoted_text = NULL WHERE platform = ? AND parent_id = ? AND quoted_text IS NOT NULL"
        ).execute(arguments: [platform, eventID])
        return db.changesCount
    }

    /// Renames identity `old` (`platform:uid`) to `new` everywhere the log and the link tables name
    /// it — its `identities` row (nickname and explanation dropped), its events (`identity`,
    /// `author_uid`), the identities it linked through (`via`) — and, when `customer` is given, links
    /// it there. When a row named `new` exists already (the same author renamed by an earlier run),
    /// the two become one: the existing row keeps its customer, or takes `old`'s when it had none.
    /// - Returns: the customers `old`'s events belonged to before and after (equal unless merged),
    ///   or nil when there was no such row.
    public func renameIdentity(_ old: String, to new: String, customer: String? = nil) throws
        -> (before: String?, after: String?)?
    {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT customer, cluster FROM identities WHERE id = ?"), arguments: [old])
        else { return nil }
        let before: String? = row[0]
        let colon = new.firstIndex(of: ":") ?? new.startIndex
        let uid = String(new[new.index(after: colon)...])
        var after = customer ?? before
        if let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT customer FROM identities WHERE id = ?"), arguments: [new])
        {
            let theirs: String? = existing[0]
            after = customer ?? theirs ?? before
            try db.cachedStatement(sql: "UPDATE identities SET customer = ?, cluster = COALESCE(?, cluster) WHERE id = ?")
                .execute(arguments: [after, after, new])
            try db.cachedStatement(sql: "DELETE FROM identities WHERE id = ?").execute(arguments: [old])
        } else {
            let cluster: String = row[1]
            let renamedCluster = cluster == old || (customer != nil && cluster == before) ? (customer ?? new) : cluster
            try db.cachedStatement(
                sql: """
                    UPDATE identities SET id = ?, uid = ?, nickname = NULL, explain = '[]', customer = ?, cluster = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [new, uid, after, renamedCluster, old])
        }
        try db.cachedStatement(sql: "UPDATE identities SET via = ? WHERE via = ?").execute(arguments: [new, old])
        try db.cachedStatement(sql: "UPDATE events SET identity = ?, author_uid = ? WHERE identity = ?")
            .execute(arguments: [new, uid, old])
        return (before, after)
    }

    /// Cleans the feed records that name events `seqs` or customers `customers`, the records of
    /// `kinds` (merges and splits name identities), and the tickets of those events or customers:
    /// bodies through `scrub.json`, the `customer` column and ticket subjects through `scrub.text`;
    /// the outbox's delivery notes of the customers' actions go. Only records at or after `since`
    /// (event time) are read, when given: nothing fires before the event it fires on.
    /// - Returns: the feed records and tickets changed.
    /// - Complexity: one pass over the feed from `since` (`feed_kind_at`), and the tickets.
    public func scrubRecords(events seqs: Set<Int64>, customers: Set<String>, kinds: Set<String> = [],
                             since: Int64?, _ scrub: CRMStore.Scrub) throws -> (feed: Int, tickets: Int)
    {
        guard !scrub.isEmpty, !(seqs.isEmpty && customers.isEmpty && kinds.isEmpty) else { return (0, 0) }
        func names(_ row: String) -> Bool {
            CRMStore.seqs(row).contains(where: seqs.contains)
        }
        var feed = 0, tickets = 0
        let rows = try Row.fetchAll(
            db, sql: "SELECT seq, kind, customer, events, body FROM feed WHERE at >= ? ORDER BY seq",
            arguments: [since ?? Int64.min])
        let update = try db.cachedStatement(sql: "UPDATE feed SET customer = ?, body = ? WHERE seq = ?")
        for row in rows {
            let customer: String? = row[2]
            guard kinds.contains(row[1]) || customer.map(customers.contains) == true || names(row[3]) else { continue }
            let body = try cipher.text(row[4], .feedBody) ?? ""
            let cleanedBody = scrub.json(body)
            let cleanedCustomer = customer.map(scrub.text)
            guard cleanedBody != nil || cleanedCustomer != customer else { continue }
            try update.execute(arguments: [cleanedCustomer, cipher.seal(cleanedBody ?? body, .feedBody), row[0] as Int64])
            feed += 1
        }
        if !customers.isEmpty {
            let list = customers.sorted()
            try db.execute(
                sql: """
                    UPDATE outbox SET detail = NULL WHERE detail IS NOT NULL AND record IN (
                        SELECT seq FROM feed WHERE customer IN (\(list.map { _ in "?" }.joined(separator: ", "))))
                    """, arguments: StatementArguments(list.map(scrub.text)))
        }
        let ticketRows = try Row.fetchAll(db, sql: "SELECT id, customer, subject, events FROM tickets ORDER BY id")
        let saveTicket = try db.cachedStatement(sql: "UPDATE tickets SET customer = ?, subject = ? WHERE id = ?")
        for row in ticketRows {
            let customer: String? = row[1]
            guard customer.map(customers.contains) == true || names(row[3]) else { continue }
            let subject = try cipher.text(row[2], .ticketSubject)
            let cleaned = (customer.map(scrub.text), subject.map(scrub.text))
            guard cleaned.0 != customer || cleaned.1 != subject else { continue }
            try saveTicket.execute(arguments: [cleaned.0, cipher.seal(cleaned.1, .ticketSubject), row[0] as Int64])
            tickets += 1
        }
        return (feed, tickets)
    }

    /// Renames ids in the rule engine's stored state (`exact`: old → new): the parts of an entry's
    /// name (`w:count|C1`) and the strings of its value. Bumps `rules_generation` when anything
    /// changed, so a process holding the state in memory reloads it.
    /// - Returns: the entries changed.
    public func scrubRuleState(_ scrub: CRMStore.Scrub) throws -> Int {
        guard !scrub.exact.isEmpty else { return 0 }
        var changes: [(name: String, value: String?)] = []
        for (name, value) in try ruleStateEntries() {
            let renamed = name.split(separator: "|", omittingEmptySubsequences: false)
                .map { part in scrub.exact[String(part)] ?? String(part) }.joined(separator: "|")
            let cleaned = scrub.json(value)
            guard renamed != name || cleaned != nil else { continue }
            if renamed != name { changes.append((name, nil)) }
            changes.append((renamed, cleaned ?? value))
        }
        guard !changes.isEmpty else { return 0 }
        _ = try saveRuleState(changes)
        return changes.filter { $0.value != nil }.count
    }
}

extension CRMStore.Transaction {
    /// The seq of `(platform, eventID)`, nil when the log has no such event.
    public func seq(platform: String, eventID: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events WHERE platform = ? AND event_id = ?"),
                           arguments: [platform, eventID])
    }

    /// Whether a delete event of the platform names `(platform, eventID)` as its parent.
    public func isDeleted(platform: String, eventID: String) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM events WHERE platform = ? AND parent_id = ? AND kind = 'delete')"),
            arguments: [platform, eventID]) ?? false
    }
}

extension CRMStore {
    /// The aggregates as the KPIs read them, without who: every `kpi_daily` row, active customers
    /// counted per day and platform, leads (platform, times, seqs) and orders (seq, time, amount,
    /// social) — one text, equal before and after an erasure or retention run when they kept the
    /// aggregates, and equal to what `rebuild` refolds.
    public func aggregateDigest() throws -> String {
        try read { db in
            var lines: [String] = []
            for (name, sql) in [
                ("daily", "SELECT day, measure, platform, value FROM kpi_daily ORDER BY day, measure, platform"),
                ("active", "SELECT day, platform, COUNT(*) FROM kpi_active GROUP BY day, platform ORDER BY day, platform"),
                ("leads", "SELECT platform, lead_at, lead_seq, converted_at, order_seq FROM kpi_leads ORDER BY lead_seq"),
                ("orders", "SELECT seq, at, amount, social, customer IS NULL FROM kpi_orders ORDER BY seq"),
            ] {
                for row in try Row.fetchAll(db, sql: sql) {
                    lines.append(name + "\t" + (0..<row.count).map { "\(row[$0] as DatabaseValue)" }.joined(separator: "\t"))
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
