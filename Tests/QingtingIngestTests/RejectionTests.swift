import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// Every rejection reason, with its stable code, and the rule that no message quotes personal data.
@Suite struct RejectionTests {
    static let tables = [
        "weibo", "wechat", "wecom", "douyin", "kuaishou", "xiaohongshu", "zhihu", "bilibili", "x",
        "facebook", "instagram",
    ]

    /// The string values of a payload (JSON strings, XML text) that an error must never quote.
    static func personalStrings(_ payload: String) -> [String] {
        if payload.hasPrefix("<") {
            return payload.split(whereSeparator: { $0 == "<" || $0 == ">" || $0 == "[" || $0 == "]" })
                .map(String.init).filter {
                    $0.count >= 2 && !$0.hasPrefix("/") && !$0.hasPrefix("!") && $0.contains { !$0.isASCII }
                }
        }
        guard let value = try? JSONValue.parse(payload) else { return [] }
        var out: [String] = []
        func walk(_ v: JSONValue) {
            switch v {
            // Names and message texts: non-ASCII or spaced. Enum-like values ("comment", "text") may
            // legitimately appear in a path such as value.comment_id.
            case .string(let s) where s.count >= 2 && (s.contains { !$0.isASCII } || s.contains(" ")): out.append(s)
            case .array(let items): items.forEach(walk)
            case .object(let members): members.values.forEach(walk)
            default: break
            }
        }
        walk(value)
        return out
    }

    @Test(arguments: tables)
    func eachPlatformsRejectionTable(platform: String) throws {
        let table = Fixture.rejections("\(platform)/rejects.txt")
        try #require(!table.isEmpty)
        for (code, payload) in table {
            let outcome = Ingest.read(
                Payload(payload), platform: try Platform(name: platform), configuration: Fixture.configuration)
            #expect(outcome.events.isEmpty, "\(platform) \(code): \(outcome.events)")
            #expect(outcome.rejections.map(\.code.rawValue) == [code], "\(platform): \(outcome.rejections)")
            for error in outcome.rejections {
                for personal in Self.personalStrings(payload) {
                    #expect(!error.description.contains(personal), "\(platform) \(code) quotes the payload: \(error)")
                }
            }
        }
    }

    @Test func theMessageNamesThePlaceOfTheOffendingValue() {
        let payload =
            #"{"comments":[{"created_at":"Wed Jun 01 00:50:25 +0800 2011","idstr":"1","user":{"idstr":"2"},"status":{"idstr":"3"}},{"created_at":"yesterday","idstr":"4","user":{"idstr":"5"},"status":{"idstr":"3"}}]}"#
        let outcome = Ingest.read(Payload(payload), platform: .weibo, configuration: Fixture.configuration)
        #expect(outcome.events.map(\.eventID) == ["1"])  // the good item of the batch is kept
        #expect(outcome.rejections.map(\.code) == [.invalidTime])
        #expect(
            outcome.rejections.first?.message
                == "comments[1].created_at is not a Weibo date (Wed Jun 01 00:50:25 +0800 2011)")
    }

    @Test func anUnknownPlatformNameIsRefusedWithTheKnownNames() {
        #expect(
            throws: QingtingError(
                .unknownPlatform,
                "unknown platform 'weixin' (known: weibo, wechat, wecom, douyin, kuaishou, xiaohongshu, zhihu, bilibili, x, facebook, instagram, generic)"
            )
        ) {
            try Platform(name: "weixin")
        }
        #expect(
            Platform.allCases.map(\.rawValue) == [
                "weibo", "wechat", "wecom", "douyin", "kuaishou", "xiaohongshu", "zhihu",
                "bilibili", "x", "facebook", "instagram", "generic",
            ])
    }

    @Test func malformedJSONIsRefusedWithItsByteOffset() throws {
        let outcome = Ingest.read(Payload(#"{"idstr":"1","text":"半截"#), configuration: Fixture.configuration)
        let error = try #require(outcome.rejections.first)
        #expect(error.code == .invalidJSON)
        #expect(error.byteOffset != nil)
        #expect(!error.description.contains("半截"))
        #expect(
            Ingest.read(Payload("   "), configuration: Fixture.configuration).rejections.map(\.code) == [.invalidJSON])
    }

    @Test func invalidUTF8IsRefusedWithTheOffsetOfTheFirstBadByte() {
        let bytes = Array(#"{"text":"ok"#.utf8) + [0xE4, 0xBD] + Array(#""}"#.utf8)  // a truncated 你
        let outcome = Ingest.read(Payload(bytes), platform: .weibo, configuration: Fixture.configuration)
        #expect(outcome.rejections == [QingtingError(.invalidUTF8, "payload is not valid UTF-8", byteOffset: 11)])
    }

    @Test func aPayloadOverTheLimitIsRefusedBeforeAnyByteIsRead() {
        // 50 MB of invalid UTF-8: refused for its size, so neither validation nor parsing ran.
        let huge = [UInt8](repeating: 0xFF, count: 50_000_000)
        let outcome = Ingest.read(Payload(huge), configuration: Fixture.configuration)
        #expect(
            outcome.rejections == [
                QingtingError(.payloadTooLarge, "payload of 50000000 bytes is over the limit of 8388608 bytes")
            ])
        #expect(outcome.platform == nil)
    }

    @Test func theSizeLimitIsConfigurable() {
        let payload = Fixture.payloads("wechat/messages.xml")[0]
        var configuration = Fixture.configuration
        configuration.maxPayloadBytes = payload.utf8.count
        #expect(Ingest.read(Payload(payload), configuration: configuration).events.count == 1)
        configuration.maxPayloadBytes = payload.utf8.count - 1
        #expect(
            Ingest.read(Payload(payload), configuration: configuration).rejections.map(\.code) == [.payloadTooLarge])
    }

    @Test func theFutureToleranceIsRelativeToTheCallersNow() {
        let payload = #"{"created_at":"Thu Jan 01 08:10:00 +0800 2026","idstr":"1","user":{"idstr":"2"}}"#  // now + 10 min
        #expect(Ingest.read(Payload(payload), configuration: Fixture.configuration).events.count == 1)
        var strict = Fixture.configuration
        strict.futureToleranceMillis = 60_000
        #expect(Ingest.read(Payload(payload), configuration: strict).rejections.map(\.code) == [.futureTime])
    }
}
