import Foundation
import Dispatch
import GRDB
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingMatch
import TestSupport
import Testing

@testable import QingtingStore

/// One event's path: adapter → dedupe → analyse → resolve → append, acknowledged after commit.
@Suite struct EventPipelineTests {
    @Test func anEventIsStoredOnceAndItsRetryIsADuplicate() throws {
        let (path, remove) = CRM.scratch("dedupe")
        defer { remove() }
        let store = try CRMStore(path: path)
        let pipeline = CRM.pipeline(store)
        let payload = CRM.payloads("weibo/comments.jsonl")[0]
        let first = try pipeline.ingest([payload], platform: nil)
        #expect(first.map { $0.events.map(\.status) } == [[.stored, .stored]])
        #expect(first[0].events.map(\.eventID) == ["3317351000000001", "3317400000000003"])
        #expect(first[0].events.compactMap(\.seq) == [1, 2])
        // The retry (and the same payload twice in one batch) stores nothing new.
        let retry = try pipeline.ingest([payload, payload], platform: .weibo)
        #expect(retry.flatMap { $0.events.map(\.status) } == [.duplicate, .duplicate, .duplicate, .duplicate])
        #expect(try store.count("events") == 2)
        #expect(try store.count("payloads") == 1)  // a payload all of whose events are duplicates is not kept again
        let health = try store.syncHealth()
        #expect(health.count == 1)
        #expect(health.first.map { ($0.received, $0.stored, $0.duplicates) } ?? (0, 0, 0) == (3, 2, 4))
    }

    @Test func storedEventsCarryTheirAnalysisModelsAndRawPayload() throws {
        let (path, remove) = CRM.scratch("analysis")
        defer { remove() }
        let store = try CRMStore(path: path)
        _ = try CRM.pipeline(store).ingest(CRM.payloads("weibo/comments.jsonl"), platform: nil)
        var rows: [CRMStore.StoredEvent] = []
        try store.forEachEvent(includeRaw: true) { rows.append($0) }
        let complaint = try #require(rows.first { $0.event.eventID == "3317400000000003" })
        #expect(complaint.event.text == "客服态度太差，我要投诉")
        let analysis = try JSONValue.parse(try #require(complaint.analysis))
        #expect(analysis["sentiment"] == .string("negative"))
        #expect(analysis["tags"]?.jsonText.contains("#投诉#") == true)
        #expect(complaint.models == CRM.analyzer.fingerprint && complaint.models?.count == 16)
        #expect(String(decoding: complaint.event.raw, as: UTF8.self) == CRM.payloads("weibo/comments.jsonl")[0].text)
        #expect(complaint.committedAt >= complaint.event.receivedAt)
        let line = try JSONValue.parse(EventLogOutput.line(complaint))
        #expect(line["analysis"]?["models"] == .string(CRM.analyzer.fingerprint))
        #expect(line["customer"] == .null && line["event_id"] == .string("3317400000000003"))
    }

    /// A batch is one transaction: when its commit fails nothing of it is in the log, and the
    /// caller gets an error instead of results, so nothing is acknowledged.
    @Test func nothingIsAcknowledgedWhenTheCommitFails() throws {
        let (path, remove) = CRM.scratch("ack")
        defer { remove() }
        let store = try CRMStore(path: path)
        try store.pool.write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_id = '3317400000000003'
                    BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                    """)
        }
        let pipeline = CRM.pipeline(store)
        let good = CRM.payloads("wechat/messages.xml")[0]
        #expect(throws: QingtingError.self) {
            _ = try pipeline.ingest([good, CRM.payloads("weibo/comments.jsonl")[0]], platform: nil)
        }
        #expect(try store.count("events") == 0 && store.count("payloads") == 0 && store.count("sync_counts") == 0)
        try store.pool.write { try $0.execute(sql: "DROP TRIGGER poison") }
        // Acknowledged means visible to any other connection at once.
        let results = try pipeline.ingest([good], platform: nil)
        let other = try CRMStore(path: path)
        for e in results.flatMap(\.events) where e.status == .stored {
            #expect(try other.contains(platform: e.platform, eventID: e.eventID))
        }
        #expect(try other.integrityCheck() == ["ok"])
    }

    @Test func everyCommitSyncsTheWALByDefault() throws {
        let (path, remove) = CRM.scratch("durable")
        defer { remove() }
        // The writer connection is where commits happen.
        #expect(
            try CRMStore(path: path).pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
                == 2)  // FULL
        #expect(
            try CRMStore(path: path, durability: .normal).pool.writeWithoutTransaction {
                try Int.fetchOne($0, sql: "PRAGMA synchronous")
            } == 1)
        #expect(try CRMStore(path: path).pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }

    /// Bad input of every kind is refused with its reason, counted, and never stops the batch or
    /// harms the log.
    @Test func badInputIsRejectedCountedAndTheRestIsStored() throws {
        let (path, remove) = CRM.scratch("bad")
        defer { remove() }
        let store = try CRMStore(path: path)
        let pipeline = CRM.pipeline(store)
        let good = CRM.payloads("weibo/comments.jsonl")[0]
        let huge = Payload([UInt8](repeating: 0x20, count: 50 << 20))  // refused by its size before any parsing
        let cases: [(Payload, Platform?, String)] = [
            (Payload("{\"comments\":[{\"idstr\":"), nil, "invalid_json"),
            (Payload("<xml><ToUserName>gh"), nil, "invalid_xml"),
            (CRM.payloads("wechat/messages.xml")[0], .weibo, "wrong_platform"),
            (
                Payload(
                    #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","text":"hi","user":{"idstr":"1"}}]}"#),
                .weibo, "missing_id"
            ),
            (
                Payload(
                    #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2031","idstr":"9","text":"hi","user":{"idstr":"1"}}]}"#
                ), .weibo, "future_time"
            ),
            (
                Payload(
                    #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 1999","idstr":"9","text":"hi","user":{"idstr":"1"}}]}"#
                ), .weibo, "time_before_2000"
            ),
            (huge, nil, "payload_too_large"),
            (Payload([0x7B, 0x22, 0xFF, 0x22, 0x7D]), nil, "invalid_utf8"),
            (Payload(#"{"hello":"world"}"#), nil, "undetected_platform"),
        ]
        let results = try pipeline.append(
            [pipeline.prepare(good, platform: nil)]
                + cases.map { pipeline.prepare($0.0, platform: $0.1, location: "case") })
        #expect(results[0].events.map(\.status) == [.stored, .stored])
        for (result, (_, _, code)) in zip(results.dropFirst(), cases) {
            #expect(result.rejections.map(\.code.rawValue) == [code])
            #expect(result.rejections.first?.location == "case")
            #expect(result.events.isEmpty)
        }
        #expect(try store.count("events") == 2)
        var counted: [String: Int] = [:]
        for day in try store.syncHealth() { for (reason, n) in day.rejected { counted[reason, default: 0] += n } }
        #expect(counted == Dictionary(uniqueKeysWithValues: cases.map { ($0.2, 1) }))
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func authorsResolveByBindingKeyOrBecomeIdentities() throws {
        let (path, remove) = CRM.scratch("resolve")
        defer { remove() }
        let store = try CRMStore(path: path)
        let customers = try CRM.file([
            #"{"id":"C1","name":"张三","phone":"138 0013 8000","identities":[{"platform":"weibo","uid":"1404376560"}]}"#,
            #"{"id":"C2","name":"李四","unionid":"ozynqsulJFCZ2z1aYeS8h-nuasdAAA"}"#,
        ])
        _ = try CustomerSync(store: store, now: CRM.now).run(files: [customers]) { Issue.record("\($0)") }
        let pipeline = CRM.pipeline(store)
        let results = try pipeline.ingest(
            CRM.payloads("weibo/comments.jsonl") + [CRM.payloads("wecom/detail.jsonl")[0]], platform: nil)
        let events = results.flatMap(\.events)
        #expect(events.map(\.customer) == ["C1", nil, "C2"])
        let stored = try CRM.events(store)
        #expect(stored.map(\.linkRule) == ["binding", nil, "wechat_unionid"])
        // Every author is an identity row now; the bound one and the unionid one are confirmed.
        let identities = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, customer, rule, status FROM identities ORDER BY id")
                .map {
                    "\($0[0] as String)|\(($0[1] as String?) ?? "-")|\(($0[2] as String?) ?? "-")|\(($0[3] as String?) ?? "-")"
                }
        }
        #expect(
            identities == [
                "wecom:woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA|C2|wechat_unionid|confirmed",
                "weibo:1404376560|C1|binding|confirmed",
                "weibo:2222222222|-|-|-",
            ])
        // The unlinked author binds later: its earlier event is the customer's now.
        let later = try CRM.file([#"{"id":"C3","name":"路人甲","identities":[{"platform":"weibo","uid":"2222222222"}]}"#])
        _ = try CustomerSync(store: store, now: CRM.now).run(files: [later]) { Issue.record("\($0)") }
        let c3 = try CRM.events(store, CRMStore.EventFilter(customer: "C3"))
        #expect(c3.map(\.event.eventID) == ["3317400000000003"] && c3.first?.customer == "C3")
        // A known identity gives its customer at once.
        let again = try pipeline.ingest(
            [
                Payload(
                    #"{"comments":[{"created_at":"Wed Jun 01 09:00:00 +0800 2011","idstr":"4000","text":"好的","user":{"idstr":"2222222222"}}]}"#
                )
            ], platform: .weibo)
        #expect(again.flatMap(\.events).map(\.customer) == ["C3"])
    }

    @Test func eventsAreListedByCustomerPlatformAndTime() throws {
        let (path, remove) = CRM.scratch("list")
        defer { remove() }
        let store = try CRMStore(path: path)
        let pipeline = CRM.pipeline(store)
        _ = try pipeline.ingest(CRM.payloads("weibo/comments.jsonl") + CRM.payloads("x/posts.jsonl"), platform: nil)
        let all = try CRM.events(store)
        #expect(all.map(\.seq) == Array(1...Int64(all.count)))
        let weibo = try CRM.events(store, CRMStore.EventFilter(platform: .weibo))
        #expect(weibo.count == 2 && weibo.allSatisfy { $0.event.platform == .weibo })
        let june1 = Timestamp.millis("2011-06-01T00:00:00+08:00")!
        let morning = try CRM.events(store, CRMStore.EventFilter(since: june1, until: june1 + 4 * 3_600_000))
        #expect(morning.map(\.event.eventID) == ["3317351000000001"])
        #expect(try CRM.events(store, CRMStore.EventFilter(afterSeq: all.last!.seq)).isEmpty)
    }

    /// Edits and deletes are events of their own; the event they name shows when it was deleted.
    @Test func aDeleteIsAnEventAndMarksTheEventItDeletes() throws {
        let (path, remove) = CRM.scratch("delete")
        defer { remove() }
        let store = try CRMStore(path: path)
        let add = CRM.payloads("weibo/push.jsonl")[0]
        let delete = Payload(add.text.replacingOccurrences(of: #""event":"add""#, with: #""event":"delete""#))
        let results = try CRM.pipeline(store).ingest([add, delete, delete], platform: .weibo)
        #expect(results.flatMap(\.events).map(\.status) == [.stored, .stored, .duplicate])
        let events = try CRM.events(store)
        #expect(events.map(\.event.kind) == [.post, .delete])
        #expect(events[0].deletedAt == events[1].event.occurredAt && events[1].deletedAt == nil)
        #expect(events[1].analysis == nil)  // a delete carries no words to analyse
        #expect(try JSONValue.parse(EventLogOutput.line(events[0]))["deleted_at"] != nil)
    }

    @Test func replayReportsWhatNewModelsChangeAndAppliesIt() throws {
        let (path, remove) = CRM.scratch("replay")
        defer { remove() }
        let store = try CRMStore(path: path)
        _ = try CRM.pipeline(store).ingest(CRM.payloads("weibo/comments.jsonl"), platform: nil)
        // Stand in for an older model: the complaint was once stored as positive, with no intents.
        try store.pool.write { db in
            try db.execute(
                sql: """
                    UPDATE events SET analysis = '{"sentiment":"positive","intents":[],"category":null,"tags":["#正面情绪#"]}'
                    WHERE event_id = '3317400000000003'
                    """)
        }
        let report = try Replay(store: store, analyzer: CRM.analyzer).run(apply: true)
        #expect(report.events == 2 && report.analysed == 2 && report.changed == 1)
        #expect(report.changes["sentiment positive→negative"] == 1)
        #expect(report.changes["intent +complaint"] == 1)
        #expect(
            report.changedEvents.count == 1 && report.changedEvents[0].contains("\"event_id\":\"3317400000000003\""))
        #expect(report.applied)
        let again = try Replay(store: store, analyzer: CRM.analyzer).run(apply: false)
        #expect(again.changed == 0 && again.changes.isEmpty)
    }

    @Test func syncHealthMeasuresCompletenessAndLatency() throws {
        let (path, remove) = CRM.scratch("health")
        defer { remove() }
        let store = try CRMStore(path: path)
        let pipeline = CRM.pipeline(store)
        // A comment written a minute ago and one without text or nickname, just now.
        let now = EventPipeline.clock()
        func weibo(_ id: String, _ seconds: Int64, text: String?, nickname: String?) -> Payload {
            var user = #"{"idstr":"7"#
            if let nickname { user += #"","screen_name":"\#(nickname)"# }
            user += "\"}"
            let textMember = text.map { #","text":"\#($0)""# } ?? ""
            return Payload(
                #"{"comments":[{"created_at":"\#(Self.weiboTime(now - seconds * 1000))","idstr":"\#(id)"\#(textMember),"user":\#(user),"status":{"idstr":"1"}}]}"#
            )
        }
        var live = EventPipeline.Configuration()
        live.now = nil
        let clocked = EventPipeline(
            store: store, analyzer: CRM.analyzer, resolver: pipeline.resolver, configuration: live)
        _ = try clocked.ingest(
            [weibo("1", 60, text: "好", nickname: "甲"), weibo("2", 0, text: nil, nickname: nil)], platform: .weibo)
        let day = try #require(try store.syncHealth().first)
        // Comment: uid, text, parent, nickname expected; the second has uid and parent only.
        #expect(day.fieldsExpected == 8 && day.fieldsPresent == 6)
        #expect(day.completeness == 0.75)
        #expect((day.latencyMax ?? 0) >= 60_000 && (day.latencyMax ?? 0) < 70_000)
        #expect((day.latencyP50 ?? -1) >= 0 && (day.latencyP50 ?? 0) < 10_000)
        let json = try JSONValue.parse(EventLogOutput.syncStatus([day]))
        #expect(json["days"]?[0]?["meets_targets"]?["completeness"] == .bool(false))
        #expect(json["days"]?[0]?["meets_targets"]?["latency"] == .bool(true))
    }

    /// Weibo's `created_at` for a time in ms (at +0800).
    static func weiboTime(_ millis: Int64) -> String {
        let iso = Timestamp.iso8601(millis + 8 * 3_600_000)  // 2026-01-01T08:00:00.000Z read as local +0800
        let y = Int(iso.prefix(4))!
        let m = Int(iso.dropFirst(5).prefix(2))!
        let d = Int(iso.dropFirst(8).prefix(2))!
        let clock = String(iso.dropFirst(11).prefix(8))
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        // Zeller-free weekday: days since 1970-01-01 (a Thursday).
        let days = (millis + 8 * 3_600_000) / 86_400_000
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let dd = d < 10 ? "0\(d)" : "\(d)"
        return "\(weekdays[Int(days % 7)]) \(months[m - 1]) \(dd) \(clock) +0800 \(y)"
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, index < items.count else { return nil }
        return items[index]
    }
}

extension Payload {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The probabilistic step: authors scored online against the store's customers with a link model.
@Suite struct ProbabilisticResolutionTests {
    @Test func authorsWithoutABindingOrKeyAreLinkedByTheModel() throws {
        let (path, remove) = CRM.scratch("model")
        defer { remove() }
        let store = try CRMStore(path: path)
        let world = IdentityGenerator(customerCount: 300, seed: 5)
        let customers = try CRM.file(world.customerLines())
        _ = try CustomerSync(store: store, now: CRM.now).run(files: [customers]) { Issue.record("\($0)") }
        // A model trained on the same world (as `qingting link train` would).
        let identities = try CRM.file(world.identityLines())
        // The preset with fewer random pairs for u: the debug build trains in a second, not twenty.
        guard case .object(var top) = try JSONValue.parse(SocialPreset.settingsText) else { fatalError() }
        top["u_sample_pairs"] = .number("40000")
        let json = JSONValue.object(top)
        let settings = try LinkSettings(json: json, path: "social")
        let cities = try CityLexicon.load(path: "\(TestPaths.root)/Lexicons/cities.tsv")
        let records = try SocialPreset.loadRecords(
            customers: customers, identities: identities, settings: settings,
            cities: cities)
        let model = try LinkPipeline.run(records: records, model: nil, settings: settings, settingsJSON: json).model
        let modelPath = NSTemporaryDirectory() + "qingting-crm-model-\(UUID().uuidString.prefix(8)).json"
        try model.write(to: modelPath)
        defer { try? FileManager.default.removeItem(atPath: modelPath) }
        let resolver = try CustomerResolver.load(
            store: store, modelPath: modelPath,
            citiesPath: "\(TestPaths.root)/Lexicons/cities.tsv")
        #expect(resolver.index?.records.count == 300)

        // Each identity speaks once, through a generic export carrying its profile (no bindings).
        let mapping = try FieldMapping.parse(
            tsv: Array(
                """
                event_id\tuid
                uid\tuid
                author.nickname\tnickname
                author.phone\tphone
                author.email\temail
                author.city\tcity
                author.gender\tgender
                text\t=好的
                time\t=1767225000000
                time_format\tunix_ms
                kind\t=comment
                """.utf8), path: "m.tsv")
        let pipeline = CRM.pipeline(store, resolver: resolver, mapping: mapping)
        var truth: [String: String?] = [:]
        for line in world.truthLines() {
            let t = try JSONValue.parse(line)
            truth[t["uid"]!.stringValue ?? ""] = t["customer"]?.stringValue
        }
        let lines = world.identityLines()
        let results = try pipeline.append(lines.map { pipeline.prepare(Payload($0), platform: .generic) })
        let events = results.flatMap(\.events)
        #expect(events.count == lines.count && events.allSatisfy { $0.status == .stored })
        let stored = try CRM.events(store)
        let linked = stored.filter { $0.customer != nil }
        let right = linked.filter { truth[$0.event.author!.uid] == .some($0.customer) }
        let probabilistic = linked.filter { $0.linkRule == "probabilistic" }
        #expect(probabilistic.count > 20)
        #expect(Double(right.count) / Double(max(1, linked.count)) > 0.9)
        // The identity rows record the link and its explanation.
        let row = try store.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT status, explain FROM identities WHERE rule IS NULL AND customer IS NOT NULL")
        }
        #expect(row.map { $0[0] as String? } == "suggested")
        #expect(((row?[1] as String?) ?? "").contains("\"bits\""))
    }
}

/// Group commit: concurrent callers share transactions; each is answered after its commit, with
/// its own results, and a failed transaction acknowledges nothing of any batch in it.
@Suite struct CommitGroupTests {
    static func comment(_ id: Int) -> Payload {
        Payload(#"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","idstr":"g\#(id)","text":"第\#(id)条","user":{"idstr":"u\#(id % 5)"}}]}"#)
    }

    @Test func concurrentCallersShareCommitsAndGetTheirOwnResults() throws {
        let (path, remove) = CRM.scratch("group")
        defer { remove() }
        let store = try CRMStore(path: path)
        try store.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_id = 'g13'
                BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                """)
        }
        let pipeline = CRM.pipeline(store)
        let group = CommitGroup()
        let callers = 24
        let answers = ConcurrentSlots<[String]?>(count: callers)
        DispatchQueue.concurrentPerform(iterations: callers) { i in
            let prepared = pipeline.prepare([(Self.comment(i), nil), (Self.comment(i + 100), nil)], platform: .weibo)
            let results = try? group.append(prepared, with: pipeline)
            answers.set(i, results.map { $0.flatMap { $0.events.map { "\($0.eventID):\($0.status.rawValue)" } } })
        }
        var stored: Set<String> = []
        var commits: Set<Int64> = []
        try store.forEachEvent {
            stored.insert($0.event.eventID)
            commits.insert($0.committedAt)
        }
        for (i, answer) in answers.take().enumerated() {
            if let answer {
                // Its own two events, stored, and in the log.
                #expect(answer == ["g\(i):stored", "g\(i + 100):stored"])
                #expect(stored.contains("g\(i)") && stored.contains("g\(i + 100)"))
            } else {
                // Refused with the poisoned batch's transaction: none of it is in the log.
                #expect(!stored.contains("g\(i)") && !stored.contains("g\(i + 100)"))
            }
        }
        #expect(answers.take()[13] == nil)
        #expect(try store.integrityCheck() == ["ok"])
        #expect(commits.count <= callers)
    }
}
