import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// X API v2 and Account Activity payloads, platform-formats.md §1.6 (fixtures in Fixtures/x).
@Suite struct XTests {
    @Test func postsOfADataArrayWithTheirAuthorsFromIncludes() throws {
        let events = Fixture.events("x/posts.jsonl", platform: .x)
        try #require(events.count == 3)
        let post = events[0]
        let reply = events[1]
        let repost = events[2]
        #expect(post.eventID == "1460323737035677698")
        #expect(post.kind == .post)
        #expect(post.occurredAt == 1_559_689_928_000)  // 2019-06-04T23:12:08.000Z
        #expect(post.author?.uid == "2244994945")
        #expect(post.nickname == "Some One")
        #expect(post.author?.profile["username"] == .string("someone"))
        #expect(post.parent == nil)
        #expect(post.metrics["impression_count"] == .number("812"))
        #expect(post.metrics["followers_count"] == .number("431"))

        #expect(reply.kind == .reply)
        #expect(reply.occurredAt == 1_559_690_400_120)  // milliseconds kept
        #expect(reply.parent == SocialEvent.Parent(id: "1460323737035677698", post: "1460323737035677698"))
        #expect(reply.nickname == "Brand Support")

        #expect(repost.kind == .share)
        #expect(repost.occurredAt == 1_559_696_400_000)  // no fraction
        #expect(repost.text == nil)
        #expect(repost.quotedText == "RT @someone: Ordered a phone 10 days ago and it still has not shipped.")
        #expect(repost.author?.profile.isEmpty == true)  // not in includes.users
    }

    @Test func accountActivityDirectMessageWithItsMillisecondStringTime() throws {
        let e = try #require(Fixture.events("x/activity.jsonl", 0, platform: .x).first)
        #expect(e.eventID == "954491830116155396")
        #expect(e.kind == .dm)
        #expect(e.occurredAt == 1_392_078_023_603)
        #expect(e.author?.uid == "3001969357")
        #expect(e.nickname == "Jordan Brinks")
        #expect(e.text == "Hello World!")
    }

    @Test func accountActivityTweetInTheVersionOnePointOneShape() throws {
        let e = try #require(Fixture.events("x/activity.jsonl", 1, platform: .x).first)
        #expect(e.eventID == "1050118621198921728")
        #expect(e.kind == .reply)
        #expect(e.occurredAt == 1_539_202_764_000)  // Wed Oct 10 20:19:24 +0000 2018
        #expect(e.parent == SocialEvent.Parent(id: "1050118621198921700"))
        #expect(e.author?.uid == "6253282")
        #expect(e.author?.profile["username"] == .string("TwitterAPI"))
    }
}
