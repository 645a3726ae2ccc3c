import QingtingCore
import QingtingMatch

/// The unified keys a customer is known by, across the CRM and the platforms: a mainland mobile
/// in E.164 (`phone:+8613812341234`), a lower-cased e-mail (`email:wang@qq.com`), a WeChat
/// `unionid` (`unionid:o6_bmasdasdsad6_2sgVt7hMZOPfL`) and the CRM's own id (`id:C001`). The
/// import deduplicates on them and resolution's deterministic rules look them up; both use these
/// functions, so a key written by one is found by the other.
///
/// Normalization is the identity matcher's own (`ValueTransform`): a masked or landline number
/// gives no key (a household's or an office's line is no proof of one person).
public struct UnifiedKey {
    let context = TransformContext(cities: CityLexicon())

    public init() {}

    /// A mainland mobile in E.164, or nil.
    public func phone(_ raw: String) -> String? { context.apply(.phoneE164, to: raw).first }

    /// A trimmed, lower-cased address with an `@`, or nil.
    public func email(_ raw: String) -> String? { context.apply(.email, to: raw).first }

    /// The keys of a record's values (any of them may be absent), in the order phone, e-mail, unionid.
    public func keys(phone: String?, email: String?, unionid: String?) -> [String] {
        var out: [String] = []
        if let p = phone.flatMap(self.phone) { out.append("phone:" + p) }
        if let e = email.flatMap(self.email) { out.append("email:" + e) }
        if let u = unionid?.trimmed, !u.isEmpty { out.append("unionid:" + u) }
        return out
    }

    /// The rule a key's kind stands for (the social preset's deterministic rule names).
    public static func rule(of key: String) -> String {
        if key.hasPrefix("phone:") { return "verified_phone" }
        if key.hasPrefix("email:") { return "email" }
        if key.hasPrefix("unionid:") { return "wechat_unionid" }
        return "crm_id"
    }
}
