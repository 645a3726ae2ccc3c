public import OrderedCollections
public import QingtingCore
import QingtingIngest
public import QingtingStore

/// Imports CRM customers (JSONL, or CSV when the name ends in `.csv`) into the store: fields
/// normalized (phone in E.164, e-mail lower-cased, gender `m`/`f`, birthday `YYYY-MM-DD`),
/// deduplicated on the unified key, conflicts settled per field by the mapping's policy, each
/// value's source and time recorded, and the accounts a customer bound stored as bindings.
///
/// Idempotent: importing the same export again writes nothing. A changed export changes only
/// the fields that differ, and the summary says which, per customer (names of fields, never values).
public struct CustomerSync {
    public let store: CRMStore
    public let mapping: CustomerMapping
    /// The provenance name of the values (`--source`; default: the file's name).
    public var source: String?
    /// The clock (UTC ms) stamped as `imported_at` and `bound_at`.
    public var now: Int64

    public init(store: CRMStore, mapping: CustomerMapping = .default, source: String? = nil, now: Int64) {
        self.store = store
        self.mapping = mapping
        self.source = source
        self.now = now
    }

    /// What one import did.
    public struct Summary: Sendable {
        public var records = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        /// Records that were another customer already (same unified key), merged into it.
        public var merged = 0
        public var rejected = 0
        public var bindingsAdded = 0
        public var bindingsMoved = 0
        /// Customers that gained or lost a bound account: their profiles may now read other
        /// events (`ProfileRebuild.refold`).
        public var rebound: Set<String> = []
        /// How many customers had each field changed.
        public var fields: OrderedDictionary<String, Int> = [:]
        /// Per record that changed something: `customer`, `record` (its id in the export),
        /// `action` (`created`, `updated`), the fields changed, bindings added or moved.
        public var changes: [Change] = []

        public struct Change: Sendable {
            public var customer: String
            public var record: String
            public var location: String
            public var action: String
            public var fields: [String]
            public var bindings: [String]
        }

        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("records", records)
                w.member("created", created)
                w.member("updated", updated)
                w.member("unchanged", unchanged)
                w.member("merged", merged)
                w.member("rejected", rejected)
                w.member("bindings") { w in
                    w.object { w in
                        w.member("added", bindingsAdded)
                        w.member("moved", bindingsMoved)
                    }
                }
                w.member("fields") { w in
                    w.object { w in for (name, n) in fields.sorted(by: { $0.key < $1.key }) { w.member(name, n) } }
                }
                w.member("changes") { w in
                    w.array(changes) { w, c in
                        w.object { w in
                            w.member("customer", c.customer)
                            if c.record != c.customer { w.member("record", c.record) }
                            w.member("at", c.location)
                            w.member("action", c.action)
                            w.member("fields") { w in w.array(c.fields) { w, f in w.string(f) } }
                            if !c.bindings.isEmpty {
                                w.member("bindings") { w in w.array(c.bindings) { w, b in w.string(b) } }
                            }
                        }
                    }
                }
            }
            return w.text
        }
    }

    /// One record of the export, read through the mapping.
    struct Record {
        var id: String
        var values: [String: String]
        var updatedAt: Int64?
        var bindings: [(platform: Platform, uid: String)]
        var location: String
    }

    /// Imports the files in order, all in one transaction (committed before this returns).
    /// - Parameter rejected: each record that could not be imported, as `path:line: what` (no values).
    public func run(files: [String], rejected: (QingtingError) -> Void) throws -> Summary {
        var summary = Summary()
        var records: [Record] = []
        for path in files {
            try read(path) { result in
                switch result {
                case .success(let record): records.append(record)
                case .failure(let error):
                    summary.rejected += 1
                    rejected(error)
                }
            }
        }
        let keys = UnifiedKey()
        try store.write(now: now) { tx in
            for record in records {
                summary.records += 1
                try apply(record, tx: tx, keys: keys, summary: &summary)
            }
            if summary.created + summary.updated > 0 { try tx.customersChanged() }
        }
        summary.records += summary.rejected
        return summary
    }

    private func apply(_ record: Record, tx: CRMStore.Transaction, keys: UnifiedKey, summary: inout Summary) throws {
        let source =
            self.source ?? record.location.split(separator: "/").last.map {
                String($0.split(separator: ":").first ?? $0)
            } ?? "import"
        let unified = keys.keys(
            phone: record.values["phone"], email: record.values["email"],
            unionid: record.values["unionid"])
        // Which customer the record is: its id (or an id merged before), else a unified key.
        var customer = try tx.customer(forKey: "id:" + record.id)
        if customer == nil, try tx.customer(record.id) != nil { customer = record.id }
        var merged: String?  // the kind of key (phone, email, unionid) that made the record an existing customer
        if customer == nil {
            for key in unified {
                if let holder = try tx.customer(forKey: key) {
                    customer = holder
                    merged = String(key.prefix { $0 != ":" })
                    break
                }
            }
        }
        let id = customer ?? record.id
        let state = try tx.customer(id)
        var changes: [(field: String, value: String, updatedAt: Int64?)] = []
        for name in CRMStore.customerFields {
            guard let value = record.values[name], let field = mapping.fields[name] else { continue }
            let stored = state?.fields[name]
            if stored == value { continue }
            if stored != nil, field.policy == .latestWins {
                guard let time = record.updatedAt else { continue }
                if let storedTime = state?.provenance[name]?.updatedAt, time < storedTime { continue }
            }
            changes.append((name, value, record.updatedAt))
            // A changed phone, e-mail or unionid stops being this customer's key.
            if let stored, ["phone", "email", "unionid"].contains(name) {
                let old = keys.keys(
                    phone: name == "phone" ? stored : nil, email: name == "email" ? stored : nil,
                    unionid: name == "unionid" ? stored : nil)
                for key in old { try tx.removeKey(key, customer: id) }
            }
        }
        if state == nil || !changes.isEmpty {
            try tx.saveCustomer(id, changes: changes, source: source, importedAt: now)
        }
        try tx.addKey("id:" + record.id, customer: id)
        for key in unified { try tx.addKey(key, customer: id) }
        var bound: [String] = []
        for b in record.bindings {
            switch try tx.bind(platform: b.platform.rawValue, uid: b.uid, customer: id, source: source, at: now) {
            case .added:
                summary.bindingsAdded += 1
                summary.rebound.insert(id)
                bound.append("\(b.platform.rawValue):\(b.uid)")
            case .moved(let from):
                summary.bindingsMoved += 1
                summary.rebound.formUnion([id, from])
                bound.append("\(b.platform.rawValue):\(b.uid)")
                try appendChange(
                    "split", key: "\(b.platform.rawValue):\(b.uid):\(from)>\(id):\(now)", customer: from, tx: tx
                ) { w in
                    w.member("identity", "\(b.platform.rawValue):\(b.uid)")
                    w.member("to", id)
                    w.member("record", record.id)
                }
            case .unchanged: break
            }
        }
        let action: String
        if state == nil {
            summary.created += 1
            action = "created"
        } else if !changes.isEmpty || !bound.isEmpty {
            summary.updated += 1
            action = "updated"
        } else {
            summary.unchanged += 1
            return
        }
        if let merged {
            summary.merged += 1
            try appendChange("merge", key: "\(record.id)>\(id)", customer: id, tx: tx) { w in
                w.member("record", record.id)
                w.member("by", merged)
            }
        }
        for change in changes { summary.fields[change.field, default: 0] += 1 }
        summary.changes.append(
            Summary.Change(
                customer: id, record: record.id, location: record.location, action: merged != nil ? "merged" : action,
                fields: changes.map(\.field), bindings: bound))
    }

    /// A customer merge (a record found to be an existing customer) or split (an identity moved
    /// off a customer) as a feed record, once per `key`, for subscribers and `qingting feed`.
    private func appendChange(_ kind: String, key: String, customer: String, tx: CRMStore.Transaction,
                              _ detail: (inout JSONWriter) -> Void) throws {
        var w = JSONWriter()
        w.object(detail)
        _ = try tx.appendFeed(
            CRMStore.NewFeedRecord(kind: kind, key: "customers:\(kind):\(key)", rule: nil, rulesVersion: nil,
                                   customer: customer, priority: nil, action: nil, status: nil, events: [],
                                   body: w.text, at: now))
    }

    // MARK: Reading

    /// Calls `body` with each record of a JSONL or CSV export, or the reason it cannot be read.
    func read(_ path: String, _ body: (Result<Record, QingtingError>) -> Void) throws {
        if path.hasSuffix(".csv") {
            var header: [String: Int]?
            try FileIO.forEachLine(path) { bytes, line in
                let place = "\(path):\(line)"
                if let offset = bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset) {
                    return body(
                        .failure(QingtingError(.invalidInput, "not valid UTF-8", location: place, byteOffset: offset)))
                }
                var text = String(decoding: bytes, as: UTF8.self)
                if header == nil, text.hasPrefix("\u{FEFF}") { text.removeFirst() }
                if text.trimmed.isEmpty { return }
                let fields = CSV.splitLine(text)
                guard let columns = header else {
                    var map: [String: Int] = [:]
                    for (i, name) in fields.enumerated() where map[name] == nil { map[name.trimmed] = i }
                    header = map
                    return
                }
                body(
                    record(place) { name in
                        guard let i = columns[name], i < fields.count else { return nil }
                        let value = fields[i].trimmed
                        return value.isEmpty ? nil : .string(value)
                    })
            }
            return
        }
        try FileIO.forEachLine(path) { bytes, line in
            let place = "\(path):\(line)"
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            let value: JSONValue
            do { value = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch let e as QingtingError {
                return body(
                    .failure(
                        QingtingError(
                            .invalidInput, "not valid JSON: \(e.message)", location: place,
                            byteOffset: e.byteOffset)))
            } catch {
                return body(.failure(QingtingError(.invalidInput, "not valid JSON", location: place)))
            }
            guard case .object = value else {
                return body(.failure(QingtingError(.invalidInput, "expected a JSON object", location: place)))
            }
            body(
                record(place) { name in
                    var node: JSONValue? = value
                    for part in name.split(separator: ".") { node = node?[String(part)] }
                    if node == .null { return nil }
                    return node
                })
        }
    }

    /// A record from a field reader (a source name → its value).
    func record(_ place: String, _ value: (String) -> JSONValue?) -> Result<Record, QingtingError> {
        func scalar(_ v: JSONValue?) -> String? {
            switch v {
            case .string(let s)?:
                let t = s.trimmed
                return t.isEmpty ? nil : t
            case .number(let n)?: return n
            case .bool(let b)?: return b ? "true" : "false"
            default: return nil
            }
        }
        guard let id = scalar(value(mapping.id)) else {
            return .failure(QingtingError(.invalidInput, "no customer id in '\(mapping.id)'", location: place))
        }
        var values: [String: String] = [:]
        for (name, field) in mapping.fields {
            guard let raw = scalar(value(field.source)) else { continue }
            values[name] = Self.normalized(name, raw)
        }
        var updatedAt: Int64?
        if let source = mapping.updatedAt, let raw = scalar(value(source)) {
            guard let ms = Timestamp.millis(raw, offsetSeconds: mapping.offsetSeconds) else {
                return .failure(
                    QingtingError(
                        .invalidInput,
                        "'\(source)' is not a time (ISO 8601 with a zone, epoch ms, or yyyy-MM-dd HH:mm:ss with a time_zone in the mapping)",
                        location: place))
            }
            updatedAt = ms
        }
        var bindings: [(Platform, String)] = []
        func bind(_ platform: String, _ uid: String, _ where_: String) -> QingtingError? {
            guard let p = Platform(rawValue: platform.trimmed.lowercased()), p != .generic else {
                return QingtingError(.invalidInput, "\(where_): unknown platform", location: place)
            }
            let u = uid.trimmed
            guard !u.isEmpty else { return QingtingError(.invalidInput, "\(where_): no uid", location: place) }
            bindings.append((p, u))
            return nil
        }
        if let source = mapping.identities, let list = value(source) {
            var items: [JSONValue] = []
            switch list {
            case .array(let a): items = a
            case .string(let s):
                if let parsed = try? JSONValue.parse(s), case .array(let a) = parsed {
                    items = a
                } else {
                    items = s.split(whereSeparator: { $0 == ";" || $0 == "|" }).map { .string(String($0)) }
                }
            default:
                return .failure(QingtingError(.invalidInput, "'\(source)' is not a list of accounts", location: place))
            }
            for (i, item) in items.enumerated() {
                let at = "\(source)[\(i)]"
                var error: QingtingError?
                switch item {
                case .object:
                    guard let platform = scalar(item["platform"]), let uid = scalar(item["uid"]) else {
                        return .failure(
                            QingtingError(.invalidInput, "\(at): an account needs platform and uid", location: place))
                    }
                    error = bind(platform, uid, at)
                case .string(let s):
                    guard let colon = s.firstIndex(of: ":") else {
                        return .failure(QingtingError(.invalidInput, "\(at): expected platform:uid", location: place))
                    }
                    error = bind(String(s[..<colon]), String(s[s.index(after: colon)...]), at)
                default:
                    return .failure(QingtingError(.invalidInput, "\(at): expected an account object", location: place))
                }
                if let error { return .failure(error) }
            }
        }
        for (platform, source) in mapping.identityColumns {
            if let uid = scalar(value(source)) { bindings.append((platform, uid)) }
        }
        return .success(Record(id: id, values: values, updatedAt: updatedAt, bindings: bindings, location: place))
    }

    /// A field's value as the store keeps it.
    static func normalized(_ field: String, _ value: String) -> String {
        switch field {
        case "phone": return UnifiedKey().phone(value) ?? value
        case "email": return UnifiedKey().email(value) ?? value
        case "gender":
            switch value.lowercased() {
            case "m", "male", "男", "1": return "m"
            case "f", "female", "女", "2": return "f"
            default: return value.lowercased()
            }
        case "birthday":
            let digits = value.filter(\.isNumber)
            let parts = value.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
            if parts.count == 3, parts[0].count == 4, let m = Int(parts[1]), let d = Int(parts[2]),
                (1...12).contains(m), (1...31).contains(d)
            {
                return "\(parts[0])-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
            }
            if digits.count == 8, value.count == 8 {
                let a = Array(digits)
                return "\(String(a[0..<4]))-\(String(a[4..<6]))-\(String(a[6..<8]))"
            }
            return value
        default: return value
        }
    }
}
