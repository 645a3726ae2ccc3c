internal import GRDB

extension StoreSchema {
    /// Retention and erasure: what an event keeps once its personal data is gone.
    ///
    /// - `events.redacted`: nil for an event as it was appended; else a JSON object saying why its
    ///   text, quoted text, author profile and payload were removed (`retention`, `erasure`,
    ///   `platform_delete`), when, and the few facts of the text the derived state is folded from
    ///   (`text_length` for the profile, `hashtags` for the daily aggregates), so `rebuild` refolds
    ///   the same profiles and aggregates without the words (`CRMStore.Redaction`).
    /// - `events_payload`: the events of a payload, so a payload is cleared once all its events are.
    /// - `events_unredacted`: the events not yet redacted, by time (a partial index: a retention
    ///   run seeks the old ones still holding data, not every old event again).
    @Sendable static func v7Redaction(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE events ADD COLUMN redacted TEXT;
                CREATE INDEX events_payload ON events(payload);
                CREATE INDEX events_unredacted ON events(occurred_at) WHERE redacted IS NULL;
                """)
    }
}
