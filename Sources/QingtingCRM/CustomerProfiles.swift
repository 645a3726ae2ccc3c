public import QingtingCore
import QingtingIngest
public import QingtingProfile
public import QingtingStore

/// The customer profile as the CLI and the socket serve it: one customer's view at a time
/// (`customer show`, `customer.get`), search, a person's decision on a key tag, and `rebuild`
/// (every profile refolded from the log, or with `check` compared with the stored ones).
public struct CustomerProfiles {
    public let store: CRMStore
    public let config: ProfileConfiguration

    public init(store: CRMStore, config: ProfileConfiguration) {
        self.store = store
        self.config = config
    }

    /// The recent events a profile lists by default.
    public static let defaultEventLimit = 20

    /// The profile of customer `id` at `now` as one JSON object, or nil when the store has neither
    /// the customer nor events of theirs.
    public func show(_ id: String, now: Int64, eventLimit: Int = defaultEventLimit) throws -> String? {
        guard let record = try store.customerRecord(id, eventLimit: eventLimit) else { return nil }
        return try profile(id, record, now: now).json(events: record.events.map { EventLogOutput.line($0) })
    }

    /// The profile of customer `id` at `now`, or nil when the store knows nothing of them.
    public func profile(_ id: String, now: Int64) throws -> Profile? {
        try store.customerRecord(id, eventLimit: 0).map { try profile(id, $0, now: now) }
    }

    /// The profile of a customer's record (one snapshot of the store) at `now`.
    func profile(_ id: String, _ record: CRMStore.CustomerRecord, now: Int64) throws -> Profile {
        let identities = record.identities.map {
            Profile.Identity(platform: $0.platform, uid: $0.uid, status: $0.status, probability: $0.probability,
                             rule: $0.rule)
        }
        let state = try record.profile.map { try ProfileState.decoded($0.state) } ?? ProfileState()
        let decisions = record.decisions.map { TagDecision(tag: $0.tag, decision: $0.decision, at: $0.at) }
        return Profile(customer: Profile.Customer(id: id, fields: Self.fields(record.customer), identities: identities),
                       state: state, config: config, now: now, decisions: decisions)
    }

    /// A CRM record's fields with the source and time each carries, as a profile shows them.
    public static func fields(_ crm: CRMStore.CustomerState?) -> [String: (value: String, source: String, updatedAt: Int64?)] {
        var fields: [String: (value: String, source: String, updatedAt: Int64?)] = [:]
        for (name, value) in crm?.fields ?? [:] {
            let p = crm?.provenance[name]
            fields[name] = (value, p?.source ?? "unknown", p?.updatedAt)
        }
        return fields
    }

    /// How to find customers: exactly one of these.
    public enum Query: Sendable {
        case phone(String), email(String), name(String), identity(platform: String, uid: String), tag(String)
    }

    /// The ids of the customers matching `query` (a tag: as the profiles read at `now`), in id order.
    /// - Complexity: a key look-up for phone, e-mail, identity; an index for name; every profile for a tag.
    public func search(_ query: Query, now: Int64) throws -> [String] {
        let keys = UnifiedKey()
        switch query {
        case .phone(let raw):
            return try keys.phone(raw).flatMap { try store.customer(forKey: "phone:" + $0) }.map { [$0] } ?? []
        case .email(let raw):
            return try keys.email(raw).flatMap { try store.customer(forKey: "email:" + $0) }.map { [$0] } ?? []
        case .name(let name):
            return try store.customers(named: name)
        case .identity(let platform, let uid):
            return try store.customer(platform: platform, uid: uid).map { [$0] } ?? []
        case .tag(let tag):
            var ids: [String] = []
            try store.forEachProfile { id, _ in ids.append(id) }  // then read each outside that read
            return try ids.filter { id in
                try profile(id, now: now)?.tags.contains { $0.tag == tag && $0.status != "rejected" } == true
            }
        }
    }

    /// The search result as JSON: `{"customers":[{"id","tier","stage","engagement","koc","last_seen"}…]}`.
    public func searchJSON(_ query: Query, now: Int64) throws -> String {
        let found = try search(query, now: now).compactMap { try profile($0, now: now) }
        var w = JSONWriter()
        w.object { w in
            w.member("customers") { w in w.array(found) { w, p in p.writeSummary(to: &w) } }
        }
        return w.text
    }

    /// Records a person's `confirmed` or `rejected` on a key tag of customer `id`.
    /// - Throws: `QingtingError(.invalidInput)` for a tag the configuration does not name as a key
    ///   tag, or a customer the store does not know.
    public func decide(_ id: String, tag: String, confirm: Bool, at time: Int64) throws {
        guard config.keyTags.contains(where: { $0.tag == tag }) else {
            let known = config.keyTags.map(\.tag).joined(separator: ", ")
            throw QingtingError(.invalidInput, "'\(tag)' is not a key tag of \(config.source) (key tags: \(known))")
        }
        guard try store.hasCustomer(id) || store.profile(id) != nil else {
            throw QingtingError(.invalidInput, "no such customer in the store")
        }
        try store.decideTag(customer: id, tag: tag, decision: confirm ? "confirmed" : "rejected", at: time)
    }
}
