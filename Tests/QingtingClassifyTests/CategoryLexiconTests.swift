import Foundation
import QingtingClassify
import QingtingText
import Testing
import QingtingCore

/// Category extraction with the shipped `Lexicons/categories.tsv`: names, models across several
/// tokens, Traditional characters, brands and weak words decided by context, service numbers,
/// mentions and hashtags, and spans into the original text.
@Suite struct CategoryLexiconTests {
    static let lexicon = try! CategoryLexicon(contentsOf: "\(ClassifyFixtures.root)/Lexicons/categories.tsv",
                                              segmenter: ClassifyFixtures.segmenter)

    func category(_ text: String) -> (name: String, span: String, kind: CategoryLexicon.Kind)? {
        guard let match = Self.lexicon.category(in: ClassifyFixtures.segmenter.tokenize(text)) else { return nil }
        let bytes = Array(text.utf8)
        return (match.category, String(decoding: bytes[match.range], as: UTF8.self), match.kind)
    }

    @Test func aModelNameSpanningTokensNamesItsCategoryWithItsSpan() throws {
        let found = try #require(category("我想买iPhone 15 Pro，哪个颜色好看"))
        #expect(found.name == "手机")
        #expect(found.span == "iPhone 15")
        #expect(found.kind == .model)
    }

    @Test func traditionalCharactersAndCaseAreNormalizedFirst() {
        #expect(category("蘋果手機真貴")?.name == "手机")
        #expect(category("AIRPODS 丢了一只")?.name == "耳机")
    }

    @Test func aBrandOfSeveralCategoriesIsDecidedByContextOrLeftUnset() {
        #expect(category("兰蔻这个色号太显白了")?.name == "口红")
        #expect(category("兰蔻这个色号太显白了")?.span == "兰蔻")
        #expect(category("兰蔻用了一个月，保湿效果一般")?.name == "护肤品")
        #expect(category("这苹果好甜，果肉也脆")?.name == "水果")
        #expect(category("兰蔻真不错") == nil)
        #expect(category("苹果的售后太差了") == nil)
    }

    @Test func aNameWinsOverABrandAndTextWithoutOneHasNone() {
        #expect(category("华为的平板用着挺顺手")?.name == "平板")
        #expect(category("物流太慢了，三天还没到") == nil)
    }

    @Test func aWeakWordNamesItsCategoryOnlyWhenNothingElseDoes() {
        #expect(category("周末开车去海边，路上全是油菜花")?.name == "汽车")
        #expect(category("周末开车去海边，路上全是油菜花")?.kind == .weak)
        #expect(category("司机绕路，多收了我二十块")?.name == "网约车")
        #expect(category("开车去酒店的路上堵了一小时")?.name == "酒店")
        #expect(category("顺丰寄的耳机压坏了")?.name == "耳机")
    }

    @Test func aWeakWordOfSeveralCategoriesIsDecidedByContextOrLeftUnset() {
        #expect(category("单车押金退了三个月还没到账")?.name == "共享单车")
        #expect(category("这辆单车真不错") == nil)
    }

    @Test func serviceNumbersMentionsAndHashtagsAreLookedUpAsWords() {
        #expect(category("12306又崩了，买不到回家的票")?.name == "高铁票")
        #expect(category("@Ryanair charged me €55 at the gate")?.name == "机票")
        #expect(category("#小米SU7# 终于到了")?.name == "汽车")
        #expect(category("#小米SU7# 终于到了")?.span == "#小米SU7#")
    }

    @Test func weakIsAKindTheLoaderAccepts() throws {
        let path = NSTemporaryDirectory() + "qingting-categories-weak-\(getpid()).tsv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "车\t汽车\tweak\n酒店\t酒店\tname\n".write(toFile: path, atomically: true, encoding: .utf8)
        let lexicon = try CategoryLexicon(contentsOf: path, segmenter: ClassifyFixtures.segmenter)
        #expect(lexicon.category(in: ClassifyFixtures.segmenter.tokenize("开着车去酒店"))?.category == "酒店")
        #expect(lexicon.category(in: ClassifyFixtures.segmenter.tokenize("开着车去海边"))?.category == "汽车")
    }

    @Test func badLinesAreReportedWithTheirPlace() throws {
        let path = NSTemporaryDirectory() + "qingting-categories-\(getpid()).tsv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "手机\t手机\tname\n耳机\t耳机\tgadget\nX\t\tbrand\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try CategoryLexicon(contentsOf: path, segmenter: ClassifyFixtures.segmenter)
            Issue.record("bad lines were accepted")
        } catch let errors as QingtingErrors {
            #expect(errors.errors.map(\.location) == ["\(path):2", "\(path):3"])
        }
    }

    @Test func aCRLFFileWithAByteOrderMarkReads() throws {
        let path = NSTemporaryDirectory() + "qingting-categories-crlf-\(getpid()).tsv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xEF, 0xBB, 0xBF] + Array("手机\t手机\tname\r\n耳机\t耳机\tname\r\n".utf8)).write(to: URL(fileURLWithPath: path))
        let lexicon = try CategoryLexicon(contentsOf: path, segmenter: ClassifyFixtures.segmenter)
        #expect(lexicon.count == 2)
        #expect(lexicon.category(in: ClassifyFixtures.segmenter.tokenize("想买个耳机"))?.category == "耳机")
        #expect(lexicon.category(in: ClassifyFixtures.segmenter.tokenize("手机不错"))?.category == "手机")
    }
}
