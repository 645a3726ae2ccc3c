import OrderedCollections
public import QingtingCore
import QingtingRules
public import QingtingProfile
public import QingtingIngest
public import QingtingStore

#if canImport(Glibc)
    import Glibc
#endif

/// One event's path through the CRM layer ("The CRM layer" in DESIGN.md):
///
/// ```
/// payload ─► adapter ─► SocialEvent ─► dedupe ─► analyse ─► resolve ─► append (commit = ack)
/// ```
///
/// `prepare` does the pure part (adapter, analysis) on any thread; `append` runs dedupe,
/// resolution and the append of a whole batch in one write transaction and returns the results
/// only after it has committed — the caller acknowledges nothing before. `ingest` is both.
/// `qingting ingest`, `event.ingest` and the benchmark all go through these functions.
public final class EventPipeline: Sendable {
    public struct Configuration: Sendable {
        /// The field mapping the `generic` platform reads with.
        public var mapping: FieldMapping?
        public var maxPayloadBytes = Ingest.defaultMaxPayloadBytes
        public var futureToleranceMillis: Int64 = 15 * 60 * 1000
        /// A fixed "now" (UTC ms) for the time checks and `received_at` (`--now`); nil: the clock.
        public var now: Int64?
        /// Look known `(platform, event_id)` pairs up before analysing (a retry costs no analysis).
        public var skipKnownDuplicates = true
        /// The profile configuration each stored event's customer profile is updated by.
        public var profile = ProfileConfiguration()
        /// The rules each stored event goes through (nil: none); what fires is appended to the
        /// feed in the event's transaction.
        public var rules: RuleRunner?

        public init(mapping: FieldMapping? = nil) { self.mapping = mapping }
    }

    public let store: CRMStore
    public let analyzer: EventAnalyzer
    public let resolver: CustomerResolver
    public let configuration: Configuration

    public init(
        store: CRMStore, analyzer: EventAnalyzer, resolver: CustomerResolver,
        configuration: Configuration = Configuration()
    ) {
        self.store = store
        self.analyzer = analyzer
        self.resolver = resolver
        self.configuration = configuration
    }

    /// The wall clock, UTC milliseconds (commit times are always the clock's, even with `now`).
    public static func clock() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// One payload read and analysed, not yet in the log.
    public struct Prepared: Sendable {
        public var bytes: [UInt8]
        public var platform: Platform?
        /// Where it came from (`file:line`), put on its rejections; nil for a socket payload.
        public var location: String?
        public var events: [Item]
        public var rejections: [QingtingError]
        /// Probabilistic answers for new authors, computed ahead of the transaction.
        public var ahead: [String: CustomerResolver.Scored] = [:]

        /// A payload refused before any adapter read it (an unknown platform named by the caller).
        public static func refused(_ bytes: [UInt8], _ error: QingtingError, location: String? = nil) -> Prepared {
            Prepared(bytes: bytes, platform: nil, location: location, events: [], rejections: [error])
        }

        public struct Item: Sendable {
            public var event: SocialEvent
            public var analysis: String?
            /// The rules' view of it (seq and customer set at the append), made with the analysis
            /// on the parallel threads so the transaction does not parse it again.
            var ruleEvent: RuleEvent?
            /// What it adds to the daily aggregates, made on the parallel threads too.
            var measures: EventMeasures?
            /// Known before analysis to be in the log already (still checked at the append).
            public var knownDuplicate: Bool
            public var fieldsPresent: Int
            public var fieldsExpected: Int
        }
    }

    /// What one payload gave, after the commit.
    public struct Result: Sendable {
        public var platform: Platform?
        public var location: String?
        public var events: [EventResult]
        /// Each located at `location` when it had no place of its own.
        public var rejections: [QingtingError]
    }

    public struct EventResult: Sendable, Equatable {
        public enum Status: String, Sendable { case stored, duplicate }
        public var status: Status
        public var platform: Platform
        public var eventID: String
        /// The log's sequence number (stored events only).
        public var seq: Int64?
        public var customer: String?
    }

    /// Reads a payload through its adapter and analyses each event's own words (after one look-up
    /// of the events already in the log, which are not analysed). Safe on any thread.
    public func prepare(_ payload: Payload, platform: Platform?, location: String? = nil) -> Prepared {
        prepare([(payload, location)], platform: platform).first!
    }

    /// `prepare` for a batch: the payloads read on `threads` threads, one look-up of the events
    /// already in the log for the whole batch, then the new events analysed on `threads` threads.
    public func prepare(_ payloads: [(payload: Payload, location: String?)], platform: Platform?, threads: Int = 1)
        -> [Prepared]
    {
        let configuration = ingestConfiguration
        let read = Self.parallel(payloads.count, threads: threads) { i in
            self.read(
                Ingest.read(payloads[i].payload, platform: platform, configuration: configuration),
                bytes: payloads[i].payload.bytes, location: payloads[i].location)
        }
        return analysed(read, threads: threads)
    }

    /// `prepare` for outcomes an adapter has already read (a generic export's rows).
    public func prepare(_ outcomes: [(outcome: Ingest.Outcome, bytes: [UInt8], location: String?)], threads: Int = 1)
        -> [Prepared]
    {
        analysed(outcomes.map { read($0.outcome, bytes: $0.bytes, location: $0.location) }, threads: threads)
    }

    /// The ingest configuration payloads are read with (`now` fixed, or the clock's).
    public var ingestConfiguration: Ingest.Configuration {
        let now = configuration.now ?? Self.clock()
        return Ingest.Configuration(
            now: now, maxPayloadBytes: configuration.maxPayloadBytes,
            futureToleranceMillis: configuration.futureToleranceMillis, mapping: configuration.mapping)
    }

    /// An adapter's outcome as a `Prepared` payload whose events are not analysed yet.
    func read(_ outcome: Ingest.Outcome, bytes: [UInt8], location: String?) -> Prepared {
        let items = outcome.events.map { event in
            let fields = FieldExpectation.count(event, mapping: configuration.mapping)
            return Prepared.Item(
                event: event, analysis: nil, knownDuplicate: false,
                fieldsPresent: fields.present, fieldsExpected: fields.expected)
        }
        let rejections = outcome.rejections.map { r in location.map { r.location == nil ? r.at($0) : r } ?? r }
        return Prepared(
            bytes: bytes, platform: outcome.platform, location: location, events: items,
            rejections: rejections)
    }

    /// Marks the events already in the log (one read for the whole batch) and analyses the others.
    func analysed(_ batch: [Prepared], threads: Int) -> [Prepared] {
        let keys = batch.flatMap { $0.events.map { ($0.event.platform, $0.event.eventID) } }
        let known: Set<String> =
            configuration.skipKnownDuplicates && !keys.isEmpty ? (try? store.stored(keys)) ?? [] : []
        var out = Self.parallel(batch.count, threads: threads) { i in
            var prepared = batch[i]
            for k in prepared.events.indices {
                let event = prepared.events[k].event
                if known.contains(event.platform.rawValue + "\u{1F}" + event.eventID) {
                    prepared.events[k].knownDuplicate = true
                } else {
                    let analysed = self.analyzer.analysed(event.text)
                    let labels = analysed?.labels ?? AnalysisLabels()
                    prepared.events[k].analysis = analysed?.json
                    if let rules = self.configuration.rules {
                        prepared.events[k].ruleEvent = RuleRunner.ruleEvent(
                            event, seq: 0, customer: nil, labels: labels, brandTerms: rules.rules.brandTerms)
                    }
                    prepared.events[k].measures = EventMeasures(
                        event, labels: labels, fieldsPresent: prepared.events[k].fieldsPresent,
                        fieldsExpected: prepared.events[k].fieldsExpected)
                }
            }
            return prepared
        }
        scoreAhead(&out, threads: threads)
        return out
    }

    /// With a link model: scores the batch's new authors (not remembered, not in the store) on
    /// `threads` threads, so the transaction only records the answers.
    func scoreAhead(_ batch: inout [Prepared], threads: Int) {
        guard resolver.index != nil else { return }
        var authors: [String: SocialEvent.Author] = [:]
        for prepared in batch {
            for item in prepared.events where !item.knownDuplicate {
                guard let author = item.event.author else { continue }
                let id = author.platform.rawValue + ":" + author.uid
                if authors[id] == nil, !resolver.isCached(id) { authors[id] = author }
            }
        }
        guard !authors.isEmpty else { return }
        let known = (try? store.knownAuthors(Array(authors.keys))) ?? Set(authors.keys)
        let fresh = authors.filter { !known.contains($0.key) }.map { $0.value }
        let scored = Self.parallel(fresh.count, threads: threads) { i in self.resolver.scored(fresh[i]) }
        var ahead: [String: CustomerResolver.Scored] = [:]
        for (author, answer) in zip(fresh, scored) {
            if let answer { ahead[author.platform.rawValue + ":" + author.uid] = answer }
        }
        if !batch.isEmpty { batch[0].ahead = ahead }
    }

    /// `body(i)` for i in 0..<n on `threads` threads (round-robin), the results in order.
    static func parallel<T: Sendable>(_ n: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let workers = max(1, min(threads, n))
        guard workers > 1 else { return (0..<n).map(body) }
        let shares = ConcurrentSlots<[T]>.map(workers) { w in
            stride(from: w, to: n, by: workers).map(body)
        }
        var out: [T] = []
        out.reserveCapacity(n)
        for k in 0..<((n + workers - 1) / workers) {
            for share in shares where k < share.count { out.append(share[k]) }
        }
        return out
    }

    /// Appends a batch in one transaction: per event, dedupe on `(platform, event_id)`, resolve
    /// the author, append; per payload, count it and its rejections for sync health. Returns
    /// after the commit, one result per payload in order.
    /// - Throws: `QingtingError(.store)` when the transaction fails; then nothing of the batch is
    ///   in the log, and nothing may be acknowledged.
    public func append(_ batch: [Prepared]) throws -> [Result] {
        let (results, seen, generation, ruled) = try store.write(now: Self.clock()) { tx in
            let keys = UnifiedKey()
            let generation = try tx.resolutionGeneration()
            let known = resolver.cached(generation: generation)
            var seen: [String: CustomerResolver.Link] = [:]
            var ahead: [String: CustomerResolver.Scored] = [:]
            for prepared in batch { ahead.merge(prepared.ahead) { first, _ in first } }
            var modelSet: Int64?
            let profiles = ProfileBox(ProfileUpdates(config: configuration.profile))
            let rules = try configuration.rules?.begin(tx, config: configuration.profile) { profiles.updates.state(of: $0) }
            var results: [Result] = []
            results.reserveCapacity(batch.count)
            var appended: [PostDeletion.Appended] = []
            for prepared in batch {
                tx.received(prepared.platform)
                for rejection in prepared.rejections {
                    tx.rejected(prepared.platform, reason: rejection.code.rawValue, example: rejection.message)
                }
                var events: [EventResult] = []
                var payloadRow: Int64?
                for item in prepared.events {
                    let event = item.event
                    // The dedupe that counts: inside the transaction, so no other writer slips between.
                    if try tx.contains(platform: event.platform, eventID: event.eventID) {
                        tx.duplicate(event.platform)
                        events.append(
                            EventResult(
                                status: .duplicate, platform: event.platform, eventID: event.eventID,
                                seq: nil, customer: nil))
                        continue
                    }
                    var link = CustomerResolver.Link(customer: nil, rule: nil, probability: nil)
                    var identity: String?
                    if let author = event.author {
                        let id = author.platform.rawValue + ":" + author.uid
                        identity = id
                        if let cached = known[id], seen[id] == nil { seen[id] = cached }
                        link = try resolver.resolve(author, in: tx, keys: keys, seen: &seen, ahead: ahead)
                    }
                    // Looked up as a duplicate before the transaction, but gone since? Analyse it now.
                    let analysis = item.knownDuplicate ? analyzer.analysis(of: event.text) : item.analysis
                    if analysis != nil, modelSet == nil {
                        modelSet = try tx.modelSet(fingerprint: analyzer.fingerprint, files: analyzer.filesJSON)
                    }
                    if payloadRow == nil {
                        payloadRow = try tx.payload(
                            prepared.bytes, platform: event.platform, receivedAt: event.receivedAt)
                    }
                    let row = CRMStore.NewEvent(
                        event: event.withoutRaw, identity: identity, customer: link.customer, linkRule: link.rule,
                        linkProbability: link.probability, analysis: analysis,
                        modelSet: analysis == nil ? nil : modelSet,
                        fieldsPresent: item.fieldsPresent, fieldsExpected: item.fieldsExpected)
                    let seq = try tx.append(row, payload: payloadRow!)
                    if let seq {
                        appended.append(PostDeletion.Appended(seq: seq, event: event))
                        let measures = item.measures ?? EventMeasures(
                            event, analysis: analysis, fieldsPresent: item.fieldsPresent, fieldsExpected: item.fieldsExpected)
                        try measures.record(seq: seq, platform: event.platform.rawValue, occurredAt: event.occurredAt,
                                            customer: link.customer, in: tx)
                    }
                    if let seq, let customer = link.customer {
                        try profiles.updates.apply(
                            event, seq: seq, customer: customer, analysis: analysis, models: analyzer.fingerprint, in: tx)
                    }
                    if let seq, let rules {
                        // Made ahead unless the event was analysed only now (a known duplicate that was not).
                        var ruleEvent = item.ruleEvent ?? RuleRunner.ruleEvent(
                            event, seq: seq, customer: nil, analysis: analysis, brandTerms: rules.engine.rules.brandTerms)
                        ruleEvent.seq = seq
                        ruleEvent.customer = link.customer
                        try rules.process(ruleEvent)
                    }
                    events.append(
                        EventResult(
                            status: seq == nil ? .duplicate : .stored, platform: event.platform,
                            eventID: event.eventID, seq: seq, customer: seq == nil ? nil : link.customer))
                }
                results.append(
                    Result(
                        platform: prepared.platform, location: prepared.location, events: events,
                        rejections: prepared.rejections))
            }
            try profiles.updates.save(in: tx)
            // After the profiles and rules read the words: a deleted post keeps only what they folded.
            try PostDeletion.apply(appended, in: tx, at: tx.committedAt)
            var ruleGeneration: Int64 = 0
            if let rules {
                if let now = configuration.now { try rules.advance(to: now) }
                ruleGeneration = try rules.save()
            }
            return (results, seen, generation, rules.map { ($0, ruleGeneration) })
        }
        // Committed: what this transaction resolved holds for later batches of this generation.
        resolver.remember(seen, generation: generation)
        if let (batch, ruleGeneration) = ruled { configuration.rules?.committed(batch, generation: ruleGeneration) }
        return results
    }

    /// Reads, analyses and appends payloads in one transaction (`event.ingest`).
    public func ingest(_ payloads: [Payload], platform: Platform?) throws -> [Result] {
        try append(prepare(payloads.map { ($0, nil) }, platform: platform))
    }
}

/// The transaction's profile updates, by reference, so the rules can read the states folded so far.
final class ProfileBox {
    var updates: ProfileUpdates
    init(_ updates: ProfileUpdates) { self.updates = updates }
}

extension SocialEvent {
    /// The event without its raw bytes (the log keeps them once per payload).
    var withoutRaw: SocialEvent {
        var copy = self
        copy.raw = []
        return copy
    }
}
