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
    ///
    /// Linear in `value`: runs that need no escape are appended as substrings (a memcpy for
    /// native strings). Appending through `out.unicodeScalars` instead copied all of `out` on each
    /// call, which made a long result quadratic.
    public static func appendString(_ value: String, to out: inout String) {
        out.append("\"")
        let scalars = value.unicodeScalars
        var plainStart = scalars.startIndex
        var index = plainStart
        while index != scalars.endIndex {
            let s = scalars[index]
            if s.value < 0x20 || s == "\"" || s == "\\" {
                out.append(contentsOf: Substring(scalars[plainStart..<index]))
                switch s {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    let hex = String(s.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.append(contentsOf: Substring(scalars[plainStart..<scalars.endIndex]))
        out.append("\"")
    }
}
