import OrderedCollections
public import QingtingCore
import QingtingIngest

/// The experiments file: a versioned, human-edited JSON document (`Lexicons/experiments.json`)
/// of `{"experiments":[{name, salt?, summary?, variants:[{name, weight}], control?, population?,
/// start, end, conversion:{kinds?, intents?, min_probability?}, min_sample?}]}`. Every problem is
/// reported at once, each as `FILE: $.path: what`.
public struct ExperimentFile: Sendable, Equatable {
    /// The shipped file, relative to the resources root (`Resources.find`).
    public static let shippedPath = "Lexicons/experiments.json"

    public var experiments: [Experiment] = []
    /// The file (as given, or `built-in`) and the FNV-1a 64 hash of its bytes (16 hex digits).
    public var source = "built-in"
    public var version = "0000000000000000"

    public init(experiments: [Experiment] = []) { self.experiments = experiments }

    /// The experiment called `name`.
    /// - Throws: `QingtingError(.invalidInput)` naming the experiments the file has.
    public func experiment(_ name: String) throws -> Experiment {
        guard let e = experiments.first(where: { $0.name == name }) else {
            let known = experiments.map(\.name).joined(separator: ", ")
            throw QingtingError(.invalidInput, "no experiment '\(name)' in \(source) (experiments: \(known.isEmpty ? "none" : known))")
        }
        return e
    }

    /// `path` when given, else the shipped file when it can be found, else no experiments.
    public static func load(_ path: String?) throws -> ExperimentFile {
        if let path { return try load(path) }
        guard let shipped = Resources.find(shippedPath) else { return ExperimentFile() }
        var file = try load(shipped)
        file.source = shippedPath
        return file
    }

    /// Reads an experiments file.
    /// - Throws: `QingtingErrors` of `QingtingError(.invalidSettings)`, each `FILE: $.path: what`;
    ///   `QingtingError(.io)` or `.invalidJSON` when the file cannot be read or parsed.
    public static func load(_ path: String) throws -> ExperimentFile {
        let bytes = try FileIO.read(path)
        let value: JSONValue
        do { value = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch let e as QingtingError {
            throw e.at(path)
        }
        var file = try parse(value, file: path)
        file.source = path
        file.version = BinaryFormat.fnv1a64Hex(bytes)
        return file
    }

    /// Parses the document `value` read from `file` (the name errors carry).
    public static func parse(_ value: JSONValue, file: String) throws -> ExperimentFile {
        var r = ConfigReader(file: file)
        guard let root = r.object(value, "$") else { throw QingtingErrors(r.errors) }
        r.only(root, ["comment", "experiments"], "$")
        var out = ExperimentFile()
        for (i, item) in (r.array(root["experiments"], "$.experiments") ?? []).enumerated() {
            if let e = experiment(item, "$.experiments[\(i)]", &r) {
                if out.experiments.contains(where: { $0.name == e.name }) {
                    r.fail("$.experiments[\(i)].name", "'\(e.name)' is defined twice")
                }
                out.experiments.append(e)
            }
        }
        if root["experiments"] == nil { r.fail("$.experiments", "missing (an array of experiments)") }
        guard r.errors.isEmpty else { throw QingtingErrors(r.errors) }
        return out
    }

    static let members = ["name", "summary", "salt", "variants", "control", "population", "start", "end",
                          "conversion", "min_sample"]

    private static func experiment(_ value: JSONValue, _ path: String, _ r: inout ConfigReader) -> Experiment? {
        guard let o = r.object(value, path) else { return nil }
        r.only(o, members, path)
        let errors = r.errors.count
        let name = r.string(o["name"], path + ".name", default: "")
        if o["name"] == nil { r.fail(path + ".name", "missing") }
        var variants: [Experiment.Variant] = []
        for (j, v) in (r.array(o["variants"], path + ".variants") ?? []).enumerated() {
            let vp = "\(path).variants[\(j)]"
            guard let vo = r.object(v, vp) else { continue }
            r.only(vo, ["name", "weight"], vp)
            if vo["name"] == nil { r.fail(vp + ".name", "missing") }
            let variant = Experiment.Variant(
                name: r.string(vo["name"], vp + ".name", default: ""),
                weight: r.number(vo["weight"], vp + ".weight", in: 0...1e9, default: 1))
            if variants.contains(where: { $0.name == variant.name }) { r.fail(vp + ".name", "'\(variant.name)' is named twice") }
            variants.append(variant)
        }
        if variants.count < 2 { r.fail(path + ".variants", "expected at least two variants (a control and a treatment)") }
        if !variants.isEmpty, !variants.contains(where: { $0.weight > 0 }) {
            r.fail(path + ".variants", "every weight is 0")
        }
        let control = r.string(o["control"], path + ".control", default: variants.first?.name ?? "")
        if o["control"] != nil, !variants.contains(where: { $0.name == control }) {
            r.fail(path + ".control", "'\(control)' is not one of the variants")
        }
        func time(_ key: String) -> Int64 {
            guard let v = o[key] else {
                r.fail("\(path).\(key)", "missing (ISO 8601 with a zone, or a date)")
                return 0
            }
            guard case .string(let text) = v, let ms = Timestamp.millis(text) else {
                r.fail("\(path).\(key)", "expected a time (ISO 8601 with a zone, or a date), got \(ConfigReader.describe(v))")
                return 0
            }
            return ms
        }
        let start = time("start"), end = time("end")
        if start != 0, end != 0, end <= start { r.fail(path + ".end", "must be after start") }
        var e = Experiment(name: name, salt: nil, variants: variants, control: control, start: start, end: end)
        e.salt = r.string(o["salt"], path + ".salt", default: name)
        e.summary = o["summary"] == nil ? "" : r.string(o["summary"], path + ".summary", default: "")
        e.population = r.string(o["population"], path + ".population", default: "all")
        e.minSample = Int(r.number(o["min_sample"], path + ".min_sample", in: 1...1e9, default: 100))
        if let c = r.object(o["conversion"], path + ".conversion") {
            let cp = path + ".conversion"
            r.only(c, ["kinds", "intents", "min_probability"], cp)
            e.conversion.kinds = r.strings(c["kinds"], cp + ".kinds", default: c["intents"] == nil ? ["order"] : [])
            e.conversion.intents = r.strings(c["intents"], cp + ".intents", default: [])
            e.conversion.minProbability = r.number(c["min_probability"], cp + ".min_probability", in: 0...1, default: 0.5)
            if e.conversion.kinds.isEmpty, e.conversion.intents.isEmpty {
                r.fail(cp, "give kinds, intents or both")
            }
        } else if o["conversion"] == nil {
            r.fail(path + ".conversion", "missing (e.g. {\"kinds\":[\"order\"]})")
        }
        return r.errors.count == errors ? e : nil
    }
}
