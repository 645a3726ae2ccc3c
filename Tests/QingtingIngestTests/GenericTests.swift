import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// Vendor exports through a field mapping (fixtures in Fixtures/generic).
@Suite struct GenericTests {
    static func configuration(_ mapping: String) throws -> Ingest.Configuration {
        var configuration = Fixture.configuration
        configuration.mapping = try FieldMapping.load("\(Fixture.folder)/generic/\(mapping)")
        return configuration
    }

    static func rows(_ file: String, mapping: String) throws -> [(line: Int, outcome: Ingest.Outcome)] {
        var rows: [(Int, Ingest.Outcome)] = []
        try GenericExport.read("\(Fixture.folder)/generic/\(file)", configuration: configuration(mapping)) {
            rows.append(($0, $1))
        }
        return rows
    }

    @Test func csvRowsWithAQuotedNewlineAQuotedCommaAndBadRowsReportedAtTheirLines() throws {
        let rows = try Self.rows("export.csv", mapping: "mapping.tsv")
        #expect(rows.map(\.line) == [2, 4, 5, 6])
        let first = try #require(rows[0].outcome.events.first)
        #expect(first.platform == .generic)
        #expect(first.eventID == "7301234567890123456")
        #expect(first.kind == .comment)
        #expect(
            first.author == SocialEvent.Author(platform: .generic, uid: "u1001", profile: ["nickname": .string("小张")]))
        #expect(first.text == "物流太慢了，\n等了一周还没到")
        #expect(first.occurredAt == 1_709_258_400_000)  // 2024-03-01 10:00:00 at +08:00
        #expect(first.parent == SocialEvent.Parent(id: "v9001", post: "v9001"))
        #expect(first.metrics == ["likes": .number("12")])
        #expect(
            first.raw == Array("7301234567890123456,u1001,小张,\"物流太慢了，\n等了一周还没到\",2024-03-01 10:00:00,v9001,12".utf8))

        let second = try #require(rows[1].outcome.events.first)
        #expect(second.nickname == "老王, 北京")
        #expect(second.text == #"他说"还行""#)
        #expect(second.occurredAt == 1_709_258_730_000)
        #expect(second.metrics.isEmpty)  // an empty cell is no count

        #expect(rows[2].outcome.rejections.map(\.code) == [.missingTime])
        #expect(rows[2].outcome.rejections.first?.location == "\(Fixture.folder)/generic/export.csv:5")
        #expect(rows[3].outcome.rejections.map(\.code) == [.invalidTime])
        #expect(
            rows[3].outcome.rejections.first?.description.hasPrefix("\(Fixture.folder)/generic/export.csv:6: ") == true)
    }

    @Test func jsonlRowsThroughAJSONMappingWithDottedPaths() throws {
        let rows = try Self.rows("export.jsonl", mapping: "mapping.json")
        #expect(rows.map(\.line) == [1, 2, 4])  // the blank line 3 is skipped
        let e = try #require(rows[0].outcome.events.first)
        #expect(e.eventID == "9223372036854775807")
        #expect(e.kind == .reply)
        #expect(e.author?.uid == "u77")
        #expect(e.nickname == "Vendor User")
        #expect(e.parent == SocialEvent.Parent(id: "c100", post: "p5"))
        #expect(e.occurredAt == 1_709_258_400_000)
        #expect(e.metrics == ["likes": .number("4")])
        #expect(rows[1].outcome.rejections.map(\.code) == [.invalidPayload])  // kind "shout"
        #expect(rows[2].outcome.rejections.map(\.code) == [.missingID])
        #expect(rows[2].outcome.rejections.first?.location?.hasSuffix("export.jsonl:4") == true)
    }

    @Test func aMappingFileWithMistakesReportsEveryOneAtItsLine() {
        let path = "\(Fixture.folder)/generic/bad_mapping.tsv"
        do {
            _ = try FieldMapping.load(path)
            Issue.record("the mapping was accepted")
        } catch let failure as QingtingErrors {
            #expect(failure.errors.map(\.code) == Array(repeating: .invalidMapping, count: 5))
            #expect(failure.errors.map(\.location) == [3, 5, 6, 7, 8].map { "\(path):\($0)" })
            #expect(failure.errors[1].message.contains("time_zone"))
            #expect(failure.errors[2].message.contains("unknown kind 'complaint'"))
            #expect(failure.errors[3].message.contains("unknown target 'txet'"))
            #expect(failure.errors[4].message.contains("mapped twice"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func theGenericPlatformWithoutAMappingIsRefused() {
        let outcome = Ingest.read(Payload(#"{"id":"1"}"#), platform: .generic, configuration: Fixture.configuration)
        #expect(outcome.rejections.map(\.code) == [.invalidMapping])
    }
}
