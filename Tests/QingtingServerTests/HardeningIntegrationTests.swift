import Foundation
import QingtingServer
import QingtingText
import TestSupport
import Testing
import QingtingCore

/// The real server against hostile and broken clients: huge requests, clients that leave, a
/// SIGTERM under load, oversized batches and queues, stalled and idle connections, a descriptor
/// limit, reloads of files it must not read, and socket folders another user could have made.
@Suite(.serialized) struct HardeningIntegrationTests {
    static func request(_ id: Int, _ method: String, _ params: String) -> String {
        ServerIntegrationTests.request(id, method, params)
    }

    static func errorCode(_ line: String) -> String? { ServerIntegrationTests.errorCode(line) }

    /// A text.analyze line of `repeats` × 差评 (6 bytes each, one sentiment cue each).
    static func hugeAnalyze(_ id: Int, repeats: Int) -> String {
        request(id, "text.analyze", #"{"text":"\#(String(repeating: "差评", count: repeats))"}"#)
    }

    static func number(_ value: JSONValue?) -> Int {
        if case .number(let n)? = value { return Int(n) ?? -1 }
        return -1
    }

    @Test func hugeRequestsAreAnsweredInLinearTimeWhileOtherConnectionsKeepBeingAnswered() throws {
        let server = try ServerHarness()
        // Two 300 KB requests at once, each with 50,000 cues in its answer: the quadratic JSON
        // writer took minutes over these and, holding both pool threads, stalled everyone else.
        let finished = Counter()
        let group = DispatchGroup()
        nonisolated(unsafe) var answers: [String] = ["", ""]
        for k in 0..<2 {
            DispatchQueue.global().async(group: group) {
                do {
                    let c = try server.client()
                    try c.send(line: Self.hugeAnalyze(k, repeats: 50_000))
                    answers[k] = try c.readLine() ?? ""
                } catch { answers[k] = "\(error)" }
                finished.add(1)
            }
        }
        // Meanwhile another connection keeps asking small questions.
        let pinger = try server.client()
        var answeredDuring = 0
        while finished.load() < 2 {
            try pinger.send(line: Self.request(1, "text.analyze", #"{"text":"物流太慢了"}"#))
            if try pinger.readLine()?.contains("\"result\"") == true, finished.load() < 2 { answeredDuring += 1 }
            usleep(10_000)
        }
        group.wait()
        for (k, answer) in answers.enumerated() {
            let value = try JSONValue.parse(answer)
            #expect(value["id"] == .number("\(k)"), "\(answer.prefix(200))")
            if case .array(let cues)? = value["result"]?["cues"] { #expect(cues.count == 50_000) } else { Issue.record("no cues") }
        }
        #expect(answeredDuring >= 5, "the small requests were stalled behind the huge ones (\(answeredDuring) answered meanwhile)")
    }

    @Test func queuedWorkOfAClientThatHasGoneIsDropped() throws {
        let server = try ServerHarness()
        do {
            let c = try server.client()
            var burst = ""
            for i in 0..<12 { burst += Self.hugeAnalyze(i, repeats: 30_000) + "\n" }
            try c.send(Array(burst.utf8))
        }  // closed unread
        #expect(server.eventually(30) { Self.number(try? server.result("engine.info")["dropped"]) > 0 },
                "nothing was dropped: the server answered every line of a client that had left")
        #expect(server.eventually(30) { Self.number(try? server.result("engine.info")["connections"]?["open"]) == 1 })
    }

    @Test func sigtermEndsTheServerWithinItsGracePeriodWhateverIsRunning() throws {
        let server = try ServerHarness(["--shutdown-grace", "1"])
        let c = try server.client()
        var burst = ""
        for i in 0..<40 { burst += Self.hugeAnalyze(i, repeats: 40_000) + "\n" }
        try c.send(Array(burst.utf8))
        _ = try c.readLine()  // it is working on them
        let signalled = Date()
        kill(server.process.processIdentifier, SIGTERM)
        let log = try #require(server.waitForExit(seconds: 15), "still running 15 s after SIGTERM with a 1 s grace period")
        let took = Date().timeIntervalSince(signalled)
        #expect(took < 15)
        #expect(log.contains("grace period ended"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: server.socket))
    }

    @Test func queuedBytesOverTheLimitsAreAnsweredOverloaded() throws {
        let server = try ServerHarness(["--max-queued-bytes-per-connection", "200000", "--max-queued-bytes", "10000000"])
        let c = try server.client()
        var burst = ""
        for i in 0..<20 { burst += Self.hugeAnalyze(i, repeats: 10_000) + "\n" }  // 20 × 60 KB
        try c.send(Array(burst.utf8))
        var answered = 0, refused = 0
        var ids = Set<JSONValue>()
        for _ in 0..<20 {
            let line = try #require(try c.readLine())
            if Self.errorCode(line) == "-32002" {
                refused += 1
                #expect(line.contains("queued_bytes"))
            } else if line.contains("\"result\"") { answered += 1 }
            ids.insert(try JSONValue.parse(line)["id"] ?? .null)
        }
        #expect(answered >= 1 && refused >= 1 && answered + refused == 20, "answered \(answered), refused \(refused)")
        #expect(ids.count == 20)
        // The whole server's budget is shared by every connection.
        let tight = try ServerHarness(["--max-queued-bytes", "150000"])
        let a = try tight.client(), b = try tight.client()
        let line = Array((Self.hugeAnalyze(1, repeats: 20_000) + "\n").utf8)  // 120 KB
        try a.send(line + line)
        try b.send(line)
        let replies = [try a.readLine() ?? "", try a.readLine() ?? "", try b.readLine() ?? ""]
        #expect(replies.contains { $0.contains("server_queued_bytes") }, "\(replies.map { $0.prefix(120) })")
    }

    @Test func stalledLinesAndIdleConnectionsAreTimedOut() throws {
        let server = try ServerHarness(["--read-timeout", "1", "--idle-timeout", "3", "--max-connections", "8"])
        // The harness's readiness probe has released its slot (only the engine.info call's own
        // connection is open), so all 8 slots are free: under a loaded machine the release lags.
        #expect(server.eventually(10) { Self.number(try? server.result("engine.info")["connections"]?["open"]) == 1 })
        usleep(300_000)  // and that call's own connection has closed
        // Slowloris: every slot taken by half a line.
        var stalled: [UnixSocketClient] = []
        for _ in 0..<8 {
            let c = try server.client()
            try c.send(Array(#"{"jsonrpc":"2.0","id":1,"method":"text.an"#.utf8))
            stalled.append(c)
        }
        for c in stalled {
            let line = try c.readLine() ?? ""
            #expect(Self.errorCode(line) == "-32600" && line.contains("read_timeout"), "\(line)")
            #expect(try c.readLine() == nil, "closed after the error")
        }
        // The slots are free again (a closed connection's slot is released just after its close).
        #expect(server.eventually(10) { Self.number(try? server.result("engine.info")["connections"]?["open"]) == 1 })
        // A connection that says nothing is closed after the idle timeout, one that keeps talking is not.
        let quiet = try server.client()
        let talker = try server.client()
        for i in 0..<10 {
            try talker.send(line: Self.request(i, "engine.info", "{}"))
            #expect(try talker.readLine()?.contains("\"result\"") == true)
            usleep(400_000)
        }
        let line = try quiet.readLine() ?? ""
        #expect(line.contains("idle_timeout"), "\(line)")
        #expect(try quiet.readLine() == nil)
        #expect(Self.number(try server.result("engine.info")["connections"]?["timed_out"]) >= 9)
    }

    @Test func underALowDescriptorLimitEveryExtraConnectionIsAnswered() throws {
        let server = try ServerHarness([], openFileLimit: 64)
        var clients: [UnixSocketClient] = []
        var served = 0, refused = 0, silent = 0
        for _ in 0..<80 {
            let c = try server.client()
            c.setReceiveTimeout(seconds: 5)
            try? c.send(line: Self.request(1, "engine.info", "{}"))
            let line = (try? c.readLine()) ?? nil
            if line?.contains("\"result\"") == true { served += 1; clients.append(c) }
            else if let line, Self.errorCode(line) == "-32002" { refused += 1 }
            else { silent += 1 }
        }
        #expect(silent == 0, "\(silent) connections got no answer (served \(served), refused \(refused))")
        #expect(served >= 8 && refused >= 1)
        clients.removeAll()
        #expect(server.eventually { (try? server.result("engine.info"))?["version"] != nil })
    }

    @Test func reloadReadsNothingOutsideItsFoldersAndQuotesNoContent() throws {
        let folder = NSTemporaryDirectory() + "qingting-reload-dir-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "SECRET-TERM-1\tnot-a-weight\n".write(toFile: folder + "/bad.tsv", atomically: true, encoding: .utf8)
        try "SECRET-OUTSIDE\n".write(toFile: NSTemporaryDirectory() + "qingting-outside-\(getpid()).tsv", atomically: true, encoding: .utf8)
        defer { unlink(NSTemporaryDirectory() + "qingting-outside-\(getpid()).tsv") }
        let server = try ServerHarness(["--reload-dir", folder])
        func reload(_ path: String) throws -> String {
            try server.call(Self.request(1, "model.reload", #"{"userdict":"\#(path)"}"#))
        }
        let probes = ["/etc/shadow", "/etc/passwd", "/dev/zero", NSTemporaryDirectory() + "qingting-outside-\(getpid()).tsv"]
        for path in probes where FileManager.default.fileExists(atPath: path) {
            let line = try reload(path)
            #expect(Self.errorCode(line) == "-32602", "\(path): \(line)")
            #expect(!line.contains("root:") && !line.contains("SECRET"), "\(path): \(line)")
        }
        let bad = try reload(folder + "/bad.tsv")
        #expect(Self.errorCode(bad) == "-32602")
        #expect(bad.contains("bad.tsv:1"), "\(bad)")
        #expect(!bad.contains("SECRET") && !bad.contains("not-a-weight"), "file content quoted: \(bad)")
        #expect(server.residentKiB < 1 << 20)
        #expect(try server.result("text.analyze", #"{"text":"还能用"}"#)["sentiment"] != nil)
    }

    @Test func aSocketFolderAnotherUserMadeOrCanWriteIsRefusedByServeAndCall() throws {
        let folder = NSTemporaryDirectory() + "qingting-hijack-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        chmod(folder, 0o777)
        let open = try runCLI(["serve", "--socket", folder + "/q.sock"])
        #expect(open.status == 1 && open.stderr.contains("writable by other users"), "\(open.stderr)")
        let call = try runCLI(["call", "--socket", folder + "/q.sock", "engine.info"])
        #expect(call.status == 1 && call.stderr.contains("writable by other users"), "\(call.stderr)")
        // A missing folder is created private.
        let fresh = folder + "/fresh"
        let server = try ServerHarness([], socket: fresh + "/q.sock")
        var info = stat()
        #expect(stat(fresh, &info) == 0 && info.st_mode & 0o777 == 0o700)
        server.stopAndReadErrors()
        guard geteuid() == 0 else { return }
        // Owned by another user (here uid 4242): refused even at mode 0700.
        chmod(folder, 0o700)
        chown(folder, 4242, 4242)
        let theirs = try runCLI(["serve", "--socket", folder + "/q.sock"])
        #expect(theirs.status == 1 && theirs.stderr.contains("belongs to uid 4242"), "\(theirs.stderr)")
        let callTheirs = try runCLI(["call", "--socket", folder + "/q.sock", "engine.info"])
        #expect(callTheirs.status == 1 && callTheirs.stderr.contains("belongs to uid 4242"))
        // A listener another user planted in a folder we trust: call sends it nothing.
        chown(folder, 0, 0)
        let planted = try ServerHarness([], socket: folder + "/planted.sock")
        chown(planted.socket, 4242, 4242)
        let refused = try runCLI(["call", "--socket", planted.socket, "engine.info"])
        #expect(refused.status == 1 && refused.stderr.contains("socket belongs to uid 4242"), "\(refused.stderr)")
        let trusted = try runCLI(["call", "--socket", planted.socket, "--socket-owner", "4242", "engine.info"])
        #expect(trusted.status == 0, "\(trusted.stderr)")
    }
}

/// A count several threads bump.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ n: Int) { lock.lock(); value += n; lock.unlock() }
    func load() -> Int { lock.lock(); defer { lock.unlock() }; return value }
}
