import QingtingCore

/// The platforms Qingting reads payloads from, by the names the CLI, the socket methods and the
/// event log use (`--platform weibo`, `"platform":"x"`).
public enum Platform: String, CaseIterable, Sendable, Hashable {
    case weibo, wechat, wecom, douyin, kuaishou, xiaohongshu, zhihu, bilibili, x, facebook, instagram
    /// A vendor export read through a field-mapping file.
    case generic

    /// The platform called `name` (exactly one of the raw names, lower case).
    /// - Throws: `QingtingError` `.unknownPlatform`, listing the known names.
    public init(name: String) throws {
        guard let platform = Platform(rawValue: name) else {
            let known = Platform.allCases.map(\.rawValue).joined(separator: ", ")
            throw QingtingError(.unknownPlatform, "unknown platform '\(name)' (known: \(known))")
        }
        self = platform
    }
}
