import QingtingCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the webhook receiver listens (`serve --http`): `PORT` (127.0.0.1), `HOST:PORT`, or
/// `[IPV6]:PORT`, where HOST is an IP address or `localhost`. Loopback unless asked otherwise:
/// the receiver is meant to sit behind the brand's reverse proxy (which terminates TLS and faces
/// the platforms), so listening on a public address is a decision made with `--http-public`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// - Throws: `QingtingError` (`.invalidInput`) for a malformed address or port, and for an
    ///   address that is not loopback unless `allowPublic`.
    public static func parse(_ text: String, allowPublic: Bool) throws -> ListenAddress {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw bad(text, "expected [ADDRESS]:PORT") }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw bad(text, "write an IPv6 address in brackets, [::1]:PORT") }
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = Int(portText),
              (0...65535).contains(port)
        else { throw bad(text, "the port must be a number from 0 to 65535") }
        if host == "localhost" { host = "127.0.0.1" }
        guard let loopback = isLoopback(host) else {
            throw bad(text, "the host must be an IP address or localhost (names are not resolved)")
        }
        if !loopback, !allowPublic {
            throw QingtingError(
                .invalidInput,
                "--http \(text) is not a loopback address: the webhook receiver speaks plain HTTP and is meant to sit behind a reverse proxy on this machine (which terminates TLS); listen on 127.0.0.1 or ::1, or pass --http-public to listen on \(host) anyway")
        }
        return ListenAddress(host: host, port: port)
    }

    /// Whether an IP address is loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z); nil when `host` is
    /// not an IP address.
    static func isLoopback(_ host: String) -> Bool? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }
        return b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127
    }

    private static func bad(_ text: String, _ what: String) -> QingtingError {
        QingtingError(.invalidInput, "--http \(text): \(what)")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
