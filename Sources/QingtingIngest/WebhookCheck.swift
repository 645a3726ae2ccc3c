import QingtingCore

/// What a webhook request to a platform's path gets, decided before anything is stored: the
/// platform's verification handshake answered, a refusal, or a payload whose signature holds
/// (decrypted where the platform encrypts) to go through the ingest path. Pure: the HTTP receiver
/// and `event.ingest` both call it, and the tests drive it without sockets.
///
/// | platform | handshake | signature on each POST |
/// |---|---|---|
/// | wechat | GET `signature,timestamp,nonce,echostr` → `echostr` | query `signature` = sha1(sort(token,timestamp,nonce)); 安全模式 adds `msg_signature` over `Encrypt`, decrypted with `aes_key` |
/// | wecom | GET `msg_signature,timestamp,nonce,echostr` → decrypted `echostr` | query `msg_signature` over the body's `Encrypt`, decrypted with `aes_key` |
/// | weibo | GET as WeChat's, with the app secret | query `signature` as WeChat's, with the app secret |
/// | douyin | POST `verify_webhook` → `{"challenge":…}` | `X-Douyin-Signature` = sha1(client_secret ‖ body) |
/// | kuaishou | (a signed test event) | `kwaisign` = md5(body ‖ app_secret) |
/// | x | GET `crc_token` → `{"response_token":"sha256=…"}` | `x-twitter-webhooks-signature` |
/// | facebook, instagram | GET `hub.mode=subscribe`, `hub.verify_token`, `hub.challenge` → the challenge | `X-Hub-Signature-256` |
///
/// Platforms that sign nothing (xiaohongshu, zhihu, bilibili, generic) are accepted only when
/// configured `unsigned`; so is any platform configured that way.
public enum WebhookCheck {
    /// Why a request was answered as it was; the receiver counts these (`engine.info`).
    public enum Outcome: String, Sendable, CaseIterable {
        case handshake
        case notConfigured = "not_configured"
        case missingSignature = "missing_signature"
        case badSignature = "bad_signature"
        case badRequest = "bad_request"
        case methodNotAllowed = "method_not_allowed"
    }

    /// An answer given without storing anything.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        public var outcome: Outcome

        /// A refusal's body is its outcome's name and nothing else: nothing about the secret or
        /// the expected signature leaks.
        static func refusal(_ status: Int, _ outcome: Outcome) -> Answer {
            Answer(status: status, contentType: "text/plain; charset=utf-8", body: Array((outcome.rawValue + "\n").utf8),
                   outcome: outcome)
        }

        static func text(_ text: String, json: Bool = false) -> Answer {
            Answer(status: 200, contentType: json ? "application/json" : "text/plain; charset=utf-8", body: Array(text.utf8),
                   outcome: .handshake)
        }
    }

    public enum Verdict: Sendable {
        /// Answer with this at once; nothing is stored.
        case answer(Answer)
        /// Store this payload (verified), then acknowledge.
        case ingest(Payload)
    }

    /// The answer to `request` at `platform`'s path, or the payload to store.
    public static func check(_ request: WebhookRequest, platform: Platform, secrets: WebhookSecrets) -> Verdict {
        guard secrets.isConfigured(platform) else { return .answer(.refusal(403, .notConfigured)) }
        switch request.method {
        case "GET": return .answer(handshake(request, platform: platform, secrets: secrets))
        case "POST":
            if platform == .douyin, let challenge = douyinChallenge(request.body) {
                // The echo tells a caller nothing and stores nothing: answered unless a signature
                // header is given and is wrong (whether Douyin signs this event is not documented).
                if !secrets.isUnsigned(platform), let header = request.headers["x-douyin-signature"],
                   let secret = secrets.secret(.douyin, .clientSecret),
                   !WebhookSignature.isValidDouyin(header: header, body: request.body, clientSecret: secret) {
                    return .answer(.refusal(403, .badSignature))
                }
                return .answer(.text(challenge, json: true))
            }
            switch verifiedPayload(request, platform: platform, secrets: secrets) {
            case .success(let payload): return .ingest(payload)
            case .failure(let refusal): return .answer(refusal.answer)
            }
        default: return .answer(.refusal(405, .methodNotAllowed))
        }
    }

    /// Why a POST's payload is not to be stored.
    public struct Refusal: Error, Sendable, Equatable {
        public var outcome: Outcome
        /// 401 (no signature), 403 (a wrong one, or the platform not configured), 400 (unreadable).
        public var status: Int
        var answer: Answer { .refusal(status, outcome) }
        static let missing = Refusal(outcome: .missingSignature, status: 401)
        static let bad = Refusal(outcome: .badSignature, status: 403)
        static let notConfigured = Refusal(outcome: .notConfigured, status: 403)
        static let unreadable = Refusal(outcome: .badRequest, status: 400)
    }

    /// A POST body checked against the platform's signature: the payload to store (the body with
    /// the request's headers, or for an encrypted WeChat/WeCom push the decrypted message), or why
    /// not. `event.ingest` calls this for calls that carry `headers` or `query`.
    public static func verifiedPayload(_ request: WebhookRequest, platform: Platform, secrets: WebhookSecrets)
        -> Result<Payload, Refusal>
    {
        guard secrets.isConfigured(platform) else { return .failure(.notConfigured) }
        let body = request.body
        let plain = Payload(body, headers: request.headers)
        if secrets.isUnsigned(platform) { return .success(plain) }
        let q = request.query, h = request.headers
        switch platform {
        case .wechat, .weibo:
            let secret = platform == .wechat ? secrets.secret(.wechat, .token)! : secrets.secret(.weibo, .appSecret)!
            guard let signature = q["signature"], let timestamp = q["timestamp"], let nonce = q["nonce"] else {
                return .failure(.missing)
            }
            guard WebhookSignature.isValidWeChat(signature: signature, token: secret, timestamp: timestamp, nonce: nonce) else {
                return .failure(.bad)
            }
            // 安全模式 (and 兼容模式): the message is the decrypted Encrypt, under its own signature.
            guard platform == .wechat, let key = secrets.secret(.wechat, .aesKey), let encrypt = encryptElement(body) else {
                return .success(plain)
            }
            return decrypted(encrypt, request, token: secret, key: key)
        case .wecom:
            guard q["msg_signature"] != nil, q["timestamp"] != nil, q["nonce"] != nil else { return .failure(.missing) }
            guard let encrypt = encryptElement(body) else { return .failure(.unreadable) }
            return decrypted(encrypt, request, token: secrets.secret(.wecom, .token)!, key: secrets.secret(.wecom, .aesKey)!)
        case .douyin:
            guard let header = h["x-douyin-signature"] else { return .failure(.missing) }
            return WebhookSignature.isValidDouyin(header: header, body: body, clientSecret: secrets.secret(.douyin, .clientSecret)!)
                ? .success(plain) : .failure(.bad)
        case .kuaishou:
            guard let header = h["kwaisign"] else { return .failure(.missing) }
            return WebhookSignature.isValidKuaishou(header: header, body: body, appSecret: secrets.secret(.kuaishou, .appSecret)!)
                ? .success(plain) : .failure(.bad)
        case .x:
            guard let header = h["x-twitter-webhooks-signature"] else { return .failure(.missing) }
            return WebhookSignature.isValidX(header: header, body: body, consumerSecret: secrets.secret(.x, .consumerSecret)!)
                ? .success(plain) : .failure(.bad)
        case .facebook, .instagram:
            guard let header = h["x-hub-signature-256"] else { return .failure(.missing) }
            return WebhookSignature.isValidMeta(header: header, body: body, appSecret: secrets.secret(platform, .appSecret)!)
                ? .success(plain) : .failure(.bad)
        case .xiaohongshu, .zhihu, .bilibili, .generic:
            return .failure(.notConfigured)  // only `unsigned` configures these
        }
    }

    // MARK: - Handshakes

    private static func handshake(_ request: WebhookRequest, platform: Platform, secrets: WebhookSecrets) -> Answer {
        let q = request.query
        let unsigned = secrets.isUnsigned(platform)
        switch platform {
        case .wechat, .weibo:
            guard let echo = q["echostr"] else { return .refusal(400, .badRequest) }
            if unsigned { return .text(echo) }
            guard let signature = q["signature"], let timestamp = q["timestamp"], let nonce = q["nonce"] else {
                return .refusal(401, .missingSignature)
            }
            let secret = platform == .wechat ? secrets.secret(.wechat, .token)! : secrets.secret(.weibo, .appSecret)!
            return WebhookSignature.isValidWeChat(signature: signature, token: secret, timestamp: timestamp, nonce: nonce)
                ? .text(echo) : .refusal(403, .badSignature)
        case .wecom:
            guard let echo = q["echostr"] else { return .refusal(400, .badRequest) }
            guard !unsigned else { return .refusal(403, .notConfigured) }  // the echo must be decrypted
            let request = WebhookRequest(method: "GET", query: q)
            switch decrypted(echo, request, token: secrets.secret(.wecom, .token)!, key: secrets.secret(.wecom, .aesKey)!) {
            case .success(let payload): return .text(String(decoding: payload.bytes, as: UTF8.self))
            case .failure(let refusal): return refusal.answer
            }
        case .facebook, .instagram:
            guard q["hub.mode"] == "subscribe", let token = q["hub.verify_token"], let challenge = q["hub.challenge"] else {
                return .refusal(400, .badRequest)
            }
            if unsigned { return .text(challenge) }
            guard let expected = secrets.secret(platform, .verifyToken) else { return .refusal(403, .notConfigured) }
            return WebhookSignature.constantTimeEqual(Array(token.utf8), Array(expected.utf8))
                ? .text(challenge) : .refusal(403, .badSignature)
        case .x:
            guard let token = q["crc_token"] else { return .refusal(400, .badRequest) }
            guard let secret = secrets.secret(.x, .consumerSecret) else { return .refusal(403, .notConfigured) }
            return .text(WebhookSignature.xCRCResponse(crcToken: token, consumerSecret: secret), json: true)
        case .douyin, .kuaishou, .xiaohongshu, .zhihu, .bilibili, .generic:
            return .refusal(405, .methodNotAllowed)
        }
    }

    /// Douyin's `verify_webhook` answer, `{"challenge":…}` with the challenge as it was written,
    /// or nil when the body is not that event.
    static func douyinChallenge(_ body: [UInt8]) -> String? {
        guard body.count < 4096, let value = try? body.withUnsafeBufferPointer({ try JSONValue.parse($0) }),
              value["event"] == .string("verify_webhook"), let challenge = value["content"]?["challenge"]
        else { return nil }
        var w = JSONWriter()
        w.object { w in w.member("challenge", challenge) }
        return w.text
    }

    /// The text of the `<Encrypt>` element of an XML body, or nil.
    static func encryptElement(_ body: [UInt8]) -> String? {
        guard let tree = try? XMLTree.parse(body), let text = tree.root.child("Encrypt")?.text, !text.isEmpty else { return nil }
        return text
    }

    /// `encrypt` checked against the query's `msg_signature`, then decrypted.
    private static func decrypted(_ encrypt: String, _ request: WebhookRequest, token: String, key: String)
        -> Result<Payload, Refusal>
    {
        let q = request.query
        guard let signature = q["msg_signature"], let timestamp = q["timestamp"], let nonce = q["nonce"] else {
            return .failure(.missing)
        }
        guard WebhookSignature.isValidWeChat(signature: signature, token: token, timestamp: timestamp, nonce: nonce,
                                             msgEncrypt: encrypt) else { return .failure(.bad) }
        guard let (message, _) = try? WeChatCrypto.decrypt(encrypt, encodingAESKey: key) else { return .failure(.unreadable) }
        return .success(Payload(message, headers: request.headers))
    }
}
