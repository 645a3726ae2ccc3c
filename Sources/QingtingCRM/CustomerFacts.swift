import QingtingCore
public import QingtingProfile
public import QingtingRules

/// A customer's profile as a rule reads it (`profile.NAME`): tier, stage, tags, private domain,
/// platforms, the profile's measures, the CRM fields (level, account_manager, consent…) and the
/// customer's variant of each A/B experiment (`variant:NAME`).
public struct CustomerFacts: ProfileFacts {
    public let profile: Profile

    public init(_ profile: Profile) { self.profile = profile }

    /// The facts of customer `id` at `now` from their CRM fields and folded state (identities are
    /// not read: `private_domain` comes from the platforms the state has seen and the unionid).
    public init(id: String, fields: [String: (value: String, source: String, updatedAt: Int64?)], state: ProfileState,
                config: ProfileConfiguration, now: Int64) {
        profile = Profile(customer: Profile.Customer(id: id, fields: fields, identities: []), state: state,
                          config: config, now: now)
    }

    /// The customer's variant of `experiment` (`Experiment.assign`, as `ab assign` gives it), or nil
    /// when they are outside its population at the profile's time: `all`, a tier or a configured
    /// segment, read as `ab report` reads it (which does so at its `now`, a rule at the event's time).
    /// The period is not checked: a rule that tests a variant says itself when it applies.
    func variant(_ experiment: Experiment) -> String? {
        let population = experiment.population
        let inside = population == "all" || profile.tier?.tier == population
            || profile.config.segments.first { $0.name == population }.map(profile.isMember(of:)) == true
        return inside ? experiment.assign(profile.customer.id).name : nil
    }

    /// Platforms whose accounts are the brand's private domain (WeChat official account, WeCom).
    static let privateDomain: Set<String> = ["wechat", "wecom"]

    public func values(of name: String) -> [Condition.Value] {
        switch name {
        case "tier": return profile.tier.map { [.text($0.tier)] } ?? []
        case "stage": return profile.state.journey.last.map { [.text($0.stage)] } ?? []
        case "tag", "tags":
            return profile.tags.filter { $0.status == "active" || $0.status == "confirmed" }.map { .text($0.tag) }
        case "platform", "platforms": return profile.state.platforms.keys.sorted().map { .text($0) }
        case "private_domain":
            let inside = profile.state.platforms.keys.contains(where: Self.privateDomain.contains)
                || profile.customer.fields["unionid"] != nil
            return [.text(inside ? "true" : "false")]
        case "opted_out":
            // The consent field read as the rules, templates and audience exports read it.
            return [.text(MarketingConsent.refuses(profile.customer.fields["consent"]?.value) ? "true" : "false")]
        case _ where name.hasPrefix("variant:"):
            let experiment = name.dropFirst("variant:".count)
            return profile.config.experiments.first { $0.name == experiment }.flatMap(variant).map { [.text($0)] } ?? []
        default:
            if let x = profile.measures[name] { return [.number(x)] }
            if let field = profile.customer.fields[name] { return [.text(field.value)] }
            return []
        }
    }
}
