import QingtingCore

/// The KPI definition file (README: Evaluate): a `version` line, then `kpi NAME` blocks of
/// indented `title`, `formula`, `unit` and `param` lines. The same file gives the same numbers to
/// `qingting report`, `kpi.report` and the HTML page; a report names the file, its version and
/// the hash of its bytes.
public struct KPIDefinitions: Sendable {
    public struct KPI: Sendable {
        public var name: String
        public var title: String
        public var formula: KPIFormula
        /// `count`, `ratio`, `percent` (a ratio printed ×100), `score`, `seconds` or `currency`: how the page prints the value.
        public var unit: String
        /// What a ticket KPI's clock counts (`business_hours`, `bot_replies`, `reopen`).
        public var params: [String: String]
        public var location: String
    }

    public var source: String
    /// The `version` line's value.
    public var version: String
    /// FNV-1a 64 of the file's bytes.
    public var hash: String
    public var kpis: [KPI]

    public static let shippedPath = "Lexicons/kpis.txt"
    public static let units: Set<String> = ["count", "ratio", "percent", "score", "seconds", "currency"]

    /// The parameters a KPI may set, with the values each takes (README: Evaluate).
    public static let parameters: [String: String] = [
        "business_hours": "none, or HH:MM-HH:MM DAYS±HH:MM such as 09:00-18:00 mon-fri +08:00",
        "bot_replies": "exclude or include (an automated reply counts as the first response)",
        "reopen": "first (the first resolution; a reopen does not restart the clock), latest (created to the last resolution) or restart (each reopen starts a new response and resolution clock)",
    ]

    /// The measure families a formula may read (`family.name` or a bare name).
    static let families: Set<String> = [
        "kind", "sentiment", "intent", "category", "hashtag", "campaign", "csat", "nps", "orders", "fields",
        "sync", "tickets", "leads", "social_orders", "automation", "retention",
    ]
    static let bare: Set<String> = ["events", "mentions"]

    /// Reads the definitions at `path`, or the shipped file when nil.
    public static func load(_ path: String?) throws -> KPIDefinitions {
        guard let file = path ?? Resources.find(shippedPath) else {
            throw QingtingError(.io, "the shipped \(shippedPath) is not installed; give --kpis FILE")
        }
        let bytes = try FileIO.read(file, what: "the KPI definition file")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw QingtingError(.invalidUTF8, "the KPI definition file is not UTF-8", location: file)
        }
        return try parse(text, source: file)
    }

    /// - Throws: `QingtingErrors`, every problem as `file:line: what`.
    public static func parse(_ text: String, source: String) throws -> KPIDefinitions {
        var errors: [QingtingError] = []
        var version: String?
        var kpis: [KPI] = []
        var current: KPI?
        var formulaSeen = false
        func fail(_ line: Int, _ what: String) { errors.append(QingtingError(.invalidSettings, what, location: "\(source):\(line)")) }
        func close() {
            guard let k = current else { return }
            if !formulaSeen { errors.append(QingtingError(.invalidSettings, "kpi \(k.name) has no formula", location: k.location)) }
            kpis.append(k)
            current = nil
        }
        for line in ConfigLine.lines(text) {
            let number = line.number, trimmed = line.trimmed, indented = line.indented
            let word = String(trimmed.prefix { $0 != " " && $0 != "\t" })
            let rest = String(trimmed.dropFirst(word.count)).trimmingWhitespace
            if !indented {
                close()
                switch word {
                case "version":
                    if rest.isEmpty { fail(number, "version needs a value") }
                    version = rest
                case "kpi":
                    guard Self.isName(rest) else {
                        fail(number, "a KPI name is lower-case letters, digits and _, got '\(rest)'")
                        continue
                    }
                    if kpis.contains(where: { $0.name == rest }) { fail(number, "kpi \(rest) is defined twice") }
                    current = KPI(name: rest, title: rest, formula: .number(0), unit: "ratio", params: [:],
                                  location: "\(source):\(number)")
                    formulaSeen = false
                default:
                    fail(number, "expected 'version' or 'kpi NAME' at the start of a line, got '\(word)'")
                }
                continue
            }
            guard current != nil else {
                fail(number, "an indented line belongs to a 'kpi NAME' block")
                continue
            }
            switch word {
            case "title":
                current!.title = rest
            case "unit":
                if !units.contains(rest) { fail(number, "unit must be one of \(units.sorted().joined(separator: ", ")), got '\(rest)'") }
                current!.unit = rest
            case "formula":
                do {
                    let f = try KPIFormula.parse(rest)
                    for m in f.measures where !Self.isMeasure(m) {
                        fail(number, "'\(m)' is not a measure (events, mentions, or \(families.sorted().joined(separator: ", ")) followed by .NAME)")
                    }
                    current!.formula = f
                    formulaSeen = true
                } catch let e as QingtingError {
                    fail(number, e.message)
                }
            case "param":
                let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, let values = parameters[parts[0]] else {
                    fail(number, "param is 'param NAME VALUE' with NAME one of \(parameters.keys.sorted().joined(separator: ", "))")
                    continue
                }
                let value = parts[1].trimmingWhitespace
                if let problem = Self.checkParam(parts[0], value) { fail(number, "param \(parts[0]): \(problem) (expected \(values))") }
                current!.params[parts[0]] = value
            default:
                fail(number, "expected title, formula, unit or param, got '\(word)'")
            }
        }
        close()
        if version == nil { errors.append(QingtingError(.invalidSettings, "the file has no 'version' line", location: source)) }
        if kpis.isEmpty { errors.append(QingtingError(.invalidSettings, "the file defines no kpi", location: source)) }
        guard errors.isEmpty else { throw QingtingErrors(errors) }
        return KPIDefinitions(source: source, version: version!, hash: BinaryFormat.fnv1a64Hex(Array(text.utf8)), kpis: kpis)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func isMeasure(_ name: String) -> Bool {
        if bare.contains(name) { return true }
        guard let dot = name.firstIndex(of: "."), dot != name.index(before: name.endIndex) else { return false }
        return families.contains(String(name[..<dot]))
    }

    /// Nil when `value` is one parameter `name` takes, else what is wrong.
    static func checkParam(_ name: String, _ value: String) -> String? {
        switch name {
        case "bot_replies": return ["exclude", "include"].contains(value) ? nil : "got '\(value)'"
        case "reopen": return ["first", "latest", "restart"].contains(value) ? nil : "got '\(value)'"
        default:
            do {
                _ = try BusinessHours(value)
                return nil
            } catch let e as QingtingError {
                return e.message
            } catch {
                return "\(error)"
            }
        }
    }
}
