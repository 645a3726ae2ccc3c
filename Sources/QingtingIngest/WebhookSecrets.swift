public import QingtingCore

/// The secrets webhook signatures are checked with, per platform (`serve --webhook-secrets FILE`).
///
/// The file follows `LexiconFile`'s rules, one `platform<TAB>kind<TAB>value` per line, and must be
/// private to its owner (mode 0600, as a key file; checked before it is read):
///
/// ```
/// wechat     token            qingting_token
/// wechat     aes_key          <43-character EncodingAESKey>      # only for 安全模式 pushes
/// wecom      token            …
/// wecom      aes_key          …                                   # WeCom always encrypts
/// weibo      app_secret       …
/// douyin     client_secret    …
/// kuaishou   app_secret       …
/// x          consumer_secret  …
/// facebook   app_secret       …
/// facebook   verify_token     …                                   # the hub.verify_token you chose
/// bilibili   unsigned                                             # accept unsigned payloads, knowingly
/// ```
///
/// A platform with no line is refused; `unsigned` is the only way to accept a platform's payloads
/// without a signature (and the only kind for platforms that sign nothing). Error messages name
/// the line and the column, never a value written there.
public struct WebhookSecrets: Sendable {
    /// What a secret is for.
    public enum Kind: String, Sendable, CaseIterable {
        /// WeChat's and WeCom's `Token` (the sha1 `signature` / `msg_signature`).
        case token
        /// WeChat's and WeCom's `EncodingAESKey` (43 characters), to decrypt `Encrypt` bodies.
        case aesKey = "aes_key"
        /// Weibo's and Kuaishou's app secret, Meta's app secret (`X-Hub-Signature-256`).
        case appSecret = "app_secret"
        /// Douyin's `client_secret` (`X-Douyin-Signature`).
        case clientSecret = "client_secret"
        /// X's consumer secret (the CRC and `x-twitter-webhooks-signature`).
        case consumerSecret = "consumer_secret"
        /// Meta's `hub.verify_token`, the one the app's webhook settings name.
        case verifyToken = "verify_token"
        /// No signature: payloads are accepted as they come.
        case unsigned
    }

    /// The kinds each platform may have, and those it needs (besides `unsigned`).
    static func kinds(of platform: Platform) -> (allowed: [Kind], required: [Kind]) {
        switch platform {
        case .wechat: ([.token, .aesKey], [.token])
        case .wecom: ([.token, .aesKey], [.token, .aesKey])
        case .weibo, .kuaishou: ([.appSecret], [.appSecret])
        case .douyin: ([.clientSecret], [.clientSecret])
        case .x: ([.consumerSecret], [.consumerSecret])
        case .facebook, .instagram: ([.appSecret, .verifyToken], [.appSecret])
        case .xiaohongshu, .zhihu, .bilibili, .generic: ([], [])
        }
    }

    private var secrets: [Platform: [Kind: String]]

    /// Secrets given in code (tests, embedding).
    public init(_ secrets: [Platform: [Kind: String]] = [:]) { self.secrets = secrets }

    /// The secret of `kind` for `platform`, if configured.
    public func secret(_ platform: Platform, _ kind: Kind) -> String? { secrets[platform]?[kind] }

    /// Whether `platform` was configured at all (with secrets, or as `unsigned`).
    public func isConfigured(_ platform: Platform) -> Bool { secrets[platform] != nil }

    /// Whether `platform` was configured to accept payloads without a signature.
    public func isUnsigned(_ platform: Platform) -> Bool { secrets[platform]?[.unsigned] != nil }

    /// The configured platforms, in `Platform` order.
    public var platforms: [Platform] { Platform.allCases.filter { secrets[$0] != nil } }

    /// Reads a secrets file (see the type's documentation).
    /// - Throws: `QingtingError` (`.io`) when the file is readable by others, belongs to someone
    ///   else or cannot be read; `QingtingErrors` with every bad line (`path:line: what`).
    public static func load(_ path: String) throws -> WebhookSecrets {
        try FileIO.requirePrivate(path, what: "a webhook secrets file")
        var secrets: [Platform: [Kind: String]] = [:]
        var firstLine: [Platform: Int] = [:]
        try LexiconFile.read(path, sizeLimit: 1 << 20, code: .invalidSettings) { columns, line in
            guard let platform = Platform(rawValue: columns[0]) else {
                return "column 1 is not a platform (known: \(Platform.allCases.map(\.rawValue).joined(separator: ", ")))"
            }
            guard columns.count >= 2, let kind = Kind(rawValue: columns[1]) else {
                return "column 2 is not a secret kind (\(Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
            }
            let (allowed, _) = kinds(of: platform)
            if kind == .unsigned {
                guard columns.count == 2 || (columns.count == 3 && columns[2].isEmpty) else {
                    return "unsigned takes no value: expected platform<TAB>unsigned"
                }
            } else {
                guard allowed.contains(kind) else {
                    let names = allowed.map(\.rawValue).joined(separator: ", ")
                    return allowed.isEmpty
                        ? "\(platform.rawValue) signs nothing: the only kind it takes is unsigned"
                        : "\(platform.rawValue) takes \(names) or unsigned, not \(kind.rawValue)"
                }
                guard columns.count == 3, !columns[2].isEmpty else { return "expected platform<TAB>\(kind.rawValue)<TAB>value" }
                if kind == .aesKey, WeChatCrypto.key(fromEncodingAESKey: columns[2]) == nil {
                    return "the aes_key in column 3 is not a 43-character EncodingAESKey"
                }
            }
            if secrets[platform]?[kind] != nil { return "a second \(kind.rawValue) for \(platform.rawValue)" }
            let unsignedClash = kind == .unsigned ? !(secrets[platform]?.isEmpty ?? true) : secrets[platform]?[.unsigned] != nil
            if unsignedClash { return "\(platform.rawValue) is both unsigned and signed; keep one" }
            secrets[platform, default: [:]][kind] = columns.count == 3 ? columns[2] : ""
            if firstLine[platform] == nil { firstLine[platform] = line }
            return nil
        }
        var missing: [QingtingError] = []
        for (platform, kinds) in secrets.sorted(by: { firstLine[$0.key]! < firstLine[$1.key]! }) where kinds[.unsigned] == nil {
            for kind in Self.kinds(of: platform).required where kinds[kind] == nil {
                missing.append(QingtingError(.invalidSettings, "\(platform.rawValue) needs its \(kind.rawValue) too",
                                             location: "\(path):\(firstLine[platform]!)"))
            }
        }
        if !missing.isEmpty { throw QingtingErrors(missing) }
        return WebhookSecrets(secrets)
    }
}
