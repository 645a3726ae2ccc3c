import CSupport
import Testing

@Suite struct NormalizeTests {
    struct Result { var text: String; var spans: [Range<Int>]; var status: qt_status; var errorOffset: Int }

    func normalize(_ bytes: [UInt8], options: UInt32 = UInt32(QT_NORM_NFKC | QT_NORM_CASEFOLD | QT_NORM_T2S | QT_NORM_SQUEEZE)) -> Result {
        var capacity = bytes.count + 16
        while true {
            var cps = [UInt32](repeating: 0, count: capacity), b = cps, e = cps
            var count = 0, errorOffset = 0, changed = 0
            let status = qt_normalize(bytes, bytes.count, options, 3, &cps, &b, &e, capacity, &count, &errorOffset, &changed)
            if status == QT_ERR_BUFFER_TOO_SMALL { capacity = count; continue }
            guard status == QT_OK else { return Result(text: "", spans: [], status: status, errorOffset: errorOffset) }
            let text = String(String.UnicodeScalarView(cps[..<count].compactMap(Unicode.Scalar.init)))
            return Result(text: text, spans: (0..<count).map { Int(b[$0])..<Int(e[$0]) }, status: status, errorOffset: 0)
        }
    }

    @Test func fullWidthBecomesHalfWidthAndCaseFolds() {
        let r = normalize(Array("ＡＢＣ１２３！Ｈｅｌｌｏ".utf8))
        #expect(r.text == "abc123!hello")
        #expect(r.spans[0] == 0..<3)  // one full-width letter is three bytes
    }

    @Test func traditionalBecomesSimplifiedWithoutMovingOffsets() {
        let r = normalize(Array("這個軟體".utf8))
        #expect(r.text == "这个软体")
        #expect(r.spans == [0..<3, 3..<6, 6..<9, 9..<12])
    }

    @Test func squeezesRepeatsButNotDigitsOrMasks() {
        let r = normalize(Array("哈哈哈哈哈1000000 138****1234".utf8))
        #expect(r.text == "哈哈哈1000000 138****1234")
        #expect(r.spans[2] == 6..<15)  // the last kept 哈 covers the squeezed ones
    }

    @Test func combiningSequencesCompose() {
        let r = normalize(Array("e\u{301}x".utf8))
        #expect(r.text == "éx")
        #expect(r.spans == [0..<3, 3..<4])
    }

    @Test func invalidUTF8NamesTheByteOffset() {
        var bytes = Array("好的".utf8)
        bytes.append(0xFF)
        bytes += Array("x".utf8)
        let r = normalize(bytes)
        #expect(r.status == QT_ERR_INVALID_UTF8)
        #expect(r.errorOffset == 6)
        for bad in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xBD]] as [[UInt8]] {
            var offset = 0
            #expect(qt_utf8_validate(bad, bad.count, &offset) == QT_ERR_INVALID_UTF8)
            #expect(offset == 0)
        }
    }

    @Test func classifiesEmojiHanAndDigits() {
        let cps: [UInt32] = [0x1F621, 0x4E2D, 0x31, 0x61, 0x3002, 0x200D, 0x20]
        var classes = [UInt8](repeating: 0, count: cps.count)
        qt_classify(cps, cps.count, &classes)
        #expect(classes == [UInt8(QT_CLASS_EMOJI.rawValue), UInt8(QT_CLASS_HAN.rawValue), UInt8(QT_CLASS_DIGIT.rawValue),
                            UInt8(QT_CLASS_LETTER.rawValue), UInt8(QT_CLASS_PUNCT.rawValue),
                            UInt8(QT_CLASS_EMOJI_PART.rawValue), UInt8(QT_CLASS_SPACE.rawValue)])
    }

    @Test func icuWordBreaksAndPinyin() {
        let cps = "我们今天去北京".unicodeScalars.map(\.value)
        var bounds = [UInt32](repeating: 0, count: cps.count + 1)
        var n = 0
        #expect(qt_icu_word_breaks(cps, cps.count, &bounds, bounds.count, &n) == QT_OK)
        #expect(bounds.first == 0 && bounds[n - 1] == UInt32(cps.count) && n > 2)
        let input = Array("王小明".utf8)
        var out = [UInt8](repeating: 0, count: 64)
        var written = 0
        #expect(qt_icu_transliterate("Han-Latin; Latin-ASCII", input, input.count, &out, 64, &written) == QT_OK)
        #expect(String(decoding: out[..<written], as: UTF8.self) == "wang xiao ming")
    }
}
