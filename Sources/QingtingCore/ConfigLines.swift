/// One line of a hand-edited configuration file that nests by indentation (the rule file, the KPI
/// file): its 1-based number, the text trimmed, and whether it was indented.
public struct ConfigLine: Sendable {
    public var number: Int
    public var trimmed: String
    public var indented: Bool

    /// The lines of `text` that carry something: LF or CRLF ends ("\r\n" is one Character in
    /// Swift, so splitting on "\n" alone would read a CRLF file as one line), blank lines and
    /// `#` comments left out, numbers counted over every line.
    public static func lines(_ text: String) -> [ConfigLine] {
        var out: [ConfigLine] = []
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            out.append(ConfigLine(number: number, trimmed: trimmed, indented: line.first == " " || line.first == "\t"))
        }
        return out
    }
}
