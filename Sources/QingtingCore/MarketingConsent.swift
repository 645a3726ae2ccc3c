/// A customer's consent to automated marketing (PIPL Art. 24: a person may refuse decisions and
/// marketing made by automated means), as the customer field `consent` holds it.
///
/// One definition for every reader: the rules block messages and coupons on a refusal, templates
/// read it as `profile.opted_out`, audience exports leave those customers out, and the customer
/// view shows it with who changed it and when.
public enum MarketingConsent {
    /// The value `customer consent … opt-out` stores.
    public static let optOut = "opt_out"
    /// The value `customer consent … granted` stores.
    public static let granted = "granted"

    /// The values of `consent` that refuse marketing (compared trimmed and lower-cased), so a CRM
    /// export's `no`, `false`, `0` or `revoked` counts as well as `opt_out`.
    public static let refusals: Set<String> = [
        "no", "false", "0", "opt_out", "opt-out", "revoked", "withdrawn", "refused", "denied",
    ]

    /// Whether a `consent` value refuses marketing (nil, no value given, does not).
    public static func refuses(_ consent: String?) -> Bool {
        guard let consent else { return false }
        return refusals.contains(consent.trimmingWhitespace.lowercased())
    }

    /// The stored value for a choice a person names: `opt-out` (or any refusal) → `opt_out`;
    /// `granted`, `opt-in`, `yes` → `granted`; anything else nil.
    public static func value(of choice: String) -> String? {
        let c = choice.trimmingWhitespace.lowercased()
        if refusals.contains(c) || c == "optout" { return optOut }
        if ["granted", "opt-in", "opt_in", "optin", "yes", "true", "1"].contains(c) { return granted }
        return nil
    }
}
