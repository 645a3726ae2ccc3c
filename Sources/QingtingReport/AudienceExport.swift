public import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingRules
import QingtingStore

/// A segment's upload file for an ad platform (`qingting audience export`, `audience.export`):
/// lookalike seeds, exclusion lists and retargeting lists alike are a segment's members,
/// normalized and hashed as the platform documents (`AudienceFormat`). Customers whose `consent`
/// refuses marketing (the values rules honour, `RuleEngine.refusals`) are never exported.
/// Nothing of a contact but its hash leaves this type: no phone, e-mail or name in its output,
/// its summary or its errors.
public struct AudienceExport: Sendable {
    public let segment: String
    public let format: AudienceFormat
    public let idType: String
    public let now: Int64
    /// The file's lines, without newlines (joined with `\n`, and one at the end, they are the file).
    public let lines: [String]
    /// The segment's members, and what became of them.
    public let members: Int
    public let exported: Int
    public let skippedNoContact: Int
    public let skippedOptedOut: Int

    /// Builds the export of segment `segment` at `now`.
    /// - Parameters:
    ///   - idType: the format's id type (nil: its default; see `AudienceFormat.idTypes`).
    ///   - countryCode: read into a phone stored without one (mainland mobiles are stored as E.164 already).
    /// - Throws: `QingtingError(.invalidInput)` for an unknown segment or id type.
    public init(segment: String, format: AudienceFormat, idType: String? = nil, profiles: CustomerProfiles,
                now: Int64, countryCode: String = "86") throws {
        self.segment = segment
        self.format = format
        self.idType = try format.idType(idType)
        self.now = now
        let ids = try SegmentMembers(profiles).members(segment, now: now)
        var fields: [String: [String: String]] = [:]
        for c in try profiles.store.customers() { fields[c.id] = c.fields }
        var records: [String] = []
        var noContact = 0, optedOut = 0
        for id in ids {
            let f = fields[id] ?? [:]
            if RuleEngine.refusesConsent(f["consent"]) {
                optedOut += 1
                continue
            }
            guard let record = format.record(phone: f["phone"], email: f["email"], idType: self.idType,
                                             countryCode: countryCode)
            else {
                noContact += 1
                continue
            }
            records.append(record)
        }
        members = ids.count
        exported = records.count
        skippedNoContact = noContact
        skippedOptedOut = optedOut
        lines = records.isEmpty && format.header == nil ? [] : format.lines(records)
    }

    /// The file's bytes.
    public var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n" }

    /// `{"segment","format","id_type","now","members","exported","skipped_no_contact","skipped_opted_out","lines"}`,
    /// `lines` the number of file lines, or with `includeLines` the lines themselves.
    public func summaryJSON(includeLines: Bool = false) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("segment", segment)
            w.member("format", format.rawValue)
            w.member("id_type", idType)
            w.member("now", Timestamp.iso8601(now))
            w.member("members", members)
            w.member("exported", exported)
            w.member("skipped_no_contact", skippedNoContact)
            w.member("skipped_opted_out", skippedOptedOut)
            if includeLines {
                w.member("lines") { w in w.array(lines) { w, line in w.string(line) } }
            } else {
                w.member("lines", lines.count)
            }
        }
        return w.text
    }
}
