import QingtingText
public import QingtingCore

/// A trained Fellegi–Sunter model: per comparison and level, m (the probability of the level
/// among matching pairs) and u (among random pairs), the prior probability that two random
/// records match, and the settings it was trained with. Written as readable JSON.
public struct LinkModel: Sendable {
    public struct ComparisonParameters: Sendable, Equatable {
        public var name: String
        public var labels: [String]
        public var m: [Double]
        public var u: [Double]
        public var termFrequency: Bool

        /// log2(m / u) of each level: the evidence a level gives, in bits (`MatchWeights.levelBits`).
        public var bits: [Double] { zip(m, u).map { MatchWeights.levelBits(m: $0, u: $1) } }
    }

    public var settings: LinkSettings
    /// The settings JSON as read, written back into the model file.
    public var settingsJSON: JSONValue
    /// Comparisons modelled jointly: the declared ones and those training found dependent.
    public var joint: [[String]]
    public var comparisons: [ComparisonParameters]
    /// Probability that two random records (of the pairs the link type allows) match.
    public var prior: Double
    /// What training did, for the record (written as given).
    public var trainingReport: JSONValue

    public var priorBits: Double { MatchWeights.bits(probability: prior) }

    public init(settings: LinkSettings, settingsJSON: JSONValue, joint: [[String]], comparisons: [ComparisonParameters],
                prior: Double, trainingReport: JSONValue) {
        self.settings = settings
        self.settingsJSON = settingsJSON
        self.joint = joint
        self.comparisons = comparisons
        self.prior = prior
        self.trainingReport = trainingReport
    }

    /// The comparators of this model over `records`, in the model's order.
    public func comparators(for records: RecordSet) throws -> [Comparator] {
        let list = try Self.comparators(settings: settings, joint: joint, records: records)
        guard list.map(\.name) == comparisons.map(\.name), zip(list, comparisons).allSatisfy({ $0.levelCount == $1.m.count }) else {
            throw QingtingError(.invalidModel, "the model's comparisons (\(comparisons.map(\.name).joined(separator: ", "))) do not fit its settings")
        }
        return list
    }

    /// Comparators of `settings` with the `joint` groups crossed (a joint takes its first part's place).
    /// `rows`, when given, must be over `records` and hold the compared columns (from `rows(settings:records:)`).
    static func comparators(settings: LinkSettings, joint: [[String]], records: RecordSet, rows: RecordRows? = nil) throws -> [Comparator] {
        let rows = rows ?? Self.rows(settings: settings, records: records)
        var list = try settings.comparisons.map { try Comparator($0, records: records, rows: rows) }
        for group in joint {
            guard let a = list.firstIndex(where: { $0.name == group[0] }), let b = list.firstIndex(where: { $0.name == group[1] }) else {
                throw QingtingError(.invalidModel, "joint group \(group) names a comparison that is not there")
            }
            let merged = Comparator(joining: list[a], list[b])
            list[a] = merged
            list.remove(at: b)
        }
        return list
    }

    /// The record-major rows of the columns the comparisons read.
    static func rows(settings: LinkSettings, records: RecordSet) -> RecordRows {
        RecordRows(records: records, columns: settings.comparisons.flatMap { [$0.column] + ($0.whenMissing.map { [$0] } ?? []) })
    }

    // MARK: JSON

    /// The model as pretty, stable JSON.
    public func json() -> String {
        var out = "{\n  \"format\": \"qingting-link-model\",\n  \"version\": 1,\n"
        out += "  \"prior\": \(Self.number(prior)),\n  \"prior_bits\": \(Self.number(priorBits)),\n"
        out += "  \"joint\": ["
        out += joint.map { g in "[" + g.map { JSON.quoted($0) }.joined(separator: ", ") + "]" }.joined(separator: ", ")
        out += "],\n  \"comparisons\": [\n"
        for (i, c) in comparisons.enumerated() {
            out += "    {\"name\": \(JSON.quoted(c.name)), \"term_frequency\": \(c.termFrequency), \"levels\": [\n"
            let bits = c.bits
            for l in c.labels.indices {
                out += "      {\"label\": \(JSON.quoted(c.labels[l])), \"m\": \(Self.number(c.m[l])), \"u\": \(Self.number(c.u[l])), \"bits\": \(Self.number(bits[l]))}"
                out += l + 1 < c.labels.count ? ",\n" : "\n"
            }
            out += "    ]}" + (i + 1 < comparisons.count ? ",\n" : "\n")
        }
        out += "  ],\n  \"training\": "
        out += trainingReport.jsonText
        out += ",\n  \"settings\": "
        out += settingsJSON.jsonText
        out += "\n}\n"
        return out
    }

    public func write(to path: String) throws {
        do { try FileIO.writeAtomically(Array(json().utf8), to: path) } catch {
            throw QingtingError(.io, "cannot write the model: \(error)", location: path)
        }
    }

    /// Reads a model file written by `json()`.
    public static func load(path: String) throws -> LinkModel {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw QingtingError(.io, "cannot read the model: \(error)", location: path) }
        let json: JSONValue
        do { json = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch {
            throw QingtingError(.invalidModel, "not valid JSON: \(error)", location: path)
        }
        func bad(_ what: String) -> QingtingError { QingtingError(.invalidModel, what, location: path) }
        guard json["format"]?.stringValue == "qingting-link-model" else { throw bad("not a Qingting link model (format must be \"qingting-link-model\")") }
        guard case .number("1")? = json["version"] else { throw bad("unsupported link model version (this engine reads version 1)") }
        guard let settingsJSON = json["settings"] else { throw bad("missing settings") }
        let settings = try LinkSettings(json: settingsJSON, path: path + " (settings)")
        guard case .number(let p)? = json["prior"], let prior = Double(p), prior > 0, prior < 1 else { throw bad("prior must be a probability in (0, 1)") }
        var joint: [[String]] = []
        if case .array(let groups)? = json["joint"] {
            for g in groups {
                guard case .array(let names) = g else { throw bad("joint groups are arrays of names") }
                joint.append(names.compactMap(\.stringValue))
            }
        }
        guard case .array(let list)? = json["comparisons"] else { throw bad("missing comparisons") }
        var comparisons: [ComparisonParameters] = []
        for (i, c) in list.enumerated() {
            guard let name = c["name"]?.stringValue, case .array(let levels)? = c["levels"] else { throw bad("comparisons[\(i)] needs a name and levels") }
            var labels: [String] = [], m: [Double] = [], u: [Double] = []
            for (k, l) in levels.enumerated() {
                guard let label = l["label"]?.stringValue, case .number(let ms)? = l["m"], case .number(let us)? = l["u"],
                      let mv = Double(ms), let uv = Double(us), mv > 0, uv > 0 else {
                    throw bad("comparisons[\(i)].levels[\(k)] needs a label and m, u > 0")
                }
                labels.append(label); m.append(mv); u.append(uv)
            }
            let tf = c["term_frequency"] == .bool(true)
            comparisons.append(ComparisonParameters(name: name, labels: labels, m: m, u: u, termFrequency: tf))
        }
        return LinkModel(settings: settings, settingsJSON: settingsJSON, joint: joint, comparisons: comparisons,
                         prior: prior, trainingReport: json["training"] ?? .null)
    }

    /// A finite double as JSON (Swift's shortest round-trip form).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        return "\(x)"
    }
}

/// Minimal JSON writing helpers.
