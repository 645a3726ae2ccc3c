/// One payload as it arrived: the body's bytes and, for a webhook, its HTTP headers.
public struct Payload: Sendable {
    /// The body, untouched: this is what `SocialEvent.raw` keeps and what signatures cover.
    public var bytes: [UInt8]
    /// Header names in lower case (`msg-id`, `x-hub-signature-256`); empty for file input.
    public var headers: [String: String]

    public init(_ bytes: [UInt8], headers: [String: String] = [:]) {
        self.bytes = bytes
        self.headers = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    public init(_ text: String, headers: [String: String] = [:]) {
        self.init(Array(text.utf8), headers: headers)
    }

    /// The header's value, whatever the case of `name`.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
