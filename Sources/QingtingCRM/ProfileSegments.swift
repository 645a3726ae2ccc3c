public import QingtingCore
import QingtingIngest
public import QingtingProfile
public import QingtingStore

/// Segments: the named queries of the profile configuration (`segments`), evaluated over every
/// profile at one time (`segment.list`, `segment.members`, `qingting segments`). Members are read
/// as `customer show` reads them, so a member's tier and tags are the ones its profile shows.
public struct ProfileSegments {
    public let profiles: CustomerProfiles

    public init(_ profiles: CustomerProfiles) { self.profiles = profiles }

    /// Every profile at `now`, in customer order (one pass shared by all segments).
    func everyProfile(now: Int64) throws -> [Profile] {
        var ids: [String] = []
        try profiles.store.forEachProfile { id, _ in ids.append(id) }
        return try ids.compactMap { try profiles.profile($0, now: now) }
    }

    /// `{"segments":[{"name","summary","members"}…]}`: each configured segment with its member count.
    public func listJSON(now: Int64) throws -> String {
        let all = try everyProfile(now: now)
        var w = JSONWriter()
        w.object { w in
            w.member("now", Timestamp.iso8601(now))
            w.member("segments") { w in
                w.array(profiles.config.segments) { w, segment in
                    w.object { w in
                        w.member("name", segment.name)
                        w.member("summary", segment.summary)
                        w.member("members", all.filter { $0.isMember(of: segment) }.count)
                    }
                }
            }
        }
        return w.text
    }

    /// The members of segment `name` at `now` as JSON, or nil for a name the configuration lacks.
    /// With `positivePosts`, each member's positive or recommending posts (what an operator
    /// surfaces from the KOC pool), newest last, at most `postLimit`.
    public func membersJSON(_ name: String, now: Int64, positivePosts: Bool = false, postLimit: Int = 5) throws
        -> String?
    {
        guard let segment = profiles.config.segments.first(where: { $0.name == name }) else { return nil }
        let members = try everyProfile(now: now).filter { $0.isMember(of: segment) }
        var posts: [String: [String]] = [:]
        if positivePosts {
            for member in members {
                try profiles.store.forEachEvent(CRMStore.EventFilter(customer: member.customer.id)) { e in
                    let p = ProfileUpdates.event(e.event, seq: e.seq, analysis: e.analysis, models: e.models)
                    guard ["post", "comment", "reply", "mention"].contains(p.kind), p.textLength > 0,
                        p.sentiment == "positive"
                            || p.intents.contains(where: { $0.label == "recommend" && $0.probability >= profiles.config.intentThreshold })
                    else { return }
                    posts[member.customer.id, default: []].append(EventLogOutput.line(e))
                    if posts[member.customer.id]!.count > postLimit { posts[member.customer.id]!.removeFirst() }
                }
            }
        }
        var w = JSONWriter()
        w.object { w in
            w.member("segment", segment.name)
            w.member("summary", segment.summary)
            w.member("now", Timestamp.iso8601(now))
            w.member("count", members.count)
            w.member("members") { w in
                w.array(members) { w, p in
                    p.writeSummary(to: &w) { w in
                        if positivePosts {
                            w.member("positive_posts") { w in w.array(posts[p.customer.id] ?? []) { w, line in w.raw(line) } }
                        }
                    }
                }
            }
        }
        return w.text
    }
}
