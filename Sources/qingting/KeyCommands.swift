import ArgumentParser
import Foundation
import QingtingCore
import QingtingStore

/// The key of an encrypted store: `--key-file` (repeatable), else `QINGTING_KEY_FILE`.
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"),
            help: ArgumentHelp(
                "Key file of an encrypted store (mode 0600; `qingting keys generate` writes one). Default: the file(s) in $QINGTING_KEY_FILE (several separated by ':'). Give it twice during a rotation: the new key first, then the old one.",
                valueName: "file"))
    var keyFiles: [String] = []

    /// The keyring, nil when no key file is named (a clear store).
    func keyring() throws -> StoreKeyring? {
        try StoreKeyring.load(files: keyFiles, environment: ProcessInfo.processInfo.environment)
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Keys of encrypted stores: generate one, rotate a store to a new one.",
        discussion: """
            A store created with a key (--key-file or $QINGTING_KEY_FILE) seals names, phones, e-mails, \
            unionids, nicknames, event texts, author profiles, raw payloads, feed bodies and ticket subjects \
            with AES-256-GCM, and finds customers by phone, e-mail, unionid or name through a keyed blind \
            index (HMAC-SHA256). See "Encryption at rest" in the README.
            """,
        subcommands: [KeysGenerate.self, KeysRotate.self]
    )
}

struct KeysGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new random 256-bit key to FILE (mode 0600); an existing FILE is never overwritten.",
        discussion: "Prints {\"key_file\",\"key_id\"}: the id (8 hex digits, not the key) is what the store records."
    )

    @Argument(help: "The key file to create.")
    var file: String

    func run() throws {
        let id = try reportingErrors { try StoreKey.generate(file) }
        var w = JSONWriter()
        w.object { w in
            w.member("key_file", file)
            w.member("key_id", id)
        }
        writeAll(1, w.text + "\n")
    }
}

struct KeysRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-seal every value of a store under a new key, in small transactions, then retire the old key.",
        discussion: """
            Readers given both keys (--key-file NEW --key-file OLD) keep reading while it runs; \
            afterwards the old key alone no longer opens the store. Prints {"active","retired","resealed","batches"}; \
            progress goes to stderr.
            """
    )

    @Option(help: "The store to rotate.")
    var store: String

    @Option(help: ArgumentHelp("The key file the store is sealed with now.", valueName: "old"))
    var keyFile: String

    @Option(help: ArgumentHelp("The key file to re-seal under (from `qingting keys generate`).", valueName: "new"))
    var newKeyFile: String

    @Option(help: "Rows re-sealed per transaction (small: writers wait at most one batch).")
    var batch = 500

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be at least 1 (got \(batch))") }
    }

    func run() throws {
        let rotation = try reportingErrors {
            let (new, old) = (try StoreKey.load(newKeyFile), try StoreKey.load(keyFile))
            guard new.id != old.id else {
                throw QingtingError(.invalidInput, "the new key file holds the same key as --key-file", location: newKeyFile)
            }
            let keys = StoreKeyring([new, old])
            return try CRMStore(path: store, keys: keys).rotateKeys(batchSize: batch) { table, n in
                warn("qingting: \(table): \(n) rows re-sealed")
            }
        }
        writeAll(1, rotation.json + "\n")
    }
}
