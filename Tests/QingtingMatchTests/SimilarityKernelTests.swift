import CSupport
import Testing

/// The C similarity kernels: code points, not bytes; the bit-parallel Levenshtein equals the
/// dynamic-programming reference.
@Suite struct SimilarityKernelTests {
    func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    func levenshtein(_ a: String, _ b: String) -> (fast: UInt32, reference: UInt32) {
        let x = scalars(a), y = scalars(b)
        return (qt_levenshtein(x, x.count, y, y.count), qt_levenshtein_scalar(x, x.count, y, y.count))
    }

    @Test func editDistancesCountCharactersNotBytes() {
        #expect(levenshtein("王小明", "王晓明") == (1, 1))
        #expect(levenshtein("kitten", "sitting") == (3, 3))
        #expect(levenshtein("", "abc") == (3, 3))
        #expect(levenshtein("same", "same") == (0, 0))
        let x = scalars("19100210"), y = scalars("19100120")
        #expect(qt_damerau_levenshtein(x, x.count, y, y.count) == 1)
        #expect(qt_levenshtein(x, x.count, y, y.count) == 2)
    }

    @Test func bitParallelLevenshteinEqualsTheReference() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt32] = [0x4E00, 0x4E01, 0x738B, 97, 98, 99, 100]
        for _ in 0..<3000 {
            let a = (0..<Int.random(in: 0...70, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let b = (0..<Int.random(in: 0...70, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            #expect(qt_levenshtein(a, a.count, b, b.count) == qt_levenshtein_scalar(a, a.count, b, b.count))
        }
    }

    @Test func jaroWinklerMatchesKnownValues() {
        func jw(_ a: String, _ b: String) -> Double {
            let x = scalars(a), y = scalars(b)
            return qt_jaro_winkler(x, x.count, y, y.count, 0.1)
        }
        #expect(abs(jw("martha", "marhta") - 0.9611) < 1e-4)
        #expect(abs(jw("dwayne", "duane") - 0.84) < 1e-4)
        #expect(jw("abc", "abc") == 1)
        #expect(jw("abc", "xyz") == 0)
        #expect(abs(jw("王小明", "王晓明") - 0.8) < 1e-9)  // 2 of 3 characters, 1 of prefix
    }

    @Test func minHashAgreementTracksJaccard() {
        let seeds: [UInt32] = (0..<256).map { UInt32($0) &* 2_654_435_761 &+ 12345 }
        func signature(_ set: [UInt32]) -> [UInt32] {
            var out = [UInt32](repeating: 0, count: 256)
            qt_minhash(set, set.count, seeds, 256, &out)
            return out
        }
        let a = Array(UInt32(0)..<100), b = Array(UInt32(50)..<150)  // Jaccard 50/150
        let agree = zip(signature(a), signature(b)).filter { $0 == $1 }.count
        #expect(abs(Double(agree) / 256 - 1.0 / 3) < 0.1)
        #expect(signature(a) == signature(a.reversed()))
        #expect(signature([]).allSatisfy { $0 == UInt32.max })
    }
}
