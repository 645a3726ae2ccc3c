public import OrderedCollections
public import QingtingCore
import QingtingIngest
public import QingtingStore

/// Re-analyses the stored events with the analyzer given (the current models) and reports what
/// changed: per label change how many events, and each changed event with its labels before and
/// after. With `apply`, the new analyses replace the stored ones (the events themselves are never
/// touched: only the derived analysis and the model set it names).
public struct Replay {
    public let store: CRMStore
    public let analyzer: EventAnalyzer

    public init(store: CRMStore, analyzer: EventAnalyzer) {
        self.store = store
        self.analyzer = analyzer
    }

    /// The labels of one analysis that a change is counted on.
    struct Labels: Equatable {
        var sentiment: String?
        var intents: [String]
        var category: String?

        init(_ json: String?) {
            guard let json, let value = try? JSONValue.parse(json) else {
                (sentiment, intents, category) = (nil, [], nil)
                return
            }
            sentiment = value["sentiment"]?.stringValue
            if case .array(let items)? = value["intents"] {
                intents = items.compactMap { $0["label"]?.stringValue }
            } else {
                intents = []
            }
            category = value["category"]?.stringValue
        }

        func write(to w: inout JSONWriter) {
            w.object { w in
                w.key("sentiment")
                if let sentiment { w.string(sentiment) } else { w.null() }
                w.member("intents") { w in w.array(intents) { w, i in w.string(i) } }
                w.key("category")
                if let category { w.string(category) } else { w.null() }
            }
        }
    }

    public struct Report: Sendable {
        public var events = 0
        public var analysed = 0
        public var changed = 0
        /// Model sets (fingerprints) the stored analyses came from, with their counts.
        public var before: OrderedDictionary<String, Int> = [:]
        public var after = ""
        /// `sentiment negative→neutral`, `intent +complaint`, `category 手机→none`: events per change.
        public var changes: OrderedDictionary<String, Int> = [:]
        /// JSON objects of the changed events (`seq, platform, event_id, before, after`).
        public var changedEvents: [String] = []
        public var applied = false

        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("events", events)
                w.member("analysed", analysed)
                w.member("changed", changed)
                w.member("models") { w in
                    w.object { w in
                        w.member("before") { w in
                            w.object { w in for (fp, n) in before { w.member(fp, n) } }
                        }
                        w.member("after", after)
                    }
                }
                w.member("changes") { w in
                    w.object { w in for (change, n) in changes.sorted(by: { $0.key < $1.key }) { w.member(change, n) } }
                }
                w.member("applied", applied)
                w.member("changed_events") { w in w.array(changedEvents) { w, e in w.raw(e) } }
            }
            return w.text
        }
    }

    /// Re-analyses every event with text (in `seq` order).
    /// - Parameters:
    ///   - apply: store the new analyses (one transaction, after the whole read).
    ///   - limit: list at most this many changed events (all are counted).
    public func run(apply: Bool, limit: Int = .max) throws -> Report {
        var report = Report()
        report.after = analyzer.fingerprint
        var updates: [(seq: Int64, analysis: String)] = []
        try store.forEachEvent { stored in
            report.events += 1
            guard let text = stored.event.text else { return }
            report.analysed += 1
            report.before[stored.models ?? "none", default: 0] += 1
            guard let fresh = analyzer.analysis(of: text) else { return }
            if stored.modelSet == nil || stored.analysis != fresh { updates.append((stored.seq, fresh)) }
            let old = Labels(stored.analysis)
            let new = Labels(fresh)
            guard old != new else { return }
            report.changed += 1
            if old.sentiment != new.sentiment {
                report.changes["sentiment \(old.sentiment ?? "none")→\(new.sentiment ?? "none")", default: 0] += 1
            }
            for label in new.intents where !old.intents.contains(label) {
                report.changes["intent +\(label)", default: 0] += 1
            }
            for label in old.intents where !new.intents.contains(label) {
                report.changes["intent -\(label)", default: 0] += 1
            }
            if old.category != new.category {
                report.changes["category \(old.category ?? "none")→\(new.category ?? "none")", default: 0] += 1
            }
            if report.changedEvents.count < limit {
                var w = JSONWriter()
                w.object { w in
                    w.member("seq", stored.seq)
                    w.member("platform", stored.event.platform.rawValue)
                    w.member("event_id", stored.event.eventID)
                    w.member("before") { w in old.write(to: &w) }
                    w.member("after") { w in new.write(to: &w) }
                }
                report.changedEvents.append(w.text)
            }
        }
        if apply, !updates.isEmpty {
            try store.updateAnalyses(updates, modelSet: (analyzer.fingerprint, analyzer.filesJSON))
            report.applied = true
        }
        return report
    }
}
