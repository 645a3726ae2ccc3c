public import OrderedCollections

/// The engine's one JSON writer: compact JSON, members in the order they are written.
///
/// Every JSON the engine prints goes through it — `analyze` and `segment` lines, error lines, the
/// server's responses, link output, model files — so escaping and number formatting are the same
/// everywhere. It appends to one `String`; nothing is built as a tree first, which keeps the
/// per-post hot path as cheap as hand-written concatenation.
///
/// ```swift
/// var w = JSONWriter()
/// w.object { w in
///     w.member("id", 7)
///     w.member("tags") { w in w.array(["a", "b"]) { w, tag in w.string(tag) } }
/// }
/// w.text  // {"id":7,"tags":["a","b"]}
/// ```
public struct JSONWriter {
    /// The JSON written so far.
    public var text: String
    /// True after a value inside the current object or array, so the next one is preceded by `,`.
    @usableFromInline var needsComma = false

    /// A writer that appends to `text` (pass a prefix, or reserve capacity, to reuse a buffer).
    @inlinable
    public init(_ text: String = "") { self.text = text }

    // MARK: Containers

    /// `{…}`: `body` writes the members.
    @inlinable
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        separate()
        text += "{"
        needsComma = false
        try body(&self)
        text += "}"
        needsComma = true
    }

    /// `[…]`: `body` writes each element of `items`.
    @inlinable
    public mutating func array<Items: Sequence>(_ items: Items, _ body: (inout JSONWriter, Items.Element) throws -> Void) rethrows {
        separate()
        text += "["
        needsComma = false
        for item in items { try body(&self, item) }
        text += "]"
        needsComma = true
    }

    /// `"key":` — the next value written is the member's value.
    @inlinable
    public mutating func key(_ name: String) {
        separate()
        JSON.appendString(name, to: &text)
        text += ":"
        needsComma = false
    }

    // MARK: Values

    @inlinable
    public mutating func string(_ s: String) {
        separate()
        JSON.appendString(s, to: &text)
        needsComma = true
    }

    @inlinable
    public mutating func int<I: BinaryInteger>(_ n: I) {
        separate()
        text += String(n)
        needsComma = true
    }

    @inlinable
    public mutating func bool(_ b: Bool) {
        separate()
        text += b ? "true" : "false"
        needsComma = true
    }

    @inlinable
    public mutating func null() {
        separate()
        text += "null"
        needsComma = true
    }

    /// `x` rounded to `digits` decimals, trailing zeros dropped (`0.9`, `12`, never an exponent).
    @inlinable
    public mutating func number(_ x: Double, digits: Int) {
        separate()
        text += NumberFormat.rounded(x, digits)
        needsComma = true
    }

    /// A model output (probability, strength) rounded to `digits` decimals in `Float` arithmetic.
    @inlinable
    public mutating func number(_ x: Float, digits: Int) {
        separate()
        text += NumberFormat.rounded(x, digits)
        needsComma = true
    }

    /// JSON text that is already valid (a value written earlier, a number literal).
    @inlinable
    public mutating func raw(_ json: String) {
        separate()
        text += json
        needsComma = true
    }

    /// Any parsed or built value, members in their order.
    @inlinable
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let literal): raw(literal)
        case .string(let s): string(s)
        case .array(let items): array(items) { w, item in w.value(item) }
        case .object(let members):
            object { w in
                for (name, member) in members { w.member(name, member) }
            }
        }
    }

    // MARK: Members (key and value in one call)

    @inlinable
    public mutating func member(_ name: String, _ s: String) { key(name); string(s) }
    @inlinable
    public mutating func member<I: BinaryInteger>(_ name: String, _ n: I) { key(name); int(n) }
    @inlinable
    public mutating func member(_ name: String, _ b: Bool) { key(name); bool(b) }
    @inlinable
    public mutating func member(_ name: String, _ v: JSONValue) { key(name); value(v) }
    @inlinable
    public mutating func member(_ name: String, _ x: Double, digits: Int) { key(name); number(x, digits: digits) }
    @inlinable
    public mutating func member(_ name: String, _ x: Float, digits: Int) { key(name); number(x, digits: digits) }
    @inlinable
    public mutating func member(_ name: String, raw json: String) { key(name); raw(json) }
    /// A member whose value `body` writes (an object, an array, …).
    @inlinable
    public mutating func member(_ name: String, _ body: (inout JSONWriter) throws -> Void) rethrows {
        key(name)
        try body(&self)
    }
    /// The member only when `value` is not nil.
    @inlinable
    public mutating func member(_ name: String, ifPresent value: String?) { if let value { member(name, value) } }
    @inlinable
    public mutating func member<I: BinaryInteger>(_ name: String, ifPresent value: I?) { if let value { member(name, value) } }

    @inlinable @inline(__always)
    mutating func separate() {
        if needsComma { text += "," }
    }
}

/// JSON string escaping, the writer's primitive.
public enum JSON {
    /// Appends `value` as a JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
    ///
    /// Linear in `value`: runs that need no escape are appended as substrings (a memcpy for
    /// native strings). Appending through `out.unicodeScalars` instead copied all of `out` on each
    /// call, which made a long result quadratic.
    @inlinable
    public static func appendString(_ value: String, to out: inout String) {
        out.append("\"")
        // Most strings need no escape: one pass over the bytes (every byte an escape concerns is
        // ASCII, and no byte of a multi-byte UTF-8 sequence is), then a copy.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out.append(value)
            out.append("\"")
            return
        }
        let scalars = value.unicodeScalars
        var plainStart = scalars.startIndex
        var index = plainStart
        while index != scalars.endIndex {
            let s = scalars[index]
            if s.value < 0x20 || s == "\"" || s == "\\" {
                out.append(contentsOf: Substring(scalars[plainStart..<index]))
                switch s {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    let hex = String(s.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.append(contentsOf: Substring(scalars[plainStart..<scalars.endIndex]))
        out.append("\"")
    }

    /// `value` as a JSON string literal.
    @inlinable
    public static func quoted(_ value: String) -> String {
        var out = ""
        appendString(value, to: &out)
        return out
    }
}
