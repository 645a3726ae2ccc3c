extension Token {
    /// `{"text":…,"kind":…,"start":…,"end":…}` with byte offsets into the original UTF-8.
    public func appendJSON(to out: inout String) {
        out += "{\"text\":"
        JSON.appendString(text, to: &out)
        out += ",\"kind\":\"\(kind.rawValue)\",\"start\":\(range.lowerBound),\"end\":\(range.upperBound)}"
    }

    /// `[{token},…]`: the tokens of `segment --format jsonl`, `analyze --tokens` and the server.
    public static func appendJSON(_ tokens: [Token], to out: inout String) {
        out += "["
        for (i, token) in tokens.enumerated() {
            if i > 0 { out += "," }
            token.appendJSON(to: &out)
        }
        out += "]"
    }
}

/// Minimal JSON string escaping for the engine's line-oriented outputs.
public enum JSON {
    /// Appends `value` as a JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let s = scalars[index]
            let escape: String?
            switch s {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default:
                if s.value < 0x20 {
                    let hex = String(s.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars += scalars[plainStart..<index]
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars += scalars[plainStart..<scalars.endIndex]
        out += "\""
    }
}
