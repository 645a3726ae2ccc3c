import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// Kuaishou, Xiaohongshu, Zhihu and Bilibili comment payloads (platform-formats.md §1.4–§1.5;
/// fixtures in Fixtures/<platform>).
@Suite struct CommentPlatformTests {
    @Test func kuaishouRootCommentAndItsSubComment() throws {
        let events = Fixture.events("kuaishou/comments.jsonl", platform: .kuaishou)
        try #require(events.count == 2)
        #expect(events[0].eventID == "752834567890123456")
        #expect(events[0].kind == .comment)
        #expect(events[0].occurredAt == 1_700_000_000_123)
        #expect(events[0].author?.uid == "3xabcdef123456")
        #expect(events[0].nickname == "快手老铁")
        #expect(events[0].text == "这个锅质量怎么样")
        #expect(events[0].metrics["likedCount"] == .number("12"))
        #expect(events[1].eventID == "752834567890123999")
        #expect(events[1].kind == .reply)
        #expect(events[1].parent == SocialEvent.Parent(id: "752834567890123456", root: "752834567890123456"))
        #expect(events[1].occurredAt == 1_700_000_100_456)
    }

    @Test func xiaohongshuCommentAndSubCommentWithCountsWrittenAsStrings() throws {
        let events = Fixture.events("xiaohongshu/comments.jsonl", platform: .xiaohongshu)
        try #require(events.count == 2)
        let top = events[0]
        let sub = events[1]
        #expect(top.eventID == "65a1b2c3d4e5f60718293a4b")
        #expect(top.kind == .comment)
        #expect(top.parent == SocialEvent.Parent(id: "659f0e1d2c3b4a5968778695", post: "659f0e1d2c3b4a5968778695"))
        #expect(top.occurredAt == 1_705_000_000_000)
        #expect(top.author?.uid == "5f1e2d3c4b5a69788796a5b4")
        #expect(top.nickname == "小红薯A1B2")
        #expect(top.author?.profile["ip_location"] == .string("上海"))
        #expect(top.metrics == ["like_count": .number("128"), "sub_comment_count": .number("1")])
        #expect(sub.kind == .reply)
        #expect(
            sub.parent
                == SocialEvent.Parent(
                    id: "65a1b2c3d4e5f60718293a4b", root: "65a1b2c3d4e5f60718293a4b",
                    post: "659f0e1d2c3b4a5968778695"))
        #expect(sub.text == "同问")
    }

    @Test func zhihuCommentAndReplyFromTheExportModel() throws {
        let comment = try #require(Fixture.events("zhihu/comments.jsonl", 0, platform: .zhihu).first)
        #expect(comment.eventID == "10928374650")
        #expect(comment.kind == .comment)
        #expect(comment.occurredAt == 1_711_111_111_000)
        #expect(comment.parent == SocialEvent.Parent(id: "3344556677", post: "3344556677"))
        #expect(comment.author?.uid == "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6")
        #expect(comment.nickname == "知乎用户")
        let reply = try #require(Fixture.events("zhihu/comments.jsonl", 1, platform: .zhihu).first)
        #expect(reply.kind == .reply)
        #expect(reply.parent == SocialEvent.Parent(id: "10928374650", post: "3344556677"))
    }

    @Test func bilibiliCommentAndNestedReplyAboveTwoToTheFiftyThree() throws {
        let events = Fixture.events("bilibili/replies.jsonl", platform: .bilibili)
        try #require(events.count == 2)
        let top = events[0]
        let reply = events[1]
        #expect(top.eventID == "3800580565")
        #expect(top.kind == .comment)
        #expect(top.occurredAt == 1_607_575_785_000)
        #expect(top.author?.uid == "486825549")
        #expect(top.nickname == "哔哩哔哩用户")
        #expect(top.parent == SocialEvent.Parent(id: "455017605", post: "455017605"))
        #expect(top.text == "up主推荐的耳机买了，音质真的可以")
        #expect(top.metrics == ["like": .number("35"), "rcount": .number("1")])
        #expect(reply.eventID == "9007199254740993")  // 2^53 + 1: a Double would give …992
        #expect(reply.kind == .reply)
        #expect(reply.parent == SocialEvent.Parent(id: "3800580565", root: "3800580565", post: "455017605"))
    }

    @Test func bilibiliPrivateMessageKeepsItsMsgKeyAndARecallIsADelete() throws {
        let dm = try #require(Fixture.events("bilibili/messages.jsonl", 0, platform: .bilibili).first)
        #expect(dm.eventID == "7354295169819585966")
        #expect(dm.kind == .dm)
        #expect(dm.occurredAt == 1_711_000_000_000)
        #expect(dm.author?.uid == "486825549")
        #expect(dm.text == "你好，请问链接里的耳机是什么型号")
        let recalled = try #require(Fixture.events("bilibili/messages.jsonl", 1, platform: .bilibili).first)
        #expect(recalled.kind == .delete)
        #expect(recalled.eventID == "7354295169819585967:recall")
    }
}
