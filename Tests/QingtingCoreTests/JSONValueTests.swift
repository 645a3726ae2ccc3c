import OrderedCollections
import Testing
@testable import QingtingCore
import QingtingCore

@Suite struct JSONValueTests {
    @Test func parsesObjectsAndKeepsNumberLiterals() throws {
        let v = try JSONValue.parse(#" {"id": 4417882345678901234, "text": "好评", "x": [1.5e3, true, null, {}]} "#)
        #expect(v["id"] == .number("4417882345678901234"))
        #expect(v["text"]?.stringValue == "好评")
        #expect(v["x"] == .array([.number("1.5e3"), .bool(true), .null, .object([:])]))
        let out = v["id"]!.jsonText
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
            let e = error as? QingtingError
            return e?.code == .invalidJSON && e?.byteOffset == offset
        }
    }

    @Test func refusesInvalidUTF8InStringsAndDeepNesting() {
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(throws: QingtingError.self) { try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) } }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: QingtingError.self) { try JSONValue.parse(deep) }
    }

    @Test func objectsKeepMemberOrderAndCompareAsSets() throws {
        let text = #"{"z":1,"a":{"y":true,"b":null},"m":[1,"x"]}"#
        let v = try JSONValue.parse(text)
        #expect(v.jsonText == text)
        #expect(v == (try JSONValue.parse(#"{"a":{"b":null,"y":true},"m":[1,"x"],"z":1}"#)))
        #expect(v.hashValue == (try JSONValue.parse(#"{"m":[1,"x"],"a":{"y":true,"b":null},"z":1}"#)).hashValue)
        #expect(v != (try JSONValue.parse(#"{"z":1,"a":{"y":true,"b":null},"m":["x",1]}"#)))
    }

    @Test func aRepeatedKeyKeepsItsFirstPlaceAndItsLastValue() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#).jsonText == #"{"a":3,"b":2}"#)
    }
}
