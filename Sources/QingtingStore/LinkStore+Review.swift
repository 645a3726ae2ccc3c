internal import GRDB
public import QingtingCore
import OrderedCollections

/// The review queue: suggested links no person has decided, for someone to confirm or reject.
/// A decision is written with `decided_by = 'person'`, so re-runs keep it (`save`'s upsert).
extension LinkStore {
    /// One queued link, as `link review` prints it.
    public struct ReviewItem: Sendable, Equatable {
        public var identity: String
        public var nickname: String?
        public var customer: String
        public var probability: Double
        public var cluster: String
        public var via: String?
        /// The link's explanation, as stored (a JSON array).
        public var explain: String

        /// `{"identity","nickname","customer","probability","cluster","via","explain"}`.
        public var json: JSONValue {
            var o: JSONObject = [
                "identity": .string(identity), "nickname": nickname.map(JSONValue.string) ?? .null,
                "customer": .string(customer), "probability": .number(NumberFormat.rounded(probability, 4)),
                "cluster": .string(cluster), "via": via.map(JSONValue.string) ?? .null,
            ]
            o["explain"] = (try? JSONValue.parse(explain)) ?? .array([])
            return .object(o)
        }
    }

    /// What a person decided about one identity.
    public enum Decision: Sendable, Equatable {
        /// The identity is this customer (nil: the one it is linked to now).
        case confirm(customer: String?)
        /// The identity is not its linked customer; it stays unlinked across re-runs.
        case reject
    }

    /// Suggested links no person decided with probability in [`from`, `below`), least certain
    /// first, at most `limit`.
    public func reviewQueue(from: Double, below: Double, limit: Int) throws -> [ReviewItem] {
        try storeErrors(path) {
            try queue.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, nickname, customer, probability, cluster, via, explain FROM identities
                    WHERE status = 'suggested' AND decided_by IS NULL AND customer IS NOT NULL
                      AND probability >= ? AND probability < ?
                    ORDER BY probability, id LIMIT ?
                    """, arguments: [from, below, limit]).map { row in
                    ReviewItem(identity: row["id"], nickname: try cipher.text(row["nickname"], .nickname),
                               customer: row["customer"],
                               probability: row["probability"], cluster: row["cluster"], via: row["via"],
                               explain: row["explain"] ?? "[]")
                }
            }
        }
    }

    /// Records a person's decision on `identity` (`platform:uid`); returns the customer it is
    /// linked to afterwards (nil after a rejection).
    /// - Throws: `QingtingError(.invalidInput)` for an unknown identity or customer, or a
    ///   confirmation of an identity linked to nobody without a customer given. The messages
    ///   do not repeat the ids (personal data stays out of errors).
    @discardableResult
    public func decide(identity: String, _ decision: Decision) throws -> String? {
        try storeErrors(path) {
            try queue.write { db in
                guard let current = try Row.fetchOne(db, sql: "SELECT customer FROM identities WHERE id = ?", arguments: [identity]) else {
                    throw QingtingError(.invalidInput, "the identity given is not in the store", location: path)
                }
                switch decision {
                case .confirm(let given):
                    let currentCustomer: String? = current["customer"]
                    guard let customer = given ?? currentCustomer else {
                        throw QingtingError(.invalidInput, "the identity given is linked to no customer: name one with --customer", location: path)
                    }
                    guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customers WHERE id = ?", arguments: [customer]) == 1 else {
                        throw QingtingError(.invalidInput, "the customer given is not in the store", location: path)
                    }
                    try db.execute(sql: """
                        UPDATE identities SET customer = ?, status = 'confirmed', decided_by = 'person' WHERE id = ?
                        """, arguments: [customer, identity])
                    return customer
                case .reject:
                    try db.execute(sql: """
                        UPDATE identities SET customer = NULL, status = 'rejected', decided_by = 'person' WHERE id = ?
                        """, arguments: [identity])
                    return nil
                }
            }
        }
    }
}
