/// A read-only table keyed by a string's exact UTF-8 bytes.
///
/// Swift's `String` hashing and `==` apply Unicode canonical equivalence on every call, which made
/// lexicon lookups a third of `analyze`'s time. Lexicon terms and tokens are already normalized
/// (NFKC) the same way, so byte equality is the right equality here and far cheaper. The key is
/// the FNV-1a hash of the bytes, slots are probed linearly (no second hash), and a hit is
/// confirmed by comparing the bytes, so a hash collision can never return the wrong entry.
struct ByteKeyedTable<Value: Sendable>: Sendable {
    private var hashes: [UInt64]
    private var entries: [(key: String, value: Value)?]
    private let mask: Int

    init(_ dictionary: [String: Value]) {
        var capacity = 8
        while capacity < dictionary.count * 2 { capacity <<= 1 }
        mask = capacity - 1
        hashes = [UInt64](repeating: 0, count: capacity)
        entries = Array(repeating: nil, count: capacity)
        for (key, value) in dictionary {
            let h = Self.hash(key, continuing: Self.seed)
            var slot = Int(truncatingIfNeeded: h) & mask
            while entries[slot] != nil { slot = (slot + 1) & mask }
            hashes[slot] = h
            entries[slot] = (key, value)
        }
    }

    static var seed: UInt64 { 0xcbf2_9ce4_8422_2325 }

    static func hash(_ text: String, continuing h: UInt64) -> UInt64 { hash(text.utf8, continuing: h) }

    /// FNV-1a over `bytes`, continuing from `h`: the hash of a key grows byte by byte, so a caller
    /// extending a key keeps its hash instead of rehashing it.
    static func hash(_ bytes: some Sequence<UInt8>, continuing h: UInt64) -> UInt64 {
        var h = h
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The slot holding `hash` whose key passes `matches`, if any.
    private func find(_ hash: UInt64, _ matches: (String) -> Bool) -> Value? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let entry = entries[slot] {
            if hashes[slot] == hash, matches(entry.key) { return entry.value }
            slot = (slot + 1) & mask
        }
        return nil
    }

    subscript(_ text: String) -> Value? {
        find(Self.hash(text, continuing: Self.seed)) { $0.utf8.elementsEqual(text.utf8) }
    }

    /// The value of the key whose UTF-8 bytes are `bytes`.
    /// The value of the key whose UTF-8 bytes are `bytes`, given their hash (`hash(_:continuing:)` from `seed`).
    subscript(bytes bytes: [UInt8], hash hash: UInt64) -> Value? {
        find(hash) { $0.utf8.elementsEqual(bytes) }
    }

    /// The value of `first + second` without building the joined string.
    subscript(_ first: String, _ second: String) -> Value? {
        find(Self.hash(second, continuing: Self.hash(first, continuing: Self.seed))) { key in
            let bytes = key.utf8
            guard bytes.count == first.utf8.count + second.utf8.count else { return false }
            let split = bytes.index(bytes.startIndex, offsetBy: first.utf8.count)
            return bytes[..<split].elementsEqual(first.utf8) && bytes[split...].elementsEqual(second.utf8)
        }
    }
}
