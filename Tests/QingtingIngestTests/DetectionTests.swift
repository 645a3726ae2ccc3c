import QingtingCore
import QingtingIngest
import Testing

/// Recognizing the platform from a payload's shape, and refusing a payload given with the wrong one.
@Suite struct DetectionTests {
    static let samples: [(fixture: String, index: Int, platform: Platform)] = [
        ("weibo/status.jsonl", 0, .weibo), ("weibo/comments.jsonl", 0, .weibo),
        ("weibo/mweibo_comment.jsonl", 0, .weibo),
        ("weibo/mentions.jsonl", 0, .weibo), ("weibo/fanservice.jsonl", 0, .weibo), ("weibo/push.jsonl", 0, .weibo),
        ("wechat/messages.xml", 0, .wechat), ("wechat/events.xml", 0, .wechat),
        ("wecom/callbacks.xml", 0, .wecom), ("wecom/callbacks.xml", 2, .wecom), ("wecom/archive.jsonl", 0, .wecom),
        ("wecom/detail.jsonl", 0, .wecom),
        ("douyin/im.jsonl", 0, .douyin), ("douyin/comments.jsonl", 0, .douyin), ("douyin/verify.jsonl", 0, .douyin),
        ("kuaishou/comments.jsonl", 0, .kuaishou), ("xiaohongshu/comments.jsonl", 0, .xiaohongshu),
        ("zhihu/comments.jsonl", 0, .zhihu), ("bilibili/replies.jsonl", 0, .bilibili),
        ("bilibili/messages.jsonl", 0, .bilibili),
        ("x/posts.jsonl", 0, .x), ("x/activity.jsonl", 0, .x), ("x/activity.jsonl", 1, .x),
        ("facebook/feed.jsonl", 0, .facebook), ("facebook/messenger.jsonl", 0, .facebook),
        ("instagram/webhooks.jsonl", 0, .instagram), ("instagram/webhooks.jsonl", 1, .instagram),
    ]

    @Test func everyFixtureIsRecognizedAsItsOwnPlatformOnly() throws {
        for sample in Self.samples {
            let payload = Payload(Fixture.payloads(sample.fixture)[sample.index])
            #expect(try Platform.detect(payload) == sample.platform, "\(sample.fixture)[\(sample.index)]")
            #expect(Ingest.read(payload, configuration: Fixture.configuration).platform == sample.platform)
        }
    }

    @Test func aPayloadGivenWithAnotherPlatformIsRefusedAsSuch() {
        for sample in Self.samples {
            let payload = Payload(Fixture.payloads(sample.fixture)[sample.index])
            for other in Platform.allCases where other != sample.platform && other != .generic {
                let outcome = Ingest.read(payload, platform: other, configuration: Fixture.configuration)
                #expect(outcome.events.isEmpty, "\(sample.fixture) as \(other)")
                #expect(outcome.rejections.map(\.code) == [.wrongPlatform], "\(sample.fixture) as \(other)")
            }
        }
        let outcome = Ingest.read(
            Payload(Fixture.payloads("bilibili/replies.jsonl")[0]), platform: .weibo,
            configuration: Fixture.configuration)
        #expect(outcome.rejections.first?.message == "the payload has the shape of a bilibili payload, not weibo")
    }

    @Test func aShapeOfNoPlatformIsUndetectedWithAClearMessage() {
        #expect(
            throws: QingtingError(
                .undetectedPlatform, "the payload has none of the documented platform shapes; name its platform")
        ) {
            try Platform.detect(Payload(#"{"message":"hello","ts":1}"#))
        }
        #expect(
            Ingest.read(Payload("[1,2,3]"), configuration: Fixture.configuration).rejections.map(\.code) == [
                .undetectedPlatform
            ])
        #expect(
            Ingest.read(Payload("<html><body>hi</body></html>"), configuration: Fixture.configuration)
                .rejections.map(\.code) == [.undetectedPlatform])
    }

    @Test func detectionReportsThePayloadsOwnErrorFirst() {
        #expect(throws: QingtingError.self) { try Platform.detect(Payload("{")) }
        do {
            _ = try Platform.detect(Payload("<xml><a></xml>"))
            Issue.record("accepted")
        } catch let error as QingtingError {
            #expect(error.code == .invalidXML)
        } catch {
            Issue.record("\(error)")
        }
    }
}
