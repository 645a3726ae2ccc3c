import QingtingCore

/// What the profile keeps of a customer's events: counts, decayed sums and evidence, with no
/// "now" in it. `apply` is the one fold (`apply(state, event) → state`, no I/O): the ingest path
/// applies it as each event lands, `rebuild` over the whole log in `seq` order, so equal logs
/// give equal states. Everything time-dependent (decay to `now`, expiry, silence) is computed from
/// it at read time (`Profile`).
public struct ProfileState: Codable, Sendable, Equatable {
    public var events = 0
    public var lastSeq: Int64 = 0
    public var firstSeen: Int64?
    public var lastSeen: Int64?
    /// The newest active or passive interaction (not a view).
    public var lastInteraction: Int64?
    public var lastInteractionSeq: Int64?
    public var kinds: [String: Int] = [:]
    /// Events per platform.
    public var platforms: [String: Int] = [:]
    /// Engagement units per platform and term (`active`, `passive`, `latent`), decayed by
    /// the engagement half-life.
    public var engagement: [String: [String: Decayed]] = [:]
    /// Decayed weight and evidence of each category the customer writes about.
    public var categories: [String: Evidence] = [:]
    /// Decayed probability mass and evidence of each intent (above the threshold).
    public var intents: [String: Evidence] = [:]
    public var orders = 0
    public var orderAmount = 0.0
    public var lastOrder: Int64?
    /// The stage now is the last step's.
    public var journey: [StageStep] = []
    public var koc = KOCCounts()

    public init() {}

    public struct Evidence: Codable, Sendable, Equatable {
        public var weight = Decayed()
        public var count = 0
        /// The newest evidence seqs, oldest first (at most `evidenceLimit`).
        public var seqs: [Int64] = []
        public var last: Int64 = 0
        /// The model set of the newest evidence.
        public var models: String?
    }

    public struct StageStep: Codable, Sendable, Equatable {
        public var stage: String
        public var seq: Int64
        public var at: Int64
        /// What moved the customer: `kind order`, `intent purchase 0.93 on dm`.
        public var reason: String
    }

    public struct KOCCounts: Codable, Sendable, Equatable {
        /// Events with the author's own words (post, comment, reply, mention).
        public var posts = 0
        public var firstPost: Int64?
        public var lastPost: Int64?
        public var characters = 0
        public var positive = 0
        public var recommend = 0
        /// Likes, replies and shares their posts got (from the posts' metrics).
        public var interactions = 0.0
        /// The largest follower count seen.
        public var followers = 0.0
    }

    /// The state after `e`, by `config`.
    public func applying(_ e: ProfileEvent, _ config: ProfileConfiguration) -> ProfileState {
        var s = self
        s.apply(e, config)
        return s
    }

    /// Folds one event in. Edits and deletes of other events count as events but derive nothing.
    public mutating func apply(_ e: ProfileEvent, _ config: ProfileConfiguration) {
        events += 1
        lastSeq = max(lastSeq, e.seq)
        firstSeen = min(firstSeen ?? e.occurredAt, e.occurredAt)
        lastSeen = max(lastSeen ?? e.occurredAt, e.occurredAt)
        kinds[e.kind, default: 0] += 1
        platforms[e.platform, default: 0] += 1
        guard e.kind != "edit" && e.kind != "delete" else { return }

        let engagementHalfLife = Double.days(config.engagement.halfLifeDays)
        let tagHalfLife = Double.days(config.tags.halfLifeDays)
        let intents = e.intents.filter { $0.probability >= config.intentThreshold }

        if let term = config.engagement.term(of: e.kind) {
            var unit = 1.0
            if term == "active", let sentiment = e.sentiment {
                unit *= config.engagement.sentimentFactor[sentiment] ?? 1
            }
            if term == "latent" {
                if let seconds = e.viewSeconds { unit = seconds / config.engagement.latentUnitSeconds }
                if config.engagement.saturation(e.platform).completion, let rate = e.completionRate {
                    unit *= min(max(rate, 0), 1)
                }
            } else if lastInteraction.map({ e.occurredAt >= $0 }) ?? true {
                lastInteraction = e.occurredAt
                lastInteractionSeq = e.seq
            }
            engagement[e.platform, default: [:]][term, default: Decayed()]
                .add(unit, at: e.occurredAt, halfLifeMillis: engagementHalfLife)
        }
        if let category = e.category {
            categories[category, default: Evidence()].note(e, weight: 1, halfLife: tagHalfLife, config)
        }
        for intent in intents {
            self.intents[intent.label, default: Evidence()]
                .note(e, weight: intent.probability, halfLife: tagHalfLife, config)
        }
        if e.kind == "order" || e.kind == "payment" {
            if e.kind == "order" { orders += 1 }
            orderAmount += e.amount ?? 0
            lastOrder = max(lastOrder ?? e.occurredAt, e.occurredAt)
        }
        if ["post", "comment", "reply", "mention"].contains(e.kind), e.textLength > 0 {
            koc.posts += 1
            koc.firstPost = min(koc.firstPost ?? e.occurredAt, e.occurredAt)
            koc.lastPost = max(koc.lastPost ?? e.occurredAt, e.occurredAt)
            koc.characters += e.textLength
            if e.sentiment == "positive" { koc.positive += 1 }
            if intents.contains(where: { $0.label == "recommend" }) { koc.recommend += 1 }
            koc.interactions += e.interactions
        }
        if let followers = e.followers { koc.followers = max(koc.followers, followers) }
        advanceJourney(e, intents: intents, config)
    }

    /// Moves the customer forward to the highest stage a rule gives this event (never back).
    mutating func advanceJourney(_ e: ProfileEvent, intents: [(label: String, probability: Double)],
                                 _ config: ProfileConfiguration) {
        let stages = config.journey.stages
        let current = journey.last.flatMap { stages.firstIndex(of: $0.stage) } ?? -1
        var best: (index: Int, reason: String)?
        for rule in config.journey.rules {
            guard let index = stages.firstIndex(of: rule.stage), index > current, index > (best?.index ?? -1) else {
                continue
            }
            if let after = rule.after, (stages.firstIndex(of: after) ?? .max) > current { continue }
            var reason: String?
            if rule.kinds.contains(e.kind) {
                reason = "kind \(e.kind)"
            } else if rule.intentKinds.isEmpty || rule.intentKinds.contains(e.kind),
                let intent = intents.first(where: { rule.intents.contains($0.label) })
            {
                reason = "intent \(intent.label) \(NumberFormatting.short(intent.probability)) on \(e.kind)"
            }
            if let reason { best = (index, reason) }
        }
        if let best {
            journey.append(StageStep(stage: stages[best.index], seq: e.seq, at: e.occurredAt, reason: best.reason))
        }
    }
}

extension ProfileState.Evidence {
    mutating func note(_ e: ProfileEvent, weight w: Double, halfLife: Double, _ config: ProfileConfiguration) {
        weight.add(w, at: e.occurredAt, halfLifeMillis: halfLife)
        count += 1
        seqs.append(e.seq)
        if seqs.count > config.tags.evidenceLimit { seqs.removeFirst(seqs.count - config.tags.evidenceLimit) }
        if e.occurredAt >= last {
            last = e.occurredAt
            models = e.models
        }
    }
}

enum NumberFormatting {
    /// A probability as reasons print it (two decimals).
    static func short(_ x: Double) -> String { NumberFormat.rounded(x, 2) }
}
