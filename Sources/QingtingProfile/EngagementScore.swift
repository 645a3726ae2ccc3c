import QingtingCore

/// The engagement score at a time: Σ over terms (active, passive, latent) of weight × term, where
/// a term is 1 − Π over platforms (1 − n), and n = 1 − 2^(−units ÷ saturation) normalizes a
/// platform's decayed units by that platform's own scale (a Weibo like and a WeChat read are not
/// the same act). Each term and platform is kept for the profile to show.
public struct EngagementScore: Sendable {
    public var score: Double
    public var terms: [Term]

    public struct Term: Sendable {
        public var name: String
        public var weight: Double
        public var value: Double
        public var contribution: Double
        /// Platform, decayed units at `now`, normalized.
        public var platforms: [(platform: String, units: Double, normalized: Double)]
    }

    public init(_ state: ProfileState, now: Int64, _ config: ProfileConfiguration) {
        let c = config.engagement
        let halfLife = Double.days(c.halfLifeDays)
        terms = ProfileConfiguration.Engagement.terms.map { name in
            var rest = 1.0
            var platforms: [(String, Double, Double)] = []
            for platform in state.engagement.keys.sorted() {
                guard let sum = state.engagement[platform]?[name] else { continue }
                let units = sum.value(now: now, halfLifeMillis: halfLife)
                let n = Double.saturating(units, half: c.saturation(platform)[name])
                rest *= 1 - n
                platforms.append((platform, units, n))
            }
            let weight = c.weights[name] ?? 0
            return Term(name: name, weight: weight, value: 1 - rest, contribution: weight * (1 - rest),
                        platforms: platforms)
        }
        score = terms.reduce(0) { $0 + $1.contribution }
    }

    public static let formula =
        "score = Σ weight × term; term = 1 − Π_platform (1 − n); n = 1 − 2^(−units ÷ saturation); units decay by 2^(−age ÷ half_life)"

    func write(to w: inout JSONWriter, _ config: ProfileConfiguration) {
        w.object { w in
            w.member("score", score, digits: 4)
            w.member("formula", Self.formula)
            w.member("half_life_days", config.engagement.halfLifeDays, digits: 4)
            w.member("terms") { w in
                w.object { w in
                    for term in terms {
                        w.member(term.name) { w in
                            w.object { w in
                                w.member("weight", term.weight, digits: 4)
                                w.member("value", term.value, digits: 4)
                                w.member("contribution", term.contribution, digits: 4)
                                w.member("platforms") { w in
                                    w.object { w in
                                        for p in term.platforms {
                                            w.member(p.platform) { w in
                                                w.object { w in
                                                    w.member("units", p.units, digits: 4)
                                                    w.member("saturation", config.engagement.saturation(p.platform)[term.name], digits: 4)
                                                    w.member("normalized", p.normalized, digits: 4)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
