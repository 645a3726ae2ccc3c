internal import CSupport

/// Strict UTF-8 validation by the C core, for readers that must say where the first bad byte is.
public enum UTF8Validation {
    /// The offset of the first byte that is not strict UTF-8, or nil when all of `bytes` is.
    /// - Complexity: O(n), one pass.
    public static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var offset = 0
        return qt_utf8_validate(bytes.baseAddress, bytes.count, &offset) == QT_OK ? nil : offset
    }
}
