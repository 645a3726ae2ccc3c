public import QingtingCRM
import QingtingCore
import QingtingProfile
import QingtingStore

/// The customers of a segment as audiences and experiments name it: `all` holds every customer
/// the store knows (a CRM record or events of theirs), a tier name (活跃粉丝, 高潜用户, 核心KOC,
/// 沉默用户…) the customers in that tier at `now`, and any other name a configured segment of the
/// profile configuration (`ProfileSegments`), read as `customer show` reads a profile.
public struct SegmentMembers {
    public let profiles: CustomerProfiles

    public init(_ profiles: CustomerProfiles) { self.profiles = profiles }

    /// `all`, the tiers, then the configured segments, in configuration order.
    public var names: [String] {
        ["all"] + profiles.config.tiers.map(\.tier) + profiles.config.segments.map(\.name)
    }

    /// Every customer id: the CRM's and those known only from their events, in id order.
    public func everyCustomer() throws -> [String] {
        var ids = Set(try profiles.store.customers().map(\.id))
        try profiles.store.forEachProfile { id, _ in ids.insert(id) }
        return ids.sorted()
    }

    /// The ids of segment `name`'s members at `now`, in id order.
    /// - Throws: `QingtingError(.invalidInput)` for a name that is none of `names`, listing them.
    /// - Complexity: `all` reads ids only; a tier or segment reads every profile at `now`.
    public func members(_ name: String, now: Int64) throws -> [String] {
        if name == "all" { return try everyCustomer() }
        let test: (Profile) -> Bool
        if profiles.config.tiers.contains(where: { $0.tier == name }) {
            test = { $0.tier?.tier == name }
        } else if let segment = profiles.config.segments.first(where: { $0.name == name }) {
            test = { $0.isMember(of: segment) }
        } else {
            throw QingtingError(
                .invalidInput, "no segment '\(name)' (segments: \(names.joined(separator: ", ")))",
                location: profiles.config.source)
        }
        return try everyCustomer().filter { id in try profiles.profile(id, now: now).map(test) ?? false }
    }
}
