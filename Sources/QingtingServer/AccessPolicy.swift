import QingtingText

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
    public let serverUID: UInt32

    public init(allowedUIDs: Set<UInt32> = [], tokens: [String: Role] = [:]) {
        serverUID = UInt32(getuid())
        self.allowedUIDs = allowedUIDs.union([serverUID, 0])
        self.tokens = tokens
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

    /// Reads a token file by `LexiconFile`'s rules: `token<TAB>role` per line, `#` comments and
    /// blank lines ignored. Errors name the line, never a token or role written there.
    /// - Throws: `QingtingErrors` as `path:line: what` for every line without a token and a role or
    ///   with an unknown role (or naming the file when it cannot be read).
    public static func readTokens(_ path: String) throws -> [String: Role] {
        var tokens: [String: Role] = [:]
        try LexiconFile.read(path) { columns, _ in
            guard columns.count == 2, !columns[0].isEmpty else { return "expected token<TAB>role" }
            guard let role = Role(rawValue: columns[1]) else { return "role in column 2 is not admin, analyst or agent" }
            tokens[columns[0]] = role
            return nil
        }
        return tokens
    }
}
