public import QingtingCore
public import QingtingIngest
import QingtingStore

/// How the fields of a CRM export fill the customer fields, and which value wins a conflict.
///
/// Without a mapping file the export uses the default schema, the social preset's customer
/// fields under their own names (`id, name, phone, email, gender, city, birthday, level`), plus
/// `unionid`, `identities` (the accounts the customer bound: a list of `{"platform","uid"}`)
/// and `updated_at`; every field `crm_master`.
///
/// A mapping file is TSV, `target<TAB>source[<TAB>policy]` per line (`#` comments), read by the
/// engine's one TSV reader:
///
/// ```
/// id            member_no
/// name          real_name
/// phone         mobile        latest_wins
/// level         vip_grade     crm_master
/// # a column holding the customer's uid on one platform
/// identity.weibo  weibo_uid
/// # a list of {"platform","uid"} (or "platform:uid;…" in CSV)
/// identities    bound_accounts
/// updated_at    modified
/// # for times written without a zone
/// time_zone     +08:00
/// # the policy of the fields that name none
/// policy        latest_wins
/// ```
///
/// A source is a column name (CSV) or a member name or dotted path (JSONL: `profile.mobile`).
/// Policies: `crm_master` (the export's value replaces the stored one) and `latest_wins` (it
/// replaces it only when the record's `updated_at` is at least the time of the stored value;
/// a record without `updated_at` then only fills empty fields).
public struct CustomerMapping: Sendable {
    public enum Policy: String, Sendable, CaseIterable {
        case crmMaster = "crm_master"
        case latestWins = "latest_wins"
    }

    public struct Field: Sendable {
        public var source: String
        public var policy: Policy
    }

    /// Where the customer id comes from.
    public var id: String
    /// Customer field (one of `CRMStore.customerFields`) → its source and policy.
    public var fields: [String: Field]
    /// A source holding a list of bindings.
    public var identities: String?
    /// Platform → a source holding the customer's uid there.
    public var identityColumns: [(platform: Platform, source: String)]
    public var updatedAt: String?
    /// Seconds east of UTC for times without a zone.
    public var offsetSeconds: Int64

    /// The default schema.
    public static let `default` = CustomerMapping(
        id: "id",
        fields: Dictionary(
            uniqueKeysWithValues: CRMStore.customerFields.map { ($0, Field(source: $0, policy: .crmMaster)) }),
        identities: "identities", identityColumns: [], updatedAt: "updated_at", offsetSeconds: 0)

    static let fieldNames = Set(CRMStore.customerFields)

    /// Reads a mapping file.
    /// - Throws: `QingtingErrors` with every problem, each `.invalidMapping` at `path:line`.
    public static func load(_ path: String) throws -> CustomerMapping {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 1 << 20, what: "a customer mapping") } catch let e as QingtingError {
            throw QingtingErrors([e])
        }
        return try parse(bytes, path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws -> CustomerMapping {
        var errors: [QingtingError] = []
        var lines: [(columns: [String], place: String)] = []
        do {
            try LexiconFile.parse(bytes, path: path, code: .invalidMapping) { columns, line in
                guard (2...3).contains(columns.count), !columns[0].isEmpty, !columns[1].isEmpty else {
                    return "expected a target and a source (and a policy) separated by tabs"
                }
                lines.append((columns, "\(path):\(line)"))
                return nil
            }
        } catch let failure as QingtingErrors {
            errors = failure.errors
        }
        var mapping = CustomerMapping(
            id: "", fields: [:], identities: nil, identityColumns: [], updatedAt: nil,
            offsetSeconds: 0)
        var defaultPolicy = Policy.crmMaster
        var explicit: Set<String> = []
        var seen: Set<String> = []
        func fail(_ message: String, _ place: String) {
            errors.append(QingtingError(.invalidMapping, message, location: place))
        }
        for (columns, place) in lines {
            let (target, source) = (columns[0], columns[1])
            if !seen.insert(target).inserted { fail("'\(target)' is mapped twice", place) }
            var policy: Policy?
            if columns.count == 3 {
                policy = Policy(rawValue: columns[2])
                if policy == nil { fail("unknown policy '\(columns[2])' (crm_master, latest_wins)", place) }
            }
            switch target {
            case "id": mapping.id = source
            case "identities": mapping.identities = source
            case "updated_at": mapping.updatedAt = source
            case "time_zone":
                if let offset = Timestamp.offset(source) {
                    mapping.offsetSeconds = offset
                } else {
                    fail("time_zone must be an offset such as +08:00", place)
                }
            case "policy":
                if let p = Policy(rawValue: source) {
                    defaultPolicy = p
                } else {
                    fail("unknown policy '\(source)' (crm_master, latest_wins)", place)
                }
            case _ where target.hasPrefix("identity."):
                let name = String(target.dropFirst("identity.".count))
                if let platform = Platform(rawValue: name), platform != .generic {
                    mapping.identityColumns.append((platform, source))
                } else {
                    fail("'\(target)' names no platform (identity.weibo, identity.wechat, …)", place)
                }
            case _ where fieldNames.contains(target):
                mapping.fields[target] = Field(source: source, policy: policy ?? .crmMaster)
                if policy != nil { explicit.insert(target) }
            default:
                fail(
                    "unknown target '\(target)' (targets: id, \(fieldNames.sorted().joined(separator: ", ")), identities, identity.<platform>, updated_at, time_zone, policy)",
                    place)
            }
        }
        if mapping.id.isEmpty {
            errors.append(QingtingError(.invalidMapping, "no 'id' mapping (required)", location: path))
        }
        for (name, field) in mapping.fields where !explicit.contains(name) {
            mapping.fields[name] = Field(source: field.source, policy: defaultPolicy)
        }
        if !errors.isEmpty {
            func line(_ e: QingtingError) -> Int {
                e.location.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } ?? .max
            }
            throw QingtingErrors(
                errors.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }
                    .map(\.element))
        }
        return mapping
    }
}
