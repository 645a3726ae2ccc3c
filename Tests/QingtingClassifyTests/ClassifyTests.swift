import TestSupport
import QingtingClassify
import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

enum ClassifyFixtures {
    static let root = TestPaths.root

    static let segmenter = try! Resources.segmenter(modelPath: "\(root)/Models/segment.qtseg",
                                                    lexiconPath: "\(root)/Lexicons/userdict.tsv")
    static let lexicon = try! CueLexicon(sentiment: "\(root)/Lexicons/sentiment.tsv",
                                         negators: "\(root)/Lexicons/negators.tsv", degree: "\(root)/Lexicons/degree.tsv")

    static func featurizer(bits: Int = 16) -> Featurizer {
        var config = FeatureExtractor.Configuration()
        config.bucketBits = bits
        return Featurizer(segmenter: segmenter, extractor: FeatureExtractor(configuration: config), lexicon: lexicon)
    }

    static let texts: [(Int, String)] = [
        (2, "质量很好，非常满意"), (2, "物流很快，客服热情，推荐"), (2, "好用，回购了"), (2, "颜值高，性价比高"),
        (0, "质量太差了，很失望"), (0, "客服态度差，我要投诉"), (0, "用了两天就坏了，垃圾"), (0, "物流太慢，差评"),
        (1, "今天下午三点发货"), (1, "这款有黑色和白色两种"), (1, "请问什么时候到货"), (1, "订单号已经发给你了"),
    ]

    static func trainModel(seed: UInt64 = 7, ensemble: Int = 1, kind: LinearModel.Kind = .softmax,
                           weights: [Float]? = nil) -> LinearModel {
        let featurizer = featurizer()
        let examples = texts.map { (label: $0.0, features: featurizer.featurize($0.1)) }
        var config = LinearTrainer.Configuration()
        config.kind = kind
        config.seed = seed
        config.validationFraction = 0
        config.epochs = 30
        config.learningRate = 0.2
        config.ensemble = ensemble
        return LinearTrainer(configuration: config).train(
            examples, weights: weights, labels: SentimentLabel.allCases.map(\.rawValue), features: featurizer.extractor.configuration).0
    }

    static func temporary(_ name: String) -> String { "/tmp/qingting-classify-\(getpid())-\(name)" }
}

@Suite struct SentimentModelTests {
    @Test func trainingIsDeterministicForASeed() {
        #expect(ClassifyFixtures.trainModel().serialized() == ClassifyFixtures.trainModel().serialized())
        #expect(ClassifyFixtures.trainModel(seed: 1).serialized() != ClassifyFixtures.trainModel(seed: 2).serialized())
    }

    @Test func anEnsembleAveragesItsMembers() {
        let pair = ClassifyFixtures.trainModel(seed: 3, ensemble: 2)
        #expect(pair.serialized() == ClassifyFixtures.trainModel(seed: 3, ensemble: 2).serialized())
        #expect(pair.serialized() != ClassifyFixtures.trainModel(seed: 3).serialized())
        // The average of members that each fit the texts still fits them.
        let analyzer = try! SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(), model: pair)
        #expect(ClassifyFixtures.texts.allSatisfy { analyzer.analyze($0.1).label.index == $0.0 })
    }

    @Test func modelFitsItsTrainingTextsAndRoundTrips() throws {
        let model = ClassifyFixtures.trainModel()
        let path = ClassifyFixtures.temporary("m.qtlin")
        try model.write(to: path)
        defer { unlink(path) }
        let loaded = try LinearModel(contentsOf: path)
        #expect(loaded.serialized() == model.serialized())
        #expect(loaded.labels == ["negative", "neutral", "positive"])
        let analyzer = try SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(), model: loaded)
        for (label, text) in ClassifyFixtures.texts {
            let result = analyzer.analyze(text)
            #expect(result.label.index == label, "\(text)")
            #expect(abs(result.probabilities.reduce(0, +) - 1) < 1e-4)
        }
    }

    @Test(arguments: ["truncated", "magic", "version", "hash", "checksum", "bits"])
    func corruptOrForeignFilesAreRefused(_ damage: String) throws {
        var bytes = ClassifyFixtures.trainModel().serialized()
        switch damage {
        case "truncated": bytes.removeLast(100)
        case "magic": bytes[3] = 0x21
        case "version": bytes[8] = 9
        case "hash": bytes[12] = 9
        case "bits": bytes[24] = 40
        default: bytes[bytes.count / 2] ^= 0x55
        }
        let path = ClassifyFixtures.temporary("bad-\(damage).qtlin")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        #expect {
            _ = try LinearModel(contentsOf: path)
        } throws: { error in
            (error as? QingtingError)?.code == .invalidModel && (error as? QingtingError)?.location == path
        }
    }

    @Test func aGatedModelFitsItsTextsAndRoundTrips() throws {
        let model = ClassifyFixtures.trainModel(kind: .gated)
        #expect(model.columns == 2)
        #expect(model.byteCount < ClassifyFixtures.trainModel().byteCount)  // two score columns, not three
        let path = ClassifyFixtures.temporary("gated.qtlin")
        try model.write(to: path)
        defer { unlink(path) }
        let loaded = try LinearModel(contentsOf: path)
        #expect(loaded.kind == .gated && loaded.serialized() == model.serialized())
        let analyzer = try SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(), model: loaded)
        for (label, text) in ClassifyFixtures.texts {
            let result = analyzer.analyze(text)
            #expect(result.label.index == label, "\(text)")
            #expect(abs(result.probabilities.reduce(0, +) - 1) < 1e-4)
        }
    }

    @Test func aCorpusWeightCountsInTraining() {
        let neutral = ClassifyFixtures.texts.map { $0.0 == 1 }
        let ones = ClassifyFixtures.trainModel(kind: .gated, weights: neutral.map { _ in 1 })
        #expect(ones.serialized() == ClassifyFixtures.trainModel(kind: .gated).serialized())
        // Neutral posts weighed 4× push the gate toward neutral on an unseen, mixed text.
        let heavy = ClassifyFixtures.trainModel(kind: .gated, weights: neutral.map { $0 ? 4 : 1 })
        let featurizer = ClassifyFixtures.featurizer()
        let text = featurizer.featurize("请问客服什么时候发货，质量好吗")
        #expect(heavy.probabilities(text)[1] > ones.probabilities(text)[1])
    }

    @Test func aVersionOneModelIsRefusedWithARequestToRetrain() throws {
        var bytes = ClassifyFixtures.trainModel().serialized()
        bytes[8] = 1
        let path = ClassifyFixtures.temporary("v1.qtlin")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        #expect {
            _ = try LinearModel(contentsOf: path)
        } throws: { error in
            (error as? QingtingError)?.message.contains("retrain") == true
        }
    }

    @Test func aVersionTwoModelIsRefusedWithARequestToRetrain() throws {
        var bytes = ClassifyFixtures.trainModel().serialized()
        bytes[8] = 2
        let path = ClassifyFixtures.temporary("v2.qtlin")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        #expect {
            _ = try LinearModel(contentsOf: path)
        } throws: { "\($0)".contains("\(path): model format version 2") && "\($0)".contains("retrain") }
    }

    /// The checksum covers the header: a change to any byte of it (n-gram orders and the weight
    /// scale included) refuses the file, naming it.
    @Test(arguments: [LinearModel.Kind.softmax, .gated])
    func aChangeToAnyHeaderByteIsRefused(_ kind: LinearModel.Kind) throws {
        let good = ClassifyFixtures.trainModel(kind: kind).serialized()
        let path = ClassifyFixtures.temporary("header-\(kind).qtlin")
        defer { unlink(path) }
        for offset in 0..<48 {
            for flip: UInt8 in [0x01, 0x80] {
                var bytes = good
                bytes[offset] ^= flip
                try FileIO.writeAtomically(bytes, to: path)
                #expect {
                    _ = try LinearModel(contentsOf: path)
                } throws: { error in
                    (error as? QingtingError)?.code == .invalidModel && (error as? QingtingError)?.location == path
                }
            }
        }
    }

    /// The committed models are what the writer makes of their weights (format, header, checksum),
    /// so retraining with the same data reproduces them byte for byte.
    @Test(arguments: ["sentiment", "intent"])
    func theShippedModelsAreWhatTheWriterWrites(_ name: String) throws {
        let path = "\(ClassifyFixtures.root)/Models/\(name).qtlin"
        #expect(try LinearModel(contentsOf: path).serialized() == FileIO.read(path))
    }

    /// The shipped pair with the sentiment model's char n-gram maximum set to 7: the sentiment
    /// file is refused, and the intent file (which is fine) is not blamed.
    @Test func aBadSentimentHeaderIsBlamedOnTheSentimentModel() throws {
        var bytes = try FileIO.read("\(ClassifyFixtures.root)/Models/sentiment.qtlin")
        bytes[29] = 7
        let path = ClassifyFixtures.temporary("orders.qtlin")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        for intents in [false, true] {
            #expect {
                _ = try ClassifyResources.postAnalyzer(segmenter: ClassifyFixtures.segmenter, modelPath: path,
                                                       intentModelPath: "\(ClassifyFixtures.root)/Models/intent.qtlin",
                                                       intents: intents)
            } throws: { error in
                (error as? QingtingError)?.location == path && "\(error)".contains("checksum")
            }
        }
    }

    @Test func aModelOfAnotherFeatureSpaceIsRefused() throws {
        let model = ClassifyFixtures.trainModel()  // 2^16 buckets
        // Features hashed into fewer buckets than the model has cannot be unfolded.
        #expect(throws: QingtingError.self) {
            _ = try SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(bits: 14), model: model)
        }
        // Other n-gram orders are another feature space.
        var config = FeatureExtractor.Configuration()
        config.bucketBits = 16
        config.charOrders = 1...2
        let other = Featurizer(segmenter: ClassifyFixtures.segmenter, extractor: FeatureExtractor(configuration: config),
                               lexicon: ClassifyFixtures.lexicon)
        #expect(throws: QingtingError.self) { _ = try SentimentAnalyzer(featurizer: other, model: model) }
    }

    @Test func featuresHashedIntoMoreBucketsFoldOntoTheModel() throws {
        let model = ClassifyFixtures.trainModel()  // 2^16 buckets
        let wide = try SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(bits: 20), model: model)
        let exact = try SentimentAnalyzer(featurizer: ClassifyFixtures.featurizer(bits: 16), model: model)
        for (_, text) in ClassifyFixtures.texts + [(0, "完全没想到会这么差")] {
            #expect(wide.analyze(text).probabilities == exact.analyze(text).probabilities, "\(text)")
        }
    }
}

@Suite struct CrossValidationTests {
    @Test func foldsAreNearEqualDeterministicAndSpreadOut() {
        let fold = CrossValidation.folds(count: 23, folds: 5, seed: 9)
        let sizes = (0..<5).map { k in fold.filter { $0 == k }.count }
        #expect(sizes.max()! - sizes.min()! <= 1 && sizes.reduce(0, +) == 23)
        #expect(fold == CrossValidation.folds(count: 23, folds: 5, seed: 9))
        #expect(fold != CrossValidation.folds(count: 23, folds: 5, seed: 10))
        // A shuffle, not blocks: the first fifth of a corpus (one label, if it is sorted) is spread
        // over several folds instead of being one fold.
        #expect(Set(fold.prefix(5)).count > 1)
    }

    @Test func eachExampleIsPredictedByTheModelThatDidNotSeeIt() {
        let featurizer = ClassifyFixtures.featurizer()
        let examples = ClassifyFixtures.texts.map { (label: $0.0, features: featurizer.featurize($0.1)) }
        var config = LinearTrainer.Configuration()
        config.kind = .gated
        config.validationFraction = 0
        config.epochs = 5
        config.learningRate = 0.2
        let trainer = LinearTrainer(configuration: config)
        let labels = SentimentLabel.allCases.map(\.rawValue)
        let features = featurizer.extractor.configuration
        let fold = CrossValidation.folds(count: examples.count, folds: 3, seed: 1)
        let predicted = CrossValidation.predictions(trainer: trainer, examples: examples, labels: labels, features: features,
                                                    fold: fold)
        for k in 0..<3 {
            let train = examples.indices.filter { fold[$0] != k }
            let model = trainer.train(train.map { examples[$0] }, labels: labels, features: features).0
            for i in examples.indices where fold[i] == k {
                let p = model.probabilities(examples[i].features)
                #expect(predicted[i] == p.indices.max { p[$0] < p[$1] }!, "\(ClassifyFixtures.texts[i].1)")
            }
        }
        // Folds train concurrently; the result does not depend on their order.
        #expect(predicted == CrossValidation.predictions(trainer: trainer, examples: examples, labels: labels,
                                                         features: features, fold: fold))
    }
}

@Suite struct CueLexiconTests {
    func cues(_ text: String) -> [CueLexicon.Cue] {
        ClassifyFixtures.lexicon.cues(in: ClassifyFixtures.segmenter.tokenize(text))
    }

    @Test func negationFlipsACue() {
        let plain = cues("这个很满意")
        #expect(plain.map(\.polarity) == [.positive])
        let negated = cues("这个不满意")
        #expect(negated.count == 1)
        #expect(negated[0].polarity == .negative && negated[0].negated)
        // Punctuation closes the scope: the second clause is not negated.
        #expect(cues("不是我说，真好用").last?.polarity == .positive)
    }

    @Test func emojiAreNeverNegated() {
        let angry = cues("再也不买了😡")
        #expect(angry.map(\.polarity) == [.negative])
        #expect(angry.first?.negated == false)
    }

    @Test func degreeScalesAndDoubleNegativeCancels() {
        let strong = cues("太差了").first!, weak = cues("有点差").first!
        #expect(strong.strength > weak.strength)
        #expect(cues("不是不好").first?.polarity == .positive)
    }

    @Test func negatedCuesChangeTheFeatures() {
        let f = ClassifyFixtures.featurizer()
        #expect(Set(f.featurize("好用").cueBuckets) != Set(f.featurize("不好用").cueBuckets))
    }

    @Test func aTwoWordTermWrittenWithASpaceMatchesItsTokens() throws {
        let path = ClassifyFixtures.temporary("spaced.tsv")
        try FileIO.writeAtomically(Array("love it\tpositive\n".utf8), to: path)
        defer { unlink(path) }
        let lexicon = try CueLexicon(sentiment: path, negators: nil, degree: nil)
        let cues = lexicon.cues(in: ClassifyFixtures.segmenter.tokenize("I love it so much"))
        #expect(cues.map(\.term) == ["loveit"])
    }

    @Test func badLexiconLinesAreAllReported() throws {
        let path = ClassifyFixtures.temporary("sent.tsv")
        try FileIO.writeAtomically(Array("好\tpositive\n坏\tbad\n差\tnegative\tx\n好\tpositive\n".utf8), to: path)
        defer { unlink(path) }
        #expect {
            _ = try CueLexicon(sentiment: path, negators: nil, degree: nil)
        } throws: { error in
            (error as? QingtingErrors)?.errors.compactMap(\.location) == ["\(path):2", "\(path):3", "\(path):4"]
        }
    }

    /// CRLF line ends, a byte order mark, an invalid UTF-8 line in the middle and a bad line after
    /// it, over the three files read together: every problem is listed, none quotes the file.
    @Test func theThreeFilesShareOneLinePolicy() throws {
        let sentiment = ClassifyFixtures.temporary("policy-sent.tsv")
        let negators = ClassifyFixtures.temporary("policy-neg.tsv")
        let degree = ClassifyFixtures.temporary("policy-deg.tsv")
        try FileIO.writeAtomically([0xEF, 0xBB, 0xBF] + Array("满意\tpositive\r\n失望\tnegative\t2\r\n".utf8), to: sentiment)
        try FileIO.writeAtomically(Array("不\t3\r\n没".utf8) + [0xE6, 0xB2] + Array("\t2\n别\t99\n".utf8), to: negators)
        try FileIO.writeAtomically(Array("很\t1.5\r\n超级\t很多\n".utf8), to: degree)
        defer { for path in [sentiment, negators, degree] { unlink(path) } }
        do {
            _ = try CueLexicon(sentiment: sentiment, negators: negators, degree: degree)
            Issue.record("bad lines were accepted")
        } catch let errors as QingtingErrors {
            #expect(errors.errors.map(\.description) == [
                "\(negators):2: invalid UTF-8 (byte offset 3)",
                "\(negators):3: scope in column 2 is not a whole number in 1...10",
                "\(degree):2: multiplier in column 2 is not a number in (0, 10]",
            ])
            // The messages less their paths (a temporary path may hold the digits 99 of a pid).
            let text = "\(errors)".replacing(negators, with: "").replacing(degree, with: "")
            #expect(!text.contains("99") && !text.contains("很多") && !text.contains("超级"))
        }
        try FileIO.writeAtomically(Array("不\t3\r\n".utf8), to: negators)
        try FileIO.writeAtomically(Array("很\t1.5\r\n".utf8), to: degree)
        let lexicon = try CueLexicon(sentiment: sentiment, negators: negators, degree: degree)
        #expect(lexicon.terms.mapValues { "\($0.polarity) \($0.weight)" } == ["满意": "positive 1.0", "失望": "negative 2.0"])
        #expect(lexicon.negators == ["不": 3] && lexicon.degrees == ["很": 1.5])
    }

    @Test func aDeviceIsRefusedNamingIt() {
        #expect {
            _ = try CueLexicon(sentiment: "/dev/zero", negators: nil, degree: nil)
        } throws: { "\($0)" == "/dev/zero: is a character device, not a regular file" }
    }
}

@Suite struct CorpusTests {
    @Test func missingAndUnknownLabelsAreReportedWithTheirLines() throws {
        let path = ClassifyFixtures.temporary("corpus.tsv")
        try FileIO.writeAtomically(Array("positive\t好\nno label here\nhappy\t开心\nnegative\t\n".utf8), to: path)
        defer { unlink(path) }
        #expect {
            _ = try LabeledCorpus(contentsOf: path, labels: SentimentLabel.allCases.map(\.rawValue))
        } throws: { error in
            let errors = (error as? QingtingErrors)?.errors ?? []
            return errors.compactMap(\.location) == ["\(path):2", "\(path):3", "\(path):4"]
                && errors[1].message.contains("unknown label 'happy'")
        }
    }

    @Test func reportComputesMacroF1AndConfusion() {
        var report = ClassificationReport(labels: ["a", "b"])
        for (g, p) in [(0, 0), (0, 0), (0, 1), (1, 1)] { report.add(gold: g, predicted: p) }
        #expect(report.accuracy == 0.75)
        #expect(report.precision(1) == 0.5 && report.recall(0) == 2.0 / 3)
        #expect(abs(report.macroF1 - (0.8 + 2.0 / 3) / 2) < 1e-9)
    }
}
