import QingtingCore
import QingtingIngest
import Testing

/// The time formats, checked through payloads whose answers were computed with Python's datetime.
@Suite struct EventTimeTests {
    static func weiboTime(_ createdAt: String) -> Int64? {
        let payload = #"{"created_at":"\#(createdAt)","idstr":"1","user":{"idstr":"2"}}"#
        return Ingest.read(Payload(payload), platform: .weibo, configuration: Fixture.configuration).events.first?
            .occurredAt
    }

    static func xTime(_ createdAt: String) -> Int64? {
        let payload = #"{"data":{"id":"1","text":"t","author_id":"2","created_at":"\#(createdAt)"}}"#
        return Ingest.read(Payload(payload), platform: .x, configuration: Fixture.configuration).events.first?
            .occurredAt
    }

    @Test func weiboDatesWithTheirOffsetIncludingLeapDaysAndNegativeZones() {
        #expect(Self.weiboTime("Wed Jun 01 00:50:25 +0800 2011") == 1_306_860_625_000)
        #expect(Self.weiboTime("Thu Feb 29 23:59:59 +0800 2024") == 1_709_222_399_000)
        #expect(Self.weiboTime("Sat Jan 01 00:00:00 -0500 2000") == 946_702_800_000)
        #expect(Self.weiboTime("Thu Feb 30 12:00:00 +0800 2023") == nil)  // no such date
        #expect(Self.weiboTime("Xyz Jun 01 00:50:25 +0800 2011") == nil)
    }

    @Test func isoTimesWithFractionsAndOffsets() {
        #expect(Self.xTime("2019-06-04T23:12:08.000Z") == 1_559_689_928_000)
        #expect(Self.xTime("2019-06-04T23:12:08.1234567Z") == 1_559_689_928_123)
        #expect(Self.xTime("2019-06-05T07:12:08+08:00") == 1_559_689_928_000)
        #expect(Self.xTime("2019-06-05T07:12:08+0800") == 1_559_689_928_000)
        #expect(Self.xTime("2019-06-04 23:12:08Z") == 1_559_689_928_000)
        #expect(Self.xTime("2019-06-04T23:12:08") == nil)  // no zone: not guessed
    }
}
