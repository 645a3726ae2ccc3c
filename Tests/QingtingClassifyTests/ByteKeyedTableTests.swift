import Testing
@testable import QingtingClassify

@Suite struct ByteKeyedTableTests {
    @Test func findsSingleAndJoinedKeysByTheirBytes() {
        let table = ByteKeyedTable(["踩雷": 1, "不": 2, "yyds": 3, "😡": 4])
        #expect(table["踩雷"] == 1)
        #expect(table["踩", "雷"] == 1)
        #expect(table["踩雷", ""] == 1)
        #expect(table["", "yyds"] == 3)
        #expect(table["😡"] == 4)
        #expect(table["踩"] == nil)
        #expect(table["不", "好"] == nil)
        #expect(table["yy", "d"] == nil)
        #expect(ByteKeyedTable<Int>([:])["不"] == nil)
    }

    @Test func holdsManyKeysWithoutLosingAny() {
        var entries: [String: Int] = [:]
        for i in 0..<5000 { entries["词\(i)"] = i }
        let table = ByteKeyedTable(entries)
        // `Optional(i)`: with a bare `i`, `table[…] == i` type-checks to a comparison that is never true.
        #expect((0..<5000).allSatisfy { i in table["词\(i)"] == Optional(i) })
        #expect((0..<5000).allSatisfy { i in table["词", "\(i)"] == Optional(i) })
        #expect(table["词5000"] == nil)
    }
}
