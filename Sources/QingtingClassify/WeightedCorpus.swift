import QingtingCore

/// A training corpus and how much each of its examples weighs: `FILE` or `FILE@WEIGHT`.
public struct WeightedCorpus: Sendable, CustomStringConvertible {
    public var path: String
    public var weight: Float

    public init(path: String, weight: Float) {
        self.path = path
        self.weight = weight
    }

    /// Parses `FILE@WEIGHT`; a path that `exists` as written is taken whole, '@' and all.
    /// - Throws: `.invalidInput` when the weight is not a number > 0.
    public init(argument: String, exists: (String) -> Bool) throws {
        guard let at = argument.lastIndex(of: "@"), !exists(argument) else {
            self.init(path: argument, weight: 1)
            return
        }
        let text = argument[argument.index(after: at)...]
        guard let weight = Float(text), weight > 0, weight.isFinite else {
            throw QingtingError(.invalidInput, "--corpus \(argument): weight '\(text)' is not a number > 0")
        }
        self.init(path: String(argument[..<at]), weight: weight)
    }

    public var description: String {
        weight == 1 ? path : "\(path)@" + (weight == weight.rounded() ? "\(Int(weight))" : "\(weight)")
    }
}
