public import OrderedCollections
public import QingtingCore

/// What the analysis of an event's text says, as rules and the KPI counters read it: the
/// sentiment label and its probability, the intents, the category and the tags.
public struct AnalysisLabels: Sendable, Equatable {
    public var sentiment: String?
    public var confidence: Double?
    public var intents: [String] = []
    public var category: String?
    public var tags: [String] = []

    public init(sentiment: String? = nil, confidence: Double? = nil, intents: [String] = [], category: String? = nil,
                tags: [String] = []) {
        self.sentiment = sentiment
        self.confidence = confidence
        self.intents = intents
        self.category = category
        self.tags = tags
    }

    /// Read from the compact analysis JSON the log stores (none for nil or unreadable JSON).
    public init(json analysis: String?) {
        self.init(parsed: analysis.flatMap { try? JSONValue.parse($0) })
    }

    /// Read from that JSON parsed already (a caller that also folds the profile parses it once).
    public init(parsed value: JSONValue?) {
        guard case .object(let a) = value else { return }
        sentiment = a["sentiment"]?.stringValue
        if let s = sentiment, case .object(let p) = a["probabilities"] ?? .null, case .number(let x) = p[s] ?? .null {
            confidence = Double(x)
        }
        if case .array(let items) = a["intents"] ?? .null { intents = items.compactMap { $0["label"]?.stringValue } }
        category = a["category"]?.stringValue
        if case .array(let items) = a["tags"] ?? .null { tags = items.compactMap(\.stringValue) }
    }
}

/// What a rule sees of one stored event: its facts and its analysis, read once.
public struct RuleEvent: Sendable {
    public var seq: Int64
    public var platform: String
    public var eventID: String
    public var kind: String
    public var occurredAt: Int64
    public var text: String
    /// The customer it resolved to, and its author as `platform:uid`.
    public var customer: String?
    public var author: String?
    public var sentiment: String?
    public var confidence: Double?
    public var intents: [String]
    public var category: String?
    public var tags: [String]
    public var hashtags: [String]
    public var metrics: JSONObject
    public var authorProfile: JSONObject
    /// `topics(brandTerms:)` worked out ahead (off the transaction), for the rule file's brand terms.
    public var knownTopics: [String]?

    public init(
        seq: Int64, platform: String, eventID: String, kind: String, occurredAt: Int64, text: String?,
        customer: String?, author: String?, labels: AnalysisLabels, metrics: JSONObject = [:],
        authorProfile: JSONObject = [:]
    ) {
        self.seq = seq
        self.platform = platform
        self.eventID = eventID
        self.kind = kind
        self.occurredAt = occurredAt
        self.text = text ?? ""
        self.customer = customer
        self.author = author
        self.metrics = metrics
        self.authorProfile = authorProfile
        hashtags = Self.hashtags(in: self.text)
        sentiment = labels.sentiment
        confidence = labels.confidence
        intents = labels.intents
        category = labels.category
        tags = labels.tags
    }

    /// The same with the labels read from the stored analysis JSON.
    public init(
        seq: Int64, platform: String, eventID: String, kind: String, occurredAt: Int64, text: String?,
        customer: String?, author: String?, analysis: String?, metrics: JSONObject = [:],
        authorProfile: JSONObject = [:]
    ) {
        self.init(seq: seq, platform: platform, eventID: eventID, kind: kind, occurredAt: occurredAt, text: text,
                  customer: customer, author: author, labels: AnalysisLabels(json: analysis), metrics: metrics,
                  authorProfile: authorProfile)
    }

    /// The topics it counts towards: its hashtags (`#双十一#`), its category (`category:手机`) and
    /// the brand terms it names (`brand:倾听`).
    public func topics(brandTerms: [String]) -> [String] {
        if let knownTopics { return knownTopics }
        var out = hashtags
        if let category { out.append("category:" + category) }
        if !brandTerms.isEmpty {
            let text = Array(self.text.utf8)
            for term in brandTerms where Self.contains(text, Array(term.utf8)) { out.append("brand:" + term) }
        }
        return out
    }

    /// Whether `needle` occurs in `haystack`, ASCII letters matched without case (UTF-8 bytes:
    /// a CJK term matches exactly, a Latin one in any case).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
        let first = fold(needle[0])
        var i = 0
        while i <= haystack.count - needle.count {
            if fold(haystack[i]) == first {
                var j = 1
                while j < needle.count, fold(haystack[i + j]) == fold(needle[j]) { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// Weibo-style `#话题#` and `#word` hashtags, each once, as `#text#`.
    /// The `#…#` (Weibo) and `#word` hashtags of `text`.
    public static func hashtags(in text: String) -> [String] {
        // A byte scan, not a Character one (which finds grapheme breaks through the whole text).
        guard text.utf8.contains(UInt8(ascii: "#")) else { return [] }
        var out: [String] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            guard chars[i] == "#" else { i += 1; continue }
            var j = i + 1
            while j < chars.count, j - i <= 40, chars[j] != "#", !chars[j].isWhitespace { j += 1 }
            if j < chars.count, chars[j] == "#", j > i + 1 {
                out.append("#" + String(chars[(i + 1)..<j]) + "#")  // #话题#
                i = j + 1
                continue
            }
            j = i + 1
            while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
            if j > i + 1 { out.append("#" + String(chars[(i + 1)..<j]) + "#") }
            i = max(j, i + 1)
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.lowercased()).inserted }
    }
}

/// What a rule may read of a customer's profile (the CRM layer builds it from the profile and the
/// CRM record); `values(of:)` answers a `profile.NAME` field, empty when the customer has none.
public protocol ProfileFacts {
    func values(of name: String) -> [Condition.Value]
}
