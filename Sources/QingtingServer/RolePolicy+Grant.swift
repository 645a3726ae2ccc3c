import QingtingCore
import QingtingIngest

extension RolePolicy {
    /// Appends a `grant` block to the roles file at `path` (what `qingting roles grant` does), after
    /// checking that the file with it still reads; written atomically, so a server watching the
    /// file reads either the old file or the new one, and takes the grant within a second.
    /// - Parameters:
    ///   - tokens: token names (the token file's third column, or `sha256:…`).
    ///   - until: epoch ms; the grant works before it.
    /// - Returns: the policy the file now holds.
    /// - Throws: `QingtingErrors` as `file:line: what` when the grant is not valid (an unknown
    ///   role, a name already taken, an until already past is allowed: it simply never works).
    @discardableResult
    public static func appendGrant(to path: String, name: String, role: String, tokens: [String], until: Int64,
                                   summary: String? = nil, methods: [String] = RPCEngine.methodNames) throws -> RolePolicy {
        let bytes = try FileIO.read(path, what: "the roles file")
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw QingtingError(.invalidUTF8, "the roles file is not UTF-8", location: path)
        }
        for word in tokens + [name, role] where word.isEmpty || word.contains(where: { $0 == " " || $0 == "\t" || $0.isNewline }) {
            throw QingtingError(.invalidInput, "a grant's name, role and token names are single words")
        }
        if let summary, summary.contains(where: \.isNewline) {
            throw QingtingError(.invalidInput, "a grant's summary is one line")
        }
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += "\ngrant \(name)\n"
        if let summary, !summary.isEmpty { text += "  summary \(summary)\n" }
        text += "  role \(role)\n  tokens \(tokens.joined(separator: " "))\n  until \(Timestamp.iso8601(until))\n"
        let policy = try parse(text, source: path, methods: methods)
        try FileIO.writeAtomically(Array(text.utf8), to: path)
        return policy
    }
}
