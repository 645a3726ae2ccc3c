public import QingtingCore

extension Token {
    /// `{"text":…,"kind":…,"start":…,"end":…}` with byte offsets into the original UTF-8.
    public func write(to w: inout JSONWriter) {
        w.object { w in
            w.member("text", text)
            w.member("kind", kind.rawValue)
            w.member("start", range.lowerBound)
            w.member("end", range.upperBound)
        }
    }

    /// `[{token},…]`: the tokens of `segment --format jsonl`, `analyze --tokens` and the server.
    public static func write(_ tokens: [Token], to w: inout JSONWriter) {
        w.array(tokens) { w, token in token.write(to: &w) }
    }
}
