public import QingtingCRM
import QingtingCore
import QingtingIngest
public import QingtingProfile
import QingtingStore

/// An experiment's result over the event log (`qingting ab report`, `ab.report`): the
/// population's customers assigned to variants by `Experiment.assign`, each variant's conversion
/// in the period up to `now`, and every other variant against the control.
public struct ABReport: Sendable {
    public struct Arm: Sendable, Equatable {
        public var name: String
        public var weight: Double
        public var assigned: Int
        public var converted: Int
        public var rate: Double { assigned > 0 ? Double(converted) / Double(assigned) : 0 }
    }

    public let experiment: Experiment
    public let now: Int64
    /// Variants in file order.
    public let arms: [Arm]
    /// The KPIs asked for (`--kpi`), each with its value per arm (in `arms` order; nil: undefined,
    /// such as a ratio of nothing), over the experiment's UTC days up to `counted_until`.
    public let kpis: [(kpi: KPIDefinitions.KPI, values: [Double?])]
    /// The KPI definition file the KPIs come from (its source and version, for `config`).
    let kpiFile: (source: String, version: String, hash: String)?
    public let source: String
    public let version: String

    /// Counts the experiment over the store.
    /// - Parameters:
    ///   - profiles: the store and profile configuration the population segment is read with.
    ///   - now: conversions count up to `min(end, now)`; the population is read at `now`.
    ///   - kpis: KPIs of `definitions` to give per variant as well (any KPI, not only conversion):
    ///     each variant's members measured as `report --segment` measures a segment.
    /// - Throws: `QingtingError(.invalidInput)` for a population that names no segment or a KPI
    ///   name the definitions do not have.
    /// - Complexity: one pass over the events of the period, plus the population's profiles; each
    ///   KPI'd variant reads its members' events again.
    public init(_ experiment: Experiment, profiles: CustomerProfiles, now: Int64, source: String = "built-in",
                version: String = "0000000000000000", kpis names: [String] = [],
                definitions: KPIDefinitions? = nil) throws {
        let chosen = try Self.kpis(names, of: definitions)
        self.experiment = experiment
        self.now = now
        self.source = source
        self.version = version
        let population = try SegmentMembers(profiles).members(experiment.population, now: now)
        var variantOf: [String: Int] = [:]
        var arms = experiment.variants.map { Arm(name: $0.name, weight: $0.weight, assigned: 0, converted: 0) }
        for id in population {
            let name = experiment.assign(id).name
            let i = arms.firstIndex { $0.name == name }!
            variantOf[id] = i
            arms[i].assigned += 1
        }
        let until = min(experiment.end, now)
        if until > experiment.start {
            var converted: Set<String> = []
            let c = experiment.conversion
            try profiles.store.forEachEvent(CRMStore.EventFilter(since: experiment.start, until: until)) { e in
                guard let id = e.customer, variantOf[id] != nil, !converted.contains(id) else { return }
                guard c.kinds.isEmpty || c.kinds.contains(e.event.kind.rawValue) else { return }
                if !c.intents.isEmpty {
                    let p = ProfileUpdates.event(e.event, seq: e.seq, analysis: e.analysis, models: e.models)
                    guard p.intents.contains(where: { c.intents.contains($0.label) && $0.probability >= c.minProbability })
                    else { return }
                }
                converted.insert(id)
                arms[variantOf[id]!].converted += 1
            }
        }
        self.arms = arms
        var kpis = chosen.map { (kpi: $0, values: [Double?]()) }
        if !chosen.isEmpty, let definitions {
            if until > experiment.start {
                let periods = try ReportPeriods(from: experiment.start, until: until, by: .month)
                for i in arms.indices {
                    let members = Set(variantOf.filter { $0.value == i }.keys)
                    let total = try KPIReport.window(profiles.store, definitions: definitions, periods: periods, platform: nil,
                                                     members: members).total
                    for k in kpis.indices { kpis[k].values.append(total.value(kpis[k].kpi)) }
                }
            } else {
                for k in kpis.indices { kpis[k].values = arms.map { _ in nil } }
            }
        }
        self.kpis = kpis
        kpiFile = definitions.map { ($0.source, $0.version, $0.hash) }
    }

    /// The KPIs called `names`, in that order.
    /// - Throws: `QingtingError(.invalidInput)` for a name `definitions` lacks, listing theirs.
    static func kpis(_ names: [String], of definitions: KPIDefinitions?) throws -> [KPIDefinitions.KPI] {
        try names.map { name in
            guard let kpi = definitions?.kpis.first(where: { $0.name == name }) else {
                let known = definitions?.kpis.map(\.name).joined(separator: ", ") ?? "none"
                throw QingtingError(.invalidInput, "no KPI '\(name)' in \(definitions?.source ?? "the KPI definitions") (KPIs: \(known))")
            }
            return kpi
        }
    }

    /// The warning the report carries, or nil.
    public var warning: String? {
        var notes: [String] = []
        if now < experiment.start { notes.append("the experiment starts at \(Timestamp.iso8601(experiment.start)), after now") }
        if let small = ProportionStatistics.smallSampleWarning(
            arms.map { ($0.name, $0.converted, $0.assigned) }, minSample: experiment.minSample)
        {
            notes.append(small)
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The report as one JSON object: `experiment`, `now`, `period`, `population`, `conversion`,
    /// `test`, `confidence`, `variants` (assigned, converted, rate, Wilson `ci`), `comparisons`
    /// (each non-control variant against the control: difference, its `ci`, z, p_value,
    /// significant at 0.05), `warning` when the sample is too small to tell, and `config`.
    public var json: String {
        let control = arms.first { $0.name == experiment.control } ?? arms[0]
        var w = JSONWriter()
        w.object { w in
            w.member("experiment", experiment.name)
            if !experiment.summary.isEmpty { w.member("summary", experiment.summary) }
            w.member("now", Timestamp.iso8601(now))
            w.member("period") { w in
                w.object { w in
                    w.member("start", Timestamp.iso8601(experiment.start))
                    w.member("end", Timestamp.iso8601(experiment.end))
                    w.member("counted_until", Timestamp.iso8601(max(experiment.start, min(experiment.end, now))))
                }
            }
            w.member("population", experiment.population)
            w.member("conversion") { w in
                w.object { w in
                    w.member("kinds") { w in w.array(experiment.conversion.kinds) { w, k in w.string(k) } }
                    if !experiment.conversion.intents.isEmpty {
                        w.member("intents") { w in w.array(experiment.conversion.intents) { w, k in w.string(k) } }
                        w.member("min_probability", experiment.conversion.minProbability, digits: 4)
                    }
                }
            }
            w.member("test", ProportionStatistics.testName)
            w.member("confidence", 0.95, digits: 2)
            w.member("control", control.name)
            w.member("variants") { w in
                w.array(arms) { w, arm in
                    w.object { w in
                        w.member("name", arm.name)
                        w.member("weight", arm.weight, digits: 6)
                        w.member("assigned", arm.assigned)
                        w.member("converted", arm.converted)
                        w.member("rate", arm.rate, digits: 6)
                        let ci = ProportionStatistics.wilson(arm.converted, arm.assigned)
                        w.member("ci") { w in w.array([ci.low, ci.high]) { w, x in w.number(x, digits: 6) } }
                        if !kpis.isEmpty, let i = arms.firstIndex(where: { $0.name == arm.name }) {
                            w.member("kpis") { w in
                                w.object { w in for k in kpis { KPIReport.number(&w, k.kpi.name, k.values[i]) } }
                            }
                        }
                    }
                }
            }
            w.member("comparisons") { w in
                w.array(arms.filter { $0.name != control.name }) { w, arm in
                    w.object { w in
                        w.member("variant", arm.name)
                        w.member("control", control.name)
                        if let c = ProportionStatistics.compare(
                            (control.converted, control.assigned), (arm.converted, arm.assigned))
                        {
                            w.member("difference", c.difference, digits: 6)
                            w.member("ci") { w in w.array([c.low, c.high]) { w, x in w.number(x, digits: 6) } }
                            w.member("z", c.z, digits: 4)
                            w.member("p_value", c.pValue, digits: 6)
                            w.member("significant", c.pValue < 0.05)
                        } else {
                            w.member("difference") { w in w.null() }
                            w.member("reason", "a group has no customers")
                        }
                        if !kpis.isEmpty, let a = arms.firstIndex(where: { $0.name == arm.name }),
                           let c = arms.firstIndex(where: { $0.name == control.name })
                        {
                            // Differences only: a KPI is no proportion of customers, so the z-test does not apply.
                            w.member("kpis") { w in
                                w.object { w in
                                    for k in kpis {
                                        let d = k.values[a].flatMap { x in k.values[c].map { x - $0 } }
                                        KPIReport.number(&w, k.kpi.name, d)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if let warning { w.member("warning", warning) }
            w.member("config") { w in
                w.object { w in
                    w.member("file", source)
                    w.member("version", version)
                    if let kpiFile, !kpis.isEmpty {
                        w.member("kpis") { w in
                            w.object { w in
                                w.member("file", kpiFile.source)
                                w.member("version", kpiFile.version)
                                w.member("hash", kpiFile.hash)
                            }
                        }
                    }
                }
            }
        }
        return w.text
    }

    /// The report of experiment `name` of `file` at `now` as JSON.
    /// - Parameters:
    ///   - kpis: KPI names of `definitions` to add per variant (`variants[].kpis`, `comparisons[].kpis`).
    public static func json(_ name: String, file: ExperimentFile, profiles: CustomerProfiles, now: Int64,
                            kpis: [String] = [], definitions: KPIDefinitions? = nil) throws -> String {
        try ABReport(try file.experiment(name), profiles: profiles, now: now, source: file.source,
                     version: file.version, kpis: kpis, definitions: definitions).json
    }
}

extension Experiment {
    /// `{"experiment","salt","customer","variant","unit"}`: where a customer falls (`qingting ab assign`).
    public func assignmentJSON(_ id: String) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("experiment", name)
            w.member("customer", id)
            w.member("variant", assign(id).name)
            w.member("unit", Self.unit(salt: salt, customer: id), digits: 8)
        }
        return w.text
    }
}
