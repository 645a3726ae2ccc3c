import QingtingCore

/// A KPI's formula: arithmetic (`+ - * /`, parentheses, unary minus, numbers) over the names of
/// measures, the counters the daily aggregates keep (`(positive - negative) / (positive + negative)`).
/// A division by zero makes the value undefined (nil, JSON null), not infinite: a day with no
/// sentiment-bearing posts has no net sentiment.
public indirect enum KPIFormula: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case measure(String)
    case negate(KPIFormula)
    case binary(Character, KPIFormula, KPIFormula)

    /// Parses `text`; the error says what was expected and at which character.
    /// - Throws: `QingtingError(.invalidSettings)` with the 1-based column.
    public static func parse(_ text: String) throws -> KPIFormula {
        var parser = Parser(chars: Array(text))
        let formula = try parser.sum()
        parser.skipSpaces()
        guard parser.at == parser.chars.count else { throw parser.error("an operator or the end of the formula") }
        return formula
    }

    /// The measures the formula reads, in first-use order.
    public var measures: [String] {
        switch self {
        case .number: return []
        case .measure(let name): return [name]
        case .negate(let f): return f.measures
        case .binary(_, let a, let b):
            let left = a.measures
            return left + b.measures.filter { !left.contains($0) }
        }
    }

    /// The value over `values` (a measure absent from it counts 0); nil when a division by zero
    /// occurs anywhere in it.
    public func value(_ values: [String: Double]) -> Double? { value { values[$0] } }

    /// The value with each measure looked up by `measure` (absent: 0).
    public func value(_ measure: (String) -> Double?) -> Double? {
        switch self {
        case .number(let x): return x
        case .measure(let name): return measure(name) ?? 0
        case .negate(let f): return f.value(measure).map { -$0 }
        case .binary(let op, let a, let b):
            guard let x = a.value(measure), let y = b.value(measure) else { return nil }
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            default: return y == 0 ? nil : x / y
            }
        }
    }

    /// The formula as written, with the parentheses precedence needs and no others.
    public var description: String {
        switch self {
        case .number(let x): return NumberFormat.rounded(x, 6)
        case .measure(let name): return name
        case .negate(let f): return "-" + (f.precedence < 3 ? "(\(f))" : "\(f)")
        case .binary(let op, let a, let b):
            let p = precedence
            let left = a.precedence < p ? "(\(a))" : "\(a)"
            // a - (b - c) and a / (b * c) keep theirs: the right operand of - and / binds first.
            let right = b.precedence < p || (b.precedence == p && (op == "-" || op == "/")) ? "(\(b))" : "\(b)"
            return "\(left) \(op) \(right)"
        }
    }

    /// 1 for + and -, 2 for * and /, 3 for what needs no parentheses.
    private var precedence: Int {
        if case .binary(let op, _, _) = self { return op == "+" || op == "-" ? 1 : 2 }
        return 3
    }

    /// Recursive descent: sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*;
    /// unary := '-' unary | atom; atom := number | name | '(' sum ')'.
    private struct Parser {
        let chars: [Character]
        var at = 0

        mutating func skipSpaces() { while at < chars.count, chars[at] == " " || chars[at] == "\t" { at += 1 } }

        func error(_ expected: String) -> QingtingError {
            let got = at < chars.count ? "'\(chars[at])'" : "the end"
            return QingtingError(.invalidSettings, "formula column \(at + 1): expected \(expected), got \(got)")
        }

        mutating func sum() throws -> KPIFormula {
            var left = try product()
            while true {
                skipSpaces()
                guard at < chars.count, chars[at] == "+" || chars[at] == "-" else { return left }
                let op = chars[at]
                at += 1
                left = .binary(op, left, try product())
            }
        }

        mutating func product() throws -> KPIFormula {
            var left = try unary()
            while true {
                skipSpaces()
                guard at < chars.count, chars[at] == "*" || chars[at] == "/" else { return left }
                let op = chars[at]
                at += 1
                left = .binary(op, left, try unary())
            }
        }

        mutating func unary() throws -> KPIFormula {
            skipSpaces()
            if at < chars.count, chars[at] == "-" {
                at += 1
                return .negate(try unary())
            }
            return try atom()
        }

        mutating func atom() throws -> KPIFormula {
            skipSpaces()
            guard at < chars.count else { throw error("a number, a measure or '('") }
            let c = chars[at]
            if c == "(" {
                at += 1
                let inner = try sum()
                skipSpaces()
                guard at < chars.count, chars[at] == ")" else { throw error("')'") }
                at += 1
                return inner
            }
            if c.isNumber || c == "." {
                let start = at
                while at < chars.count, chars[at].isNumber || chars[at] == "." { at += 1 }
                guard let x = Double(String(chars[start..<at])) else {
                    at = start
                    throw error("a number")
                }
                return .number(x)
            }
            if c.isLetter || c == "_" {
                let start = at
                while at < chars.count, chars[at].isLetter || chars[at].isNumber || chars[at] == "_" || chars[at] == "." {
                    at += 1
                }
                return .measure(String(chars[start..<at]))
            }
            throw error("a number, a measure or '('")
        }
    }
}
