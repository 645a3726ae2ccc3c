import QingtingText

extension SentimentAnalyzer.Result {
    /// Appends the result's fields to a JSON object being written (no braces):
    /// `"sentiment":…,"probabilities":{…},"cues":[…]`. Probabilities have 4 decimals; cue spans
    /// are byte offsets into the text. `PostAnalyzer.Analysis` writes these first.
    public func appendJSONFields(to out: inout String) {
        out += "\"sentiment\":\"\(label.rawValue)\",\"probabilities\":{"
        for (i, label) in SentimentLabel.allCases.enumerated() {
            if i > 0 { out += "," }
            out += "\"\(label.rawValue)\":"
            Self.appendDecimal(probabilities[i], to: &out)
        }
        out += "},\"cues\":["
        for (i, cue) in cues.enumerated() {
            if i > 0 { out += "," }
            out += "{\"term\":"
            JSON.appendString(cue.term, to: &out)
            out += ",\"polarity\":\"\(cue.polarity.rawValue)\",\"negated\":\(cue.negated),\"strength\":"
            Self.appendDecimal(cue.strength, to: &out)
            out += ",\"start\":\(cue.range.lowerBound),\"end\":\(cue.range.upperBound)}"
        }
        out += "]"
    }

    /// A non-negative number with up to 4 decimals ("0.9312", "1.5"), without Foundation.
    static func appendDecimal(_ value: Float, to out: inout String) {
        let scaled = Int((max(0, value) * 10000).rounded())
        var fraction = String(scaled % 10000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        out += String(scaled / 10000)
        if !fraction.isEmpty { out += "." + fraction }
    }
}
