import OrderedCollections
import QingtingCore

/// Vendor exports through a `FieldMapping`: one JSON object per payload (a JSONL line, or an
/// array of objects), or one CSV row (see `GenericExport`). Never detected: the mapping says
/// what the rows mean.
struct GenericAdapter: PlatformAdapter {
    let mapping: FieldMapping

    func recognizes(_ document: Document) -> Bool { false }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else {
            context.reject(
                QingtingError(.invalidPayload, "a generic payload is a JSON object (a JSONL line) or a CSV row"))
            return
        }
        let root = JSONNode(value)
        for row in root.elements ?? [root] {
            guard row.isObject else {
                context.reject(QingtingError(.invalidPayload, "\(row.place) is a \(row.value.typeName), not an object"))
                continue
            }
            context.one { try event(from: { Self.member(row, $0) }, $0) }
        }
    }

    /// A JSONL row's value for a source: the member of that exact name, else the dotted path.
    static func member(_ row: JSONNode, _ name: String) -> JSONNode? {
        row[name] ?? (name.contains(".") ? row.at(name) : nil)
    }

    /// One row's event; `lookup` gives the row's value for a source field (nil when absent or empty).
    func event(from lookup: (String) -> JSONNode?, _ make: EventMaker) throws -> SocialEvent {
        func value(_ source: FieldMapping.Source?) -> JSONNode? {
            switch source {
            case .field(let name): lookup(name)
            case .constant(let constant): JSONNode(.string(constant), path: "=\(constant)")
            case nil: nil
            }
        }
        func idOf(_ source: FieldMapping.Source?) throws -> String? { try value(source)?.id() }

        guard let id = try idOf(mapping.eventID) else {
            throw QingtingError(.missingID, "no id at \(name(mapping.eventID))")
        }
        guard let kindNode = value(mapping.kind), let kindName = kindNode.string?.lowercased() else {
            throw QingtingError(.invalidPayload, "no kind at \(name(mapping.kind))")
        }
        let kind = EventKind(kindName)
        guard EventKind.known.contains(kind) else {
            throw QingtingError(
                .invalidPayload,
                "\(kindNode.place) is not a known kind (\(EventKind.known.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let timeNode = value(mapping.time) else {
            throw QingtingError(.missingTime, "no time at \(name(mapping.time))")
        }
        let time = (try timeNode.time(mapping.timeFormat), timeNode.place)

        var author: SocialEvent.Author?
        if let source = mapping.uid {
            var profile: JSONObject = [:]
            for (field, source) in mapping.author {
                guard let node = value(source) else { continue }
                switch node.value {
                case .string(let s): profile[field] = .string(s.trimmingWhitespace)
                case .number, .bool: profile[field] = node.value
                default: continue
                }
            }
            author = try make.author(try idOf(source), at: name(source), profile: profile)
        }
        var metrics: JSONObject = [:]
        for (field, source) in mapping.metrics {
            if let metric = value(source)?.metric { metrics[field] = metric }
        }
        var parent: SocialEvent.Parent?
        if let parentID = try idOf(mapping.parent) ?? idOf(mapping.post) {
            parent = SocialEvent.Parent(id: parentID, root: try idOf(mapping.root), post: try idOf(mapping.post))
        }
        return try make.event(
            id: id, kind: kind, author: author, parent: parent, text: value(mapping.text)?.text,
            quotedText: value(mapping.quotedText)?.text, time: time, metrics: metrics)
    }

    private func name(_ source: FieldMapping.Source) -> String {
        switch source {
        case .field(let name): name
        case .constant(let value): "=\(value)"
        }
    }
}
