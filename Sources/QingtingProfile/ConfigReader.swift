public import OrderedCollections
public import QingtingCore

/// Reads a configuration document member by member, naming each bad value by its JSON path
/// (`Lexicons/profile.json: $.engagement.weights.active: expected a number in 0...1, got a string`).
/// Members left out keep the defaults the caller passes; every problem is gathered, not only the first.
/// Public so that every configuration file (profile, experiments…) reports its problems alike.
public struct ConfigReader {
    public let file: String
    public private(set) var errors: [QingtingError] = []

    public init(file: String) { self.file = file }

    public mutating func fail(_ path: String, _ what: String) {
        errors.append(QingtingError(.invalidSettings, "\(path): \(what)", location: file))
    }

    /// The object at `path`, or nil (with an error when it is there but not an object).
    public mutating func object(_ value: JSONValue?, _ path: String) -> JSONObject? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            fail(path, "expected an object, got \(value.typeName)")
            return nil
        }
        return members
    }

    public mutating func number(_ value: JSONValue?, _ path: String, in range: ClosedRange<Double>, default d: Double)
        -> Double
    {
        guard let value else { return d }
        guard case .number(let literal) = value, let x = Double(literal), range.contains(x) else {
            fail(path, "expected a number in \(range.lowerBound)...\(range.upperBound), got \(Self.describe(value))")
            return d
        }
        return x
    }

    public mutating func string(_ value: JSONValue?, _ path: String, default d: String) -> String {
        guard let value else { return d }
        guard case .string(let s) = value, !s.isEmpty else {
            fail(path, "expected a non-empty string, got \(value.typeName)")
            return d
        }
        return s
    }

    public mutating func strings(_ value: JSONValue?, _ path: String, default d: [String]) -> [String] {
        guard let value else { return d }
        guard case .array(let items) = value else {
            fail(path, "expected an array of strings, got \(value.typeName)")
            return d
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                fail("\(path)[\(i)]", "expected a string, got \(item.typeName)")
                continue
            }
            out.append(s)
        }
        return out
    }

    public mutating func array(_ value: JSONValue?, _ path: String) -> [JSONValue]? {
        guard let value else { return nil }
        guard case .array(let items) = value else {
            fail(path, "expected an array, got \(value.typeName)")
            return nil
        }
        return items
    }

    /// Members not in `known` are mistakes (a typo would otherwise be a silent default).
    public mutating func only(_ members: JSONObject, _ known: [String], _ path: String) {
        for key in members.keys where !known.contains(key) {
            fail("\(path).\(key)", "unknown member (known: \(known.joined(separator: ", ")))")
        }
    }

    /// A number's literal is config, not personal data: it may be quoted back.
    public static func describe(_ value: JSONValue) -> String {
        if case .number(let literal) = value { return literal }
        return value.typeName
    }
}
