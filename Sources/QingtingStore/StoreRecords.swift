internal import GRDB
import QingtingMatch
import QingtingCore

/// A record whose columns are listed once, in table order: `values` feeds both GRDB's
/// persistence (`encode(to:)`) and the bulk upserts, which bind the same list positionally.
protocol StoreRow: FetchableRecord, PersistableRecord {
    static var columnNames: [String] { get }
    var values: [(any DatabaseValueConvertible)?] { get }
}

extension StoreRow {
    func encode(to container: inout PersistenceContainer) {
        for (name, value) in zip(Self.columnNames, values) { container[name] = value }
    }

    var arguments: StatementArguments { StatementArguments(values) }
}

/// One row of `customers`: a customer as the run's left-hand records describe it.
struct CustomerRecord: StoreRow, Equatable {
    static let databaseTableName = "customers"
    static let columnNames = ["id", "name", "phone", "email", "city"]

    var id: String
    var name: String?
    var phone: String?
    var email: String?
    var city: String?

    init(id: String, name: String?, phone: String?, email: String?, city: String?) {
        (self.id, self.name, self.phone, self.email, self.city) = (id, name, phone, email, city)
    }

    init(row: Row) {
        (id, name, phone, email, city) = (row["id"], row["name"], row["phone"], row["email"], row["city"])
    }

    var values: [(any DatabaseValueConvertible)?] { [id, name, phone, email, city] }
}

/// One row of `identities`: a platform identity, the customer it is linked to (if any), its
/// cluster, and the scored pair behind the decision.
struct IdentityRecord: StoreRow, Equatable {
    static let databaseTableName = "identities"
    static let columnNames = ["id", "platform", "uid", "nickname", "customer", "cluster", "probability",
                              "match_weight", "rule", "status", "explain", "via", "decided_by", "run"]

    var id: String
    var platform: String
    var uid: String
    var nickname: String?
    var customer: String?
    var cluster: String
    var probability: Double?
    var matchWeight: Double?
    var rule: String?
    /// `confirmed` (a deterministic rule), `suggested` (probabilistic), or nil when unlinked.
    var status: String?
    /// The per-comparison explanation as a JSON array (`[]` when there is no scored pair).
    var explain: String?
    var via: String?
    /// `person` when someone decided this row by hand; re-runs then keep its customer and status.
    var decidedBy: String?
    var run: Int

    init(id: String, platform: String, uid: String, nickname: String?, customer: String?, cluster: String,
         probability: Double?, matchWeight: Double?, rule: String?, status: String?, explain: String?,
         via: String?, decidedBy: String?, run: Int) {
        self.id = id
        self.platform = platform
        self.uid = uid
        self.nickname = nickname
        self.customer = customer
        self.cluster = cluster
        self.probability = probability
        self.matchWeight = matchWeight
        self.rule = rule
        self.status = status
        self.explain = explain
        self.via = via
        self.decidedBy = decidedBy
        self.run = run
    }

    init(row: Row) {
        id = row["id"]
        platform = row["platform"]
        uid = row["uid"]
        nickname = row["nickname"]
        customer = row["customer"]
        cluster = row["cluster"]
        probability = row["probability"]
        matchWeight = row["match_weight"]
        rule = row["rule"]
        status = row["status"]
        explain = row["explain"]
        via = row["via"]
        decidedBy = row["decided_by"]
        run = row["run"]
    }

    var values: [(any DatabaseValueConvertible)?] {
        [id, platform, uid, nickname, customer, cluster, probability, matchWeight, rule, status, explain, via,
         decidedBy, run]
    }

    /// The row of one identity link of `run`, stored as run number `runId`: the same values the
    /// link's JSON line carries (`SocialPreset.members`), taken from the link itself.
    init(_ link: SocialPreset.IdentityLink, of run: LinkRun, nickname: String?, runId: Int) {
        let ids = run.records.ids
        let id = ids[link.record]
        let colon = id.firstIndex(of: ":") ?? id.endIndex
        let explain = SocialPreset.explainJSON(link, run: run)?.jsonText ?? "[]"
        self.init(
            id: id, platform: String(id[..<colon]),
            uid: colon < id.endIndex ? String(id[id.index(after: colon)...]) : "",
            nickname: nickname, customer: link.customer.map { ids[$0] }, cluster: link.cluster,
            probability: link.pair.map { Self.rounded($0.probability, 4) } ?? 0,
            matchWeight: link.pair.map { Self.rounded(Double($0.weight), 2) },
            rule: link.pair.flatMap { $0.rule >= 0 ? run.model.settings.deterministic[Int($0.rule)].name : nil },
            status: link.customer == nil ? nil : (link.pair.map { $0.rule >= 0 } == true ? "confirmed" : "suggested"),
            explain: explain, via: link.via.map { ids[$0] }, decidedBy: nil, run: runId)
    }

    /// `x` as the JSON line prints it (`NumberFormat.rounded`), read back: stored rows and lines
    /// agree to the digit. A test checks every stored row against the line's members.
    static func rounded(_ x: Double, _ digits: Int) -> Double { Double(NumberFormat.rounded(x, digits)) ?? 0 }
}

/// One row of `runs`: what a `save` wrote.
struct RunRecord: StoreRow, Equatable {
    static let databaseTableName = "runs"
    static let columnNames = ["id", "records", "linked", "merges", "splits"]

    var id: Int
    var records: Int
    var linked: Int
    var merges: Int
    var splits: Int

    init(id: Int, records: Int, linked: Int, merges: Int, splits: Int) {
        (self.id, self.records, self.linked, self.merges, self.splits) = (id, records, linked, merges, splits)
    }

    init(row: Row) {
        (id, records, linked, merges, splits) = (row["id"], row["records"], row["linked"], row["merges"], row["splits"])
    }

    var values: [(any DatabaseValueConvertible)?] { [id, records, linked, merges, splits] }
}

/// An identity's cluster as the last run left it (both nil-able, as the columns' types allow).
struct ClusterAssignment: FetchableRecord {
    var id: String?
    var cluster: String?

    init(row: Row) { (id, cluster) = (row[0], row[1]) }
}
