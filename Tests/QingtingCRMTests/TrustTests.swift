import Foundation
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingProfile
import QingtingStore
import Testing

/// A small world for retention, erasure and consent: two customers with bound Weibo accounts, an
/// unlinked author, Weibo comments old (Aug 2025) and recent (Dec 2025), rules that open tickets
/// and repeat the words in the feed.
enum TrustWorld {
    static let now: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let phone = "13812345678"
    static let email = "lin.xiaoyu@example.com"
    static let name = "林小雨"
    static let nickname = "雨落星辰Lin"
    static let complaint = "客服态度太差，我要投诉，订单一直不发货"

    static let customers = [
        #"{"id":"C1","name":"\#(name)","phone":"\#(phone)","email":"\#(email)","level":"VIP","identities":[{"platform":"weibo","uid":"5500000001"}]}"#,
        #"{"id":"C2","name":"王大锤","phone":"13900001111","identities":[{"platform":"weibo","uid":"5500000002"}]}"#,
    ]

    /// Rules whose records repeat a post's words: a ticket (subject), a notification (text, post).
    static let rules = """
        rule complaint-ticket
          on comment
          when sentiment = negative
          ticket skill=auto
          notify wecom to=group:service

        rule offer
          on comment
          reply template=offer
          coupon WELCOME

        template offer when not profile.opted_out: 领取回归礼券！
        template offer: 感谢您的反馈。
        """

    /// A Weibo open-API comments payload of one comment.
    static func comment(_ id: Int, uid: String, nick: String, text: String, at: String) -> Payload {
        Payload(#"{"comments":[{"created_at":"\#(at)","id":\#(5_100_000_000_000_000 + id),"idstr":"\#(5_100_000_000_000_000 + id)","text":"\#(text)","user":{"id":\#(uid),"idstr":"\#(uid)","screen_name":"\#(nick)"},"status":{"id":5000000000000000,"idstr":"5000000000000000"}}],"total_number":1}"#)
    }

    static let repost = "同感//@\(nickname):\(complaint)"

    /// `text` with every non-ASCII UTF-16 unit as a JSON `\uXXXX` escape.
    static func escaped(_ text: String) -> String {
        var out = ""
        for unit in text.utf16 {
            if unit < 0x80 { out.unicodeScalars.append(Unicode.Scalar(UInt8(unit))); continue }
            let hex = String(unit, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return out
    }

    static let old = "Fri Aug 01 10:00:00 +0800 2025"
    static let recent = "Sat Dec 20 10:00:00 +0800 2025"

    /// The store with customers, rules and events; returns it with its pipeline's configuration.
    static func make(_ path: String, keys: StoreKeyring? = nil) throws -> (CRMStore, EventPipeline) {
        let store = try CRMStore(path: path, keys: keys)
        let file = try CRM.file(customers)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try CustomerSync(store: store, source: "crm", now: now).run(files: [file]) { _ in }
        let ruleFile = try CRM.file([rules], suffix: ".txt")
        defer { try? FileManager.default.removeItem(atPath: ruleFile) }
        var configuration = EventPipeline.Configuration(mapping: nil)
        configuration.now = now
        configuration.rules = try RuleRunner.load(ruleFile)
        let pipeline = EventPipeline(store: store, analyzer: CRM.analyzer, resolver: CustomerResolver(index: nil),
                                     configuration: configuration)
        _ = try pipeline.ingest([
            comment(1, uid: "5500000001", nick: nickname, text: complaint, at: old),
            comment(2, uid: "5500000001", nick: nickname, text: "#双十一# 想买个新手机，哪个牌子好", at: recent),
            comment(3, uid: "5500000002", nick: "大锤哥", text: "强烈安利这款粉底液", at: old),
            comment(4, uid: "5500000003", nick: "旧时光", text: "物流太慢了，差评", at: old),
            comment(5, uid: "5500000002", nick: "大锤哥", text: "这款耳机音质真好", at: recent),
            // A repost quoting C1, its JSON written with \u escapes as some platforms send it.
            comment(6, uid: "5500000002", nick: "大锤哥", text: escaped(repost), at: recent),
        ], platform: .weibo)
        return (store, pipeline)
    }

    /// Every byte of the database file and its WAL.
    static func fileBytes(_ path: String) -> Data {
        var bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        bytes += (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        return bytes
    }

    static func rebuildCheck(_ store: CRMStore, _ pipeline: EventPipeline) throws -> ProfileRebuild.Report {
        try ProfileRebuild(store: store, config: pipeline.configuration.profile).run(check: true)
    }

    /// The aggregates refolded from the log equal the stored ones (what `rebuild` would write).
    static func aggregatesRefoldEqual(_ store: CRMStore) throws -> Bool {
        let stored = try store.aggregateDigest()
        try EventMeasures.rebuild(store, now: now)
        return try store.aggregateDigest() == stored
    }
}

@Suite struct ErasureTests {
    /// The deletion proof: after `customer delete`, rebuild --check holds, the aggregates are the
    /// same, and the whole file (vacuumed, the WAL checkpointed away) holds neither the phone, the
    /// e-mail, the name, the nickname, the uid nor the words of the customer's posts.
    @Test func erasureRemovesThePersonalDataFromEveryTableAndKeepsTheAggregates() throws {
        let (path, remove) = CRM.scratch("erasure")
        defer { remove() }
        let (store, pipeline) = try TrustWorld.make(path)
        #expect(try store.count("tickets") >= 1)
        let before = try store.aggregateDigest()
        let needles = [TrustWorld.phone, "+86" + TrustWorld.phone, TrustWorld.email, TrustWorld.name, TrustWorld.nickname,
                       "5500000001", TrustWorld.complaint, "想买个新手机", TrustWorld.escaped(TrustWorld.nickname)]
        let quoting = try #require(try CRM.events(store).first { $0.event.eventID.hasSuffix("06") })
        #expect(quoting.event.quotedText?.contains(TrustWorld.nickname) == true)
        let original = TrustWorld.fileBytes(path)
        for needle in needles { #expect(original.range(of: Data(needle.utf8)) != nil, "the fixture holds \(needle)") }

        let report = try #require(try CustomerErasure(store: store, config: pipeline.configuration.profile)
            .erase("C1", now: TrustWorld.now, auditUID: 1000))
        #expect(report.aggregatesKept && report.vacuumed && report.walEmpty)
        #expect(report.tables["customers"] == 1 && report.tables["events"] == 2 && report.tables["identities"] == 1)
        #expect((report.tables["feed"] ?? 0) > 0 && (report.tables["tickets"] ?? 0) > 0)
        #expect(!report.json.contains(TrustWorld.phone) && report.json.contains(#""customer":"C1""#))

        // Right after the erasure: the WAL is empty, and no byte of the file holds the data.
        let bytes = TrustWorld.fileBytes(path)
        #expect((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 == 0)
        for needle in needles { #expect(bytes.range(of: Data(needle.utf8)) == nil, "found \(needle) in the file") }

        let check = try TrustWorld.rebuildCheck(store, pipeline)
        #expect(check.differences.isEmpty, "\(check.json)")
        #expect(try store.aggregateDigest() == before)
        #expect(try TrustWorld.aggregatesRefoldEqual(store))

        // The customer is gone from every view; the other customer is untouched.
        let profiles = CustomerProfiles(store: store, config: pipeline.configuration.profile)
        #expect(try profiles.show("C1", now: TrustWorld.now) == nil)
        #expect(try profiles.search(.phone(TrustWorld.phone), now: TrustWorld.now).isEmpty)
        #expect(try store.customer(platform: "weibo", uid: "5500000001") == nil)
        let c2 = try CRM.events(store, CRMStore.EventFilter(customer: "C2"))
        #expect(c2.count == 3 && c2.allSatisfy { $0.event.text != nil && $0.redaction == nil })
        // The repost keeps its author's own words and loses the quote of C1.
        #expect(c2.first { $0.event.eventID.hasSuffix("06") }.map { $0.event.text == "同感" && $0.event.quotedText == nil } == true)
        // The erasure is in the audit log: who, when, which customer — no data of theirs.
        let audit = try store.audit(customer: "C1")
        #expect(audit.last?.entry.method == "customer.delete" && audit.last?.entry.uid == 1000)
        #expect(try store.verifyAudit().holds)
        // Erasing again finds nothing.
        #expect(try CustomerErasure(store: store, config: pipeline.configuration.profile).erase("C1", now: TrustWorld.now) == nil)
    }

    /// The same erasure in an encrypted store, where the file's bytes prove nothing: read back
    /// through the key, no event text, quote, payload, feed body or ticket subject holds the
    /// customer's phone, e-mail, name or nickname, the lookups by them find nobody, and the
    /// refold still equals the stored state.
    @Test func erasureInAnEncryptedStoreReachesTheSealedCopies() throws {
        let (path, remove) = CRM.scratch("erasure-sealed")
        defer { remove() }
        let keyFile = path + ".key"
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        _ = try StoreKey.generate(keyFile)
        let (store, pipeline) = try TrustWorld.make(path, keys: StoreKeyring([try StoreKey.load(keyFile)]))
        #expect(store.encrypted)
        let needles = [TrustWorld.phone, TrustWorld.email, TrustWorld.name, TrustWorld.nickname, TrustWorld.complaint]
        func everything() throws -> String {
            var out = ""
            try store.forEachEvent(CRMStore.EventFilter(), includeRaw: true) { e in
                out += (e.event.text ?? "") + "\n" + (e.event.quotedText ?? "") + "\n" + String(decoding: e.event.raw, as: UTF8.self) + "\n"
                out += e.event.author.map { JSONValue.object($0.profile).jsonText } ?? ""
            }
            for r in try store.feed(since: 0) { out += r.record.body + "\n" }
            for t in try store.tickets(limit: 10_000) { out += (t.subject ?? "") + "\n" }
            return out
        }
        let before = try everything()
        #expect(before.contains(TrustWorld.nickname) && before.contains(TrustWorld.complaint),
                "the fixture holds the data, readable with the key")
        #expect(try store.customer(platform: "weibo", uid: "5500000001") == "C1")

        _ = try #require(try CustomerErasure(store: store, config: pipeline.configuration.profile)
            .erase("C1", now: TrustWorld.now, auditUID: 1000))
        let after = try everything()
        for needle in needles { #expect(!after.contains(needle), "found \(needle) through the key") }
        #expect(!after.contains(TrustWorld.escaped(TrustWorld.nickname)))
        let profiles = CustomerProfiles(store: store, config: pipeline.configuration.profile)
        #expect(try profiles.search(.phone(TrustWorld.phone), now: TrustWorld.now).isEmpty)
        #expect(try store.customer(platform: "weibo", uid: "5500000001") == nil)
        let check = try TrustWorld.rebuildCheck(store, pipeline)
        #expect(check.differences.isEmpty, "\(check.json)")
        #expect(try TrustWorld.aggregatesRefoldEqual(store))
    }

    /// A user's delete on the platform does for that post what an erasure does: its words leave the
    /// event, the payloads and the feed; the profile and aggregates it counted in stay.
    @Test(arguments: [false, true]) func aPlatformDeleteRemovesThePost(deleteFirst: Bool) throws {
        let (path, remove) = CRM.scratch("platform-delete")
        defer { remove() }
        let (store, pipeline) = try TrustWorld.make(path)
        let text = "这个手机电池太不耐用了，大家避雷"
        func push(_ verb: String) -> Payload {
            Payload(#"{"id":1211260020031346,"text":{"type":"status","event":"\#(verb)","status":{"created_at":"Sat Dec 20 12:00:00 +0800 2025","id":5014000000000009,"idstr":"5014000000000009","text":"\#(text)","user":{"id":5500000002,"idstr":"5500000002","screen_name":"大锤哥"}}}}"#)
        }
        let order = deleteFirst ? [push("delete"), push("add")] : [push("add"), push("delete")]
        for payload in order { _ = try pipeline.ingest([payload], platform: .weibo) }
        let post = try #require(try CRM.events(store).first { $0.event.eventID == "5014000000000009" })
        #expect(post.event.text == nil && post.redaction?.reason == "platform_delete")
        #expect(post.redaction?.textLength == text.count)
        #expect(post.deletedAt != nil)
        #expect(try TrustWorld.rebuildCheck(store, pipeline).differences.isEmpty)
        #expect(try TrustWorld.aggregatesRefoldEqual(store))
        try store.compact()
        #expect(TrustWorld.fileBytes(path).range(of: Data(text.utf8)) == nil)
        #expect(TrustWorld.fileBytes(path).range(of: Data("强烈安利这款粉底液".utf8)) != nil)
    }
}

@Suite struct RetentionTests {
    static let key = PseudonymKey(bytes: Array(repeating: 7, count: 32))

    /// The dry run counts exactly what the run then does; old social events lose their words,
    /// authors last seen before the cutoff get the keyed pseudonym, recent data and CRM records
    /// stay, and the profiles and aggregates refold to what is stored.
    @Test func retentionAnonymizesOldSocialDataAndKeepsWhatDerivesFromIt() throws {
        let (path, remove) = CRM.scratch("retention")
        defer { remove() }
        let (store, pipeline) = try TrustWorld.make(path)
        let retention = Retention(store: store, config: pipeline.configuration.profile, key: Self.key)
        let digest = try store.aggregateDigest()
        var profiles: [String: CRMStore.StoredProfile] = [:]
        try store.forEachProfile { profiles[$0] = $1 }

        let preview = try retention.run(now: TrustWorld.now, dryRun: true)
        #expect(preview.tables["events"] == 3 && preview.tables["texts"] == 3 && preview.tables["payloads"] == 3)
        // 5500000003 wrote only in August; the others wrote in December too.
        #expect(preview.tables["identities"] == 1)
        #expect((preview.tables["feed"] ?? 0) > 0 && (preview.tables["tickets"] ?? 0) > 0)
        #expect(try CRM.events(store).allSatisfy { $0.redaction == nil && $0.event.text != nil }, "a dry run changed the store")

        let applied = try retention.run(now: TrustWorld.now)
        #expect(applied.tables == preview.tables && !applied.dryRun)
        let events = try CRM.events(store)
        let old = events.filter { $0.event.occurredAt < TrustWorld.now - Retention.defaultAge }
        #expect(old.count == 3 && old.allSatisfy { $0.event.text == nil && $0.redaction?.reason == "retention" })
        #expect(old.allSatisfy { $0.event.author?.profile["nickname"] == nil })
        #expect(events.filter { $0.event.occurredAt >= TrustWorld.now - Retention.defaultAge }.allSatisfy { $0.event.text != nil })
        let pseudonym = Self.key.identity("weibo:5500000003")
        #expect(events.first { $0.event.eventID.hasSuffix("4") }?.identity == pseudonym)
        #expect(try store.customer(forKey: "phone:+86" + TrustWorld.phone) == "C1")

        var after: [String: CRMStore.StoredProfile] = [:]
        try store.forEachProfile { after[$0] = $1 }
        #expect(after == profiles)
        #expect(try store.aggregateDigest() == digest)
        #expect(try TrustWorld.rebuildCheck(store, pipeline).differences.isEmpty)
        #expect(try TrustWorld.aggregatesRefoldEqual(store))
        try store.compact()
        let bytes = TrustWorld.fileBytes(path)
        for gone in ["旧时光", "物流太慢了", "5500000003"] {
            #expect(bytes.range(of: Data(gone.utf8)) == nil, "found \(gone)")
        }

        // Idempotent; and the same author seen again, once old, is the same pseudonym: one row.
        #expect(!(try retention.run(now: TrustWorld.now).changedAnything))
        _ = try pipeline.ingest([TrustWorld.comment(9, uid: "5500000003", nick: "旧时光", text: "还行吧", at: TrustWorld.recent)],
                                platform: .weibo)
        let later = TrustWorld.now + 200 * 86_400_000
        let second = try retention.run(now: later, dryRun: false)
        #expect(second.tables["identities"] ?? 0 >= 1)
        let rows = try CRM.events(store).filter { $0.event.author?.uid.hasPrefix("~") == true && $0.identity == pseudonym }
        #expect(rows.count == 2)
        #expect(try TrustWorld.rebuildCheck(store, pipeline).differences.isEmpty)
    }

    @Test func pseudonymsAreKeyedStableAndTheKeyFileIsPrivate() throws {
        let a = Self.key.identity("weibo:123"), b = Self.key.identity("weibo:123")
        #expect(a == b && a.hasPrefix("weibo:~") && a.count == "weibo:~".count + 20)
        #expect(PseudonymKey(bytes: Array(repeating: 8, count: 32)).identity("weibo:123") != a)
        let file = NSTemporaryDirectory() + "qingting-key-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let made = try PseudonymKey.load(file)
        #expect(try PseudonymKey.load(file).identity("x:1") == made.identity("x:1"))
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let error = #expect(throws: QingtingError.self) { _ = try PseudonymKey.load(file) }
        #expect(error?.description.contains("chmod 600") == true)
        #expect(try Retention.age("90d") == 90 * 86_400_000 && Retention.age("36h") == 36 * 3_600_000)
        #expect(throws: QingtingError.self) { _ = try Retention.age("soon") }
    }
}

@Suite struct ConsentTests {
    /// An opt-out set by a person shows in the customer view with who and when, blocks the coupon,
    /// and picks the template variant without the offer (audience exports read the same
    /// `MarketingConsent.refuses`: ReportStoreTests).
    @Test func anOptOutIsShownAndHonouredByRulesTemplatesAndAudiences() throws {
        let (path, remove) = CRM.scratch("consent")
        defer { remove() }
        let (store, pipeline) = try TrustWorld.make(path)
        let set = try #require(try CustomerConsent.set(store: store, id: "C1", choice: "opt-out", by: "客服小王",
                                                       at: TrustWorld.now))
        #expect(set.contains(#""marketing":"opt_out","opted_out":true,"changed_by":"客服小王","changed_at":"2026-01-01T00:00:00.000Z""#))
        #expect(try CustomerConsent.set(store: store, id: "C404", choice: "granted", by: "x", at: 0) == nil)
        #expect(throws: QingtingError.self) { _ = try CustomerConsent.set(store: store, id: "C1", choice: "maybe", by: "x", at: 0) }

        let profiles = CustomerProfiles(store: store, config: pipeline.configuration.profile)
        let view = try JSONValue.parse(try #require(try profiles.show("C1", now: TrustWorld.now)))
        #expect(view["consent"] == .object(["marketing": .string("opt_out"), "opted_out": .bool(true),
                                            "changed_by": .string("客服小王"), "changed_at": .string("2026-01-01T00:00:00.000Z")]))
        let other = try JSONValue.parse(try #require(try profiles.show("C2", now: TrustWorld.now)))
        #expect(other["consent"]?["opted_out"] == .bool(false) && other["consent"]?["marketing"] == .null)

        let late = "Wed Dec 31 10:00:00 +0800 2025"
        _ = try pipeline.ingest([
            TrustWorld.comment(20, uid: "5500000001", nick: "小雨", text: "你们家的东西还可以", at: late),
            TrustWorld.comment(21, uid: "5500000002", nick: "大锤哥", text: "你们家的东西还可以", at: late),
        ], platform: .weibo)
        let records = try store.feed(since: 0).filter { $0.record.rule == "offer" && $0.record.at >= 1_767_146_400_000 }
        func record(_ customer: String, _ action: String) -> CRMStore.FeedRecord? {
            records.first { $0.record.customer == customer && $0.record.action == action }
        }
        #expect(record("C1", "coupon")?.record.status == "blocked")
        #expect(record("C1", "coupon")?.record.body.contains(#""reason":"no_consent""#) == true)
        #expect(record("C2", "coupon")?.record.status == "queued")
        #expect(record("C1", "reply")?.record.body.contains("感谢您的反馈。") == true)
        #expect(record("C2", "reply")?.record.body.contains("领取回归礼券！") == true)
    }
}
