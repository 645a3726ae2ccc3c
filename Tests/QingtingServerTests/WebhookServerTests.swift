import Foundation
import QingtingCore
import QingtingIngest
import QingtingStore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `qingting serve --http` end to end: real HTTP requests over loopback to the built binary, for
/// each platform's handshake, signed posts (stored, then read back from the store), refusals that
/// store nothing, retries that are duplicates, the size limit, the deadline, the bind policy, and
/// `event.ingest`'s signature check on the socket of the same server.
@Suite(.serialized) struct WebhookServerTests {
    static let aesKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    static let secretsText = """
        # platform\tkind\tvalue
        wechat\ttoken\tqingting_token
        wecom\ttoken\twecom_token
        wecom\taes_key\t\(aesKey)
        weibo\tapp_secret\tweibo_secret
        douyin\tclient_secret\tdouyin_client_secret
        kuaishou\tapp_secret\tkuaishou_app_secret
        x\tconsumer_secret\tx_consumer_secret
        facebook\tapp_secret\tmeta_app_secret
        facebook\tverify_token\tmy_verify_token
        instagram\tapp_secret\tmeta_app_secret
        instagram\tverify_token\tmy_verify_token
        bilibili\tunsigned

        """

    /// A store folder with a 0600 secrets file in it.
    struct Setup {
        let folder: String
        let store: String
        let secrets: String

        init(secretsMode: mode_t = 0o600) throws {
            folder = try EventServerTests.storeFolder()
            store = folder + "/events.sqlite"
            secrets = folder + "/secrets.tsv"
            try WebhookServerTests.secretsText.write(toFile: secrets, atomically: false, encoding: .utf8)
            chmod(secrets, secretsMode)
        }

        func start(_ extra: [String] = []) throws -> (ServerHarness, HTTPTestClient) {
            let port = try HTTPTestClient.freePort()
            let server = try ServerHarness(["--store", store, "--http", "\(port)", "--webhook-secrets", secrets] + extra)
            let client = HTTPTestClient(port: port)
            guard server.eventually(30, { client.isListening() }) else {
                throw QingtingError(.io, "the webhook receiver did not listen: \(server.stopAndReadErrors())")
            }
            return (server, client)
        }
    }

    static func fixture(_ name: String, _ index: Int = 0) -> [UInt8] { Array(EventServerTests.payloads(name)[index].utf8) }

    static func events(_ store: String) throws -> Int { try CRMStore(path: store).count("events") }

    @Test func everyPlatformsHandshakeIsAnswered() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.folder) }
        let (server, http) = try setup.start()
        defer { server.stopAndReadErrors() }

        let sig = WebhookSignature.weChat(token: "qingting_token", timestamp: "1714036504", nonce: "1514711492")
        let wechat = try http.request("GET", "/webhook/wechat?signature=\(sig)&timestamp=1714036504&nonce=1514711492&echostr=5830637893011219210")
        #expect(wechat.status == 200 && wechat.text == "5830637893011219210")
        let wrong = try http.request("GET", "/webhook/wechat?signature=\(sig)&timestamp=1714036505&nonce=1514711492&echostr=1")
        #expect(wrong.status == 403 && wrong.text == "bad_signature\n")

        let weiboSig = WebhookSignature.weChat(token: "weibo_secret", timestamp: "1", nonce: "2")
        #expect(try http.request("GET", "/webhook/weibo?signature=\(weiboSig)&timestamp=1&nonce=2&echostr=abc").text == "abc")

        // WeCom's echostr is encrypted (and URL-encoded): the answer is its plaintext.
        let echo = try WeChatCrypto.encrypt(Array("1616140317555161061".utf8), receiveID: "ww4c2a8e3d1f0b7a6c",
                                            encodingAESKey: Self.aesKey, random: Array("0123456789abcdef".utf8))
        let msgSig = WebhookSignature.weChat(token: "wecom_token", timestamp: "1409659589", nonce: "263014780", msgEncrypt: echo)
        let escaped = echo.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let wecom = try http.request("GET", "/webhook/wecom?msg_signature=\(msgSig)&timestamp=1409659589&nonce=263014780&echostr=\(escaped)")
        #expect(wecom.status == 200 && wecom.text == "1616140317555161061")

        for platform in ["facebook", "instagram"] {
            let meta = try http.request("GET", "/webhook/\(platform)?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my_verify_token")
            #expect(meta.status == 200 && meta.text == "1158201444")
        }
        #expect(try http.request("GET", "/webhook/facebook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess").status == 403)

        let crc = try http.request("GET", "/webhook/x?crc_token=challenge_token_123")
        #expect(crc.status == 200 && crc.headers["content-type"] == "application/json")
        #expect(crc.text == WebhookSignature.xCRCResponse(crcToken: "challenge_token_123", consumerSecret: "x_consumer_secret"))

        let verify = Self.fixture("douyin/verify.jsonl")
        let douyin = try http.request("POST", "/webhook/douyin", headers: [
            "X-Douyin-Signature": WebhookSignature.douyin(body: verify, clientSecret: "douyin_client_secret"),
        ], body: verify)
        #expect(douyin.status == 200 && douyin.text == #"{"challenge":12345}"#)

        #expect(try http.request("GET", "/webhook/zhihu?echostr=1").status == 403)  // not in the secrets file
        #expect(try http.request("GET", "/webhook/myspace").status == 404)
        #expect(try http.request("GET", "/metrics").status == 404)
        #expect(try Self.events(setup.store) == 0)  // handshakes store nothing

        let info = try server.result("engine.info")
        #expect(info["webhooks"]?["by_outcome"]?["handshake"] == .number("7"))
        #expect(info["webhooks"]?["by_outcome"]?["bad_signature"] == .number("2"))
        #expect(info["webhooks"]?["by_outcome"]?["not_configured"] == .number("1"))
        #expect(info["webhooks"]?["by_outcome"]?["not_found"] == .number("2"))
        #expect(info["webhooks"]?["requests"] == .number("12"))
    }

    @Test func signedPostsAreStoredAndAnsweredAfterTheCommitAndRefusalsStoreNothing() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.folder) }
        let (server, http) = try setup.start()
        defer { server.stopAndReadErrors() }

        // Meta: a bad signature and a missing one are refused and nothing is stored.
        let feed = Self.fixture("facebook/feed.jsonl")
        let goodMeta = WebhookSignature.meta(body: feed, appSecret: "meta_app_secret")
        let badMeta = WebhookSignature.meta(body: feed, appSecret: "not_the_secret")
        let forged = try http.request("POST", "/webhook/facebook", headers: ["X-Hub-Signature-256": badMeta], body: feed)
        #expect(forged.status == 403 && forged.text == "bad_signature\n")
        #expect(try http.request("POST", "/webhook/facebook", body: feed).status == 401)
        #expect(try Self.events(setup.store) == 0)

        // The signed one is stored; the platform's retry is answered 200 again and stored once.
        let stored = try http.request("POST", "/webhook/facebook", headers: ["X-Hub-Signature-256": goodMeta], body: feed)
        #expect(stored.status == 200 && stored.headers["qingting-stored"] == "2" && stored.body.isEmpty)  // two comments
        let reader = try CRMStore(path: setup.store)
        #expect(try reader.contains(platform: .facebook, eventID: "122131676912594941_1213590066982748"))
        let retry = try http.request("POST", "/webhook/facebook", headers: ["X-Hub-Signature-256": goodMeta], body: feed)
        #expect(retry.status == 200 && retry.headers["qingting-stored"] == "0" && retry.headers["qingting-duplicates"] == "2")
        #expect(try Self.events(setup.store) == 2)

        // Every other signing platform, each through its own scheme.
        let x = Self.fixture("x/activity.jsonl")
        #expect(try http.request("POST", "/webhook/x", headers: [
            "x-twitter-webhooks-signature": WebhookSignature.x(body: x, consumerSecret: "x_consumer_secret"),
        ], body: x).headers["qingting-stored"] == "1")
        #expect(try reader.contains(platform: .x, eventID: "954491830116155396"))

        // A client that asks leave to send its body (Expect: 100-continue, as curl does) gets it.
        let instagram = Self.fixture("instagram/webhooks.jsonl")
        let asked = try http.request("POST", "/webhook/instagram", headers: [
            "X-Hub-Signature-256": WebhookSignature.meta(body: instagram, appSecret: "meta_app_secret"),
            "Expect": "100-continue",
        ], body: instagram)
        #expect(asked.continued && asked.status == 200)
        #expect(try reader.contains(platform: .instagram, eventID: "17919697626119712"))

        // Douyin's id is the Msg-Id header when the content has none.
        let douyin = Self.fixture("douyin/im.jsonl", 1)
        let dm = try http.request("POST", "/webhook/douyin", headers: [
            "X-Douyin-Signature": WebhookSignature.douyin(body: douyin, clientSecret: "douyin_client_secret"),
            "Msg-Id": "7a1b2c3d-msg-0001",
        ], body: douyin)
        #expect(dm.status == 200 && dm.headers["qingting-stored"] == "1")
        #expect(try reader.contains(platform: .douyin, eventID: "7a1b2c3d-msg-0001"))

        let kuaishou = Self.fixture("kuaishou/comments.jsonl")
        #expect(try http.request("POST", "/webhook/kuaishou", headers: [
            "kwaisign": WebhookSignature.kuaishou(body: kuaishou, appSecret: "kuaishou_app_secret"),
        ], body: kuaishou).status == 200)

        // WeChat: the signature is in the query; a changed nonce is refused.
        let xml = Self.fixture("wechat/messages.xml")
        let sig = WebhookSignature.weChat(token: "qingting_token", timestamp: "1348831860", nonce: "77")
        #expect(try http.request("POST", "/webhook/wechat?signature=\(sig)&timestamp=1348831860&nonce=78", body: xml).status == 403)
        #expect(try http.request("POST", "/webhook/wechat?signature=\(sig)&timestamp=1348831860&nonce=77", body: xml).status == 200)
        #expect(try reader.contains(platform: .wechat, eventID: "6349323426230210995"))

        // WeCom encrypts every callback: decrypted after its msg_signature holds, then stored.
        let callback = Self.fixture("wecom/callbacks.xml")
        let encrypt = try WeChatCrypto.encrypt(callback, receiveID: "ww4c2a8e3d1f0b7a6c", encodingAESKey: Self.aesKey,
                                               random: Array("fedcba9876543210".utf8))
        let envelope = Array("<xml><ToUserName><![CDATA[ww4c2a8e3d1f0b7a6c]]></ToUserName><Encrypt><![CDATA[\(encrypt)]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>".utf8)
        let msgSig = WebhookSignature.weChat(token: "wecom_token", timestamp: "1409659813", nonce: "1372623149", msgEncrypt: encrypt)
        let wecom = try http.request("POST", "/webhook/wecom?msg_signature=\(msgSig)&timestamp=1409659813&nonce=1372623149", body: envelope)
        #expect(wecom.status == 200 && wecom.headers["qingting-stored"] == "1")

        // Weibo's fan service signs in the query with the app secret.
        let weibo = Self.fixture("weibo/fanservice.jsonl")
        let weiboSig = WebhookSignature.weChat(token: "weibo_secret", timestamp: "1342433360", nonce: "9")
        #expect(try http.request("POST", "/webhook/weibo?signature=\(weiboSig)&timestamp=1342433360&nonce=9", body: weibo).status == 200)

        // Bilibili signs nothing and is configured unsigned; Zhihu is not configured at all.
        #expect(try http.request("POST", "/webhook/bilibili", body: Self.fixture("bilibili/replies.jsonl")).status == 200)
        #expect(try http.request("POST", "/webhook/zhihu", body: Self.fixture("zhihu/comments.jsonl")).status == 403)

        // A signed payload the ingest cannot read is a 400 with its rejection code (and counted).
        let broken = Array(#"{"object":"page","entry":[{"#.utf8)
        let bad = try http.request("POST", "/webhook/facebook", headers: [
            "X-Hub-Signature-256": WebhookSignature.meta(body: broken, appSecret: "meta_app_secret"),
        ], body: broken)
        #expect(bad.status == 400 && bad.text == "invalid_json\n")

        // Over the ingest's 8 MiB limit: 413 from the Content-Length alone, before a byte is read.
        let before = try Self.events(setup.store)
        let big = try http.request("POST", "/webhook/facebook", headers: ["X-Hub-Signature-256": goodMeta],
                                   contentLength: Ingest.defaultMaxPayloadBytes + 1)
        #expect(big.status == 413 && big.text == "payload_too_large\n")
        #expect(try Self.events(setup.store) == before)

        let outcomes = try server.result("engine.info")["webhooks"]?["by_outcome"]
        #expect(outcomes?["accepted"] == .number("10") && outcomes?["missing_signature"] == .number("1"))
        #expect(outcomes?["bad_signature"] == .number("2") && outcomes?["rejected"] == .number("1"))
        #expect(outcomes?["too_large"] == .number("1") && outcomes?["not_configured"] == .number("1"))
        guard case .array(let days)? = try server.result("sync.status", #"{"platform":"facebook"}"#)["days"] else {
            Issue.record("no sync health days")
            return
        }
        #expect(days.first?["rejected_by_reason"]?["invalid_json"] == .number("1"))
    }

    @Test func aCommitPastTheDeadlineIsA503AndTheRetryADuplicate() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.folder) }
        let feed = Self.fixture("facebook/feed.jsonl")
        let signature = ["X-Hub-Signature-256": WebhookSignature.meta(body: feed, appSecret: "meta_app_secret")]
        do {
            // A deadline no commit meets: answered 503 so the platform retries; the commit still lands.
            let (server, http) = try setup.start(["--webhook-deadline", "0.000001"])
            let late = try http.request("POST", "/webhook/facebook", headers: signature, body: feed)
            #expect(late.status == 503 && late.headers["retry-after"] == "1")
            #expect(server.eventually(10) { (try? Self.events(setup.store)) == 2 })
            #expect(try server.result("engine.info")["webhooks"]?["by_outcome"]?["late"] == .number("1"))
            server.stopAndReadErrors()
        }
        let (server, http) = try setup.start()
        defer { server.stopAndReadErrors() }
        let retry = try http.request("POST", "/webhook/facebook", headers: signature, body: feed)
        #expect(retry.status == 200 && retry.headers["qingting-duplicates"] == "2")
        #expect(try Self.events(setup.store) == 2)
    }

    @Test func eventIngestChecksSignaturesWhenTheCallCarriesHeadersOrQuery() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.folder) }
        let (server, _) = try setup.start()
        defer { server.stopAndReadErrors() }
        let feed = EventServerTests.payloads("facebook/feed.jsonl")[0]
        let body = try JSONValue.string(feed).jsonText  // the body byte for byte, as a JSON string
        let forged = WebhookSignature.meta(body: Array(feed.utf8), appSecret: "guess")
        let refused = try server.call(EventServerTests.request(1, "event.ingest",
            #"{"platform":"facebook","payload":\#(body),"headers":{"X-Hub-Signature-256":"\#(forged)"}}"#))
        #expect(ServerIntegrationTests.errorCode(refused) == "-32001")
        #expect(try JSONValue.parse(refused)["error"]?["data"]?["reason"] == .string("bad_signature"))
        #expect(!refused.contains("meta_app_secret"))
        #expect(try Self.events(setup.store) == 0)
        // Headers without a platform cannot be checked: named as the problem.
        let unnamed = try server.call(EventServerTests.request(2, "event.ingest", #"{"payload":\#(body),"headers":{}}"#))
        #expect(ServerIntegrationTests.errorCode(unnamed) == "-32602")

        let good = WebhookSignature.meta(body: Array(feed.utf8), appSecret: "meta_app_secret")
        let stored = try EventServerTests.results(server.call(EventServerTests.request(3, "event.ingest",
            #"{"platform":"facebook","payload":\#(body),"headers":{"X-Hub-Signature-256":"\#(good)"}}"#)))
        #expect(stored.first?["status"] == .string("stored"))

        // WeChat's signature is in the query.
        let xml = EventServerTests.payloads("wechat/messages.xml")[0]
        let sig = WebhookSignature.weChat(token: "qingting_token", timestamp: "5", nonce: "6")
        let wechat = try EventServerTests.results(server.call(EventServerTests.request(4, "event.ingest",
            #"{"platform":"wechat","payload":\#(try JSONValue.string(xml).jsonText),"query":{"signature":"\#(sig)","timestamp":"5","nonce":"6"}}"#)))
        #expect(wechat.first?["status"] == .string("stored"))

        // A call with neither headers nor query is a trusted socket caller's, unchecked as before.
        let plain = try EventServerTests.results(server.call(EventServerTests.request(5, "event.ingest",
            #"{"payload":\#(EventServerTests.payloads("x/activity.jsonl")[0])}"#)))
        #expect(plain.first?["status"] == .string("stored"))
        #expect(try Self.events(setup.store) == 4)  // two Facebook comments, the WeChat message, the X DM
        let info = try server.result("engine.info")
        #expect(info["webhooks"]?["socket_signature_refusals"]?["bad_signature"] == .number("1"))
    }

    @Test func theBindPolicyAndTheSecretsFileAreCheckedAtStart() throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.folder) }
        let open = try runCLI(["serve", "--store", setup.store, "--http", "0.0.0.0:8089", "--webhook-secrets", setup.secrets])
        #expect(open.status != 0 && open.stderr.contains("not a loopback address") && open.stderr.contains("--http-public"))
        let noStore = try runCLI(["serve", "--http", "8089", "--webhook-secrets", setup.secrets])
        #expect(noStore.status != 0 && noStore.stderr.contains("--store"))
        let noSecrets = try runCLI(["serve", "--store", setup.store, "--http", "8089"])
        #expect(noSecrets.status != 0 && noSecrets.stderr.contains("--webhook-secrets"))
        let badPort = try runCLI(["serve", "--store", setup.store, "--http", "127.0.0.1:99999", "--webhook-secrets", setup.secrets])
        #expect(badPort.status != 0 && badPort.stderr.contains("port"))

        chmod(setup.secrets, 0o644)
        let socket = setup.folder + "/q.sock"
        let exposed = try runCLI(["serve", "--socket", socket, "--store", setup.store, "--http", "\(try HTTPTestClient.freePort())",
                                  "--webhook-secrets", setup.secrets])
        #expect(exposed.status != 0 && exposed.stderr.contains("mode 0644"))
        #expect(!exposed.stderr.contains("meta_app_secret") && !exposed.stderr.contains("qingting_token"))
    }
}
