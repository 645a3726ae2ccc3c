public import QingtingCore
import QingtingProfile
public import QingtingStore

/// Setting a customer's consent to automated marketing (`qingting customer consent`,
/// `customer.consent`): the `consent` field, with who changed it (its provenance source) and when
/// (the time it carries), which the rules, templates and audience exports read from then on.
public enum CustomerConsent {
    /// Sets customer `id`'s consent to `choice` (`opt-out`, `granted`, or a value
    /// `MarketingConsent.value(of:)` reads) on behalf of `by`, at `time`.
    /// - Returns: `{"customer","consent":{"marketing","opted_out","changed_by","changed_at"}}`, or
    ///   nil when the store has no such customer (nothing written).
    /// - Throws: `QingtingError(.invalidInput)` for an unknown choice or an empty `by`.
    public static func set(store: CRMStore, id: String, choice: String, by: String, at time: Int64) throws -> String? {
        guard let value = MarketingConsent.value(of: choice) else {
            throw QingtingError(.invalidInput, "consent must be opt-out or granted")
        }
        guard !by.trimmingWhitespace.isEmpty else { throw QingtingError(.invalidInput, "say who changes the consent (by)") }
        let found = try store.write(now: time) { tx in
            guard try tx.customer(id) != nil else { return false }
            try tx.saveCustomer(id, changes: [("consent", value, time)], source: by, importedAt: time)
            return true
        }
        guard found else { return nil }
        var w = JSONWriter()
        w.object { w in
            w.member("customer", id)
            w.member("consent") { w in Profile.writeConsent((value, by, time), to: &w) }
        }
        return w.text
    }
}
