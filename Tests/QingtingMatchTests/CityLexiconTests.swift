#if canImport(Glibc)
import Glibc
#endif
import QingtingMatch
import QingtingText
import Testing
import QingtingCore

/// The city lexicon file read by `LexiconFile`'s rules.
@Suite struct CityLexiconFileTests {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = "/tmp/qingting-match-\(getpid())-\(name)"
        try FileIO.writeAtomically(bytes, to: path)
        return path
    }

    @Test func aCRLFFileWithAByteOrderMarkReads() throws {
        let path = try write([0xEF, 0xBB, 0xBF] + Array("上海\t上海市,沪\r\n北京\t北京市\r\n".utf8), "crlf.tsv")
        defer { unlink(path) }
        let cities = try CityLexicon.load(path: path)
        #expect(cities.canonical("沪") == "上海" && cities.canonical("上海") == "上海")
        #expect(cities.canonical("北京市") == "北京")
    }

    /// The old reader decoded invalid UTF-8 lossily and stopped at the first bad line.
    @Test func everyBadLineIsListedWithoutQuotingIt() throws {
        let path = try write(Array("上海\t沪\n秘".utf8) + [0xFF] + Array("\n\t秘密别名\n北京\t京\n\t秘密二\n".utf8), "bad.tsv")
        defer { unlink(path) }
        #expect {
            _ = try CityLexicon.load(path: path)
        } throws: { error in
            (error as? QingtingErrors)?.errors.map(\.description) == [
                "\(path):2: invalid UTF-8 (byte offset 3)",
                "\(path):3: a city line needs a canonical name in column 1",
                "\(path):5: a city line needs a canonical name in column 1",
            ] && !"\(error)".contains("秘")
        }
    }

    @Test func aDeviceOrADirectoryIsRefused() {
        for (path, what) in [("/dev/zero", "a character device"), ("/tmp", "a directory")] {
            #expect {
                _ = try CityLexicon.load(path: path)
            } throws: { "\($0)" == "\(path): is \(what), not a regular file" }
        }
    }
}

/// The shipped lexicons: provinces name no city, shared districts name all their cities, a
/// leading province does not hide the city after it.
@Suite struct ShippedCityLexiconTests {
    let cities = LinkageTests.cities

    @Test func aProvinceAloneNamesAProvinceAndNoCity() {
        #expect(cities.cities("江苏").isEmpty && cities.cities("江苏省").isEmpty)
        #expect(cities.province("江苏省") == "江苏" && cities.province("南京") == "江苏")
        #expect(cities.province("魔都") == "上海" && cities.cities("魔都") == ["上海"])
    }

    @Test func aSharedDistrictNamesEveryCityThatHasIt() {
        #expect(Set(cities.cities("朝阳区")) == ["北京", "长春"])
        #expect(cities.province("朝阳区") == nil)  // two provinces: says nothing
        #expect(cities.cities("浦东新区") == ["上海"])
    }

    @Test func theCityAfterALeadingProvinceWins() {
        #expect(cities.cities("吉林长春") == ["长春"])
        #expect(cities.cities("广东省深圳市") == ["深圳"])
        #expect(cities.cities("江苏 南京") == ["南京"])
    }
}
