import Foundation
import QingtingServer
import QingtingStore
import QingtingIngest
import TestSupport
import Testing
import QingtingCore

/// `event.ingest` and `sync.status` over the real socket, and the crash test: the server is
/// killed with SIGKILL at random moments while a client streams events, restarted, and the
/// client retries what was not acknowledged.
@Suite(.serialized) struct EventServerTests {
    static let fixtures = "\(TestPaths.root)/Tests/QingtingIngestTests/Fixtures"

    static func payloads(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: "\(fixtures)/\(name)", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// A folder that outlives the servers started on its store.
    static func storeFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "qingting-event-server-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func request(_ id: Int, _ method: String, _ params: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
    }

    static func results(_ line: String) throws -> [JSONValue] {
        guard case .array(let items)? = try JSONValue.parse(line)["result"]?["results"] else { return [] }
        return items
    }

    @Test func eventIngestAnswersAfterTheCommitInPayloadOrderAndSyncStatusCountsIt() throws {
        let folder = try Self.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let server = try ServerHarness(["--store", store])
        let weibo = Self.payloads("weibo/comments.jsonl")[0]
        let xml = Self.payloads("wechat/messages.xml")[0]
        let one = try Self.results(server.call(Self.request(1, "event.ingest", #"{"payload":\#(weibo)}"#)))
        #expect(one.map { $0["status"] } == [.string("stored"), .string("stored")])
        #expect(one.map { $0["event_id"] } == [.string("3317351000000001"), .string("3317400000000003")])
        // Acknowledged: another connection to the file sees both at once.
        let reader = try CRMStore(path: store)
        #expect(try reader.contains(platform: .weibo, eventID: "3317400000000003"))

        let xmlString = try #require(String(data: try JSONSerialization.data(withJSONObject: [xml], options: [.withoutEscapingSlashes]), encoding: .utf8))
        let verify = Self.payloads("douyin/verify.jsonl")[0]
        let many = try Self.results(server.call(Self.request(2, "event.ingest",
            #"{"payloads":[\#(weibo),\#(xmlString.dropFirst().dropLast()),"<xml>oops",{"hello":1},\#(verify)]}"#)))
        #expect(many.map { $0["status"]?.stringValue ?? "" } == ["duplicate", "duplicate", "stored", "rejected", "rejected", "ignored"])
        #expect(many.map { $0["payload"] } == [0, 0, 1, 2, 3, 4].map { .number("\($0)") })
        #expect(many[3]["reason"] == .string("invalid_xml") && many[4]["reason"] == .string("undetected_platform"))
        #expect(many[2]["platform"] == .string("wechat"))

        // An unknown platform refuses the payload (counted), it does not fail the call.
        let unknown = try Self.results(server.call(Self.request(3, "event.ingest", #"{"platform":"myspace","payload":{}}"#)))
        #expect(unknown.first?["reason"] == .string("unknown_platform"))
        let neither = try server.call(Self.request(4, "event.ingest", #"{"platform":"weibo"}"#))
        #expect(ServerIntegrationTests.errorCode(neither) == "-32602")

        let status = try server.result("sync.status", #"{"platform":"weibo"}"#)
        guard case .array(let days)? = status["days"] else { Issue.record("no days"); return }
        #expect(days.count == 1 && days[0]["stored"] == .number("2") && days[0]["duplicates"] == .number("2"))
        let all = try server.result("sync.status")
        guard case .array(let allDays)? = all["days"] else { Issue.record("no days"); return }
        let unknownDay = allDays.first { $0["platform"] == .string("unknown") }
        #expect(unknownDay?["rejected_by_reason"]?["unknown_platform"] == .number("1"))
        #expect(unknownDay?["rejected_by_reason"]?["invalid_xml"] == .number("1"))
        let badDay = try server.call(Self.request(5, "sync.status", #"{"since":"yesterday"}"#))
        #expect(ServerIntegrationTests.errorCode(badDay) == "-32602")

        let discover = try server.result("rpc.discover")
        guard case .array(let methods)? = discover["methods"] else { Issue.record("no methods"); return }
        let names = methods.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("event.ingest") && names.contains("sync.status"))
        server.stopAndReadErrors()

        // Without --store, both say what is missing.
        let bare = try ServerHarness()
        #expect(ServerIntegrationTests.errorCode(try bare.call(Self.request(1, "event.ingest", #"{"payload":{}}"#))) == "-32004")
        #expect(ServerIntegrationTests.errorCode(try bare.call(Self.request(2, "sync.status", "{}"))) == "-32004")
    }

    /// A client streams events while the server is SIGKILLed at random moments and restarted; the
    /// client re-sends whatever it had no answer for. Afterwards every acknowledged event is in the
    /// log exactly once, every retried one once, and the file passes `PRAGMA integrity_check`.
    @Test func killedAtRandomTheLogKeepsEveryAcknowledgedEventExactlyOnce() throws {
        let folder = try Self.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let total = 1500, kills = 4
        func payload(_ i: Int) -> String {
            #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","idstr":"crash-\#(i)","text":"第\#(i)条：发货太慢了","user":{"idstr":"u\#(i % 97)","screen_name":"用户\#(i % 97)"}}]}"#
        }
        var rng = SystemRandomNumberGenerator()
        var acknowledged: [Int: Int] = [:]  // event → times acknowledged (stored or duplicate)
        var storedAnswers: [Int: Int] = [:]  // event → times answered "stored"
        var retried = Set<Int>()
        var next = 0
        var unanswered: [Int] = []
        var killed = 0
        var id = 0

        while acknowledged.count < total {
            let server = try ServerHarness(["--store", store])
            let pid = server.process.processIdentifier
            let killer: Thread?
            if killed < kills {
                let delay = UInt32.random(in: 150_000...600_000, using: &rng)
                killer = Thread { usleep(delay); kill(pid, SIGKILL) }
                killer?.start()
                killed += 1
            } else {
                killer = nil
            }
            // Re-send what the last server never answered, then go on with new events.
            var queue = unanswered
            retried.formUnion(unanswered)
            unanswered = []
            let client = try? server.client()
            if client == nil { unanswered = queue }
            connection: while let client, acknowledged.count < total {
                if queue.isEmpty {
                    guard next < total else { break }
                    let n = Int.random(in: 1...8, using: &rng)
                    queue = Array(next..<min(total, next + n))
                    next += queue.count
                }
                let chunk = queue
                queue = []
                id += 1
                let line = Self.request(id, "event.ingest", "{\"platform\":\"weibo\",\"payloads\":[" + chunk.map(payload).joined(separator: ",") + "]}")
                do {
                    try client.send(line: line)
                    guard let answer = try client.readLine() else { throw QingtingError(.io, "closed") }
                    let results = try Self.results(answer)
                    guard results.count == chunk.count else { throw QingtingError(.io, "not an answer: \(answer.prefix(200))") }
                    for (i, result) in zip(chunk, results) {
                        acknowledged[i, default: 0] += 1
                        if result["status"] == .string("stored") { storedAnswers[i, default: 0] += 1 }
                    }
                } catch {
                    unanswered = chunk
                    break connection
                }
            }
            if let killer {
                while !killer.isFinished { usleep(10_000) }
            }
            if server.process.isRunning { server.stopAndReadErrors() } else { server.process.waitUntilExit() }
        }
        #expect(killed == kills)

        let log = try CRMStore(path: store)
        #expect(try log.integrityCheck() == ["ok"])
        var seen: [String: Int] = [:]
        try log.forEachEvent { seen[$0.event.eventID, default: 0] += 1 }
        #expect(seen.count == total)
        #expect(seen.values.allSatisfy { $0 == 1 })
        for i in 0..<total { #expect(seen["crash-\(i)"] == 1, "crash-\(i) missing") }
        // No event was answered "stored" twice: a retry of one committed before the kill is a duplicate.
        #expect(storedAnswers.values.allSatisfy { $0 == 1 })
        #expect(storedAnswers.count <= total && acknowledged.count == total)
        print("crash test: \(kills) kills, \(retried.count) events retried, \(retried.filter { storedAnswers[$0] == nil }.count) of them already committed before the kill")
    }
}
