import OrderedCollections
import QingtingCore

/// The one interpreter of a rule file: fed the log's events in `seq` order, it keeps `RuleState`
/// and says which rules fire. Live ingest and `rules backtest` run this same code; only what
/// they do with the firings differs (append to the feed, or count).
///
/// Time is event time: windows and baselines are measured on `occurred_at`, and a timer fires
/// when the watermark (the latest event time, or `advance(to:)` with `--now`) passes its deadline.
public struct RuleEngine: Sendable {
    public let rules: RuleSet
    public var state: RuleState

    /// Per event kind, the rules that read it (those with no `on` under every kind), in file
    /// order; and the rules with a wait. Worked out once, so an event looks at its rules only.
    private let rulesByKind: [String: [Int]]
    private let anyKind: [Int]
    private let waiting: [Int]
    /// Per rule, the counts in its condition (outermost first): walked once here, not per event.
    private let counts: [[Condition.Count]]

    public init(rules: RuleSet, state: RuleState = RuleState()) {
        self.rules = rules
        self.state = state
        var byKind: [String: [Int]] = [:]
        for (i, rule) in rules.rules.enumerated() {
            for kind in rule.kinds { byKind[kind, default: []].append(i) }
        }
        anyKind = rules.rules.indices.filter { rules.rules[$0].kinds.isEmpty }
        for kind in byKind.keys { byKind[kind] = (byKind[kind]! + anyKind).sorted() }
        rulesByKind = byKind
        waiting = rules.rules.indices.filter { rules.rules[$0].wait != nil }
        counts = rules.rules.map { rule in
            var found: [Condition.Count] = []
            rule.when?.forEachCount { found.append($0) }
            return found
        }
    }

    /// One rule firing: what it does, for whom, because of which events.
    public struct Firing: Sendable {
        public var rule: Rule
        /// The idempotency key: the same trigger always gives the same key (`rule|e<seq>`,
        /// `rule|e<seq>|step<n>`, `rule|topic|bucket`).
        public var key: String
        public var at: Int64
        public var customer: String?
        /// The event it fired on, or the timer's trigger.
        public var trigger: Int64
        public var events: [Int64]
        public var actions: [Action]
        /// Why, as a JSON object (the counts, the wait, the spike's drivers).
        public var reason: String
    }

    /// What the engine asks its caller while it runs.
    public struct Lookups {
        /// The customer's profile facts now (nil: no profile).
        public var profile: (String) -> (any ProfileFacts)?
        /// A stored event by seq (a timer's trigger when it fires).
        public var event: (Int64) -> RuleEvent?
        /// The delivery status (`queued`, `sent`, `delivered`, `read`, `failed`…) of the feed
        /// record with this idempotency key, nil when there is none.
        public var actionStatus: (String) -> String?

        public init(profile: @escaping (String) -> (any ProfileFacts)?, event: @escaping (Int64) -> RuleEvent?,
                    actionStatus: @escaping (String) -> String?) {
            self.profile = profile
            self.event = event
            self.actionStatus = actionStatus
        }
    }

    /// Runs every rule on one event (after firing the timers its time makes due).
    public mutating func process(_ event: RuleEvent, _ lookups: Lookups) -> [Firing] {
        var out: [Firing] = []
        var cachedProfile: (any ProfileFacts)??
        let profile: () -> (any ProfileFacts)? = {
            if let cached = cachedProfile { return cached }
            let p = event.customer.flatMap(lookups.profile)
            cachedProfile = .some(p)
            return p
        }
        let topics = event.topics(brandTerms: rules.brandTerms)
        cancelWaits(for: event, topics: topics, profile: profile)
        out += advance(to: event.occurredAt, lookups)
        // One evaluation for the event (not a copy of it per rule); each rule sets its own counts.
        var e = Evaluation(event: event, topics: topics, profile: profile)
        for index in rulesByKind[event.kind] ?? anyKind {
            let rule = rules.rules[index]
            guard rule.platforms.isEmpty || rule.platforms.contains(event.platform) else { continue }
            if !e.counts.isEmpty { e.counts.removeAll(keepingCapacity: true) }
            if let spike = rule.spike {
                if rule.when?.holds(e) ?? true { out += self.spike(rule, spike, event, topics) }
                continue
            }
            var group: String?
            var window: Behind?
            var countReason: [(String, Int, String)] = []
            for count in counts[index] {
                let (n, g, w) = self.count(count, e, topics)
                e.counts[count.id] = n
                if countReason.isEmpty { group = g; window = w }
                countReason.append((count.id, n, g))
            }
            guard rule.when?.holds(e) ?? true else { continue }
            // The first count's latest events, read only now that the rule holds.
            let behind = window.map { state.windows[$0.key]![$0.range].map(\.seq) } ?? [event.seq]
            // The first count's window: a counting rule does not fire again for a group within it.
            let cooldown = rule.cooldown ?? counts[index].first?.window
            if cooldown != nil, countReason.isEmpty { group = event.customer ?? event.author }
            let firedKey = rule.name + "|" + (group ?? "e\(event.seq)")
            if let cooldown, let last = state.fired[firedKey], event.occurredAt < last + cooldown { continue }
            var w = JSONWriter()
            w.object { w in
                w.member("event", event.seq)
                if !countReason.isEmpty {
                    w.member("counts") { w in
                        w.array(countReason) { w, c in
                            w.object { w in w.member("count", c.0); w.member("value", c.1); w.member("group", c.2) }
                        }
                    }
                }
                if let wait = rule.wait { w.member("wait_ms", wait.millis) }
            }
            if cooldown != nil {
                state.fired[firedKey] = event.occurredAt
                state.touch("f:" + firedKey)
            }
            if let wait = rule.wait {
                let key = rule.name + "|wait|" + (event.customer ?? event.author ?? "e\(event.seq)")
                // A newer thread restarts the wait: the silence is counted from the last trigger.
                state.setTimer(key, RuleState.Timer(rule: rule.name, deadline: event.occurredAt + wait.millis,
                                                    trigger: event.seq, customer: event.customer, step: nil,
                                                    events: behind, reason: w.text))
                continue
            }
            out.append(fire(rule, trigger: event.seq, at: event.occurredAt, customer: event.customer, events: behind,
                            reason: w.text))
        }
        return out
    }

    /// Moves the watermark to `time` (if later) and fires every timer due by then, in deadline order.
    public mutating func advance(to time: Int64, _ lookups: Lookups) -> [Firing] {
        guard time > state.watermark else { return [] }
        state.watermark = time
        state.touch("watermark")
        var out: [Firing] = []
        for (_, timer) in state.takeDue(by: time) {
            guard let rule = rules.rules.first(where: { $0.name == timer.rule }) else { continue }
            if let n = timer.step {
                guard n < rule.steps.count else { continue }
                let step = rule.steps[n]
                let base = rule.name + "|e\(timer.trigger)"
                let holds: Bool
                switch step.condition {
                case .always: holds = true
                case .read, .unread:
                    let sent = rule.actions.indices.filter { [.message, .reply].contains(rule.actions[$0].kind) }.last
                    let status = sent.flatMap { lookups.actionStatus(base + "|\($0)") }
                    holds = (status == "read") == (step.condition.isRead)
                case .when(let c):
                    guard let event = lookups.event(timer.trigger) else { continue }
                    var refreshed = event
                    refreshed.occurredAt = timer.deadline
                    holds = c.holds(Evaluation(event: refreshed, topics: refreshed.topics(brandTerms: rules.brandTerms),
                                               profile: { event.customer.flatMap(lookups.profile) }))
                }
                guard holds else { continue }
                out.append(Firing(rule: rule, key: base + "|step\(n)", at: timer.deadline, customer: timer.customer,
                                  trigger: timer.trigger, events: timer.events, actions: [step.action], reason: timer.reason))
            } else {
                out.append(fire(rule, trigger: timer.trigger, at: timer.deadline, customer: timer.customer,
                                events: timer.events, reason: timer.reason))
            }
        }
        return out
    }

    /// A firing now, and its delayed steps scheduled.
    private mutating func fire(_ rule: Rule, trigger: Int64, at: Int64, customer: String?, events: [Int64], reason: String) -> Firing {
        for (n, step) in rule.steps.enumerated() {
            let key = rule.name + "|e\(trigger)|step\(n)"
            state.setTimer(key, RuleState.Timer(rule: rule.name, deadline: at + step.delay, trigger: trigger,
                                                customer: customer, step: n, events: events, reason: reason))
        }
        return Firing(rule: rule, key: rule.name + "|e\(trigger)", at: at, customer: customer, trigger: trigger,
                      events: events, actions: rule.actions, reason: reason)
    }

    /// Adds the event to a count's windows when it counts, and reads the count for this event:
    /// the largest of its groups (a topic count has one group per topic), that group, and the
    /// events in its window (nil: none, the event alone is behind it).
    private mutating func count(_ count: Condition.Count, _ e: Evaluation, _ topics: [String]) -> (Int, String, Behind?) {
        let event = e.event
        let counts = count.of?.holds(e) ?? true
        let start = event.occurredAt - count.window
        // The best group so far, and where its latest events are (read out once, at the end).
        var best = (n: 0, group: nil as String?, key: "", behind: 0..<0)
        func add(_ group: String) {
            let key = count.id + "|" + group
            // A group with no moments and no event to add counts nothing and changes nothing.
            guard counts || state.windows[key] != nil else { return }
            // Changed in place in the state (the array is not copied, the key hashed once). Kept
            // in `at` order, so the window is two binary searches, not a scan.
            let (n, changed, behind) = Self.window(&state.windows[key, default: []], add: counts ? event : nil,
                                                   since: start, until: event.occurredAt)
            if changed {
                state.touch("w:" + key)
                if n == 0, state.windows[key]?.isEmpty == true { state.windows[key] = nil }
            }
            if n > best.n { best = (n, group, key, behind) }
        }
        var first: String?
        switch count.by {
        case .customer:
            if let who = event.customer ?? event.author, !who.isEmpty { first = who; add(who) }
        case .topic:
            first = topics.first
            for topic in topics { add(topic) }
        case .platform: first = event.platform; add(event.platform)
        case .all: first = "all"; add("all")
        }
        guard let group = best.group else { return (0, first ?? "", nil) }
        return (best.n, group, Behind(key: best.key, range: best.behind))
    }

    /// Where a count's latest events are in the state: its window's key and their range there.
    private struct Behind {
        var key: String
        var range: Range<Int>
    }

    /// One group's window: adds `event` when given, drops what fell out of it once that is a good
    /// part of the array, and counts the moments in `since <.. until`. Returns the count, whether
    /// the moments changed, and where the latest events behind the count are.
    private static func window(_ moments: inout [RuleState.Moment], add event: RuleEvent?, since start: Int64,
                               until end: Int64) -> (Int, Bool, Range<Int>) {
        var changed = false
        if let event {
            moments.insert(.init(at: event.occurredAt, seq: event.seq), at: firstAfter(event.occurredAt, in: moments))
            changed = true
        }
        var low = firstAfter(start, in: moments)
        if low > 0, low >= 64 || 2 * low >= moments.count {
            moments.removeSubrange(0..<low)
            low = 0
            changed = true
        }
        let high = firstAfter(end, in: moments)
        let n = max(0, high - low)
        return (n, changed, n > 0 ? max(low, high - eventsBehind)..<high : 0..<0)
    }

    /// A count's firing names at most this many of its window's events (the latest).
    static let eventsBehind = 50

    /// The index of the first moment later than `time` (moments in `at` order).
    static func firstAfter(_ time: Int64, in moments: [RuleState.Moment]) -> Int {
        var low = 0
        var high = moments.count
        while low < high {
            let mid = (low + high) / 2
            if moments[mid].at <= time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Counts the event in each of its topics' buckets; fires when a bucket's volume is past the
    /// minimum and above the rolling baseline by more than the growth, once per topic and bucket.
    private mutating func spike(_ rule: Rule, _ spike: Rule.Spike, _ event: RuleEvent, _ topics: [String]) -> [Firing] {
        let bucket = event.occurredAt / spike.window
        let span = spike.baseline / spike.window
        var rising: [(topic: String, volume: RuleState.TopicVolume, count: Int, mean: Double)] = []
        for topic in topics {
            let key = rule.name + "|" + topic
            // Changed in place in the state (not copied while it changes, the key hashed once).
            let (fires, volume, count, mean) = Self.add(event, bucket: bucket, span: span, to: &state.topics[key, default: .init()],
                                                        topic: topic, topics: topics, spike)
            state.touch("v:" + key)
            if fires { rising.append((topic, volume!, count, mean)) }
        }
        return rising.map { firing(rule, spike, event, bucket, $0) }
    }

    /// Counts `event` in one topic's volume; returns whether it fires now, and then the volume as
    /// the firing names it, the bucket's count and the baseline.
    private static func add(_ event: RuleEvent, bucket: Int64, span: Int64, to v: inout RuleState.TopicVolume,
                            topic: String, topics: [String], _ spike: Rule.Spike)
        -> (Bool, RuleState.TopicVolume?, Int, Double)
    {
        v.buckets[bucket, default: 0] += 1
        if bucket > v.newest {
            v.buckets = v.buckets.filter { $0.key >= bucket - span }
            v.newest = bucket
            v.platforms = [:]
            v.authors = [:]
            v.terms = [:]
            v.seqs = []
        }
        if bucket == v.newest {
            v.platforms[event.platform, default: 0] += 1
            if let who = event.customer ?? event.author { v.authors[who, default: 0] += 1 }
            for other in topics where other != topic { v.terms[other, default: 0] += 1 }
            if let s = event.sentiment { v.terms["sentiment:" + s, default: 0] += 1 }
            if v.seqs.count < 50 { v.seqs.append(event.seq) }
            bound(&v.authors)
            bound(&v.terms)
        }
        let count = v.buckets[bucket] ?? 0
        var mean = 0.0
        var fires = bucket == v.newest && count >= spike.minimum && v.firedBucket < bucket
        if fires {
            mean = Double(v.buckets.reduce(0) { $0 + ($1.key >= bucket - span && $1.key < bucket ? $1.value : 0) }) / Double(span)
            fires = Double(count) > mean * (1 + spike.growth)
        }
        if fires { v.firedBucket = bucket }
        return (fires, fires ? v : nil, count, mean)
    }

    /// Drivers kept per topic bucket: past `driversKept + driversKept / 2` the ones counted least
    /// are dropped, so a topic with thousands of authors stays small to keep and to store; the
    /// five an alert names are among the most counted, which stay.
    static let driversKept = 48

    static func bound(_ counts: inout [String: Int]) {
        guard counts.count > driversKept + driversKept / 2 else { return }
        let kept = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(driversKept)
        counts = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    private func firing(_ rule: Rule, _ spike: Rule.Spike, _ event: RuleEvent, _ bucket: Int64,
                        _ best: (topic: String, volume: RuleState.TopicVolume, count: Int, mean: Double)) -> Firing {
        func top(_ map: [String: Int]) -> [(String, Int)] {
            Array(map.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5))
        }
        var w = JSONWriter()
        w.object { w in
            w.member("topic", best.topic)
            w.member("window_ms", spike.window)
            w.member("volume", best.count)
            w.member("baseline", best.mean, digits: 3)
            w.key("growth")
            if best.mean > 0 { w.number(Double(best.count) / best.mean - 1, digits: 3) } else { w.null() }
            for (name, map) in [("terms", best.volume.terms), ("platforms", best.volume.platforms), ("authors", best.volume.authors)] {
                w.member(name) { w in
                    w.array(top(map)) { w, item in w.object { w in w.member("value", item.0); w.member("count", item.1) } }
                }
            }
        }
        return Firing(rule: rule, key: rule.name + "|" + best.topic + "|\(bucket)", at: event.occurredAt,
                      customer: nil, trigger: event.seq, events: best.volume.seqs, actions: rule.actions, reason: w.text)
    }

    /// Drops the waits of this event's customer that it answers (any event, or one matching `unless`).
    private mutating func cancelWaits(for event: RuleEvent, topics: [String], profile: @escaping () -> (any ProfileFacts)?) {
        guard let who = event.customer ?? event.author, !state.timers.isEmpty else { return }
        for index in waiting {
            let rule = rules.rules[index]
            guard let wait = rule.wait else { continue }
            let key = rule.name + "|wait|" + who
            guard let timer = state.timers[key], timer.trigger != event.seq, event.occurredAt < timer.deadline,
                  event.occurredAt >= timer.deadline - wait.millis else { continue }
            if let unless = wait.unless, !unless.holds(Evaluation(event: event, topics: topics, profile: profile)) { continue }
            state.setTimer(key, nil)
        }
    }
}

extension Rule.StepCondition {
    var isRead: Bool { if case .read = self { true } else { false } }
}
