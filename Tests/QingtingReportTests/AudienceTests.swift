import QingtingCore
import Testing

@testable import QingtingReport

/// Normalization and hashing against the platforms' documented examples and hand-computed
/// digests (`printf %s VALUE | sha256sum`, `| md5sum`), and each format's file.
@Suite struct AudienceTests {
    @Test func contactsAreNormalizedAsThePlatformsDocument() {
        // E-mail: trimmed (Meta also strips dots at the ends) and lower-cased.
        #expect(AudienceContact.email("  Wang@QQ.com \n") == "wang@qq.com")
        #expect(AudienceContact.email("dana@example.com.") == "dana@example.com")
        #expect(AudienceContact.email("no-at-sign") == nil)
        #expect(AudienceContact.email("a@b@c") == nil)
        #expect(AudienceContact.email("a b@c.com") == nil)
        // TikTok's (and Meta's) example: symbols dropped, the country code put in front.
        #expect(AudienceContact.e164("(657)777-0000", countryCode: "1") == "+16577770000")
        #expect(AudienceContact.e164("16577770000", countryCode: "1") == "+16577770000")
        // Google's example: E.164 with its "+".
        #expect(AudienceContact.e164("+1 800 5550101") == "+18005550101")
        // A bare mainland mobile gets 86; 00 is the international prefix; a trunk 0 goes.
        #expect(AudienceContact.e164("138 1234 0001") == "+8613812340001")
        #expect(AudienceContact.e164("8613812340001") == "+8613812340001")
        #expect(AudienceContact.e164("0086-138-1234-0001") == "+8613812340001")
        #expect(AudienceContact.e164("+86 138 1234 0001") == "+8613812340001")
        #expect(AudienceContact.e164("021-6123 4567") == "+862161234567")
        #expect(AudienceContact.e164("12") == nil)
        #expect(AudienceContact.mainlandMobile("+8613812340001") == "13812340001")
        #expect(AudienceContact.mainlandMobile("+862161234567") == nil)
        #expect(AudienceContact.mainlandMobile("+18005550101") == nil)
    }

    @Test func hashesMatchTheDocumentedAndHandComputedDigests() {
        // Tencent's documented examples (HASH_IMEI, HASH_IDFA): MD5, 32 lower-case hex digits.
        #expect(AudienceContact.md5("a000002c9060f7") == "f2d5a650733ca8c27d502b1c08da14e5")
        #expect(AudienceContact.md5("FF1999CD-7177-4937-A474-74937A102630") == "2c010ed96aef2fc34983e1e7e9176b7e")
        // printf %s 13812340001 | md5sum / sha256sum, and so on.
        #expect(AudienceContact.md5("13812340001") == "e094f50d15ea42da5df1a54894decd5d")
        #expect(AudienceContact.sha256("13812340001") == "82a7624c073758cc8ea060cef84887cb881ccce7e76ebe16c5ca2fdec761cf36")
        #expect(AudienceContact.sha256("8613812340001") == "8bd3f2a84790e1f2bc85f8d0a732e9f24ba9ac23119749866620420232f49af7")
        #expect(AudienceContact.sha256("+8613812340001") == "9954a716832d7a56653a0f9e4613e510e2f5d2ba4742106cf8a43364acc7e7cf")
        #expect(AudienceContact.sha256("+18005550101") == "61d6c2976b5d92b1ad63073a12fddd26040cd980067d03a93dd1cc50f1a3ac68")
        #expect(AudienceContact.sha256("dana@example.com") == "07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3")
        #expect(AudienceContact.sha256("16577770000") == "8d7bdaaf75196f351d22942fc0dd79304ffabc3eaf3339460ef9da0773e3aec2")
    }

    @Test func eachFormatHashesItsOwnNormalization() throws {
        let phone = "+8613812340001", mail = " Wang@QQ.com "
        let wang = "8e1d51520a00536a0462c105aefd6cbba1541112fceb8fd51b6a62351314125e"  // sha256("wang@qq.com")
        // Meta: digits with country code, no "+".
        #expect(AudienceFormat.meta.record(phone: phone, email: mail, idType: "EMAIL_PHONE")
            == wang + ",8bd3f2a84790e1f2bc85f8d0a732e9f24ba9ac23119749866620420232f49af7")
        // Google: E.164 with "+".
        #expect(AudienceFormat.google.record(phone: phone, email: nil, idType: "EMAIL_PHONE")
            == ",9954a716832d7a56653a0f9e4613e510e2f5d2ba4742106cf8a43364acc7e7cf")
        #expect(AudienceFormat.google.record(phone: "+1 800 5550101", email: "dana@example.com", idType: "EMAIL_PHONE")
            == "07e2f1394b0ea80e2adca010ea8318df697001a005ba7452720edda4b0ce57b3,61d6c2976b5d92b1ad63073a12fddd26040cd980067d03a93dd1cc50f1a3ac68")
        // Tencent and Ocean Engine: the 11-digit mobile.
        #expect(AudienceFormat.tencent.record(phone: phone, email: mail, idType: "HASH_MOBILE_PHONE") == "e094f50d15ea42da5df1a54894decd5d")
        #expect(AudienceFormat.tencent.record(phone: phone, email: nil, idType: "SHA256_MOBILE_PHONE")
            == "82a7624c073758cc8ea060cef84887cb881ccce7e76ebe16c5ca2fdec761cf36")
        #expect(AudienceFormat.oceanengine.record(phone: phone, email: nil, idType: "MOBILE_HASH_SHA256")
            == "82a7624c073758cc8ea060cef84887cb881ccce7e76ebe16c5ca2fdec761cf36")
        // No contact the format matches on.
        #expect(AudienceFormat.meta.record(phone: nil, email: "broken", idType: "EMAIL_PHONE") == nil)
        #expect(AudienceFormat.tencent.record(phone: "+18005550101", email: mail, idType: "HASH_MOBILE_PHONE") == nil)
        #expect(try AudienceFormat.tencent.idType(nil) == "HASH_MOBILE_PHONE")
        #expect(try AudienceFormat.tencent.idType("sha256_mobile_phone") == "SHA256_MOBILE_PHONE")
        #expect(throws: QingtingError.self) { try AudienceFormat.meta.idType("HASH_IMEI") }
        #expect(AudienceFormat.meta.lines(["x,y"]) == ["EMAIL,PHONE", "x,y"])
        #expect(AudienceFormat.google.lines([]) == ["Email,Phone"])
    }

    /// `DmpData{idList: [{dataType: 6, id: "abc"}, {dataType: 6, id: "def"}]}` by hand: each IdItem
    /// is 10 06 (field 2, varint 6) 1a 03 "abc" (field 3, 3 bytes), wrapped as 0a 07 (field 1, 7
    /// bytes); base64 of the 18 bytes. Ids are lower-cased.
    @Test func oceanEngineLinesAreBase64ProtobufOfAtMost10000Ids() {
        let bytes = DmpData.encode(ids: ["ABC", "def"], dataType: DmpData.mobileHashSHA256)
        #expect(bytes == [0x0A, 0x07, 0x10, 0x06, 0x1A, 0x03, 0x61, 0x62, 0x63, 0x0A, 0x07, 0x10, 0x06, 0x1A, 0x03, 0x64, 0x65, 0x66])
        #expect(DmpData.base64(bytes) == "CgcQBhoDYWJjCgcQBhoDZGVm")
        #expect(DmpData.base64([]) == "" && DmpData.base64([0xFF]) == "/w==" && DmpData.base64([0xFB, 0xFF]) == "+/8=")
        // A SHA-256 id is 64 bytes: IdItem 10 06 1a 40 …, 68 bytes, so each entry starts 0a 44.
        let one = DmpData.encode(ids: [AudienceContact.sha256("13812340001")], dataType: 6)
        #expect(Array(one.prefix(4)) == [0x0A, 0x44, 0x10, 0x06] && one.count == 70)
        // A 300-byte payload needs a two-byte length varint (ac 02).
        var long: [UInt8] = []
        DmpData.bytes(3, [UInt8](repeating: 0x61, count: 300), &long)
        #expect(Array(long.prefix(3)) == [0x1A, 0xAC, 0x02])
        let ids = (0..<10_001).map { String($0) }
        #expect(AudienceFormat.oceanengine.lines(ids).count == 2)
        #expect(AudienceFormat.tencent.lines(ids).count == 10_001)
    }
}
