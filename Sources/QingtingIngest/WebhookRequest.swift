import QingtingCore
/// One HTTP request to a platform's webhook path, as the receiver read it: what the signature
/// checks and the handshakes look at (`WebhookCheck`).
public struct WebhookRequest: Sendable {
    /// `GET`, `POST`, …, upper case.
    public var method: String
    /// The query string's parameters, percent-decoded (a `+` stays a `+`, as the platforms'
    /// reference code reads WeCom's base64 `echostr`); the first of a repeated name wins.
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    /// The body, byte for byte: what the signatures cover and what the log keeps.
    public var body: [UInt8]

    public init(method: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// The path and the decoded query of a request target (`/webhook/wechat?signature=…`).
    public static func split(target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(parts[0])
            if query[name] == nil { query[name] = parts.count > 1 ? percentDecoded(parts[1]) : "" }
        }
        return (String(target[..<mark]), query)
    }

    /// `%XX` escapes decoded; a malformed escape is kept as written; invalid UTF-8 is replaced.
    static func percentDecoded(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return String(text) }
        let nibble = BinaryFormat.hexDigit
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
               let hi = nibble(bytes[i + 1]), let lo = nibble(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
