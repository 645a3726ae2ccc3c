/// Helpers shared by the engine's binary file formats (segment and linear models).
public enum BinaryFormat {
    /// Where both model formats keep their u64 checksum (after a 40-byte fixed header start).
    public static let checksumOffset = 40

    /// FNV-1a 64 over bytes, continuing from `hash` (the FNV offset basis by default).
    /// `bytes` as lower-case hex, two digits a byte (digests, signatures, file versions).
    public static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one hex digit (either case); nil for any other byte.
    public static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// The bytes of hex text (either case, two digits a byte); nil for anything else.
    public static func bytes(hex text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        let nibble = hexDigit
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        for i in stride(from: 0, to: u.count, by: 2) {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    /// FNV-1a 64 of `bytes` as 16 lower-case hex digits: the version of a configuration file,
    /// the fingerprint of a model set.
    public static func fnv1a64Hex(_ bytes: [UInt8]) -> String {
        let hex = String(bytes.withUnsafeBytes { fnv1a64($0) }, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public static func fnv1a64(_ bytes: UnsafeRawBufferPointer, continuing hash: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = hash
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// The checksum a model file carries: FNV-1a 64 over every byte of the file except the 8
    /// checksum bytes themselves (at `checksumOffset`), so that the header is covered too.
    /// - Precondition: `file.count >= checksumOffset + 8`.
    public static func fileChecksum(_ file: UnsafeRawBufferPointer) -> UInt64 {
        let head = fnv1a64(UnsafeRawBufferPointer(rebasing: file[..<checksumOffset]))
        return fnv1a64(UnsafeRawBufferPointer(rebasing: file[(checksumOffset + 8)...]), continuing: head)
    }

    /// The checksum stored in a model file.
    public static func storedChecksum(_ file: UnsafeRawBufferPointer) -> UInt64 {
        file.loadUnaligned(fromByteOffset: checksumOffset, as: UInt64.self)
    }

    /// Writes `fileChecksum` into a serialized model's checksum bytes.
    public static func sealChecksum(_ file: inout [UInt8]) {
        let checksum = file.withUnsafeBytes { fileChecksum($0) }
        withUnsafeBytes(of: checksum.littleEndian) { file.replaceSubrange(checksumOffset..<(checksumOffset + 8), with: $0) }
    }

    /// Appends an integer in little-endian order.
    public static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
