import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// Douyin webhooks, platform-formats.md §1.4 (fixtures in Fixtures/douyin).
@Suite struct DouyinTests {
    @Test func privateMessageTimesAreMillisecondsAndTheSenderNicknameComesFromUserInfos() throws {
        let e = try #require(Fixture.events("douyin/im.jsonl", 0, platform: .douyin).first)
        #expect(e.kind == .dm)
        #expect(e.eventID == "@c29bfc000+MNggFhRkwGuX1ntuc0RPc0VHyC3Xj7Pvq1a==")
        #expect(e.occurredAt == 1_682_387_710_123)
        #expect(e.author?.uid == "ac6479a5-d7a6-4018-84be-c29bfc00000")
        #expect(e.nickname == "爱吃火锅")
        #expect(
            e.parent?.id == "@c29bfc000+MNggFhRkwGuX1ntuc0QfA0VnmRejrzWUBwDdDYrU9MpJSYEVV6/2hKU0il5iay8J99+0t5j3zrbA==")
        #expect(e.text == "直播间那款耳机还有货吗")
    }

    @Test func contentAsAJSONStringIsReadAndTheMsgIdHeaderIsTheIdWhenThereIsNoOther() throws {
        let e = try #require(
            Fixture.events("douyin/im.jsonl", 1, platform: .douyin, headers: ["Msg-Id": "7a1b2c3d-msg-0001"]).first)
        #expect(e.eventID == "7a1b2c3d-msg-0001")
        #expect(e.occurredAt == 1_682_387_799_000)
        #expect(e.text == "有的，今晚八点补货")
        #expect(e.author?.uid == "aaa-7ae0-4399-914a-5eb1df5861ba")
    }

    @Test func commentTimesAreSecondsAndAReplyAnswersTheComment() throws {
        let comment = try #require(Fixture.events("douyin/comments.jsonl", 0, platform: .douyin).first)
        #expect(comment.kind == .comment)
        #expect(
            comment.eventID
                == "@9VwW0qOBUN9mJyD3bNxvGc791GzgOPqBPZZyoA+lKVcaZ/P860zdRmYqig357zEBTPAmauvAUsItTqnHsp+cJw==")
        #expect(comment.occurredAt == 1_682_387_710_000)
        #expect(comment.author?.uid == "bd1234a5-0000-4018-84be-c29bfc11111")
        let video = "@8hxdhauTCMppanGnM4ltGM780mDqPP+KPpR0qQOmLVAXb/T060zdRmYqig357zEBq6CZRp4NVe6qLIJW/V/x1w=="
        #expect(comment.parent == SocialEvent.Parent(id: video, post: video))
        #expect(comment.text == "这个颜色还有吗")
        #expect(comment.metrics == ["digg_count": .number("3"), "reply_comment_total": .number("0")])

        let reply = try #require(Fixture.events("douyin/comments.jsonl", 1, platform: .douyin).first)
        #expect(reply.kind == .reply)
        #expect(reply.parent == SocialEvent.Parent(id: comment.eventID, post: video))
        #expect(reply.occurredAt == 1_682_387_800_000)
    }

    @Test func theVerificationHandshakeIsNoEvent() {
        let outcome = Fixture.read("douyin/verify.jsonl")
        #expect(outcome.platform == .douyin)
        #expect(outcome.events.isEmpty && outcome.rejections.isEmpty)
    }
}
