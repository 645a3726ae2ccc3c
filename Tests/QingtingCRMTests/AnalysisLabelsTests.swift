import Foundation
import QingtingCRM
import QingtingRules
import TestSupport
import Testing

/// The ingest path reads the labels of the analysis it just made; rules over stored events (the
/// backtest, `rules tick`) read them back from the stored JSON. Both must see the same labels,
/// or a rule fires live and not in its backtest.
@Suite struct AnalysisLabelsTests {
    @Test func theLabelsMadeAreTheLabelsStored() throws {
        let text = try String(contentsOfFile: "\(TestPaths.root)/Models/corpus/demo-posts.txt", encoding: .utf8)
        let posts = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        #expect(posts.count >= 10)
        var withIntents = 0, withConfidence = 0
        for post in posts {
            let analysed = try #require(CRM.analyzer.analysed(post))
            #expect(analysed.labels == AnalysisLabels(json: analysed.json), "\(post)")
            if !analysed.labels.intents.isEmpty { withIntents += 1 }
            if analysed.labels.confidence != nil { withConfidence += 1 }
        }
        // The comparison covers intents and confidences, not only empty labels.
        #expect(withIntents > 0 && withConfidence == posts.count)
        #expect(CRM.analyzer.analysed("") == nil)
    }
}
