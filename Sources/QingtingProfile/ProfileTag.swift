import QingtingCore
import QingtingIngest

/// One tag on a customer with its provenance: which kind (static from the CRM fields, dynamic
/// from recent events, predicted from the models' intents, key awaiting a person), who made it
/// (a rule, a model or a person), from which file or model version, when, on which evidence,
/// and until when it holds.
public struct ProfileTag: Sendable, Equatable {
    public enum Kind: String, Sendable { case `static`, dynamic, predicted, key }

    public var tag: String
    public var kind: Kind
    /// The decayed weight or score behind it, where there is one.
    public var value: Double?
    /// `active`; for key tags `pending`, `confirmed` or `rejected`.
    public var status = "active"
    /// `rule`, `model` or `person`.
    public var by: String
    /// The configuration file, or `models` for a model's tag.
    public var source: String
    public var version: String?
    public var at: Int64?
    public var evidence: [Int64] = []
    /// CRM fields a static tag reads.
    public var fields: [String] = []
    public var expiresAt: Int64?

    func write(to w: inout JSONWriter) {
        w.object { w in
            w.member("tag", tag)
            w.member("kind", kind.rawValue)
            if let value { w.member("value", value, digits: 4) }
            w.member("status", status)
            w.member("provenance") { w in
                w.object { w in
                    w.member("by", by)
                    w.member("source", source)
                    w.member("version", ifPresent: version)
                    if let at { w.member("at", Timestamp.iso8601(at)) }
                    if !fields.isEmpty { w.member("fields") { w in w.array(fields) { w, f in w.string(f) } } }
                    w.member("evidence") { w in w.array(evidence) { w, seq in w.int(seq) } }
                }
            }
            w.key("expires_at")
            if let expiresAt { w.string(Timestamp.iso8601(expiresAt)) } else { w.null() }
        }
    }
}

/// A person's decision on a key tag (`qingting customer tag confirm|reject`), which no rule overrides.
public struct TagDecision: Sendable, Equatable {
    public var tag: String
    /// `confirmed` or `rejected`.
    public var decision: String
    public var at: Int64

    public init(tag: String, decision: String, at: Int64) {
        self.tag = tag
        self.decision = decision
        self.at = at
    }
}

extension Profile {
    /// The `gender` field's values a `性别:` tag names.
    static let genders = ["m": "男", "f": "女"]

    /// Every tag at `now`, in kind order (static, dynamic, predicted, key), each kind by name.
    /// `namesOnly` is for a test of names and statuses (a rule's `profile.tag`): the same tags without
    /// their evidence and not sorted within a kind, which is most of the work (Chinese names compare slowly).
    func computeTags(namesOnly: Bool = false) -> [ProfileTag] {
        let c = config
        var out: [ProfileTag] = []
        // Static: the CRM's own fields.
        if let gender = customer.fields["gender"], let name = Self.genders[gender.value] {
            out.append(ProfileTag(tag: "性别:\(name)", kind: .static, by: "rule", source: c.source, version: c.version,
                                  at: gender.updatedAt, fields: ["gender"]))
        }
        if let city = customer.fields["city"], !city.value.isEmpty {
            out.append(ProfileTag(tag: "地域:\(city.value)", kind: .static, by: "rule", source: c.source,
                                  version: c.version, at: city.updatedAt, fields: ["city"]))
        }
        // Dynamic: recent activity and product preference.
        if let last = state.lastInteraction, let seq = state.lastInteractionSeq {
            let expires = last + Int64(Double.days(c.tags.recentDays))
            if now < expires {
                out.append(ProfileTag(tag: "近期活跃", kind: .dynamic, by: "rule", source: c.source, version: c.version,
                                      at: last, evidence: [seq], expiresAt: expires))
            }
        }
        let tagHalfLife = Double.days(c.tags.halfLifeDays)
        // The categories heavy enough, then sorted (the few, not all the customer ever wrote about).
        let heavy = state.categories.compactMap { category, evidence in
            let weight = evidence.weight.value(now: now, halfLifeMillis: tagHalfLife)
            return weight >= c.tags.preferenceMinWeight ? (category, evidence, weight) : nil
        }
        for (category, evidence, weight) in namesOnly ? heavy : heavy.sorted(by: { $0.0 < $1.0 }) {
            out.append(ProfileTag(tag: "偏好:\(category)", kind: .dynamic, value: weight, by: "rule", source: c.source,
                                  version: c.version, at: evidence.last, evidence: evidence.seqs))
        }
        // Interests: the categories of an interest together (a weight summed over its categories,
        // each decayed by its own age, so the tag follows the same half-life as the preferences).
        // Each interest's evidence in the order of its categories, gathered from the customer's own.
        var gathered: [Int: [(position: Int, evidence: ProfileState.Evidence)]] = [:]
        for (category, evidence) in state.categories {
            for place in c.tags.interestsByCategory[category] ?? [] {
                gathered[place.interest, default: []].append((place.position, evidence))
            }
        }
        for (i, interest) in c.tags.interests.enumerated() {
            guard let found = gathered[i] else { continue }
            let evidence = found.sorted { $0.position < $1.position }.map(\.evidence)
            let weight = evidence.reduce(0) { $0 + $1.weight.value(now: now, halfLifeMillis: tagHalfLife) }
            guard !evidence.isEmpty, weight >= c.tags.interestMinWeight else { continue }
            out.append(ProfileTag(tag: "兴趣:\(interest.name)", kind: .dynamic, value: weight, by: "rule", source: c.source,
                                  version: c.version, at: evidence.map(\.last).max(),
                                  evidence: namesOnly
                                      ? [] : Array(Set(evidence.flatMap(\.seqs)).sorted().suffix(c.tags.evidenceLimit))))
        }
        // Predicted: from the models' intents and their recency.
        for (tag, measure, intents) in [("流失风险", churnRisk, ["churn", "complaint"]), ("购买意向", purchaseIntent, ["purchase"])] {
            guard measure >= c.tags.predictedMinScore else { continue }
            let evidence = intents.compactMap { state.intents[$0] }
            let newest = evidence.max { $0.last < $1.last }
            let last = newest?.last ?? 0
            let expires = last + Int64(c.tags.predictedExpiryHalfLives * tagHalfLife)
            guard now < expires else { continue }
            out.append(ProfileTag(tag: tag, kind: .predicted, value: measure, by: "model", source: "models",
                                  version: newest?.models, at: last,
                                  evidence: namesOnly
                                      ? [] : evidence.flatMap(\.seqs).sorted().suffix(c.tags.evidenceLimit).map { $0 },
                                  expiresAt: expires))
        }
        // Key: proposed by a rule, decided by a person.
        for key in c.keyTags {
            if let decision = decisions.first(where: { $0.tag == key.tag }) {
                var tag = ProfileTag(tag: key.tag, kind: .key, by: "person", source: "customer tag \(decision.decision == "confirmed" ? "confirm" : "reject")",
                                     at: decision.at)
                tag.status = decision.decision
                out.append(tag)
            } else if key.when.allSatisfy({ $0.holds(measures[$0.measure] ?? 0) }) {
                var tag = ProfileTag(tag: key.tag, kind: .key, by: "rule", source: c.source, version: c.version,
                                     at: state.lastSeen, evidence: [state.lastSeq])
                tag.status = "pending"
                out.append(tag)
            }
        }
        return out
    }
}
