import QingtingText
import Testing
import QingtingCore

/// Golden segmentations with the shipped model and user lexicon. Word tokens print bare; other
/// kinds print as text/kind.
@Suite struct SegmenterGoldenTests {
    @Test(arguments: [
        ("客服态度太差，我要投诉", "客服 态度 太 差 ,/punctuation 我 要 投诉"),
        ("刚种草了这款口红，结果踩雷了", "刚 种草 了 这 款 口红 ,/punctuation 结果 踩雷 了"),
        ("#双十一# 冲冲冲 @小米客服 你好", "#双十一#/hashtag 冲 冲 冲 @小米客服/mention 你好"),
        ("官网 https://www.mi.com/shop?id=1 看看", "官网 https://www.mi.com/shop?id=1/url 看看"),
        ("我的手机号138****1234，邮箱wang.xm@163.com",
         "我 的 手机 号 138****1234/phone ,/punctuation 邮箱 wang.xm@163.com/email"),
        ("好评！等了半个月终于到了😡👍🏻", "好评 !/punctuation 等 了 半 个 月 终于 到 了 😡/emoji 👍🏻/emoji"),
        ("這款手機的電池續航太差了", "这 款 手机 的 电池 续航 太 差 了"),
        ("哈哈哈哈哈哈yyds!!!!!!", "哈哈哈 yyds !!!/punctuation"),
        ("ＩＰＨＯＮＥ１５降价了５０％", "iphone15 降价 了 50%/number"),
        ("一九九八年新年讲话", "一九九八年 新年 讲话"),
        ("#OOTD 今日穿搭", "#ootd/hashtag 今日 穿 搭"),
        ("电话 +86 138-1234-5678 或 ****5678", "电话 +86 138-1234-5678/phone 或 ****5678/phone"),
        ("👨‍👩‍👧家庭🇨🇳", "👨‍👩‍👧/emoji 家庭 🇨🇳/emoji"),
    ])
    func golden(_ input: String, _ expected: String) {
        #expect(Fixtures.render(input) == expected)
    }

    @Test func spansPointIntoTheOriginalBytes() {
        let text = "這個ＡＰＰ哈哈哈哈哈很好"
        let tokens = Fixtures.segmenter.tokenize(text)
        let bytes = Array(text.utf8)
        // Tokens tile the text (no spaces here) and each span decodes to the source of its text.
        #expect(tokens.first?.range.lowerBound == 0)
        #expect(tokens.last?.range.upperBound == bytes.count)
        for (a, b) in zip(tokens, tokens.dropFirst()) { #expect(a.range.upperBound == b.range.lowerBound) }
        let app = tokens.first { $0.text == "app" }!
        #expect(String(decoding: bytes[app.range], as: UTF8.self) == "ＡＰＰ")
        let laugh = tokens.first { $0.text == "哈哈哈" }!
        #expect(String(decoding: bytes[laugh.range], as: UTF8.self) == "哈哈哈哈哈")
    }

    @Test func emptyAndBlankTextGiveNoTokens() throws {
        #expect(Fixtures.segmenter.tokenize("").isEmpty)
        #expect(Fixtures.segmenter.tokenize("   \t ").isEmpty)
    }

    @Test func invalidUTF8IsAnErrorWithItsOffset() {
        var bytes = Array("你好".utf8) + [0xE4, 0x41] + Array("世界".utf8)
        #expect {
            try bytes.withUnsafeMutableBufferPointer { try Fixtures.segmenter.tokenize(utf8: UnsafeBufferPointer($0)) }
        } throws: { error in
            (error as? QingtingError)?.code == .invalidUTF8 && (error as? QingtingError)?.byteOffset == 6
        }
    }

    @Test func longLineIsSegmentedInLinearTime() {
        // 2 MB of mixed text in one line, plus pathological runs for the typed-token scanners.
        let unit = "客服态度太差😡，快递3天还没到 a.b.c.d@ 138****1234 #话题 "
        var text = String(repeating: unit, count: 2_000_000 / unit.utf8.count)
        text += String(repeating: "a.", count: 50_000) + String(repeating: "#", count: 50_000)
        let tokens = Fixtures.segmenter.tokenize(text)
        #expect(tokens.count > 400_000)
        #expect(tokens.last!.range.upperBound == text.utf8.count)
    }

    @Test func icuEngineIsTheBaseline() {
        var configuration = Segmenter.Configuration()
        configuration.engine = .icu
        let icu = Segmenter(model: Fixtures.model, configuration: configuration)
        #expect(!icu.tokenize("我们今天去北京").isEmpty)
        #expect(icu.tokenize("我们今天去北京").map(\.text).joined() == "我们今天去北京")
    }

    @Test func serviceNumbersArePhoneTokens() {
        let tokens = Fixtures.segmenter.tokenize("客服热线400-820-8820 打95588 投诉12315 4008208820 座机010-12345678 共12345元 10000步")
        let phones = tokens.filter { $0.kind == .phone }.map(\.text)
        #expect(phones == ["400-820-8820", "95588", "12315", "4008208820", "010-12345678"])
    }
}
