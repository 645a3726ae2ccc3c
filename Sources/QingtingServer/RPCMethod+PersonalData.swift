import OrderedCollections
import QingtingCore
import QingtingStore

/// What personal data a method reads or changes, and where the customers it touched are found
/// in its params and result: the audit log records each call of such a method (see
/// `RPCEngine.recordAudit`). Declared beside each method with `touching(_:)`.
struct PersonalData: Sendable {
    var access: CRMStore.AuditAccess
    /// The kinds of personal data the method reads or changes.
    var fields: [String]
    /// Params recorded as fields when the call gives them (`customer.search`'s criterion).
    var queryParams: [String] = []
    /// The customers of one call: from its params, and from its result when it was answered.
    var customers: Customers = .none
    /// Its customers are those of tickets (a `customers ticketed` role's scope holds by itself).
    var ticketBound = false
    /// It streams records after answering (`alerts.subscribe`): a customer scope cannot be checked
    /// on its answer.
    var streams = false

    struct Customers: Sendable {
        /// Whether `find` reads the result (else the audit needs no parsed copy of the answer).
        let readsResult: Bool
        let find: @Sendable (_ params: JSONObject, _ result: JSONValue?) -> (ids: [String], count: Int?)

        init(readsResult: Bool = true, find: @escaping @Sendable (_ params: JSONObject, _ result: JSONValue?) -> (ids: [String], count: Int?)) {
            self.readsResult = readsResult
            self.find = find
        }

        static let none = Customers(readsResult: false) { _, _ in ([], nil) }

        /// A string param naming one customer.
        static func param(_ name: String) -> Customers {
            Customers(readsResult: false) { params, _ in (params[name]?.stringValue.map { [$0] } ?? [], nil) }
        }

        /// A string member of the result (`"customer":"C1"`).
        static func result(_ member: String) -> Customers {
            Customers { _, result in (result?[member]?.stringValue.map { [$0] } ?? [], nil) }
        }

        /// A member of each object in an array member of the result (`"members":[{"id":…}…]`).
        static func each(_ array: String, _ member: String) -> Customers {
            Customers { _, result in
                guard case .array(let items)? = result?[array] else { return ([], nil) }
                return (items.compactMap { $0[member]?.stringValue }, nil)
            }
        }

        /// A count of customers in the result, with no ids (`audience.export`'s `exported`).
        static func count(_ member: String) -> Customers {
            Customers { _, result in
                guard case .number(let literal)? = result?[member] else { return ([], nil) }
                return ([], Int(literal))
            }
        }

        /// Every customer the parts find.
        static func all(_ parts: Customers...) -> Customers {
            Customers(readsResult: parts.contains { $0.readsResult }) { params, result in
                var ids: [String] = []
                var count: Int?
                for part in parts {
                    let (more, n) = part.find(params, result)
                    ids += more
                    if let n { count = (count ?? 0) + n }
                }
                return (ids, count)
            }
        }
    }

    /// The fields one call involved: the method's, then the query params it gave.
    func fields(_ params: JSONObject) -> [String] {
        fields + queryParams.filter { params[$0] != nil }
    }
}

extension RPCMethod {
    /// This method, declared as reading or changing personal data (its calls are audited).
    func touching(_ data: PersonalData) -> RPCMethod {
        var method = self
        method.personalData = data
        return method
    }
}
