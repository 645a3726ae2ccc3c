import OrderedCollections
import QingtingText
public import QingtingCore

/// What to link and how: the columns, comparisons and levels, blocking rules, deterministic
/// rules and thresholds of one linkage task, read from a JSON settings file in the spirit of
/// Splink's settings. `SocialPreset.settings` is the built-in one for social identities.
public struct LinkSettings: Sendable {
    public enum LinkType: String, Sendable {
        /// Pairs cross the two datasets only (FEBRL4's A × B).
        case linkOnly = "link_only"
        /// Pairs within one dataset.
        case dedupeOnly = "dedupe_only"
        /// The left dataset is a master list of distinct entities (CRM customers); right records
        /// (social identities) pair with master records and with each other, never master with master.
        case linkToMaster = "link_to_master"
    }

    /// A column computed from another by a transform (`{"from": "phone", "transform": "phone_mask"}`).
    public struct DerivedColumn: Sendable, Equatable {
        public var name: String
        public var from: String
        public var transform: ValueTransform
    }

    /// One level of a comparison; the first level that holds for a pair is its level.
    public enum Level: Sendable, Equatable {
        case exact
        case jaroWinkler(Double)
        case levenshtein(Int)
        /// Levenshtein where swapping two adjacent characters is one edit.
        case damerauLevenshtein(Int)
        /// This column of one record equals `column` of the other, both ways (given and
        /// surname written the other way round).
        case swappedWith(String)
        /// The same characters in another order (jingzhao / zhaojing).
        case anagram
        /// One value contains the other, which has at least this many characters (xiaoming in wangxiaoming).
        case contains(Int)
        /// Jaccard similarity of character bigram sets at least this.
        case jaccard(Double)
        /// Masked phone patterns compatible, with at least this many known digits in common.
        case phoneCompatible(Int)
        /// Dates (YYYYMMDD or YYYY-MM-DD) at most this many days apart.
        case dateWithinDays(Int)

        var label: String {
            switch self {
            case .exact: "exact"
            case .jaroWinkler(let t): "jaro_winkler>=\(t)"
            case .levenshtein(let k): "levenshtein<=\(k)"
            case .damerauLevenshtein(let k): "damerau_levenshtein<=\(k)"
            case .swappedWith(let c): "swapped_with_\(c)"
            case .anagram: "anagram"
            case .contains(let n): "contains>=\(n)"
            case .jaccard(let t): "jaccard>=\(t)"
            case .phoneCompatible(let n): "phone_compatible>=\(n)"
            case .dateWithinDays(let d): "date_within_days<=\(d)"
            }
        }
    }

    public struct Comparison: Sendable, Equatable {
        public var name: String
        public var column: String
        public var levels: [Level]
        /// Term-frequency adjustment of the exact level: agreeing on a rare value counts more.
        public var termFrequency: Bool
        /// A column whose shared value's frequency among the master records replaces u on every
        /// agreeing level in graph resolution (`phone_key`: a masked phone is worth what the
        /// number of customers compatible with it says).
        public var frequencyColumn: String? = nil
        /// Compared only when a record lacks this column (a province counts when one profile
        /// shows no city, and says nothing when both name one).
        public var whenMissing: String? = nil
    }

    public enum BlockingKey: Sendable, Equatable {
        /// Records agree on every column (a list column agrees when the lists share a value).
        /// `unordered`: the columns' values as a set, so given/surname swapped still block together.
        case columns([String], unordered: Bool)
        /// MinHash LSH over character n-grams of a column: records share a band of `rows` minima
        /// (and agree on the `within` columns, which keeps LSH blocks small on large data).
        case lsh(column: String, bands: Int, rows: Int, ngram: Int, within: [String])
    }

    public struct BlockingRule: Sendable, Equatable {
        public var name: String
        public var key: BlockingKey
        /// This rule's own limit on block size (the settings' `max_block_size` when nil).
        public var maxBlockSize: Int? = nil
        /// Columns (and the columns they derive from) a pair from this rule is known to agree on.
        public var columns: [String] {
            switch key {
            case .columns(let c, _): c
            case .lsh(let c, _, _, _, let within): [c] + within
            }
        }
    }

    /// The identity graph of `link_to_master`: identities sharing a rare identifier are one
    /// person, resolved together (`IdentityResolution`).
    public struct Graph: Sendable, Equatable {
        /// Columns whose shared values join identities (full phone, e-mail, unionid, device).
        public var identifiers: [String]
        /// A value held by more identities than this joins nobody (shared infrastructure).
        public var maxShared = 3
    }

    public struct DeterministicRule: Sendable, Equatable {
        public var name: String
        /// A pair matches with certainty when it agrees exactly on all of these (none missing).
        public var columns: [String]
    }

    public var linkType: LinkType = .linkOnly
    public var uniqueIdColumn = "id"
    public var derived: [DerivedColumn] = []
    public var comparisons: [Comparison] = []
    /// Groups of comparison names modelled jointly (their levels crossed), for dependent evidence.
    public var joint: [[String]] = []
    /// Join comparisons whose agreement among random pairs is this many times what independence
    /// predicts (0 turns detection off).
    public var dependenceLift = 8.0
    public var blocking: [BlockingRule] = []
    /// Rules whose pairs train m by EM (default: every blocking rule on exact columns).
    public var trainingBlocking: [BlockingRule] = []
    public var deterministic: [DeterministicRule] = []
    /// Resolve identities as people (link_to_master only); nil: each identity on its own.
    public var graph: Graph? = nil
    /// Match probability at or above which a pair is a link.
    public var threshold = 0.5
    /// Blocks with more records than this are skipped (and reported).
    public var maxBlockSize = 2000
    /// Random pairs sampled to estimate u.
    public var uSamplePairs = 2_000_000
    /// Pairs per EM training session at most (a random sample above it).
    public var maxTrainingPairs = 2_000_000
    public var emIterations = 40
    public var seed: UInt64 = 42

    public init() {}

    /// Every column the comparisons, rules and derived columns read, in a stable order.
    public var inputColumns: [String] {
        let derivedNames = Set(derived.map(\.name))
        var seen: Set<String> = [], out: [String] = []
        func add(_ c: String) { if !derivedNames.contains(c) && seen.insert(c).inserted { out.append(c) } }
        derived.forEach { add($0.from) }
        comparisons.forEach { c in
            add(c.column)
            c.frequencyColumn.map(add)
            c.whenMissing.map(add)
            for case .swappedWith(let other) in c.levels { add(other) }
        }
        blocking.forEach { $0.columns.forEach(add) }
        trainingBlocking.forEach { $0.columns.forEach(add) }
        deterministic.forEach { $0.columns.forEach(add) }
        graph?.identifiers.forEach(add)
        return out
    }

    /// The input column a (possibly derived) column comes from.
    public func root(of column: String) -> String {
        var c = column
        var hops = 0
        while let d = derived.first(where: { $0.name == c }), hops < 16 { c = d.from; hops += 1 }
        return c
    }
}

// MARK: - Reading settings JSON

extension LinkSettings {
    /// Parses settings JSON. Every problem names the file and the JSON path of the bad value.
    public init(json: JSONValue, path: String) throws {
        self.init()
        let r = SettingsReader(path: path)
        guard case .object(let top) = json else { throw r.fail("", "settings must be a JSON object") }
        let known: Set = ["link_type", "unique_id_column", "columns", "comparisons", "joint", "dependence_lift",
                          "blocking_rules", "training_blocking_rules", "deterministic_rules", "threshold",
                          "max_block_size", "u_sample_pairs", "max_training_pairs", "em_iterations", "seed",
                          "graph", "name", "description"]
        for key in top.keys.sorted() where !known.contains(key) {
            throw r.fail(key, "unknown setting '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let v = top["link_type"] {
            let s = try r.string(v, "link_type")
            guard let t = LinkType(rawValue: s) else {
                throw r.fail("link_type", "unknown link type '\(s)' (link_only, dedupe_only, link_to_master)")
            }
            linkType = t
        }
        if let v = top["unique_id_column"] { uniqueIdColumn = try r.string(v, "unique_id_column") }
        if let v = top["columns"] {
            guard case .object(let cols) = v else { throw r.fail("columns", "expected an object of derived columns") }
            for name in cols.keys.sorted() {
                let at = "columns.\(name)"
                let from = try r.string(try r.member(cols[name]!, "from", at), at + ".from")
                let tname = try r.string(try r.member(cols[name]!, "transform", at), at + ".transform")
                guard let t = ValueTransform(name: tname) else {
                    throw r.fail(at + ".transform", "unknown transform '\(tname)' (known: \(ValueTransform.names))")
                }
                derived.append(DerivedColumn(name: name, from: from, transform: t))
            }
            derived = Self.orderedByDependency(derived)
        }
        for (i, c) in try r.array(top["comparisons"] ?? .array([]), "comparisons").enumerated() {
            let at = "comparisons[\(i)]"
            let name = try r.string(try r.member(c, "name", at), at + ".name")
            let column = try r.string(c["column"] ?? .string(name), at + ".column")
            let tf = try r.bool(c["term_frequency"] ?? .bool(false), at + ".term_frequency")
            let frequencyColumn = try c["frequency_column"].map { try r.string($0, at + ".frequency_column") }
            let whenMissing = try c["when_missing"].map { try r.string($0, at + ".when_missing") }
            var levels: [Level] = []
            for (k, l) in try r.array(try r.member(c, "levels", at), at + ".levels").enumerated() {
                levels.append(try r.level(l, "\(at).levels[\(k)]"))
            }
            guard !levels.isEmpty else { throw r.fail(at + ".levels", "a comparison needs at least one level") }
            guard !comparisons.contains(where: { $0.name == name }) else { throw r.fail(at + ".name", "comparison '\(name)' is defined twice") }
            comparisons.append(Comparison(name: name, column: column, levels: levels, termFrequency: tf, frequencyColumn: frequencyColumn, whenMissing: whenMissing))
        }
        for (i, g) in try r.array(top["joint"] ?? .array([]), "joint").enumerated() {
            let names = try r.array(g, "joint[\(i)]").enumerated().map { try r.string($1, "joint[\(i)][\($0)]") }
            for n in names where !comparisons.contains(where: { $0.name == n }) {
                throw r.fail("joint[\(i)]", "no comparison named '\(n)'")
            }
            guard names.count == 2 else { throw r.fail("joint[\(i)]", "a joint group names two comparisons") }
            joint.append(names)
        }
        if let v = top["dependence_lift"] { dependenceLift = try r.number(v, "dependence_lift") }
        blocking = try r.rules(top["blocking_rules"] ?? .array([]), "blocking_rules")
        trainingBlocking = try r.rules(top["training_blocking_rules"] ?? .array([]), "training_blocking_rules")
        for (i, d) in try r.array(top["deterministic_rules"] ?? .array([]), "deterministic_rules").enumerated() {
            let at = "deterministic_rules[\(i)]"
            let name = try r.string(try r.member(d, "name", at), at + ".name")
            let cols = try r.array(try r.member(d, "columns", at), at + ".columns").enumerated()
                .map { try r.string($1, "\(at).columns[\($0)]") }
            guard !cols.isEmpty else { throw r.fail(at + ".columns", "a deterministic rule needs columns") }
            deterministic.append(DeterministicRule(name: name, columns: cols))
        }
        if let v = top["graph"] {
            guard case .object(let g) = v else { throw r.fail("graph", "expected an object {\"identifiers\": [columns], \"max_shared\": n}") }
            for key in g.keys.sorted() where !["identifiers", "max_shared"].contains(key) {
                throw r.fail("graph.\(key)", "unknown graph setting '\(key)' (known: identifiers, max_shared)")
            }
            let ids = try r.array(try r.member(v, "identifiers", "graph"), "graph.identifiers").enumerated()
                .map { try r.string($1, "graph.identifiers[\($0)]") }
            guard !ids.isEmpty else { throw r.fail("graph.identifiers", "the graph needs at least one identifier column") }
            var graph = Graph(identifiers: ids)
            if let m = g["max_shared"] {
                graph.maxShared = try r.count(m, "graph.max_shared")
                guard graph.maxShared >= 2 else { throw r.fail("graph.max_shared", "max_shared must be at least 2, got \(graph.maxShared)") }
            }
            guard linkType == .linkToMaster else { throw r.fail("graph", "the identity graph needs link_type link_to_master") }
            self.graph = graph
        }
        if let v = top["threshold"] {
            threshold = try r.number(v, "threshold")
            guard threshold > 0 && threshold < 1 else { throw r.fail("threshold", "threshold is a probability in (0, 1), got \(threshold)") }
        }
        if let v = top["max_block_size"] { maxBlockSize = try r.count(v, "max_block_size") }
        if let v = top["u_sample_pairs"] { uSamplePairs = try r.count(v, "u_sample_pairs") }
        if let v = top["max_training_pairs"] { maxTrainingPairs = try r.count(v, "max_training_pairs") }
        if let v = top["em_iterations"] { emIterations = try r.count(v, "em_iterations") }
        if let v = top["seed"] { seed = UInt64(try r.count(v, "seed")) }
        for rule in deterministic where !blocking.contains(where: { $0.key == .columns(rule.columns, unordered: false) }) {
            // A deterministic link must be among the candidates, so its columns block too.
            blocking.append(BlockingRule(name: rule.columns.joined(separator: "+"), key: .columns(rule.columns, unordered: false)))
        }
        try validate(path: path)
    }

    /// Reads a settings file.
    public static func load(path: String) throws -> LinkSettings { try load(path: path, overrides: Overrides()).0 }

    func validate(path: String) throws {
        guard !comparisons.isEmpty else { throw QingtingError(.invalidSettings, "settings need at least one comparison", location: path) }
        guard !blocking.isEmpty || linkType == .linkOnly else {
            throw QingtingError(.invalidSettings, "settings need at least one blocking rule", location: path)
        }
        for d in derived where d.name == d.from {
            throw QingtingError(.invalidSettings, "derived column '\(d.name)' cannot derive from itself", location: path)
        }
    }

    /// Derived columns in an order where every `from` is computed before it is read.
    static func orderedByDependency(_ columns: [DerivedColumn]) -> [DerivedColumn] {
        var done: Set<String> = [], out: [DerivedColumn] = []
        var pending = columns
        while !pending.isEmpty {
            let names = Set(pending.map(\.name))
            let ready = pending.filter { !names.contains($0.from) || done.contains($0.from) }
            if ready.isEmpty { out += pending; break }  // a cycle: keep the order; the load reports it
            out += ready
            ready.forEach { done.insert($0.name) }
            pending.removeAll { c in ready.contains { $0.name == c.name } }
        }
        return out
    }
}

/// JSON accessors that fail with `file: json.path: what`.
struct SettingsReader {
    let path: String

    func fail(_ at: String, _ message: String) -> QingtingError {
        QingtingError(.invalidSettings, at.isEmpty ? message : "\(at): \(message)", location: path)
    }

    func member(_ v: JSONValue, _ key: String, _ at: String) throws -> JSONValue {
        guard case .object(let o) = v else { throw fail(at, "expected an object") }
        guard let m = o[key] else { throw fail(at, "missing '\(key)'") }
        return m
    }

    func string(_ v: JSONValue, _ at: String) throws -> String {
        guard case .string(let s) = v, !s.isEmpty else { throw fail(at, "expected a non-empty string") }
        return s
    }

    func bool(_ v: JSONValue, _ at: String) throws -> Bool {
        guard case .bool(let b) = v else { throw fail(at, "expected true or false") }
        return b
    }

    func number(_ v: JSONValue, _ at: String) throws -> Double {
        guard case .number(let s) = v, let d = Double(s) else { throw fail(at, "expected a number") }
        return d
    }

    func count(_ v: JSONValue, _ at: String) throws -> Int {
        guard case .number(let s) = v, let n = Int(s), n >= 0 else {
            throw fail(at, "expected a whole number >= 0")
        }
        return n
    }

    func array(_ v: JSONValue, _ at: String) throws -> [JSONValue] {
        guard case .array(let a) = v else { throw fail(at, "expected an array") }
        return a
    }

    func level(_ v: JSONValue, _ at: String) throws -> LinkSettings.Level {
        guard case .object(let o) = v, o.count == 1, let (kind, arg) = o.elements.first else {
            throw fail(at, "a level is an object with one key, e.g. {\"jaro_winkler\": 0.9}")
        }
        switch kind {
        case "exact": return .exact
        case "jaro_winkler":
            let t = try number(arg, "\(at).jaro_winkler")
            guard (0...1).contains(t) else { throw fail(at, "jaro_winkler threshold must be in [0, 1], got \(t)") }
            return .jaroWinkler(t)
        case "levenshtein": return .levenshtein(try count(arg, "\(at).levenshtein"))
        case "damerau_levenshtein": return .damerauLevenshtein(try count(arg, "\(at).damerau_levenshtein"))
        case "swapped_with": return .swappedWith(try string(arg, "\(at).swapped_with"))
        case "contains": return .contains(try count(arg, "\(at).contains"))
        case "anagram": return .anagram
        case "jaccard":
            let t = try number(arg, "\(at).jaccard")
            guard (0...1).contains(t) else { throw fail(at, "jaccard threshold must be in [0, 1], got \(t)") }
            return .jaccard(t)
        case "phone_compatible": return .phoneCompatible(try count(arg, "\(at).phone_compatible"))
        case "date_within_days": return .dateWithinDays(try count(arg, "\(at).date_within_days"))
        default:
            throw fail(at, "unknown level '\(kind)' (exact, jaro_winkler, levenshtein, damerau_levenshtein, swapped_with, anagram, contains, jaccard, phone_compatible, date_within_days)")
        }
    }

    func rules(_ v: JSONValue, _ at: String) throws -> [LinkSettings.BlockingRule] {
        try array(v, at).enumerated().map { i, rule in
            let here = "\(at)[\(i)]"
            switch rule {
            case .array(let cols):
                let names = try cols.enumerated().map { try string($1, "\(here)[\($0)]") }
                guard !names.isEmpty else { throw fail(here, "a blocking rule needs at least one column") }
                return .init(name: names.joined(separator: "+"), key: .columns(names, unordered: false))
            case .object(let o):
                if let lsh = o["lsh"] {
                    let column = try string(lsh, here + ".lsh")
                    let bands = try o["bands"].map { try count($0, here + ".bands") } ?? 16
                    let rows = try o["rows"].map { try count($0, here + ".rows") } ?? 2
                    let ngram = try o["ngram"].map { try count($0, here + ".ngram") } ?? 2
                    guard bands >= 1, rows >= 1, ngram >= 1, bands * rows <= 256 else {
                        throw fail(here, "lsh needs bands >= 1, rows >= 1, ngram >= 1 and bands * rows <= 256")
                    }
                    let within = try o["within"].map { try array($0, here + ".within").enumerated().map { try string($1, "\(here).within[\($0)]") } } ?? []
                    let name = try o["name"].map { try string($0, here + ".name") }
                        ?? "lsh(\(column))" + within.map { "+" + $0 }.joined()
                    let limit = try o["max_block_size"].map { try count($0, here + ".max_block_size") }
                    return .init(name: name, key: .lsh(column: column, bands: bands, rows: rows, ngram: ngram, within: within),
                                 maxBlockSize: limit)
                }
                let names = try array(try member(rule, "on", here), here + ".on").enumerated()
                    .map { try string($1, "\(here).on[\($0)]") }
                guard !names.isEmpty else { throw fail(here + ".on", "a blocking rule needs at least one column") }
                let unordered = try o["unordered"].map { try bool($0, here + ".unordered") } ?? false
                let name = try o["name"].map { try string($0, here + ".name") }
                    ?? (unordered ? "{" + names.joined(separator: ",") + "}" : names.joined(separator: "+"))
                let limit = try o["max_block_size"].map { try count($0, here + ".max_block_size") }
                return .init(name: name, key: .columns(names, unordered: unordered), maxBlockSize: limit)
            default:
                throw fail(here, "a blocking rule is an array of columns, {\"on\": [...], \"unordered\": true} or {\"lsh\": column}")
            }
        }
    }
}
