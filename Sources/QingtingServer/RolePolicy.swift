public import QingtingCore

/// Who may call which socket method and see which fields of its result: the roles file
/// (`Lexicons/roles.txt`, `serve --roles FILE`; README: Roles). It declares
///
/// - `field` blocks: a kind of personal data and the result members that carry it
///   (`FieldSelector`s), plus the query params that ask by it (`customer.search:phone`);
/// - `role` blocks: the methods a role may call and the fields it sees (every other declared
///   field is removed from its results), optionally only for customers on a ticket;
/// - `grant` blocks: a temporary permission group — token names that also hold a role until a
///   time, after which the grant stops working by itself (checked at each call);
/// - `anonymous ROLE`: what a call without a token runs as when the server has a token file.
public struct RolePolicy: Sendable {
    public struct Field: Sendable {
        public var name: String
        public var summary: String
        public var selectors: [FieldSelector]
        /// `(method, param)`: a call that passes the param asks by this field (refused without it).
        public var params: [(method: String, param: String)]
        public var location: String
    }

    public struct Role: Sendable {
        public var name: String
        public var summary: String
        /// The methods it may call, resolved against the server's methods.
        public var methods: Set<String>
        /// The declared fields it sees (every field for `fields *`).
        public var fields: Set<String>
        /// `customers ticketed`: only customers that have a ticket (support).
        public var ticketedOnly: Bool
        public var location: String
    }

    public struct Grant: Sendable {
        public var name: String
        public var summary: String
        public var role: String
        /// Token names (the token file's third column, or `sha256:…` for a token without one).
        public var tokens: [String]
        /// Epoch ms: the grant works before this instant, never at or after it.
        public var until: Int64
        public var location: String

        public func isActive(at now: Int64) -> Bool { now < until }
    }

    public var source: String
    public var version: String
    /// FNV-1a 64 of the file's bytes.
    public var hash: String
    public var fields: [Field]
    public var roles: [Role]
    public var grants: [Grant]
    /// The role of a call without a token (with a token file); nil: such calls are refused.
    public var anonymous: String?

    public static let shippedPath = "Lexicons/roles.txt"
    /// The role the server's own uid runs as without a token file (it could restart the server anyway).
    public static let ownerRole = "admin"

    public func role(_ name: String) -> Role? { roles.first { $0.name == name } }

    /// The field filter of the fields `visible` leaves out.
    public func filter(hiding visible: Set<String>) -> FieldFilter {
        FieldFilter(fields.filter { !visible.contains($0.name) }.flatMap { f in f.selectors.map { (f.name, $0) } })
    }

    /// The grants of a token name in force at `now`, in file order.
    public func grants(for tokenName: String, at now: Int64) -> [Grant] {
        grants.filter { $0.isActive(at: now) && $0.tokens.contains(tokenName) }
    }

    /// Reads the roles file at `path`, or the shipped one when nil.
    /// - Parameter methods: the method names patterns resolve against (default: the server's).
    /// - Throws: `QingtingErrors`, every problem as `file:line: what`.
    public static func load(_ path: String?, methods: [String] = RPCEngine.methodNames) throws -> RolePolicy {
        guard let file = path ?? Resources.find(shippedPath) else {
            throw QingtingError(.io, "the shipped \(shippedPath) is not installed; give --roles FILE")
        }
        let bytes = try FileIO.read(file, what: "the roles file")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw QingtingError(.invalidUTF8, "the roles file is not UTF-8", location: file)
        }
        return try parse(text, source: file, methods: methods)
    }
}
