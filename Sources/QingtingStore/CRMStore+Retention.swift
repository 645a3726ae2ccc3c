internal import GRDB
import QingtingCore

extension CRMStore.Transaction {
    /// Up to `limit` events of `platforms` that happened before `cutoff` and still hold their data
    /// (not redacted), orders excepted, in seq order: what retention redacts next.
    /// - Complexity: a seek in `events_unredacted` (redacted events leave that index).
    public func retentionEvents(before cutoff: Int64, platforms: [String], limit: Int) throws -> [Int64] {
        guard !platforms.isEmpty else { return [] }
        let list = platforms.map { _ in "?" }.joined(separator: ", ")
        var arguments: [any DatabaseValueConvertible] = [cutoff]
        arguments += platforms
        arguments.append(limit)
        return try Int64.fetchAll(
            db, sql: """
                SELECT seq FROM events INDEXED BY events_unredacted
                WHERE redacted IS NULL AND occurred_at < ? AND platform IN (\(list)) AND kind != 'order'
                ORDER BY occurred_at, seq LIMIT ?
                """, arguments: StatementArguments(arguments))
    }

    /// The identities of `platforms` not yet pseudonymized (their uid does not start with `~`)
    /// whose every event happened before `cutoff`: authors last seen longer ago than the
    /// retention age. An identity with no events (from a link run) has no age and is not listed.
    /// - Complexity: every identity row, with two seeks in `events_identity` each.
    public func retentionIdentities(before cutoff: Int64, platforms: [String]) throws -> [String] {
        guard !platforms.isEmpty else { return [] }
        let list = platforms.map { _ in "?" }.joined(separator: ", ")
        var arguments: [any DatabaseValueConvertible] = platforms
        arguments.append(cutoff)
        return try String.fetchAll(
            db, sql: """
                SELECT i.id FROM identities i
                WHERE i.platform IN (\(list)) AND substr(i.uid, 1, 1) != '~'
                    AND EXISTS (SELECT 1 FROM events e WHERE e.identity = i.id)
                    AND NOT EXISTS (SELECT 1 FROM events e WHERE e.identity = i.id AND e.occurred_at >= ?)
                ORDER BY i.id
                """, arguments: StatementArguments(arguments))
    }

    /// The seqs of identity `id`'s events (the feed records naming them carry the identity too).
    public func events(ofIdentity id: String) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: "SELECT seq FROM events WHERE identity = ? ORDER BY seq"),
                           arguments: [id])
    }
}
