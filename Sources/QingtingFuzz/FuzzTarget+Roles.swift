import QingtingCore
import QingtingServer

extension FuzzTarget {
    /// `RolePolicy.parse`: a roles file, or `QingtingErrors` each placed at `file:line` with the
    /// line in the file — the same contract as the rule file's (`rules`) — or at the file alone
    /// for what the whole file lacks (a `version` line, the owner's role).
    static func roles(_ seeds: Seeds) throws -> FuzzTarget {
        let tokens = [
            "field x\n", "role x\n", "grant x\n", "anonymous ", "version ", "  summary ", "  members ", "  params ",
            "  methods ", "  fields ", "  customers ticketed", "  customers all", "  role ", "  tokens ", "  until ",
            "2026-12-31T00:00:00+08:00", "2026-13-40T99:99:99Z", "*", "customer.*", "-customer.get", "events[kind=order]",
            "[kind!=order]", "fields.phone", "customer.search:phone", "none", "admin", "\t", "#",
        ]
        let shipped = try seeds.file("\(seeds.root)/Lexicons/roles.txt")
        return FuzzTarget(name: "roles", seeds: [shipped, Array("role a\n  methods *\n  fields *\n".utf8)],
                          dictionary: tokens) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = lineCount(Array(text.utf8))
            do {
                _ = try RolePolicy.parse(text, source: "fuzz.roles")
            } catch let failure as QingtingErrors {
                guard !failure.errors.isEmpty else { return "an empty error list" }
                for error in failure.errors {
                    if error.location == "fuzz.roles" {
                        guard error.description.hasPrefix("fuzz.roles: ") else { return "a file-level error not led by the file" }
                        continue
                    }
                    guard let line = lineNumber(error.location ?? "", "fuzz.roles") else { return "an error not at file:line" }
                    guard (1...max(lines, 1)).contains(line) else { return "an error at line \(line) of a \(lines)-line file" }
                    guard error.description.hasPrefix("fuzz.roles:\(line)") else { return "an error whose text does not start with file:line" }
                }
            } catch {
                return "threw \(type(of: error)), not QingtingErrors"
            }
            return nil
        }
    }
}
