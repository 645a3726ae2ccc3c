internal import Crypto
internal import Foundation
public import QingtingCore

#if canImport(Glibc)
import Glibc
#endif

/// The secret behind retention's pseudonyms: HMAC-SHA256 under it turns an author (`platform:uid`)
/// into the same pseudonym every run, so an author anonymized in two runs is one author, and the
/// joins and aggregates over them survive — while someone holding the database file alone cannot
/// test a guessed uid against a pseudonym. Kept in a file of its own (mode 0600), never in the
/// database: by default beside the store, `STORE.pseudonym-key`, made at the first run that needs it.
public struct PseudonymKey: Sendable {
    /// The key's 32 bytes (a `SymmetricKey` is made from them per use: it is not `Sendable`).
    let bytes: [UInt8]

    /// The key file a store uses when none is named.
    public static func defaultPath(store: String) -> String { store + ".pseudonym-key" }

    /// Reads the key at `path` (64 hex digits), or makes one there (32 random bytes, mode 0600) when
    /// there is no file.
    /// - Throws: `QingtingError(.invalidSettings)` naming the file when it is not a key, or when
    ///   users other than its owner may read it.
    public static func load(_ path: String, create: Bool = true) throws -> PseudonymKey {
        var info = stat()
        if stat(path, &info) != 0 {
            guard create else { throw QingtingError(.io, "no pseudonym key file", location: path) }
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { [UInt8]($0) }
            try FileIO.writeAtomically(Array((BinaryFormat.hex(bytes) + "\n").utf8), to: path, mode: 0o600)
            return PseudonymKey(bytes: bytes)
        }
        try FileIO.requirePrivate(path, what: "the pseudonym key file")
        let text = String(decoding: try FileIO.read(path, limit: 4096, what: "a pseudonym key"), as: UTF8.self)
            .trimmingWhitespace
        guard text.utf8.count == 64, let bytes = BinaryFormat.bytes(hex: text) else {
            throw QingtingError(.invalidSettings, "not a pseudonym key (64 hex digits)", location: path)
        }
        return PseudonymKey(bytes: bytes)
    }

    /// A key from its bytes (tests).
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The pseudonym of identity `platform:uid`: `platform:~` and 20 hex digits (80 bits) of
    /// HMAC-SHA256(key, identity). The `~` marks it (no platform's uid starts with one).
    public func identity(_ identity: String) -> String {
        let colon = identity.firstIndex(of: ":") ?? identity.endIndex
        let mac = HMAC<SHA256>.authenticationCode(for: Array(identity.utf8), using: SymmetricKey(data: bytes))
        return String(identity[..<colon]) + ":~" + BinaryFormat.hex(mac).prefix(20)
    }

    /// A pseudonym no key reproduces (an erasure's: nothing may lead back), `prefix` and 20
    /// random hex digits.
    public static func random(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + BinaryFormat.hex((0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
