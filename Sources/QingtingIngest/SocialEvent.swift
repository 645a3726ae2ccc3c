public import OrderedCollections
public import QingtingCore

/// One thing a person did on a platform, in the one schema every later stage reads ("The CRM
/// layer" in DESIGN.md). Adapters make these; nothing past them knows which platform spoke.
///
/// `(platform, eventID)` is the dedupe key: a retried or re-exported payload gives the same pair.
public struct SocialEvent: Sendable, Equatable {
    public var platform: Platform
    /// The platform's own id for the event, as written (never through a `Double`: WeChat `MsgId`,
    /// X and Bilibili ids exceed 2^53). Where the platform gives none, the key its documentation
    /// says to dedupe on (WeChat events: `FromUserName:CreateTime`).
    public var eventID: String
    public var kind: EventKind
    /// Who did it; nil only where the payload does not say (an Instagram mention).
    public var author: Author?
    /// What it answers, when it answers something.
    public var parent: Parent?
    /// The author's own words, as plain text (markup and entities decoded), or nil.
    public var text: String?
    /// Text the author quoted rather than wrote: a Weibo repost's `//@用户:原文` chain.
    public var quotedText: String?
    /// When it happened, UTC milliseconds since 1970.
    public var occurredAt: Int64
    /// When Qingting received it, UTC milliseconds (the caller's clock).
    public var receivedAt: Int64
    /// Counts the payload carries (likes, replies, followers…), as the JSON number literals they
    /// were (or numeric strings turned into literals), in payload order.
    public var metrics: JSONObject
    /// The payload exactly as received. Events read from one batch payload share it, so a replay
    /// re-reads the batch and picks the event by its id.
    public var raw: [UInt8]

    public init(
        platform: Platform, eventID: String, kind: EventKind, author: Author?, parent: Parent? = nil,
        text: String? = nil, quotedText: String? = nil, occurredAt: Int64, receivedAt: Int64,
        metrics: JSONObject = [:], raw: [UInt8]
    ) {
        self.platform = platform
        self.eventID = eventID
        self.kind = kind
        self.author = author
        self.parent = parent
        self.text = text
        self.quotedText = quotedText
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.metrics = metrics
        self.raw = raw
    }

    /// A platform account: its id on the platform and the profile fields the payload carried.
    public struct Author: Sendable, Equatable {
        public var platform: Platform
        /// The platform's user id (Weibo uid, WeChat openid, WeCom external_userid, Douyin open_id…).
        public var uid: String
        /// Profile fields in payload order, under stable names: `nickname`, `avatar`, `unionid`,
        /// `username`, `location`, `gender`, `ip_location`…; only those the payload had.
        public var profile: JSONObject

        public init(platform: Platform, uid: String, profile: JSONObject = [:]) {
            self.platform = platform
            self.uid = uid
            self.profile = profile
        }
    }

    /// What an event answers.
    public struct Parent: Sendable, Equatable {
        /// The post, comment, message or conversation answered directly.
        public var id: String
        /// The first comment of the thread, where the platform names one (Bilibili `root`, Weibo
        /// `rootidstr`, a Xiaohongshu sub-comment's top comment).
        public var root: String?
        /// The post (status, note, video, tweet, media) the whole thread hangs under.
        public var post: String?

        public init(id: String, root: String? = nil, post: String? = nil) {
            self.id = id
            self.root = root
            self.post = post
        }
    }
}
