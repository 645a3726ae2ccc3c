public import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingProfile
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
    public let source: String
    public let version: String

    /// Counts the experiment over the store.
    /// - Parameters:
    ///   - profiles: the store and profile configuration the population segment is read with.
    ///   - now: conversions count up to `min(end, now)`; the population is read at `now`.
    /// - Throws: `QingtingError(.invalidInput)` for a population that names no segment.
    /// - Complexity: one pass over the events of the period, plus the population's profiles.
    public init(_ experiment: Experiment, profiles: CustomerProfiles, now: Int64, source: String = "built-in",
                version: String = "0000000000000000") throws {
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
                    }
                }
            }
            if let warning { w.member("warning", warning) }
            w.member("config") { w in
                w.object { w in
                    w.member("file", source)
                    w.member("version", version)
                }
            }
        }
        return w.text
    }

    /// The report of experiment `name` of `file` at `now` as JSON.
    public static func json(_ name: String, file: ExperimentFile, profiles: CustomerProfiles, now: Int64) throws
        -> String
    {
        try ABReport(try file.experiment(name), profiles: profiles, now: now, source: file.source,
                     version: file.version).json
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
