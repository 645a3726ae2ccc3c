internal import Crypto
import QingtingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One store key: 256 random bits from a key file, and the two keys derived from it once, at load
/// (HKDF-SHA256 with distinct labels): one seals values (AES-256-GCM), one computes the blind
/// index of exact-match lookups (HMAC-SHA256). Its `id` (8 hex digits, an HMAC of the key, which
/// reveals nothing of it) is written before every value it sealed, so rotation tells keys apart.
/// The key itself is never written to the store.
///
/// `@unchecked Sendable`: swift-crypto's `SymmetricKey` is not marked Sendable, but it is an
/// immutable value (its bytes are written once, at creation, and only read after), so sharing
/// one between threads is safe; that is what lets one key serve every value.
public struct StoreKey: @unchecked Sendable {
    /// 8 lower-case hex digits naming the key (stored in `store_keys` and in every sealed value).
    public let id: String
    /// The id's 4 bytes, as sealed values begin with them.
    let idBytes: [UInt8]
    let sealing: SymmetricKey
    let indexing: SymmetricKey

    /// The first word of a key file's key line: the format, so a later one can change.
    static let lineTag = "qingting-key-v1"

    /// A key from its 32 bytes of material.
    init(material: SymmetricKey) {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("qingting key id".utf8), using: material)
        idBytes = Array(Array(mac).prefix(4))
        id = BinaryFormat.hex(idBytes)
        sealing = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, info: Array("qingting store seal v1".utf8), outputByteCount: 32)
        indexing = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: material, info: Array("qingting store index v1".utf8), outputByteCount: 32)
    }

    /// Reads the key file at `path`.
    /// - Throws: `QingtingError(.io)` when the file is missing, not a regular file, or readable or
    ///   writable by anyone but its owner (mode must be 0600 or stricter); `QingtingError(.invalidInput)`
    ///   as `path:line: what` for a line that is not `qingting-key-v1` and 64 hex digits. A key file
    ///   holds one key (`qingting keys generate` writes one); the key itself never appears in a message.
    public static func load(_ path: String) throws -> StoreKey {
        try FileIO.requirePrivate(path, what: "a key file")
        let text = String(decoding: try FileIO.read(path, limit: 4096, what: "a key file"), as: UTF8.self)
        let lines = ConfigLine.lines(text)
        guard let line = lines.first else {
            throw QingtingError(.invalidInput, "the key file holds no key (qingting keys generate FILE writes one)",
                                location: path)
        }
        if lines.count > 1 {
            throw QingtingError(.invalidInput, "a key file holds one key; give several with --key-file, once each",
                                location: "\(path):\(lines[1].number)")
        }
        let words = line.trimmed.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 2, words[0] == lineTag, let bytes = BinaryFormat.bytes(hex: String(words[1])), bytes.count == 32 else {
            throw QingtingError(.invalidInput, "not a key line: expected '\(lineTag)' and 64 hex digits",
                                location: "\(path):\(line.number)")
        }
        return StoreKey(material: SymmetricKey(data: bytes))
    }

    /// Writes a new random key to `path`, created with mode 0600; refuses a path that exists.
    /// - Returns: the new key's id.
    /// - Throws: `QingtingError(.io)` naming the path (it exists, or cannot be written).
    @discardableResult
    public static func generate(_ path: String) throws -> String {
        let material = SymmetricKey(size: .bits256)
        let hex = material.withUnsafeBytes { BinaryFormat.hex($0) }
        let text = """
            # Qingting store key (AES-256-GCM values, HMAC-SHA256 blind index). Keep it mode 0600, out of the
            # store's backups; losing it loses the store's personal data.
            \(lineTag) \(hex)

            """
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "exists already: a key file is never overwritten" : String(cString: strerror(errno))
            throw QingtingError(.io, reason, location: path)
        }
        fchmod(fd, 0o600)  // whatever the umask
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            unlink(path)
            throw QingtingError(.io, "cannot write the key file", location: path)
        }
        return StoreKey(material: material).id
    }

}

/// The keys a process holds for a store: the first seals what it writes, every one opens what it
/// reads. One key is the usual case; during a rotation a process holds the new key first and the
/// old one after it (see "Encryption at rest" in the README).
public struct StoreKeyring: Sendable {
    public let keys: [StoreKey]
    /// The key new values are sealed with.
    public var current: StoreKey { keys[0] }

    public init(_ keys: [StoreKey]) {
        precondition(!keys.isEmpty, "a keyring holds at least one key")
        self.keys = keys
    }

    /// The environment variable naming the key file(s) when no `--key-file` is given; several
    /// files are separated by `:` (the first seals).
    public static let environmentVariable = "QINGTING_KEY_FILE"

    /// The keyring of `files` (from `--key-file`, in order), else of `QINGTING_KEY_FILE` in
    /// `environment`; nil when neither names a file (the store is opened without encryption).
    /// - Throws: what `StoreKey.load` throws; `QingtingError(.invalidInput)` when the same key is
    ///   given twice.
    public static func load(files: [String], environment: [String: String]) throws -> StoreKeyring? {
        var paths = files
        if paths.isEmpty, let value = environment[environmentVariable] {
            paths = value.split(separator: ":").map(String.init)
        }
        guard !paths.isEmpty else { return nil }
        var keys: [StoreKey] = []
        for path in paths {
            let key = try StoreKey.load(path)
            if keys.contains(where: { $0.id == key.id }) {
                throw QingtingError(.invalidInput, "this key (\(key.id)) is given twice", location: path)
            }
            keys.append(key)
        }
        return StoreKeyring(keys)
    }

    func key(id bytes: ArraySlice<UInt8>) -> StoreKey? { keys.first { $0.idBytes.elementsEqual(bytes) } }
}
