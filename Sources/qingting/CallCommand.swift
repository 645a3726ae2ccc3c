import OrderedCollections
import ArgumentParser
import QingtingServer
import QingtingText
import QingtingCore

struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a method of a running `qingting serve` and print its result as JSON.",
        discussion: """
            Example: qingting call text.analyze '{"text":"物流太慢了"}'. An error response is \
            printed to stderr (code, message, data) and the exit status is 1. --raw prints the \
            whole response line instead of its result.
            """
    )

    @Argument(help: "Method name, e.g. engine.info, text.analyze.")
    var method: String

    @Argument(help: "Parameters as a JSON object or array (default: none).")
    var params: String?

    @Option(help: "Socket path (default: as `qingting serve`).")
    var socket: String?

    @Option(name: .customLong("socket-owner"),
            help: "Also trust a socket (and its folder) owned by this uid: a server another user runs with --allow-uid. By default only sockets of this user or root are used.")
    var socketOwners: [UInt32] = []

    @Flag(help: "Print the whole JSON-RPC response line.")
    var raw = false

    func run() throws {
        var request = JSONObject()
        request["jsonrpc"] = .string("2.0")
        request["id"] = .number("1")
        request["method"] = .string(method)
        if let params {
            request["params"] = try reportingErrors { () throws -> JSONValue in
                do { return try JSONValue.parse(params) } catch let error as QingtingError {
                    throw QingtingError(.invalidJSON, "PARAMS_JSON: \(error.message)", byteOffset: error.byteOffset)
                }
            }
        }
        let line = try reportingErrors { () throws -> String in
            let client = try UnixSocketClient(path: socket ?? ServerConfiguration.defaultSocketPath, owners: Set(socketOwners))
            try client.send(line: JSONValue.object(request).jsonText)
            guard let line = try client.readLine() else { throw QingtingError(.io, "the server closed the connection without answering") }
            return line
        }
        if raw { print(line); return }
        let response = try reportingErrors { try JSONValue.parse(line) }
        if let error = response["error"] {
            warn("qingting: \(method) failed: \(error.jsonText)")
            throw ExitCode.failure
        }
        // Objects keep their member order, so the result prints as the server wrote it.
        print((response["result"] ?? .null).jsonText)
    }
}
