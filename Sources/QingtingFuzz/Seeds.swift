import Foundation
import QingtingCore

/// The seed corpora, read from the repository: the documented payload fixtures per platform
/// (one payload a line; an XML fixture's `<xml>…</xml>` blocks), the fixtures' field mapping and
/// the shipped rule file.
struct Seeds {
    let root: String
    var fixtures: String { "\(root)/Tests/QingtingIngestTests/Fixtures" }

    init(root: String) throws {
        self.root = root
        _ = try FileIO.read("\(root)/Lexicons/rules.txt", what: "the rule file")
    }

    func file(_ path: String) throws -> [UInt8] { try FileIO.read(path, what: "a fuzz seed") }

    /// The payloads of every fixture file of `platform` (rejection tables included: they are the
    /// edge cases), one per line; XML files are cut into their `<xml>` documents.
    func payloads(_ platform: String) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for name in FileIO.files(in: "\(fixtures)/\(platform)", suffix: "") {
            let text = String(decoding: try file(name), as: UTF8.self)
            if name.hasSuffix(".xml") {
                var rest = Substring(text)
                while let open = rest.range(of: "<xml>"), let close = rest.range(of: "</xml>", range: open.upperBound..<rest.endIndex) {
                    out.append(Array(rest[open.lowerBound..<close.upperBound].utf8))
                    rest = rest[close.upperBound...]
                }
            } else if name.hasSuffix(".jsonl") || name.hasSuffix(".txt") {
                for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
                    out.append(Array(line.utf8))
                }
            }
        }
        guard !out.isEmpty else {
            throw QingtingError(.io, "no fuzz seeds", location: "\(fixtures)/\(platform)")
        }
        return out
    }

    /// The shipped rule file, and each of its blocks (a top-level line with what follows it) alone.
    func ruleFiles() throws -> [[UInt8]] {
        let text = String(decoding: try file("\(root)/Lexicons/rules.txt"), as: UTF8.self)
        var blocks: [[UInt8]] = [Array(text.utf8)]
        var block = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first != " ", first != "\t", first != "#", !block.isEmpty {
                blocks.append(Array(block.utf8))
                block = ""
            }
            if !line.hasPrefix("#") { block += line + "\n" }
        }
        if !block.isEmpty { blocks.append(Array(block.utf8)) }
        return blocks
    }
}
