import QingtingCore

/// How much of a key opinion consumer a customer is, in 0…1: a weighted sum of posting
/// frequency, the interaction rate their posts get (per post, ÷ followers), content quality
/// (share of positive and recommending posts, and length) and influence (interactions received),
/// times a follower factor that is 1 inside the KOC range (1k–50k by default) and falls off
/// outside it.
public struct KOCScore: Sendable {
    public var score: Double
    public var followerFactor: Double
    /// frequency, interaction, quality, influence: each in 0…1.
    public var terms: [(name: String, value: Double)]

    public init(_ state: ProfileState, _ config: ProfileConfiguration) {
        let c = config.koc
        let k = state.koc
        let posts = Double(k.posts)
        let months = max(1, Double((k.lastPost ?? 0) - (k.firstPost ?? 0)) / Double.days(30))
        let frequency = Double.saturating(posts / months, half: c.postsPerMonth)
        let perPost = posts > 0 ? k.interactions / posts : 0
        let interaction = k.followers > 0 ? Double.saturating(perPost / k.followers, half: c.interactionRate) : 0
        let quality = posts > 0
            ? 0.5 * min(1, Double(k.positive + k.recommend) / posts) + 0.5 * min(1, Double(k.characters) / posts / 50)
            : 0
        let influence = Double.saturating(k.interactions, half: c.influenceHalf)
        terms = [("frequency", frequency), ("interaction", interaction), ("quality", quality), ("influence", influence)]
        if k.followers <= 0 {
            followerFactor = 0
        } else if k.followers < c.minFollowers {
            followerFactor = k.followers / c.minFollowers
        } else if k.followers > c.maxFollowers {
            followerFactor = c.maxFollowers / k.followers
        } else {
            followerFactor = 1
        }
        score = followerFactor * terms.reduce(0) { $0 + (c.weights[$1.name] ?? 0) * $1.value }
    }

    func write(to w: inout JSONWriter, _ state: ProfileState, _ config: ProfileConfiguration) {
        w.object { w in
            w.member("score", score, digits: 4)
            w.member("followers", state.koc.followers, digits: 0)
            w.member("follower_factor", followerFactor, digits: 4)
            w.member("posts", state.koc.posts)
            w.member("interactions_received", state.koc.interactions, digits: 0)
            w.member("terms") { w in
                w.object { w in
                    for t in terms {
                        w.member(t.name) { w in
                            w.object { w in
                                w.member("weight", config.koc.weights[t.name] ?? 0, digits: 4)
                                w.member("value", t.value, digits: 4)
                            }
                        }
                    }
                }
            }
        }
    }
}
