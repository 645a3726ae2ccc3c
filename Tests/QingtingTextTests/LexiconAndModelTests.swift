import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

@Suite struct UserLexiconTests {
    @Test func everyBadLineIsReportedWithPathAndLine() {
        let text = "# comment\n好词\t100\n\t5\n坏词\tlots\n😡\t1\n好词\t3\n"
        #expect {
            _ = try UserLexicon.parse(text, path: "dict.tsv")
        } throws: { error in
            let lines = (error as? QingtingErrors)?.errors.map { $0.location ?? "" } ?? []
            return lines == ["dict.tsv:3", "dict.tsv:4", "dict.tsv:5", "dict.tsv:6"]
                && "\(error)".contains("dict.tsv:4: weight in column 2 is not a number >= 0")
                && !"\(error)".contains("lots") && !"\(error)".contains("好词")
        }
    }

    @Test func anEntryMergesAndAZeroWeightRemoves() throws {
        let plain = Segmenter(model: Fixtures.model)
        #expect(plain.tokenize("闭眼冲").count > 1)
        let entries = try UserLexicon.parse("闭眼冲\n中国\t0\n", path: "t.tsv")
        let custom = Segmenter(model: Fixtures.model, lexicon: UserLexicon(entries: entries, totalCount: Fixtures.model.totalCount))
        #expect(custom.tokenize("闭眼冲").map(\.text) == ["闭眼冲"])
        #expect(plain.tokenize("中国").map(\.text) == ["中国"])
        #expect(custom.tokenize("中国").map(\.text) == ["中", "国"])
    }

    @Test func spacesInATermForceASplit() throws {
        let entries = try UserLexicon.parse("南京市 长江大桥\t100000\n", path: "t.tsv")
        let custom = Segmenter(model: Fixtures.model, lexicon: UserLexicon(entries: entries, totalCount: Fixtures.model.totalCount))
        #expect(custom.tokenize("南京市长江大桥").map(\.text) == ["南京市", "长江大桥"])
    }

    @Test func loadingReportsInvalidUTF8ByLine() throws {
        let path = Fixtures.temporaryPath("bad.tsv")
        try FileIO.writeAtomically(Array("好\n".utf8) + [0xFF, 0x0A], to: path)
        defer { unlink(path) }
        #expect {
            _ = try UserLexicon(contentsOf: path, model: Fixtures.model)
        } throws: { "\($0)".contains("\(path):2: invalid UTF-8") }
    }
}

@Suite struct SegmentModelTests {
    func trained() -> SegmentModel {
        var trainer = SegmentTrainer()
        trainer.add(goldLine: "迈向/v  充满/v  希望/n  的/u  新/a  世纪/n")
        trainer.add(goldLine: "１９９８年/t  新年/t  讲话/n  希望/n")
        return trainer.model()
    }

    @Test func trainedModelRoundTripsThroughItsFile() throws {
        let model = trained()
        let path = Fixtures.temporaryPath("m.qtseg")
        try model.write(to: path)
        defer { unlink(path) }
        let loaded = try SegmentModel(contentsOf: path)
        #expect(loaded.wordCount == 9)
        #expect(loaded.serialized() == model.serialized())
        #expect(loaded.cost(of: "希望")! < loaded.cost(of: "讲话")!)
        #expect(loaded.cost(of: "2001年") != nil)  // numbers are one key: any number + 年
        #expect(Segmenter(model: loaded).tokenize("迈向新世纪").map(\.text) == ["迈向", "新", "世纪"])
    }

    @Test func theShippedModelIsWhatTheWriterWrites() throws {
        #expect(Fixtures.model.serialized() == (try FileIO.read("\(Fixtures.root)/Models/segment.qtseg")))
    }

    @Test func trainingIsDeterministic() {
        #expect(trained().serialized() == trained().serialized())
    }

    /// Every byte of the fixed header is covered: a change to any one of them (the unknown-atom
    /// cost, the word and token counts included) refuses the file, naming it.
    @Test func aChangeToAnyHeaderByteIsRefused() throws {
        let good = trained().serialized()
        let path = Fixtures.temporaryPath("header.qtseg")
        defer { unlink(path) }
        for offset in 0..<48 {  // the fixed header
            for flip: UInt8 in [0x01, 0x80] {
                var bytes = good
                bytes[offset] ^= flip
                try FileIO.writeAtomically(bytes, to: path)
                #expect {
                    _ = try SegmentModel(contentsOf: path)
                } throws: { error in
                    (error as? QingtingError)?.code == .invalidModel && (error as? QingtingError)?.location == path
                }
            }
        }
    }

    @Test func aVersionOneModelIsRefusedWithARequestToRetrain() throws {
        var bytes = trained().serialized()
        bytes[8] = 1
        let path = Fixtures.temporaryPath("v1.qtseg")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        #expect {
            _ = try SegmentModel(contentsOf: path)
        } throws: { "\($0)".contains("\(path): segment model format version 1") && "\($0)".contains("retrain") }
    }

    @Test(arguments: ["truncated", "magic", "version", "checksum"])
    func corruptFilesAreRefused(_ damage: String) throws {
        var bytes = trained().serialized()
        switch damage {
        case "truncated": bytes.removeLast(10)
        case "magic": bytes[0] = 0x58
        case "version": bytes[8] = 9
        default: bytes[bytes.count - 1] ^= 0xFF
        }
        let path = Fixtures.temporaryPath("bad-\(damage).qtseg")
        try FileIO.writeAtomically(bytes, to: path)
        defer { unlink(path) }
        #expect {
            _ = try SegmentModel(contentsOf: path)
        } throws: { error in
            (error as? QingtingError)?.code == .invalidModel && (error as? QingtingError)?.location == path
        }
    }
}

@Suite struct FeatureExtractorTests {
    @Test func countsAndRangesMatchTheConfiguration() {
        var configuration = FeatureExtractor.Configuration()
        configuration.bucketBits = 20
        let extractor = FeatureExtractor(configuration: configuration)
        let tokens = Fixtures.segmenter.tokenize("客服态度太差😡")  // 客服 态度 太 差 😡
        let features = extractor.features(of: tokens)
        // 5 word unigrams + 4 bigrams; Han run 客服态度太差 has 6 + 5 + 4 char n-grams.
        #expect(features.count == 9 + 15)
        #expect(features.allSatisfy { $0 < 1 << 20 })
        #expect(extractor.features(of: tokens) == features)
    }

    @Test func aRepeatedFeatureCountsOnce() {
        let extractor = FeatureExtractor()
        let once = extractor.features(of: Fixtures.segmenter.tokenize("太差"))
        let thrice = extractor.features(of: Fixtures.segmenter.tokenize("太差太差太差"))
        #expect(Set(thrice).count == thrice.count)
        #expect(Set(once).isSubset(of: Set(thrice)))
    }

    @Test func differentTextsGiveDifferentFeatures() {
        let extractor = FeatureExtractor()
        let a = Set(extractor.features(of: Fixtures.segmenter.tokenize("物流太慢了")))
        let b = Set(extractor.features(of: Fixtures.segmenter.tokenize("质量很好")))
        #expect(a.isDisjoint(with: b))
        #expect(FeatureExtractor.wordID("客服") != FeatureExtractor.wordID("客户"))
    }
}

@Suite struct GoldScoringTests {
    @Test func posTagsAreStrippedAndSpansScored() {
        #expect(GoldCorpus.words(of: "迈向/v  充满/v  1/2/m") == ["迈向", "充满", "1/2"])
        var configuration = Segmenter.Configuration()
        configuration.icuForUnknown = false
        var score = SegmentationScore()
        score.add(goldLine: "迈向/v 新/a 世纪/n", segmenter: Segmenter(model: .empty, configuration: configuration))
        #expect(score.goldWords == 3)
        #expect(score.predictedWords == 5)  // an empty model cuts every Han character
        #expect(score.correctWords == 1)
        #expect(abs(score.f1 - 2 * (0.2 * (1.0 / 3)) / (0.2 + 1.0 / 3)) < 1e-9)
    }
}
