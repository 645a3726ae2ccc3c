public import OrderedCollections
public import QingtingCore

/// What the profile reads of one logged event: its kind, time, platform, the numbers it carries
/// and the labels of its analysis. Built the same way on the ingest path and in `rebuild`, from
/// what the log stores, so both fold the same values.
public struct ProfileEvent: Sendable, Equatable {
    public var seq: Int64
    public var platform: String
    public var kind: String
    public var occurredAt: Int64
    /// Characters of the author's own words (0 without text).
    public var textLength: Int
    public var sentiment: String?
    /// Intent labels with their probabilities, as the analysis lists them.
    public var intents: [(label: String, probability: Double)]
    public var category: String?
    /// The model set's fingerprint of the analysis.
    public var models: String?
    /// `view_seconds`, `completion_rate`, `amount`, the follower count, and the interactions a
    /// post got (likes, replies, shares), where the event carries them.
    public var viewSeconds: Double?
    public var completionRate: Double?
    public var amount: Double?
    public var followers: Double?
    public var interactions: Double

    public init(
        seq: Int64, platform: String, kind: String, occurredAt: Int64, text: String?, analysis: String?,
        models: String?, metrics: JSONObject, authorProfile: JSONObject = [:]
    ) {
        self.init(seq: seq, platform: platform, kind: kind, occurredAt: occurredAt, text: text,
                  parsedAnalysis: analysis.flatMap { try? JSONValue.parse($0) }, models: models, metrics: metrics,
                  authorProfile: authorProfile)
    }

    /// The same with the analysis JSON parsed already (nil: none, or unreadable), so a caller that
    /// reads it for the rules too parses it once.
    public init(
        seq: Int64, platform: String, kind: String, occurredAt: Int64, text: String?, parsedAnalysis: JSONValue?,
        models: String?, metrics: JSONObject, authorProfile: JSONObject = [:]
    ) {
        self.seq = seq
        self.platform = platform
        self.kind = kind
        self.occurredAt = occurredAt
        textLength = text?.count ?? 0
        self.models = models
        intents = []
        if let value = parsedAnalysis {
            sentiment = value["sentiment"]?.stringValue
            category = value["category"]?.stringValue
            if case .array(let items)? = value["intents"] {
                intents = items.compactMap { item in
                    guard let label = item["label"]?.stringValue else { return nil }
                    return (label, Self.number(item["probability"]) ?? 1)
                }
            }
        }
        viewSeconds = Self.number(metrics["view_seconds"]) ?? Self.number(metrics["duration"])
        completionRate = Self.number(metrics["completion_rate"])
        amount = Self.number(metrics["amount"])
        followers = Self.number(metrics["followers_count"]) ?? Self.number(authorProfile["followers_count"])
            ?? Self.number(metrics["followers"])
        interactions = ["likes", "replies", "comments", "shares", "reposts", "reposts_count", "comments_count",
                        "attitudes_count", "like_count", "reply_count"]
            .compactMap { Self.number(metrics[$0]) }.reduce(0, +)
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let literal)?: Double(literal)
        case .string(let s)?: Double(s)
        default: nil
        }
    }

    public static func == (a: ProfileEvent, b: ProfileEvent) -> Bool {
        a.seq == b.seq && a.platform == b.platform && a.kind == b.kind && a.occurredAt == b.occurredAt
            && a.textLength == b.textLength && a.sentiment == b.sentiment && a.category == b.category
            && a.models == b.models && a.intents.map(\.label) == b.intents.map(\.label)
            && a.intents.map(\.probability) == b.intents.map(\.probability) && a.viewSeconds == b.viewSeconds
            && a.completionRate == b.completionRate && a.amount == b.amount && a.followers == b.followers
            && a.interactions == b.interactions
    }
}
