import OrderedCollections
import QingtingCore
import QingtingIngest
import Foundation
import Testing

/// Weibo open API payloads, platform-formats.md §1.1 (fixtures in Fixtures/weibo).
@Suite struct WeiboTests {
    @Test func statusBecomesAPostWithPlainTextAndTheWeiboTimeInUTC() throws {
        let events = Fixture.events("weibo/status.jsonl", platform: .weibo)
        let e = try #require(events.first)
        #expect(events.count == 1)
        #expect(e.platform == .weibo)
        #expect(e.eventID == "4607741009594608")
        #expect(e.kind == .post)
        #expect(e.occurredAt == 1_614_054_527_000)  // Tue Feb 23 12:28:47 +0800 2021
        #expect(e.receivedAt == Fixture.receivedAt)
        #expect(e.author?.uid == "1642909335")
        #expect(e.nickname == "小美的日常")
        #expect(e.author?.profile["location"] == .string("江苏 南京"))
        #expect(e.author?.profile["gender"] == .string("f"))
        #expect(e.text == "今天的快递终于到了 [doge]\n物流太慢了 & 客服不回 #快递#")
        #expect(e.quotedText == nil)
        #expect(e.parent == nil)
        #expect(
            e.metrics == [
                "reposts_count": .number("3"), "comments_count": .number("12"),
                "attitudes_count": .number("45"), "followers_count": .number("1520"),
            ])
        #expect(e.raw == Array(Fixture.payloads("weibo/status.jsonl")[0].utf8))
    }

    @Test func repostIsAShareWithTheAuthorsWordsApartFromTheQuotedChain() throws {
        let e = try #require(Fixture.events("weibo/repost.jsonl", platform: .weibo).first)
        #expect(e.kind == .share)
        #expect(e.eventID == "4611234567890123")
        #expect(e.parent == SocialEvent.Parent(id: "4610987654321098", post: "4610987654321098"))
        #expect(e.text == "真的好用[赞]")
        #expect(e.quotedText == "@美妆博主:这款粉底液持妆一整天")
        #expect(e.occurredAt == 1_614_993_300_000)
        #expect(e.nickname == "爱化妆的小林")
    }

    @Test func commentsListGivesAReplyToACommentAndACommentOnTheStatus() throws {
        let events = Fixture.events("weibo/comments.jsonl", platform: .weibo)
        try #require(events.count == 2)
        let reply = events[0]
        let comment = events[1]
        #expect(reply.eventID == "3317351000000001")
        #expect(reply.kind == .reply)
        #expect(reply.occurredAt == 1_306_860_625_000)  // Wed Jun 01 00:50:25 +0800 2011
        #expect(reply.parent == SocialEvent.Parent(id: "3317340000000002", post: "3317300000000000"))
        #expect(reply.author?.uid == "1404376560")
        #expect(reply.nickname == "zaku")
        #expect(reply.text == "回复@小王:我也等了一周")
        #expect(comment.eventID == "3317400000000003")
        #expect(comment.kind == .comment)
        #expect(comment.parent == SocialEvent.Parent(id: "3317300000000000", post: "3317300000000000"))
        #expect(comment.occurredAt == 1_306_886_400_000)
        #expect(comment.text == "客服态度太差，我要投诉")
        #expect(reply.raw == comment.raw)  // one batch, one raw payload
    }

    @Test func mobileCommentWithAnotherRootIsAReplyInThatThread() throws {
        let e = try #require(Fixture.events("weibo/mweibo_comment.jsonl", platform: .weibo).first)
        #expect(e.eventID == "4960000000000002")  // from the numeric id: no idstr in this shape
        #expect(e.kind == .reply)
        #expect(e.parent == SocialEvent.Parent(id: "4960000000000001", root: "4960000000000001"))
        #expect(e.occurredAt == 1_698_141_746_000)  // Tue Oct 24 18:02:26 +0800 2023
        #expect(e.text == "同款踩雷了")
    }

    @Test func mentionsTimelineGivesOneEventPerStatus() {
        let events = Fixture.events("weibo/mentions.jsonl", platform: .weibo)
        #expect(events.map(\.eventID) == ["4987000000000001", "4987000000000002"])
        #expect(events.map(\.occurredAt) == [1_704_679_200_000, 1_704_684_600_000])
        #expect(events.map(\.text) == ["@品牌官方 申请退款一直没人处理", "@品牌官方 强烈安利这款耳机"])
        #expect(events.map(\.nickname) == ["等退款的人", "耳机发烧友"])
    }

    @Test func fanServicePushesAreDMsMentionsAndFollowsKeyedBySenderAndTime() {
        let dm = Fixture.events("weibo/fanservice.jsonl", 0, platform: .weibo)
        #expect(dm.map(\.kind) == [.dm])
        #expect(dm.first?.eventID == "2134567890:1342433360")
        #expect(dm.first?.author?.uid == "2134567890")
        #expect(dm.first?.occurredAt == 1_342_433_360_000)
        #expect(dm.first?.text == "你好，我的订单什么时候发货？")

        let mention = Fixture.events("weibo/fanservice.jsonl", 1, platform: .weibo)
        #expect(mention.map(\.kind) == [.mention])
        #expect(mention.first?.text == "@品牌官方 这个功能怎么用不了？")

        let follow = Fixture.events("weibo/fanservice.jsonl", 2, platform: .weibo)
        #expect(follow.map(\.kind) == [.follow])
        #expect(follow.first?.eventID == "2134567892:1342433460")
        #expect(follow.first?.text == nil)

        // The documentation says to ignore subtypes one does not know: no event, no rejection.
        let unknown = Fixture.read("weibo/fanservice.jsonl", 3)
        #expect(unknown.events.isEmpty && unknown.rejections.isEmpty)
    }

    @Test func commercialPushItemIsTheStatusItCarriesNotTheDataID() throws {
        let e = try #require(Fixture.events("weibo/push.jsonl", platform: .weibo).first)
        #expect(e.eventID == "5014000000000001")
        #expect(e.kind == .post)
        #expect(e.occurredAt == 1_711_001_100_000)
        #expect(e.text == "想换个手机，XX和YY哪个好？")
    }

    /// A push item whose event is not `add` deletes the status it carries: its parent is that status.
    @Test func aPushDeletionAnswersTheDeletedStatus() throws {
        let add = Fixture.payloads("weibo/push.jsonl")[0]
        let delete = add.replacingOccurrences(of: #""event":"add""#, with: #""event":"delete""#)
        let outcome = Ingest.read(Payload(delete), platform: .weibo, configuration: Fixture.configuration)
        let e = try #require(outcome.events.first)
        #expect(outcome.rejections.isEmpty)
        #expect(e.kind == .delete && e.eventID == "5014000000000001:delete")
        #expect(e.parent == SocialEvent.Parent(id: "5014000000000001") && e.text == nil)
    }

    @Test func weiboTextDecodesMarkupAndEntities() {
        #expect(
            WeiboTextProbe.plain("a<br/>b<br />c &lt;d&gt; &#20013;&#x6587; &nbsp;&bogus; <img src='x' alt='[哈哈]'>")
                == "a\nb\nc <d> 中文  &bogus; [哈哈]")
    }
}

/// The HTML rule through the public path: a status whose `text` is the HTML under test.
enum WeiboTextProbe {
    static func plain(_ html: String) -> String? {
        var w = JSONWriter()
        w.object { w in
            w.member("created_at", "Tue Feb 23 12:28:47 +0800 2021")
            w.member("idstr", "1")
            w.member("text", html)
            w.member("user") { w in w.object { w in w.member("idstr", "2") } }
        }
        return Ingest.read(Payload(w.text), platform: .weibo, configuration: Fixture.configuration).events.first?.text
    }
}
