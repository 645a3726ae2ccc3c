import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// The `json` rendering `qingting events` prints: stable snake_case members through JSONWriter.
@Suite struct SocialEventJSONTests {
    @Test func membersInTheirOrderWithAbsentOptionalsLeftOut() throws {
        let e = try #require(Fixture.events("weibo/comments.jsonl", platform: .weibo).first)
        let expected =
            #"{"platform":"weibo","event_id":"3317351000000001","kind":"reply","author":{"platform":"weibo","uid":"1404376560","nickname":"zaku"},"parent":{"id":"3317340000000002","post":"3317300000000000"},"text":"回复@小王:我也等了一周","occurred_at":1306860625000,"received_at":1767225600001}"#
        #expect(e.json(includeRaw: false) == expected)
        let withRaw = e.json()
        #expect(withRaw.hasPrefix(String(expected.dropLast()) + #","raw":"{\"comments\":"#))
        let parsed = try JSONValue.parse(withRaw)
        #expect(parsed["raw"]?.stringValue == Fixture.payloads("weibo/comments.jsonl")[0])
    }

    @Test func metricsAndQuotedTextAppearWhenPresentAndIdsStayStrings() throws {
        let e = try #require(Fixture.events("weibo/repost.jsonl", platform: .weibo).first)
        let json = try JSONValue.parse(e.json(includeRaw: false))
        #expect(json["event_id"] == .string("4611234567890123"))
        #expect(json["quoted_text"] == .string("@美妆博主:这款粉底液持妆一整天"))
        #expect(
            json["metrics"]
                == .object([
                    "reposts_count": .number("0"), "comments_count": .number("0"),
                    "attitudes_count": .number("2"), "followers_count": .number("88"),
                ]))
        #expect(json["occurred_at"] == .number("1614993300000"))
    }
}
