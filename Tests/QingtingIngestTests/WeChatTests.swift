import OrderedCollections
import QingtingCore
import QingtingIngest
import Testing

/// WeChat Official Account pushes, platform-formats.md §1.2 (fixtures in Fixtures/wechat).
@Suite struct WeChatTests {
    @Test func textMessageKeepsTheSixtyFourBitMsgIdAndItsCDATAContent() throws {
        let e = try #require(Fixture.events("wechat/messages.xml", 0, platform: .wechat).first)
        #expect(e.eventID == "6349323426230210995")  // > 2^53: a Double would give …0210996
        #expect(e.kind == .dm)
        #expect(e.author == SocialEvent.Author(platform: .wechat, uid: "ogdotwSc_MmEEsJs9-ABZ1QL_4r4"))
        #expect(e.occurredAt == 1_348_831_860_000)
        #expect(e.text == "我的订单到哪了？<急> & 谢谢")
        #expect(e.parent == nil)
    }

    @Test func voiceMessageTextIsItsRecognitionAndAnImageHasNone() {
        let voice = Fixture.events("wechat/messages.xml", 1, platform: .wechat)
        #expect(voice.map(\.eventID) == ["5836982729904121632"])
        #expect(voice.map(\.text) == ["快递三天了还没发货"])
        let image = Fixture.events("wechat/messages.xml", 2, platform: .wechat)
        #expect(image.map(\.kind) == [.dm])
        #expect(image.map(\.text) == [nil])
    }

    @Test(arguments: [
        (0, EventKind.follow, "1700000000"), (1, .click, "1700000100"), (2, .view, "1700000200"),
        (3, .unfollow, "1700000300"),
    ])
    func eventsAreKeyedByOpenIDAndCreateTime(index: Int, kind: EventKind, createTime: String) throws {
        let e = try #require(Fixture.events("wechat/events.xml", index, platform: .wechat).first)
        #expect(e.kind == kind)
        #expect(e.eventID == "ogdotwSc_MmEEsJs9-ABZ1QL_4r4:\(createTime)")
        #expect(e.occurredAt == Int64(createTime)! * 1000)
        #expect(e.text == nil)
    }
}

/// WeCom payloads, platform-formats.md §1.3 (fixtures in Fixtures/wecom).
@Suite struct WeComTests {
    @Test func addingACustomerIsAFollowOfTheStaffMember() throws {
        let e = try #require(Fixture.events("wecom/callbacks.xml", 0, platform: .wecom).first)
        #expect(e.kind == .follow)
        #expect(e.author?.uid == "woAJ2GCAAAXtWyujaWJHDDGi0mAAAA")
        #expect(e.parent == SocialEvent.Parent(id: "zhangsan"))
        #expect(e.occurredAt == 1_403_610_513_000)
        #expect(e.eventID == "add_external_contact:zhangsan:woAJ2GCAAAXtWyujaWJHDDGi0mAAAA:1403610513")
    }

    @Test func deletionAndTheThirdPartyEditForm() {
        let removed = Fixture.events("wecom/callbacks.xml", 1, platform: .wecom)
        #expect(removed.map(\.kind) == [.unfollow])
        let edited = Fixture.events("wecom/callbacks.xml", 2, platform: .wecom)
        #expect(edited.map(\.kind) == [.edit])
        #expect(edited.map(\.occurredAt) == [1_403_610_700_000])  // TimeStamp, the suite form's time
        #expect(edited.first?.author?.uid == "woAJ2GCAAAXtWyujaWJHDDGi0mACCCC")
    }

    @Test func archivedMessageTimesAreMillisecondsAndARecallIsADelete() throws {
        let dm = try #require(Fixture.events("wecom/archive.jsonl", 0, platform: .wecom).first)
        #expect(dm.eventID == "10958372969718811103_1603875609_external")
        #expect(dm.kind == .dm)
        #expect(dm.occurredAt == 1_547_087_894_783)
        #expect(dm.author?.uid == "wmErxtDgAA9AW32YyyuYRimKr7D1KWlw")
        #expect(dm.text == "请问这个冰箱保修几年？")
        #expect(dm.parent == nil)  // roomid "" is a 1:1 chat

        let recall = try #require(Fixture.events("wecom/archive.jsonl", 1, platform: .wecom).first)
        #expect(recall.kind == .delete)
        #expect(
            recall.parent
                == SocialEvent.Parent(
                    id: "10958372969718811103_1603875609_external",
                    post: "wrx7RnDwAAQ1cHJHTV6Pmv4Ly5cVOH2A"))
        let switched = Fixture.read("wecom/archive.jsonl", 2, platform: .wecom)
        #expect(switched.events.isEmpty && switched.rejections.isEmpty)
    }

    @Test func customerDetailCarriesTheUnionidAndNotTheStaffTypedPhones() throws {
        let e = try #require(Fixture.events("wecom/detail.jsonl", platform: .wecom).first)
        #expect(e.kind == .follow)
        #expect(e.eventID == "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA:rocky")
        #expect(e.occurredAt == 1_525_779_812_000)
        #expect(e.author?.uid == "woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA")
        #expect(e.author?.profile["unionid"] == .string("ozynqsulJFCZ2z1aYeS8h-nuasdAAA"))
        #expect(e.nickname == "李四")
        #expect(!e.json(includeRaw: false).contains("13800000001"))
    }
}
