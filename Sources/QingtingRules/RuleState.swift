import OrderedCollections
import QingtingCore

/// What the engine remembers between events, all on event time: the counts' sliding windows, when
/// each rule last fired per key, pending timers (waits and delayed steps) and the topics' volume
/// buckets. A function of the log and the rule file; the CRM layer persists the entries a
/// transaction changed (`dirty`) so a restart resumes where the last commit left off.
public struct RuleState: Sendable {
    /// The latest event time seen (or `advance(to:)`): timers due by then have fired.
    public var watermark: Int64 = .min
    /// `count-id|group` → (occurred_at, seq) of the events in its window in `at` order (older ones
    /// may linger until a good part of the array has left the window).
    var windows: [String: [Moment]] = [:]
    /// `rule|group` → when the rule last fired for that group.
    var fired: [String: Int64] = [:]
    /// Pending timers by key.
    private(set) var timers: [String: Timer] = [:]
    /// No timer is due before this (a lower bound: a cancelled timer can leave it early, and the
    /// next scan raises it), so `advance` scans the timers only when one may be due.
    var earliest: Int64 = .max
    /// `rule|topic` → its volume per window bucket and who drove the newest bucket.
    var topics: [String: TopicVolume] = [:]
    /// Entry names (`w:…`, `f:…`, `t:…`, `v:…`) changed since `clearDirty`, and whether the watermark moved.
    public private(set) var dirty: Set<String> = []
    /// Whether `dirty` is kept: off for a caller that never saves the state (a backtest), which
    /// then builds no entry names.
    public var tracksChanges = true
    /// Per event that started a pending timer, how many such timers it started.
    private var pendingByTrigger: [Int64: Int] = [:]

    public init() {}

    struct Moment: Sendable, Equatable {
        var at: Int64
        var seq: Int64
    }

    struct Timer: Sendable, Equatable {
        var rule: String
        var deadline: Int64
        /// The event that started it.
        var trigger: Int64
        var customer: String?
        /// Nil: a rule's wait; n: its n-th delayed step.
        var step: Int?
        /// Events behind it (the trigger, and a count's window).
        var events: [Int64]
        var reason: String
    }

    struct TopicVolume: Sendable, Equatable {
        /// bucket number (time / window) → events in it.
        var buckets: [Int64: Int] = [:]
        /// The newest bucket's contributors: platform, author and co-occurring term → count.
        var newest: Int64 = .min
        var platforms: [String: Int] = [:]
        var authors: [String: Int] = [:]
        var terms: [String: Int] = [:]
        var seqs: [Int64] = []
        var firedBucket: Int64 = .min
    }

    /// Marks an entry changed; its name is built only when changes are tracked.
    mutating func touch(_ name: @autoclosure () -> String) {
        if tracksChanges { dirty.insert(name()) }
    }

    /// Whether a pending timer was started by event `seq` (a caller that keeps events in memory
    /// for `Lookups.event` needs only those).
    public func hasTimer(triggeredBy seq: Int64) -> Bool { pendingByTrigger[seq] != nil }

    mutating func setTimer(_ key: String, _ timer: Timer?) {
        let old = timer == nil ? timers.removeValue(forKey: key) : timers.updateValue(timer!, forKey: key)
        if let old {
            let left = pendingByTrigger[old.trigger, default: 1] - 1
            pendingByTrigger[old.trigger] = left > 0 ? left : nil
        }
        if let timer {
            pendingByTrigger[timer.trigger, default: 0] += 1
            earliest = min(earliest, timer.deadline)
        }
        touch("t:" + key)
    }

    /// The timers due by `time`, removed, in deadline order; `earliest` is exact again after.
    mutating func takeDue(by time: Int64) -> [(key: String, timer: Timer)] {
        guard earliest <= time else { return [] }
        let due = timers.filter { $0.value.deadline <= time }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
        for (key, _) in due { setTimer(key, nil) }
        earliest = timers.values.map(\.deadline).min() ?? .max
        return due.map { ($0.key, $0.value) }
    }
    public mutating func clearDirty() { dirty.removeAll(keepingCapacity: true) }
}

extension RuleState {
    /// One entry as stored text (nil: the entry is gone, delete it), by its `dirty` name.
    public func encoded(_ name: String) -> String? {
        if name == "watermark" { return watermark == .min ? nil : String(watermark) }
        let key = String(name.dropFirst(2))
        var w = JSONWriter()
        switch name.prefix(2) {
        case "w:":
            guard let moments = windows[key], !moments.isEmpty else { return nil }
            w.array(moments) { w, m in w.array([m.at, m.seq]) { w, x in w.int(x) } }
        case "f:":
            guard let at = fired[key] else { return nil }
            w.int(at)
        case "t:":
            guard let t = timers[key] else { return nil }
            w.object { w in
                w.member("rule", t.rule)
                w.member("deadline", t.deadline)
                w.member("trigger", t.trigger)
                w.member("customer", ifPresent: t.customer)
                w.member("step", ifPresent: t.step)
                w.member("events") { w in w.array(t.events) { w, s in w.int(s) } }
                w.member("reason", raw: t.reason)
            }
        case "v:":
            guard let v = topics[key] else { return nil }
            w.object { w in
                w.member("buckets") { w in w.array(v.buckets.keys.sorted()) { w, b in w.array([b, Int64(v.buckets[b]!)]) { w, x in w.int(x) } } }
                w.member("newest", v.newest)
                w.member("fired", v.firedBucket)
                for (name, map) in [("platforms", v.platforms), ("authors", v.authors), ("terms", v.terms)] {
                    w.member(name) { w in w.object { w in for k in map.keys.sorted() { w.member(k, map[k]!) } } }
                }
                w.member("seqs") { w in w.array(v.seqs) { w, s in w.int(s) } }
            }
        default: return nil
        }
        return w.text
    }

    /// Restores one stored entry (`encoded`'s text under its name).
    /// - Throws: `QingtingError(.store)` when the text is not an entry this engine wrote.
    public mutating func restore(_ name: String, _ text: String) throws {
        if name == "watermark", let t = Int64(text) { watermark = t; return }
        let key = String(name.dropFirst(2))
        let value = try JSONValue.parse(text)
        func int(_ v: JSONValue?) -> Int64? { if case .number(let n)? = v { Int64(n) } else { nil } }
        func ints(_ v: JSONValue?) -> [Int64] { if case .array(let a)? = v { a.compactMap { int($0) } } else { [] } }
        func counts(_ v: JSONValue?) -> [String: Int] {
            guard case .object(let o)? = v else { return [:] }
            var out: [String: Int] = [:]
            for (k, x) in o { out[k] = int(x).map(Int.init) }
            return out
        }
        switch name.prefix(2) {
        case "w:":
            guard case .array(let pairs) = value else { break }
            windows[key] = pairs.compactMap { p in
                let xs = ints(p)
                return xs.count == 2 ? Moment(at: xs[0], seq: xs[1]) : nil
            }.sorted { ($0.at, $0.seq) < ($1.at, $1.seq) }
            return
        case "f:":
            if let at = int(value) { fired[key] = at; return }
        case "t:":
            if let rule = value["rule"]?.stringValue, let deadline = int(value["deadline"]), let trigger = int(value["trigger"]) {
                setTimer(key, Timer(rule: rule, deadline: deadline, trigger: trigger, customer: value["customer"]?.stringValue,
                                    step: int(value["step"]).map(Int.init), events: ints(value["events"]),
                                    reason: value["reason"]?.jsonText ?? "{}"))
                dirty.remove("t:" + key)
                return
            }
        case "v:":
            var v = TopicVolume()
            if case .array(let pairs)? = value["buckets"] {
                for p in pairs { let xs = ints(p); if xs.count == 2 { v.buckets[xs[0]] = Int(xs[1]) } }
            }
            v.newest = int(value["newest"]) ?? .min
            v.firedBucket = int(value["fired"]) ?? .min
            v.platforms = counts(value["platforms"])
            v.authors = counts(value["authors"])
            v.terms = counts(value["terms"])
            v.seqs = ints(value["seqs"])
            topics[key] = v
            return
        default: break
        }
        throw QingtingError(.store, "a rule-state entry this engine cannot read (\(name.prefix(2)))")
    }
}
