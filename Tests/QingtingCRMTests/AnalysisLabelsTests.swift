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

    /// A text analysed again is answered from the analyzer's memo: the same JSON and labels as a
    /// fresh analyzer (an empty memo) makes, for short texts and for texts too long to keep.
    @Test func aRepeatedTextGetsTheAnalysisItFirstGot() throws {
        let text = try String(contentsOfFile: "\(TestPaths.root)/Models/corpus/demo-posts.txt", encoding: .utf8)
        let posts = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let long = String(repeating: posts[0], count: 600 / max(1, posts[0].utf8.count) + 1)
        let memoised = EventAnalyzer(analyzer: CRM.analyzer.analyzer, files: CRM.analyzer.files)
        for post in posts + [long] { _ = memoised.analysed(post) }
        for post in posts + [long] {
            let fresh = EventAnalyzer(analyzer: CRM.analyzer.analyzer, files: CRM.analyzer.files)
            let expected = try #require(fresh.analysed(post))
            let again = try #require(memoised.analysed(post))
            #expect(again.json == expected.json && again.labels == expected.labels, "\(post)")
        }
    }
}
