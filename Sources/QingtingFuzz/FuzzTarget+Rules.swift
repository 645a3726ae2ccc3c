import QingtingCore
import QingtingRules

extension FuzzTarget {
    /// `RuleSet.parse`: a rule set, or `QingtingErrors` each placed at `file:line` with the line in
    /// the file; and a file reads the same with `\r\n` line ends as with `\n`.
    static func rules(_ seeds: Seeds) throws -> FuzzTarget {
        let tokens = [
            "rule x\n", "  on ", "  when ", "count(", " within 24h by customer) >= 3", " and ", " or ", "not ", "(", ")",
            " in (", "profile.", "sentiment = negative", "  wait 48h unless any", "  spike ", "  cooldown 1h", "  priority urgent",
            "  after 24h if read: ", "  alert ", "  ticket ", "  notify wecom ", "  reply ", "template t: ", "route s when ",
            "brand ", "{{", "}}", "999999999999999999999h", "0s", "-1h", ">=", "!=", "~",
        ]
        return FuzzTarget(name: "rules", seeds: try seeds.ruleFiles(), dictionary: tokens) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = lineCount(Array(text.utf8))
            let outcome: String
            do {
                let set = try RuleSet.parse(text, source: "fuzz.rules")
                outcome = "ok " + set.rules.map(\.name).joined(separator: ",")
            } catch let failure as QingtingErrors {
                guard !failure.errors.isEmpty else { return "an empty error list" }
                for error in failure.errors {
                    guard let line = lineNumber(error.location ?? "", "fuzz.rules") else { return "an error not at file:line" }
                    guard (1...lines).contains(line) else { return "an error at line \(line) of a \(lines)-line file" }
                    guard error.description.hasPrefix("fuzz.rules:\(line)") else { return "an error whose text does not start with file:line" }
                }
                outcome = "errors \(failure.errors.count)"
            } catch {
                return "threw \(type(of: error)), not QingtingErrors"
            }
            guard !text.contains("\r") else { return nil }
            let crlf = String(decoding: Array(text.utf8).flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
            let again: String
            do {
                let set = try RuleSet.parse(crlf, source: "fuzz.rules")
                again = "ok " + set.rules.map(\.name).joined(separator: ",")
            } catch let failure as QingtingErrors {
                again = "errors \(failure.errors.count)"
            } catch {
                return "threw \(type(of: error)) with CRLF line ends"
            }
            return again == outcome ? nil : "with CRLF line ends: \(again), with LF: \(outcome)"
        }
    }
}
