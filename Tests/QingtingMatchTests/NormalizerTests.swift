import QingtingMatch
import Testing

@Suite struct NormalizerTests {
    let context = TransformContext(cities: try! CityLexicon(tsv: """
        # test lexicon
        上海\t上海市,shanghai,沪,浦东新区
        北京\t北京市,beijing,海淀区
        """, path: "test"))

    func apply(_ name: String, _ value: String) -> [String] {
        context.apply(ValueTransform(name: name)!, to: value)
    }

    @Test func phonesBecomeE164OrMaskedPatterns() {
        #expect(apply("phone_e164", "+86 138-1234-5678") == ["+8613812345678"])
        #expect(apply("phone_e164", "００８６１３８１２３４５６７８") == ["+8613812345678"])
        #expect(apply("phone_e164", "138****5678") == [])
        #expect(apply("phone_mask", "138****5678") == ["138****5678"])
        #expect(apply("phone_mask", "****5678") == ["*******5678"])
        #expect(apply("phone_mask", "1381234****") == ["1381234****"])
        #expect(apply("phone_mask", "13812345678") == ["13812345678"])
        #expect(apply("phone_mask", "call me") == [])
        #expect(apply("phone_mask", "23812345678") == [])  // not a mainland mobile
        #expect(apply("phone_key", "138****5678") == ["138|5678"])
        #expect(apply("phone_key", "****5678") == [])
        #expect(apply("phone_keys", "****5678") == ["|5678"])
        #expect(apply("phone_keys", "1381234****") == ["1381234|"])
        #expect(apply("phone_keys", "13812345678") == ["138|5678", "1381234|", "|5678"])
        #expect(apply("phone_tail_key", "****5678") == ["|5678"] && apply("phone_tail_key", "138****5678") == [])
        #expect(apply("phone_prefix:7", "1381234****") == ["1381234"] && apply("phone_prefix:7", "138****5678") == [])
        #expect(apply("phone_suffix:4", "****5678") == ["5678"])
    }

    @Test func maskedPatternsAreCompatibleWhereBothAreKnown() {
        func compatible(_ a: String, _ b: String) -> Int? {
            let x = a.unicodeScalars.map(\.value), y = b.unicodeScalars.map(\.value)
            return x.withUnsafeBufferPointer { xa in y.withUnsafeBufferPointer { ya in PhoneNumber.compatible(xa, ya) } }
        }
        #expect(compatible("138****5678", "13812345678") == 7)
        #expect(compatible("*******5678", "138****5678") == 4)
        #expect(compatible("138****5678", "139****5678") == nil)
    }

    @Test func citiesFoldAliasesDistrictsAndSuffixes() {
        #expect(apply("city", "上海市") == ["上海"])
        #expect(apply("city", "Shanghai") == ["上海"])
        #expect(apply("city", "浦东新区") == ["上海"])
        #expect(apply("city", "北京市海淀区中关村") == ["北京"])
        #expect(apply("city", "拉萨市") == ["拉萨"])  // unknown: kept, without 市
    }

    @Test func namesBecomePinyinAndInitials() {
        #expect(apply("pinyin", "王小明") == ["wangxiaoming"])
        #expect(apply("pinyin", "王晓明") == ["wangxiaoming"])  // a homophone agrees in pinyin
        #expect(apply("pinyin", "Xiaoming_Wang") == ["xiaomingwang"])
        #expect(apply("initials", "王小明") == ["wxm"])
        #expect(apply("email", " Wang.XM@QQ.com ") == ["wang.xm@qq.com"])
        #expect(apply("email", "not-an-email") == [])
        #expect(apply("ip24", "101.2.3.4") == ["101.2.3"])
        #expect(apply("ip24", "999.2.3.4") == [])
    }

    @Test func unknownTransformNamesAreRejected() {
        #expect(ValueTransform(name: "soundex") == nil)
        #expect(ValueTransform(name: "prefix:0") == nil)
        #expect(ValueTransform(name: "prefix:3") == .prefix(3))
    }
}
