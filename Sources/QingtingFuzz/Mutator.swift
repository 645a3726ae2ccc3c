import QingtingCore

/// A deterministic byte mutator: the same seed corpus, dictionary and generator give the same
/// inputs on every run, so input number `i` of a run can be made again from `(seed, i)` alone.
///
/// Each input is a seed with one to eight stacked edits: bit flips, byte sets, inserts and
/// deletes, copied ranges, splices from another seed, dictionary tokens, long runs of one token
/// (deep nesting, huge numbers), interesting numbers and invalid UTF-8.
public struct Mutator: Sendable {
    public let seeds: [[UInt8]]
    public let dictionary: [[UInt8]]
    /// Inputs grow no longer than this (a long run may still make one up to a few times longer).
    public var maxLength = 64 << 10

    /// Tokens every target gets besides its own.
    static let common: [[UInt8]] = [
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "null", "true",
        "-", "0", "-0", "1e999", "1E-999", "0.5", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "18446744073709551616", "99999999999999999999999", "4294967296",
        "1767225600", "1767225600000", "253402300800000", "\n", "\r\n", "\r", "\t", " ", "\u{00}",
        "<xml>", "</xml>", "<![CDATA[", "]]>", "CDATA", "<", ">", "&amp;", "&#0;", "&#x110000;", "<!--",
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "&a;", "#", "=", "%", "é", "微博", "😀",
    ].map { Array($0.utf8) }

    /// Byte sequences that are not UTF-8: a lone continuation, an overlong NUL, a surrogate, past
    /// U+10FFFF, a truncated lead byte, 0xFF.
    static let invalidUTF8: [[UInt8]] = [[0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xB8], [0xFF]]

    static let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x5C, 0x3C, 0x3E, 0x7B, 0x7D]

    public init(seeds: [[UInt8]], dictionary: [[UInt8]] = []) {
        precondition(!seeds.isEmpty, "a mutator needs at least one seed")
        self.seeds = seeds
        self.dictionary = dictionary + Self.common
    }

    /// Input number `index` of the run with `seed`: deterministic, independent of the inputs before it.
    public func input(_ index: UInt64, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        var bytes = seeds[rng.below(seeds.count)]
        // One in sixteen inputs is a seed unchanged, so the seeds' own paths stay exercised.
        if rng.below(16) == 0 { return bytes }
        for _ in 0..<(1 + rng.below(8)) { mutate(&bytes, &rng) }
        return bytes
    }

    func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let at = bytes.isEmpty ? 0 : rng.below(bytes.count + 1)
        switch rng.below(12) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let i = rng.below(bytes.count)
            bytes[i] ^= 1 << UInt8(rng.below(8))
        case 1 where !bytes.isEmpty:  // set a byte, to an interesting or a random value
            let i = rng.below(bytes.count)
            bytes[i] = rng.below(2) == 0 ? Self.interesting[rng.below(Self.interesting.count)] : UInt8(truncatingIfNeeded: rng.next())
        case 2:  // insert random bytes
            let count = 1 + rng.below(8)
            bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 3 where !bytes.isEmpty:  // delete a range
            let start = rng.below(bytes.count)
            let count = 1 + rng.below(min(bytes.count - start, rng.below(2) == 0 ? 4 : 64))
            bytes.removeSubrange(start..<start + count)
        case 4 where !bytes.isEmpty:  // copy a range of the input elsewhere in it
            let range = randomRange(in: bytes.count, &rng)
            bytes.insert(contentsOf: Array(bytes[range]), at: at)
        case 5, 6:  // a dictionary token
            bytes.insert(contentsOf: dictionary[rng.below(dictionary.count)], at: at)
        case 7:  // splice: a range of another seed, inserted or replacing this input's tail
            let other = seeds[rng.below(seeds.count)]
            guard !other.isEmpty else { return }
            let piece = Array(other[randomRange(in: other.count, &rng)])
            if rng.below(2) == 0 { bytes.insert(contentsOf: piece, at: at) } else { bytes = Array(bytes[..<at]) + piece }
        case 8:  // a long run of one token: deep nesting, long numbers and names, big lines
            let token = rng.below(3) == 0 ? [Self.interesting[rng.below(Self.interesting.count)]] : dictionary[rng.below(dictionary.count)]
            let times = [16, 63, 64, 65, 100, 1000, 5000][rng.below(7)]
            var run: [UInt8] = []
            run.reserveCapacity(token.count * times)
            for _ in 0..<times { run.append(contentsOf: token) }
            bytes.insert(contentsOf: run, at: at)
        case 9:  // replace a run of digits by an interesting number
            guard let start = bytes.indices.dropFirst(at == bytes.count ? 0 : at).first(where: { (0x30...0x39).contains(bytes[$0]) })
            else { return }
            var end = start
            while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
            let numbers = ["0", "-1", "00", "1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                           "99999999999999999999", "946684799999", "946684800", "4102444800000", "1.5", "0x10"]
            bytes.replaceSubrange(start..<end, with: Array(numbers[rng.below(numbers.count)].utf8))
        case 10:  // invalid UTF-8
            bytes.insert(contentsOf: Self.invalidUTF8[rng.below(Self.invalidUTF8.count)], at: at)
        default:  // truncate
            if !bytes.isEmpty { bytes.removeLast(1 + rng.below(bytes.count)) }
        }
        if bytes.count > maxLength * 4 { bytes.removeLast(bytes.count - maxLength * 4) }
    }

    func randomRange(in count: Int, _ rng: inout SplitMix64) -> Range<Int> {
        let start = rng.below(count)
        let length = 1 + rng.below(min(count - start, 256))
        return start..<start + length
    }
}
