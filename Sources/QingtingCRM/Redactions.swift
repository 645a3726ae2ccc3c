import QingtingCore
public import QingtingIngest
public import QingtingProfile
public import QingtingStore
import QingtingRules

/// What the folds read of an event whose text is gone (retention, erasure, a platform's delete):
/// the redaction's kept facts instead of the words, so `rebuild` refolds the same profiles and
/// aggregates the ingest path folded while the text was there.
public enum Redactions {
    /// The platforms whose events are social data (every platform adapter's but `generic`, which
    /// reads CRM and shop exports: orders, visits, surveys are customer records, not social data).
    public static let socialPlatforms: [String] = Platform.allCases.filter { $0 != .generic }.map(\.rawValue)

    /// The redaction of `stored` for `reason` at `time`: its text's length and the hashtags the
    /// daily aggregates count, as `ProfileEvent` and `EventMeasures` read them from the text. An
    /// event redacted already keeps what its first redaction recorded.
    public static func redaction(of stored: CRMStore.StoredEvent, reason: String, at time: Int64) -> CRMStore.Redaction {
        if let earlier = stored.redaction { return earlier }
        let text = stored.event.text ?? ""
        return CRMStore.Redaction(reason: reason, at: time, textLength: text.count,
                                  hashtags: Array(RuleEvent.hashtags(in: text).prefix(5)))
    }

    /// The strings of `stored`'s text a feed record or ticket may repeat (a post's words, a
    /// subject's first 60 characters): the needles that clean them.
    public static func needles(of stored: CRMStore.StoredEvent) -> [String] {
        [stored.event.text, stored.event.quotedText].compactMap { $0 }.flatMap { [String($0.prefix(60)), $0] }
    }
}

extension ProfileUpdates {
    /// What the profile reads of a stored event: `event(_:seq:analysis:models:)`, with the
    /// redaction's text length when the text is gone.
    public static func event(_ stored: CRMStore.StoredEvent) -> ProfileEvent {
        event(stored, parsedAnalysis: stored.analysis.flatMap { try? JSONValue.parse($0) })
    }

    /// The same with `stored.analysis` parsed already (`rules backtest` reads it for the rules too).
    static func event(_ stored: CRMStore.StoredEvent, parsedAnalysis: JSONValue?) -> ProfileEvent {
        var e = event(stored.event, seq: stored.seq, parsedAnalysis: parsedAnalysis,
                      models: stored.analysis == nil ? nil : stored.models)
        if let r = stored.redaction { e.textLength = r.textLength }
        return e
    }
}

extension EventMeasures {
    /// What a stored event adds to the aggregates: from its text while it has one, else from its
    /// redaction's facts (text or not, hashtags).
    public init(_ stored: CRMStore.StoredEvent) {
        guard let r = stored.redaction else {
            self.init(stored.event, analysis: stored.analysis, fieldsPresent: stored.fieldsPresent,
                      fieldsExpected: stored.fieldsExpected)
            return
        }
        let e = stored.event
        let labels = AnalysisLabels(json: stored.analysis)
        self.init(kind: e.kind.rawValue, platform: e.platform.rawValue, hasText: r.textLength > 0,
                  sentiment: labels.sentiment, intents: labels.intents, category: labels.category,
                  hashtags: r.hashtags, metrics: e.metrics, fieldsPresent: stored.fieldsPresent,
                  fieldsExpected: stored.fieldsExpected)
    }
}
