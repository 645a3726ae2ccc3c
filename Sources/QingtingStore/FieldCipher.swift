internal import Crypto
internal import Foundation
internal import GRDB
import QingtingCore

/// A column of personal data: sealed (AES-256-GCM) in an encrypted store, in the clear in a store
/// created without a key. The column's name is the value's associated data, so a sealed value
/// copied into another column does not open.
enum SealedColumn: String, CaseIterable, Sendable {
    case customerName = "customers.name", customerPhone = "customers.phone", customerEmail = "customers.email"
    case customerUnionid = "customers.unionid", customerBirthday = "customers.birthday"
    /// The unified key (`phone:+86…`) whose blind index is `customer_keys.key`.
    case customerKey = "customer_keys.value"
    case nickname = "identities.nickname"
    case eventText = "events.text", quotedText = "events.quoted_text", authorProfile = "events.author_profile"
    case payload = "payloads.bytes"
    case feedBody = "feed.body"
    case ticketSubject = "tickets.subject"

    var table: String { String(rawValue.prefix { $0 != "." }) }
    var column: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

    /// The sealed column of a customer field (`CRMStore.customerFields`), nil for a field kept clear.
    init?(customerField field: String) { self.init(rawValue: "customers." + field) }
}

/// How the store writes and reads its personal columns (`SealedColumn`) and the blind index of its
/// exact-match lookups: under a keyring, or — a store created without a key — as plain values.
///
/// A sealed value is a BLOB: version byte 1, the key's 4-byte id, then AES-GCM's nonce (12 random
/// bytes, new for every value), ciphertext and tag (16). The version byte and key id are
/// authenticated with the column name. A blind index is HMAC-SHA256 (the key's index key) of a
/// label and the normalized value, cut to 16 bytes: equal values give equal indexes, so `=` works,
/// and nothing about the value shows. The derived keys are made once per key (`StoreKey`), not
/// per value.
struct FieldCipher: Sendable {
    /// nil: a clear store.
    let keyring: StoreKeyring?

    static let clear = FieldCipher(keyring: nil)
    static let version: UInt8 = 1
    static let headerCount = 5
    static let overhead = headerCount + 12 + 16

    var encrypted: Bool { keyring != nil }

    // MARK: Sealing

    /// `text` as the column stores it (nil stays NULL).
    func seal(_ text: String?, _ column: SealedColumn) -> DatabaseValue {
        guard let text else { return .null }
        guard let keyring else { return text.databaseValue }
        return Data(Self.seal(Array(text.utf8), column, keyring.current)).databaseValue
    }

    /// Raw bytes (a payload) as the column stores them.
    func seal(bytes: [UInt8], _ column: SealedColumn) -> DatabaseValue {
        guard let keyring else { return Data(bytes).databaseValue }
        return Data(Self.seal(bytes, column, keyring.current)).databaseValue
    }

    static func seal(_ plain: [UInt8], _ column: SealedColumn, _ key: StoreKey) -> [UInt8] {
        let header = [version] + key.idBytes
        // AES.GCM.seal fails only for a nonce or key of the wrong size, which these are not.
        let box = try! AES.GCM.seal(plain, using: key.sealing, nonce: AES.GCM.Nonce(),
                                    authenticating: header + Array(column.rawValue.utf8))
        return header + Array(box.combined!)
    }

    // MARK: Opening

    /// The text a column's stored value holds.
    /// - Throws: `QingtingError(.store)` for a value that does not authenticate (a flipped byte, a
    ///   wrong key), sealed with a key the keyring lacks, or clear in an encrypted store (or sealed
    ///   in a clear one). The message names the column, never the value.
    func text(_ value: DatabaseValue, _ column: SealedColumn) throws -> String? {
        if value.isNull { return nil }
        guard keyring != nil else {
            guard case .string(let text) = value.storage else { throw Self.mixed(column, sealedInClear: true) }
            return text
        }
        return String(decoding: try open(value, column), as: UTF8.self)
    }

    /// The bytes a column's stored value holds (a payload).
    func bytes(_ value: DatabaseValue, _ column: SealedColumn) throws -> [UInt8] {
        if value.isNull { return [] }
        // An emptied payload (retention, erasure: `X''`) holds nothing to open.
        if case .blob(let data) = value.storage, data.isEmpty { return [] }
        guard keyring != nil else {
            guard case .blob(let data) = value.storage else { return [] }
            return [UInt8](data)
        }
        return try open(value, column)
    }

    private func open(_ value: DatabaseValue, _ column: SealedColumn) throws -> [UInt8] {
        guard case .blob(let data) = value.storage else { throw Self.mixed(column, sealedInClear: false) }
        return try Self.open([UInt8](data), column, keyring!)
    }

    static func open(_ sealed: [UInt8], _ column: SealedColumn, _ keyring: StoreKeyring) throws -> [UInt8] {
        guard sealed.count >= overhead, sealed[0] == version else {
            throw QingtingError(.store, "a value of \(column.rawValue) is not a sealed value this engine wrote")
        }
        guard let key = keyring.key(id: sealed[1..<headerCount]) else {
            throw QingtingError(
                .store, "a value of \(column.rawValue) is sealed with key \(BinaryFormat.hex(sealed[1..<headerCount])), "
                    + "which the key files given do not hold")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed[headerCount...])
            return Array(try AES.GCM.open(box, using: key.sealing,
                                          authenticating: Array(sealed[..<headerCount]) + Array(column.rawValue.utf8)))
        } catch {
            throw QingtingError(.store, "a value of \(column.rawValue) does not authenticate: the file was damaged or altered")
        }
    }

    static func mixed(_ column: SealedColumn, sealedInClear: Bool) -> QingtingError {
        QingtingError(.store, sealedInClear
            ? "a value of \(column.rawValue) is sealed, but this store is not encrypted"
            : "a value of \(column.rawValue) is in the clear in an encrypted store")
    }

    /// The key id a stored value was sealed with, nil for NULL or a clear value.
    static func keyID(_ value: DatabaseValue) -> [UInt8]? {
        guard case .blob(let data) = value.storage, data.count >= overhead, data.first == version else { return nil }
        return Array(data.dropFirst().prefix(4))
    }

    // MARK: Blind index

    /// What an exact-match column stores for `value` (a unified key, a name): its blind index
    /// under the current key, or the value itself in a clear store.
    func index(_ value: String, label: String) -> DatabaseValue {
        guard let keyring else { return value.databaseValue }
        return Self.index(value, label: label, keyring.current)
    }

    /// The values an exact-match lookup of `value` compares with: one per key of the keyring
    /// (during a rotation rows carry the old key's index until they are re-sealed).
    func lookups(_ value: String, label: String) -> [DatabaseValue] {
        guard let keyring else { return [value.databaseValue] }
        return keyring.keys.map { Self.index(value, label: label, $0) }
    }

    /// `?, ?…`: as many placeholders as `lookups` returns values.
    var lookupPlaceholders: String {
        Array(repeating: "?", count: keyring?.keys.count ?? 1).joined(separator: ", ")
    }

    static func index(_ value: String, label: String, _ key: StoreKey) -> DatabaseValue {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((label + "\u{1F}" + value).utf8), using: key.indexing)
        return Data(Array(mac).prefix(16)).databaseValue
    }

    /// The labels of the blind indexes.
    static let keyLabel = "key", nameLabel = "name"
}
