import OrderedCollections
import QingtingCore

/// One input line of `qingting analyze`, analyzed and written as its output line (or as an error
/// line): the output schema of the command, in one place.
///
/// A JSONL line's other members are carried through in their order (id, author, time, platform…),
/// so an output line can be read on its own; members named like an output member are left out.
public struct AnalyzedLine: Sendable {
    public var json: String
    /// What was wrong with the line, for stderr; nil when it was analyzed.
    public var error: String?

    /// Members `analyze` writes itself; an input member of the same name is not carried through.
    public static let outputMembers: Set<String> = ["line", "sentiment", "probabilities", "cues", "intents", "category",
                                                    "tags", "tokens", "error"]

    /// - Parameters:
    ///   - jsonl: the line is a JSON object whose `textField` member is the post; else the line is the post.
    public init(_ line: ArraySlice<UInt8>, number: Int, jsonl: Bool, textField: String = "text",
                analyzer: PostAnalyzer, tokens: Bool) {
        var carried: JSONObject = [:]
        let outcome = Result<PostAnalyzer.Analysis, any Error> {
            guard jsonl else { return try line.withUnsafeBufferPointer { try analyzer.analyze(utf8: $0) } }
            let value = try line.withUnsafeBufferPointer { try JSONValue.parse($0) }
            guard case .object(let members) = value else { throw QingtingError(.invalidJSON, "a line must be a JSON object") }
            for (name, member) in members where name != textField && !Self.outputMembers.contains(name) { carried[name] = member }
            guard let text = members[textField]?.stringValue else {
                throw QingtingError(.invalidJSON, "no string field \(JSON.quoted(textField))")
            }
            return analyzer.analyze(text)
        }
        var failure: QingtingError?
        if case .failure(let thrown) = outcome { failure = thrown as? QingtingError ?? QingtingError(.io, "\(thrown)") }
        var w = JSONWriter()
        w.object { w in
            w.member("line", number)
            for (name, member) in carried { w.member(name, member) }
            switch outcome {
            case .success(let result): result.writeMembers(to: &w, tokens: tokens)
            case .failure: w.member("error") { w in failure!.write(to: &w) }
            }
        }
        json = w.text
        error = failure?.description
    }
}
