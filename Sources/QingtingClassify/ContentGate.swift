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

    public static func hasContent(_ tokens: [Token]) -> Bool {
        var words = ""
        var content = false
        for (i, token) in tokens.enumerated() {
            if token.kind == .hashtag { return true }
            guard token.kind == .word else { continue }
            // A bracket emoji ([doge], [微笑]) is the platform's sticker, not words.
            if i > 0, i + 1 < tokens.count, tokens[i - 1].text == "[", tokens[i + 1].text == "]" { continue }
            words += token.text
            guard !boilerplate.contains(token.text) else { continue }
            var latin = 0
            for scalar in token.text.unicodeScalars {
                if scalar.properties.isIdeographic { content = true; break }
                if scalar.properties.isAlphabetic { latin += 1 }
            }
            if latin >= 3 { content = true }
        }
        // Boilerplate split into several words (转发 微博) is still boilerplate.
        return content && !boilerplate.contains(words)
    }
}
