public import QingtingText

/// Whether a post has anything a person wrote about: the gate in front of the models.
///
/// Content is a word token with a Han character, or with at least three Latin letters, that is
/// not platform boilerplate (Weibo's default repost text 转发微博, 分享图片, `repost`…). Numbers,
/// punctuation, emoji, @mentions, URLs, phone numbers and e-mail addresses are not content on
/// their own; hashtags are (`#差评#` says something). So `""`, `ok`, `转发微博`, `@小米客服`, a link,
/// `1234` and `[doge]` are content-free, while `赞`, `差评`, `#退款#` and `meh` are not.
public enum ContentGate {
    /// Texts platforms put in a post for the user (normalized: Simplified, lower case).
    public static let boilerplate: Set<String> = [
        "转发微博", "转发", "轉發微博", "分享图片", "分享视频", "分享链接", "网页链接", "图片", "视频", "原图",
        "repost", "retweet", "reposted", "shared", "link", "rt", "via",
    ]

    /// - Complexity: stops at the first content word of a post longer than a few tokens (only a
    ///   short post can be boilerplate alone), so a long post costs one word's check.
    public static func hasContent(_ tokens: [Token]) -> Bool {
        let short = tokens.count <= 12
        var words = ""
        var content = false
        for (i, token) in tokens.enumerated() {
            if token.kind == .hashtag { return true }
            guard token.kind == .word else { continue }
            // A bracket emoji ([doge], [微笑]) is the platform's sticker, not words.
            if i > 0, i + 1 < tokens.count, tokens[i - 1].text == "[", tokens[i + 1].text == "]" { continue }
            if short { words += token.text }
            guard !content, !boilerplate.contains(token.text), isContentWord(token.text) else { continue }
            if !short { return true }
            content = true
        }
        // Boilerplate split into several words (转发 微博) is still boilerplate.
        return content && !boilerplate.contains(words)
    }

    /// A Han character, or three Latin letters.
    static func isContentWord(_ text: String) -> Bool {
        var latin = 0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x3400...0x9FFF).contains(v) || (0x20000...0x3134F).contains(v) || (0xF900...0xFAFF).contains(v) { return true }
            if (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || (v >= 0xC0 && scalar.properties.isAlphabetic) { latin += 1 }
        }
        return latin >= 3
    }
}
