internal import Crypto
internal import Foundation
import QingtingCore

/// The webhook signature schemes of platform-formats.md (summary item 5), computed with
/// swift-crypto and compared in constant time. A receiver checks the signature on the raw body
/// before the payload goes anywhere; a failure is reported with `ErrorCode.badSignature`.
public enum WebhookSignature {
    // MARK: WeChat, WeCom, Weibo fan service

    /// `hex(sha1(sorted(token, timestamp, nonce[, msgEncrypt]).joined()))`: WeChat's `signature`
    /// query parameter (with the token), its AES mode's `msg_signature` (with `msgEncrypt`), WeCom's
    /// `msg_signature`, and Weibo fan service's `signature` (with the app secret as `token`).
    public static func weChat(token: String, timestamp: String, nonce: String, msgEncrypt: String? = nil) -> String {
        var parts = [token, timestamp, nonce]
        if let msgEncrypt { parts.append(msgEncrypt) }
        // Sorted by byte value, as the documented reference code sorts ASCII strings.
        parts.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return BinaryFormat.hex(Insecure.SHA1.hash(data: Array(parts.joined().utf8)))
    }

    /// Whether `signature` (hex, either case) is `weChat(token:timestamp:nonce:msgEncrypt:)`.
    public static func isValidWeChat(
        signature: String, token: String, timestamp: String, nonce: String,
        msgEncrypt: String? = nil
    ) -> Bool {
        constantTimeEqual(
            Array(signature.lowercased().utf8),
            Array(weChat(token: token, timestamp: timestamp, nonce: nonce, msgEncrypt: msgEncrypt).utf8))
    }

    // MARK: Meta (Facebook, Instagram, Messenger)

    /// `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body under the app secret.
    public static func meta(body: [UInt8], appSecret: String) -> String {
        "sha256=" + BinaryFormat.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(appSecret.utf8))))
    }

    /// Whether the `X-Hub-Signature-256` header value signs `body`.
    public static func isValidMeta(header: String?, body: [UInt8], appSecret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let code = unhex(String(header.dropFirst(7))), code.count == 32
        else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(
            code, authenticating: body, using: SymmetricKey(data: Array(appSecret.utf8)))
    }

    // MARK: Douyin, Kuaishou

    /// `X-Douyin-Signature`: `hex(sha1(client_secret ‖ raw body))`.
    public static func douyin(body: [UInt8], clientSecret: String) -> String {
        BinaryFormat.hex(Insecure.SHA1.hash(data: Array(clientSecret.utf8) + body))
    }

    public static func isValidDouyin(header: String?, body: [UInt8], clientSecret: String) -> Bool {
        guard let header else { return false }
        return constantTimeEqual(
            Array(header.lowercased().utf8), Array(douyin(body: body, clientSecret: clientSecret).utf8))
    }

    /// Kuaishou's `kwaisign`: `hex(md5(raw body ‖ app secret))`.
    public static func kuaishou(body: [UInt8], appSecret: String) -> String {
        BinaryFormat.hex(Insecure.MD5.hash(data: body + Array(appSecret.utf8)))
    }

    public static func isValidKuaishou(header: String?, body: [UInt8], appSecret: String) -> Bool {
        guard let header else { return false }
        return constantTimeEqual(
            Array(header.lowercased().utf8), Array(kuaishou(body: body, appSecret: appSecret).utf8))
    }

    // MARK: X Account Activity

    /// `x-twitter-webhooks-signature`: `sha256=` and the base64 HMAC-SHA256 of the raw body under
    /// the consumer secret.
    public static func x(body: [UInt8], consumerSecret: String) -> String {
        "sha256="
            + base64(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(consumerSecret.utf8))))
    }

    public static func isValidX(header: String?, body: [UInt8], consumerSecret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let code = Data(base64Encoded: String(header.dropFirst(7))),
            code.count == 32
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            code, authenticating: body,
            using: SymmetricKey(data: Array(consumerSecret.utf8)))
    }

    /// The CRC answer's `response_token`: `sha256=` and the base64 HMAC-SHA256 of `crc_token`.
    public static func xCRCResponseToken(crcToken: String, consumerSecret: String) -> String {
        x(body: Array(crcToken.utf8), consumerSecret: consumerSecret)
    }

    /// The CRC answer's body, `{"response_token":"sha256=…"}`.
    public static func xCRCResponse(crcToken: String, consumerSecret: String) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("response_token", xCRCResponseToken(crcToken: crcToken, consumerSecret: consumerSecret))
        }
        return w.text
    }

    // MARK: Encoding


    static func unhex(_ text: String) -> [UInt8]? { BinaryFormat.bytes(hex: text) }

    static func base64<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        Data(bytes).base64EncodedString()
    }

    /// Equal bytes, in time that depends only on the lengths (no early exit on the first difference).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
