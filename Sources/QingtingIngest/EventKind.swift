/// What happened: the kind of a `SocialEvent`.
///
/// Open like `ErrorCode`: the names below are the ones the adapters produce, and a field mapping
/// may only use these (so a typo is caught), but the type does not close the set for later stages.
public struct EventKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let post = EventKind("post")
    public static let comment = EventKind("comment")
    public static let reply = EventKind("reply")
    public static let dm = EventKind("dm")
    public static let mention = EventKind("mention")
    public static let like = EventKind("like")
    public static let share = EventKind("share")
    public static let favorite = EventKind("favorite")
    public static let follow = EventKind("follow")
    public static let unfollow = EventKind("unfollow")
    public static let view = EventKind("view")
    public static let click = EventKind("click")
    public static let visit = EventKind("visit")
    public static let order = EventKind("order")
    public static let ticket = EventKind("ticket")
    public static let edit = EventKind("edit")
    public static let delete = EventKind("delete")
    /// A survey answer: `metrics.csat` (1–5) or `metrics.nps` (0–10).
    public static let survey = EventKind("survey")

    /// Every kind above, in that order.
    public static let known: [EventKind] = [
        .post, .comment, .reply, .dm, .mention, .like, .share, .favorite, .follow, .unfollow, .view, .click, .visit,
        .order, .ticket, .edit, .delete, .survey,
    ]
}
