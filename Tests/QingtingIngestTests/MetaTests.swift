import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// Facebook Page and Instagram webhooks, platform-formats.md §1.7 (fixtures in Fixtures/facebook,
/// Fixtures/instagram).
@Suite struct MetaTests {
    @Test func feedBatchOfTwoEntriesGivesACommentAndAReply() throws {
        let events = Fixture.events("facebook/feed.jsonl", 0, platform: .facebook)
        try #require(events.count == 2)
        let post = "448242228374517_122131676912594941"
        #expect(events[0].eventID == "122131676912594941_1213590066982748")
        #expect(events[0].kind == .comment)
        #expect(events[0].occurredAt == 1_742_667_604_000)
        #expect(events[0].author?.uid == "24593133306976378")
        #expect(events[0].nickname == "Customer One")
        #expect(events[0].parent == SocialEvent.Parent(id: post, post: post))
        #expect(events[0].text == "Where is my order? Nobody answers.")
        #expect(events[1].kind == .reply)
        #expect(events[1].parent == SocialEvent.Parent(id: "122131676912594941_1213590066982748", post: post))
    }

    @Test func anEditedCommentIsAnEditEventOfItsOwn() throws {
        let e = try #require(Fixture.events("facebook/feed.jsonl", 1, platform: .facebook).first)
        #expect(e.kind == .edit)
        #expect(e.eventID == "122131676912594941_1213590066982748:edited:1742668000")
        #expect(e.occurredAt == 1_742_668_000_000)  // when it was edited (entry.time), not created
        #expect(e.text == "Where is my order? Found it, thanks.")
    }

    @Test func messengerMessageTimesAreMillisecondsAndDeliveriesAreNoEvents() throws {
        let events = Fixture.events("facebook/messenger.jsonl", platform: .facebook)
        let e = try #require(events.first)
        #expect(events.count == 1)
        #expect(e.eventID == "mid.1457764197618:41d102a3e1ae206a38")
        #expect(e.kind == .dm)
        #expect(e.occurredAt == 1_457_764_197_627)
        #expect(e.author?.uid == "1254459154682919")
        #expect(e.text == "hello, world!")
    }

    @Test func instagramCommentReplyAndAMentionWithoutAnAuthor() throws {
        let comments = Fixture.events("instagram/webhooks.jsonl", 0, platform: .instagram)
        try #require(comments.count == 2)
        #expect(comments[0].eventID == "17919697626119712")
        #expect(comments[0].kind == .comment)
        #expect(comments[0].occurredAt == 1_727_000_000_000)
        #expect(
            comments[0].author
                == SocialEvent.Author(
                    platform: .instagram, uid: "232323232",
                    profile: ["username": .string("makeup_lover")]))
        #expect(comments[0].parent == SocialEvent.Parent(id: "17887498072083520", post: "17887498072083520"))
        #expect(comments[1].kind == .reply)
        #expect(comments[1].parent == SocialEvent.Parent(id: "17919697626119712", post: "17887498072083520"))

        let mention = try #require(Fixture.events("instagram/webhooks.jsonl", 1, platform: .instagram).first)
        #expect(mention.kind == .mention)
        #expect(mention.eventID == "17894227972186120")
        #expect(mention.author == nil)
        #expect(mention.parent == SocialEvent.Parent(id: "17918195224117851", post: "17918195224117851"))
        #expect(mention.occurredAt == 1_727_000_500_000)
    }
}
