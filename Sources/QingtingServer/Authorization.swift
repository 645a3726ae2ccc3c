import OrderedCollections
import QingtingCore
import QingtingStore

/// What one call may do, decided before it runs (`AccessPolicy.authorize`): the role it runs as
/// (what the audit log records), the fields removed from its result, the query params it may
/// not pass, and whether it sees only customers on a ticket.
struct Permission: Sendable {
    /// `support`, or `support+grant:double11` when grants in force add to the token's role.
    var role: String
    var filter: FieldFilter
    /// Params of this method that ask by a field the role does not see, with that field.
    var refusedParams: [(param: String, field: String)]
    var ticketedOnly: Bool

    /// Refuses a call whose params ask by a field the role does not see (`customer.search` by
    /// phone without `contact`).
    func check(_ params: JSONObject, method: String) throws {
        for (param, field) in refusedParams where params[param] != nil {
            throw RPCError(.unauthorized, "role \(role) does not see the field \(field), so \(method) may not be asked by \"\(param)\"",
                           data: [("method", .string(method)), ("role", .string(role)), ("reason", .string("field")),
                                  ("param", .string(param)), ("field", .string(field))])
        }
    }

    /// `result` without the fields the role does not see, and the fields that were removed.
    func filtered(_ result: JSONValue) -> (value: JSONValue, withheld: [String]) {
        guard !filter.isEmpty else { return (result, []) }
        let (value, removed) = filter.apply(result)
        return (value, removed.sorted())
    }
}

extension AccessPolicy {
    /// The roles a call runs as: its token's role and the grants in force for the token's name;
    /// without a token, `admin` for the server's own uid (or an in-process call) when there is no
    /// token file, else the roles file's `anonymous` role.
    /// - Throws: -32001 for a token the token file does not hold (with a token file), a token
    ///   whose role the roles file no longer defines, or a call without a token that no role
    ///   takes.
    func principal(token: String?, uid: UInt32?, policy: RolePolicy, now: Int64) throws -> (roles: [RolePolicy.Role], label: String) {
        func refuse(_ message: String, _ reason: String) -> RPCError {
            RPCError(.unauthorized, message, data: [("reason", .string(reason))])
        }
        guard !tokens.isEmpty, let token else {
            if !tokens.isEmpty || (uid != nil && uid != serverUID) {
                guard let name = policy.anonymous, let role = policy.role(name) else {
                    throw refuse("a call without a token is refused: pass a role token as the \"token\" param", "token")
                }
                return ([role], role.name)
            }
            guard let owner = policy.role(RolePolicy.ownerRole) else {
                throw refuse("the roles file has no \(RolePolicy.ownerRole) role", "role")
            }
            return ([owner], owner.name)
        }
        guard let own = tokens[token] else { throw refuse("unknown token", "token") }
        guard let base = policy.role(own.rawValue) else {
            throw refuse("the token's role is not in the roles file in force", "role")
        }
        let grants = policy.grants(for: tokenName(token), at: now)
        let granted = grants.compactMap { policy.role($0.role) }
        return ([base] + granted, ([base.name] + grants.map { "grant:\($0.name)" }).joined(separator: "+"))
    }

    /// What a call of `method` may do under `roles`: allowed when one of them lists the method;
    /// it then sees the fields any of those roles sees, and is scoped to customers on tickets
    /// only when every one of them is.
    /// - Throws: -32001 when no role lists the method.
    func permission(_ method: String, roles: [RolePolicy.Role], label: String, policy: RolePolicy) throws -> Permission {
        let allowing = roles.filter { $0.methods.contains(method) }
        guard !allowing.isEmpty else {
            throw RPCError(.unauthorized, "role \(label) may not call \(method)",
                           data: [("method", .string(method)), ("role", .string(label)), ("reason", .string("method"))])
        }
        let visible = allowing.reduce(into: Set<String>()) { $0.formUnion($1.fields) }
        let refused = policy.fields.filter { !visible.contains($0.name) }
            .flatMap { f in f.params.filter { $0.method == method }.map { ($0.param, f.name) } }
        return Permission(role: label, filter: policy.filter(hiding: visible), refusedParams: refused,
                          ticketedOnly: allowing.allSatisfy(\.ticketedOnly))
    }

    /// `principal` then `permission`, at the policy and time in force now.
    func authorize(_ method: String, token: String?, uid: UInt32?) throws -> Permission {
        let policy = roles.policy
        let (roles, label) = try principal(token: token, uid: uid, policy: policy, now: clock())
        return try permission(method, roles: roles, label: label, policy: policy)
    }
}

extension RPCEngine {
    /// Refuses a call of a `customers ticketed` role (support) that names or answers with a
    /// customer without a ticket; before the method runs `result` is nil and only the params'
    /// customers are checked. Ticket methods pass by themselves (their customers are on tickets),
    /// and a result that counts customers without naming them is refused (it cannot be checked).
    func checkScope(_ permission: Permission, _ method: RPCMethod, _ params: JSONObject, result: JSONValue?) throws {
        guard permission.ticketedOnly, let data = method.personalData, !data.ticketBound else { return }
        let (ids, count) = data.customers.find(params, result)
        let refusal = RPCError(.unauthorized, "role \(permission.role) sees only customers on a ticket",
                               data: [("method", .string(method.name)), ("role", .string(permission.role)),
                                      ("reason", .string("customer_scope"))])
        if let count, count > ids.count { throw refusal }
        guard !ids.isEmpty else { return }
        guard let log = eventLog else { throw refusal }
        for id in Set(ids) where try log.store.tickets(status: nil, customer: id, assignee: nil, limit: 1).isEmpty {
            throw refusal
        }
    }
}
