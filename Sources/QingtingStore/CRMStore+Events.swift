internal import Foundation
internal import GRDB
import OrderedCollections
import QingtingCore
public import QingtingIngest

extension CRMStore {
    /// Which events to list.
    public struct EventFilter: Sendable {
        /// Events whose author's identity is now linked to this customer, or that resolved to it.
        public var customer: String?
        public var platform: Platform?
        /// `occurred_at` at or after this (UTC ms).
        public var since: Int64?
        /// `occurred_at` before this (UTC ms).
        public var until: Int64?
        /// Only events with a larger `seq` (resuming a reader).
        public var afterSeq: Int64?

        public init(
            customer: String? = nil, platform: Platform? = nil, since: Int64? = nil, until: Int64? = nil,
            afterSeq: Int64? = nil
        ) {
            self.customer = customer
            self.platform = platform
            self.since = since
            self.until = until
            self.afterSeq = afterSeq
        }
    }

    /// An event as the log holds it.
    public struct StoredEvent: Sendable {
        public var seq: Int64
        /// The event; `raw` is empty unless the listing asked for it.
        public var event: SocialEvent
        public var identity: String?
        /// The author's customer now: the identity row's (a later binding or link run may have
        /// changed it), else the one the event resolved to when it was appended.
        public var customer: String?
        public var linkRule: String?
        public var linkProbability: Double?
        public var committedAt: Int64
        public var analysis: String?
        /// The model set's fingerprint.
        public var models: String?
        public var modelSet: Int64?
        /// When a later event of the platform deleted or edited this one (its occurred_at).
        public var deletedAt: Int64?
        public var editedAt: Int64?
        /// Sync completeness: the fields the payload gave of those its kind should carry.
        public var fieldsPresent = 0
        public var fieldsExpected = 0
        /// When retention, an erasure or the platform removed the event's personal data: why, and
        /// what of its text the folds still read (nil for an event as it was appended).
        public var redaction: Redaction?
    }

    /// Calls `body` with each event matching `filter`, in `seq` order, from one read snapshot.
    /// `includeRevisions: false` leaves `deletedAt`/`editedAt` nil, sparing two subqueries a row
    /// for readers that do not use them (the rules backtest).
    /// - Complexity: O(events matched); the platform, time and customer filters use indexes.
    public func forEachEvent(
        _ filter: EventFilter = EventFilter(), includeRaw: Bool = false, includeRevisions: Bool = true,
        _ body: (StoredEvent) throws -> Void
    ) throws {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let customer = filter.customer {
            conditions.append(
                "(e.customer = ? OR e.identity IN (SELECT id FROM identities WHERE customer = ?))")
            arguments += [customer, customer]
        }
        if let platform = filter.platform {
            conditions.append("e.platform = ?")
            arguments.append(platform.rawValue)
        }
        if let since = filter.since {
            conditions.append("e.occurred_at >= ?")
            arguments.append(since)
        }
        if let until = filter.until {
            conditions.append("e.occurred_at < ?")
            arguments.append(until)
        }
        if let after = filter.afterSeq {
            conditions.append("e.seq > ?")
            arguments.append(after)
        }
        let sql = """
            \(Self.eventSelect(includeRaw: includeRaw, includeRevisions: includeRevisions))
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY e.seq
            """
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() { try body(Self.storedEvent(row, cipher)) }
        }
    }

    /// The SELECT … FROM of an event listing, whose rows `storedEvent` reads (`e` is the event);
    /// without `includeRevisions` the deleted/edited columns are NULL.
    static func eventSelect(includeRaw: Bool, includeRevisions: Bool = true) -> String {
        let revisions = includeRevisions
            ? """
            (SELECT MIN(d.occurred_at) FROM events d
                WHERE d.platform = e.platform AND d.parent_id = e.event_id AND d.kind = 'delete'),
            (SELECT MAX(d.occurred_at) FROM events d
                WHERE d.platform = e.platform AND d.parent_id = e.event_id AND d.kind = 'edit'),
            """
            : "NULL, NULL,"
        return """
        SELECT e.seq, e.platform, e.event_id, e.kind, e.author_platform, e.author_uid, e.author_profile,
            e.identity, CASE WHEN i.id IS NOT NULL THEN i.customer ELSE e.customer END,
            e.link_rule, e.link_probability, e.parent_id, e.parent_root, e.parent_post, e.text, e.quoted_text,
            e.occurred_at, e.received_at, e.committed_at, e.metrics, e.analysis, m.fingerprint, e.model_set,
            \(revisions) \(includeRaw ? "p.bytes" : "NULL"), e.fields_present, e.fields_expected, e.redacted
        FROM events e LEFT JOIN identities i ON i.id = e.identity
            LEFT JOIN model_sets m ON m.id = e.model_set
            \(includeRaw ? "LEFT JOIN payloads p ON p.id = e.payload" : "")
        """
    }

    /// The event of a row `eventSelect` selected, its sealed columns opened with `cipher`.
    static func storedEvent(_ row: Row, _ cipher: FieldCipher) throws -> StoredEvent {
        func object(_ text: String?) -> JSONObject {
            guard let text, case .object(let members)? = try? JSONValue.parse(text) else { return [:] }
            return members
        }
        let platformName: String = row[1]
        guard let platform = Platform(rawValue: platformName) else {
            throw QingtingError(.store, "an event of unknown platform '\(platformName)' (seq \(row[0] as Int64))")
        }
        var author: SocialEvent.Author?
        if let uid: String = row[5] {
            let authorPlatform = (row[4] as String?).flatMap(Platform.init(rawValue:)) ?? platform
            author = SocialEvent.Author(
                platform: authorPlatform, uid: uid, profile: object(try cipher.text(row[6], .authorProfile)))
        }
        let parent = (row[11] as String?).map { SocialEvent.Parent(id: $0, root: row[12], post: row[13]) }
        let raw = try cipher.bytes(row[25], .payload)
        let event = SocialEvent(
            platform: platform, eventID: row[2], kind: EventKind(row[3] as String), author: author, parent: parent,
            text: try cipher.text(row[14], .eventText), quotedText: try cipher.text(row[15], .quotedText), occurredAt: row[16], receivedAt: row[17], metrics: object(row[19]),
            raw: raw)
        return StoredEvent(
            seq: row[0], event: event, identity: row[7], customer: row[8], linkRule: row[9], linkProbability: row[10],
            committedAt: row[18], analysis: row[20], models: row[21], modelSet: row[22], deletedAt: row[23],
            editedAt: row[24], fieldsPresent: row[26], fieldsExpected: row[27],
            redaction: (row[28] as String?).flatMap(Redaction.init(json:)))
    }

    /// Replaces the analysis of the given events (`qingting replay --apply`), in one transaction,
    /// and marks the daily aggregates stale.
    public func updateAnalyses(
        _ updates: [(seq: Int64, analysis: String)], modelSet: (fingerprint: String, files: String)
    )
        throws
    {
        try storeErrors(path) {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try db.execute(
                        sql:
                            "INSERT INTO model_sets (fingerprint, files) VALUES (?, ?) ON CONFLICT (fingerprint) DO NOTHING",
                        arguments: [modelSet.fingerprint, modelSet.files])
                    let set = try Int64.fetchOne(
                        db, sql: "SELECT id FROM model_sets WHERE fingerprint = ?", arguments: [modelSet.fingerprint])
                    let statement = try db.makeStatement(
                        sql: "UPDATE events SET analysis = ?, model_set = ? WHERE seq = ?")
                    for u in updates { try statement.execute(arguments: [u.analysis, set, u.seq]) }
                    // The daily aggregates counted the old analyses: the next report refolds them.
                    try db.execute(sql: "DELETE FROM crm_state WHERE key = 'kpi_built'")
                    return .commit
                }
            }
        }
    }
}
