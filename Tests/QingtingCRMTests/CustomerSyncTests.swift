import Foundation
import GRDB
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import Testing

@testable import QingtingStore

/// CRM customer sync: the default schema, normalization, dedupe on the unified key, idempotent
/// re-imports, field-level changes, the two conflict policies, bindings and their errors.
@Suite struct CustomerSyncTests {
    static let export = [
        #"{"id":"C1","name":"王小明","phone":"+86 138-1234-5678","email":" Wang.XM@QQ.com ","gender":"男","city":"上海","birthday":"1990/3/7","level":"gold","identities":[{"platform":"weibo","uid":"1404376560"},{"platform":"wechat","uid":"oX1"}],"updated_at":"2025-01-01T00:00:00Z"}"#,
        #"{"id":"C2","name":"李雪","phone":"13900000000","level":"silver","updated_at":1735689600000}"#,
    ]

    func run(
        _ store: CRMStore, _ lines: [String], mapping: CustomerMapping = .default, suffix: String = ".jsonl",
        now: Int64 = CRM.now
    ) throws -> (CustomerSync.Summary, [String]) {
        let file = try CRM.file(lines, suffix: suffix)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var rejected: [String] = []
        let summary = try CustomerSync(store: store, mapping: mapping, source: "crm", now: now)
            .run(files: [file]) { rejected.append($0.description.replacingOccurrences(of: file, with: "FILE")) }
        return (summary, rejected)
    }

    func customer(_ store: CRMStore, _ id: String) throws -> CRMStore.CustomerState? {
        try store.write(now: CRM.now) { try $0.customer(id) }
    }

    @Test func theDefaultSchemaImportsNormalizedAndReimportingChangesNothing() throws {
        let (path, remove) = CRM.scratch("import")
        defer { remove() }
        let store = try CRMStore(path: path)
        let (first, rejected) = try run(store, Self.export)
        #expect(rejected.isEmpty)
        #expect(first.records == 2 && first.created == 2 && first.updated == 0 && first.bindingsAdded == 2)
        let c1 = try #require(try customer(store, "C1"))
        #expect(
            c1.fields == [
                "name": "王小明", "phone": "+8613812345678", "email": "wang.xm@qq.com", "gender": "m",
                "city": "上海", "birthday": "1990-03-07", "level": "gold",
            ])
        #expect(c1.provenance["level"] == CRMStore.Provenance(source: "crm", updatedAt: 1_735_689_600_000))
        #expect(try store.write(now: CRM.now) { try $0.binding(platform: "weibo", uid: "1404376560") } == "C1")
        #expect(try store.write(now: CRM.now) { try $0.customer(forKey: "phone:+8613812345678") } == "C1")

        let (again, _) = try run(store, Self.export, now: CRM.now + 1000)
        #expect(again.created == 0 && again.updated == 0 && again.unchanged == 2 && again.changes.isEmpty)
        #expect(again.bindingsAdded == 0 && again.fields.isEmpty)
        // Nothing rewritten: the provenance rows keep their first import time.
        let imported = try store.pool.read {
            try Int64.fetchAll($0, sql: "SELECT DISTINCT imported_at FROM customer_fields")
        }
        #expect(imported == [CRM.now])
    }

    @Test func aChangedExportUpdatesOnlyWhatChangedAndSaysSo() throws {
        let (path, remove) = CRM.scratch("changed")
        defer { remove() }
        let store = try CRMStore(path: path)
        _ = try run(store, Self.export)
        var changed = Self.export
        changed[1] =
            #"{"id":"C2","name":"李雪","phone":"13900000000","level":"gold","city":"北京","updated_at":1735776000000}"#
        let (summary, _) = try run(store, changed)
        #expect(summary.updated == 1 && summary.unchanged == 1 && summary.created == 0)
        #expect(summary.changes.map(\.customer) == ["C2"])
        #expect(summary.changes.first?.fields.sorted() == ["city", "level"])
        #expect(summary.fields == ["level": 1, "city": 1] || summary.fields == ["city": 1, "level": 1])
        // The summary names fields, never values.
        #expect(!summary.json.contains("北京") && !summary.json.contains("gold"))
        #expect(try customer(store, "C2")?.fields["level"] == "gold")
    }

    @Test func aRecordWithAnotherIdButTheSameKeyIsMergedIntoItsCustomer() throws {
        let (path, remove) = CRM.scratch("merge")
        defer { remove() }
        let store = try CRMStore(path: path)
        _ = try run(store, Self.export)
        // Another system's id for the same person, found by the e-mail.
        let (summary, _) = try run(store, [#"{"id":"SHOP-9","email":"wang.xm@qq.com","level":"platinum"}"#])
        #expect(summary.merged == 1 && summary.created == 0)
        #expect(
            summary.changes.first.map { ($0.customer, $0.record, $0.action) } ?? ("", "", "") == (
                "C1", "SHOP-9", "merged"
            ))
        #expect(try customer(store, "SHOP-9") == nil)
        #expect(try customer(store, "C1")?.fields["level"] == "platinum")
        // Its id now finds C1 too, so the next import of that system merges again without a key.
        let (next, _) = try run(store, [#"{"id":"SHOP-9","level":"platinum"}"#])
        #expect(next.unchanged == 1)
        // The merge is in the feed once, for subscribers; a re-import adds nothing.
        let feed = try store.feed(since: 0)
        #expect(feed.map(\.record.kind) == ["merge"])
        #expect(feed.first?.record.customer == "C1")
        #expect(feed.first?.record.body == #"{"record":"SHOP-9","by":"email"}"#)
    }

    @Test func anIdentityMovedToAnotherCustomerIsASplitInTheFeed() throws {
        let (path, remove) = CRM.scratch("split")
        defer { remove() }
        let store = try CRMStore(path: path)
        _ = try run(store, Self.export)
        let (summary, _) = try run(store, [#"{"id":"C2","identities":[{"platform":"wechat","uid":"oX1"}]}"#])
        #expect(summary.bindingsMoved == 1)
        let feed = try store.feed(since: 0)
        #expect(feed.map(\.record.kind) == ["split"])
        #expect(feed.first?.record.customer == "C1")
        #expect(feed.first?.record.body == #"{"identity":"wechat:oX1","to":"C2","record":"C2"}"#)
        _ = try run(store, [#"{"id":"C2","identities":[{"platform":"wechat","uid":"oX1"}]}"#])
        #expect(try store.feed(since: 0).count == 1)
    }

    @Test func latestWinsKeepsANewerValueAndCrmMasterAlwaysWins() throws {
        let (path, remove) = CRM.scratch("policy")
        defer { remove() }
        let store = try CRMStore(path: path)
        let mapping = try CustomerMapping.parse(
            Array(
                """
                id\tmember_no
                name\treal_name
                level\tvip\tcrm_master
                city\tcity
                policy\tlatest_wins
                updated_at\tmodified
                time_zone\t+08:00
                identity.douyin\tdouyin_open_id
                """.utf8), path: "m.tsv")
        let header = "member_no,real_name,vip,city,modified,douyin_open_id"
        _ = try run(store, [header, "M1,赵六,silver,广州,2025-06-01 12:00:00,dy-1"], mapping: mapping, suffix: ".csv")
        #expect(try customer(store, "M1")?.fields == ["name": "赵六", "level": "silver", "city": "广州"])
        #expect(try customer(store, "M1")?.provenance["city"]?.updatedAt == Timestamp.millis("2025-06-01T04:00:00Z"))
        #expect(try store.write(now: CRM.now) { try $0.binding(platform: "douyin", uid: "dy-1") } == "M1")
        // An older export: latest_wins keeps the newer city, crm_master takes the level anyway.
        let (older, _) = try run(
            store, [header, "M1,赵六,bronze,深圳,2025-01-01 12:00:00,dy-1"], mapping: mapping,
            suffix: ".csv")
        #expect(older.changes.first?.fields == ["level"])
        #expect(try customer(store, "M1")?.fields["city"] == "广州")
        #expect(try customer(store, "M1")?.fields["level"] == "bronze")
        // A newer one replaces it.
        _ = try run(store, [header, "M1,赵六,bronze,深圳,2025-07-01 12:00:00,dy-1"], mapping: mapping, suffix: ".csv")
        #expect(try customer(store, "M1")?.fields["city"] == "深圳")
    }

    @Test func badRecordsAndMappingsAreReportedByLineWithoutValues() throws {
        let (path, remove) = CRM.scratch("bad")
        defer { remove() }
        let store = try CRMStore(path: path)
        let (summary, rejected) = try run(
            store,
            [
                #"{"name":"无名"}"#,
                #"{"id":"C9","updated_at":"yesterday"}"#,
                #"{"id":"C8","identities":[{"platform":"myspace","uid":"u1"}]}"#,
                "not json",
                #"{"id":"C7","name":"好"}"#,
            ])
        #expect(summary.rejected == 4 && summary.created == 1 && summary.records == 5)
        #expect(
            rejected == [
                "FILE:1: no customer id in 'id'",
                "FILE:2: 'updated_at' is not a time (ISO 8601 with a zone, epoch ms, or yyyy-MM-dd HH:mm:ss with a time_zone in the mapping)",
                "FILE:3: identities[0]: unknown platform",
                "FILE:4: not valid JSON: invalid literal (byte offset 0)",
            ])
        #expect(rejected.allSatisfy { !$0.contains("无名") && !$0.contains("myspace") && !$0.contains("yesterday") })
        let error = #expect(throws: QingtingErrors.self) {
            _ = try CustomerMapping.parse(
                Array("name\tnm\tsometimes\nshoe_size\tss\nidentity.myspace\tm\n".utf8), path: "m.tsv")
        }
        #expect(
            error?.errors.map(\.description) == [
                "m.tsv:1: unknown policy 'sometimes' (crm_master, latest_wins)",
                "m.tsv:2: unknown target 'shoe_size' (targets: id, account_manager, birthday, city, consent, email, gender, level, name, phone, unionid, identities, identity.<platform>, updated_at, time_zone, policy)",
                "m.tsv:3: 'identity.myspace' names no platform (identity.weibo, identity.wechat, …)",
                "m.tsv: no 'id' mapping (required)",
            ])
    }
}
