import OrderedCollections
import QingtingText
import QingtingCore

extension RankedMatch {
    /// The deterministic rule's name as JSON (null for a probabilistic link).
    func ruleJSON(_ settings: LinkSettings) -> JSONValue {
        rule >= 0 ? .string(settings.deterministic[Int(rule)].name) : .null
    }
}

extension LinkRun {
    /// What `link run` writes: for customers and identities one line per identity (always with
    /// its explanation) and the identity links (for the store); otherwise one line per accepted pair.
    public func outputLines(social: Bool, explain: Bool) -> (lines: [String], identityLinks: [SocialPreset.IdentityLink]) {
        guard social else { return (links.map { pairLine($0, explain: explain) }, []) }
        let identityLinks = SocialPreset.identityLinks(self)
        return (identityLinks.map { SocialPreset.line($0, run: self, explain: true) }, identityLinks)
    }

    /// One line of a settings-file run's links JSONL: `left`, `right`, `probability`,
    /// `match_weight` (bits), `rule` (or null), `status`, and with `explain` each comparison's
    /// level and bits.
    public func pairLine(_ link: PairScorer.Scored, explain: Bool) -> String {
        let (i, j) = Blocking.split(link.pair)
        var obj: JSONObject = [
            "left": .string(records.ids[i]), "right": .string(records.ids[j]),
            "probability": .number(NumberFormat.rounded(link.probability, 4)),
            "match_weight": .number(NumberFormat.rounded(Double(link.weight), 2)),
            "rule": link.ruleJSON(model.settings),
            "status": .string(link.status),
        ]
        if explain { obj["explain"] = PairScorer.Term.json(scorer.explain(i, j)) }
        return JSONValue.object(obj).jsonText
    }

    /// Every output line of the run: one per identity for customers and identities (with
    /// explanations), else one per link.
    public func lines(social: Bool, explain: Bool, _ body: (String) throws -> Void) rethrows {
        if social {
            for link in SocialPreset.identityLinks(self) { try body(SocialPreset.line(link, run: self, explain: true)) }
        } else {
            for link in links { try body(pairLine(link, explain: explain)) }
        }
    }

    /// The closing progress line: links, candidates, and each stage's time.
    public var summary: String {
        "done: \(links.count) links from \(candidateCount) candidate pairs; " +
            timings.map { "\($0.0) \(NumberFormat.seconds($0.1))" }.joined(separator: ", ") + "; total \(NumberFormat.seconds(totalSeconds))"
    }

    /// The evaluation report of this run against `truthPath`: identity-level for customers and
    /// identities (`SocialPreset.readTruth`), else pairwise (`LinkEvaluation.readTruth`).
    public func evaluationReport(social: Bool, truthPath: String) throws -> String {
        let threshold = model.settings.threshold
        if social {
            let e = SocialPreset.evaluate(SocialPreset.identityLinks(self), run: self, truth: try SocialPreset.readTruth(path: truthPath))
            return e.report(threshold: threshold, seconds: totalSeconds)
        }
        let truth = try LinkEvaluation.readTruth(path: truthPath)
        let e = LinkEvaluation.pairwise(links: links, candidates: candidates, records: records,
                                        linkType: model.settings.linkType, entityOf: records.ids.map { truth[$0] })
        return e.report(threshold: threshold, seconds: totalSeconds)
    }
}

extension LinkEvaluation {
    /// The text `eval link` prints for a settings-file run.
    public func report(threshold: Double, seconds total: Double) -> String {
        let f = { (x: Double) in NumberFormat.fixed(x, 4) }
        var text = "links at probability >= \(threshold): \(predicted) (\(correct) correct); true links: \(truthLinks)\n"
        text += "precision \(f(precision))  recall \(f(recall))  F1 \(f(f1))\n"
        text += "deterministic: \(deterministic.predicted) links, precision \(f(deterministic.precision))\n"
        text += "probabilistic: \(probabilistic.predicted) links, precision \(f(probabilistic.precision))\n"
        text += "true links blocking did not offer: \(missedByBlocking)\n"
        text += "wall time (load, block, train, score, cluster): \(NumberFormat.seconds(total))\n"
        return text
    }
}

extension SocialPreset.Evaluation {
    /// The text `eval link` prints for customers and identities.
    public func report(threshold: Double, seconds total: Double) -> String {
        let f = { (x: Double) in NumberFormat.fixed(x, 4) }
        var text = "identities: \(identities); with a true customer: \(truthLinked) (\(truthDeterministic) carrying a verified phone or e-mail)\n"
        text += "linked at probability >= \(threshold): \(predicted) (\(correct) to the right customer)\n"
        text += "overall:       precision \(f(precision))  recall \(f(recall))  F1 \(f(f1))\n"
        text += "deterministic: \(deterministic.predicted) confirmed links, precision \(f(deterministic.precision))  recall \(f(deterministicRecall))  F1 \(f(deterministicF1))\n"
        text += "probabilistic: \(probabilistic.predicted) suggested links, precision \(f(probabilistic.precision))\n"
        text += "reliability of probabilistic candidates (predicted probability against the share that is the true customer):\n"
        text += "  probability   candidates  mean predicted  observed\n"
        for (k, bin) in reliability.enumerated() where bin.count > 0 {
            let range = "\(NumberFormat.fixed(Double(k) / 10, 1))–\(NumberFormat.fixed(Double(k + 1) / 10, 1))"
            text += "  \(NumberFormat.pad(range, 11, left: true)) \(NumberFormat.pad(String(bin.count), 12))  \(NumberFormat.pad(f(bin.meanPredicted), 14))  \(NumberFormat.pad(f(bin.observed), 8))\n"
        }
        text += "calibration error (count-weighted mean gap): \(f(calibrationError))\n"
        text += "wall time (load, block, train, score, cluster): \(NumberFormat.seconds(total))\n"
        return text
    }
}

extension LinkModel {
    /// The parameters as `link train` prints them: the prior, then each comparison's levels
    /// with m, u and bits.
    public func parametersText() -> String {
        var text = "prior: \(NumberFormat.fixed(priorBits, 2)) bits (probability two random records match \(prior))\n"
        for c in comparisons {
            text += "\(c.name)\(c.termFrequency ? " (term frequency)" : "")\n"
            let bits = c.bits
            for (l, label) in c.labels.enumerated() {
                text += "  \(NumberFormat.pad(label, 30, left: true)) m \(NumberFormat.pad(NumberFormat.fixed(c.m[l], 4), 7))  u \(NumberFormat.pad(NumberFormat.fixed(c.u[l], 6), 9))  \(NumberFormat.pad(NumberFormat.fixed(bits[l], 2), 7)) bits\n"
            }
        }
        return text
    }
}

extension PairScorer {
    /// The text `link explain` prints for the records with ids `leftId` and `rightId`: the
    /// prior, each comparison's level and bits, the total and its probability, and the
    /// deterministic rule that links them, if one does.
    public func explanation(leftId: String, rightId: String) throws -> String {
        guard let a = records.ids.firstIndex(of: leftId) else { throw QingtingError(.invalidInput, "no record with id '\(leftId)'") }
        guard let b = records.ids.lastIndex(of: rightId) else { throw QingtingError(.invalidInput, "no record with id '\(rightId)'") }
        let (i, j) = (min(a, b), max(a, b))
        let (terms, w) = explain(i, against: comparators, j)
        let rule = rule(i, j)
        let f = { (x: Double) in NumberFormat.pad(NumberFormat.fixed(x, 2), 8) }
        var text = "\(records.ids[i])  ×  \(records.ids[j])\n"
        text += "  prior                         \(f(model.priorBits)) bits\n"
        for t in terms {
            text += "  \(NumberFormat.pad(t.comparison, 14, left: true)) \(NumberFormat.pad(t.level, 28, left: true)) \(f(t.bits)) bits\n"
        }
        text += "  total                         \(f(w)) bits  probability \(NumberFormat.fixed(Self.probability(bits: w), 4))\n"
        if rule >= 0 { text += "  deterministic rule \(model.settings.deterministic[Int(rule)].name) links them: confirmed\n" }
        return text
    }
}
