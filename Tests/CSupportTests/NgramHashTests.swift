import CSupport
import Testing

/// xorshift64*: a deterministic source of test units.
struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt32 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return UInt32(truncatingIfNeeded: (state &* 2_685_821_657_736_338_717) >> 32)
    }
}

@Suite struct NgramHashTests {
    func hashes(_ units: UnsafePointer<UInt32>?, _ count: Int, _ nMin: UInt32, _ nMax: UInt32, mask: UInt32,
                _ f: (UnsafePointer<UInt32>?, Int, UInt32, UInt32, UInt32, UInt32, UnsafeMutablePointer<UInt32>?, Int) -> qt_status)
        -> (qt_status, [UInt32]) {
        let n = qt_ngram_count(count, nMin, nMax)
        var out = [UInt32](repeating: 0xDEAD_BEEF, count: n + 1)
        let status = out.withUnsafeMutableBufferPointer { f(units, count, nMin, nMax, 0x1234_5678, mask, $0.baseAddress, n) }
        #expect(out[n] == 0xDEAD_BEEF, "wrote past the n-grams it promised")
        return (status, Array(out[..<n]))
    }

    @Test func avx2EqualsScalarForEveryLengthAndOffset() throws {
        try #require(qt_cpu_has_avx2() == 1, "this machine has no AVX2; the dispatcher uses the scalar path")
        var rng = TestRNG(state: 0x9E37_79B9_7F4A_7C15)
        let storage = (0..<(300 + 8)).map { _ in rng.next() }
        try storage.withUnsafeBufferPointer { buffer in
            for offset in 0..<4 {
                for length in 0...300 {
                    for (nMin, nMax) in [(1, 3), (1, 1), (2, 2), (1, 8), (3, 5)] as [(UInt32, UInt32)] {
                        for mask in [UInt32.max, (1 << 20) - 1] as [UInt32] {
                            let units = buffer.baseAddress! + offset
                            let (s1, scalar) = hashes(units, length, nMin, nMax, mask: mask, qt_ngram_hash_scalar)
                            let (s2, simd) = hashes(units, length, nMin, nMax, mask: mask, qt_ngram_hash_avx2)
                            try #require(s1 == QT_OK && s2 == QT_OK)
                            try #require(scalar == simd, "length \(length) offset \(offset) n \(nMin)...\(nMax)")
                        }
                    }
                }
            }
        }
    }

    /// The hash is part of every model file: these values must never change (bump
    /// QT_NGRAM_HASH_VERSION and every model if they must).
    @Test func hashDefinitionIsFrozen() {
        let units: [UInt32] = [0x4F60, 0x597D, 0x4E16, 0x754C]  // 你好世界
        let (status, out) = units.withUnsafeBufferPointer {
            hashes($0.baseAddress, $0.count, 1, 2, mask: UInt32.max, qt_ngram_hash)
        }
        #expect(status == QT_OK)
        #expect(out.count == 4 + 3)
        // Reference values, computed from the definition in CSupport.h by a separate Python script.
        #expect(out == [0x74FD_2E77, 0xB455_FCC3, 0x0E59_02F8, 0x07AA_D006, 0x5BE7_6B58, 0x9A6C_279D, 0xBB38_1E3C])
        #expect(out == Self.referenceHashes(units, seed: 0x1234_5678, nMin: 1, nMax: 2))
    }

    /// An independent reading of the documented definition, in Swift.
    static func referenceHashes(_ u: [UInt32], seed: UInt32, nMin: Int, nMax: Int) -> [UInt32] {
        func fmix(_ x: UInt32) -> UInt32 {
            var h = x
            h ^= h >> 16; h = h &* 0x85EB_CA6B; h ^= h >> 13; h = h &* 0xC2B2_AE35; h ^= h >> 16
            return h
        }
        var out: [UInt32] = []
        for n in nMin...nMax where u.count >= n {
            for i in 0...(u.count - n) {
                var h = seed ^ (UInt32(n) &* 0x9E37_79B1)
                for k in 0..<n { h = (h ^ u[i + k]) &* 0x0100_0193 }
                out.append(fmix(h))
            }
        }
        return out
    }

    @Test func rejectsBadArguments() {
        var out = [UInt32](repeating: 0, count: 4)
        let units: [UInt32] = [1, 2, 3]
        #expect(qt_ngram_hash(units, 3, 0, 2, 0, .max, &out, 4) == QT_ERR_ARGUMENT)
        #expect(qt_ngram_hash(units, 3, 2, 1, 0, .max, &out, 4) == QT_ERR_ARGUMENT)
        #expect(qt_ngram_hash(units, 3, 1, 3, 0, .max, &out, 4) == QT_ERR_BUFFER_TOO_SMALL)
        #expect(qt_ngram_count(3, 1, 3) == 6)
        #expect(qt_ngram_count(0, 1, 3) == 0)
    }

    @Test func maskKeepsBucketsInRange() {
        var rng = TestRNG(state: 7)
        let units = (0..<100).map { _ in rng.next() }
        let (_, out) = units.withUnsafeBufferPointer { hashes($0.baseAddress, 100, 1, 3, mask: 1023, qt_ngram_hash) }
        #expect(out.allSatisfy { $0 < 1024 })
        #expect(Set(out).count > 200)  // 297 grams spread over the buckets
    }
}
