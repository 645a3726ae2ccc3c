import OrderedCollections
import QingtingCore
import Testing

@Suite struct JSONWriterTests {
    @Test func membersAndElementsComeOutInTheOrderWritten() {
        var w = JSONWriter()
        w.object { w in
            w.member("z", 1)
            w.member("text", "引号\"和\\反斜杠\n")
            w.member("p", 0.90, digits: 4)
            w.member("empty") { w in w.object { _ in } }
            w.member("list") { w in w.array([3, 1, 2]) { w, n in w.int(n) } }
            w.member("nested") { w in w.array(["a"]) { w, s in w.object { w in w.member("s", s); w.key("n"); w.null() } } }
            w.member("raw", raw: "[true]")
            w.member("absent", ifPresent: nil as Int?)
            w.member("present", ifPresent: 5 as Int?)
        }
        #expect(w.text == #"{"z":1,"text":"引号\"和\\反斜杠\n","p":0.9,"empty":{},"list":[3,1,2],"nested":[{"s":"a","n":null}],"raw":[true],"present":5}"#)
    }

    @Test func aValueIsWrittenWithItsMembersInOrder() throws {
        let v: JSONValue = .object(["b": .number("1e3"), "a": .array([.bool(false), .string("x")])])
        var w = JSONWriter()
        w.array([v, .null]) { w, item in w.value(item) }
        #expect(w.text == #"[{"b":1e3,"a":[false,"x"]},null]"#)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSON.quoted("a\u{01}\tb\r") == #""a\u0001\tb\r""#)
    }
}

@Suite struct NumberFormatTests {
    @Test(arguments: [
        (0.9, 4, "0.9"), (2.0, 4, "2"), (0.000049, 6, "0.000049"), (0.0000004, 6, "0"), (-1.25, 1, "-1.3"),
        (-0.04, 1, "0"), (12345.678, 2, "12345.68"), (1e12, 0, "1000000000000"), (Double.nan, 2, "0"),
    ])
    func rounded(_ x: Double, _ digits: Int, _ expected: String) {
        #expect(NumberFormat.rounded(x, digits) == expected)
    }

    @Test(arguments: [(0.9, 4, "0.9000"), (0.000049, 6, "0.000049"), (3.0, 2, "3.00"), (-0.5, 2, "-0.50"), (7.0, 0, "7")])
    func fixed(_ x: Double, _ digits: Int, _ expected: String) {
        #expect(NumberFormat.fixed(x, digits) == expected)
    }

    @Test func floatsRoundInFloatArithmetic() {
        #expect(NumberFormat.rounded(Float(0.93124), 4) == "0.9312")
        #expect(NumberFormat.rounded(Float(1), 4) == "1")
        #expect(NumberFormat.metric(.nan) == "n/a")
    }
}

@Suite struct ErrorModelTests {
    struct Inner: EngineError {
        var code = ErrorCode("disk")
        var message = "no space left"
        var location: String? = nil
        var cause: (any Error)? = nil
        var rpcCode = -32603
    }

    @Test func anErrorSaysWhereWhatAndItsCause() {
        let e = QingtingError(.store, "cannot save the run", location: "links.db", cause: Inner())
        #expect(e.description == "links.db: cannot save the run: no space left")
        #expect((e.cause as? Inner)?.message == "no space left")
        #expect(e.rpcCode == -32603)
        #expect(QingtingError(.invalidJSON, "unexpected character", byteOffset: 3).description == "unexpected character (byte offset 3)")
    }

    @Test func inputErrorsAreInvalidParamsAndTheRestInternal() {
        #expect(QingtingError(.invalidInput, "no uid").rpcCode == -32602)
        #expect(QingtingError(.invalidUTF8, "bad byte").rpcCode == -32602)
        #expect(QingtingError(.invalidModel, "checksum mismatch").rpcCode == -32603)
        #expect(QingtingError(.io, "cannot open", location: "a") == QingtingError(.io, "cannot open", location: "a", cause: Inner()))
    }
}
