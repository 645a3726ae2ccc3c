import Foundation
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingProfile
import QingtingStore
import Testing

/// Profiles kept in the store as events land: rebuild equals incremental over random streams in
/// random batches, the unified view, search, and a person's tag decisions surviving a rebuild.
@Suite struct ProfileStoreTests {
    static let mapping = try! FieldMapping.parse(
        json: Array(#"{"event_id":"id","uid":"user","text":"body","time":"at","time_format":"unix_ms","kind":"type","author":{"phone":"phone"},"metrics":{"amount":"amount","view_seconds":"secs"}}"#.utf8),
        path: "mapping.json")

    static let customers = (1...4).map { i in
        #"{"id":"C\#(i)","name":"顾客\#(i)","phone":"1381234000\#(i)","gender":"\#(i % 2 == 0 ? "女" : "男")","city":"上海","updated_at":"2025-06-01T00:00:00Z"}"#
    }

    static let texts = ["想买个新手机，哪个牌子好", "客服态度太差，我要投诉", "强烈安利这款粉底液", "物流太慢了", "还行吧", "这款耳机音质真好"]
    static let kinds = ["comment", "dm", "like", "share", "view", "order", "visit", "post", "reply"]

    /// A generic export line: an event of author `u<user>` (u5 is no customer's).
    static func line(id: Int, user: Int, kind: String, at: Int64, text: String?, amount: Int?, seconds: Int?) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("id", "e\(id)")
            w.member("user", "u\(user)")
            // Authors u1…u4 carry their customer's phone (the deterministic rule links them); u5 is no one's.
            if user <= 4 { w.member("phone", "1381234000\(user)") }
            w.member("type", kind)
            w.member("at", at)
            if let text { w.member("body", text) }
            if let amount { w.member("amount", amount) }
            if let seconds { w.member("secs", seconds) }
        }
        return w.text
    }

    static func importCustomers(_ store: CRMStore) throws {
        let file = try CRM.file(customers)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try CustomerSync(store: store, mapping: .default, source: "crm", now: CRM.now).run(files: [file]) { _ in }
    }

    static func pipeline(_ store: CRMStore) -> EventPipeline { CRM.pipeline(store, mapping: mapping) }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func rebuildEqualsIncrementalOverRandomStreamsInRandomBatches(seed: UInt64) throws {
        let (path, remove) = CRM.scratch("profile-prop")
        defer { remove() }
        let store = try CRMStore(path: path, durability: .normal)
        try Self.importCustomers(store)
        var rng = SplitMix64(seed: seed)
        let base: Int64 = 1_735_689_600_000  // 2025-01-01
        var lines: [String] = []
        for i in 0..<(40 + rng.below(80)) {
            let kind = Self.kinds[rng.below(Self.kinds.count)]
            let writes = ["comment", "dm", "post", "reply"].contains(kind)
            // Times out of order on purpose: a late export, a replayed webhook.
            lines.append(Self.line(
                id: i, user: 1 + rng.below(5), kind: kind, at: base + Int64(rng.below(300)) * 3_600_000,
                text: writes ? Self.texts[rng.below(Self.texts.count)] : nil,
                amount: kind == "order" ? 50 + rng.below(2000) : nil, seconds: kind == "view" ? rng.below(600) : nil))
            if rng.below(10) == 0, let again = lines.randomElement(using: &rng) { lines.append(again) }  // a retry
        }
        let pipeline = Self.pipeline(store)
        var at = 0
        while at < lines.count {
            let n = 1 + rng.below(17)
            let batch = lines[at..<min(at + n, lines.count)].map { Payload($0) }
            _ = try pipeline.ingest(batch, platform: .generic)
            at += n
        }
        #expect(try store.count("profiles") > 0)
        let rebuild = ProfileRebuild(store: store, config: pipeline.configuration.profile)
        let check = try rebuild.run(check: true)
        #expect(check.differences.isEmpty, "\(check.json)")
        #expect(check.customers == (try store.count("profiles")))

        // Rebuilding writes the same bytes; a configuration of another version shows as a difference.
        var before: [String: CRMStore.StoredProfile] = [:]
        try store.forEachProfile { before[$0] = $1 }
        _ = try rebuild.run(check: false)
        var after: [String: CRMStore.StoredProfile] = [:]
        try store.forEachProfile { after[$0] = $1 }
        #expect(before == after)
        var other = pipeline.configuration.profile
        other.version = "1111111111111111"
        other.engagement.halfLifeDays = 3
        let stale = try ProfileRebuild(store: store, config: other).run(check: true)
        #expect(stale.differences.count == before.count)
        #expect(stale.differences.allSatisfy { $0.what == "config" })
    }

    @Test func theUnifiedViewSearchAndTagDecisions() throws {
        let (path, remove) = CRM.scratch("profile-view")
        defer { remove() }
        let store = try CRMStore(path: path)
        try Self.importCustomers(store)
        let day: Int64 = 86_400_000
        let t: Int64 = 1_766_000_000_000
        let lines = [
            Self.line(id: 1, user: 1, kind: "comment", at: t, text: "想买个新手机，哪个牌子好", amount: nil, seconds: nil),
            Self.line(id: 2, user: 1, kind: "order", at: t + day, text: nil, amount: 2999, seconds: nil),
            Self.line(id: 3, user: 1, kind: "order", at: t + 2 * day, text: nil, amount: 199, seconds: nil),
            Self.line(id: 4, user: 5, kind: "comment", at: t, text: "还行吧", amount: nil, seconds: nil),
        ]
        let pipeline = Self.pipeline(store)
        _ = try pipeline.ingest(lines.map { Payload($0) }, platform: .generic)
        let profiles = CustomerProfiles(store: store, config: pipeline.configuration.profile)
        let now = t + 3 * day
        let json = try #require(try profiles.show("C1", now: now))
        let value = try JSONValue.parse(json)
        #expect(value["id"] == .string("C1"))
        #expect(value["fields"]?["phone"]?["value"] == .string("+8613812340001"))
        #expect(value["fields"]?["phone"]?["source"] == .string("crm"))
        #expect(value["identities"] == .array([.object([
            "platform": .string("generic"), "uid": .string("u1"), "status": .string("confirmed"),
            "probability": .number("1"), "rule": .string("verified_phone"),
        ])]))
        guard case .array(let events)? = value["events"] else { Issue.record("no events"); return }
        #expect(events.count == 3)
        #expect(value["journey"]?["stage"] == .string("忠诚"))
        #expect(value["activity"]?["orders"] == .number("2"))
        guard case .array(let tags)? = value["tags"] else { Issue.record("no tags"); return }
        let key = tags.first { $0["tag"] == .string("高价值客户") }
        #expect(key?["status"] == .string("pending"))
        #expect(tags.contains { $0["tag"] == .string("性别:男") })
        // Show is a pure function of the store and --now.
        #expect(try profiles.show("C1", now: now) == json)
        #expect(try profiles.show("C9", now: now) == nil)

        #expect(try profiles.search(.phone("138 1234 0001"), now: now) == ["C1"])
        #expect(try profiles.search(.name("顾客2"), now: now) == ["C2"])
        #expect(try profiles.search(.identity(platform: "generic", uid: "u1"), now: now) == ["C1"])
        #expect(try profiles.search(.tag("高价值客户"), now: now) == ["C1"])
        #expect(try profiles.search(.email("nobody@example.com"), now: now) == [])

        // A person's decision is kept through a rebuild and no rule overrides it.
        try profiles.decide("C1", tag: "高价值客户", confirm: false, at: now)
        _ = try ProfileRebuild(store: store, config: profiles.config).run(check: false)
        let after = try JSONValue.parse(try #require(try profiles.show("C1", now: now)))
        guard case .array(let tagsAfter)? = after["tags"] else { Issue.record("no tags"); return }
        let decided = tagsAfter.first { $0["tag"] == .string("高价值客户") }
        #expect(decided?["status"] == .string("rejected"))
        #expect(decided?["provenance"]?["by"] == .string("person"))
        #expect(try profiles.search(.tag("高价值客户"), now: now) == [])
        #expect(throws: QingtingError.self) { try profiles.decide("C1", tag: "近期活跃", confirm: true, at: now) }

        // Segments: C1 bought and was seen within 30 days; the positive posts come with --positive-posts.
        let segments = ProfileSegments(profiles)
        let buyers = try JSONValue.parse(try #require(try segments.membersJSON("recent_buyers", now: now)))
        #expect(buyers["count"] == .number("1"))
        #expect(buyers["members"]?.jsonText.contains(#""id":"C1""#) == true)
        let list = try JSONValue.parse(try segments.listJSON(now: now))
        guard case .array(let all)? = list["segments"] else { Issue.record("no segments"); return }
        #expect(all.map { $0["name"]?.stringValue ?? "" } == profiles.config.segments.map(\.name))
        #expect(try segments.membersJSON("nope", now: now) == nil)
    }
}
