import QingtingClassify
import QingtingCore
import QingtingText
import Testing

/// The category of a post: the lexicon's named term first, the category model's reading of the
/// whole post when no term names one, nothing for a content-free post or when the model says `-`.
@Suite struct CategoryAnalyzerTests {
    static let featurizer = ClassifyFixtures.featurizer()
    static let lexicon = try! CategoryLexicon(contentsOf: "\(ClassifyFixtures.root)/Lexicons/categories.tsv",
                                              segmenter: ClassifyFixtures.segmenter)
    /// Posts that name no lexicon term (checked in `postsWithoutTermsGetTheModelsCategory`).
    static let corpus: [(String, String)] = [
        ("手机套餐", "这个月又多扣了二十块，流量根本没用完"), ("手机套餐", "月租太贵了，想降档"),
        ("手机套餐", "扣费短信一条接一条"), ("外卖", "汤洒了一半，送到都凉了"), ("外卖", "等了一个半小时才送到"),
        ("外卖", "点的麻辣烫送错了"), ("-", "今天天气不错"), ("-", "周末去爬山"), ("-", "晚上早点睡"),
    ]

    static func model(labels: [String] = ["-", "外卖", "手机套餐"], kind: LinearModel.Kind = .softmax) -> LinearModel {
        // Label indices by the corpus's names; `labels` may rename them (a model that is not a category model).
        let names = ["-", "外卖", "手机套餐"]
        let examples = corpus.map { (label: names.firstIndex(of: $0.0)!, features: featurizer.featurize($0.1)) }
        var config = LinearTrainer.Configuration()
        config.kind = kind
        config.validationFraction = 0
        config.epochs = 30
        config.learningRate = 0.2
        return LinearTrainer(configuration: config).train(examples, labels: labels, features: featurizer.extractor.configuration).0
    }

    static let analyzer = try! CategoryAnalyzer(lexicon: lexicon, model: model(), extractor: featurizer.extractor)

    @Test func postsWithoutTermsGetTheModelsCategory() throws {
        for (gold, text) in Self.corpus where gold != "-" {
            let features = Self.featurizer.featurize(text)
            #expect(Self.lexicon.category(in: features.tokens) == nil, "\(text) names a lexicon term")
            guard case .predicted(let category, let probability) = try #require(Self.analyzer.analyze(features)) else {
                Issue.record("\(text): not predicted"); continue
            }
            #expect(category == gold, "\(text)")
            #expect(probability > 0.5 && probability <= 1)
        }
        // Without a model the lexicon alone decides: nothing.
        #expect(CategoryAnalyzer(lexicon: Self.lexicon).analyze(Self.featurizer.featurize("汤洒了一半，送到都凉了")) == nil)
    }

    @Test func aNamedTermOutranksTheModel() throws {
        // 耳机 is a lexicon name; the model, trained on 外卖 posts like the rest of this one, is not asked.
        let found = try #require(Self.analyzer.analyze(Self.featurizer.featurize("买的耳机，汤洒了一半，送到都凉了")))
        guard case .named(let match) = found else { Issue.record("not named: \(found)"); return }
        #expect(match.category == "耳机")
        #expect(match.kind == .name)
    }

    @Test func noCategoryWhenTheModelSaysNoneOrThePostHasNoContent() {
        #expect(Self.analyzer.analyze(Self.featurizer.featurize("周末去爬山")) == nil)
        for empty in ["", "ok", "转发微博", "@小米客服", "https://t.cn/abc", "1234"] {
            #expect(Self.analyzer.analyze(Self.featurizer.featurize(empty)) == nil, "\(empty)")
        }
    }

    @Test func thePredictedCategoryIsWrittenWithItsKindAndProbability() throws {
        let found = try #require(Self.analyzer.analyze(Self.featurizer.featurize("等了一个半小时才送到")))
        var w = JSONWriter()
        found.write(to: &w)
        #expect(w.text.hasPrefix(#"{"name":"外卖","kind":"predicted","probability":"#), "\(w.text)")
        #expect(!w.text.contains("term"))
        let named = try #require(Self.analyzer.analyze(Self.featurizer.featurize("想买个耳机")))
        var n = JSONWriter()
        named.write(to: &n)
        #expect(n.text == #"{"name":"耳机","term":"耳机","kind":"name","start":9,"end":15}"#)
    }

    @Test func aModelThatIsNotACategoryModelIsRefused() {
        #expect(throws: QingtingError.self) {
            try CategoryAnalyzer(lexicon: Self.lexicon, model: Self.model(labels: ["a", "b", "c"]), extractor: Self.featurizer.extractor)
        }
        #expect(throws: QingtingError.self) {
            try CategoryAnalyzer(lexicon: Self.lexicon, model: Self.model(kind: .oneVsRest), extractor: Self.featurizer.extractor)
        }
    }

    @Test func theShippedAnalyzerLoadsTheShippedCategoryModel() throws {
        let analyzer = try ClassifyResources.postAnalyzer(segmenter: ClassifyFixtures.segmenter)
        let model = try #require(analyzer.categories.model)
        #expect(model.kind == .softmax)
        #expect(model.labels.contains(CategoryAnalyzer.noneLabel))
        #expect(model.labels.count > 100)
    }
}
