public import OrderedCollections
public import QingtingCore
public import QingtingProfile
import QingtingIngest
public import QingtingStore

/// Retention: social data older than the configured age (90 days by default) is anonymized — the
/// texts go (event text, quoted text, the author's profile fields, the raw payload, the words feed
/// records and tickets repeated), authors last seen before the cutoff are renamed to a stable
/// pseudonym (`PseudonymKey`: the same author, the same pseudonym, every run), and everything
/// derived stays: each event keeps its kind, time, platform, metrics, analysis labels and customer
/// link, so the profiles and KPI aggregates refold to the same values (`rebuild --check` holds).
///
/// Social data is the events of the social platforms (`Redactions.socialPlatforms`) and their
/// authors' identities; CRM customer records, bindings the customer made, orders and `generic`
/// exports are not. `qingting retention` runs it by hand; `serve --store` runs it periodically.
public struct Retention: Sendable {
    public let store: CRMStore
    public let config: ProfileConfiguration
    public let key: PseudonymKey
    /// Data older than this (ms) is anonymized.
    public var olderThan: Int64
    /// Events (and identities) per transaction, so the job never holds the writer long.
    public var batch = 1000

    /// The age retention anonymizes at when none is configured: 90 days.
    public static let defaultAge: Int64 = 90 * 86_400_000

    public init(store: CRMStore, config: ProfileConfiguration, key: PseudonymKey, olderThan: Int64 = defaultAge) {
        self.store = store
        self.config = config
        self.key = key
        self.olderThan = olderThan
    }

    /// What a run did, or with `dryRun` would do: rows changed per table.
    public struct Report: Sendable {
        public var dryRun: Bool
        public var now: Int64
        public var cutoff: Int64
        public var olderThan: Int64
        /// `events` (redacted), `texts` (of them, those that held words), `payloads` (emptied),
        /// `identities` (renamed to pseudonyms), `feed` and `tickets` (records cleaned),
        /// `rule_state` (entries renamed), `profiles` (refolded: two identities became one author).
        public var tables: OrderedDictionary<String, Int> = [
            "events": 0, "texts": 0, "payloads": 0, "identities": 0, "feed": 0, "tickets": 0, "rule_state": 0,
            "profiles": 0,
        ]

        /// `{"mode","now","cutoff","older_than_days","tables":{…}}`.
        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("mode", dryRun ? "dry_run" : "applied")
                w.member("now", Timestamp.iso8601(now))
                w.member("cutoff", Timestamp.iso8601(cutoff))
                w.member("older_than_days", Double(olderThan) / 86_400_000, digits: 3)
                w.member("tables") { w in w.object { w in for (k, v) in tables { w.member(k, v) } } }
            }
            return w.text
        }

        public var changedAnything: Bool { tables.values.contains { $0 > 0 } }
    }

    /// Runs retention at `now`. With `dryRun` everything runs in one transaction that is rolled
    /// back, so the counts are exactly what a run would change, and nothing is.
    public func run(now: Int64, dryRun: Bool = false) throws -> Report {
        var report = Report(dryRun: dryRun, now: now, cutoff: now - olderThan, olderThan: olderThan)
        var moved: Set<String> = []
        if dryRun {
            try store.change(now: now, commit: false) { tx in
                while try redactBatch(tx, report: &report) {}
                while try renameBatch(tx, report: &report, moved: &moved) {}
            }
            report.tables["profiles"] = moved.count
            return report
        }
        while try store.change(now: now, commit: true, { tx in try redactBatch(tx, report: &report) }) {}
        while try store.change(now: now, commit: true, { tx in try renameBatch(tx, report: &report, moved: &moved) }) {}
        if !moved.isEmpty { report.tables["profiles"] = try ProfileRebuild(store: store, config: config).refold(moved) }
        return report
    }

    /// Redacts the next batch of old events; false when none was left.
    private func redactBatch(_ tx: CRMStore.Transaction, report: inout Report) throws -> Bool {
        let seqs = try tx.retentionEvents(before: report.cutoff, platforms: Redactions.socialPlatforms, limit: batch)
        guard !seqs.isEmpty else { return false }
        var needles: [String] = []
        var since = Int64.max
        for stored in try tx.events(seqs) {
            if stored.event.text != nil || stored.event.quotedText != nil { report.tables["texts"]! += 1 }
            needles += Redactions.needles(of: stored)
            since = min(since, stored.event.occurredAt)
            try tx.redact(stored.seq, Redactions.redaction(of: stored, reason: "retention", at: report.now))
        }
        report.tables["events"]! += seqs.count
        report.tables["payloads"]! += try tx.clearPayloads(of: seqs, whenAllRedacted: true)
        let cleaned = try tx.scrubRecords(events: Set(seqs), customers: [], since: since, CRMStore.Scrub(needles: needles))
        report.tables["feed"]! += cleaned.feed
        report.tables["tickets"]! += cleaned.tickets
        return true
    }

    /// Renames the next batch of authors last seen before the cutoff; false when none was left.
    private func renameBatch(_ tx: CRMStore.Transaction, report: inout Report, moved: inout Set<String>) throws -> Bool {
        let ids = try tx.retentionIdentities(before: report.cutoff, platforms: Redactions.socialPlatforms)
            .prefix(batch)
        guard !ids.isEmpty else { return false }
        var renames: [String: String] = [:]
        var seqs: Set<Int64> = []
        for id in ids {
            let pseudonym = key.identity(id)
            seqs.formUnion(try tx.events(ofIdentity: id))
            guard let change = try tx.renameIdentity(id, to: pseudonym) else { continue }
            renames[id] = pseudonym
            if let colon = id.firstIndex(of: ":"), let to = pseudonym.firstIndex(of: ":") {
                renames[String(id[id.index(after: colon)...])] = String(pseudonym[pseudonym.index(after: to)...])
            }
            if change.before != change.after { moved.formUnion([change.before, change.after].compactMap { $0 }) }
        }
        report.tables["identities"]! += ids.count
        let scrub = CRMStore.Scrub(exact: renames)
        let cleaned = try tx.scrubRecords(events: seqs, customers: [], kinds: ["merge", "split"], since: nil, scrub)
        report.tables["feed"]! += cleaned.feed
        report.tables["tickets"]! += cleaned.tickets
        report.tables["rule_state"]! += try tx.scrubRuleState(scrub)
        // Resolutions cached for the old ids are stale.
        try tx.customersChanged()
        return true
    }

    /// Reads an age: `90d`, `36h`, `30m` or a number of days.
    /// - Throws: `QingtingError(.invalidInput)` saying what an age looks like.
    public static func age(_ text: String) throws -> Int64 {
        let t = text.trimmingWhitespace.lowercased()
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        for (suffix, unit) in units where t.hasSuffix(suffix) {
            if let n = Double(t.dropLast()), n > 0, n < 1e6 { return Int64(n * Double(unit)) }
        }
        if let days = Double(t), days > 0, days < 1e6 { return Int64(days * 86_400_000) }
        throw QingtingError(.invalidInput, "an age is a number of days, or NUMBER followed by d, h, m or s (90d, 36h)")
    }
}
