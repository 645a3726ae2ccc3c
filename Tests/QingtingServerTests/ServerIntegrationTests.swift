import Foundation
import QingtingServer
import QingtingText
import TestSupport
import Testing
import QingtingCore

/// The real server on a temporary socket: every method, pipelining, limits, faults, reload under
/// load, stale sockets and graceful shutdown. Serialized: each test starts its own server.
@Suite(.serialized) struct ServerIntegrationTests {
    static func request(_ id: Int, _ method: String, _ params: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
    }

    static func errorCode(_ line: String) -> String? {
        guard let value = try? JSONValue.parse(line), case .number(let n)? = value["error"]?["code"] else { return nil }
        return n
    }

    @Test func everyMethodAnswersOverTheSocketAndAnalyzeMatchesTheCLIByteForByte() throws {
        let server = try ServerHarness()
        let posts = ["物流太慢了，再也不买了😡", "绝绝子！yyds", "请问什么时候发货？", "客服态度不好"]
        let cli = try runCLI(["analyze", "--input", "jsonl"],
                             stdin: posts.enumerated().map { #"{"id":\#($0.offset),"text":"\#($0.element)"}"# }.joined(separator: "\n") + "\n")
        let cliLines = cli.stdout.split(separator: "\n").map(String.init)
        #expect(cliLines.count == posts.count)
        for (i, post) in posts.enumerated() {
            let response = try server.call(Self.request(i, "text.analyze", #"{"text":"\#(post)","id":\#(i)}"#))
            let prefix = #"{"jsonrpc":"2.0","id":\#(i),"result":"#
            #expect(response.hasPrefix(prefix))
            let result = String(response.dropFirst(prefix.count).dropLast())
            // The CLI's line is the same object with "line":N first.
            #expect(cliLines[i].replacingOccurrences(of: #"{"line":\#(i + 1),"#, with: "{") == result)
        }
        let tokens = try server.result("text.segment", #"{"text":"客服态度太差"}"#)
        #expect(tokens["tokens"].map { if case .array(let t) = $0 { t.compactMap { $0["text"]?.stringValue } } else { [] } } == ["客服", "态度", "太", "差"])
        let info = try server.result("engine.info")
        #expect(info["version"] == .string(RPCEngine.version))
        #expect(info["files"]?["sentiment_model"]?["hash"]?.stringValue?.count ?? 0 >= 8)
        #expect(info["latency_us"]?["p99"] != nil)
        if case .number(let n)? = info["requests"] { #expect(Int(n)! >= posts.count + 1) } else { Issue.record("no request count") }
        let discover = try server.result("rpc.discover")
        #expect(discover["methods"] != nil)
        let reload = try server.result("model.reload")
        #expect(reload["reloaded"] == .bool(true))
        // The socket is private to its owner.
        var info_ = stat()
        #expect(stat(server.socket, &info_) == 0 && info_.st_mode & 0o777 == 0o600)
    }

    @Test func callPrintsTheResultAndFailsOnAnError() throws {
        let server = try ServerHarness()
        let ok = try runCLI(["call", "--socket", server.socket, "text.segment", #"{"text":"你好世界"}"#])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix(#"{"tokens":[{"text":"#))
        let bad = try runCLI(["call", "--socket", server.socket, "text.segment", #"{"text":1}"#])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("-32602"))
        let badJSON = try runCLI(["call", "--socket", server.socket, "text.segment", "{oops"])
        #expect(badJSON.status == 1 && badJSON.stderr.contains("PARAMS_JSON"))
        let nobody = try runCLI(["call", "--socket", server.folder + "/none.sock", "engine.info"])
        #expect(nobody.status == 1 && nobody.stderr.contains("cannot connect"))
    }

    @Test func pipelinedRequestsAreAllAnsweredInOrderWithTheirIds() throws {
        let server = try ServerHarness()
        let c = try server.client()
        let count = 1000  // the default in-flight limit is 1024
        var batch = ""
        for i in 0..<count { batch += Self.request(i, "text.analyze", #"{"text":"第\#(i)条：发货太慢"}"#) + "\n" }
        try c.send(Array(batch.utf8))
        for i in 0..<count {
            let line = try #require(try c.readLine())
            #expect(line.hasPrefix(#"{"jsonrpc":"2.0","id":\#(i),"result":"#))
        }
    }

    @Test func faultsGetTheirErrorsAndTheConnectionKeepsServing() throws {
        let server = try ServerHarness()
        let c = try server.client()
        try c.send([0xFF, 0xFE, 0x00, 0x41, 0x0A])  // garbage bytes
        #expect(Self.errorCode(try c.readLine() ?? "") == "-32700")
        try c.send(line: #"{"jsonrpc":"2.0","id":1,"method":"#)  // invalid JSON
        #expect(Self.errorCode(try c.readLine() ?? "") == "-32700")
        try c.send(line: #"{"hello":"world"}"#)  // JSON, not JSON-RPC
        #expect(Self.errorCode(try c.readLine() ?? "") == "-32600")
        try c.send(line: Self.request(2, "text.analyze", #"{"text":["a"]}"#))
        #expect(Self.errorCode(try c.readLine() ?? "") == "-32602")
        try c.send(line: Self.request(3, "identity.nope", "{}"))
        #expect(Self.errorCode(try c.readLine() ?? "") == "-32601")
        try c.send(line: "[" + Self.request(4, "text.segment", #"{"text":"好"}"#) + ",\"x\"]")
        let batch = try c.readLine() ?? ""
        #expect(batch.hasPrefix(#"[{"jsonrpc":"2.0","id":4,"result":"#) && batch.contains("-32600"))
        // Still serving on the same connection.
        try c.send(line: Self.request(5, "engine.info", "{}"))
        #expect(try c.readLine()?.hasPrefix(#"{"jsonrpc":"2.0","id":5,"result":"#) == true)
        let info = try server.result("engine.info")
        for code in ["-32700", "-32600", "-32601", "-32602"] { #expect(info["errors"]?[code] != nil, "\(code)") }
    }

    @Test func aLineOverTheLimitIsAnsweredWithoutBeingBuffered() throws {
        let server = try ServerHarness()
        let baseline = server.residentKiB
        let c = try server.client()
        // 100 MB of one line, sent in 1 MB pieces, then a normal request on the same connection.
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        try c.send(Array(#"{"jsonrpc":"2.0","id":1,"method":"text.analyze","params":{"text":""#.utf8))
        for _ in 0..<100 { try c.send(piece) }
        try c.send(Array("\"}}\n".utf8))
        try c.send(line: Self.request(2, "text.segment", #"{"text":"还在"}"#))
        let tooLarge = try c.readLine() ?? ""
        #expect(Self.errorCode(tooLarge) == "-32003")
        #expect(tooLarge.contains(#""max":16777216"#))
        #expect(try c.readLine()?.hasPrefix(#"{"jsonrpc":"2.0","id":2,"result":"#) == true)
        #expect(server.residentKiB - baseline < 64 * 1024, "the long line was buffered: \(server.residentKiB - baseline) KiB")
    }

    @Test func thousandsOfDroppedConnectionsLeakNoDescriptorsOrMemory() throws {
        let server = try ServerHarness()
        _ = try server.result("engine.info")
        let fds = server.openFileDescriptors
        let memory = server.residentKiB
        for i in 0..<3000 {
            let c = try server.client()
            switch i % 3 {
            case 0: break  // open and drop
            case 1: try c.send(Array(#"{"jsonrpc":"2.0","id":1,"method":"text.an"#.utf8))  // partial line, then gone
            default: try c.send(line: Self.request(i, "text.analyze", #"{"text":"断开"}"#))  // request, then gone unread
            }
        }
        #expect(server.eventually { server.openFileDescriptors <= fds }, "fds \(fds) → \(server.openFileDescriptors)")
        // A connection's count drops just after its descriptor closes: wait for it too.
        var open: JSONValue?
        #expect(server.eventually { open = try? server.result("engine.info")["connections"]?["open"]; return open == .number("1") },
                "open connections: \(String(describing: open))")
        #expect(server.residentKiB - memory < 32 * 1024, "memory grew by \(server.residentKiB - memory) KiB")
    }

    @Test func aClientThatNeverReadsIsCutOffWhileOthersAreServed() throws {
        let server = try ServerHarness(["--write-timeout", "1", "--max-in-flight", "64"])
        let fds = server.openFileDescriptors
        nonisolated(unsafe) let silent = try server.client()
        // Far more response bytes than the socket buffers hold.
        var flood = ""
        for i in 0..<300 { flood += Self.request(i, "text.analyze", #"{"text":"这条回复没人读","tokens":true}"#) + "\n" }
        let bytes = Array(flood.utf8)
        let writer = Thread {
            for _ in 0..<100 { guard (try? silent.send(bytes)) != nil else { return } }
        }
        writer.start()
        // Meanwhile everyone else is answered.
        for i in 0..<20 {
            #expect(try server.call(Self.request(i, "text.segment", #"{"text":"你好"}"#)).contains("result"))
        }
        // The silent one is closed after the write timeout; its descriptor is returned.
        #expect(server.eventually(20) { server.openFileDescriptors <= fds + 1 })
        let info = try server.result("engine.info")
        if case .number(let n)? = info["errors"]?["-32002"] { #expect(Int(n)! > 0) } else { Issue.record("no -32002 counted") }
    }

    @Test func tooManyInFlightRequestsAreAnsweredOverloaded() throws {
        let server = try ServerHarness(["--max-in-flight", "4"])
        let c = try server.client()
        var burst = ""
        for i in 0..<400 { burst += Self.request(i, "text.analyze", #"{"text":"一口气发很多请求"}"#) + "\n" }
        try c.send(Array(burst.utf8))
        var answered = 0, overloaded = 0
        var ids = Set<JSONValue>()
        for _ in 0..<400 {
            let line = try #require(try c.readLine())
            if Self.errorCode(line) == "-32002" { overloaded += 1 } else if line.contains("\"result\"") { answered += 1 }
            ids.insert(try JSONValue.parse(line)["id"] ?? .null)
        }
        #expect(answered + overloaded == 400)
        #expect(ids.count == 400, "every response, refusals too, carries its request's id")
        #expect(overloaded > 0 && answered >= 4)
    }

    @Test func connectionsOverTheLimitGetAnErrorAndAreClosed() throws {
        let server = try ServerHarness(["--max-connections", "2"])
        // Admitted for sure once answered (an earlier connection may still be closing: retry).
        func admitted() throws -> UnixSocketClient {
            for _ in 0..<200 {
                let client = try server.client()
                // A refused one may already be closed when we send: not admitted, retry.
                try? client.send(line: Self.request(1, "engine.info", "{}"))
                if (try? client.readLine())??.contains("\"result\"") == true { return client }
                usleep(20_000)
            }
            throw QingtingError(.io, "no connection was admitted")
        }
        let a = try admitted()
        let b = try admitted()
        let c = try server.client()
        try? c.send(line: Self.request(1, "engine.info", "{}"))
        let line = try c.readLine() ?? ""
        #expect(Self.errorCode(line) == "-32002")
        #expect(line.contains("connections"))
        #expect(try c.readLine() == nil)
        // Once one leaves, a new one is admitted.
        a.finishSending()
        _ = try a.readLine()
        #expect(server.eventually { (try? server.call(Self.request(2, "engine.info", "{}")))?.contains("result") == true })
        b.finishSending()  // b stays open (and counted) until here
    }

    @Test func reloadUnderLoadDropsNothing() throws {
        let models = NSTemporaryDirectory() + "qingting-models-\(getpid())"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: models) }
        let server = try ServerHarness(["--reload-dir", models])
        let copy = models + "/copy.qtlin"
        try FileManager.default.copyItem(atPath: ServerHarness.root + "/Models/sentiment.qtlin", toPath: copy)
        let failures = NSLock()
        nonisolated(unsafe) var problems: [String] = []
        nonisolated(unsafe) var answered = 0
        let done = DispatchGroup()
        for worker in 0..<4 {
            DispatchQueue.global().async(group: done) {
                do {
                    let c = try server.client()
                    for i in 0..<300 {
                        try c.send(line: Self.request(i, "text.analyze", #"{"text":"重新加载时的第\#(worker)-\#(i)条"}"#))
                        let line = try c.readLine() ?? ""
                        failures.lock()
                        if line.contains("\"result\"") { answered += 1 } else { problems.append(line) }
                        failures.unlock()
                    }
                } catch {
                    failures.lock(); problems.append("\(error)"); failures.unlock()
                }
            }
        }
        for i in 0..<5 {
            let params = i % 2 == 0 ? #"{"sentiment_model":"\#(copy)"}"# : "{}"
            #expect(try server.result("model.reload", params)["reloaded"] == .bool(true))
        }
        done.wait()
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(answered == 1200)
        let info = try server.result("engine.info")
        #expect(info["reloads"] == .number("5"))
        #expect(info["files"]?["sentiment_model"]?["path"] == .string(copy))
    }

    @Test func reloadOverTheSocketChecksTokensPathsAndFiles() throws {
        let folder = NSTemporaryDirectory() + "qingting-tokens-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "root-token\tadmin\nread-token\tanalyst\n".write(toFile: folder + "/tokens.tsv", atomically: true, encoding: .utf8)
        try "not a model".write(toFile: folder + "/bad.qtlin", atomically: true, encoding: .utf8)
        let server = try ServerHarness(["--tokens", folder + "/tokens.tsv", "--reload-dir", folder])
        #expect(Self.errorCode(try server.call(Self.request(1, "model.reload", "{}"))) == "-32001")
        #expect(Self.errorCode(try server.call(Self.request(2, "model.reload", #"{"token":"read-token"}"#))) == "-32001")
        #expect(Self.errorCode(try server.call(Self.request(3, "model.reload", #"{"token":"root-token","sentiment_model":"/no/such.qtlin"}"#))) == "-32004")
        let corrupt = try server.call(Self.request(4, "model.reload", #"{"token":"root-token","sentiment_model":"\#(folder)/bad.qtlin"}"#))
        #expect(Self.errorCode(corrupt) == "-32602")
        #expect(!corrupt.contains("not a model"), "file content quoted: \(corrupt)")
        #expect(try server.result("text.analyze", #"{"text":"还能用"}"#)["sentiment"] != nil)
        #expect(try server.result("model.reload", #"{"token":"root-token"}"#)["reloaded"] == .bool(true))
    }

    @Test func staleSocketsAreReplacedButLiveOnesAndOtherFilesAreNot() throws {
        let folder = NSTemporaryDirectory() + "qingting-stale-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A socket file nobody listens on, as a crashed server leaves it.
        let path = folder + "/stale.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let server = try ServerHarness([], socket: path)
        #expect(try server.result("engine.info")["version"] != nil)
        // A second server does not steal the live socket.
        let second = try runCLI(["serve", "--socket", path])
        #expect(second.status == 1)
        #expect(second.stderr.contains("already listening"))
        #expect(try server.result("engine.info")["version"] != nil)
        // Nor deletes a file that is not a socket.
        let plain = folder + "/plain.txt"
        try "keep me".write(toFile: plain, atomically: true, encoding: .utf8)
        let third = try runCLI(["serve", "--socket", plain])
        #expect(third.status == 1 && third.stderr.contains("not a socket"))
        #expect(try String(contentsOfFile: plain, encoding: .utf8) == "keep me")
    }

    @Test func sigtermFinishesWhatWasReadAndRemovesTheSocket() throws {
        let server = try ServerHarness()
        let c = try server.client()
        var burst = ""
        for i in 0..<200 { burst += Self.request(i, "text.analyze", #"{"text":"关机前的请求"}"#) + "\n" }
        try c.send(Array(burst.utf8))
        _ = try c.readLine()  // the server has started on them
        kill(server.process.processIdentifier, SIGTERM)
        var answered = 1
        while let line = try c.readLine() { if line.contains("\"result\"") { answered += 1 } }
        #expect(answered == 200)
        let log = server.stopAndReadErrors()
        #expect(server.process.terminationStatus == 0)
        #expect(log.contains("shutting down"))
        #expect(!FileManager.default.fileExists(atPath: server.socket))
    }
}
