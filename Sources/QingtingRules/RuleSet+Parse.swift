import OrderedCollections
import QingtingCore

extension RuleSet {
    /// The clauses a rule may hold, for the error that lists them.
    static let clauses = ["on", "platform", "when", "wait", "spike", "cooldown", "priority", "after"]
        + Action.Kind.allCases.map(\.rawValue)

    static let channels: Set<String> = ["wecom", "email", "webhook"]

    /// Reads a rule file (README: Rules, "The rule file").
    /// - Throws: `QingtingErrors` with every problem as `file:line: what`, not only the first.
    public static func parse(_ text: String, source: String) throws -> RuleSet {
        var parser = RuleFileParser(source: source)
        parser.read(text)
        guard parser.errors.isEmpty else { throw QingtingErrors(parser.errors) }
        return RuleSet(
            source: source, version: Self.hash(Array(text.utf8)), rules: parser.rules, routes: parser.routes,
            templates: parser.templates, brandTerms: parser.brandTerms)
    }

    /// FNV-1a 64 of a file's bytes as 16 hex digits (the rule file's version).
    static func hash(_ bytes: [UInt8]) -> String { BinaryFormat.fnv1a64Hex(bytes) }

    /// Reads the rule file at `path` (`parse` with the file's text).
    public static func load(_ path: String) throws -> RuleSet {
        let bytes = try FileIO.read(path, what: "the rule file")
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw QingtingError(.invalidUTF8, "the rule file is not UTF-8", location: path)
        }
        return try parse(text, source: path)
    }
}

/// The line-by-line reader behind `RuleSet.parse`: top-level lines (`rule`, `route`, `template`,
/// `brand`) and the indented clauses of the rule above them.
struct RuleFileParser {
    let source: String
    var errors: [QingtingError] = []
    var rules: [Rule] = []
    var routes: [Route] = []
    var templates: [String: [Template]] = [:]
    var brandTerms: [String] = []
    private var current: Rule?
    private var counts = 0
    private var templateUses: [(name: String, location: String)] = []

    init(source: String) { self.source = source }

    mutating func read(_ text: String) {
        for line in ConfigLine.lines(text) {
            let location = "\(source):\(line.number)"
            do throws(ConditionParser.ParseFailure) {
                if line.indented {
                    guard current != nil else {
                        throw .init(message: "an indented clause belongs under a 'rule NAME' line")
                    }
                    try clause(line.trimmed, at: location)
                } else {
                    try topLevel(line.trimmed, at: location)
                }
            } catch {
                errors.append(QingtingError(.invalidSettings, error.message, location: location))
            }
        }
        finishRule()
        for use in templateUses where templates[use.name] == nil {
            let known = templates.keys.sorted().joined(separator: ", ")
            errors.append(QingtingError(.invalidSettings, "no template named '\(use.name)' (templates: \(known.isEmpty ? "none" : known))", location: use.location))
        }
    }

    private mutating func topLevel(_ line: String, at location: String) throws(ConditionParser.ParseFailure) {
        let (head, rest) = Self.split(line)
        switch head {
        case "rule":
            finishRule()
            guard !rest.isEmpty, !rest.contains(" ") else { throw .init(message: "a rule needs a one-word name: rule NAME") }
            if rules.contains(where: { $0.name == rest }) { throw .init(message: "a second rule named '\(rest)'") }
            current = Rule(name: rest, location: location, kinds: [], platforms: [], when: nil, wait: nil, spike: nil,
                           cooldown: nil, priority: .normal, actions: [], steps: [])
            counts = 0
        case "route":
            finishRule()
            let (skill, tail) = Self.split(rest)
            let (keyword, expression) = Self.split(tail)
            guard !skill.isEmpty, keyword == "when" else { throw .init(message: "a route reads: route SKILL when CONDITION") }
            var parser = try ConditionParser(expression, countPrefix: "route")
            let (condition, n) = try parser.parse()
            if n > 0 { throw .init(message: "a route cannot count events") }
            routes.append(Route(skill: skill, when: condition, location: location))
        case "template":
            finishRule()
            guard let colon = rest.firstIndex(of: ":") else { throw .init(message: "a template reads: template NAME [when CONDITION]: TEXT") }
            let (name, tail) = Self.split(String(rest[..<colon]).trimmingWhitespace)
            let text = String(rest[rest.index(after: colon)...]).trimmingWhitespace
            guard !name.isEmpty, !text.isEmpty else { throw .init(message: "a template needs a name and a text") }
            var when: Condition?
            if !tail.isEmpty {
                let (keyword, expression) = Self.split(tail)
                guard keyword == "when" else { throw .init(message: "after the template's name comes 'when CONDITION' or ':'") }
                var parser = try ConditionParser(expression, countPrefix: "template")
                when = try parser.parse().0
            }
            templates[name, default: []].append(Template(name: name, when: when, text: text, location: location))
        case "brand":
            finishRule()
            let terms = Self.list(rest)
            guard !terms.isEmpty else { throw .init(message: "brand lists terms: brand 倾听, Qingting") }
            brandTerms += terms
        default:
            throw .init(message: "expected 'rule NAME', 'route', 'template' or 'brand' at the start of a line, got '\(head)' (a rule's clauses are indented)")
        }
    }

    private mutating func clause(_ line: String, at location: String) throws(ConditionParser.ParseFailure) {
        let (head, rest) = Self.split(line)
        switch head {
        case "on":
            let kinds = Self.list(rest)
            guard !kinds.isEmpty else { throw .init(message: "on lists event kinds: on post, comment, dm") }
            current!.kinds.formUnion(kinds)
        case "platform", "platforms":
            let platforms = Self.list(rest)
            guard !platforms.isEmpty else { throw .init(message: "platform lists platforms: platform weibo, douyin") }
            current!.platforms.formUnion(platforms)
        case "when":
            let condition = try condition(rest)
            current!.when = current!.when.map { .all([$0, condition]) } ?? condition
        case "wait":
            let (d, tail) = Self.split(rest)
            guard let millis = Duration.millis(d) else { throw .init(message: "wait needs a duration: wait 48h [unless CONDITION]") }
            var unless: Condition?
            if !tail.isEmpty {
                let (keyword, expression) = Self.split(tail)
                guard keyword == "unless" else { throw .init(message: "after wait's duration comes 'unless CONDITION'") }
                if expression != "any" { unless = try condition(expression) }
            }
            current!.wait = Rule.Wait(millis: millis, unless: unless)
        case "spike":
            current!.spike = try spike(rest)
        case "cooldown":
            guard let millis = Duration.millis(rest) else { throw .init(message: "cooldown needs a duration: cooldown 24h") }
            current!.cooldown = millis
        case "priority":
            guard let p = Priority(rawValue: rest) else {
                throw .init(message: "priority is one of \(Priority.allCases.map(\.rawValue).joined(separator: ", ")), got '\(rest)'")
            }
            current!.priority = p
        case "after":
            current!.steps.append(try step(rest, at: location))
        default:
            guard let kind = Action.Kind(rawValue: head) else {
                throw .init(message: "unknown clause '\(head)' (clauses: \(RuleSet.clauses.joined(separator: ", ")))")
            }
            current!.actions.append(try action(kind, rest, at: location))
        }
    }

    private mutating func condition(_ text: String) throws(ConditionParser.ParseFailure) -> Condition {
        var parser = try ConditionParser(text, countPrefix: current!.name, firstCount: counts)
        let (condition, n) = try parser.parse()
        counts = n
        return condition
    }

    private func spike(_ text: String) throws(ConditionParser.ParseFailure) -> Rule.Spike {
        var spike = Rule.Spike(window: 3_600_000, baseline: 7 * 86_400_000, growth: 2, minimum: 20)
        var words = text.split(separator: " ").map(String.init)
        if words.first == "by" { words.removeFirst(min(2, words.count)) }  // `by topic`: the only key
        guard words.count % 2 == 0 else { throw .init(message: "spike reads: spike window 1h baseline 7d growth 200% min 20") }
        for i in stride(from: 0, to: words.count, by: 2) {
            let (name, value) = (words[i], words[i + 1])
            switch name {
            case "window", "baseline":
                guard let d = Duration.millis(value) else { throw .init(message: "spike \(name) needs a duration, got '\(value)'") }
                if name == "window" { spike.window = d } else { spike.baseline = d }
            case "growth":
                guard let x = Double(value.hasSuffix("%") ? String(value.dropLast()) : value), x > 0 else {
                    throw .init(message: "spike growth is a percentage such as 200%, got '\(value)'")
                }
                spike.growth = value.hasSuffix("%") ? x / 100 : x
            case "min":
                guard let n = Int(value), n > 0 else { throw .init(message: "spike min is a count above 0, got '\(value)'") }
                spike.minimum = n
            default: throw .init(message: "spike takes window, baseline, growth and min, got '\(name)'")
            }
        }
        guard spike.baseline >= 2 * spike.window else { throw .init(message: "a spike's baseline must span at least two windows") }
        return spike
    }

    private mutating func step(_ text: String, at location: String) throws(ConditionParser.ParseFailure) -> Rule.Step {
        guard let colon = text.firstIndex(of: ":") else { throw .init(message: "a delayed step reads: after 24h [if read|unread|CONDITION]: ACTION") }
        let (d, tail) = Self.split(String(text[..<colon]).trimmingWhitespace)
        guard let delay = Duration.millis(d) else { throw .init(message: "after needs a duration, got '\(d)'") }
        var condition = Rule.StepCondition.always
        if !tail.isEmpty {
            let (keyword, expression) = Self.split(tail)
            guard keyword == "if" else { throw .init(message: "after the delay comes 'if read', 'if unread' or 'if CONDITION'") }
            switch expression {
            case "read": condition = .read
            case "unread": condition = .unread
            default: condition = .when(try self.condition(expression))
            }
        }
        let (head, rest) = Self.split(String(text[text.index(after: colon)...]).trimmingWhitespace)
        guard let kind = Action.Kind(rawValue: head) else {
            throw .init(message: "a delayed step's action is one of \(Action.Kind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(head)'")
        }
        return Rule.Step(delay: delay, condition: condition, action: try action(kind, rest, at: location))
    }

    private mutating func action(_ kind: Action.Kind, _ text: String, at location: String) throws(ConditionParser.ParseFailure) -> Action {
        var words: [String] = []
        var options: [String: String] = [:]
        for token in Self.words(text) {
            if let eq = token.firstIndex(of: "="), eq != token.startIndex {
                options[String(token[..<eq])] = String(token[token.index(after: eq)...])
            } else {
                words.append(token)
            }
        }
        let argument = words.isEmpty ? nil : words.joined(separator: " ")
        let allowed: Set<String>
        switch kind {
        case .alert: allowed = ["priority"]
        case .ticket: allowed = ["skill", "priority", "assign"]
        case .notify:
            allowed = ["to", "template"]
            guard let channel = argument, RuleSet.channels.contains(channel) else {
                throw .init(message: "notify names a channel: \(RuleSet.channels.sorted().joined(separator: ", "))")
            }
        case .reply, .message: allowed = ["template"]
        case .tag, .coupon:
            allowed = []
            guard argument != nil else { throw .init(message: "\(kind.rawValue) needs a name: \(kind.rawValue) NAME") }
        case .opportunity, .profile: allowed = []
        }
        for name in options.keys.sorted() where !allowed.contains(name) {
            throw .init(message: "\(kind.rawValue) takes \(allowed.isEmpty ? "no options" : allowed.sorted().joined(separator: ", ")), got '\(name)='")
        }
        if let p = options["priority"], Priority(rawValue: p) == nil {
            throw .init(message: "priority is one of \(Priority.allCases.map(\.rawValue).joined(separator: ", ")), got '\(p)'")
        }
        if let t = options["template"] { templateUses.append((t, location)) }
        return Action(kind: kind, argument: argument, options: options, location: location)
    }

    private mutating func finishRule() {
        guard let rule = current else { return }
        current = nil
        if rule.actions.isEmpty, rule.steps.isEmpty {
            errors.append(QingtingError(.invalidSettings, "rule '\(rule.name)' does nothing: give it an action (\(Action.Kind.allCases.map(\.rawValue).joined(separator: ", ")))", location: rule.location))
        }
        if rule.spike != nil, rule.wait != nil {
            errors.append(QingtingError(.invalidSettings, "rule '\(rule.name)': a spike rule cannot wait", location: rule.location))
        }
        if !rule.steps.isEmpty, !rule.actions.contains(where: { $0.kind == .message || $0.kind == .reply }),
           rule.steps.contains(where: { if case .read = $0.condition { true } else if case .unread = $0.condition { true } else { false } }) {
            errors.append(QingtingError(.invalidSettings, "rule '\(rule.name)': 'if read' needs a message or reply before it", location: rule.location))
        }
        rules.append(rule)
    }

    /// The first word and the rest, trimmed.
    static func split(_ text: String) -> (String, String) {
        let t = text.trimmingWhitespace
        guard let space = t.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (t, "") }
        return (String(t[..<space]), String(t[space...]).trimmingWhitespace)
    }

    /// A comma-separated list.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "，" }).map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
    }

    /// Space-separated words; `key="a b"` and `"a b"` keep their spaces.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var word = ""
        var quoted = false
        for c in text {
            if c == "\"" { quoted.toggle(); continue }
            if !quoted, c == " " || c == "\t" {
                if !word.isEmpty { out.append(word); word = "" }
            } else {
                word.append(c)
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }
}
