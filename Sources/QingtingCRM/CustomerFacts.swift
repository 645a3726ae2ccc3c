import QingtingCore
public import QingtingProfile
public import QingtingRules

/// A customer's profile as a rule reads it (`profile.NAME`): tier, stage, tags, private domain,
/// platforms, the profile's measures, the CRM fields (level, account_manager, consent…) and the
/// customer's variant of each A/B experiment (`variant:NAME`).
///
/// A class so the `Profile` (its scores, measures and tags) is made only when a test first reads
/// one of them: most tests read a CRM field (`profile.level`), which needs none of it.
public final class CustomerFacts: ProfileFacts {
    public let customer: Profile.Customer
    public let state: ProfileState
    public let config: ProfileConfiguration
    public let now: Int64

    /// A person's decisions on key tags, read when the profile is first made (a test of a CRM
    /// field needs none).
    let decisions: () -> [TagDecision]

    /// The facts of customer `id` at `now` from their CRM fields, folded state and a person's tag
    /// decisions (identities are not read: `private_domain` comes from the platforms the state has
    /// seen and the unionid).
    /// - Parameter decisions: the customer's decisions on key tags; those made after `now` do not count yet.
    public init(id: String, fields: [String: (value: String, source: String, updatedAt: Int64?)], state: ProfileState,
                config: ProfileConfiguration, now: Int64, decisions: @escaping () -> [TagDecision] = { [] }) {
        customer = Profile.Customer(id: id, fields: fields, identities: [])
        self.state = state
        self.config = config
        self.now = now
        self.decisions = decisions
    }

    /// The profile at `now`, made on first use, with the decisions made by then: a confirmed key
    /// tag (高价值客户) holds for the rules as it does in the customer view.
    public private(set) lazy var profile = Profile(customer: customer, state: state, config: config, now: now,
                                                   decisions: decisions().filter { $0.at <= now })

    /// The tags that hold, worked out once: the rules and their firing's templates on one event
    /// test them again on the same facts.
    private lazy var heldTags: [Condition.Value] = profile.heldTags.map { .text($0) }

    /// The names `Profile.measures` has, read from it; any other name is a CRM field.
    static let measureNames = Set(Profile.measureNames)

    /// The customer's variant of `experiment` (`Experiment.assign`, as `ab assign` gives it), or nil
    /// when they are outside its population at the profile's time: `all`, a tier or a configured
    /// segment, read as `ab report` reads it (which does so at its `now`, a rule at the event's time).
    /// The period is not checked: a rule that tests a variant says itself when it applies.
    func variant(_ experiment: Experiment) -> String? {
        let population = experiment.population
        let inside = population == "all" || profile.tier?.tier == population
            || config.segments.first { $0.name == population }.map(profile.isMember(of:)) == true
        return inside ? experiment.assign(customer.id).name : nil
    }

    /// Platforms whose accounts are the brand's private domain (WeChat official account, WeCom).
    static let privateDomain: Set<String> = ["wechat", "wecom"]

    public func values(of name: String) -> [Condition.Value] {
        switch name {
        case "tier": return profile.tier.map { [.text($0.tier)] } ?? []
        case "stage": return state.journey.last.map { [.text($0.stage)] } ?? []
        case "tag", "tags": return heldTags
        case "platform", "platforms": return state.platforms.keys.sorted().map { .text($0) }
        case "private_domain":
            let inside = state.platforms.keys.contains(where: Self.privateDomain.contains)
                || customer.fields["unionid"] != nil
            return [.text(inside ? "true" : "false")]
        case "opted_out":
            // The consent field read as the rules, templates and audience exports read it.
            return [.text(MarketingConsent.refuses(customer.fields["consent"]?.value) ? "true" : "false")]
        case _ where name.hasPrefix("variant:"):
            let experiment = name.dropFirst("variant:".count)
            return config.experiments.first { $0.name == experiment }.flatMap(variant).map { [.text($0)] } ?? []
        default:
            if Self.measureNames.contains(name), let x = profile.measures[name] { return [.number(x)] }
            if let field = customer.fields[name] { return [.text(field.value)] }
            return []
        }
    }
}
