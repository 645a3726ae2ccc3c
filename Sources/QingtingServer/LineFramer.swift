package import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into lines (the protocol's framing: one message per `\n`). A line longer
/// than `maxLineBytes` is not buffered: its bytes are counted and dropped up to its newline, and
/// it comes out as `.tooLarge`, so a 100 MB line costs no memory and still gets its answer.
/// Package-visible for the fuzz harness (`QingtingFuzz`), which checks it against a model.
package struct LineFramer {
    package enum Frame {
        case line(ByteBuffer)
        /// A line over the limit, with its length in bytes.
        case tooLarge(Int)

        /// Bytes the frame holds while it waits to be answered (an over-long line holds none).
        var queuedBytes: Int {
            switch self {
            case .line(let line): line.readableBytes
            case .tooLarge: 0
            }
        }
    }

    package let maxLineBytes: Int
    /// The start of a line whose newline has not arrived yet.
    private var pending = ByteBuffer()
    /// Bytes of an over-long line dropped so far; nil when not inside one.
    private var discarded: Int?

    package init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Bytes of an unfinished line held (or counted, when it is too long).
    package var unfinishedBytes: Int { discarded ?? pending.readableBytes }

    /// Appends what was read; complete lines (blank ones skipped) go to `frames`.
    package mutating func append(_ incoming: ByteBuffer, into frames: inout [Frame]) {
        var incoming = incoming
        while incoming.readableBytes > 0 {
            let newline: Int? = incoming.withUnsafeReadableBytes { raw in
                guard let base = raw.baseAddress, let hit = memchr(base, 0x0A, raw.count) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            guard let newline else {
                // No end of line yet: keep the bytes, or count them once the line is too long.
                if let dropped = discarded {
                    discarded = dropped + incoming.readableBytes
                } else if pending.readableBytes + incoming.readableBytes > maxLineBytes {
                    discarded = pending.readableBytes + incoming.readableBytes
                    pending = ByteBuffer()
                } else {
                    pending.writeImmutableBuffer(incoming)
                }
                return
            }
            if let dropped = discarded {
                frames.append(.tooLarge(dropped + newline))
                discarded = nil
            } else if pending.readableBytes + newline > maxLineBytes {
                frames.append(.tooLarge(pending.readableBytes + newline))
                pending = ByteBuffer()
            } else if pending.readableBytes == 0 {
                if newline > 0 { frames.append(.line(incoming.getSlice(at: incoming.readerIndex, length: newline)!)) }
            } else {
                var line = pending
                line.writeImmutableBuffer(incoming.getSlice(at: incoming.readerIndex, length: newline)!)
                frames.append(.line(line))
                pending = ByteBuffer()
            }
            incoming.moveReaderIndex(forwardBy: newline + 1)
        }
    }
}
