import OrderedCollections
import QingtingCore

/// A JSON value together with its place in the payload (`statuses[2].user.idstr`), so that every
/// rejection names where it looked without quoting what it found.
struct JSONNode {
    let value: JSONValue
    /// The path from the payload's root; empty for the root itself.
    let path: String

    init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    /// The member `key`, when this is an object that has it (JSON null counts as absent).
    subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value, let member = members[key], member != .null else { return nil }
        return JSONNode(member, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The member at a dotted path (`user.idstr`). Walks the values and builds only the found
    /// member's path (detection probes such paths on every payload, most of them absent).
    func at(_ dotted: String) -> JSONNode? {
        var value = value
        var path = path
        for key in dotted.split(separator: ".") {
            guard case .object(let members) = value, let member = members[String(key)], member != .null else {
                return nil
            }
            value = member
            path = path.isEmpty ? String(key) : "\(path).\(key)"
        }
        return JSONNode(value, path: path)
    }

    /// The place of member `key` (for a message about a member that is not there).
    func place(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The place of the node itself, for messages: `the payload` at the root.
    var place: String { path.isEmpty ? "the payload" : path }

    var object: JSONObject? {
        if case .object(let members) = value { return members }
        return nil
    }

    var isObject: Bool { object != nil }

    /// The elements, when this is an array.
    var elements: [JSONNode]? {
        guard case .array(let items) = value else { return nil }
        return items.enumerated().map { JSONNode($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A string member's text, trimmed; nil when absent, not a string, or blank.
    var string: String? {
        guard case .string(let s) = value else { return nil }
        let trimmed = s.trimmingWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A string's text exactly as written (message text keeps its spacing); nil when not a string.
    var text: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    /// An id as a string: a non-blank string as written, or an integer literal's digits exactly
    /// (a JSON number keeps its literal, so 19-digit ids survive). `0` and `""` count as absent.
    /// - Throws: `.invalidPayload` for a number with a fraction or exponent (digits already lost
    ///   upstream) or a value of another type.
    func id() throws -> String? {
        switch value {
        case .string(let s):
            let trimmed = s.trimmingWhitespace
            return trimmed.isEmpty || trimmed == "0" ? nil : trimmed
        case .number(let literal):
            guard literal.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw QingtingError(
                    .invalidPayload, "\(place) is not an integer id (a fraction or exponent loses digits)")
            }
            return literal == "0" ? nil : literal
        default:
            throw QingtingError(.invalidPayload, "\(place) is a \(value.typeName), not an id")
        }
    }

    /// An integer: a JSON integer literal, or a string of digits (Xiaohongshu writes counts as
    /// strings); nil when absent or not an integer.
    var integer: Int64? {
        switch value {
        case .number(let literal): return Int64(literal)
        case .string(let s): return Int64(s.trimmingWhitespace)
        default: return nil
        }
    }

    /// A count as a JSON number literal for `SocialEvent.metrics`: a number as written, or a
    /// numeric string (`"12"`) as the literal `12`; nil for anything else (`"1.2万"`, text).
    var metric: JSONValue? {
        switch value {
        case .number: return value
        case .string(let s):
            let t = s.trimmingWhitespace
            guard !t.isEmpty, (try? JSONValue.parse(t)).map({ if case .number = $0 { true } else { false } }) == true
            else {
                return nil
            }
            return .number(t)
        default: return nil
        }
    }
}

extension JSONNode {
    /// The first of `keys` that holds an id (Weibo's `idstr` before `id`).
    /// - Throws: `.missingID` naming the keys looked for when none does.
    func requiredID(_ keys: String...) throws -> String {
        for key in keys {
            if let id = try self[key]?.id() { return id }
        }
        let names = keys.map { place($0) }.joined(separator: " or ")
        throw QingtingError(.missingID, "no id at \(names)")
    }

    /// The first of `keys` that holds an id, or nil.
    func optionalID(_ keys: String...) throws -> String? {
        for key in keys {
            if let id = try self[key]?.id() { return id }
        }
        return nil
    }

    /// The members of `keys` that are counts, under their own names (or the name `rename` maps to).
    func metrics(_ keys: [String], rename: [String: String] = [:]) -> JSONObject {
        var out: JSONObject = [:]
        for key in keys {
            if let metric = self[key]?.metric { out[rename[key] ?? key] = metric }
        }
        return out
    }

    /// The string members of `keys` as profile fields, under the names `rename` gives (else their own).
    func profile(_ keys: [(source: String, name: String)]) -> JSONObject {
        var out: JSONObject = [:]
        for (source, name) in keys {
            guard let node = at(source) else { continue }
            switch node.value {
            case .string(let s) where !s.trimmingWhitespace.isEmpty: out[name] = .string(s.trimmingWhitespace)
            case .number, .bool: out[name] = node.value
            default: continue
            }
        }
        return out
    }
}
