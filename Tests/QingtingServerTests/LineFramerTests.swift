import NIOCore
@testable import QingtingServer
import Testing

/// Framing: lines split across reads, blank lines, and over-long lines counted, not kept.
@Suite struct LineFramerTests {
    func frames(_ pieces: [String], max: Int = 16) -> [String] {
        var framer = LineFramer(maxLineBytes: max)
        var frames: [LineFramer.Frame] = []
        for piece in pieces { framer.append(ByteBuffer(string: piece), into: &frames) }
        return frames.map {
            switch $0 {
            case .line(let buffer): String(buffer: buffer)
            case .tooLarge(let n): "<\(n) bytes>"
            }
        }
    }

    @Test func linesMayArriveInPiecesAndSeveralPerRead() {
        #expect(frames(["ab", "c\nde", "f\n\ng\nh"]) == ["abc", "def", "g"])
    }

    @Test func aLineOverTheLimitComesOutAsItsSizeAndTheNextLineIsIntact() {
        #expect(frames(["0123456789", "0123456789", "01\nok\n"]) == ["<22 bytes>", "ok"])
        #expect(frames(["01234567890123456789\nok\n"]) == ["<20 bytes>", "ok"])
        #expect(frames(["0123456789012345\n"]) == ["0123456789012345"])  // exactly the limit is fine
    }

    @Test func anOverLongLineIsNotBuffered() {
        var framer = LineFramer(maxLineBytes: 8)
        var frames: [LineFramer.Frame] = []
        for _ in 0..<1000 { framer.append(ByteBuffer(string: "xxxxxxxxxx"), into: &frames) }
        #expect(framer.unfinishedBytes == 10_000)
        #expect(frames.isEmpty)
    }
}
