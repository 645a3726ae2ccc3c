import OrderedCollections
import QingtingText
public import QingtingCore

extension LinkSettings {
    /// Changes to a settings document made for one run without editing it.
    public struct Overrides: Sendable, Equatable {
        /// Comparisons to leave out (and the joint groups that name them), to measure what each adds.
        public var dropComparisons: [String] = []
        /// Replaces `dependence_lift` (0 turns detection of dependent comparisons off).
        public var dependenceLift: Double? = nil

        public init(dropComparisons: [String] = [], dependenceLift: Double? = nil) {
            self.dropComparisons = dropComparisons
            self.dependenceLift = dependenceLift
        }

        /// The settings JSON with the overrides applied; `path` names the document in errors.
        public func applied(to json: JSONValue, path: String) throws -> JSONValue {
            guard case .object(var top) = json else { return json }
            let drop = dropComparisons
            if !drop.isEmpty, case .array(let list)? = top["comparisons"] {
                for name in drop where !list.contains(where: { $0["name"]?.stringValue == name }) {
                    throw QingtingError(.invalidSettings, "no comparison named '\(name)' to drop", location: path)
                }
                top["comparisons"] = .array(list.filter { !drop.contains($0["name"]?.stringValue ?? "") })
                if case .array(let groups)? = top["joint"] {
                    top["joint"] = .array(groups.filter { g in
                        guard case .array(let names) = g else { return true }
                        return !names.contains { drop.contains($0.stringValue ?? "") }
                    })
                }
            }
            if let dependenceLift { top["dependence_lift"] = .number("\(dependenceLift)") }
            return .object(top)
        }
    }

    /// Reads a settings file with `overrides` applied: the settings and the JSON they were read
    /// from (what a trained model records). Every error names the file: an unreadable file, bad
    /// JSON, or a bad value at its JSON path.
    public static func load(path: String, overrides: Overrides) throws -> (LinkSettings, JSONValue) {
        try parse(try readJSON(path: path), path: path, overrides: overrides)
    }

    /// A built-in preset (`social`) with `overrides` applied.
    public static func preset(_ name: String, overrides: Overrides = Overrides()) throws -> (LinkSettings, JSONValue) {
        guard name == "social" else { throw QingtingError(.invalidSettings, "unknown preset '\(name)' (known: social)") }
        return try parse(try JSONValue.parse(SocialPreset.settingsText), path: "preset social", overrides: overrides)
    }

    private static func parse(_ json: JSONValue, path: String, overrides: Overrides) throws -> (LinkSettings, JSONValue) {
        let json = try overrides.applied(to: json, path: path)
        return (try LinkSettings(json: json, path: path), json)
    }

    static func readJSON(path: String) throws -> JSONValue {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw QingtingError(.io, "cannot read settings: \(error)", location: path) }
        do { return try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } } catch {
            throw QingtingError(.invalidSettings, "not valid JSON: \(error)", location: path)
        }
    }
}
