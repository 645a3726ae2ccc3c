import Foundation
import GRDB
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingProfile
import QingtingRules
import Testing

@testable import QingtingStore

/// Encryption at rest: what an encrypted store keeps off the disk, the lookups that still work
/// through the blind index, the errors for a missing, wrong or loose key, a rotation, tampering.
@Suite struct EncryptionTests {
    static let export = [
        #"{"id":"C1","name":"王小明","phone":"+86 138-1234-5678","email":" Wang.XM@QQ.com ","city":"上海","identities":[{"platform":"weibo","uid":"2222222222"}],"updated_at":"2025-01-01T00:00:00Z"}"#,
        #"{"id":"C2","name":"李雪","phone":"13900000000","unionid":"oUnion-LiXue-42","updated_at":1735689600000}"#,
    ]
    /// What must not be found in the file: a name, a phone, an e-mail, a unionid, an event text,
    /// a nickname from a payload.
    static let secrets = ["王小明", "13812345678", "wang.xm@qq.com", "oUnion-LiXue-42", "客服态度太差", "路人甲"]

    /// A negative comment opens a ticket and raises an alert (both quote the post).
    static let rules = """
        rule negative-comment
          on comment
          when sentiment = negative
          priority high
          alert 负面评论
          ticket priority=high
        """

    /// A scratch folder with a key file in it.
    final class Scratch {
        let folder = NSTemporaryDirectory() + "qingting-keys-\(UUID().uuidString.prefix(8))"
        var store: String { folder + "/store.sqlite" }
        init() { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func key(_ name: String) throws -> StoreKey {
            let path = "\(folder)/\(name).key"
            if !FileManager.default.fileExists(atPath: path) { try StoreKey.generate(path) }
            return try StoreKey.load(path)
        }
    }

    /// Imports the export and ingests the Weibo comments (C1 is bound to the complaint's author).
    static func fill(_ store: CRMStore) throws {
        let file = try CRM.file(export)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try CustomerSync(store: store, mapping: .default, source: "crm", now: CRM.now).run(files: [file]) { _ in }
        var configuration = EventPipeline.Configuration(mapping: nil)
        configuration.now = CRM.now
        configuration.rules = RuleRunner(rules: try RuleSet.parse(Self.rules, source: "test.rules"))
        _ = try EventPipeline(store: store, analyzer: CRM.analyzer, resolver: CustomerResolver(index: nil),
                              configuration: configuration)
            .ingest(CRM.payloads("weibo/comments.jsonl"), platform: nil)
    }

    /// The database file's bytes, WAL included (checkpointed first, so both are looked at).
    static func fileBytes(_ store: CRMStore) throws -> [UInt8] {
        try store.pool.writeWithoutTransaction { _ = try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        var bytes: [UInt8] = []
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: store.path + suffix) { bytes += data }
        }
        return bytes
    }

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard n.count <= haystack.count else { return false }
        return (0...(haystack.count - n.count)).contains { i in haystack[i..<(i + n.count)].elementsEqual(n) }
    }

    /// Everything a reader sees of the personal columns, to compare before and after a change of keys.
    static func snapshot(_ store: CRMStore) throws -> [String] {
        var out = try store.customers().map { "\($0.id) \($0.fields.sorted { $0.key < $1.key })" }
        try store.forEachEvent(includeRaw: true) {
            out.append("\($0.seq) \($0.event.text ?? "-") \($0.event.author?.profile ?? [:]) \($0.event.raw.count)")
        }
        out += try store.feed(since: 0).map { "\($0.seq) \($0.record.body)" }
        out += try store.tickets().map { "\($0.id) \($0.subject ?? "-")" }
        return out
    }

    @Test func personalValuesAreNotInTheFileButAreInAClearOne() throws {
        let s = Scratch()
        let store = try CRMStore(path: s.store, keys: StoreKeyring([try s.key("a")]))
        try Self.fill(store)
        let (events, feed) = (try store.count("events"), try store.count("feed"))
        #expect(store.encrypted && events >= 2 && feed > 0)
        let sealed = try Self.fileBytes(store)
        for secret in Self.secrets { #expect(!Self.contains(sealed, secret), "\(secret) is in the clear") }

        // The same data in a store without a key: every one of them is found (the search works).
        let clear = try CRMStore(path: s.folder + "/clear.sqlite")
        try Self.fill(clear)
        let plain = try Self.fileBytes(clear)
        for secret in Self.secrets { #expect(Self.contains(plain, secret), "\(secret) not found in the clear store") }
        // And both read back alike.
        #expect(try Self.snapshot(store) == Self.snapshot(clear))
    }

    @Test func lookupsByPhoneEmailUnionidAndNameFindTheCustomer() throws {
        let s = Scratch()
        let store = try CRMStore(path: s.store, keys: StoreKeyring([try s.key("a")]))
        try Self.fill(store)
        let profiles = CustomerProfiles(store: store, config: ProfileConfiguration())
        #expect(try profiles.search(.phone("138 1234 5678"), now: CRM.now) == ["C1"])
        #expect(try profiles.search(.email("wang.xm@qq.com"), now: CRM.now) == ["C1"])
        #expect(try profiles.search(.name("李雪"), now: CRM.now) == ["C2"])
        #expect(try profiles.search(.phone("13700000000"), now: CRM.now) == [])
        #expect(try store.customer(forKey: "unionid:oUnion-LiXue-42") == "C2")
        // The complaint's author was resolved through C1's binding, and its profile shows the values.
        let complaint = try CRM.events(store).first { $0.event.eventID == "3317400000000003" }
        #expect(complaint?.customer == "C1" && complaint?.event.text == "客服态度太差，我要投诉")
        #expect(try store.customer("C1")?.fields["phone"] == "+8613812345678")
        // A re-import finds the same customers by their keys: nothing duplicated.
        try Self.fill(store)
        #expect(try store.count("customers") == 2)
    }

    @Test func aStoreWithoutItsKeyOrWithAnotherKeyIsRefused() throws {
        let s = Scratch()
        try Self.fill(try CRMStore(path: s.store, keys: StoreKeyring([try s.key("a")])))
        let missing = #expect(throws: QingtingError.self) { _ = try CRMStore(path: s.store) }
        #expect(missing?.description == "\(s.store): \(StoreKeys.missingKey)")
        #expect(missing?.message.contains("--key-file") == true && missing?.message.contains("QINGTING_KEY_FILE") == true)
        let (a, b) = (try s.key("a"), try s.key("b"))
        let wrong = #expect(throws: QingtingError.self) { _ = try CRMStore(path: s.store, keys: StoreKeyring([b])) }
        #expect(wrong?.message.contains("do not hold key \(a.id)") == true)
        #expect(throws: QingtingError.self) { _ = try LinkStore(path: s.store) }

        // A store made without a key, holding data, is not mixed with sealed values.
        let clearPath = s.folder + "/clear.sqlite"
        try Self.fill(try CRMStore(path: clearPath))
        let mixed = #expect(throws: QingtingError.self) { _ = try CRMStore(path: clearPath, keys: StoreKeyring([a])) }
        #expect(mixed?.message.contains("created without encryption") == true)
        #expect(try CRMStore(path: clearPath).encrypted == false)
    }

    @Test func keyFilesAreWrittenOnceAndLooseModesAreRefused() throws {
        let s = Scratch()
        let path = s.folder + "/k.key"
        let id = try StoreKey.generate(path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try StoreKey.load(path).id == id && id.count == 8)
        let again = #expect(throws: QingtingError.self) { try StoreKey.generate(path) }
        #expect(again?.message.contains("never overwritten") == true)
        chmod(path, 0o644)
        let loose = #expect(throws: QingtingError.self) { _ = try StoreKey.load(path) }
        #expect(loose?.description.hasPrefix("\(path): a key file must be readable by its owner only, and this one has mode 0644") == true)
        chmod(path, 0o600)

        // A damaged key line is reported by line, without the key.
        let bad = s.folder + "/bad.key"
        _ = FileManager.default.createFile(atPath: bad, contents: Data("# a key\nqingting-key-v1 abc\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        let error = #expect(throws: QingtingError.self) { _ = try StoreKey.load(bad) }
        #expect(error?.location == "\(bad):2")

        // The environment variable names the file(s) when no option does.
        let ring = try StoreKeyring.load(files: [], environment: ["QINGTING_KEY_FILE": path])
        #expect(ring?.current.id == id)
        #expect(try StoreKeyring.load(files: [], environment: [:]) == nil)
        #expect(throws: QingtingError.self) { _ = try StoreKeyring.load(files: [path, path], environment: [:]) }
    }

    @Test func rotationKeepsEveryValueReadableAndRetiresTheOldKey() throws {
        let s = Scratch()
        let old = try s.key("old"), new = try s.key("new")
        let before: [String]
        do {
            let store = try CRMStore(path: s.store, keys: StoreKeyring([old]))
            try Self.fill(store)
            before = try Self.snapshot(store)
        }
        // A reader that holds both keys while the rotation runs (opened first: it starts it).
        let reader = try CRMStore(path: s.store, keys: StoreKeyring([new, old]))
        #expect(try reader.keyStates().map(\.state) == ["rotating", "active"])
        var seen: [String] = []
        let rotation = try reader.rotateKeys(batchSize: 2) { table, _ in
            seen.append(table)
            // Between batches the rows are part old, part new: a reader sees every value.
            #expect((try? Self.snapshot(reader)) == before)
        }
        #expect(rotation.retired == [old.id] && rotation.active == new.id && rotation.batches > 3)
        #expect(rotation.resealed["customers.phone"] == 2 && rotation.resealed["events.text", default: 0] >= 2)
        #expect(seen.contains("events") && seen.contains("customer_keys"))

        let rotated = try CRMStore(path: s.store, keys: StoreKeyring([new]))
        #expect(try Self.snapshot(rotated) == before)
        #expect(try rotated.customer(forKey: "phone:+8613812345678") == "C1")
        #expect(try rotated.customers(named: "李雪") == ["C2"])
        let stale = #expect(throws: QingtingError.self) { _ = try CRMStore(path: s.store, keys: StoreKeyring([old])) }
        #expect(stale?.message.contains("do not hold key \(new.id)") == true)
        let backwards = #expect(throws: QingtingError.self) {
            _ = try CRMStore(path: s.store, keys: StoreKeyring([old, new]))
        }
        #expect(backwards?.message.contains("is retired") == true)
        // No value under the old key is left in any sealed column.
        let left = try rotated.pool.read { db in
            try SealedColumn.allCases.map { c in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(c.table) WHERE substr(\(c.column), 2, 4) = ?",
                                 arguments: [Data(old.idBytes)]) ?? 0
            }.reduce(0, +)
        }
        #expect(left == 0)
        // Rotating again with the same keys finds nothing to do.
        #expect(try CRMStore(path: s.store, keys: StoreKeyring([new, old])).rotateKeys().resealed.isEmpty)
    }

    @Test func aFlippedByteIsDetected() throws {
        let s = Scratch()
        let store = try CRMStore(path: s.store, keys: StoreKeyring([try s.key("a")]))
        try Self.fill(store)
        try store.pool.write { db in
            let seq = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM events WHERE text IS NOT NULL")!
            var bytes = [UInt8](try Data.fetchOne(db, sql: "SELECT text FROM events WHERE seq = ?", arguments: [seq])!)
            bytes[bytes.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE events SET text = ? WHERE seq = ?", arguments: [Data(bytes), seq])
        }
        let error = #expect(throws: QingtingError.self) { _ = try CRM.events(store) }
        #expect(error?.description == "\(s.store): a value of events.text does not authenticate: the file was damaged or altered")
        // A sealed value moved into another column does not open either (the column is authenticated).
        try store.pool.write { db in
            try db.execute(sql: "UPDATE customers SET email = phone WHERE id = 'C1'")
        }
        #expect(throws: QingtingError.self) { _ = try store.customer("C1") }
    }
}
