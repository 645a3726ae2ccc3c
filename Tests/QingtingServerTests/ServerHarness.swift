import Foundation
import QingtingServer
import QingtingText
import TestSupport
import QingtingCore

/// A real `qingting serve` process on a temporary socket, for the integration tests.
final class ServerHarness: @unchecked Sendable {
    static let root = TestPaths.root
    static let binary = TestPaths.binary

    let process = Process()
    let socket: String
    let folder: String
    private let errorPipe = Pipe()

    /// Starts the server and waits until it accepts connections; with `openFileLimit` it runs
    /// under `ulimit -n` of that many descriptors.
    /// `logLevel` nil runs the server at its default level.
    init(_ arguments: [String] = [], socket: String? = nil, openFileLimit: Int? = nil, logLevel: String? = "notice") throws {
        folder = NSTemporaryDirectory() + "qingting-serve-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.socket = socket ?? "\(folder)/q.sock"
        let serve = ["serve", "--socket", self.socket] + (logLevel.map { ["--log-level", $0] } ?? []) + arguments
        if let openFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", Self.binary] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = serve
        }
        process.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        process.standardError = errorPipe
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while (try? UnixSocketClient(path: self.socket)) == nil {
            guard process.isRunning, Date() < deadline else {
                throw QingtingError(.io, "the server did not start: \(stopAndReadErrors())")
            }
            usleep(20_000)
        }
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    func client() throws -> UnixSocketClient {
        let client = try UnixSocketClient(path: socket)
        client.setReceiveTimeout(seconds: 30)
        return client
    }

    /// Sends one request line and returns the response line.
    func call(_ line: String) throws -> String {
        let c = try client()
        try c.send(line: line)
        return try c.readLine() ?? ""
    }

    func result(_ method: String, _ params: String? = nil) throws -> JSONValue {
        let line = try call(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "") + "}")
        return try JSONValue.parse(line)["result"] ?? .null
    }

    /// Open file descriptors of the server process.
    var openFileDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    /// Resident memory of the server process, in KiB.
    var residentKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Waits (up to `seconds`) until `condition` holds.
    func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Waits for the server to exit by itself; returns what it wrote to stderr, or nil (after
    /// killing it) when it is still running after `seconds`.
    func waitForExit(seconds: Double) -> String? {
        guard eventually(seconds, { !process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends SIGTERM, waits for the exit, and returns what the server wrote to stderr.
    @discardableResult
    func stopAndReadErrors() -> String {
        if process.isRunning { process.terminate() }
        let data = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs the CLI once (for `qingting call` and comparisons with `qingting analyze`).
func runCLI(_ arguments: [String], stdin: String? = nil) throws -> QingtingRun {
    try runQingting(arguments, stdin: stdin.map { Data($0.utf8) })
}
