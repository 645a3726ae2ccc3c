import QingtingCore

/// Identities already resolved (a batch run's `identities.jsonl` and its `links.jsonl`), indexed
/// by the identity graph's identifiers, so that online resolving uses the same graph as the
/// batch: a new identity that shares a rare identifier (an advertising id, a full phone, an
/// e-mail, a unionid) with a linked identity is the same person and reaches that customer.
public struct KnownIdentities: Sendable {
    /// One linked holder of an identifier value.
    public struct Holder: Sendable {
        public var identity: String
        public var customer: String?
        public var probability: Double
    }

    public let graph: LinkSettings.Graph
    /// "column\u{1}value" → every known identity holding it.
    private var holders: [String: [Holder]] = [:]
    public private(set) var count = 0

    /// Reads the identities and their links (`platform`, `uid`, `customer`, `probability`),
    /// normalizing the identifiers with the settings' transforms.
    /// - Throws: `QingtingError` naming `path:line` for a bad line, or settings without a graph.
    public static func load(identities: String, links: String, settings: LinkSettings, cities: CityLexicon) throws -> KnownIdentities {
        guard let graph = settings.graph else {
            throw QingtingError(.invalidSettings, "the model's settings have no identity graph, so known identities cannot be used")
        }
        var linkOf: [String: Holder] = [:]
        try RecordLoader.forEachObject(path: links) { fields, line in
            let json = JSONValue.object(fields)
            guard let platform = json["platform"].flatMap(RecordLoader.scalarString),
                  let uid = json["uid"].flatMap(RecordLoader.scalarString) else {
                throw QingtingError(.invalidInput, "a link line needs platform and uid", location: "\(links):\(line)")
            }
            let probability: Double
            if case .number(let p)? = json["probability"], let v = Double(p) { probability = v } else { probability = 0 }
            let id = platform + ":" + uid
            linkOf[id] = Holder(identity: id, customer: json["customer"].flatMap(RecordLoader.scalarString), probability: probability)
        }
        let records = try SocialPreset.loadRecords(customers: nil, identities: identities, settings: settings, cities: cities)
        var known = KnownIdentities(graph: graph)
        for column in graph.identifiers.compactMap({ records.column($0) }) {
            for r in 0..<records.count {
                let holder = linkOf[records.ids[r]] ?? Holder(identity: records.ids[r], customer: nil, probability: 0)
                for v in column.values(r) { known.holders[column.name + "\u{1}" + column.dictionary[Int(v)], default: []].append(holder) }
            }
        }
        known.count = records.count
        return known
    }

    private init(graph: LinkSettings.Graph) { self.graph = graph }

    /// The linked identity that shares a rare identifier with record `r` of `query` (held, with
    /// the query, by at most `max_shared` identities), the most probable one when several do.
    public func sibling(of r: Int, in query: RecordSet) -> Holder? {
        var best: Holder? = nil
        for column in graph.identifiers.compactMap({ query.column($0) }) {
            for v in column.values(r) {
                guard let list = holders[column.name + "\u{1}" + column.dictionary[Int(v)]], list.count + 1 <= graph.maxShared else { continue }
                for h in list where h.customer != nil && h.identity != query.ids[r] {
                    if best == nil || h.probability > best!.probability { best = h }
                }
            }
        }
        return best
    }
}
