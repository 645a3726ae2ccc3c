import QingtingText
public import QingtingCore

/// A JSON-RPC error: the standard codes plus the engine's own (see "The socket protocol" in the
/// design). Every error carries a human message and a `data` object saying what was wrong and where.
public struct RPCError: Error, Sendable {
    public enum Code: Int, Sendable, CaseIterable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        case unauthorized = -32001
        case overloaded = -32002
        case requestTooLarge = -32003
        case notFound = -32004

        /// The name used in counters and logs ("parse_error", …).
        public var name: String {
            switch self {
            case .parseError: "parse_error"
            case .invalidRequest: "invalid_request"
            case .methodNotFound: "method_not_found"
            case .invalidParams: "invalid_params"
            case .internalError: "internal_error"
            case .unauthorized: "unauthorized"
            case .overloaded: "overloaded"
            case .requestTooLarge: "request_too_large"
            case .notFound: "not_found"
            }
        }
    }

    public var code: Code
    public var message: String
    /// Members of the `data` object, written in this order.
    public var data: [(String, JSONValue)]

    public init(_ code: Code, _ message: String, data: [(String, JSONValue)] = []) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// `{"code":…,"message":…,"data":{…}}`
    public func write(to w: inout JSONWriter) {
        w.object { w in
            w.member("code", code.rawValue)
            w.member("message", message)
            w.member("data") { w in
                w.object { w in
                    for (key, value) in data { w.member(key, value) }
                }
            }
        }
    }

    /// The whole error response line for a request `id` (nil when the id could not be read).
    public func response(id: JSONValue?) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("jsonrpc", "2.0")
            w.member("id", id ?? .null)
            w.member("error") { w in write(to: &w) }
        }
        return w.text
    }
}

extension RPCError {
    /// A parameter that is missing or of the wrong type.
    static func param(_ name: String, expected: String, got value: JSONValue?) -> RPCError {
        RPCError(.invalidParams, value == nil ? "missing parameter \"\(name)\" (\(expected))"
                                              : "parameter \"\(name)\" must be \(expected), not \(value!.typeName)",
                 data: [("param", .string(name)), ("expected", .string(expected)),
                        ("got", .string(value?.typeName ?? "nothing"))])
    }
}

