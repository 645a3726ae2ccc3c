import QingtingIngest
import Testing

/// Webhook signatures (platform-formats.md summary item 5, §1.2, §1.4, §1.6, §1.7). The expected
/// values were computed independently with Python's hashlib, hmac and base64:
///
///     sha1("".join(sorted([token, ts, nonce]))).hexdigest()
///     "sha256=" + hmac.new(secret, body, sha256).hexdigest()           # Meta
///     sha1(client_secret + body).hexdigest()                             # Douyin
///     md5(body + app_secret).hexdigest()                                 # Kuaishou
///     "sha256=" + b64encode(hmac.new(secret, body, sha256).digest())    # X, and the CRC token
@Suite struct SignatureTests {
    static let metaBody = Array(
        #"{"object":"page","entry":[{"id":"448242228374517","time":1742667605,"changes":[]}]}"#.utf8)
    static let douyinBody = Array(#"{"event":"verify_webhook","client_key":"","content":{"challenge":12345}}"#.utf8)
    static let xBody = Array(#"{"for_user_id":"2244994945","tweet_create_events":[]}"#.utf8)

    static func tampered(_ body: [UInt8]) -> [UInt8] {
        var copy = body
        copy[copy.count / 2] ^= 0x01
        return copy
    }

    @Test func weChatSortsTokenTimestampAndNonce() {
        let signature = WebhookSignature.weChat(token: "qingting_token", timestamp: "1714036504", nonce: "1514711492")
        #expect(signature == "df183ff82cd3ace04762d80c541c03430c5b09da")
        #expect(
            WebhookSignature.isValidWeChat(
                signature: signature, token: "qingting_token", timestamp: "1714036504", nonce: "1514711492"))
        #expect(
            WebhookSignature.isValidWeChat(
                signature: signature.uppercased(), token: "qingting_token", timestamp: "1714036504",
                nonce: "1514711492"))
        #expect(
            !WebhookSignature.isValidWeChat(
                signature: signature, token: "qingting_token", timestamp: "1714036505", nonce: "1514711492"))
        #expect(
            !WebhookSignature.isValidWeChat(
                signature: "", token: "qingting_token", timestamp: "1714036504", nonce: "1514711492"))
        // The AES mode's msg_signature adds msg_encrypt to the sorted list.
        #expect(
            WebhookSignature.weChat(
                token: "qingting_token", timestamp: "1714036504", nonce: "1514711492",
                msgEncrypt: "msg_encrypt_sample_base64==") == "af42ab4b2ee6dc123d3874c34043b4d4888a5c75")
    }

    @Test func metaHubSignatureIsAHexHMACOfTheRawBody() {
        let header = "sha256=241f42bc583da3711d9aab7c31825bee292c7a0bd7559847d1561d4ba2b3a46b"
        #expect(WebhookSignature.meta(body: Self.metaBody, appSecret: "meta_app_secret") == header)
        #expect(WebhookSignature.isValidMeta(header: header, body: Self.metaBody, appSecret: "meta_app_secret"))
        #expect(
            !WebhookSignature.isValidMeta(
                header: header, body: Self.tampered(Self.metaBody), appSecret: "meta_app_secret"))
        #expect(!WebhookSignature.isValidMeta(header: header, body: Self.metaBody, appSecret: "other_secret"))
        #expect(
            !WebhookSignature.isValidMeta(
                header: String(header.dropFirst(7)), body: Self.metaBody, appSecret: "meta_app_secret"))
        #expect(!WebhookSignature.isValidMeta(header: nil, body: Self.metaBody, appSecret: "meta_app_secret"))
    }

    @Test func douyinSignatureIsSHA1OfTheSecretThenTheBody() {
        let header = "dd90aa532e37f6ce712124b6a33c3f3c74124458"
        #expect(WebhookSignature.douyin(body: Self.douyinBody, clientSecret: "douyin_client_secret") == header)
        #expect(
            WebhookSignature.isValidDouyin(header: header, body: Self.douyinBody, clientSecret: "douyin_client_secret"))
        #expect(
            !WebhookSignature.isValidDouyin(
                header: header, body: Self.tampered(Self.douyinBody), clientSecret: "douyin_client_secret"))
        #expect(
            !WebhookSignature.isValidDouyin(header: nil, body: Self.douyinBody, clientSecret: "douyin_client_secret"))
    }

    @Test func kuaishouSignatureIsMD5OfTheBodyThenTheSecret() {
        let header = "2395e4dcd472a96eddcce65f627df0e9"
        #expect(WebhookSignature.kuaishou(body: Self.douyinBody, appSecret: "kuaishou_app_secret") == header)
        #expect(
            WebhookSignature.isValidKuaishou(header: header, body: Self.douyinBody, appSecret: "kuaishou_app_secret"))
        #expect(
            !WebhookSignature.isValidKuaishou(
                header: header, body: Self.tampered(Self.douyinBody), appSecret: "kuaishou_app_secret"))
    }

    @Test func xSignatureAndCRCResponseAreBase64HMACs() {
        let header = "sha256=k/wWnsnK/NrW8Bsf/KP6mj31eCbcpUoq+45SDeforUo="
        #expect(WebhookSignature.x(body: Self.xBody, consumerSecret: "x_consumer_secret") == header)
        #expect(WebhookSignature.isValidX(header: header, body: Self.xBody, consumerSecret: "x_consumer_secret"))
        #expect(
            !WebhookSignature.isValidX(
                header: header, body: Self.tampered(Self.xBody), consumerSecret: "x_consumer_secret"))
        #expect(
            !WebhookSignature.isValidX(
                header: "sha256=not base64", body: Self.xBody, consumerSecret: "x_consumer_secret"))
        #expect(
            WebhookSignature.xCRCResponseToken(crcToken: "challenge_token_123", consumerSecret: "x_consumer_secret")
                == "sha256=kWciiAbd/+qZ+5Z9y1TBmpwVgiiA2sbNJB15FB87kdo=")
        #expect(
            WebhookSignature.xCRCResponse(crcToken: "challenge_token_123", consumerSecret: "x_consumer_secret")
                == #"{"response_token":"sha256=kWciiAbd/+qZ+5Z9y1TBmpwVgiiA2sbNJB15FB87kdo="}"#)
    }
}
