import Foundation
@testable import QingtingServer
import QingtingText
import Testing
import QingtingCore

/// The limits and checks added against hostile or broken clients, without a socket: connection
/// deadlines, batch caps, reload paths, socket folders, and errors that leak nothing.
@Suite struct HardeningUnitTests {
    static let models: EngineModels = try! EngineModels(EngineModels.Sources())
    let t0 = ContinuousClock.now

    @Test func aStartedLineTimesOutButAFinishedOneDoesNot() {
        var d = ConnectionDeadlines(readTimeout: .seconds(2), idleTimeout: .seconds(10), now: t0)
        d.didRead(completedLines: 0, queued: 0, unfinishedBytes: 5, now: t0)
        #expect(d.expired(at: t0 + .seconds(1)) == nil)
        // More bytes of the same line do not restart its clock (a slow drip is still a stall).
        d.didRead(completedLines: 0, queued: 0, unfinishedBytes: 9, now: t0 + .seconds(1))
        #expect(d.expired(at: t0 + .seconds(2)) == .readTimeout)
        // Its newline arrives and a next line starts: the clock starts again from then.
        d.didRead(completedLines: 1, queued: 1, unfinishedBytes: 3, now: t0 + .milliseconds(1500))
        #expect(d.expired(at: t0 + .seconds(3)) == nil)
        #expect(d.expired(at: t0 + .milliseconds(3500)) == .readTimeout)
        d.didRead(completedLines: 1, queued: 1, unfinishedBytes: 0, now: t0 + .seconds(3))
        #expect(d.expired(at: t0 + .seconds(60)) == nil, "two lines are still being answered")
    }

    @Test func idleTimeStopsWhileTheServerOwesAnswers() {
        var d = ConnectionDeadlines(readTimeout: .seconds(2), idleTimeout: .seconds(10), now: t0)
        #expect(d.expired(at: t0 + .seconds(9)) == nil)
        #expect(d.expired(at: t0 + .seconds(10)) == .idle)
        d.didRead(completedLines: 2, queued: 2, unfinishedBytes: 0, now: t0 + .seconds(1))
        #expect(d.expired(at: t0 + .seconds(30)) == nil)
        d.didAnswer(lines: 1, now: t0 + .seconds(30))
        #expect(d.expired(at: t0 + .seconds(50)) == nil)
        d.didAnswer(lines: 1, now: t0 + .seconds(50))
        #expect(d.expired(at: t0 + .seconds(59)) == nil)
        #expect(d.expired(at: t0 + .seconds(60)) == .idle)
        #expect(d.checkInterval <= .seconds(1) && d.checkInterval >= .milliseconds(10))
    }

    @Test func aBatchOverTheLimitIsRefusedWithoutRunningAnyOfIt() throws {
        var limits = RPCEngine.Limits()
        limits.maxBatchRequests = 3
        let engine = RPCEngine(models: Self.models, limits: limits)
        let one = #"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"#
        let four = engine.handle(line: "[" + Array(repeating: one, count: 4).joined(separator: ",") + "]")
        let refusal = try JSONValue.parse(try #require(four.response))
        #expect(refusal["error"]?["code"] == .number("-32003"))
        #expect(refusal["error"]?["data"]?["max"] == .number("3"))
        #expect(four.errors == [.requestTooLarge])
        let three = engine.handle(line: "[" + Array(repeating: one, count: 3).joined(separator: ",") + "]")
        if case .array(let answers) = try JSONValue.parse(try #require(three.response)) {
            #expect(answers.count == 3 && answers.allSatisfy { $0["result"] != nil })
        } else { Issue.record("a batch of 3 was not answered as an array") }
        // The default holds 1024.
        let defaults = RPCEngine(models: Self.models)
        let big = defaults.handle(line: "[" + Array(repeating: one, count: 1025).joined(separator: ",") + "]")
        #expect(try JSONValue.parse(try #require(big.response))["error"]?["code"] == .number("-32003"))
    }

    @Test func reloadPathsMustBeRegularFilesInsideTheReloadFolders() throws {
        let folder = NSTemporaryDirectory() + "qingting-reload-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "x".write(toFile: folder + "/models/ok.tsv", atomically: true, encoding: .utf8)
        try String(repeating: "y", count: 2000).write(toFile: folder + "/models/big.tsv", atomically: true, encoding: .utf8)
        try "secret".write(toFile: folder + "/outside.tsv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/models/link.tsv", withDestinationPath: folder + "/outside.tsv")
        try FileManager.default.createSymbolicLink(atPath: folder + "/models/zero", withDestinationPath: "/dev/zero")
        try FileManager.default.createDirectory(atPath: folder + "/models/sub.tsv", withIntermediateDirectories: true)
        let policy = ReloadPolicy(directories: [folder + "/models"], maxFileBytes: 1000)
        #expect(try policy.check(folder + "/models/ok.tsv", param: "userdict").hasSuffix("/models/ok.tsv"))
        #expect(try policy.check(folder + "/models/../models/ok.tsv", param: "userdict").hasSuffix("/models/ok.tsv"))
        func refusal(_ path: String) -> RPCError? {
            do { _ = try policy.check(path, param: "userdict"); return nil } catch { return error as? RPCError }
        }
        #expect(refusal("/etc/shadow")?.code == .invalidParams)
        #expect(refusal("/etc/shadow")?.message.contains("outside the directories") == true)
        #expect(refusal("/dev/zero")?.code == .invalidParams)
        #expect(refusal(folder + "/outside.tsv")?.code == .invalidParams)
        #expect(refusal(folder + "/models/link.tsv")?.message.contains("outside") == true, "a link out of the folder")
        #expect(refusal(folder + "/models/zero")?.code == .invalidParams, "a link to a device")
        #expect(refusal(folder + "/models/sub.tsv")?.message.contains("not a regular file") == true)
        #expect(refusal(folder + "/models/big.tsv")?.message.contains("over the reload limit") == true)
        #expect(refusal(folder + "/models/none.tsv")?.code == .notFound)
        // The engine admits the folders of the files it loaded at start.
        let engine = RPCEngine(models: Self.models)
        let sentiment = try #require(Self.models.files.first { $0.role == "sentiment_model" })
        #expect(try engine.limits.reload.check(sentiment.path, param: "sentiment_model") == ReloadPolicy.canonical(sentiment.path))
    }

    @Test func anInternalErrorSaysNothingOfItsInternals() throws {
        // A method that fails with an error not made for callers (here: a Foundation error).
        var method = RPCMethod.all[0]
        method.run = { _, _ in throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: "/secret/path"]) }
        let failing = RPCEngine(models: Self.models, methods: [method])
        let line = try #require(failing.handle(line: #"{"jsonrpc":"2.0","id":1,"method":"engine.info"}"#).response)
        #expect(line.contains("-32603"))
        #expect(!line.contains("secret") && !line.contains("Cocoa"), "\(line)")
    }

    @Test func aSocketFolderOtherUsersCouldWriteInIsNotTrusted() throws {
        let folder = NSTemporaryDirectory() + "qingting-folder-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        chmod(folder, 0o700)
        #expect(throws: Never.self) { try SocketPath.checkFolder(folder, owners: [geteuid()]) }
        chmod(folder, 0o777)
        #expect { try SocketPath.checkFolder(folder, owners: [geteuid()]) } throws: { "\($0)".contains("writable by other users") }
        chmod(folder, 0o720)
        #expect { try SocketPath.checkFolder(folder, owners: [geteuid()]) } throws: { "\($0)".contains("writable by other users") }
        // /tmp itself: world-writable but sticky and root's, so only a file's owner can replace it.
        #expect(throws: Never.self) { try SocketPath.checkFolder("/tmp", owners: [geteuid()]) }
        if geteuid() == 0 {
            chmod(folder, 0o700)
            chown(folder, 4242, 4242)
            #expect { try SocketPath.checkFolder(folder, owners: [geteuid()]) } throws: { "\($0)".contains("belongs to uid 4242") }
            #expect(throws: Never.self) { try SocketPath.checkFolder(folder, owners: [geteuid(), 4242]) }
        }
        #expect { try SocketPath.checkFolder(folder + "/missing", owners: [geteuid()]) } throws: { _ in true }
    }
}

@Suite struct JSONStringWriterTests {
    @Test func escapesEveryKindOfCharacterAtRunBoundaries() {
        let cases: [(String, String)] = [
            ("", #""""#), ("plain 文字😀", #""plain 文字😀""#), ("\"", #""\"""#), ("\\", #""\\""#),
            ("a\"b\\c\nd\re\tf\u{1}g\u{1F}", #""a\"b\\c\nd\re\tf\u0001g\u001f""#),
            ("\"\u{301}", "\"\\\"\u{301}\""),  // a combining mark right after an escape stays whole
            ("差评\"\"差评", #""差评\"\"差评""#),
        ]
        for (value, expected) in cases {
            var out = "prefix:"
            JSON.appendString(value, to: &out)
            #expect(out == "prefix:" + expected)
        }
    }

    @Test func aLongStringWithManyEscapesRoundTrips() throws {
        let value = String(repeating: "差评\"\n", count: 200_000)
        var out = ""
        for _ in 0..<3 { JSON.appendString(value, to: &out); out += "," }
        let parsed = try JSONValue.parse("[" + out.dropLast() + "]")
        #expect(parsed == .array(Array(repeating: .string(value), count: 3)))
    }
}
