import OrderedCollections
import QingtingCore

/// What a condition is tested against: one event, its topics, the customer's profile (built only
/// when a test reads it) and the values of the rule's counts for this event.
struct Evaluation {
    let event: RuleEvent
    let topics: [String]
    let profile: () -> (any ProfileFacts)?
    var counts: [String: Int] = [:]

    func values(_ field: Field) -> [Condition.Value] {
        switch field {
        case .platform: [.text(event.platform)]
        case .kind: [.text(event.kind)]
        case .text: event.text.isEmpty ? [] : [.text(event.text)]
        case .sentiment: event.sentiment.map { [.text($0)] } ?? []
        case .intent: event.intents.map { .text($0) }
        case .category: event.category.map { [.text($0)] } ?? []
        case .tag: event.tags.map { .text($0) }
        case .hashtag: event.hashtags.map { .text($0) }
        case .topic: topics.map { .text($0) }
        case .customer: event.customer.map { [.text($0)] } ?? []
        case .confidence: event.confidence.map { [.number($0)] } ?? []
        case .profile(let name): profile()?.values(of: name) ?? []
        case .metric(let name): Self.json(event.metrics[name])
        case .author(let name): Self.json(event.authorProfile[name])
        }
    }

    /// A field that has at most one value, without building an array: `.some(nil)` when it has
    /// none, nil when the field may have several (read those with `values`).
    func single(_ field: Field) -> Condition.Value?? {
        switch field {
        case .platform: .some(.text(event.platform))
        case .kind: .some(.text(event.kind))
        case .sentiment: .some(event.sentiment.map { .text($0) })
        case .category: .some(event.category.map { .text($0) })
        case .customer: .some(event.customer.map { .text($0) })
        case .confidence: .some(event.confidence.map { .number($0) })
        default: nil
        }
    }

    static func json(_ value: JSONValue?) -> [Condition.Value] {
        switch value {
        case .number(let n)?: Double(n).map { [.number($0)] } ?? []
        case .string(let s)?: [.text(s)]
        case .bool(let b)?: [.text(b ? "true" : "false")]
        default: []
        }
    }
}

extension Condition {
    func holds(_ e: Evaluation) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.holds(e) }
        case .any(let parts): return parts.contains { $0.holds(e) }
        case .not(let inner): return !inner.holds(e)
        case .present(let field):
            return e.values(field).contains { v in
                switch v {
                case .number(let x): x != 0
                case .text(let s): !["", "false", "0", "no", "none"].contains(s.lowercased())
                }
            }
        case .compare(let field, let op, let operands):
            if let one = e.single(field) {
                guard let v = one else { return op == .notEqual }
                return op == .notEqual ? !Self.equal(v, operands[0]) : Self.test(v, op, operands)
            }
            let values = e.values(field)
            if op == .notEqual { return !values.contains { Self.equal($0, operands[0]) } }
            return values.contains { Self.test($0, op, operands) }
        case .count(let count, let op, let n):
            return Self.test(.number(Double(e.counts[count.id] ?? 0)), op, [.number(n)])
        }
    }

    static func test(_ v: Value, _ op: Operator, _ operands: [Value]) -> Bool {
        switch op {
        case .equal: return equal(v, operands[0])
        case .notEqual: return !equal(v, operands[0])
        case .isIn: return operands.contains { equal(v, $0) }
        case .contains: return v.text.lowercased().contains(operands[0].text.lowercased())
        case .greater, .greaterOrEqual, .less, .lessOrEqual:
            guard let x = number(v), case .number(let y) = operands[0] else { return false }
            switch op {
            case .greater: return x > y
            case .greaterOrEqual: return x >= y
            case .less: return x < y
            default: return x <= y
            }
        }
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        if case .number(let y) = b, let x = number(a) { return x == y }
        if case .text(let s) = a, case .text(let t) = b { return Self.sameIgnoringCase(s, t) }
        return a.text.lowercased() == b.text.lowercased()
    }

    /// `s.lowercased() == t.lowercased()`, without building either when both are ASCII and CJK
    /// ideographs: those have no case and take no combining marks, so such strings compare scalar
    /// by scalar with the ASCII letters folded. Any other scalar takes the lowercased comparison.
    static func sameIgnoringCase(_ s: String, _ t: String) -> Bool {
        if s == t { return true }
        var a = s.unicodeScalars.makeIterator()
        var b = t.unicodeScalars.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x == y { continue }
                guard x.isASCII || Self.isIdeograph(x), y.isASCII || Self.isIdeograph(y) else {
                    return s.lowercased() == t.lowercased()
                }
                let (p, q) = (UInt8(truncatingIfNeeded: x.value) | 0x20, UInt8(truncatingIfNeeded: y.value) | 0x20)
                if !x.isASCII || !y.isASCII || p != q || !(p >= 0x61 && p <= 0x7A) { return false }
            default: return false
            }
        }
    }

    /// CJK Unified Ideographs and Extension A: no case, no canonical decomposition, not combining.
    static func isIdeograph(_ c: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(c.value) || (0x3400...0x4DBF).contains(c.value)
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .number(let x): x
        case .text(let s): Double(s)
        }
    }
}
