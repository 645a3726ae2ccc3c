import QingtingCore

/// An ad platform's custom-audience upload file, as each documents it (docs/platform-formats §2):
///
/// - `meta`: CSV with the schema keys as header, `EMAIL,PHONE`, each value SHA-256 (lower-case
///   hex) of the normalized e-mail and of the phone's digits with country code, no `+` [MA1][MA2].
/// - `google`: Customer Match CSV, `Email,Phone`, SHA-256 of the normalized e-mail and of the
///   phone in E.164 **with** its `+` [GG1][GG2].
/// - `tencent` (广点通): one id per line of one id type [TX1][TX2]; `HASH_MOBILE_PHONE` (MD5 of the
///   11-digit mobile, no +86; the default) or `SHA256_MOBILE_PHONE` (SHA-256 of the same).
/// - `oceanengine` (巨量 DMP): each line the base64 of a protobuf `DmpData{repeated IdItem idList = 1}`,
///   `IdItem{uint32 timestamp = 1; DataType dataType = 2; string id = 3; repeated string tags = 4}`,
///   at most 10,000 ids a line, ids lower-case; `MOBILE_HASH_SHA256` (6): SHA-256 of the 11-digit mobile [OE1].
public enum AudienceFormat: String, Sendable, CaseIterable {
    case meta, tencent, oceanengine, google

    /// The id types a format can write from a customer's phone and e-mail (the first is the default).
    public var idTypes: [String] {
        switch self {
        case .meta, .google: ["EMAIL_PHONE"]
        case .tencent: ["HASH_MOBILE_PHONE", "SHA256_MOBILE_PHONE"]
        case .oceanengine: ["MOBILE_HASH_SHA256"]
        }
    }

    /// The id type `asked` (nil: the default).
    /// - Throws: `QingtingError(.invalidInput)` listing the types the format writes.
    public func idType(_ asked: String?) throws -> String {
        guard let asked else { return idTypes[0] }
        guard let t = idTypes.first(where: { $0 == asked.uppercased() }) else {
            throw QingtingError(.invalidInput, "\(rawValue) takes --id-type \(idTypes.joined(separator: " or "))")
        }
        return t
    }

    /// The header line of a CSV format, or nil.
    public var header: String? {
        switch self {
        case .meta: "EMAIL,PHONE"
        case .google: "Email,Phone"
        case .tencent, .oceanengine: nil
        }
    }

    /// Ids a line of Ocean Engine's file may hold at most.
    public static let oceanEngineIdsPerLine = 10_000

    /// The row or id of one customer, or nil when they have no contact this format matches on.
    /// - Parameters:
    ///   - phone: the stored phone (normalized here; a number without country code other than a
    ///     mainland mobile is read with `countryCode`).
    ///   - email: the stored e-mail.
    public func record(phone: String?, email: String?, idType: String, countryCode: String = "86") -> String? {
        let e164 = phone.flatMap { AudienceContact.e164($0, countryCode: countryCode) }
        let mail = email.flatMap(AudienceContact.email)
        switch self {
        case .meta, .google:
            guard e164 != nil || mail != nil else { return nil }
            let p = e164.map { self == .meta ? String($0.dropFirst()) : $0 }
            return (mail.map(AudienceContact.sha256) ?? "") + "," + (p.map(AudienceContact.sha256) ?? "")
        case .tencent:
            guard let mobile = e164.flatMap(AudienceContact.mainlandMobile) else { return nil }
            return idType == "SHA256_MOBILE_PHONE" ? AudienceContact.sha256(mobile) : AudienceContact.md5(mobile)
        case .oceanengine:
            return e164.flatMap(AudienceContact.mainlandMobile).map(AudienceContact.sha256)
        }
    }

    /// The file's lines for the records `record` made, in order: the header and one line per
    /// record for CSV, one per id for Tencent, and for Ocean Engine one `DmpData` per 10,000 ids.
    public func lines(_ records: [String]) -> [String] {
        switch self {
        case .meta, .google: return [header!] + records
        case .tencent: return records
        case .oceanengine:
            return stride(from: 0, to: records.count, by: Self.oceanEngineIdsPerLine).map { at in
                let ids = records[at..<min(at + Self.oceanEngineIdsPerLine, records.count)]
                return DmpData.base64(ids: ids, dataType: DmpData.mobileHashSHA256)
            }
        }
    }
}
