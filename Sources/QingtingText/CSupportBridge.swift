internal import CSupport
import QingtingCore

// The one place QingtingText calls the C core; C status codes become QingtingError here.

enum CCore {
    static func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var offset = 0
        let status = qt_utf8_validate(bytes.baseAddress, bytes.count, &offset)
        return status == QT_OK ? nil : offset
    }

    struct Normalized {
        var scalars: [UInt32]
        var begin: [UInt32]
        var end: [UInt32]
        var traditionalReplaced: Int
    }

    static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, options: UInt32, squeezeMax: UInt32) throws -> Normalized {
        var capacity = bytes.count + 16
        while true {
            var count = 0, errorOffset = 0, changed = 0
            var status = QT_OK
            // Uninitialized outputs: the C side writes exactly `count` entries of each.
            var begin: [UInt32] = [], end: [UInt32] = []
            let scalars = [UInt32](unsafeUninitializedCapacity: capacity) { s, sCount in
                begin = [UInt32](unsafeUninitializedCapacity: capacity) { b, bCount in
                    end = [UInt32](unsafeUninitializedCapacity: capacity) { e, eCount in
                        status = qt_normalize(bytes.baseAddress, bytes.count, options, squeezeMax, s.baseAddress,
                                              b.baseAddress, e.baseAddress, capacity, &count, &errorOffset, &changed)
                        eCount = status == QT_OK ? count : 0
                    }
                    bCount = status == QT_OK ? count : 0
                }
                sCount = status == QT_OK ? count : 0
            }
            switch status {
            case QT_OK:
                return Normalized(scalars: scalars, begin: begin, end: end, traditionalReplaced: changed)
            case QT_ERR_BUFFER_TOO_SMALL:
                capacity = max(count, capacity * 2)
            case QT_ERR_INVALID_UTF8:
                throw QingtingError(.invalidUTF8, "invalid UTF-8", byteOffset: errorOffset)
            default:
                throw QingtingError(.icu, "ICU normalization failed (status \(status.rawValue))")
            }
        }
    }

    static func classify(_ scalars: [UInt32]) -> [UInt8] {
        scalars.withUnsafeBufferPointer { s in
            [UInt8](unsafeUninitializedCapacity: s.count) { c, n in
                qt_classify(s.baseAddress, s.count, c.baseAddress)
                n = s.count
            }
        }
    }

    /// ICU word boundaries (0 and count included) of `scalars[range]`, relative to the range start.
    static func icuWordBreaks(_ scalars: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) throws -> [Int] {
        var bounds = [UInt32](repeating: 0, count: range.count + 1)
        var n = 0
        let status = bounds.withUnsafeMutableBufferPointer { b in
            qt_icu_word_breaks(scalars.baseAddress! + range.lowerBound, range.count, b.baseAddress, b.count, &n)
        }
        guard status == QT_OK else { throw QingtingError(.icu, "ICU word break iterator failed (status \(status.rawValue))") }
        return bounds[..<n].map { Int($0) }
    }

    static func transliterate(_ text: String, transform: String) throws -> String {
        let utf8 = Array(text.utf8)
        var capacity = utf8.count * 4 + 64
        while true {
            var out = [UInt8](repeating: 0, count: capacity)
            var written = 0
            let status = utf8.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    qt_icu_transliterate(transform, src.baseAddress, src.count, dst.baseAddress, dst.count, &written)
                }
            }
            switch status {
            case QT_OK: return String(decoding: out[..<written], as: UTF8.self)
            case QT_ERR_BUFFER_TOO_SMALL: capacity = written + 16
            case QT_ERR_ARGUMENT: throw QingtingError(.icu, "unknown ICU transform '\(transform)'")
            default: throw QingtingError(.icu, "ICU transform '\(transform)' failed (status \(status.rawValue))")
            }
        }
    }

    static func traditionalToSimplified(_ scalar: UInt32) -> UInt32 { qt_t2s(scalar) }

    static func trieSlot(_ key: UInt64, mask: UInt32) -> UInt32 { qt_trie_slot(key, mask) }

    static func hashUnits(_ units: UnsafeBufferPointer<UInt32>, seed: UInt32) -> UInt32 {
        qt_hash_units(units.baseAddress, units.count, seed)
    }

    static func ngramCount(_ count: Int, nMin: Int, nMax: Int) -> Int {
        qt_ngram_count(count, UInt32(nMin), UInt32(nMax))
    }

    /// Appends the hashed n-grams of `units` to `out`.
    static func ngramHash(_ units: UnsafeBufferPointer<UInt32>, nMin: Int, nMax: Int, seed: UInt32, mask: UInt32,
                          into out: inout [UInt32]) {
        let n = qt_ngram_count(units.count, UInt32(nMin), UInt32(nMax))
        guard n > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: n))
        out.withUnsafeMutableBufferPointer { o in
            _ = qt_ngram_hash(units.baseAddress, units.count, UInt32(nMin), UInt32(nMax), seed, mask,
                              o.baseAddress! + start, n)
        }
    }

    /// Runs the Viterbi segmenter; returns word end positions and nodes.
    static func segment(base: TrieView, overlay: TrieView, keys: UnsafeBufferPointer<UInt32>,
                        atomStart: UnsafeBufferPointer<UInt8>, scratch: inout [UInt32],
                        ends: inout [UInt32], nodes: inout [UInt32]) -> Int {
        let count = keys.count
        let scratchWords = 3 * (count + 1)
        if scratch.count < scratchWords { scratch = [UInt32](repeating: 0, count: scratchWords) }
        if ends.count < count { ends = [UInt32](repeating: 0, count: count); nodes = ends }
        var words = 0
        base.withTrie { b in
            overlay.withTrie { o in
                scratch.withUnsafeMutableBytes { s in
                    ends.withUnsafeMutableBufferPointer { e in
                        nodes.withUnsafeMutableBufferPointer { n in
                            var bt = b, ot = o
                            _ = qt_segment(&bt, &ot, keys.baseAddress, atomStart.baseAddress, count, s.baseAddress,
                                           e.baseAddress, n.baseAddress, &words)
                        }
                    }
                }
            }
        }
        return words
    }

    static let overlayNodeBit: UInt32 = QT_OVERLAY_NODE
    static let blockedCost: Float = QT_COST_BLOCKED
}

/// Read-only view of a hash trie's arrays (owned by a model file mapping or by a built overlay).
struct TrieView: @unchecked Sendable {
    // @unchecked: the pointers refer to immutable storage kept alive by `owner` for the view's life.
    let slotKeys: UnsafePointer<UInt64>?
    let slotNodes: UnsafePointer<UInt32>?
    let slotCount: UInt32
    let nodeCost: UnsafePointer<Float>?
    let nodeCount: UInt32
    let unknownCost: Float
    let owner: AnyObject?

    static let empty = TrieView(slotKeys: nil, slotNodes: nil, slotCount: 0, nodeCost: nil, nodeCount: 0,
                                unknownCost: 0, owner: nil)

    fileprivate func withTrie<R>(_ body: (qt_trie) -> R) -> R {
        body(qt_trie(slot_keys: slotKeys, slot_nodes: slotNodes, slot_count: slotCount, node_cost: nodeCost,
                     node_count: nodeCount, unknown_cost: unknownCost))
    }

    func lookup(_ keys: [UInt32]) -> UInt32? {
        guard slotCount > 0 else { return nil }
        let node = withTrie { t in
            keys.withUnsafeBufferPointer { k in
                var tt = t
                return qt_trie_lookup(&tt, k.baseAddress, k.count)
            }
        }
        return node == UInt32.max ? nil : node
    }
}
