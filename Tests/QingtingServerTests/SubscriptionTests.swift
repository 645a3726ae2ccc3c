import Foundation
import QingtingCore
import QingtingServer
import Synchronization
import TestSupport
import Testing

/// `alerts.subscribe` over the real socket: records stream as notifications in seq order, and a
/// subscriber that resumes with its last seq — after its own disconnect or the server's SIGKILL —
/// ends with every record exactly once.
@Suite(.serialized) struct SubscriptionTests {
    /// A rule file that raises one alert per post, so the feed grows with every event.
    static let rules = """
        rule every-post
          on post
          alert 收到一条帖子

        """

    static func post(_ i: Int) -> String {
        let id = 5_100_000_000_000_000 + i
        return #"{"created_at":"Mon Nov 30 10:00:00 +0800 2026","idstr":"\#(id)","text":"第\#(i)条：今天试了新款耳机","user":{"idstr":"\#(8000 + i % 17)","screen_name":"u"}}"#
    }

    /// One subscriber thread: connects, subscribes after its last seq, and records the seq of every
    /// `alerts.record` it reads; reconnects whenever the connection ends (a `flaky` one also drops
    /// its own connection every `flakyEvery` records).
    final class Subscriber: @unchecked Sendable {
        let socket: String
        let flakyEvery: Int?
        private let state = Mutex<(seqs: [Int64], stop: Bool, connects: Int)>(([], false, 0))
        private let done = DispatchSemaphore(value: 0)

        init(socket: String, flakyEvery: Int? = nil) {
            self.socket = socket
            self.flakyEvery = flakyEvery
            Thread.detachNewThread { self.run() }
        }

        var seqs: [Int64] { state.withLock { $0.seqs } }
        var connects: Int { state.withLock { $0.connects } }

        func stop() {
            state.withLock { $0.stop = true }
            done.wait()
        }

        private var stopped: Bool { state.withLock { $0.stop } }

        private func run() {
            defer { done.signal() }
            while !stopped {
                guard let client = try? UnixSocketClient(path: socket) else { usleep(20_000); continue }
                client.setReceiveTimeout(seconds: 1)
                let since = seqs.last ?? 0
                guard (try? client.send(line: #"{"jsonrpc":"2.0","id":1,"method":"alerts.subscribe","params":{"since":\#(since)}}"#)) != nil
                else { continue }
                state.withLock { $0.connects += 1 }
                var received = 0
                reading: while !stopped {
                    let line: String?
                    do { line = try client.readLine() } catch { continue }  // the 1 s timeout: look at `stopped`
                    guard let line, let value = try? JSONValue.parse(line) else { break }  // the server went
                    guard value["method"] == .string("alerts.record"), case .number(let n)? = value["params"]?["seq"],
                          let seq = Int64(n)
                    else { continue }  // the subscribe response
                    state.withLock { $0.seqs.append(seq) }
                    received += 1
                    if let flakyEvery, received % flakyEvery == 0 { break reading }  // drop the connection
                }
            }
        }
    }

    /// Ingests one post, retrying (the server may be down or restarting) until it is acknowledged.
    static func ingest(_ i: Int, socket: String) {
        let line = EventServerTests.request(i, "event.ingest", #"{"platform":"weibo","payload":\#(post(i))}"#)
        while true {
            if let client = try? UnixSocketClient(path: socket) {
                client.setReceiveTimeout(seconds: 10)
                if (try? client.send(line: line)) != nil, let answer = try? client.readLine(),
                   let status = try? EventServerTests.results(answer).first?["status"],
                   status == .string("stored") || status == .string("duplicate")
                { return }
            }
            usleep(20_000)
        }
    }

    /// Every feed seq, read with `feed.read` until its `last`.
    static func allSeqs(_ server: ServerHarness) throws -> [Int64] {
        var seqs: [Int64] = []
        var since: Int64 = 0
        while true {
            let page = try server.result("feed.read", #"{"since":\#(since),"limit":1000}"#)
            guard case .array(let records)? = page["records"], !records.isEmpty else { return seqs }
            for r in records { if case .number(let n)? = r["seq"], let s = Int64(n) { seqs.append(s) } }
            since = seqs.last!
        }
    }

    @Test func tenSubscribersGetEveryRecordOnceInOrderThroughDisconnectsAndASIGKILLedServer() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let rules = folder + "/every.rules"
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: rules))
        let arguments = ["--store", store, "--rules", rules]

        let first = try ServerHarness(arguments)
        let socket = first.socket
        let subscribers = (0..<10).map { i in Subscriber(socket: socket, flakyEvery: i == 0 ? 7 : nil) }
        let events = 240
        for i in 0..<events / 2 { Self.ingest(i, socket: socket) }
        // SIGKILL mid-stream: nothing is shut down gracefully; the socket file is left behind.
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let second = try ServerHarness(arguments, socket: socket)
        for i in events / 2..<events { Self.ingest(i, socket: socket) }

        let expected = try Self.allSeqs(second)
        #expect(expected.count == events)  // one alert per post, none twice after the retried ingests
        let caughtUp = second.eventually(60) { subscribers.allSatisfy { $0.seqs.count >= expected.count } }
        for s in subscribers { s.stop() }
        #expect(caughtUp)
        for (i, s) in subscribers.enumerated() {
            #expect(s.seqs == expected, "subscriber \(i): \(s.seqs.count) records, \(Set(s.seqs).count) distinct")
            #expect(s.connects >= 2, "subscriber \(i) resubscribed after the restart")
        }
        #expect(subscribers[0].connects > events / 7 / 2, "the flaky subscriber dropped and resumed many times")
        second.stopAndReadErrors()
    }

    @Test func aSubscriptionFiltersByKindStartsAtTheEndByDefaultAndOutlivesTheIdleTimeout() throws {
        let folder = try EventServerTests.storeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/events.sqlite"
        let rules = folder + "/every.rules"
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: rules))
        let server = try ServerHarness(["--store", store, "--rules", rules, "--idle-timeout", "1"])
        Self.ingest(0, socket: server.socket)

        let client = try server.client()
        client.setReceiveTimeout(seconds: 5)
        // No since: only what is appended from now on; a filter that passes nothing sends nothing.
        try client.send(line: #"{"jsonrpc":"2.0","id":1,"method":"alerts.subscribe","params":{"kind":["alert"]}}"#)
        let answer = try JSONValue.parse(client.readLine() ?? "")
        #expect(answer["result"]?["subscribed"] == .bool(true))
        #expect(answer["result"]?["since"] == answer["result"]?["last"])
        let quiet = try server.client()
        try quiet.send(line: #"{"jsonrpc":"2.0","id":2,"method":"alerts.subscribe","params":{"since":0,"kind":["ticket"]}}"#)
        _ = try quiet.readLine()

        usleep(1_600_000)  // past the idle timeout: a subscribed connection stays open
        Self.ingest(1, socket: server.socket)
        let record = try JSONValue.parse(client.readLine() ?? "")
        #expect(record["method"] == .string("alerts.record"))
        #expect(record["params"]?["kind"] == .string("alert") && record["params"]?["rule"] == .string("every-post"))
        #expect(record["params"]?["seq"] == .number("2"))

        quiet.setReceiveTimeout(seconds: 1)
        #expect(throws: (any Error).self) { _ = try quiet.readLine() }  // nothing passed its filter, and it was not closed

        let bad = try server.call(#"{"jsonrpc":"2.0","id":3,"method":"alerts.subscribe","params":{"since":-1}}"#)
        #expect(ServerIntegrationTests.errorCode(bad) == "-32602")
        server.stopAndReadErrors()
    }

    @Test func withoutAStoreSubscribingIsRefused() throws {
        let server = try ServerHarness()
        let answer = try server.call(#"{"jsonrpc":"2.0","id":1,"method":"alerts.subscribe","params":{}}"#)
        #expect(ServerIntegrationTests.errorCode(answer) == "-32004")
        server.stopAndReadErrors()
    }
}
