import QingtingCore
import QingtingIngest
import QingtingStore

extension RolePolicy {
    /// Parses a roles file: a `version` line, `anonymous ROLE|none`, and `field`, `role` and
    /// `grant` blocks of indented lines (README: Roles), read by `ConfigLine.lines`.
    /// - Parameter methods: the method names `methods` patterns resolve against.
    /// - Throws: `QingtingErrors`, every problem as `file:line: what`, all at once.
    public static func parse(_ text: String, source: String, methods: [String] = RPCEngine.methodNames) throws -> RolePolicy {
        var parser = Parser(source: source, methods: methods)
        for line in ConfigLine.lines(text) { parser.read(line) }
        return try parser.finish(hash: BinaryFormat.fnv1a64Hex(Array(text.utf8)))
    }

    /// `*` (every method), `area.*`, or a method name; nil when it names no method of `methods`.
    static func expand(_ pattern: String, _ methods: [String]) -> [String]? {
        let matched = pattern == "*" ? methods
            : pattern.hasSuffix(".*") ? methods.filter { $0.hasPrefix(pattern.dropLast()) }
            : methods.filter { $0 == pattern }
        return matched.isEmpty ? nil : matched
    }

    /// Methods a `customers ticketed` role cannot be given: the scope is checked on the
    /// customers a call names and answers with, which for these is only known after a change
    /// was made, or never (a stream).
    static func unscopable(_ name: String) -> Bool {
        guard let data = RPCMethod.all.first(where: { $0.name == name })?.personalData else { return false }
        return !data.ticketBound && (data.access == .change || data.streams)
    }
}

/// The state of one pass over a roles file.
private struct Parser {
    let source: String
    let methods: [String]
    var errors: [QingtingError] = []
    var version: String?
    var anonymous: (name: String?, line: Int)?
    var fields: [RolePolicy.Field] = []
    var roles: [RolePolicy.Role] = []
    var grants: [RolePolicy.Grant] = []
    /// The block being read and what it has said so far.
    var block: Block?
    /// Field names of each role's `fields` line, checked once every field is declared.
    var roleFields: [String: (names: [String], line: Int)] = [:]
    /// Where each grant's role and until were given (checked at the end).
    var grantRoleLines: [String: Int] = [:]

    enum Block {
        case field(RolePolicy.Field)
        case role(RolePolicy.Role, sawMethods: Bool)
        case grant(RolePolicy.Grant, sawUntil: Bool, sawTokens: Bool)
    }

    init(source: String, methods: [String]) {
        self.source = source
        self.methods = methods
    }

    mutating func fail(_ line: Int, _ what: String) {
        errors.append(QingtingError(.invalidSettings, what, location: "\(source):\(line)"))
    }

    mutating func read(_ line: ConfigLine) {
        let word = String(line.trimmed.prefix { $0 != " " && $0 != "\t" })
        let rest = String(line.trimmed.dropFirst(word.count)).trimmingWhitespace
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let number = line.number
        if !line.indented {
            close()
            switch word {
            case "version":
                if rest.isEmpty { fail(number, "version needs a value") }
                version = rest
            case "anonymous":
                guard words.count == 1 else { fail(number, "anonymous is 'anonymous ROLE' or 'anonymous none'"); return }
                if anonymous != nil { fail(number, "anonymous is given twice") }
                anonymous = (words[0] == "none" ? nil : words[0], number)
            case "field", "role", "grant":
                guard words.count == 1, Self.isName(words[0]) else {
                    fail(number, "a \(word) name is lower-case letters, digits, _ and -, got '\(rest)'")
                    return
                }
                let name = words[0]
                let location = "\(source):\(number)"
                switch word {
                case "field":
                    if fields.contains(where: { $0.name == name }) { fail(number, "field \(name) is declared twice") }
                    block = .field(.init(name: name, summary: "", selectors: [], params: [], location: location))
                case "role":
                    if roles.contains(where: { $0.name == name }) { fail(number, "role \(name) is declared twice") }
                    block = .role(.init(name: name, summary: "", methods: [], fields: [], ticketedOnly: false, location: location),
                                  sawMethods: false)
                default:
                    if grants.contains(where: { $0.name == name }) { fail(number, "grant \(name) is declared twice") }
                    block = .grant(.init(name: name, summary: "", role: "", tokens: [], until: 0, location: location),
                                   sawUntil: false, sawTokens: false)
                }
            default:
                fail(number, "expected 'version', 'anonymous', 'field NAME', 'role NAME' or 'grant NAME' at the start of a line, got '\(word)'")
            }
            return
        }
        switch block {
        case nil:
            fail(number, "an indented line belongs to a 'field', 'role' or 'grant' block")
        case .field(var field)?:
            readField(&field, word, words, rest, number)
            block = .field(field)
        case .role(var role, var sawMethods)?:
            readRole(&role, &sawMethods, word, words, rest, number)
            block = .role(role, sawMethods: sawMethods)
        case .grant(var grant, var sawUntil, var sawTokens)?:
            readGrant(&grant, &sawUntil, &sawTokens, word, words, rest, number)
            block = .grant(grant, sawUntil: sawUntil, sawTokens: sawTokens)
        }
    }

    mutating func readField(_ field: inout RolePolicy.Field, _ word: String, _ words: [String], _ rest: String, _ number: Int) {
        switch word {
        case "summary": field.summary = rest
        case "members":
            if words.isEmpty { fail(number, "members needs at least one member path") }
            for text in words {
                if let selector = FieldSelector(text) { field.selectors.append(selector) } else {
                    fail(number, "'\(text)' is not a member path (name.name… with at most one [member=value|value…] or [member!=…] at its end)")
                }
            }
        case "params":
            for text in words {
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty, methods.contains(parts[0]) else {
                    fail(number, "'\(text)' is not METHOD:PARAM with METHOD a method of the server")
                    continue
                }
                field.params.append((parts[0], parts[1]))
            }
        default:
            fail(number, "expected summary, members or params in a field block, got '\(word)'")
        }
    }

    mutating func readRole(_ role: inout RolePolicy.Role, _ sawMethods: inout Bool, _ word: String, _ words: [String],
                           _ rest: String, _ number: Int) {
        switch word {
        case "summary": role.summary = rest
        case "methods":
            if sawMethods { fail(number, "role \(role.name) has two methods lines") }
            sawMethods = true
            var allowed: Set<String> = []
            var removed: Set<String> = []
            for text in words {
                let minus = text.hasPrefix("-")
                let pattern = minus ? String(text.dropFirst()) : text
                guard let matched = RolePolicy.expand(pattern, methods) else {
                    fail(number, "'\(pattern)' names no method of the server (rpc.discover lists them)")
                    continue
                }
                if minus { removed.formUnion(matched) } else { allowed.formUnion(matched) }
            }
            role.methods = allowed.subtracting(removed)
        case "fields":
            roleFields[role.name] = (words, number)
        case "customers":
            switch rest {
            case "ticketed": role.ticketedOnly = true
            case "all": role.ticketedOnly = false
            default: fail(number, "customers is 'customers ticketed' (only customers on a ticket) or 'customers all'")
            }
        default:
            fail(number, "expected summary, methods, fields or customers in a role block, got '\(word)'")
        }
    }

    mutating func readGrant(_ grant: inout RolePolicy.Grant, _ sawUntil: inout Bool, _ sawTokens: inout Bool, _ word: String,
                            _ words: [String], _ rest: String, _ number: Int) {
        switch word {
        case "summary": grant.summary = rest
        case "role":
            guard words.count == 1 else { fail(number, "role is 'role NAME' (one role per grant)"); return }
            grant.role = words[0]
            grantRoleLines[grant.name] = number
        case "tokens":
            if words.isEmpty { fail(number, "tokens needs at least one token name") }
            grant.tokens += words
            sawTokens = true
        case "until":
            // A time with its zone: a grant that ends at another hour than meant is worse than none.
            let time = rest.split(separator: "T", maxSplits: 1).dropFirst().first ?? ""
            let zoned = time.hasSuffix("Z") || time.contains("+") || time.contains("-")
            guard zoned, let ms = Timestamp.millis(rest) else {
                fail(number, "until is an ISO 8601 time with its zone, such as 2026-12-31T00:00:00+08:00")
                return
            }
            grant.until = ms
            sawUntil = true
        default:
            fail(number, "expected summary, role, tokens or until in a grant block, got '\(word)'")
        }
    }

    /// Ends the block being read, checking what it must say.
    mutating func close() {
        switch block {
        case nil: break
        case .field(let field)?:
            if field.selectors.isEmpty && field.params.isEmpty {
                errors.append(QingtingError(.invalidSettings, "field \(field.name) has no members", location: field.location))
            }
            fields.append(field)
        case .role(let role, let sawMethods)?:
            if !sawMethods { errors.append(QingtingError(.invalidSettings, "role \(role.name) has no methods line", location: role.location)) }
            if role.ticketedOnly {
                for name in role.methods.sorted() where RolePolicy.unscopable(name) {
                    errors.append(QingtingError(.invalidSettings,
                        "role \(role.name) is 'customers ticketed' and cannot be given \(name) (its customers are known only after it acted)",
                        location: role.location))
                }
            }
            roles.append(role)
        case .grant(let grant, let sawUntil, let sawTokens)?:
            if grant.role.isEmpty { errors.append(QingtingError(.invalidSettings, "grant \(grant.name) has no role line", location: grant.location)) }
            if !sawTokens { errors.append(QingtingError(.invalidSettings, "grant \(grant.name) has no tokens line", location: grant.location)) }
            if !sawUntil { errors.append(QingtingError(.invalidSettings, "grant \(grant.name) has no until line: a grant always ends", location: grant.location)) }
            grants.append(grant)
        }
        block = nil
    }

    mutating func finish(hash: String) throws -> RolePolicy {
        close()
        let fieldNames = Set(fields.map(\.name))
        for index in roles.indices {
            guard let (names, line) = roleFields[roles[index].name] else { continue }
            if names == ["*"] { roles[index].fields = fieldNames; continue }
            for name in names where !fieldNames.contains(name) {
                let declared = fields.isEmpty ? "the file declares none" : fields.map(\.name).joined(separator: ", ") + ", or *"
                fail(line, "'\(name)' is not a declared field (\(declared))")
            }
            roles[index].fields = Set(names).intersection(fieldNames)
        }
        let roleNames = Set(roles.map(\.name))
        for grant in grants where !grant.role.isEmpty && !roleNames.contains(grant.role) {
            fail(grantRoleLines[grant.name] ?? 0, "grant \(grant.name): '\(grant.role)' is not a role of the file")
        }
        if let (name, line) = anonymous, let name, !roleNames.contains(name) {
            fail(line, "anonymous: '\(name)' is not a role of the file")
        }
        if !roleNames.contains(RolePolicy.ownerRole) {
            errors.append(QingtingError(.invalidSettings, "the file has no role \(RolePolicy.ownerRole) (the server's own uid runs as it without a token file)", location: source))
        }
        if version == nil { errors.append(QingtingError(.invalidSettings, "the file has no 'version' line", location: source)) }
        guard errors.isEmpty else { throw QingtingErrors(errors) }
        return RolePolicy(source: source, version: version!, hash: hash, fields: fields, roles: roles, grants: grants,
                          anonymous: anonymous?.name)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}
