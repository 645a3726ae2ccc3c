import QingtingCore
import QingtingIngest
public import QingtingProfile
public import QingtingStore

/// `rebuild`: every profile (and the KPIs' daily aggregates) refolded from the log in `seq` order with the same fold the ingest
/// path runs (each event under the author's customer now, as `events --customer` lists it). With
/// `check`, nothing is written: the rebuilt profiles are compared with the stored ones and every
/// difference is listed (state, configuration version, a profile only one side has).
public struct ProfileRebuild {
    public let store: CRMStore
    public let config: ProfileConfiguration

    public init(store: CRMStore, config: ProfileConfiguration) {
        self.store = store
        self.config = config
    }

    public struct Report: Sendable {
        public var events = 0
        public var customers = 0
        public var checked = false
        /// Customer and what differs (`state`, `config`, `missing`, `extra`).
        public var differences: [(customer: String, what: String)] = []
        public var written = false

        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("events", events)
                w.member("customers", customers)
                w.member("mode", checked ? "check" : "rebuild")
                if checked {
                    w.member("differences", differences.count)
                    w.member("different") { w in
                        w.array(differences) { w, d in
                            w.object { w in
                                w.member("customer", d.customer)
                                w.member("what", d.what)
                            }
                        }
                    }
                } else {
                    w.member("written", written)
                }
            }
            return w.text
        }
    }

    /// Every customer's profile state folded from the whole log, by customer.
    public func fold() throws -> (states: [String: ProfileState], events: Int) {
        var states: [String: ProfileState] = [:]
        var events = 0
        try store.forEachEvent { stored in
            events += 1
            guard let customer = stored.customer else { return }
            let e = ProfileUpdates.event(stored)
            states[customer, default: ProfileState()].apply(e, config)
        }
        return (states, events)
    }

    /// Refolds the profiles of `customers` alone, from their events in the log (the events `rebuild`
    /// gives them): after a customer import or a link decision moved accounts with earlier events.
    /// - Returns: how many profiles were written (a customer with no event left loses the row).
    @discardableResult
    public func refold(_ customers: Set<String>) throws -> Int {
        var rows: [(customer: String, profile: CRMStore.StoredProfile?)] = []
        for customer in customers.sorted() {
            var state: ProfileState?
            // The customer filter also lists events whose author has moved to another customer
            // since; the fold takes only those the log gives this customer now, as `fold` does.
            try store.forEachEvent(CRMStore.EventFilter(customer: customer)) { stored in
                guard stored.customer == customer else { return }
                let e = ProfileUpdates.event(stored)
                state = (state ?? ProfileState()).applying(e, config)
            }
            rows.append((customer, state.map {
                CRMStore.StoredProfile(state: $0.encoded, config: config.version, lastSeq: $0.lastSeq)
            }))
        }
        try store.replaceProfiles(of: rows)
        return rows.count
    }

    /// Runs `decision` (a person's `link confirm` or `link reject` on `identity`, `platform:uid`)
    /// and refolds the profiles of the customer the identity belonged to before and after it.
    public static func refolding(store path: String, keys: StoreKeyring? = nil, identity: String,
                                 config: ProfileConfiguration, _ decision: () throws -> Void) throws {
        let store = try CRMStore(path: path, keys: keys)
        let colon = identity.firstIndex(of: ":") ?? identity.endIndex
        let platform = String(identity[..<colon])
        let uid = colon < identity.endIndex ? String(identity[identity.index(after: colon)...]) : ""
        let before = try store.customer(platform: platform, uid: uid)
        try decision()
        let after = try store.customer(platform: platform, uid: uid)
        let moved = Set([before, after].compactMap { $0 })
        if !moved.isEmpty { try ProfileRebuild(store: store, config: config).refold(moved) }
    }

    /// Rebuilds (replacing every stored profile) or, with `check`, compares.
    public func run(check: Bool) throws -> Report {
        let (states, events) = try fold()
        var report = Report()
        report.events = events
        report.customers = states.count
        report.checked = check
        let rebuilt = states.keys.sorted().map { id in
            (customer: id, profile: CRMStore.StoredProfile(state: states[id]!.encoded, config: config.version,
                                                           lastSeq: states[id]!.lastSeq))
        }
        if check {
            var stored: [String: CRMStore.StoredProfile] = [:]
            try store.forEachProfile { stored[$0] = $1 }
            for (id, profile) in rebuilt {
                guard let have = stored.removeValue(forKey: id) else {
                    report.differences.append((id, "missing"))
                    continue
                }
                if have.config != profile.config {
                    report.differences.append((id, "config"))
                } else if have.state != profile.state {
                    report.differences.append((id, "state"))
                }
            }
            for id in stored.keys.sorted() { report.differences.append((id, "extra")) }
        } else {
            try store.replaceProfiles(rebuilt)
            // The KPI aggregates are derived from the log too: refolded with the profiles.
            try EventMeasures.rebuild(store, now: EventPipeline.clock())
            report.written = true
        }
        return report
    }
}
