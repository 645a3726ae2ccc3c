import QingtingText
public import QingtingStore
public import QingtingCRM

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Who may call: the peer's uid (from SO_PEERCRED) must be allowed; then the roles file
/// (`RolePolicy`) says which methods the call's role may run and which fields of the result it
/// sees. A call's role is its token's (the token file) plus the grants in force for the token's
/// name; without a token it is the roles file's `anonymous` role when the server has a token
/// file, and `admin` for the server's own uid when it has none (it could restart the server anyway).
public struct AccessPolicy: Sendable {
    /// A role name of the roles file. The first token files' `admin`, `analyst` and `agent` are
    /// roles of the shipped file still (README: Roles).
    public struct Role: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let admin = Role(rawValue: "admin")
        public static let analyst = Role(rawValue: "analyst")
        public static let agent = Role(rawValue: "agent")
        public static let strategy = Role(rawValue: "strategy")
        public static let execution = Role(rawValue: "execution")
        public static let support = Role(rawValue: "support")
    }

    /// Peers allowed to connect. Default: the server's own uid and root.
    public var allowedUIDs: Set<UInt32>
    /// Role of each token; empty when no token file is configured.
    public var tokens: [String: Role]
    /// The name of each token that has one (the token file's third column), what the audit log
    /// records instead of the token.
    public var tokenNames: [String: String]
    public let serverUID: UInt32
    /// The roles file in force (re-read when it changes, for a watched file).
    public var roles: RoleSource
    /// The time grants are checked against at each call (tests set it; default the wall clock).
    public var clock: @Sendable () -> Int64

    public init(allowedUIDs: Set<UInt32> = [], tokens: [String: Role] = [:], tokenNames: [String: String] = [:],
                roles: RoleSource = .shipped, clock: @escaping @Sendable () -> Int64 = EventPipeline.clock) {
        serverUID = UInt32(getuid())
        self.allowedUIDs = allowedUIDs.union([serverUID, 0])
        self.tokens = tokens
        self.tokenNames = tokenNames
        self.roles = roles
        self.clock = clock
    }

    /// What the audit log records for a token: its name from the token file, else
    /// `sha256:` and the first 8 hex digits of its SHA-256 (never the token).
    public func tokenName(_ token: String) -> String {
        tokenNames[token] ?? CRMStore.tokenFingerprint(token)
    }

    public func admits(uid: UInt32?) -> Bool {
        guard let uid else { return true }
        return allowedUIDs.contains(uid)
    }

    /// The roles of a token file (`readTokenFile`).
    public static func readTokens(_ path: String, roles: RolePolicy? = nil) throws -> [String: Role] {
        try readTokenFile(path, roles: roles).roles
    }

    /// Reads a token file by `LexiconFile`'s rules: `token<TAB>role[<TAB>name]` per line, `#`
    /// comments and blank lines ignored; the role is one of the roles file (default: the shipped
    /// one); the optional name is what the audit log records and grants name.
    /// Errors name the line, never a token or role written there.
    /// - Throws: `QingtingErrors` as `path:line: what` for every line without a token and a role or
    ///   with a role the roles file does not define (or naming the file when it cannot be read).
    public static func readTokenFile(_ path: String, roles: RolePolicy? = nil) throws
        -> (roles: [String: Role], names: [String: String]) {
        let known = (roles ?? RoleSource.shipped.policy).roles.map(\.name)
        var tokens: [String: Role] = [:]
        var names: [String: String] = [:]
        try LexiconFile.read(path) { columns, _ in
            guard columns.count == 2 || columns.count == 3, !columns[0].isEmpty else { return "expected token<TAB>role[<TAB>name]" }
            guard known.contains(columns[1]) else { return "role in column 2 is not a role of the roles file (\(known.joined(separator: ", ")))" }
            tokens[columns[0]] = Role(rawValue: columns[1])
            if columns.count == 3, !columns[2].isEmpty { names[columns[0]] = columns[2] }
            return nil
        }
        return (tokens, names)
    }
}
