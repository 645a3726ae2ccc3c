import QingtingText
public import QingtingCore

extension SentimentAnalyzer.Result {
    /// Writes the result's members into a JSON object being written: `"sentiment":…,
    /// "probabilities":{…},"cues":[…]`. Probabilities have 4 decimals; cue spans are byte offsets
    /// into the text. `PostAnalyzer.Analysis` writes these first.
    public func writeMembers(to w: inout JSONWriter) {
        w.member("sentiment", label.rawValue)
        w.member("probabilities") { w in
            w.object { w in
                for (i, label) in SentimentLabel.allCases.enumerated() { w.member(label.rawValue, max(0, probabilities[i]), digits: 4) }
            }
        }
        w.member("cues") { w in
            w.array(cues) { w, cue in
                w.object { w in
                    w.member("term", cue.term)
                    w.member("polarity", cue.polarity.rawValue)
                    w.member("negated", cue.negated)
                    w.member("strength", max(0, cue.strength), digits: 4)
                    w.member("start", cue.range.lowerBound)
                    w.member("end", cue.range.upperBound)
                }
            }
        }
    }
}
