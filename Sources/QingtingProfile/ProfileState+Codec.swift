internal import Foundation
import OrderedCollections
import QingtingCore

extension ProfileState {
    /// The state as the store keeps it: JSON with sorted keys, numbers printed to round-trip, so
    /// equal states are equal bytes (what `rebuild --check` compares).
    ///
    /// Written by hand, byte for byte what `JSONEncoder` with `.sortedKeys` writes (stores written
    /// before keep comparing equal): members in key order, nil members left out, integers in
    /// decimal, doubles as their `description` without a trailing `.0`, strings with `/` escaped.
    /// `JSONEncoder` cost about a tenth of the ingest writer's time.
    public var encoded: String {
        var w = StateWriter()
        w.object { w in
            w.member("categories") { w in w.map(categories) { w, e in e.write(to: &w) } }
            w.member("engagement") { w in w.map(engagement) { w, terms in w.map(terms) { w, d in d.write(to: &w) } } }
            w.member("events", events)
            w.member("firstSeen", firstSeen)
            w.member("intents") { w in w.map(intents) { w, e in e.write(to: &w) } }
            w.member("journey") { w in w.array(journey) { w, step in step.write(to: &w) } }
            w.member("kinds") { w in w.map(kinds) { w, n in w.int(Int64(n)) } }
            w.member("koc") { w in koc.write(to: &w) }
            w.member("lastInteraction", lastInteraction)
            w.member("lastInteractionSeq", lastInteractionSeq)
            w.member("lastOrder", lastOrder)
            w.member("lastSeen", lastSeen)
            w.member("lastSeq", lastSeq)
            w.member("orderAmount", orderAmount)
            w.member("orders", orders)
            w.member("platforms") { w in w.map(platforms) { w, n in w.int(Int64(n)) } }
        }
        return w.text
    }

    /// What `encoded` wrote through `JSONEncoder` (kept for the test that compares the two).
    var encodedByFoundation: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// A stored state read back: what `encoded` wrote (`Decodable` reads the same), read through
    /// the project's JSON parser, which is several times cheaper than `JSONDecoder` — the profile
    /// is decoded on every `customer.get` and for every customer an ingest transaction touches.
    /// A member the text lacks keeps its default.
    /// - Throws: `QingtingError(.store)` for text that is not a profile state.
    public static func decoded(_ text: String) throws -> ProfileState {
        do {
            return try ProfileState(StateReader(try JSONValue.parse(text), key: nil))
        } catch let error as StateReader.Failure {
            throw QingtingError(.store, "a stored profile state cannot be read (\(error.what))")
        } catch {
            throw QingtingError(.store, "a stored profile state cannot be read (not JSON: \(error))")
        }
    }

    init(_ r: StateReader) throws {
        self.init()
        let m = try r.members()
        events = try m.int("events") ?? events
        lastSeq = try m.int64("lastSeq") ?? lastSeq
        firstSeen = try m.int64("firstSeen")
        lastSeen = try m.int64("lastSeen")
        lastInteraction = try m.int64("lastInteraction")
        lastInteractionSeq = try m.int64("lastInteractionSeq")
        kinds = try m.map("kinds") { try $0.int() }
        platforms = try m.map("platforms") { try $0.int() }
        engagement = try m.map("engagement") { try $0.members().mapAll { try Decayed($0) } }
        categories = try m.map("categories") { try Evidence($0) }
        intents = try m.map("intents") { try Evidence($0) }
        orders = try m.int("orders") ?? orders
        orderAmount = try m.double("orderAmount") ?? orderAmount
        lastOrder = try m.int64("lastOrder")
        journey = try m.child("journey")?.array { try StageStep($0) } ?? []
        koc = try m.child("koc").map { try KOCCounts($0) } ?? koc
    }
}

extension ProfileState.Evidence {
    init(_ r: StateReader) throws {
        self.init()
        let m = try r.members()
        weight = try m.child("weight").map { try Decayed($0) } ?? weight
        count = try m.int("count") ?? count
        seqs = try m.child("seqs")?.array { try $0.int64() } ?? []
        last = try m.int64("last") ?? last
        models = try m.child("models")?.stringOrNull()
    }
}

extension ProfileState.StageStep {
    init(_ r: StateReader) throws {
        let m = try r.members()
        self.init(stage: try m.required("stage").string(), seq: try m.required("seq").int64(),
                  at: try m.required("at").int64(), reason: try m.required("reason").string())
    }
}

extension ProfileState.KOCCounts {
    init(_ r: StateReader) throws {
        self.init()
        let m = try r.members()
        posts = try m.int("posts") ?? posts
        firstPost = try m.int64("firstPost")
        lastPost = try m.int64("lastPost")
        characters = try m.int("characters") ?? characters
        positive = try m.int("positive") ?? positive
        recommend = try m.int("recommend") ?? recommend
        interactions = try m.double("interactions") ?? interactions
        followers = try m.double("followers") ?? followers
    }
}

extension Decayed {
    init(_ r: StateReader) throws {
        self.init()
        let m = try r.members()
        value = try m.double("value") ?? value
        at = try m.int64("at") ?? at
    }
}

extension ProfileState.Evidence {
    func write(to w: inout StateWriter) {
        w.object { w in
            w.member("count", count)
            w.member("last", last)
            if let models { w.member("models") { w in w.string(models) } }
            w.member("seqs") { w in w.array(seqs) { w, n in w.int(n) } }
            w.member("weight") { w in weight.write(to: &w) }
        }
    }
}

extension ProfileState.StageStep {
    func write(to w: inout StateWriter) {
        w.object { w in
            w.member("at", at)
            w.member("reason") { w in w.string(reason) }
            w.member("seq", seq)
            w.member("stage") { w in w.string(stage) }
        }
    }
}

extension ProfileState.KOCCounts {
    func write(to w: inout StateWriter) {
        w.object { w in
            w.member("characters", characters)
            w.member("firstPost", firstPost)
            w.member("followers", followers)
            w.member("interactions", interactions)
            w.member("lastPost", lastPost)
            w.member("positive", positive)
            w.member("posts", posts)
            w.member("recommend", recommend)
        }
    }
}

extension Decayed {
    func write(to w: inout StateWriter) {
        w.object { w in
            w.member("at", at)
            w.member("value", value)
        }
    }
}

/// JSON as `JSONEncoder` with `.sortedKeys` writes it (see `ProfileState.encoded`); the callers
/// give an object's members in key order, dictionaries are sorted here. Every value writes the
/// comma before it when one is due.
struct StateWriter {
    var text = ""
    private var needsComma = false

    mutating func object(_ body: (inout StateWriter) -> Void) {
        separate()
        text += "{"
        needsComma = false
        body(&self)
        text += "}"
        needsComma = true
    }

    mutating func array<T>(_ items: [T], _ item: (inout StateWriter, T) -> Void) {
        separate()
        text += "["
        needsComma = false
        for x in items { item(&self, x) }
        text += "]"
        needsComma = true
    }

    /// A dictionary as an object, its keys in UTF-8 byte order — what `.sortedKeys` does (not
    /// `String`'s `<`, which compares canonical forms: `e` + U+0301 sorts as `é` there).
    mutating func map<T>(_ members: [String: T], _ value: (inout StateWriter, T) -> Void) {
        object { w in
            for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                w.member(key) { w in value(&w, members[key]!) }
            }
        }
    }

    mutating func member(_ key: String, _ value: (inout StateWriter) -> Void) {
        separate()
        quote(key)
        text += ":"
        needsComma = false
        value(&self)
        needsComma = true
    }

    mutating func member(_ key: String, _ n: Int) { member(key) { w in w.int(Int64(n)) } }
    mutating func member(_ key: String, _ n: Int64) { member(key) { w in w.int(n) } }
    mutating func member(_ key: String, _ x: Double) { member(key) { w in w.double(x) } }
    /// Left out when nil, as `encodeIfPresent` does.
    mutating func member(_ key: String, _ n: Int64?) { if let n { member(key, n) } }

    mutating func int(_ n: Int64) {
        separate()
        text += String(n)
        needsComma = true
    }

    mutating func double(_ x: Double) {
        separate()
        let d = x.description
        text += d.hasSuffix(".0") ? String(d.dropLast(2)) : d
        needsComma = true
    }

    mutating func string(_ s: String) {
        separate()
        quote(s)
        needsComma = true
    }

    /// `s` as `JSONEncoder` quotes it: `"`, `\`, `/` and control characters escaped (`\b`,
    /// `\f`, `\n`, `\r`, `\t`, else `\u00xx`), everything else as it is.
    private mutating func quote(_ s: String) {
        text += "\""
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x2F }) {
            text += s
        } else {
            var out = String.UnicodeScalarView()
            for scalar in s.unicodeScalars {
                let escape: String? = switch scalar {
                case "\"": "\\\""
                case "\\": "\\\\"
                case "/": "\\/"
                case "\n": "\\n"
                case "\r": "\\r"
                case "\t": "\\t"
                case "\u{8}": "\\b"
                case "\u{C}": "\\f"
                case _ where scalar.value < 0x20:
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: nil
                }
                if let escape { out.append(contentsOf: escape.unicodeScalars) } else { out.append(scalar) }
            }
            text += String(out)
        }
        text += "\""
    }

    private mutating func separate() {
        if needsComma { text += "," }
    }
}

/// A value of a stored profile state and the member it is under (for the decoder's messages;
/// no path is built while reading, which would cost more than the reading).
struct StateReader {
    struct Failure: Error {
        var what: String
    }

    let value: JSONValue
    let key: String?

    init(_ value: JSONValue, key: String?) {
        self.value = value
        self.key = key
    }

    func fail(_ expected: String) -> Failure {
        Failure(what: "expected \(expected), found \(value.typeName)" + (key.map { " in member '\($0)'" } ?? " at the top"))
    }

    func members() throws -> Members {
        guard case .object(let members) = value else { throw fail("an object") }
        return Members(members: members, key: key)
    }

    func array<T>(_ element: (StateReader) throws -> T) throws -> [T] {
        guard case .array(let items) = value else { throw fail("an array") }
        return try items.map { try element(StateReader($0, key: key)) }
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw fail("a string") }
        return s
    }

    func stringOrNull() throws -> String? {
        if case .null = value { return nil }
        return try string()
    }

    func int64() throws -> Int64 {
        guard case .number(let literal) = value else { throw fail("a number") }
        if let n = Int64(literal) { return n }
        // An integer written with an exponent or a fraction of zero (`1e3`, `12.0`).
        guard let d = Double(literal), d == d.rounded(), let n = Int64(exactly: d) else { throw fail("an integer") }
        return n
    }

    func int() throws -> Int { Int(try int64()) }

    func double() throws -> Double {
        guard case .number(let literal) = value, let d = Double(literal) else { throw fail("a number") }
        return d
    }

    /// An object's members by name.
    struct Members {
        let members: JSONObject
        let key: String?

        func child(_ name: String) -> StateReader? {
            guard let value = members[name] else { return nil }
            if case .null = value { return nil }
            return StateReader(value, key: name)
        }

        func required(_ name: String) throws -> StateReader {
            guard let r = child(name) else {
                throw Failure(what: "member '\(name)' is missing" + (key.map { " in '\($0)'" } ?? ""))
            }
            return r
        }

        func int(_ key: String) throws -> Int? { try child(key)?.int() }
        func int64(_ key: String) throws -> Int64? { try child(key)?.int64() }
        func double(_ key: String) throws -> Double? { try child(key)?.double() }

        /// The object under `key`, each member read by `value` (empty when absent).
        func map<T>(_ key: String, _ value: (StateReader) throws -> T) throws -> [String: T] {
            try child(key)?.members().mapAll(value) ?? [:]
        }

        /// Every member read by `value`.
        func mapAll<T>(_ value: (StateReader) throws -> T) throws -> [String: T] {
            var out: [String: T] = [:]
            out.reserveCapacity(members.count)
            for (name, v) in members { out[name] = try value(StateReader(v, key: name)) }
            return out
        }
    }
}
