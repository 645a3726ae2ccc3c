import OrderedCollections
public import QingtingCore

/// Where a kind of personal data sits in a method's result (a `members` word of a `field` block
/// in the roles file): a dotted path of member names, matched at any depth — `fields.phone` is
/// the member `phone` of any member `fields`, wherever it is; arrays are looked through, so
/// `events.text` is the `text` of every element of an `events` array. A last segment with a
/// predicate, `events[kind=order|refund]` or `events[kind!=order]`, selects the elements of that
/// array whose member (a string) is (or is not) one of the values: those rows are the field.
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public struct Predicate: Sendable, Equatable {
        public var member: String
        public var values: Set<String>
        /// `!=`: the rows whose member is none of the values (or has no such member).
        public var negated: Bool

        /// Only objects are rows (an `events` array of seq numbers holds none).
        func selects(_ row: JSONValue) -> Bool {
            guard case .object = row else { return false }
            let value = row[member]?.stringValue
            return value.map(values.contains) == true ? !negated : negated
        }
    }

    public var path: [String]
    public var predicate: Predicate?
    public let description: String

    /// Reads one selector; nil when it is not `name(.name)*` with at most one `[member=v|v…]`
    /// (or `!=`) at its end.
    public init?(_ text: String) {
        description = text
        var body = Substring(text)
        predicate = nil
        if body.hasSuffix("]") {
            guard let open = body.firstIndex(of: "[") else { return nil }
            let inside = body[body.index(after: open)..<body.index(before: body.endIndex)]
            body = body[..<open]
            let negated = inside.contains("!=")
            let parts = inside.split(separator: negated ? "!=" : "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, Self.isName(parts[0]) else { return nil }
            let values = parts[1].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard values.allSatisfy({ !$0.isEmpty && !$0.contains("[") && !$0.contains("]") }) else { return nil }
            predicate = Predicate(member: String(parts[0]), values: Set(values), negated: negated)
        }
        let segments = body.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.allSatisfy(Self.isName) else { return nil }
        path = segments.map(String.init)
    }

    /// Member names: letters, digits, `_` and `-` (the results' own keys are plain ASCII).
    static func isName(_ s: Substring) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// Whether `keys` (the member names from the result's root to here) end with this path.
    func ends(_ keys: [String]) -> Bool {
        guard keys.count >= path.count else { return false }
        var k = keys.count - path.count
        for segment in path {
            if keys[k] != segment { return false }
            k += 1
        }
        return true
    }
}

/// The fields a call may not see, removed from its result at any depth (`FieldSelector`).
public struct FieldFilter: Sendable {
    /// Each selector with the name of the field it belongs to.
    public let selectors: [(field: String, selector: FieldSelector)]
    /// The selectors by the last member name of their path: a member is checked only against
    /// those ending in its own name.
    private let byName: [String: [(field: String, selector: FieldSelector)]]

    public init(_ selectors: [(field: String, selector: FieldSelector)]) {
        self.selectors = selectors
        byName = Dictionary(grouping: selectors, by: { $0.selector.path.last ?? "" })
    }

    public var isEmpty: Bool { selectors.isEmpty }

    /// `value` without what the selectors select, and the names of the fields that were there
    /// (what the audit log records as withheld).
    /// - Complexity: O(members × path length of the selectors ending in a member's name); a
    ///   part of the answer with nothing to remove is kept as it is, not copied.
    public func apply(_ value: JSONValue) -> (value: JSONValue, removed: Set<String>) {
        var removed: Set<String> = []
        var keys: [String] = []
        let out = walk(value, &keys, &removed)
        return (out ?? value, removed)
    }

    /// The fields present in `value` (those `apply` would remove).
    public func present(in value: JSONValue) -> Set<String> { apply(value).removed }

    /// The value without what is selected, or nil when nothing in it is.
    private func walk(_ value: JSONValue, _ keys: inout [String], _ removed: inout Set<String>) -> JSONValue? {
        switch value {
        case .object(let members):
            var out: JSONObject?
            for (key, member) in members {
                keys.append(key)
                defer { keys.removeLast() }
                var dropped = false
                var rowPredicates: [(String, FieldSelector.Predicate)] = []
                for (field, selector) in byName[key] ?? [] where selector.ends(keys) {
                    if let predicate = selector.predicate {
                        rowPredicates.append((field, predicate))
                    } else {
                        removed.insert(field)
                        dropped = true
                    }
                }
                if dropped {
                    if out == nil { out = members }
                    out!.removeValue(forKey: key)
                    continue
                }
                var kept = member
                var changed = false
                if !rowPredicates.isEmpty, case .array(let rows) = member {
                    let left = rows.filter { row in
                        let selected = rowPredicates.filter { $0.1.selects(row) }
                        for (field, _) in selected { removed.insert(field) }
                        return selected.isEmpty
                    }
                    if left.count != rows.count { kept = .array(left); changed = true }
                }
                if let inner = walk(kept, &keys, &removed) { kept = inner; changed = true }
                if changed {
                    if out == nil { out = members }
                    out![key] = kept
                }
            }
            return out.map(JSONValue.object)
        case .array(let items):
            var out: [JSONValue]?
            for (index, item) in items.enumerated() {
                guard let inner = walk(item, &keys, &removed) else { continue }
                if out == nil { out = items }
                out![index] = inner
            }
            return out.map(JSONValue.array)
        default:
            return nil
        }
    }
}
