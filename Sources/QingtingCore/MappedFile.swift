#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A binary model file mapped read-only: the one loader of the segment and linear model formats.
///
/// Opening checks what both formats share — a regular file within the size limit, at least the
/// header's bytes, the 8-byte magic — and `verifyChecksum` the whole-file checksum (called by the
/// format after its own version checks, so an old file is told to retrain rather than "corrupt").
/// The mapping lives as long as this object; models keep it and point into it.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    public let path: String

    /// - Parameters:
    ///   - name: the kind of file, for messages ("segment model", "linear model").
    ///   - magic: the first 8 bytes the file must start with.
    ///   - headerSize: the fewest bytes a valid file has.
    /// - Throws: `QingtingError` `.io` (cannot open, not a regular file, too big, cannot map) or
    ///   `.invalidModel` (truncated, bad magic), naming the path.
    public init(path: String, name: String, magic: [UInt8], headerSize: Int, limit: Int = FileIO.defaultSizeLimit) throws {
        let (fd, size) = try FileIO.openRegularFile(path, limit: limit, what: "a \(name)")
        defer { close(fd) }
        guard size >= headerSize, size >= magic.count else {
            throw QingtingError(.invalidModel, "\(name) is truncated (\(size) bytes, header needs \(headerSize))", location: path)
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw QingtingError(.io, "cannot map the \(name)", location: path)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        self.path = path
        guard Array(bytes[0..<magic.count]) == magic else {
            throw QingtingError(.invalidModel, "not a Qingting \(name) (bad magic)", location: path)
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    public var count: Int { bytes.count }

    public func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }

    /// - Throws: `.invalidModel` when the stored whole-file checksum does not match the bytes.
    public func verifyChecksum(name: String) throws {
        guard BinaryFormat.fileChecksum(bytes) == BinaryFormat.storedChecksum(bytes) else {
            throw QingtingError(.invalidModel, "\(name) checksum mismatch: the file is corrupt", location: path)
        }
    }
}
