public import OrderedCollections
import QingtingCore

/// Which field of a vendor export row fills which `SocialEvent` field, for the `generic`
/// platform: a platform Qingting has no adapter for is read through one of these.
///
/// A mapping file is TSV (`target<TAB>source` per line, `#` comments; read by the engine's one
/// TSV reader) or, when its name ends in `.json`, a JSON object of the same pairs. A source is a
/// column name (CSV) or a member name or dotted path (JSONL: `user.id`); `=value` is a constant.
///
/// ```
/// event_id         id
/// uid              user.id
/// author.nickname  user.name
/// text             body
/// time             created
/// time_format      yyyy-MM-dd HH:mm:ss
/// time_zone        +08:00
/// kind             =comment
/// parent           reply_to
/// metrics.likes    like_count
/// ```
///
/// Targets: `event_id`, `time`, `time_format` and `kind` are required; `uid`, `text`,
/// `quoted_text`, `parent`, `root`, `post`, `author.<name>` and `metrics.<name>` are optional.
/// `time_format` is `unix_s`, `unix_ms`, `iso8601`, `weibo` (`Wed Jun 01 00:50:25 +0800 2011`) or
/// `yyyy-MM-dd HH:mm:ss` (also `/` between date parts, seconds optional), which needs
/// `time_zone` (`+08:00`): such times carry no zone and are not guessed.
public struct FieldMapping: Sendable, Equatable {
    /// Where a value comes from.
    public enum Source: Sendable, Equatable {
        /// A column or member (dotted path) of the row.
        case field(String)
        /// The same value for every row (`=comment`).
        case constant(String)
    }

    public var eventID: Source
    public var uid: Source?
    public var kind: Source
    public var time: Source
    var timeFormat: TimeFormat
    public var text: Source?
    public var quotedText: Source?
    public var parent: Source?
    public var root: Source?
    public var post: Source?
    /// Profile fields, by the name they get in `SocialEvent.Author.profile`.
    public var author: OrderedDictionary<String, Source>
    /// Counts, by the name they get in `SocialEvent.metrics`.
    public var metrics: OrderedDictionary<String, Source>

    /// Reads a mapping file: JSON when the name ends in `.json`, else TSV.
    /// - Throws: `QingtingErrors` with every problem, each `.invalidMapping` at `path:line`
    ///   (TSV) or `path: target` (JSON); or one `.io` error when the file cannot be read.
    public static func load(_ path: String) throws -> FieldMapping {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 1 << 20, what: "a field mapping") } catch let error as QingtingError {
            throw QingtingErrors([error])
        }
        return path.hasSuffix(".json") ? try parse(json: bytes, path: path) : try parse(tsv: bytes, path: path)
    }

    /// A TSV mapping's text (`target<TAB>source` lines).
    public static func parse(tsv bytes: [UInt8], path: String) throws -> FieldMapping {
        var pairs: [Pair] = []
        var errors: [QingtingError] = []
        do {
            try LexiconFile.parse(bytes, path: path, code: .invalidMapping) { columns, line in
                guard columns.count == 2, !columns[0].isEmpty, !columns[1].isEmpty else {
                    return "expected a target and a source separated by one tab"
                }
                pairs.append(Pair(target: columns[0], source: columns[1], place: "\(path):\(line)"))
                return nil
            }
        } catch let failure as QingtingErrors {
            errors = failure.errors
        }
        return try build(pairs, errors: errors, path: path)
    }

    /// A JSON mapping's text: an object of `"target": "source"` members; `author` and `metrics`
    /// may also be nested objects (`"author": {"nickname": "user.name"}`).
    public static func parse(json bytes: [UInt8], path: String) throws -> FieldMapping {
        let value: JSONValue
        do { value = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch let error as QingtingError {
            throw QingtingErrors([
                QingtingError(
                    .invalidMapping, "not valid JSON: \(error.message)", location: path,
                    byteOffset: error.byteOffset)
            ])
        }
        guard case .object(let members) = value else {
            throw QingtingErrors([
                QingtingError(.invalidMapping, "expected a JSON object of target: source members", location: path)
            ])
        }
        var pairs: [Pair] = []
        var errors: [QingtingError] = []
        for (target, source) in members {
            if case .object(let nested) = source, target == "author" || target == "metrics" {
                for (name, inner) in nested {
                    guard case .string(let s) = inner else {
                        errors.append(
                            QingtingError(
                                .invalidMapping, "the source must be a string", location: "\(path): \(target).\(name)"))
                        continue
                    }
                    pairs.append(Pair(target: "\(target).\(name)", source: s, place: "\(path): \(target).\(name)"))
                }
                continue
            }
            guard case .string(let s) = source else {
                errors.append(
                    QingtingError(.invalidMapping, "the source must be a string", location: "\(path): \(target)"))
                continue
            }
            pairs.append(Pair(target: target, source: s, place: "\(path): \(target)"))
        }
        return try build(pairs, errors: errors, path: path)
    }

    struct Pair {
        var target: String
        var source: String
        var place: String
    }

    static let singleTargets: Set<String> = [
        "event_id", "uid", "kind", "time", "time_format", "time_zone", "text", "quoted_text", "parent", "root", "post",
    ]

    /// Checks the pairs and builds the mapping, reporting every problem at once.
    static func build(_ pairs: [Pair], errors: [QingtingError], path: String) throws -> FieldMapping {
        var errors = errors
        var single: [String: Pair] = [:]
        var author: OrderedDictionary<String, Source> = [:]
        var metrics: OrderedDictionary<String, Source> = [:]
        func fail(_ message: String, _ place: String) {
            errors.append(QingtingError(.invalidMapping, message, location: place))
        }

        for pair in pairs {
            let source = Self.source(pair.source)
            if let dot = pair.target.firstIndex(of: "."), ["author", "metrics"].contains(pair.target[..<dot]) {
                let name = String(pair.target[pair.target.index(after: dot)...])
                let isAuthor = pair.target.hasPrefix("author.")
                if name.isEmpty || (isAuthor && (name == "uid" || name == "platform")) {
                    fail("'\(pair.target)' names no field (map the uid with the target uid)", pair.place)
                } else if (isAuthor ? author[name] : metrics[name]) != nil {
                    fail("'\(pair.target)' is mapped twice", pair.place)
                } else if isAuthor {
                    author[name] = source
                } else {
                    metrics[name] = source
                }
            } else if Self.singleTargets.contains(pair.target) {
                if single[pair.target] != nil { fail("'\(pair.target)' is mapped twice", pair.place) }
                single[pair.target] = pair
            } else {
                fail(
                    "unknown target '\(pair.target)' (targets: \(singleTargets.sorted().joined(separator: ", ")), author.<name>, metrics.<name>)",
                    pair.place)
            }
        }
        for required in ["event_id", "time", "time_format", "kind"] where single[required] == nil {
            fail("no '\(required)' mapping (required)", path)
        }
        var format = TimeFormat.iso8601
        if let pair = single["time_format"] {
            let zone = single["time_zone"]
            let offset = zone.flatMap { EventTime.offset(Substring($0.source)) }
            if let zone, offset == nil { fail("time_zone must be an offset such as +08:00", zone.place) }
            switch pair.source {
            case "unix_s": format = .epoch(.seconds)
            case "unix_ms": format = .epoch(.milliseconds)
            case "iso8601": format = .iso8601
            case "weibo": format = .weibo
            case "yyyy-MM-dd HH:mm:ss", "yyyy/MM/dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm":
                if zone == nil {
                    fail("time_format '\(pair.source)' has no zone: add a time_zone such as +08:00", pair.place)
                }
                format = .local(offsetSeconds: offset ?? 0)
            default:
                fail(
                    "unknown time_format '\(pair.source)' (unix_s, unix_ms, iso8601, weibo, yyyy-MM-dd HH:mm:ss)",
                    pair.place)
            }
        }
        if let pair = single["kind"], case .constant(let name) = source(pair.source),
            !EventKind.known.contains(EventKind(name))
        {
            fail(
                "unknown kind '\(name)' (kinds: \(EventKind.known.map(\.rawValue).joined(separator: ", ")))", pair.place
            )
        }
        if !errors.isEmpty { throw QingtingErrors(inFileOrder(errors)) }
        func mapped(_ target: String) -> Source? { single[target].map { source($0.source) } }
        return FieldMapping(
            eventID: mapped("event_id")!, uid: mapped("uid"), kind: mapped("kind")!, time: mapped("time")!,
            timeFormat: format, text: mapped("text"), quotedText: mapped("quoted_text"),
            parent: mapped("parent"), root: mapped("root"), post: mapped("post"), author: author,
            metrics: metrics)
    }

    /// Errors sorted by the line of their `path:line` location (a stable sort: JSON mappings, whose
    /// locations name targets, keep their order), so a TSV mapping's problems read top to bottom.
    static func inFileOrder(_ errors: [QingtingError]) -> [QingtingError] {
        func line(_ error: QingtingError) -> Int {
            error.location.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } ?? Int.max
        }
        return errors.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }.map(
            \.element)
    }

    static func source(_ text: String) -> Source {
        text.hasPrefix("=") ? .constant(String(text.dropFirst())) : .field(text)
    }
}
