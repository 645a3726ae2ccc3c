/// ICU's own dictionary word breaks, with nothing of Qingting's around them: the baseline that
/// segmentation accuracy and speed are compared with.
public enum ICUWordBreaks {
    /// Boundaries of ICU's `UBRK_WORD` iterator (locale `zh`) as indices into `scalars`,
    /// 0 and `scalars.count` included.
    public static func boundaries(of scalars: [UInt32]) throws -> [Int] {
        try scalars.withUnsafeBufferPointer { try CCore.icuWordBreaks($0, 0..<$0.count) }
    }
}
