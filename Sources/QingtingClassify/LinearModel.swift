import QingtingCore
internal import CSupport
public import QingtingText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear classifier over hashed features, with int8 weights (one scale for the whole matrix).
///
/// - `softmax`: one distribution over the labels, one score column per label.
/// - `oneVsRest` (intents): an independent sigmoid per label, decided by a per-label threshold.
/// - `gated` (sentiment): labels negative, neutral, positive from two score columns, a neutral
///   gate g and a polarity h: P(neutral) = σ(g), P(positive) = (1 − σ(g)) σ(h), P(negative) =
///   (1 − σ(g)) (1 − σ(h)). The polarity column learns only from opinionated posts, so neutral
///   training text does not pull the two polarities together (README, "Sentiment model").
///
/// Immutable and `Sendable`; scoring uses only caller-local buffers.
///
/// File layout (little-endian), format version 3 (version 1 counted repeated n-grams, version 2's
/// checksum left the header out; their models are refused with a request to retrain). C is the
/// number of score columns: L, or 2 for `gated`.
///
/// | offset | field |
/// |---|---|
/// | 0 | magic `QTLINMDL` |
/// | 8 | u32 format version (3) |
/// | 12 | u32 n-gram hash version (`QT_NGRAM_HASH_VERSION`) |
/// | 16 | u32 segment key version |
/// | 20 | u32 kind: 0 softmax, 1 one-vs-rest, 2 gated |
/// | 24 | u32 bucket bits |
/// | 28 | u8 × 4: char n-gram min, max; word n-gram min, max |
/// | 32 | u32 label count L |
/// | 36 | f32 weight scale |
/// | 40 | u64 FNV-1a 64 checksum of every byte of the file but these 8 (`BinaryFormat.fileChecksum`) |
/// | 48 | L × (u32 length, UTF-8 name) |
/// | … | f32 × C bias, f32 × C thresholds, zero padding to a multiple of 8 |
/// | … | i8 × (2^bits × C) weights, row-major by bucket |
public final class LinearModel: @unchecked Sendable {
    // @unchecked: weights point into a read-only mapping (or owned bytes) kept for the model's life.
    public enum Kind: UInt32, Sendable {
        case softmax = 0, oneVsRest = 1, gated = 2

        /// Score columns of a model of this kind with `labels` labels.
        public func columns(labels: Int) -> Int { self == .gated ? 2 : labels }
    }

    public static let magic: [UInt8] = Array("QTLINMDL".utf8)
    public static let formatVersion: UInt32 = 3
    static let segmentKeyVersion: UInt32 = 1

    public let kind: Kind
    public let labels: [String]
    public let features: FeatureExtractor.Configuration
    public let bias: [Float]
    public let thresholds: [Float]
    public let scale: Float
    public let byteCount: Int
    let weights: UnsafePointer<Int8>
    private let storage: Storage

    private enum Storage {
        case mapped(MappedFile)
        case owned(UnsafeMutablePointer<Int8>)
    }

    /// Quantizes float weights (`buckets × columns`, row-major) into a model.
    public convenience init(kind: Kind, labels: [String], features: FeatureExtractor.Configuration, weights float: [Float],
                            bias: [Float], thresholds: [Float]) {
        let maxMagnitude = float.reduce(0) { max($0, abs($1)) }
        let scale = maxMagnitude > 0 ? maxMagnitude / 127 : 1
        let owned = UnsafeMutablePointer<Int8>.allocate(capacity: float.count)
        for i in 0..<float.count { owned[i] = Int8(clamping: Int((float[i] / scale).rounded())) }
        self.init(kind: kind, labels: labels, features: features, bias: bias, thresholds: thresholds, scale: scale,
                  weights: UnsafePointer(owned), storage: .owned(owned),
                  byteCount: Self.headerBytes(labels: labels, columns: kind.columns(labels: labels.count)) + float.count)
    }

    /// The one designated initializer: both the trainer's quantized weights and a mapped file end here.
    private init(kind: Kind, labels: [String], features: FeatureExtractor.Configuration, bias: [Float],
                 thresholds: [Float], scale: Float, weights: UnsafePointer<Int8>, storage: Storage, byteCount: Int) {
        self.kind = kind
        self.labels = labels
        self.features = features
        self.bias = bias
        self.thresholds = thresholds
        self.scale = scale
        self.weights = weights
        self.storage = storage
        self.byteCount = byteCount
    }

    deinit {
        if case .owned(let pointer) = storage { pointer.deallocate() }
    }

    public var bucketCount: Int { 1 << features.bucketBits }
    /// Score columns (see `Kind.columns`).
    public var columns: Int { kind.columns(labels: labels.count) }

    /// The score columns of a document's features: logits (softmax), per-label scores
    /// (one-vs-rest), or gate and polarity (gated).
    public func scores(_ f: Featurizer.Features) -> [Float] {
        var out = bias
        for (j, offset) in zip(out.indices, f.offsets) { out[j] += offset }
        let mask = UInt32(bucketCount - 1)  // features hashed into more buckets fold onto this model's
        out.withUnsafeMutableBufferPointer { o in
            f.ngrams.withUnsafeBufferPointer { n in
                qt_linear_scores_i8(weights, UInt32(columns), n.baseAddress, nil, n.count, mask, scale, o.baseAddress)
            }
            f.cueBuckets.withUnsafeBufferPointer { c in
                f.cueValues.withUnsafeBufferPointer { v in
                    qt_linear_scores_i8(weights, UInt32(columns), c.baseAddress, v.baseAddress, c.count, mask, scale,
                                        o.baseAddress)
                }
            }
        }
        return out
    }

    /// Probabilities, one per label: softmax over labels, a sigmoid per label, or the gated
    /// composition.
    public func probabilities(_ f: Featurizer.Features) -> [Float] { Self.probabilities(scores(f), kind: kind) }

    /// Probabilities from score columns; the trainer's validation reads them through here too.
    static func probabilities(_ s: [Float], kind: Kind) -> [Float] {
        switch kind {
        case .softmax: return softmax(s)
        case .oneVsRest: return s.map(sigmoid)
        case .gated:
            let neutral = sigmoid(s[0]), positive = sigmoid(s[1])
            return [(1 - neutral) * (1 - positive), neutral, (1 - neutral) * positive]
        }
    }

    /// The index of the most probable label: a single-label model's decision.
    static func mostProbable(_ p: [Float]) -> Int { p.indices.max { p[$0] < p[$1] }! }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    static func softmax(_ logits: [Float]) -> [Float] {
        let top = logits.max() ?? 0
        let e = logits.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }

    /// Checks that a model reads the features a featurizer makes: the same n-gram orders, and as
    /// many buckets or fewer (a bucket is the hash's low bits, so masking further gives the bucket
    /// the model was trained with; the intent model shares the sentiment model's features this way).
    public func check(compatibleWith extractor: FeatureExtractor, path: String) throws {
        var folded = extractor.configuration
        folded.bucketBits = features.bucketBits
        guard folded == features, features.bucketBits <= extractor.configuration.bucketBits else {
            // Only the model at `path` is named: its own header is checksummed at load, so a
            // mismatch means it was trained with other features than the model whose featurizer
            // it is given (the sentiment model, for an intent model).
            throw QingtingError(.invalidModel, "model was trained with feature configuration \(features), not the \(extractor.configuration) of the featurizer it is given (retrain it with that model)", location: path)
        }
    }

    // MARK: File
    static func headerBytes(labels: [String], columns: Int) -> Int {
        let names = labels.reduce(0) { $0 + 4 + $1.utf8.count }
        let raw = 48 + names + 8 * columns
        return (raw + 7) / 8 * 8
    }

    /// The model file's bytes.
    public func serialized() -> [UInt8] {
        var body: [UInt8] = []
        for label in labels {
            BinaryFormat.append(UInt32(label.utf8.count), to: &body)
            body += Array(label.utf8)
        }
        for b in bias { BinaryFormat.append(b.bitPattern, to: &body) }
        for t in thresholds { BinaryFormat.append(t.bitPattern, to: &body) }
        while (48 + body.count) % 8 != 0 { body.append(0) }
        let count = bucketCount * columns
        body += UnsafeRawBufferPointer(start: weights, count: count)
        var out = Self.magic
        BinaryFormat.append(Self.formatVersion, to: &out)
        BinaryFormat.append(UInt32(QT_NGRAM_HASH_VERSION), to: &out)
        BinaryFormat.append(Self.segmentKeyVersion, to: &out)
        BinaryFormat.append(kind.rawValue, to: &out)
        BinaryFormat.append(UInt32(features.bucketBits), to: &out)
        out += [UInt8(features.charOrders.lowerBound), UInt8(features.charOrders.upperBound),
                UInt8(features.wordOrders.lowerBound), UInt8(features.wordOrders.upperBound)]
        BinaryFormat.append(UInt32(labels.count), to: &out)
        BinaryFormat.append(scale.bitPattern, to: &out)
        BinaryFormat.append(UInt64(0), to: &out)  // the checksum, sealed once the bytes are all there
        out += body
        BinaryFormat.sealChecksum(&out)
        return out
    }

    public func write(to path: String) throws {
        do { try FileIO.writeAtomically(serialized(), to: path) } catch let error as QingtingError { throw error.at(path) }
    }

    /// Memory-maps a model file; refuses wrong magic, versions, sizes, feature settings or checksum.
    public convenience init(contentsOf path: String) throws {
        let file = try MappedFile(path: path, name: "linear model", magic: Self.magic, headerSize: 48)
        let raw = file.bytes
        let size = file.count
        let base = raw.baseAddress!
        func fail(_ message: String) -> QingtingError { QingtingError(.invalidModel, message, location: path) }
        func u32(_ offset: Int) -> UInt32 { raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        guard u32(8) == Self.formatVersion else {
            let why = switch u32(8) {
            case 1: " (version 1 counted repeated n-grams): retrain it"
            case 2: " (version 2's checksum left the header out): retrain it"
            default: ""
            }
            throw fail("model format version \(u32(8)); this build reads version \(Self.formatVersion)\(why)")
        }
        guard u32(12) == UInt32(QT_NGRAM_HASH_VERSION) else {
            throw fail("model uses n-gram hash version \(u32(12)); this build hashes with version \(QT_NGRAM_HASH_VERSION): retrain it")
        }
        guard u32(16) == Self.segmentKeyVersion else { throw fail("model uses segment key version \(u32(16)): retrain it") }
        guard let kind = Kind(rawValue: u32(20)) else { throw fail("unknown model kind \(u32(20))") }
        let bits = Int(u32(24))
        guard (1...30).contains(bits) else { throw fail("bucket bits \(bits) out of range") }
        var features = FeatureExtractor.Configuration()
        features.bucketBits = bits
        let orders = Array(raw[28..<32]).map(Int.init)
        guard orders[0] >= 1, orders[0] <= orders[1], orders[1] <= 8, orders[2] >= 1, orders[2] <= orders[3], orders[3] <= 8 else {
            throw fail("n-gram orders \(orders) are not valid")
        }
        features.charOrders = orders[0]...orders[1]
        features.wordOrders = orders[2]...orders[3]
        let labelCount = Int(u32(32))
        guard (1...4096).contains(labelCount) else { throw fail("label count \(labelCount) out of range") }
        guard kind != .gated || labelCount == 3 else { throw fail("a gated model has 3 labels, not \(labelCount)") }
        let columns = kind.columns(labels: labelCount)
        let scale = Float(bitPattern: u32(36))
        var offset = 48
        var labels: [String] = []
        for _ in 0..<labelCount {
            guard offset + 4 <= size else { throw fail("model file is truncated (labels)") }
            let length = Int(u32(offset))
            guard length <= 256, offset + 4 + length <= size else { throw fail("model file is truncated (labels)") }
            labels.append(String(decoding: raw[(offset + 4)..<(offset + 4 + length)], as: UTF8.self))
            offset += 4 + length
        }
        guard offset + 8 * columns <= size else { throw fail("model file is truncated (bias)") }
        let bias = (0..<columns).map { Float(bitPattern: u32(offset + 4 * $0)) }
        let thresholds = (0..<columns).map { Float(bitPattern: u32(offset + 4 * (columns + $0))) }
        offset = (offset + 8 * columns + 7) / 8 * 8
        let weightCount = (1 << bits) * columns
        guard size == offset + weightCount else {
            throw fail("model file is truncated or corrupt (\(size) bytes, header says \(offset + weightCount))")
        }
        try file.verifyChecksum(name: "model")
        self.init(kind: kind, labels: labels, features: features, bias: bias, thresholds: thresholds, scale: scale,
                  weights: UnsafePointer((base + offset).assumingMemoryBound(to: Int8.self)),
                  storage: .mapped(file), byteCount: size)
    }
}
