import OrderedCollections
import QingtingCore
import QingtingStore
import Testing

/// How a feed body, a rule-state entry or a subject is cleaned, and the redaction record's form.
@Suite struct ScrubTests {
    @Test func exactIdsAreRenamedNeedlesCutAndNotesDropped() throws {
        let scrub = CRMStore.Scrub(exact: ["C1": "~erased-1", "weibo:55": "weibo:~ab"],
                                   needles: ["客服态度太差", "13812345678", "x"], dropped: ["note"])
        let body = #"{"to":"group:service","text":"weibo comment: 客服态度太差，我要投诉","post":{"text":"客服态度太差，我要投诉","seq":3},"why":{"authors":{"weibo:55":2,"C1":1}},"record":"C1","note":"她的电话 13812345678","keep":"C10"}"#
        let cleaned = try #require(scrub.json(body))
        let value = try JSONValue.parse(cleaned)
        #expect(value["text"] == .string("weibo comment: [redacted]"))
        #expect(value["post"]?["text"] == .string("[redacted]") && value["post"]?["seq"] == .number("3"))
        #expect(value["why"]?["authors"] == .object(["weibo:~ab": .number("2"), "~erased-1": .number("1")]))
        #expect(value["record"] == .string("~erased-1") && value["keep"] == .string("C10"))
        #expect(value["note"] == nil && value["to"] == .string("group:service"))
        // A one-character needle cuts nothing inside other strings, but a string that is it goes.
        #expect(scrub.json(#"{"to":"xy","n":1}"#) == nil)
        #expect(scrub.text("x") == CRMStore.Scrub.marker)
        #expect(scrub.text("ticket for C1") == "ticket for C1" && scrub.text("C1") == "~erased-1")
    }

    @Test func aRedactionReadsBackAsWritten() throws {
        let r = CRMStore.Redaction(reason: "retention", at: 1_767_225_600_000, textLength: 12, hashtags: ["#双十一#"])
        #expect(r.json == ##"{"reason":"retention","at":1767225600000,"text_length":12,"hashtags":["#双十一#"]}"##)
        #expect(CRMStore.Redaction(json: r.json) == r)
        #expect(CRMStore.Redaction(json: "{}") == nil)
    }
}
