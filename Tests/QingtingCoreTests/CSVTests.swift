import QingtingCore
import Testing

@Suite struct CSVTests {
    @Test func splitsQuotedFieldsWithEscapedQuotesAndTrims() {
        #expect(CSV.splitLine(#"id, name ,"a, ""b""",,x"y"#) == ["id", "name", #"a, "b""#, "", #"x"y"#])
        #expect(CSV.splitLine("a,b\r") == ["a", "b"])
        #expect(CSV.splitLine("") == [""])
    }
}
