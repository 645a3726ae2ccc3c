import OrderedCollections
import QingtingCore
import QingtingIngest
public import QingtingMatch
public import QingtingStore
import Synchronization

/// Which customer an event's author is, decided inside the event's write transaction:
///
/// 1. an explicit binding (the customer bound the account themselves) — rule `binding`;
/// 2. a known identity row with a customer — rule `identity` (whatever linked it first);
/// 3. the deterministic rules on the author's unified keys (`wechat_unionid`, `verified_phone`,
///    `email`, from the profile the payload carried), looked up among the customers' keys;
/// 4. with a link model, the probabilistic model online: the author scored against an index of
///    the customers (`IdentityIndex`, built when the resolver is made), linked at or above the
///    model's threshold — rule `probabilistic`, or the deterministic rule the index found.
///
/// An author seen for the first time becomes an `identities` row (linked or not), in the same
/// transaction as the event; a known one without a customer gets another try at steps 3–4 only
/// when the payload carries a key (so every comment does not rescore it).
public final class CustomerResolver: Sendable {
    /// Customers indexed for the probabilistic step; nil: deterministic steps only.
    public let index: IdentityIndex?
    /// Authors resolved by committed transactions, valid while the store's resolution generation
    /// (customer imports, link runs) stays the same; an author who writes again costs no query.
    private let cache = Mutex<(generation: String, links: [String: Link])>(("", [:]))
    /// Beyond this many authors the cache starts over (memory stays bounded).
    static let cacheLimit = 2_000_000

    public init(index: IdentityIndex?) { self.index = index }

    /// The cached resolutions of this generation (a different generation empties the cache).
    func cached(generation: String) -> [String: Link] {
        cache.withLock { state in
            if state.generation != generation { state = (generation, [:]) }
            return state.links
        }
    }

    /// Keeps a committed transaction's resolutions.
    func remember(_ links: [String: Link], generation: String) {
        cache.withLock { state in
            guard state.generation == generation else { return }
            if state.links.count + links.count > Self.cacheLimit { state.links = [:] }
            state.links.merge(links) { _, new in new }
        }
    }

    /// A resolver whose probabilistic step scores against the store's customers as they are now.
    /// - Parameter modelPath: a link model from `qingting link train`; nil for deterministic only.
    public static func load(store: CRMStore, modelPath: String?, citiesPath: String? = nil) throws -> CustomerResolver {
        guard let modelPath else { return CustomerResolver(index: nil) }
        let model = try LinkModel.load(path: modelPath)
        let cities = try CityLexicon.load(path: citiesPath)
        let columns = model.settings.inputColumns
        var records = RecordSet(columnNames: columns)
        for (id, fields) in try store.customers() {
            records.append(id: id, source: 0, values: columns.map { fields[$0].map { [$0] } ?? [] })
        }
        try RecordLoader(settings: model.settings, cities: cities).derive(&records)
        return CustomerResolver(index: try IdentityIndex(model: model, records: records, cities: cities))
    }

    /// What resolving one author gave.
    public struct Link: Sendable, Equatable {
        public var customer: String?
        public var rule: String?
        public var probability: Double?
    }

    /// The probabilistic step's answer for an author, computed ahead of the transaction (on the
    /// threads that analyse) so that the single writer does not score: the link, and the identity
    /// row that records it (nil when the index offered no candidate at all).
    public struct Scored: Sendable {
        public var link: Link
        public var identity: CRMStore.NewIdentity?
    }

    /// Whether the cache holds an answer for `id` (of any generation: a hint for what to score ahead).
    func isCached(_ id: String) -> Bool { cache.withLock { $0.links[id] != nil } }

    /// The probabilistic step for an author, without the store; nil without a link model.
    func scored(_ author: SocialEvent.Author) -> Scored? {
        guard let index else { return nil }
        guard let result = try? score(author, index: index) else {
            return Scored(link: Link(customer: nil, rule: nil, probability: nil), identity: nil)
        }
        return Scored(link: result.link, identity: result.identity)
    }

    /// Resolves `author` (adding or updating its identity row) inside `tx`.
    /// - Parameters:
    ///   - seen: this transaction's earlier answers, so an author with many events in one batch
    ///     is looked up once.
    ///   - ahead: probabilistic answers computed before the transaction.
    func resolve(
        _ author: SocialEvent.Author, in tx: CRMStore.Transaction, keys: UnifiedKey,
        seen: inout [String: Link], ahead: [String: Scored] = [:]
    ) throws -> Link {
        let id = author.platform.rawValue + ":" + author.uid
        if let link = seen[id] { return link }
        let link = try decide(author, id: id, in: tx, keys: keys, ahead: ahead[id])
        seen[id] = link
        return link
    }

    private func decide(
        _ author: SocialEvent.Author, id: String, in tx: CRMStore.Transaction,
        keys: UnifiedKey, ahead: Scored?
    ) throws -> Link {
        let platform = author.platform.rawValue
        if let customer = try tx.binding(platform: platform, uid: author.uid) {
            try tx.linkIdentity(
                identity(author, customer: customer, rule: "binding", probability: 1, status: "confirmed"))
            return Link(customer: customer, rule: "binding", probability: 1)
        }
        let known = try tx.identity(id)
        if let known, let customer = known.customer {
            return Link(customer: customer, rule: "identity", probability: known.probability)
        }
        let authorKeys = keys.keys(
            phone: author.profile["phone"]?.stringValue,
            email: author.profile["email"]?.stringValue,
            unionid: author.profile["unionid"]?.stringValue)
        if known != nil && authorKeys.isEmpty { return Link(customer: nil, rule: nil, probability: nil) }
        for key in authorKeys {
            if let customer = try tx.customer(forKey: key) {
                let rule = UnifiedKey.rule(of: key)
                try tx.linkIdentity(
                    identity(author, customer: customer, rule: rule, probability: 1, status: "confirmed"))
                return Link(customer: customer, rule: rule, probability: 1)
            }
        }
        if known == nil, var scored = ahead ?? scored(author), var row = scored.identity {
            // The index is built at start: a customer erased since is no candidate any more.
            if let customer = scored.link.customer, try tx.customer(customer) == nil {
                row = identity(author, customer: nil, rule: nil, probability: nil, status: nil)
                scored.link = Link(customer: nil, rule: nil, probability: nil)
            }
            try tx.addIdentity(row)
            return scored.link
        }
        if known == nil {
            try tx.addIdentity(identity(author, customer: nil, rule: nil, probability: nil, status: nil))
        }
        return Link(customer: nil, rule: nil, probability: nil)
    }

    /// The index's answer for an author: the link (or none) and the identity row that records it.
    private func score(_ author: SocialEvent.Author, index: IdentityIndex) throws
        -> (link: Link, identity: CRMStore.NewIdentity)?
    {
        var query: JSONObject = ["platform": .string(author.platform.rawValue), "uid": .string(author.uid)]
        for (name, value) in author.profile { if query[name] == nil { query[name] = value } }
        if query["city"] == nil { query["city"] = author.profile["location"] ?? author.profile["ip_location"] }
        // The customers' values are stored normalized (gender m/f, phone E.164): the author's too.
        for field in ["gender", "phone", "email"] {
            if let value = query[field]?.stringValue { query[field] = .string(CustomerSync.normalized(field, value)) }
        }
        let resolution = try index.resolve(SocialPreset.queryFields(.object(query)), limit: 1)
        guard let best = resolution.customer ?? resolution.candidates.first else { return nil }
        let linked = resolution.customer != nil
        let customer = linked ? index.records.ids[best.record] : nil
        let rule = best.rule >= 0 ? index.model.settings.deterministic[Int(best.rule)].name : nil
        let probability = (best.probability * 10_000).rounded() / 10_000
        var row = identity(
            author, customer: customer, rule: linked ? rule : nil, probability: probability,
            status: linked ? (rule == nil ? "suggested" : "confirmed") : nil)
        row.matchWeight = (best.weight * 100).rounded() / 100
        row.explain = PairScorer.Term.json(best.terms).jsonText
        return (
            Link(
                customer: customer, rule: linked ? rule ?? "probabilistic" : nil,
                probability: linked ? probability : nil), row
        )
    }

    private func identity(
        _ author: SocialEvent.Author, customer: String?, rule: String?, probability: Double?,
        status: String?
    ) -> CRMStore.NewIdentity {
        CRMStore.NewIdentity(
            platform: author.platform.rawValue, uid: author.uid, nickname: author.profile["nickname"]?.stringValue,
            customer: customer, probability: probability, matchWeight: nil, rule: rule, status: status)
    }
}
