import QingtingText

#if canImport(Glibc)
import Glibc
public import QingtingCore
#endif

/// One batch run: blocking, (training when no model is given), scoring and clustering, with the
/// time each stage took.
public struct LinkRun: Sendable {
    public var model: LinkModel
    public var records: RecordSet
    public var scorer: PairScorer
    public var blockingReports: [Blocking.RuleReport]
    /// Every candidate pair blocking produced (sorted).
    public var candidates: [Blocking.Pair]
    public var candidateCount: Int { candidates.count }
    /// Scored pairs at or above the keep floor, plus every rule link.
    public var scored: [PairScorer.Scored]
    public var clustering: Clustering
    /// Identities resolved as people, when the settings have a `graph`.
    public var resolution: IdentityResolution? = nil
    /// (stage, seconds) in order.
    public var timings: [(String, Double)]
    /// Seconds from loading the inputs to the end (set by `run(inputs:…)`).
    public var totalSeconds = 0.0

    /// Links at or above the model's threshold (or linked by a rule).
    public var links: [PairScorer.Scored] {
        scored.filter { $0.isLink(threshold: model.settings.threshold) }
    }
}

public enum LinkPipeline {
    /// Runs the whole batch. With `model` nil, trains one from `settings` first on the same
    /// candidate pairs. `progress` receives one line per stage.
    public static func run(records: RecordSet, model: LinkModel?, settings: LinkSettings, settingsJSON: JSONValue,
                           progress: @escaping (String) -> Void = { _ in }) throws -> LinkRun {
        var timings: [(String, Double)] = []
        var clock = Monotonic.seconds()
        func lap(_ stage: String) { let t = Monotonic.seconds(); timings.append((stage, t - clock)); clock = t }

        let effective = model?.settings ?? settings
        let blocking = Blocking(settings: effective, records: records)
        let (candidates, reports) = try blocking.candidatePairs()
        for r in reports {
            progress("blocking \(r.rule): \(r.pairs) pairs, \(r.newPairs) new" +
                     (r.skippedBlocks > 0 ? ", \(r.skippedBlocks) blocks over the size limit skipped (\(r.skippedRecords) records)" : ""))
        }
        progress("blocking: \(candidates.count) candidate pairs")
        lap("blocking")
        let trained: LinkModel
        var patterns: PatternList? = nil
        if let model { trained = model } else {
            var trainer = LinkTrainer(settings: settings, settingsJSON: settingsJSON, records: records)
            trainer.progress = progress
            (trained, patterns) = try trainer.trainReturningPatterns(candidates: candidates)
            lap("training")
        }
        let scorer = try PairScorer(model: trained, records: records)
        // The identity graph reads every pair with some evidence (6 bits over the prior), since a
        // person's accounts add up; pairwise clustering needs only the likely ones.
        let floor = trained.settings.graph != nil ? MatchWeights.probability(bits: trained.priorBits + 6)
                                                  : min(trained.settings.threshold, 0.01)
        let scored = scorer.score(candidates, patterns: patterns, minimumProbability: floor)
        patterns = nil  // 16 bytes a candidate pair; the graph below must not hold them too
        progress("scoring: \(scored.count) pairs at probability >= \(floor < 0.01 ? "\(NumberFormat.rounded(trained.priorBits + 6, 1)) bits" : NumberFormat.rounded(floor, 2))")
        lap("scoring")
        let clustering = Clustering.cluster(scored, records: records, threshold: trained.settings.threshold,
                                            masters: trained.settings.linkType == .linkToMaster)
        lap("clustering")
        var resolution: IdentityResolution? = nil
        if let graph = trained.settings.graph {
            resolution = IdentityResolution.resolve(scorer: scorer, candidates: scored.map(\.pair), graph: graph,
                                                    threshold: trained.settings.threshold, progress: progress)
            lap("graph")
        }
        return LinkRun(model: trained, records: records, scorer: scorer, blockingReports: reports,
                       candidates: candidates, scored: scored, clustering: clustering, resolution: resolution, timings: timings)
    }

}
