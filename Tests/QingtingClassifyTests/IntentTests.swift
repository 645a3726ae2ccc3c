import QingtingClassify
import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Intents: label sets, cue matching with negation, multi-label decoding with per-label
/// thresholds, one-vs-rest training, tags, and the corpus reader's errors.
@Suite struct IntentTests {
    static let cues = try! IntentCueLexicon(contentsOf: "\(ClassifyFixtures.root)/Lexicons/intent_cues.tsv",
                                            segmenter: ClassifyFixtures.segmenter)

    func cues(_ text: String) -> [IntentCueLexicon.Cue] {
        Self.cues.cues(in: ClassifyFixtures.segmenter.tokenize(text), negators: ClassifyFixtures.lexicon)
    }

    @Test func labelSetsParseAndRefuseUnknownKeys() throws {
        #expect(try IntentLabel.parseSet("none") == [])
        #expect(try IntentLabel.parseSet("service_logistics,service_order") == [.serviceOrder, .serviceLogistics])
        #expect(throws: IntentLabel.LabelSetError.self) { try IntentLabel.parseSet("purchase,refund") }
        do { _ = try IntentLabel.parseSet("purchase,refund") } catch { #expect(error.key == "refund") }
    }

    @Test func tagsFollowTheDesign() {
        #expect(IntentLabel.purchase.tag(category: "手机") == "#购买意图_手机#")
        #expect(IntentLabel.purchase.tag() == "#购买意图#")
        #expect(IntentLabel.allCases.dropFirst().map { $0.tag(category: "手机") } == [
            "#服务请求_订单查询#", "#服务请求_物流配送#", "#服务请求_产品问题#", "#服务请求_退换货#", "#投诉#", "#流失风险#", "#推荐分享#",
        ])
    }

    @Test func cuesMatchAcrossTokensAndANegatorNegatesThem() {
        let found = cues("快递到哪了？")
        #expect(found.map(\.term) == ["快递", "到哪了"])
        #expect(found[1].intents == [.serviceOrder, .serviceLogistics])
        #expect(found[1].range == 6..<15, "byte span of 到哪了")
        #expect(cues("想买一台").first?.negated == false)
        #expect(cues("不想买了").first.map { ($0.term, $0.negated) } ?? ("", false) == ("想买", true))
        // Punctuation ends a negator's reach.
        #expect(cues("不，想买").first?.negated == false)
    }

    @Test func decodingKeepsEveryLabelAtOrAboveItsOwnThreshold() {
        let p: [Float] = [0.9, 0.3, 0.3, 0.05, 0.6, 0.59, 0.2, 0.7]
        let thresholds: [Float] = [0.5, 0.25, 0.5, 0.05, 0.6, 0.6, 0.5, 0.8]
        let result = IntentAnalyzer.decide(p, thresholds: thresholds)
        #expect(result.labels == [.purchase, .serviceOrder, .serviceProduct, .serviceRefund])
        #expect(result.intents.map(\.probability) == [0.9, 0.3, 0.05, 0.6])
        #expect(IntentAnalyzer.decide([Float](repeating: 0.4, count: 8), thresholds: [Float](repeating: 0.5, count: 8)).intents.isEmpty)
    }

    static let toy: [(String, [IntentLabel])] = [
        ("这个手机哪个好，想买", [.purchase]), ("求推荐一款耳机", [.purchase]), ("预算三千想入手平板", [.purchase]),
        ("快递到哪了", [.serviceLogistics, .serviceOrder]), ("物流三天没更新", [.serviceLogistics]), ("包裹还没派送", [.serviceLogistics]),
        ("客服态度太差，我要投诉", [.complaint]), ("避雷，质量垃圾", [.complaint]), ("虚假宣传，投诉", [.complaint]),
        ("快递太慢了，投诉", [.serviceLogistics, .complaint]), ("物流慢还态度差，投诉", [.serviceLogistics, .complaint]),
        ("今天天气不错", []), ("周末去爬山", []), ("这首歌好听", []), ("晚饭吃了面条", []),
    ]

    static func trainToy(seed: UInt64 = 5) -> LinearModel {
        let featurizer = ClassifyFixtures.featurizer()
        let examples = toy.map { text, labels -> LinearTrainer.Example in
            let f = featurizer.featurize(text)
            let found = cues.cues(in: f.tokens, negators: featurizer.lexicon)
            return (labels.map(\.index), IntentAnalyzer.features(f, cues: found, extractor: featurizer.extractor))
        }
        var config = LinearTrainer.Configuration()
        config.kind = .oneVsRest
        config.seed = seed
        config.epochs = 20
        config.learningRate = 0.2
        return LinearTrainer(configuration: config).train(
            examples, validation: examples, labels: IntentLabel.allCases.map(\.rawValue),
            features: featurizer.extractor.configuration).0
    }

    @Test func oneVsRestTrainingLearnsLabelSetsAndStoresThresholds() throws {
        let model = Self.trainToy()
        #expect(model.serialized() == Self.trainToy().serialized(), "deterministic for a seed")
        #expect(model.kind == .oneVsRest)
        #expect(model.thresholds.allSatisfy { $0 > 0 && $0 < 1 })
        let analyzer = try IntentAnalyzer(model: model, cues: Self.cues, featurizer: ClassifyFixtures.featurizer())
        #expect(Set(analyzer.analyze("物流慢，态度差，投诉").labels) == [.serviceLogistics, .complaint])
        #expect(analyzer.analyze("快递到哪了").labels.contains(.serviceLogistics))
        #expect(analyzer.analyze("今天天气不错").labels.isEmpty)
        // The file keeps kind and thresholds.
        let path = ClassifyFixtures.temporary("intent.qtlin")
        try model.write(to: path)
        defer { unlink(path) }
        let loaded = try LinearModel(contentsOf: path)
        #expect(loaded.kind == .oneVsRest && loaded.thresholds == model.thresholds)
        // A sentiment model is not an intent model.
        #expect(throws: QingtingError.self) {
            _ = try IntentAnalyzer(model: ClassifyFixtures.trainModel(), cues: Self.cues, featurizer: ClassifyFixtures.featurizer())
        }
    }

    @Test func corpusLinesAreCheckedAndReportedWithTheirPlace() throws {
        let path = ClassifyFixtures.temporary("intents.tsv")
        try FileIO.writeAtomically(Array("""
            # comment
            purchase\t手机\t想买个手机
            none\t-\t今天天气不错
            purchase,nope\t-\t坏标签
            purchase\t只有两列
            service_order\t-\t

            """.utf8), to: path)
        defer { unlink(path) }
        #expect {
            _ = try IntentCorpus(contentsOf: path)
        } throws: { error in
            let messages = "\(error)"
            return messages.contains("\(path):4: unknown intent 'nope'") && messages.contains("\(path):5: expected")
                && messages.contains("\(path):6: empty text")
        }
    }
}

@Suite struct IntentCueLexiconFileTests {
    @Test func badLinesAreListedWithoutQuotingThem() throws {
        let path = ClassifyFixtures.temporary("cues-policy.tsv")
        try FileIO.writeAtomically(Array("到哪了\tservice_order\t1\r\n退款\t秘密意图\r\n".utf8) + [0xFF]
                                   + Array("\n发票\tservice_order\t99\n".utf8), to: path)
        defer { unlink(path) }
        #expect {
            _ = try IntentCueLexicon(contentsOf: path, segmenter: ClassifyFixtures.segmenter)
        } throws: { error in
            let locations = (error as? QingtingErrors)?.errors.compactMap(\.location)
            return locations == ["\(path):2", "\(path):3", "\(path):4"]
                && "\(error)".contains("\(path):3: invalid UTF-8 (byte offset 0)")
                && !"\(error)".contains("秘密") && !"\(error)".replacing(path, with: "").contains("99")
        }
    }
}
