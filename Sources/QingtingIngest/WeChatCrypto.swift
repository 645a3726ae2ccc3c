internal import Crypto
internal import _CryptoExtras
internal import Foundation
import QingtingCore

/// The message encryption of WeChat's 安全模式 and of every WeCom callback (platform-formats.md
/// §1.2 "Encryption", §1.3 "URL verification"):
///
/// - the key is `Base64_Decode(EncodingAESKey + "=")`, 32 bytes; the IV is its first 16 bytes;
/// - `Encrypt` = `Base64(AES-256-CBC(random16 ‖ msg_len (4 bytes, network order) ‖ msg ‖ ReceiveId))`,
///   PKCS#7-padded to a multiple of 32 bytes; ReceiveId is the AppID or CorpID.
///
/// The signature over it (`msg_signature`) is `WebhookSignature.weChat(…, msgEncrypt:)`, checked
/// before anything is decrypted.
public enum WeChatCrypto {
    /// The 32-byte AES key of a 43-character EncodingAESKey, or nil when it is not one.
    public static func key(fromEncodingAESKey text: String) -> [UInt8]? {
        guard text.utf8.count == 43, let key = Data(base64Encoded: text + "="), key.count == 32 else { return nil }
        return Array(key)
    }

    /// The message and the ReceiveId (AppID or CorpID) inside `encrypt`.
    /// - Throws: `QingtingError` `.encryptedPayload` when `encrypt` is not base64, not a whole
    ///   number of blocks, badly padded or its length field does not fit (a wrong key gives this too).
    public static func decrypt(_ encrypt: String, encodingAESKey: String) throws -> (message: [UInt8], receiveID: String) {
        guard let key = key(fromEncodingAESKey: encodingAESKey) else {
            throw QingtingError(.encryptedPayload, "the aes_key is not a 43-character EncodingAESKey")
        }
        // A '+' the sender left unescaped in a query string arrives as itself; one decoded as a
        // space by a proxy is put back.
        let text = encrypt.replacingOccurrences(of: " ", with: "+")
        guard let cipher = Data(base64Encoded: text), !cipher.isEmpty, cipher.count % 16 == 0 else {
            throw QingtingError(.encryptedPayload, "the encrypted message is not base64 of whole AES blocks")
        }
        let plain: [UInt8]
        do {
            plain = Array(try AES._CBC.decrypt(
                cipher, using: SymmetricKey(data: key), iv: try AES._CBC.IV(ivBytes: key[0..<16]), noPadding: true))
        } catch {
            throw QingtingError(.encryptedPayload, "the encrypted message cannot be decrypted")
        }
        guard let pad = plain.last, (1...32).contains(Int(pad)), Int(pad) <= plain.count,
              plain.suffix(Int(pad)).allSatisfy({ $0 == pad })
        else { throw QingtingError(.encryptedPayload, "the decrypted message is badly padded (a wrong aes_key?)") }
        let body = plain.dropLast(Int(pad))
        guard body.count >= 20 else { throw QingtingError(.encryptedPayload, "the decrypted message is too short") }
        let start = body.startIndex + 16
        let length = body[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= body.count - 20 else {
            throw QingtingError(.encryptedPayload, "the decrypted message's length field is past its end")
        }
        let message = Array(body[(start + 4)..<(start + 4 + length)])
        let receiveID = String(decoding: body[(start + 4 + length)...], as: UTF8.self)
        return (message, receiveID)
    }

    /// What the platform sends: `message` encrypted for `receiveID` with `random` (16 bytes) in
    /// front. For tests and for building signed examples; the engine itself only decrypts.
    public static func encrypt(_ message: [UInt8], receiveID: String, encodingAESKey: String, random: [UInt8]) throws -> String {
        guard let key = key(fromEncodingAESKey: encodingAESKey), random.count == 16 else {
            throw QingtingError(.encryptedPayload, "the aes_key is not a 43-character EncodingAESKey, or random is not 16 bytes")
        }
        var plain = random
        let n = UInt32(message.count)
        plain += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        plain += message + Array(receiveID.utf8)
        let pad = 32 - plain.count % 32
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        let cipher = try AES._CBC.encrypt(
            plain, using: SymmetricKey(data: key), iv: try AES._CBC.IV(ivBytes: key[0..<16]), noPadding: true)
        return cipher.base64EncodedString()
    }
}
