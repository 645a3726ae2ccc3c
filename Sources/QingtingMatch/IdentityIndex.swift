import Algorithms
public import OrderedCollections
import QingtingText
public import QingtingCore

/// Records (CRM customers, and any identities already known) indexed by every blocking rule's
/// keys, so that one new identity is resolved in milliseconds without a batch run: its keys
/// find the candidates, the model scores each, and the best master above the threshold (or one
/// a deterministic rule links) is its customer.
///
/// Safe to share between threads: resolving reads the index and builds its own query state.
public final class IdentityIndex: Sendable {
    public struct Candidate: Sendable, RankedMatch {
        public var record: Int
        public var weight: Double
        /// Index of the deterministic rule that links it, or -1.
        public var rule: Int16
        public var terms: [PairScorer.Term]
    }

    public struct Resolution: Sendable {
        /// Scored candidates, strongest first (at most `limit` of them).
        public var candidates: [Candidate]
        /// The customer (a master record) the identity resolves to, if any.
        public var customer: Candidate?
        /// Pairs compared.
        public var compared: Int
        /// The known identity of the same person the customer came through (the identity graph).
        public var via: String? = nil
    }

    private struct RuleIndex: Sendable {
        var rule: LinkSettings.BlockingRule
        var keys: [UInt64]
        var members: [UInt32]
        var limit: Int
    }

    public let model: LinkModel
    public let records: RecordSet
    public let cities: CityLexicon
    /// Identities already resolved, for the identity graph (nil: customers only).
    public let known: KnownIdentities?
    private let scorer: PairScorer
    private let rules: [RuleIndex]
    private let recordOf: [String: Int]
    /// The settings' input columns, worked out once (`LinkSettings.inputColumns` builds them
    /// afresh on each call, and every resolve needs them twice).
    private let inputColumns: [String]

    public init(model: LinkModel, records: RecordSet, cities: CityLexicon, known: KnownIdentities? = nil) throws {
        self.model = model
        self.records = records
        self.cities = cities
        self.known = known
        inputColumns = model.settings.inputColumns
        recordOf = Dictionary(records.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        scorer = try PairScorer(model: model, records: records)
        let blocking = Blocking(settings: model.settings, records: records)
        rules = try model.settings.blocking.map { rule in
            var keyed = try blocking.keys(for: rule)
            keyed.sort { $0.key < $1.key }
            return RuleIndex(rule: rule, keys: keyed.map(\.key), members: keyed.map(\.record),
                             limit: rule.maxBlockSize ?? model.settings.maxBlockSize)
        }
    }

    /// Resolves one record given as input columns (`name`, `phone`, … as in the settings; a
    /// list column takes a JSON array). Keeps the `limit` strongest candidates.
    ///
    /// - Throws: `QingtingError` `invalidInput` when the identity has no `uid` (a string or number):
    ///   the answer could not say whom it is about.
    public func resolve(_ fields: JSONObject, limit: Int = 5) throws -> Resolution {
        guard fields["uid"].flatMap(RecordLoader.scalarString) != nil else {
            throw QingtingError(.invalidInput, "an identity needs a \"uid\" (a string or number)")
        }
        let settings = model.settings
        var query = RecordSet(columnNames: inputColumns)
        query.append(id: "query", source: 1, values: inputColumns.map { RecordLoader.values(fields[$0]) })
        try RecordLoader(settings: settings, cities: cities).derive(&query)
        let queryBlocking = Blocking(settings: settings, records: query)
        var found: Set<Int> = []
        for index in rules {
            for (key, _) in try queryBlocking.keys(for: index.rule) {
                let range = Self.equalRange(index.keys, key)
                guard range.count <= index.limit else { continue }
                for k in range { found.insert(Int(index.members[k])) }
            }
        }
        let queryComparators = try model.comparators(for: query)
        let ruleColumns = try settings.deterministic.map { rule in
            try rule.columns.map { name -> (Column, Column) in
                guard let a = records.column(name), let b = query.column(name) else {
                    throw QingtingError(.invalidSettings, "deterministic rule '\(rule.name)' reads column '\(name)', which the data does not have")
                }
                return (a, b)
            }
        }
        var scored: [Candidate] = []
        scored.reserveCapacity(found.count)
        for r in found {
            let (terms, weight) = scorer.explain(r, against: queryComparators, 0)
            var rule: Int16 = -1
            outer: for (k, columns) in ruleColumns.enumerated() {
                for (a, b) in columns {
                    let va = a.values(r).map { a.dictionary[Int($0)] }, vb = b.values(0).map { b.dictionary[Int($0)] }
                    if va.isEmpty || vb.isEmpty || !va.contains(where: vb.contains) { continue outer }
                }
                rule = Int16(k)
                break
            }
            scored.append(Candidate(record: r, weight: weight, rule: rule, terms: terms))
        }
        scored.sort { $0.ranks(before: $1) }
        var customer = scored.first { records.sources[$0.record] == 0 && $0.isLink(threshold: settings.threshold) }
        // The identity graph: a linked identity sharing a rare identifier is the same person.
        var via: String? = nil
        if let sibling = known?.sibling(of: 0, in: query), let id = sibling.customer, let r = recordOf[id],
           customer?.rule ?? -1 < 0, sibling.probability > customer?.probability ?? 0, sibling.probability >= settings.threshold {
            let p = min(max(sibling.probability, 1e-12), 1 - 1e-12)
            customer = Candidate(record: r, weight: MatchWeights.bits(probability: p), rule: -1,
                                 terms: scorer.explain(r, against: queryComparators, 0).terms)
            via = sibling.identity
        }
        return Resolution(candidates: Array(scored.prefix(limit)), customer: customer, compared: found.count, via: via)
    }

    /// The result object of one resolve (what `identity.resolve` answers and `link resolve`
    /// writes): `platform` and `uid` echoed, `customer` (or null), `probability`,
    /// `match_weight`, `rule`, `status`, `explain`, and the best `candidates`.
    public func json(_ r: Resolution, query: JSONObject) -> String {
        func candidate(_ c: Candidate, explain: Bool) -> JSONObject {
            var obj: JSONObject = [
                "customer": .string(records.ids[c.record]),
                "probability": .number(NumberFormat.rounded(c.probability, 4)),
                "match_weight": .number(NumberFormat.rounded(c.weight, 2)),
                "rule": c.ruleJSON(model.settings),
            ]
            if explain { obj["explain"] = PairScorer.Term.json(c.terms) }
            return obj
        }
        var obj: JSONObject = ["platform": query["platform"] ?? .null, "uid": query["uid"] ?? .null]
        if let c = r.customer {
            for (k, v) in candidate(c, explain: true) { obj[k] = v }
            obj["status"] = .string(c.status)
            if let via = r.via { obj["via"] = .string(via) }
        } else {
            obj["customer"] = .null
            obj["status"] = .null
        }
        obj["candidates"] = .array(r.candidates.map { .object(candidate($0, explain: false)) })
        return JSONValue.object(obj).jsonText
    }

    /// Loads a model and the customers into an index (the social preset's customer schema),
    /// with the identities a batch run resolved (`identities.jsonl` and its `links.jsonl`) when given.
    public static func load(modelPath: String, customersPath: String, citiesPath: String? = nil,
                            knownIdentities: String? = nil, knownLinks: String? = nil) throws -> IdentityIndex {
        let model = try LinkModel.load(path: modelPath)
        let lexicon = try CityLexicon.load(path: citiesPath)
        let records = try SocialPreset.loadRecords(customers: customersPath, identities: nil, settings: model.settings, cities: lexicon)
        var known: KnownIdentities? = nil
        switch (knownIdentities, knownLinks) {
        case let (identities?, links?):
            known = try KnownIdentities.load(identities: identities, links: links, settings: model.settings, cities: lexicon)
        case (nil, nil): break
        default: throw QingtingError(.invalidInput, "known identities need both the identities file and its links file")
        }
        return try IdentityIndex(model: model, records: records, cities: lexicon, known: known)
    }

    /// Indices of `key` in the sorted `keys`.
    static func equalRange(_ keys: [UInt64], _ key: UInt64) -> Range<Int> {
        let lo = keys.partitioningIndex { $0 >= key }
        let end = keys[lo...].partitioningIndex { $0 > key }
        return lo..<end
    }
}
