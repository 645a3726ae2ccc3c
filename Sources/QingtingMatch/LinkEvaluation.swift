import Algorithms
import QingtingText
import QingtingCore

/// Precision, recall and F1 of predicted links against the truth, split by how a link was made
/// (a deterministic rule, or probabilistic scoring).
public struct LinkEvaluation: Sendable {
    public struct Counts: Sendable, Equatable {
        public var predicted = 0
        public var correct = 0
        public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
    }

    public var deterministic = Counts()
    public var probabilistic = Counts()
    /// Links the truth has (among the pairs the link type allows).
    public var truthLinks = 0
    /// Truth links that no candidate pair covered (lost to blocking).
    public var missedByBlocking = 0

    public var predicted: Int { deterministic.predicted + probabilistic.predicted }
    public var correct: Int { deterministic.correct + probabilistic.correct }
    public var precision: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
    public var recall: Double { truthLinks == 0 ? 0 : Double(correct) / Double(truthLinks) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    public init() {}

    /// Pairwise evaluation: a pair is a true link when both records have the same entity in
    /// `entityOf` (record index → entity, nil = unknown/none).
    /// `candidates` (sorted, as blocking gives them) lets it count true links blocking missed.
    public static func pairwise(links: [PairScorer.Scored], candidates: [Blocking.Pair]?, records: RecordSet,
                                linkType: LinkSettings.LinkType, entityOf: [String?]) -> LinkEvaluation {
        var e = LinkEvaluation()
        for l in links {
            let (i, j) = Blocking.split(l.pair)
            let right = entityOf[i] != nil && entityOf[i] == entityOf[j]
            if l.rule >= 0 {
                e.deterministic.predicted += 1
                if right { e.deterministic.correct += 1 }
            } else {
                e.probabilistic.predicted += 1
                if right { e.probabilistic.correct += 1 }
            }
        }
        var members: [String: [Int]] = [:]
        for (r, entity) in entityOf.enumerated() { if let entity { members[entity, default: []].append(r) } }
        let left = records.leftCount
        for (_, rs) in members where rs.count > 1 {
            for x in 0..<rs.count {
                for y in (x + 1)..<rs.count {
                    let i = rs[x], j = rs[y]
                    guard linkType.allows(i, j, left: left, count: records.count) else { continue }
                    e.truthLinks += 1
                    if let candidates, !Self.sortedContains(candidates, Blocking.pair(i, j)) { e.missedByBlocking += 1 }
                }
            }
        }
        return e
    }

    static func sortedContains(_ sorted: [Blocking.Pair], _ p: Blocking.Pair) -> Bool {
        let at = sorted.partitioningIndex { $0 >= p }
        return at < sorted.count && sorted[at] == p
    }

    /// Reads a truth file: JSONL lines `{"id": …, "entity": …}` (records not listed have no entity).
    public static func readTruth(path: String) throws -> [String: String] {
        var out: [String: String] = [:]
        try RecordLoader.readRows(path: path, idColumn: "id", columns: ["entity"]) { row, line in
            guard let entity = row.values[0].first else {
                throw QingtingError(.invalidInput, "truth line without an entity", location: "\(path):\(line)")
            }
            out[row.id] = entity
        }
        return out
    }
}
