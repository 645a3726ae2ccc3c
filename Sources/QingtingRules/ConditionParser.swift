import OrderedCollections
import QingtingCore

/// Reads a condition (`sentiment = negative and not profile.tier in (vip, svip)`) from one line.
///
/// Grammar, loosest first: `or` of `and` of [`not`] tests, parentheses group; a test is
/// `FIELD OP VALUE`, `FIELD in (V, …)`, `FIELD contains V`, a bare `FIELD`, or
/// `count(COND within DURATION by KEY) OP N`. Values are words, numbers or "quoted text".
struct ConditionParser {
    enum Token: Equatable {
        case word(String), quoted(String), op(String), open, close, comma
    }

    private var tokens: [Token]
    private var at = 0
    private let countPrefix: String
    private var counts = 0

    /// `countPrefix` names the counts this condition holds (`rule#1`, `rule#2`…); `firstCount`
    /// continues the numbering of the rule's earlier conditions.
    init(_ text: String, countPrefix: String, firstCount: Int = 0) throws(ParseFailure) {
        tokens = try Self.tokens(text)
        self.countPrefix = countPrefix
        counts = firstCount
    }

    struct ParseFailure: Error { var message: String }

    /// The whole text as one condition, and how many counts it numbered so far.
    mutating func parse() throws(ParseFailure) -> (Condition, Int) {
        guard !tokens.isEmpty else { throw ParseFailure(message: "expected a condition") }
        let condition = try disjunction()
        if at < tokens.count { throw ParseFailure(message: "unexpected \(Self.show(tokens[at])) after the condition") }
        return (condition, counts)
    }

    private mutating func disjunction() throws(ParseFailure) -> Condition {
        var parts = [try conjunction()]
        while isWord("or") { at += 1; parts.append(try conjunction()) }
        return parts.count == 1 ? parts[0] : .any(parts)
    }

    private mutating func conjunction() throws(ParseFailure) -> Condition {
        var parts = [try negation()]
        while isWord("and") { at += 1; parts.append(try negation()) }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private mutating func negation() throws(ParseFailure) -> Condition {
        if isWord("not") { at += 1; return .not(try negation()) }
        if peek == .open {
            at += 1
            let inner = try disjunction()
            try expect(.close, "')'")
            return inner
        }
        return try test()
    }

    private mutating func test() throws(ParseFailure) -> Condition {
        guard case .word(let name) = next() else {
            throw ParseFailure(message: "expected a field (\(Field.eventNames.joined(separator: ", ")), profile.NAME, metric.NAME, author.NAME or count(…))")
        }
        if name.lowercased() == "count", peek == .open { return try count() }
        guard let field = Field(name) else {
            throw ParseFailure(message: "unknown field '\(name)' (fields: \(Field.eventNames.joined(separator: ", ")), profile.NAME, metric.NAME, author.NAME, count(…))")
        }
        guard let op = try comparison() else { return .present(field) }
        switch op {
        case .isIn:
            try expect(.open, "'(' after in")
            var values = [try value()]
            while peek == .comma { at += 1; values.append(try value()) }
            try expect(.close, "')' closing the list")
            return .compare(field, .isIn, values)
        default:
            let v = try value()
            if [.greater, .greaterOrEqual, .less, .lessOrEqual].contains(op), case .text(let t) = v {
                throw ParseFailure(message: "'\(name) \(op.rawValue)' needs a number, got '\(t)'")
            }
            return .compare(field, op, [v])
        }
    }

    private mutating func count() throws(ParseFailure) -> Condition {
        at += 1  // (
        var of: Condition?
        if !isWord("within") { of = try disjunction() }
        guard isWord("within") else { throw ParseFailure(message: "count(…) needs 'within DURATION', e.g. count(sentiment = negative within 24h by customer)") }
        at += 1
        guard case .word(let d) = next(), let window = Duration.millis(d) else {
            throw ParseFailure(message: "count(…) needs a duration after 'within' (30m, 24h, 7d)")
        }
        var key = Condition.Count.Key.customer
        if isWord("by") {
            at += 1
            guard case .word(let k) = next(), let parsed = Condition.Count.Key(rawValue: k.lowercased()) else {
                throw ParseFailure(message: "count(…) 'by' takes one of \(Condition.Count.Key.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            key = parsed
        }
        try expect(.close, "')' closing count(")
        counts += 1
        let counter = Condition.Count(of: of, window: window, by: key, id: "\(countPrefix)#\(counts)")
        guard let op = try comparison(), op != .isIn, op != .contains,
              case .number(let n) = try value() else {
            throw ParseFailure(message: "count(…) must be compared with a number, e.g. count(…) >= 3")
        }
        return .count(counter, op, n)
    }

    private mutating func comparison() throws(ParseFailure) -> Condition.Operator? {
        switch peek {
        case .op(let s):
            at += 1
            return Condition.Operator(rawValue: s == "==" ? "=" : s)
        case .word(let w) where ["in", "contains"].contains(w.lowercased()):
            at += 1
            return Condition.Operator(rawValue: w.lowercased())
        default: return nil
        }
    }

    private mutating func value() throws(ParseFailure) -> Condition.Value {
        switch next() {
        case .quoted(let s): return .text(s)
        case .word(let w):
            if let x = Double(w.hasSuffix("%") ? String(w.dropLast()) : w), w.first.map({ $0.isNumber || $0 == "-" }) == true {
                return .number(w.hasSuffix("%") ? x / 100 : x)
            }
            return .text(w)
        case let other: throw ParseFailure(message: "expected a value, got \(other.map(Self.show) ?? "the end of the line")")
        }
    }

    private var peek: Token? { at < tokens.count ? tokens[at] : nil }
    private mutating func next() -> Token? {
        defer { at += 1 }
        return peek
    }
    private func isWord(_ w: String) -> Bool {
        if case .word(let s) = peek { return s.lowercased() == w }
        return false
    }
    private mutating func expect(_ token: Token, _ what: String) throws(ParseFailure) {
        guard peek == token else { throw ParseFailure(message: "expected \(what), got \(peek.map(Self.show) ?? "the end of the line")") }
        at += 1
    }

    static func show(_ token: Token) -> String {
        switch token {
        case .word(let w): "'\(w)'"
        case .quoted(let q): "\"\(q)\""
        case .op(let o): "'\(o)'"
        case .open: "'('"
        case .close: "')'"
        case .comma: "','"
        }
    }

    static func tokens(_ text: String) throws(ParseFailure) -> [Token] {
        var out: [Token] = []
        var chars = Array(text)
        chars.append(" ")
        var i = 0
        var word = ""
        func flush() { if !word.isEmpty { out.append(.word(word)); word = "" } }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t": flush()
            case "(": flush(); out.append(.open)
            case ")": flush(); out.append(.close)
            case ",", "，": flush(); out.append(.comma)
            case "\"", "“", "”":
                flush()
                var j = i + 1
                var s = ""
                while j < chars.count - 1, !["\"", "”"].contains(chars[j]) { s.append(chars[j]); j += 1 }
                guard j < chars.count - 1 else { throw ParseFailure(message: "a quoted value is not closed") }
                out.append(.quoted(s))
                i = j
            case "=", "!", "<", ">":
                flush()
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    out.append(.op(String([c, "="])))
                    i += 1
                } else if c == "!" {
                    throw ParseFailure(message: "'!' must be followed by '=' (use 'not' to negate)")
                } else {
                    out.append(.op(String(c)))
                }
            default: word.append(c)
            }
            i += 1
        }
        return out
    }
}

/// Durations in rule files: `90s`, `30m`, `48h`, `7d`.
enum Duration {
    /// The longest duration a rule may give: 100 years. A longer one (or `1e400h`) is refused
    /// rather than trapping on the conversion, and an event time plus a window, wait or delay
    /// can never overflow in the engine.
    static let maxMillis: Int64 = 36_525 * 86_400_000

    static func millis(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Double(text.dropLast()), n > 0 else { return nil }
        let scale: Double
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let millis = n * scale
        guard millis <= Double(maxMillis) else { return nil }
        return Int64(millis)
    }
}
