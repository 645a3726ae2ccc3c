import QingtingText
import QingtingStore

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Who may call: the peer's uid (from SO_PEERCRED) must be allowed, and `model.reload` needs an
/// `admin` role token when a token file is configured (without one, only the server's own uid may
/// reload — it could restart the server anyway).
public struct AccessPolicy: Sendable {
    public enum Role: String, Sendable, CaseIterable { case admin, analyst, agent }

    /// Peers allowed to connect. Default: the server's own uid and root.
    public var allowedUIDs: Set<UInt32>
    /// Role of each token; empty when no token file is configured.
    public var tokens: [String: Role]
    /// The name of each token that has one (the token file's third column), what the audit log
    /// records instead of the token.
    public var tokenNames: [String: String]
    public let serverUID: UInt32

    public init(allowedUIDs: Set<UInt32> = [], tokens: [String: Role] = [:], tokenNames: [String: String] = [:]) {
        serverUID = UInt32(getuid())
        self.allowedUIDs = allowedUIDs.union([serverUID, 0])
        self.tokens = tokens
        self.tokenNames = tokenNames
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

    /// Whether a caller may run an `admin` method (`model.reload`).
    func mayAdminister(uid: UInt32?, token: String?) -> Bool {
        if tokens.isEmpty { return uid == nil || uid == serverUID }
        return token.flatMap { tokens[$0] } == .admin
    }

    /// The roles of a token file (`readTokenFile`).
    public static func readTokens(_ path: String) throws -> [String: Role] {
        try readTokenFile(path).roles
    }

    /// Reads a token file by `LexiconFile`'s rules: `token<TAB>role[<TAB>name]` per line, `#`
    /// comments and blank lines ignored; the optional name is what the audit log records.
    /// Errors name the line, never a token or role written there.
    /// - Throws: `QingtingErrors` as `path:line: what` for every line without a token and a role or
    ///   with an unknown role (or naming the file when it cannot be read).
    public static func readTokenFile(_ path: String) throws -> (roles: [String: Role], names: [String: String]) {
        var tokens: [String: Role] = [:]
        var names: [String: String] = [:]
        try LexiconFile.read(path) { columns, _ in
            guard columns.count == 2 || columns.count == 3, !columns[0].isEmpty else { return "expected token<TAB>role[<TAB>name]" }
            guard let role = Role(rawValue: columns[1]) else { return "role in column 2 is not admin, analyst or agent" }
            tokens[columns[0]] = role
            if columns.count == 3, !columns[2].isEmpty { names[columns[0]] = columns[2] }
            return nil
        }
        return (tokens, names)
    }
}
