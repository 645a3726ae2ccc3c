import OrderedCollections
import QingtingCore

extension ProfileConfiguration {
    /// Reads a profile configuration (JSON). Members left out keep their defaults; unknown
    /// members, wrong types and values out of range are all reported at once.
    /// - Throws: `QingtingErrors` of `QingtingError(.invalidSettings)`, each `FILE: $.path: what`;
    ///   `QingtingError(.io)` or `.invalidJSON` when the file cannot be read or parsed.
    public static func load(_ path: String) throws -> ProfileConfiguration {
        let bytes = try FileIO.read(path)
        let value: JSONValue
        do { value = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch let e as QingtingError {
            throw e.at(path)
        }
        var c = try parse(value, file: path)
        c.source = path
        c.version = BinaryFormat.fnv1a64Hex(bytes)
        return c
    }

    /// The shipped file when it can be found (`Resources.find(shippedPath)`), else the defaults.
    public static func shipped() throws -> ProfileConfiguration {
        guard let path = Resources.find(shippedPath) else { return ProfileConfiguration() }
        var c = try load(path)
        c.source = shippedPath
        return c
    }

    /// `path` when given, else the shipped file (what `--profile-config` means).
    public static func load(_ path: String?) throws -> ProfileConfiguration {
        try path.map { try load($0) } ?? shipped()
    }

    static func parse(_ value: JSONValue, file: String) throws -> ProfileConfiguration {
        var r = ConfigReader(file: file)
        var c = ProfileConfiguration()
        guard let root = r.object(value, "$") else { throw QingtingErrors(r.errors) }
        r.only(root, ["comment", "intent_threshold", "engagement", "tags", "key_tags", "tiers", "journey", "koc", "segments"], "$")
        c.intentThreshold = r.number(root["intent_threshold"], "$.intent_threshold", in: 0...1, default: c.intentThreshold)
        if let e = r.object(root["engagement"], "$.engagement") {
            r.only(e, ["half_life_days", "weights", "kinds", "sentiment_factor", "latent_unit_seconds", "platforms"],
                   "$.engagement")
            c.engagement.halfLifeDays = r.number(e["half_life_days"], "$.engagement.half_life_days", in: 0.01...36500,
                                                 default: c.engagement.halfLifeDays)
            if let w = r.object(e["weights"], "$.engagement.weights") {
                r.only(w, Engagement.terms, "$.engagement.weights")
                for term in Engagement.terms {
                    c.engagement.weights[term] = r.number(w[term], "$.engagement.weights.\(term)", in: 0...1,
                                                          default: c.engagement.weights[term]!)
                }
            }
            if let k = r.object(e["kinds"], "$.engagement.kinds") {
                r.only(k, Engagement.terms, "$.engagement.kinds")
                for term in Engagement.terms {
                    c.engagement.kinds[term] = r.strings(k[term], "$.engagement.kinds.\(term)",
                                                         default: c.engagement.kinds[term]!)
                }
            }
            if let s = r.object(e["sentiment_factor"], "$.engagement.sentiment_factor") {
                r.only(s, ["negative", "neutral", "positive"], "$.engagement.sentiment_factor")
                for label in ["negative", "neutral", "positive"] {
                    c.engagement.sentimentFactor[label] = r.number(
                        s[label], "$.engagement.sentiment_factor.\(label)", in: 0...10,
                        default: c.engagement.sentimentFactor[label]!)
                }
            }
            c.engagement.latentUnitSeconds = r.number(e["latent_unit_seconds"], "$.engagement.latent_unit_seconds",
                                                      in: 0.001...86400, default: c.engagement.latentUnitSeconds)
            if let p = r.object(e["platforms"], "$.engagement.platforms") {
                for (name, value) in p {
                    let path = "$.engagement.platforms.\(name)"
                    guard let s = r.object(value, path) else { continue }
                    r.only(s, Engagement.terms + ["completion"], path)
                    let base = c.engagement.platforms[name] ?? c.engagement.platforms["default"]!
                    var completion = base.completion
                    if let v = s["completion"] {
                        if case .bool(let b) = v { completion = b } else { r.fail(path + ".completion", "expected a boolean, got \(v.typeName)") }
                    }
                    c.engagement.platforms[name] = Saturation(
                        active: r.number(s["active"], path + ".active", in: 0.001...1e9, default: base.active),
                        passive: r.number(s["passive"], path + ".passive", in: 0.001...1e9, default: base.passive),
                        latent: r.number(s["latent"], path + ".latent", in: 0.001...1e9, default: base.latent),
                        completion: completion)
                }
            }
        }
        if let t = r.object(root["tags"], "$.tags") {
            r.only(t, ["half_life_days", "recent_days", "preference_min_weight", "interest_min_weight", "interests",
                       "predicted_min_score", "predicted_expiry_half_lives", "evidence_limit"], "$.tags")
            c.tags.interestMinWeight = r.number(t["interest_min_weight"], "$.tags.interest_min_weight", in: 0...1e9,
                                                default: c.tags.interestMinWeight)
            if let groups = r.object(t["interests"], "$.tags.interests") {
                c.tags.interests = groups.compactMap { name, value in
                    let path = "$.tags.interests.\(name)"
                    if name.isEmpty { r.fail(path, "an interest needs a name") }
                    let categories = r.strings(value, path, default: [])
                    if categories.isEmpty { r.fail(path, "expected a non-empty array of category names") }
                    return name.isEmpty || categories.isEmpty ? nil : Interest(name: name, categories: categories)
                }
            }
            c.tags.halfLifeDays = r.number(t["half_life_days"], "$.tags.half_life_days", in: 0.01...36500,
                                           default: c.tags.halfLifeDays)
            c.tags.recentDays = r.number(t["recent_days"], "$.tags.recent_days", in: 0...36500, default: c.tags.recentDays)
            c.tags.preferenceMinWeight = r.number(t["preference_min_weight"], "$.tags.preference_min_weight",
                                                  in: 0...1e9, default: c.tags.preferenceMinWeight)
            c.tags.predictedMinScore = r.number(t["predicted_min_score"], "$.tags.predicted_min_score", in: 0...1,
                                                default: c.tags.predictedMinScore)
            c.tags.predictedExpiryHalfLives = r.number(t["predicted_expiry_half_lives"],
                                                       "$.tags.predicted_expiry_half_lives", in: 0...1000,
                                                       default: c.tags.predictedExpiryHalfLives)
            c.tags.evidenceLimit = Int(r.number(t["evidence_limit"], "$.tags.evidence_limit", in: 1...100,
                                                default: Double(c.tags.evidenceLimit)))
        }
        if let rules = namedRules(root["key_tags"], "$.key_tags", name: "tag", &r) {
            c.keyTags = rules.map { KeyTag(tag: $0.name, when: $0.when) }
        }
        if let rules = namedRules(root["tiers"], "$.tiers", name: "tier", &r) {
            c.tiers = rules.map { TierRule(tier: $0.name, when: $0.when) }
        }
        if let j = r.object(root["journey"], "$.journey") {
            r.only(j, ["stages", "rules"], "$.journey")
            c.journey.stages = r.strings(j["stages"], "$.journey.stages", default: c.journey.stages)
            if let items = r.array(j["rules"], "$.journey.rules") {
                c.journey.rules = items.enumerated().compactMap { i, item in
                    let path = "$.journey.rules[\(i)]"
                    guard let o = r.object(item, path) else { return nil }
                    r.only(o, ["stage", "kinds", "intents", "intent_kinds", "after"], path)
                    let rule = StageRule(
                        stage: r.string(o["stage"], path + ".stage", default: "?"),
                        kinds: r.strings(o["kinds"], path + ".kinds", default: []),
                        intents: r.strings(o["intents"], path + ".intents", default: []),
                        intentKinds: r.strings(o["intent_kinds"], path + ".intent_kinds", default: []),
                        after: o["after"].map { r.string($0, path + ".after", default: "?") })
                    for (name, stage) in [("stage", rule.stage), ("after", rule.after)] {
                        if let stage, !c.journey.stages.contains(stage) {
                            r.fail("\(path).\(name)", "not one of $.journey.stages")
                        }
                    }
                    return rule
                }
            }
        }
        if let k = r.object(root["koc"], "$.koc") {
            r.only(k, ["min_followers", "max_followers", "posts_per_month", "interaction_rate", "weights",
                       "influence_half"], "$.koc")
            c.koc.minFollowers = r.number(k["min_followers"], "$.koc.min_followers", in: 0...1e10, default: c.koc.minFollowers)
            c.koc.maxFollowers = r.number(k["max_followers"], "$.koc.max_followers", in: 1...1e10, default: c.koc.maxFollowers)
            c.koc.postsPerMonth = r.number(k["posts_per_month"], "$.koc.posts_per_month", in: 0.001...1e6,
                                           default: c.koc.postsPerMonth)
            c.koc.interactionRate = r.number(k["interaction_rate"], "$.koc.interaction_rate", in: 0.000001...1e6,
                                             default: c.koc.interactionRate)
            c.koc.influenceHalf = r.number(k["influence_half"], "$.koc.influence_half", in: 0.001...1e12,
                                           default: c.koc.influenceHalf)
            if let w = r.object(k["weights"], "$.koc.weights") {
                let names = ["frequency", "interaction", "quality", "influence"]
                r.only(w, names, "$.koc.weights")
                for name in names {
                    c.koc.weights[name] = r.number(w[name], "$.koc.weights.\(name)", in: 0...1, default: c.koc.weights[name]!)
                }
            }
        }
        if let items = r.array(root["segments"], "$.segments") {
            var names: Set<String> = []
            c.segments = items.enumerated().compactMap { i, item in
                let path = "$.segments[\(i)]"
                guard let o = r.object(item, path) else { return nil }
                r.only(o, ["name", "summary", "when", "tiers", "tags", "stages", "platforms"], path)
                let segment = Segment(
                    name: r.string(o["name"], path + ".name", default: "?"),
                    summary: r.string(o["summary"], path + ".summary", default: ""),
                    when: o["when"] == nil ? [] : conditions(o["when"], path + ".when", &r),
                    tiers: r.strings(o["tiers"], path + ".tiers", default: []),
                    tags: r.strings(o["tags"], path + ".tags", default: []),
                    stages: r.strings(o["stages"], path + ".stages", default: []),
                    platforms: r.strings(o["platforms"], path + ".platforms", default: []))
                if !names.insert(segment.name).inserted { r.fail(path + ".name", "a second segment of this name") }
                return segment
            }
        }
        guard r.errors.isEmpty else { throw QingtingErrors(r.errors) }
        return c
    }

    /// A list of `{<name>: "…", "when": [conditions]}` (key tags, tiers), or nil when absent.
    static func namedRules(_ value: JSONValue?, _ path: String, name: String, _ r: inout ConfigReader)
        -> [(name: String, when: [Condition])]?
    {
        guard let items = r.array(value, path) else { return nil }
        return items.enumerated().compactMap { i, item in
            let at = "\(path)[\(i)]"
            guard let o = r.object(item, at) else { return nil }
            r.only(o, [name, "when"], at)
            return (r.string(o[name], "\(at).\(name)", default: "?"), conditions(o["when"], at + ".when", &r))
        }
    }

    static func conditions(_ value: JSONValue?, _ path: String, _ r: inout ConfigReader) -> [Condition] {
        guard let items = r.array(value, path) else {
            r.fail(path, "missing: a list of {measure, op, value}")
            return []
        }
        return items.enumerated().compactMap { i, item in
            let at = "\(path)[\(i)]"
            guard let o = r.object(item, at) else { return nil }
            r.only(o, ["measure", "op", "value"], at)
            let measure = r.string(o["measure"], at + ".measure", default: "?")
            if !Profile.measureNames.contains(measure) {
                r.fail(at + ".measure", "unknown measure (known: \(Profile.measureNames.joined(separator: ", ")))")
            }
            let opText = r.string(o["op"], at + ".op", default: ">=")
            guard let op = Condition.Op(rawValue: opText) else {
                r.fail(at + ".op", "expected one of >=, >, <=, <")
                return nil
            }
            guard o["value"] != nil else {
                r.fail(at + ".value", "missing")
                return nil
            }
            return Condition(measure: measure, op: op, value: r.number(o["value"], at + ".value", in: -1e12...1e12, default: 0))
        }
    }
}
