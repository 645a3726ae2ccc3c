import Foundation
import QingtingCore
import QingtingIngest
import Testing

/// `WebhookCheck` (handshakes and the signature check before anything is stored),
/// `WebhookSecrets` (the secrets file) and `WeChatCrypto`, without sockets. Expected handshake
/// answers follow platform-formats.md §1.2–§1.7; signatures come from `WebhookSignature`, whose
/// values `SignatureTests` checks against Python's hashlib and hmac.
@Suite struct WebhookCheckTests {
    /// A 43-character EncodingAESKey (WeCom's documented sample key).
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let secrets = WebhookSecrets([
        .wechat: [.token: "qingting_token"],
        .wecom: [.token: "wecom_token", .aesKey: aesKey],
        .weibo: [.appSecret: "weibo_secret"],
        .douyin: [.clientSecret: "douyin_client_secret"],
        .kuaishou: [.appSecret: "kuaishou_app_secret"],
        .x: [.consumerSecret: "x_consumer_secret"],
        .facebook: [.appSecret: "meta_app_secret", .verifyToken: "my_verify_token"],
        .bilibili: [.unsigned: ""],
    ])

    static func answer(_ request: WebhookRequest, _ platform: Platform, _ secrets: WebhookSecrets = secrets)
        -> WebhookCheck.Answer?
    {
        if case .answer(let a) = WebhookCheck.check(request, platform: platform, secrets: secrets) { return a }
        return nil
    }

    static func payload(_ request: WebhookRequest, _ platform: Platform) -> Payload? {
        if case .ingest(let p) = WebhookCheck.check(request, platform: platform, secrets: secrets) { return p }
        return nil
    }

    static func text(_ answer: WebhookCheck.Answer?) -> String { answer.map { String(decoding: $0.body, as: UTF8.self) } ?? "-" }

    @Test func weChatAndWeiboEchoTheirEchostrOnlyUnderAValidSignature() {
        let sig = WebhookSignature.weChat(token: "qingting_token", timestamp: "1714036504", nonce: "1514711492")
        var q = ["signature": sig, "timestamp": "1714036504", "nonce": "1514711492", "echostr": "5830637893011219210"]
        let ok = Self.answer(WebhookRequest(method: "GET", query: q), .wechat)
        #expect(ok?.status == 200 && Self.text(ok) == "5830637893011219210" && ok?.outcome == .handshake)
        q["nonce"] = "1514711493"
        let bad = Self.answer(WebhookRequest(method: "GET", query: q), .wechat)
        #expect(bad?.status == 403 && Self.text(bad) == "bad_signature\n")
        q["signature"] = nil
        #expect(Self.answer(WebhookRequest(method: "GET", query: q), .wechat)?.status == 401)
        // Weibo's fan service signs with the app secret, the same way.
        let weibo = WebhookSignature.weChat(token: "weibo_secret", timestamp: "1", nonce: "2")
        let w = Self.answer(WebhookRequest(method: "GET", query: ["signature": weibo, "timestamp": "1", "nonce": "2", "echostr": "e"]), .weibo)
        #expect(w?.status == 200 && Self.text(w) == "e")
    }

    @Test func weComDecryptsItsEchostrAfterCheckingMsgSignature() throws {
        let echo = try WeChatCrypto.encrypt(Array("1616140317555161061".utf8), receiveID: "ww4c2a8e3d1f0b7a6c",
                                            encodingAESKey: Self.aesKey, random: Array("0123456789abcdef".utf8))
        let sig = WebhookSignature.weChat(token: "wecom_token", timestamp: "1409659589", nonce: "263014780", msgEncrypt: echo)
        let q = ["msg_signature": sig, "timestamp": "1409659589", "nonce": "263014780", "echostr": echo]
        let ok = Self.answer(WebhookRequest(method: "GET", query: q), .wecom)
        #expect(ok?.status == 200 && Self.text(ok) == "1616140317555161061")
        var tampered = q
        tampered["timestamp"] = "1409659590"
        #expect(Self.answer(WebhookRequest(method: "GET", query: tampered), .wecom)?.status == 403)
    }

    @Test func metaAnswersTheChallengeForTheVerifyTokenOnly() {
        let q = ["hub.mode": "subscribe", "hub.verify_token": "my_verify_token", "hub.challenge": "1158201444"]
        let ok = Self.answer(WebhookRequest(method: "GET", query: q), .facebook)
        #expect(ok?.status == 200 && Self.text(ok) == "1158201444")
        var wrong = q
        wrong["hub.verify_token"] = "guess"
        #expect(Self.answer(WebhookRequest(method: "GET", query: wrong), .facebook)?.status == 403)
        // Instagram is not configured here: refused whatever it sends.
        #expect(Self.answer(WebhookRequest(method: "GET", query: q), .instagram)?.outcome == .notConfigured)
    }

    @Test func xAnswersTheCRCWithTheConsumerSecret() {
        let a = Self.answer(WebhookRequest(method: "GET", query: ["crc_token": "challenge_token_123"]), .x)
        #expect(a?.status == 200 && a?.contentType == "application/json")
        #expect(Self.text(a) == WebhookSignature.xCRCResponse(crcToken: "challenge_token_123", consumerSecret: "x_consumer_secret"))
        #expect(Self.text(a).hasPrefix(#"{"response_token":"sha256="#))
    }

    @Test func douyinAnswersVerifyWebhookWithItsChallengeAsWritten() {
        let body = Array(#"{"event":"verify_webhook","client_key":"","content":{"challenge":12345}}"#.utf8)
        let unsigned = Self.answer(WebhookRequest(method: "POST", body: body), .douyin)
        #expect(unsigned?.status == 200 && Self.text(unsigned) == #"{"challenge":12345}"#)
        let signed = WebhookSignature.douyin(body: body, clientSecret: "douyin_client_secret")
        #expect(Self.answer(WebhookRequest(method: "POST", headers: ["X-Douyin-Signature": signed], body: body), .douyin)?.status == 200)
        let wrong = Self.answer(WebhookRequest(method: "POST", headers: ["X-Douyin-Signature": "00"], body: body), .douyin)
        #expect(wrong?.status == 403)
    }

    @Test func postsAreStoredOnlyUnderTheirPlatformsSignature() {
        let body = Array(#"{"object":"page","entry":[]}"#.utf8)
        let meta = WebhookSignature.meta(body: body, appSecret: "meta_app_secret")
        #expect(Self.payload(WebhookRequest(method: "POST", headers: ["X-Hub-Signature-256": meta], body: body), .facebook)?.bytes == body)
        #expect(Self.answer(WebhookRequest(method: "POST", body: body), .facebook)?.status == 401)
        var flipped = body
        flipped[3] ^= 1
        let tampered = Self.answer(WebhookRequest(method: "POST", headers: ["x-hub-signature-256": meta], body: flipped), .facebook)
        #expect(tampered?.status == 403 && Self.text(tampered) == "bad_signature\n")

        let douyin = WebhookSignature.douyin(body: body, clientSecret: "douyin_client_secret")
        let d = Self.payload(WebhookRequest(method: "POST", headers: ["X-Douyin-Signature": douyin, "Msg-Id": "m1"], body: body), .douyin)
        #expect(d?.header("Msg-Id") == "m1")  // headers go through to the adapter
        let kwai = WebhookSignature.kuaishou(body: body, appSecret: "kuaishou_app_secret")
        #expect(Self.payload(WebhookRequest(method: "POST", headers: ["kwaisign": kwai], body: body), .kuaishou) != nil)
        let x = WebhookSignature.x(body: body, consumerSecret: "x_consumer_secret")
        #expect(Self.payload(WebhookRequest(method: "POST", headers: ["x-twitter-webhooks-signature": x], body: body), .x) != nil)
        #expect(Self.answer(WebhookRequest(method: "POST", headers: ["x-twitter-webhooks-signature": meta], body: body), .x)?.status == 403)

        let sig = WebhookSignature.weChat(token: "qingting_token", timestamp: "1", nonce: "2")
        let xml = Array("<xml><MsgType>text</MsgType></xml>".utf8)
        #expect(Self.payload(WebhookRequest(method: "POST", query: ["signature": sig, "timestamp": "1", "nonce": "2"], body: xml), .wechat)?.bytes == xml)
        #expect(Self.answer(WebhookRequest(method: "POST", query: ["signature": sig, "timestamp": "1", "nonce": "3"], body: xml), .wechat)?.status == 403)

        // Unsigned only where configured so; a platform not configured is refused.
        #expect(Self.payload(WebhookRequest(method: "POST", body: body), .bilibili)?.bytes == body)
        #expect(Self.answer(WebhookRequest(method: "POST", body: body), .zhihu)?.outcome == .notConfigured)
        #expect(Self.answer(WebhookRequest(method: "DELETE", body: body), .facebook)?.status == 405)
    }

    @Test func anEncryptedWeComCallbackIsDecryptedAfterItsSignatureHolds() throws {
        let message = Array("<xml><MsgType><![CDATA[event]]></MsgType></xml>".utf8)
        let encrypt = try WeChatCrypto.encrypt(message, receiveID: "ww4c2a8e3d1f0b7a6c", encodingAESKey: Self.aesKey,
                                               random: Array("fedcba9876543210".utf8))
        let body = Array("<xml><ToUserName><![CDATA[ww4c2a8e3d1f0b7a6c]]></ToUserName><Encrypt><![CDATA[\(encrypt)]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>".utf8)
        let sig = WebhookSignature.weChat(token: "wecom_token", timestamp: "1409659813", nonce: "1372623149", msgEncrypt: encrypt)
        let q = ["msg_signature": sig, "timestamp": "1409659813", "nonce": "1372623149"]
        #expect(Self.payload(WebhookRequest(method: "POST", query: q, body: body), .wecom)?.bytes == message)
        #expect(Self.answer(WebhookRequest(method: "POST", query: ["timestamp": "1", "nonce": "2"], body: body), .wecom)?.status == 401)
        let (decrypted, receiveID) = try WeChatCrypto.decrypt(encrypt, encodingAESKey: Self.aesKey)
        #expect(decrypted == message && receiveID == "ww4c2a8e3d1f0b7a6c")
        #expect(throws: QingtingError.self) { try WeChatCrypto.decrypt(encrypt, encodingAESKey: String(repeating: "A", count: 43)) }
    }

    @Test func theQueryIsPercentDecodedAndAPlusStaysAPlus() {
        let (path, query) = WebhookRequest.split(target: "/webhook/wecom?echostr=ab%2Bc%3D%3D+d&nonce=1&nonce=2&flag")
        #expect(path == "/webhook/wecom")
        #expect(query == ["echostr": "ab+c==+d", "nonce": "1", "flag": ""])
    }

    // MARK: - The secrets file

    static func file(_ text: String, mode: mode_t = 0o600) throws -> String {
        let path = NSTemporaryDirectory() + "qingting-secrets-\(UUID().uuidString.prefix(8)).tsv"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test func aSecretsFileIsReadWithEveryKindAndUnsigned() throws {
        let path = try Self.file("# platform\tkind\tvalue\nwechat\ttoken\tt1\nwecom\ttoken\tt2\nwecom\taes_key\t\(Self.aesKey)\nfacebook\tapp_secret\ts3\nbilibili\tunsigned\n")
        defer { unlink(path) }
        let secrets = try WebhookSecrets.load(path)
        #expect(secrets.secret(.wechat, .token) == "t1" && secrets.secret(.wecom, .aesKey) == Self.aesKey)
        #expect(secrets.isUnsigned(.bilibili) && !secrets.isUnsigned(.wechat) && !secrets.isConfigured(.x))
        #expect(secrets.platforms == [.wechat, .wecom, .bilibili, .facebook])
    }

    @Test func aSecretsFileOthersCanReadIsRefusedBeforeItIsRead() throws {
        let path = try Self.file("wechat\ttoken\tvery_secret_value\n", mode: 0o644)
        defer { unlink(path) }
        let error = try #require(throws: QingtingError.self) { try WebhookSecrets.load(path) }
        #expect(error.message.contains("mode 0644") && error.message.contains("chmod 600"))
        #expect(!error.description.contains("very_secret_value"))
    }

    @Test func badLinesAreAllReportedWithoutTheirValues() throws {
        let path = try Self.file("""
            myspace\ttoken\tsecret_a
            wechat\tpassword\tsecret_b
            zhihu\tapp_secret\tsecret_c
            wecom\ttoken\tsecret_d
            douyin\tclient_secret
            x\tconsumer_secret\tsecret_e
            x\tconsumer_secret\tsecret_f
            bilibili\tunsigned\tsecret_g
            wechat\taes_key\tsecret_h

            """)
        defer { unlink(path) }
        let errors = try #require(throws: QingtingErrors.self) { try WebhookSecrets.load(path) }
        let text = errors.description
        #expect(errors.errors.map(\.location) == [1, 2, 3, 5, 7, 8, 9].map { "\(path):\($0)" })
        #expect(text.contains("not a platform") && text.contains("not a secret kind") && text.contains("zhihu signs nothing"))
        #expect(text.contains("a second consumer_secret for x") && text.contains("unsigned takes no value"))
        #expect(!text.contains("secret_"))
        // Every line fine but WeCom without its aes_key (it always encrypts), and WeChat's aes_key alone.
        let incomplete = try Self.file("wecom\ttoken\tt\nwechat\taes_key\t\(Self.aesKey)\n")
        defer { unlink(incomplete) }
        let missing = try #require(throws: QingtingErrors.self) { try WebhookSecrets.load(incomplete) }
        #expect(missing.errors.map(\.message) == ["wecom needs its aes_key too", "wechat needs its token too"])
    }
}
