import Testing

@testable import QingtingRules

/// The text tests' shortcuts give what the plain definitions give: `sameIgnoringCase` is
/// `s.lowercased() == t.lowercased()`, and `hashtags(in:)` finds the same tags whether or not a
/// `#` byte sits inside another character.
@Suite struct ConditionTextTests {
    static let words = [
        "", "VIP", "vip", "Vip", "SVIP", "高价值客户", "高价值客戶", "偏好:手机", "偏好:手機", "兴趣:旅行", "VIP客户", "vip客户",
        "É", "é", "e\u{301}", "XÉ", "xe\u{301}", "ÉCOLE", "école", "Straße", "STRASSE", "strasse", "İ", "i\u{307}", "i",
        "\u{212A}", "k", "K", "ΣΑΣ", "σας", "Ω", "\u{2126}", "ω", "\u{F900}", "\u{8C48}", "ｖｉｐ", "ＶＩＰ", "#️⃣", "１２３",
    ]

    @Test func sameIgnoringCaseIsEqualityOfTheLowercasedStrings() {
        for s in Self.words {
            for t in Self.words {
                #expect(Condition.sameIgnoringCase(s, t) == (s.lowercased() == t.lowercased()), "\(s) / \(t)")
            }
        }
    }

    @Test func hashtagsAreFoundWithAndWithoutAHashInsideAnotherCharacter() {
        #expect(RuleEvent.hashtags(in: "没有话题") == [])
        #expect(RuleEvent.hashtags(in: "#️⃣ 只是一个符号") == [])
        #expect(RuleEvent.hashtags(in: "#双十一# 买了 #新手机 #双十一#") == ["#双十一#", "#新手机#"])
        #expect(RuleEvent.hashtags(in: "#️⃣ 然后 #话题#") == ["#话题#"])
    }
}
