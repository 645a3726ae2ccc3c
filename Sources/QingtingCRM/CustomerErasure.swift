public import OrderedCollections
public import QingtingCore
public import QingtingProfile
import QingtingIngest
public import QingtingStore

/// A PIPL / GDPR erasure request (`qingting customer delete`, `customer.delete`): customer `id`'s
/// personal data leaves every table, and what was derived from it stays, unattributable.
///
/// In one transaction: the CRM record, its field provenance, unified keys, bindings, tag decisions
/// and profile are deleted; the customer's events lose their text, quoted text, author profile and
/// payload (`Redaction`, reason `erasure`); other events quoting their words or nickname lose the
/// quote, and other payloads repeating their words, nickname or uid are emptied; the identities
/// linked to the customer are renamed to random pseudonyms (no key leads back); the events, KPI
/// tables, tickets and feed records that named the customer name a random anonymous id instead,
/// and the feed's bodies, ticket subjects and rule state are cleaned of the texts, ids, name,
/// phone, e-mail and nicknames (a person's ticket notes and delivery notes go). Then the anonymous
/// profile is refolded from the log (so `rebuild --check` holds), and the file is checkpointed and
/// vacuumed so no old page or WAL frame keeps a copy. The aggregates — daily KPIs, active
/// customers, leads, orders — count the same.
public struct CustomerErasure {
    public let store: CRMStore
    public let config: ProfileConfiguration

    public init(store: CRMStore, config: ProfileConfiguration) {
        self.store = store
        self.config = config
    }

    /// The name an erasure is audited under (the socket method's).
    public static let method = "customer.delete"
    /// The kinds of personal data an erasure removes, as the audit log lists them.
    public static let fields = ["erasure", "fields", "identities", "events", "payloads", "profile", "tags", "tickets", "feed"]

    /// What an erasure did: rows changed per table, and the proof steps.
    public struct Report: Sendable {
        public var customer: String
        public var at: Int64
        public var tables: OrderedDictionary<String, Int> = [:]
        /// The aggregates read the same after as before (`CRMStore.aggregateDigest`).
        public var aggregatesKept = false
        public var vacuumed = false
        /// The WAL was empty after the checkpoint (nothing of the old pages left in it).
        public var walEmpty = false

        /// `{"customer","erased","at","tables":{…},"aggregates_kept","vacuumed","wal_empty"}` — the customer's id (the
        /// request named it), never their anonymous id, their data or the values removed.
        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("customer", customer)
                w.member("erased", true)
                w.member("at", Timestamp.iso8601(at))
                w.member("tables") { w in w.object { w in for (k, v) in tables { w.member(k, v) } } }
                w.member("aggregates_kept", aggregatesKept)
                w.member("vacuumed", vacuumed)
                w.member("wal_empty", walEmpty)
            }
            return w.text
        }
    }

    /// Erases customer `id` at `now`; `vacuum` rewrites the file afterwards (it blocks writers
    /// while it runs; skip it only to vacuum once after several erasures).
    /// - Parameter auditUID: when given (the CLI), the erasure is recorded in the audit log as a
    ///   `customer.delete` call by that uid — the customer id, when and by whom, nothing of their
    ///   data. The server records its calls itself.
    /// - Returns: nil when the store knows neither the customer nor events of theirs.
    public func erase(_ id: String, now: Int64, vacuum: Bool = true, auditUID: UInt32? = nil) throws -> Report? {
        let anonymous = PseudonymKey.random("~erased-")
        var report = Report(customer: id, at: now)
        let before = try store.aggregateDigest()
        let found = try store.write(now: now) { tx -> Bool in
            guard let erased = try tx.eraseCustomer(id, as: anonymous, newIdentity: { account in
                let colon = account.firstIndex(of: ":") ?? account.endIndex
                return PseudonymKey.random(String(account[..<colon]) + ":~")
            }) else { return false }
            var needles = erased.needles
            var texts = 0, quotes = 0
            let events = try tx.events(erased.events)
            for stored in events {
                if stored.event.text != nil || stored.event.quotedText != nil { texts += 1 }
                needles += Redactions.needles(of: stored)
                try tx.redact(stored.seq, Redactions.redaction(of: stored, reason: "erasure", at: now))
                quotes += try tx.dropQuotes(of: stored.event.eventID, platform: stored.event.platform.rawValue)
            }
            // Other authors' reposts and payloads may name the customer (a `//@nickname:` quote, a
            // reply's payload naming whom it answers): those quotes and payloads go too. Searched
            // for where a value stands for the person, not as part of other words.
            var mentions: [String] = erased.contacts
            for name in erased.names { mentions.append("@" + name) }
            quotes += try tx.dropQuotes(containing: mentions)
            var named: [String] = mentions
            for name in erased.names { named.append("\"" + name + "\"") }
            for account in erased.identities {
                guard let colon = account.firstIndex(of: ":") else { continue }
                let uid = String(account[account.index(after: colon)...])
                named += ["\"" + uid + "\"", ":" + uid + ",", ":" + uid + "}"]
            }
            let own = try tx.clearPayloads(of: erased.events, whenAllRedacted: false)
            let payloads = try own + tx.clearPayloads(containing: named)
            let scrub = CRMStore.Scrub(exact: erased.renames, needles: needles, dropped: ["note"])
            let cleaned = try tx.scrubRecords(events: Set(erased.events), customers: [id], kinds: ["merge", "split"],
                                              since: nil, scrub)
            let ruleState = try tx.scrubRuleState(scrub)
            report.tables = [
                "customers": erased.hadRecord ? 1 : 0, "identities": erased.identities.count, "events": events.count, "texts": texts,
                "quotes": quotes, "payloads": payloads, "feed": cleaned.feed, "tickets": cleaned.tickets,
                "rule_state": ruleState,
            ]
            return true
        }
        guard found else { return nil }
        if let auditUID {
            try store.appendAudit(CRMStore.AuditEntry(
                at: now, uid: auditUID, token: nil, role: nil, method: Self.method, access: .change, customers: [id],
                fields: Self.fields, error: nil))
        }
        report.tables["profiles"] = try ProfileRebuild(store: store, config: config).refold([anonymous])
        report.aggregatesKept = try store.aggregateDigest() == before
        if vacuum {
            report.walEmpty = try store.compact()
            report.vacuumed = true
        }
        return report
    }
}
