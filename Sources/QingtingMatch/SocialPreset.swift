public import OrderedCollections
import QingtingText
public import QingtingCore

/// The built-in linkage task of Qingting: social identities (`identities.jsonl`) to CRM
/// customers (`customers.jsonl`) and to each other, as `link_to_master` (customers are the
/// master list; two customers are never merged).
///
/// Both files map onto one schema: `name` (a customer's name, an identity's nickname), `phone`,
/// `email`, `city`, `gender`, `ip`, `device`, `unionid`. Customers are keyed by `id`,
/// identities by `platform:uid`.
public enum SocialPreset {
    public static let settingsText = """
    {
      "name": "social",
      "description": "Social identities to CRM customers and to each other (Qingting's built-in preset).",
      "link_type": "link_to_master",
      "unique_id_column": "id",
      "columns": {
        "phone_e164": {"from": "phone", "transform": "phone_e164"},
        "phone_mask": {"from": "phone", "transform": "phone_mask"},
        "phone_tail": {"from": "phone", "transform": "phone_suffix:4"},
        "phone_key": {"from": "phone", "transform": "phone_key"},
        "phone_keys": {"from": "phone", "transform": "phone_keys"},
        "phone_prefix7": {"from": "phone", "transform": "phone_prefix:7"},
        "phone_tail_key": {"from": "phone", "transform": "phone_tail_key"},
        "email_n": {"from": "email", "transform": "email"},
        "city_n": {"from": "city", "transform": "city"},
        "province_n": {"from": "city", "transform": "province"},
        "gender_n": {"from": "gender", "transform": "lower"},
        "name_pinyin": {"from": "name", "transform": "pinyin"},
        "name_initials": {"from": "name", "transform": "initials"},
        "ip_block": {"from": "ip", "transform": "ip24"}
      },
      "comparisons": [
        {"name": "name", "column": "name_pinyin", "term_frequency": true,
         "levels": [{"exact": true}, {"jaro_winkler": 0.92}, {"anagram": true}, {"contains": 4}, {"jaro_winkler": 0.8}]},
        {"name": "phone", "column": "phone_mask", "frequency_column": "phone_keys", "levels": [{"exact": true}, {"phone_compatible": 7}, {"phone_compatible": 4}]},
        {"name": "email", "column": "email_n", "levels": [{"exact": true}, {"jaro_winkler": 0.9}]},
        {"name": "city", "column": "city_n", "levels": [{"exact": true}]},
        {"name": "province", "column": "province_n", "when_missing": "city_n", "levels": [{"exact": true}]},
        {"name": "gender", "column": "gender_n", "levels": [{"exact": true}]},
        {"name": "ip_block", "column": "ip_block", "levels": [{"exact": true}]},
        {"name": "device", "column": "device", "levels": [{"exact": true}]}
      ],
      "blocking_rules": [
        ["phone_key"],
        ["phone_tail", "name_initials"],
        {"on": ["phone_prefix7"], "max_block_size": 100},
        {"on": ["phone_tail_key", "province_n"], "max_block_size": 200},
        {"on": ["phone_tail_key"], "max_block_size": 40},
        ["name_pinyin", "city_n"],
        {"lsh": "name_pinyin", "within": ["city_n", "name_initials"], "bands": 4, "rows": 4, "ngram": 3},
        ["device"],
        {"on": ["ip_block"], "max_block_size": 40},
        ["email_n"]
      ],
      "training_blocking_rules": [["phone_key"], ["name_pinyin", "city_n"], ["device"]],
      "deterministic_rules": [
        {"name": "verified_phone", "columns": ["phone_e164"]},
        {"name": "email", "columns": ["email_n"]},
        {"name": "wechat_unionid", "columns": ["unionid"]}
      ],
      "graph": {"identifiers": ["phone_e164", "email_n", "unionid", "device"], "max_shared": 3},
      "threshold": 0.5,
      "max_block_size": 1000
    }
    """

    /// The preset's settings and their JSON.
    public static func settings() throws -> (LinkSettings, JSONValue) { try LinkSettings.preset("social") }

    /// Customers (left) and identities (right) as one record set, derived columns computed.
    /// Without `identities`, the set holds the customers alone (an index for online resolving);
    /// without `customers`, the identities alone (the known identities of online resolving).
    /// With `skipped`, a bad line (not a JSON object, no id, a duplicate) is handed to it as a
    /// `path:line` error and left out; without, it ends the load.
    public static func loadRecords(customers: String?, identities: String?, settings: LinkSettings,
                                   cities: CityLexicon, skipped: ((QingtingError) -> Void)? = nil) throws -> RecordSet {
        let columns = settings.inputColumns
        var records = RecordSet(columnNames: columns)
        var seen: Set<String> = []
        for (source, path) in [(UInt8(0), customers), (UInt8(1), identities)] {
            guard let path else { continue }
            // The id and the column values come out of each line on the parsing cores; the
            // duplicate check and the interning (in file order) here.
            let map: @Sendable (JSONObject, Int) throws -> RecordLoader.Row = { fields, line in
                let id: String
                if source == 0 {
                    guard let v = fields["id"].flatMap(RecordLoader.scalarString) else {
                        throw QingtingError(.invalidInput, "a customer needs an \"id\"", location: "\(path):\(line)")
                    }
                    id = v
                } else {
                    guard let platform = fields["platform"].flatMap(RecordLoader.scalarString),
                          let uid = fields["uid"].flatMap(RecordLoader.scalarString) else {
                        throw QingtingError(.invalidInput, "an identity needs \"platform\" and \"uid\"", location: "\(path):\(line)")
                    }
                    id = platform + ":" + uid
                }
                return (id, columns.map { column in
                    RecordLoader.values(source == 0 ? fields[column] : identityValue(fields, column))
                })
            }
            try RecordLoader.forEachObject(path: path, skipped: skipped, map: map) { row, line in
                guard seen.insert(row.id).inserted else {
                    throw QingtingError(.invalidInput, "duplicate \(source == 0 ? "customer id" : "identity") (an earlier line has the same one)",
                                        location: "\(path):\(line)")
                }
                records.append(id: row.id, source: source, values: row.values)
            }
        }
        try RecordLoader(settings: settings, cities: cities).derive(&records)
        return records
    }

    /// An identity's JSON object as the preset's input columns (its nickname is the `name`).
    public static func queryFields(_ identity: JSONValue) -> JSONObject {
        guard case .object(let fields) = identity else { return [:] }
        return identityFields(fields)
    }

    /// An identity's value of input column `column`: its nickname is its `name` when it has none.
    static func identityValue(_ fields: JSONObject, _ column: String) -> JSONValue? {
        fields[column] ?? (column == "name" ? fields["nickname"] : nil)
    }

    static func identityFields(_ fields: JSONObject) -> JSONObject {
        var fields = fields
        if fields["name"] == nil { fields["name"] = identityValue(fields, "name") }
        return fields
    }

    /// One line of `links.jsonl`: where an identity landed.
    public struct IdentityLink: Sendable {
        public var record: Int
        public var customer: Int?
        /// The scored pair behind the decision: with the customer itself, or with another
        /// identity of the same cluster (`via`), or the best candidate when unlinked.
        public var pair: PairScorer.Scored?
        public var via: Int?
        public var cluster: String
    }

    /// An `IdentityLink` for every identity of a run.
    public static func identityLinks(_ run: LinkRun) -> [IdentityLink] {
        if let resolution = run.resolution { return identityLinks(resolution, run: run) }
        var clustering = run.clustering
        let records = run.records
        let left = records.leftCount
        let clusters = clustering.clusterIds(records)
        var masterOf = [Int?](repeating: nil, count: records.count)
        for r in left..<records.count { masterOf[r] = clustering.masterOf(r) }
        func better(_ a: PairScorer.Scored, _ b: PairScorer.Scored?) -> Bool {
            guard let b else { return true }
            return a.ranks(before: b)
        }
        var direct = [PairScorer.Scored?](repeating: nil, count: records.count)
        var bestCandidate = [PairScorer.Scored?](repeating: nil, count: records.count)
        var viaPair = [PairScorer.Scored?](repeating: nil, count: records.count)
        for s in run.scored {
            let (i, j) = Blocking.split(s.pair)
            if i < left {
                if masterOf[j] == i, better(s, direct[j]) { direct[j] = s }
                if better(s, bestCandidate[j]) { bestCandidate[j] = s }
            } else if clusters[i] == clusters[j] {
                if better(s, viaPair[i]) { viaPair[i] = s }
                if better(s, viaPair[j]) { viaPair[j] = s }
            }
        }
        return (left..<records.count).map { r in
            if let m = masterOf[r] {
                if let d = direct[r] { return IdentityLink(record: r, customer: m, pair: d, via: nil, cluster: clusters[r]) }
                let v = viaPair[r]
                let other = v.map { p -> Int in let (i, j) = Blocking.split(p.pair); return i == r ? j : i }
                return IdentityLink(record: r, customer: m, pair: v, via: other, cluster: clusters[r])
            }
            return IdentityLink(record: r, customer: nil, pair: bestCandidate[r], via: nil, cluster: clusters[r])
        }
    }

    /// The identity links of a graph resolution. A linked identity's cluster is its customer's
    /// id; an unlinked one's is its person's first identity.
    static func identityLinks(_ resolution: IdentityResolution, run: LinkRun) -> [IdentityLink] {
        let left = run.records.leftCount
        return resolution.decisions.enumerated().map { k, d in
            let r = left + k
            let pair = d.candidate.map { c in
                PairScorer.Scored(pair: Blocking.pair(c, r), weight: Float(MatchWeights.bits(probability: min(max(d.probability, 1e-12), 1 - 1e-12))),
                                  rule: d.rule)
            }
            let cluster = d.customer.map { run.records.ids[$0] } ?? run.records.ids[d.person]
            return IdentityLink(record: r, customer: d.customer, pair: pair, via: d.via, cluster: cluster)
        }
    }

    /// The members of one identity link's line as JSON values: `platform`, `uid`, `customer`,
    /// `cluster`, `probability`, `match_weight`, `rule`, `status`, `explain` (when asked), `via`.
    public static func members(_ link: IdentityLink, run: LinkRun, explain: Bool = true) -> JSONObject {
        let id = run.records.ids[link.record]
        let colon = id.firstIndex(of: ":") ?? id.endIndex
        var obj: JSONObject = [
            "platform": .string(String(id[..<colon])),
            "uid": .string(colon < id.endIndex ? String(id[id.index(after: colon)...]) : ""),
            "customer": link.customer.map { .string(run.records.ids[$0]) } ?? .null,
            "cluster": .string(link.cluster),
        ]
        if let p = link.pair {
            obj["probability"] = .number(NumberFormat.rounded(p.probability, 4))
            obj["match_weight"] = .number(NumberFormat.rounded(Double(p.weight), 2))
            obj["rule"] = p.ruleJSON(run.model.settings)
        } else {
            obj["probability"] = .number("0")
            obj["match_weight"] = .null
            obj["rule"] = .null
        }
        obj["status"] = link.customer != nil ? .string(link.pair?.status ?? "suggested") : .null
        if explain, let e = explainJSON(link, run: run) { obj["explain"] = e }
        if let via = link.via { obj["via"] = .string(run.records.ids[via]) }
        return obj
    }

    /// An identity link's explanation: with the identity graph, the person's combined terms
    /// (each with `from`, the account it came from, when that is another one), else the pair's
    /// terms; nil without a pair.
    public static func explainJSON(_ link: IdentityLink, run: LinkRun) -> JSONValue? {
        if let terms = run.resolution?.terms(of: link.record) {
            return .array(terms.map { t in
                var o: JSONObject = ["comparison": .string(t.term.comparison), "level": .string(t.term.level),
                                     "bits": .number(NumberFormat.rounded(t.term.bits, 2))]
                if t.from != link.record { o["from"] = .string(run.records.ids[t.from]) }
                return .object(o)
            })
        }
        guard let p = link.pair else { return nil }
        let (i, j) = Blocking.split(p.pair)
        return PairScorer.Term.json(run.scorer.explain(i, j))
    }

    /// The JSON line of one identity link.
    public static func line(_ link: IdentityLink, run: LinkRun, explain: Bool = true) -> String {
        JSONValue.object(members(link, run: run, explain: explain)).jsonText
    }

    // MARK: Evaluation

    /// Identity-level scores: an identity is right when its customer (or none) is the true one.
    public struct Evaluation: Sendable {
        public var deterministic = Part()
        public var probabilistic = Part()
        public var truthLinked = 0
        public var truthDeterministic = 0
        public var identities = 0
        /// Probabilistic candidates (linked or not) by predicted probability, in tenths: how
        /// many, the sum of their probabilities, how many were the true customer.
        public var reliability = [Bin](repeating: Bin(), count: 10)

        public struct Bin: Sendable {
            public var count = 0
            public var predicted = 0.0
            public var correct = 0
            public var meanPredicted: Double { count == 0 ? 0 : predicted / Double(count) }
            public var observed: Double { count == 0 ? 0 : Double(correct) / Double(count) }
        }

        /// Expected calibration error: the count-weighted mean gap between predicted and observed.
        public var calibrationError: Double {
            let total = reliability.reduce(0) { $0 + $1.count }
            guard total > 0 else { return 0 }
            return reliability.reduce(0) { $0 + Double($1.count) * abs($1.meanPredicted - $1.observed) } / Double(total)
        }

        public struct Part: Sendable {
            public var predicted = 0
            public var correct = 0
            public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
        }

        public var predicted: Int { deterministic.predicted + probabilistic.predicted }
        public var correct: Int { deterministic.correct + probabilistic.correct }
        public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
        public var recall: Double { truthLinked == 0 ? 0 : Double(correct) / Double(truthLinked) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        /// Confirmed links against the identities that carry their customer's verified phone or e-mail.
        public var deterministicRecall: Double { truthDeterministic == 0 ? 0 : Double(deterministic.correct) / Double(truthDeterministic) }
        public var deterministicF1: Double {
            let p = deterministic.precision, r = deterministicRecall
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
    }

    public struct Truth: Sendable {
        public var customer: String?
        public var deterministic: Bool
    }

    /// Reads truth lines `{"platform","uid","customer": id|null,"deterministic": bool}`.
    public static func readTruth(path: String) throws -> [String: Truth] {
        var out: [String: Truth] = [:]
        try RecordLoader.forEachObject(path: path) { fields, line in
            let json = JSONValue.object(fields)
            guard let platform = json["platform"].flatMap(RecordLoader.scalarString),
                  let uid = json["uid"].flatMap(RecordLoader.scalarString) else {
                throw QingtingError(.invalidInput, "a truth line needs platform and uid", location: "\(path):\(line)")
            }
            out[platform + ":" + uid] = Truth(customer: json["customer"].flatMap(RecordLoader.scalarString),
                                              deterministic: json["deterministic"] == .bool(true))
        }
        return out
    }

    public static func evaluate(_ links: [IdentityLink], run: LinkRun, truth: [String: Truth]) -> Evaluation {
        var e = Evaluation()
        for link in links {
            let id = run.records.ids[link.record]
            let t = truth[id]
            e.identities += 1
            if t?.customer != nil { e.truthLinked += 1 }
            if t?.deterministic == true { e.truthDeterministic += 1 }
            if let p = link.pair, p.rule < 0 || link.via != nil {
                let candidate = Blocking.split(p.pair).0
                let bin = min(Int(p.probability * 10), 9)
                e.reliability[bin].count += 1
                e.reliability[bin].predicted += p.probability
                if t?.customer == run.records.ids[candidate] { e.reliability[bin].correct += 1 }
            }
            guard let c = link.customer else { continue }
            let right = t?.customer == run.records.ids[c]
            if link.via == nil, let p = link.pair, p.rule >= 0 {
                e.deterministic.predicted += 1
                if right { e.deterministic.correct += 1 }
            } else {
                e.probabilistic.predicted += 1
                if right { e.probabilistic.correct += 1 }
            }
        }
        return e
    }
}
