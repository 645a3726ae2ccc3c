import Testing
@testable import QingtingText

@Suite struct JSONValueTests {
    @Test func parsesObjectsAndKeepsNumberLiterals() throws {
        let v = try JSONValue.parse(#" {"id": 4417882345678901234, "text": "好评", "x": [1.5e3, true, null, {}]} "#)
        #expect(v["id"] == .number("4417882345678901234"))
        #expect(v["text"]?.stringValue == "好评")
        #expect(v["x"] == .array([.number("1.5e3"), .bool(true), .null, .object([:])]))
        var out = ""
        v["id"]!.appendJSON(to: &out)
        #expect(out == "4417882345678901234")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONValue.parse(#""a\"b\\c\/\n\t\u5ba2\u670d\ud83d\ude21""#)
        #expect(v == .string("a\"b\\c/\n\t客服😡"))
    }

    @Test(arguments: [
        (#"{"a":1,}"#, 7), (#"{"a" 1}"#, 5), ("[1 2]", 3), ("01", 0), (#""\ud83d""#, 7), (#""\x""#, 2),
        ("tru", 0), (#"{"a":1} x"#, 8), ("\"a\u{01}\"", 2), ("", 0), ("-", 1),
    ])
    func reportsTheOffsetOfTheFirstError(text: String, offset: Int) {
        #expect {
            _ = try JSONValue.parse(text)
        } throws: { error in
            let e = error as? TextError
            return e?.code == .invalidJSON && e?.byteOffset == offset
        }
    }

    @Test func refusesInvalidUTF8InStringsAndDeepNesting() {
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(throws: TextError.self) { try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: TextError.self) { try JSONValue.parse(deep) }
    }

    @Test func ideographFastPathAgreesWithTheUnicodeProperty() {
        let disagreeing = (UInt32(0)...0x3_1350).compactMap(Unicode.Scalar.init).filter {
            FeatureExtractor.isIdeograph($0) != $0.properties.isIdeographic
        }
        #expect(disagreeing.isEmpty)
    }
}
