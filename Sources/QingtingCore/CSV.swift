/// The engine's one CSV splitter, shared by the record loader (identity files) and the generic
/// ingest adapter (vendor exports), so that both read a CSV line the same way.
public enum CSV {
    /// Splits one CSV line: commas, double quotes with "" escapes, fields trimmed.
    ///
    /// A trailing `\r` is dropped. A field is quoted only when its first non-space character is a
    /// quote; a quote inside an unquoted field is kept as written.
    public static func splitLine(_ line: String) -> [String] {
        split(line).fields
    }

    /// Splits one CSV record that may span lines (a quoted field holding newlines, as vendor
    /// exports of comments write them): nil while a quoted field is still open, so that the
    /// reader appends the next line and tries again.
    public static func splitRecord(_ text: String) -> [String]? {
        let (fields, open) = split(text)
        return open ? nil : fields
    }

    /// The fields, and whether the text ended inside a quoted field.
    private static func split(_ line: String) -> (fields: [String], open: Bool) {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Substring(line)
        if chars.last == "\r" { chars.removeLast() }
        var it = chars.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            if n == "," {
                                fields.append(trimmed(field))
                                field = ""
                            } else {
                                field.append(n)
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "," {
                fields.append(trimmed(field))
                field = ""
            } else if c == "\"" && trimmed(field).isEmpty {
                quoted = true
                field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(trimmed(field))
        return (fields, quoted)
    }

    /// `s` without leading and trailing whitespace.
    static func trimmed(_ s: String) -> String {
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, l > 0x20, f < 0x80, l < 0x80 { return s }
        var t = Substring(s)
        while let f = t.first, f.isWhitespace { t.removeFirst() }
        while let l = t.last, l.isWhitespace { t.removeLast() }
        return String(t)
    }
}
