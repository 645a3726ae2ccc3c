import QingtingCore
/// Weibo's `text` as the author's own words.
///
/// Weibo writes `text` as HTML: links as `<a>` (mentions, topics, `网页链接`), emoticons as
/// `<img alt="[doge]">`, line breaks as `<br />`, and `&amp;`-style entities; `text_raw`, where
/// present, is the plain version. A repost chains what it quotes after `//@`:
/// `转发理由//@用户:原文` — the reason is the author's, the rest is not and is analysed apart.
enum WeiboText {
    /// Plain text of Weibo HTML: tags dropped (their text kept), `<img>` replaced by its `alt`,
    /// `<br>` as a newline, entities decoded.
    static func plain(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else {
                out += rest[open...]  // a lone '<' is text
                rest = ""
                break
            }
            let tag = rest[rest.index(after: open)..<close]
            let name = tag.prefix { $0.isLetter || $0 == "/" }.lowercased()
            if name == "br" || name == "br/" {
                out += "\n"
            } else if name == "img", let alt = attribute("alt", in: tag) {
                out += alt
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return decodeEntities(out)
    }

    /// The author's words and the quoted chain (from the first `//@`, without the `//`).
    static func split(_ text: String) -> (own: String, quoted: String?) {
        guard let marker = text.firstRange(of: "//@") else { return (text.trimmingWhitespace, nil) }
        let own = String(text[..<marker.lowerBound]).trimmingWhitespace
        let quoted = String(text[text.index(marker.lowerBound, offsetBy: 2)...]).trimmingWhitespace
        return (own, quoted.isEmpty ? nil : quoted)
    }

    /// The value of attribute `name` in a tag's inside (`img src="…" alt="[doge]"`), entities kept.
    static func attribute(_ name: String, in tag: Substring) -> String? {
        var search = tag[...]
        while let found = search.firstRange(of: name + "=") {
            let before = found.lowerBound == tag.startIndex ? " " : tag[tag.index(before: found.lowerBound)]
            var at = found.upperBound
            guard before == " " || before == "\t" || before == "\n" else {
                search = tag[at...]
                continue
            }
            guard at < tag.endIndex else { return nil }
            let quote = tag[at]
            if quote == "\"" || quote == "'" {
                at = tag.index(after: at)
                let end = tag[at...].firstIndex(of: quote) ?? tag.endIndex
                return String(tag[at..<end])
            }
            let end = tag[at...].firstIndex { $0 == " " || $0 == "/" } ?? tag.endIndex
            return String(tag[at..<end])
        }
        return nil
    }

    private static let named: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "#39": "'",
    ]

    /// `&amp;`, `&lt;`, `&#20013;`, `&#x4e2d;` … decoded; anything else left as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest.index(after: amp)
            guard let semi = rest[after...].prefix(10).firstIndex(of: ";") else {
                out += "&"
                rest = rest[after...]
                continue
            }
            let name = rest[after..<semi]
            if let decoded = named[name] ?? numeric(name) {
                out += decoded
            } else {
                out += rest[amp...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out
    }

    private static func numeric(_ name: Substring) -> String? {
        guard name.first == "#" else { return nil }
        let digits = name.dropFirst()
        let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
