import QingtingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trained word model of the segmenter: word costs (−ln p) in a hash trie, memory-mapped.
///
/// File layout (little-endian), format version 2 (version 1's checksum left the header out; its
/// files are refused with a request to retrain):
///
/// | offset | field |
/// |---|---|
/// | 0 | magic `QTSEGMDL` |
/// | 8 | u32 format version (2) |
/// | 12 | u32 key version: how text becomes trie keys (`SegmentKeys.version`) |
/// | 16 | u32 slot count (power of two) |
/// | 20 | u32 node count |
/// | 24 | f32 cost of an unknown atom |
/// | 28 | u32 word count |
/// | 32 | f64 total token count of the training corpus |
/// | 40 | u64 FNV-1a 64 checksum of every byte of the file but these 8 (`BinaryFormat.fileChecksum`) |
/// | 48 | u64 × slots: edge keys ((parent << 32 \| key) + 1, 0 = empty) |
/// | … | u32 × slots: child nodes |
/// | … | f32 × nodes: word cost at the node, −1 where no word ends |
public final class SegmentModel: @unchecked Sendable {
    // @unchecked: the mapping is read-only and lives as long as the model.
    public static let magic: [UInt8] = Array("QTSEGMDL".utf8)
    public static let formatVersion: UInt32 = 2
    static let headerSize = 48

    /// Total token count of the training corpus; user lexicon weights are counts on this scale.
    public let totalCount: Double
    /// Number of words in the model.
    public let wordCount: Int
    /// Bytes of the model file.
    public let byteCount: Int
    let trie: TrieView
    private let storage: Storage

    private enum Storage {
        case mapped(MappedFile)
        case owned(OwnedTrie)
    }

    /// A model with no words: every atom is unknown. Used when no model file is given.
    public static let empty = SegmentModel(builder: HashTrieBuilder(), unknownCost: 10, totalCount: 1, wordCount: 0)

    init(builder: HashTrieBuilder, unknownCost: Float, totalCount: Double, wordCount: Int) {
        let owned = OwnedTrie(builder, unknownCost: unknownCost)
        storage = .owned(owned)
        trie = owned.view
        self.totalCount = totalCount
        self.wordCount = wordCount
        byteCount = Self.headerSize + owned.slotKeys.count * 12 + owned.nodeCost.count * 4
    }

    /// Memory-maps a model file, checking magic, versions, sizes and checksum.
    /// - Throws: `QingtingError` `.invalidModel` naming the path and what is wrong.
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path, name: "segment model", magic: Self.magic, headerSize: Self.headerSize)
        func fail(_ message: String) -> QingtingError { QingtingError(.invalidModel, message, location: path) }
        let version = file.u32(8)
        guard version == Self.formatVersion else {
            let why = version == 1 ? " (version 1's checksum left the header out): retrain it" : ""
            throw fail("segment model format version \(version); this build reads version \(Self.formatVersion)\(why)")
        }
        let keyVersion = file.u32(12)
        guard keyVersion == SegmentKeys.version else {
            throw fail("segment model uses key version \(keyVersion); this build uses \(SegmentKeys.version): retrain it")
        }
        let slots = Int(file.u32(16))
        let nodes = Int(file.u32(20))
        let expected = Self.headerSize + slots * 12 + nodes * 4
        guard slots > 0, slots & (slots - 1) == 0, nodes > 0, file.count == expected else {
            throw fail("segment model is truncated or corrupt (\(file.count) bytes, header says \(expected))")
        }
        try file.verifyChecksum(name: "segment model")
        let base = file.bytes.baseAddress!
        let keys = (base + Self.headerSize).assumingMemoryBound(to: UInt64.self)
        let children = (base + Self.headerSize + slots * 8).assumingMemoryBound(to: UInt32.self)
        let costs = (base + Self.headerSize + slots * 12).assumingMemoryBound(to: Float.self)
        storage = .mapped(file)
        trie = TrieView(slotKeys: keys, slotNodes: children, slotCount: UInt32(slots), nodeCost: costs,
                        nodeCount: UInt32(nodes), unknownCost: file.bytes.loadUnaligned(fromByteOffset: 24, as: Float.self),
                        owner: nil)
        wordCount = Int(file.u32(28))
        totalCount = file.bytes.loadUnaligned(fromByteOffset: 32, as: Double.self)
        byteCount = file.count
    }

    /// The model file's bytes (what `init(contentsOf:)` reads back).
    public func serialized() -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(byteCount)
        let slots = Int(trie.slotCount), nodes = Int(trie.nodeCount)
        for i in 0..<slots { BinaryFormat.append(trie.slotKeys![i], to: &body) }
        for i in 0..<slots { BinaryFormat.append(trie.slotNodes![i], to: &body) }
        for i in 0..<nodes { BinaryFormat.append(trie.nodeCost![i].bitPattern, to: &body) }
        var out = Self.magic
        BinaryFormat.append(Self.formatVersion, to: &out)
        BinaryFormat.append(SegmentKeys.version, to: &out)
        BinaryFormat.append(UInt32(slots), to: &out)
        BinaryFormat.append(UInt32(nodes), to: &out)
        BinaryFormat.append(trie.unknownCost.bitPattern, to: &out)
        BinaryFormat.append(UInt32(wordCount), to: &out)
        BinaryFormat.append(totalCount.bitPattern, to: &out)
        BinaryFormat.append(UInt64(0), to: &out)  // the checksum, sealed once the bytes are all there
        out += body
        BinaryFormat.sealChecksum(&out)
        return out
    }

    /// Writes the model atomically (to a temporary file, then renamed over `path`).
    public func write(to path: String) throws {
        try FileIO.writeAtomically(serialized(), to: path)
    }

    /// The cost of a word given as normalized text, or nil when the model does not know it.
    public func cost(of word: String) -> Float? {
        guard let keys = SegmentKeys.keys(forWord: word), let node = trie.lookup(keys) else { return nil }
        let cost = trie.nodeCost![Int(node)]
        return cost >= 0 ? cost : nil
    }
}
