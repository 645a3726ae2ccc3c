import QingtingText

#if canImport(Glibc)
import Glibc
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

    /// Reads a token file: `token<TAB>role` per line, `#` comments and blank lines ignored.
    /// - Throws: `TextError` as `path:line: what` for a line without a tab or with an unknown role.
    public static func readTokens(_ path: String) throws -> [String: Role] {
        var tokens: [String: Role] = [:]
        try FileIO.forEachLine(path) { line, number in
            let text = String(decoding: line, as: UTF8.self).trimmingTrailingCR()
            if text.isEmpty || text.hasPrefix("#") { return }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty else {
                throw TextError(.io, "expected token<TAB>role", location: "\(path):\(number)")
            }
            guard let role = Role(rawValue: String(fields[1])) else {
                throw TextError(.io, "unknown role \"\(fields[1])\" (admin, analyst or agent)", location: "\(path):\(number)")
            }
            tokens[String(fields[0])] = role
        }
        return tokens
    }
}

extension String {
    func trimmingTrailingCR() -> String { hasSuffix("\r") ? String(dropLast()) : self }
}
