import QingtingCore
import Testing

@Suite struct CSVTests {
    @Test func splitsQuotedFieldsWithEscapedQuotesAndTrims() {
        #expect(CSV.splitLine(#"id, name ,"a, ""b""",,x"y"#) == ["id", "name", #"a, "b""#, "", #"x"y"#])
        #expect(CSV.splitLine("a,b\r") == ["a", "b"])
        #expect(CSV.splitLine("") == [""])
    }
}

@Suite struct CSVRecordTests {
    @Test func aRecordIsIncompleteWhileAQuotedFieldIsOpen() {
        #expect(CSV.splitRecord(#"1,"第一行"#) == nil)
        #expect(CSV.splitRecord("1,\"第一行\n第二行\",x") == ["1", "第一行\n第二行", "x"])
        #expect(CSV.splitRecord(#"1,a"b,c"#) == ["1", #"a"b"#, "c"])
    }
}
