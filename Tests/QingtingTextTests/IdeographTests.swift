import Testing
@testable import QingtingText

@Suite struct IdeographTests {
    @Test func ideographFastPathAgreesWithTheUnicodeProperty() {
        let disagreeing = (UInt32(0)...0x3_1350).compactMap(Unicode.Scalar.init).filter {
            FeatureExtractor.isIdeograph($0) != $0.properties.isIdeographic
        }
        #expect(disagreeing.isEmpty)
    }
}
