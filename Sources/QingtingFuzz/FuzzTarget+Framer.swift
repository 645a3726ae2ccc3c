import NIOCore
import QingtingCore
import QingtingServer

extension FuzzTarget {
    /// The socket's `LineFramer`, fed the input in chunks the input itself chooses, checked against
    /// a model: the input cut at every `\n`, blank lines skipped, a line over the limit reported
    /// as `.tooLarge(length)` and never buffered, the unfinished tail counted in `unfinishedBytes`.
    /// So no line is longer than the limit, and the lines with the separators are the input.
    static func framer(_ seeds: Seeds) -> FuzzTarget {
        var corpus: [[UInt8]] = ["\n", "a\nbb\n\nccc", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"engine.info\"}\n"].map { Array($0.utf8) }
        corpus += ((try? seeds.payloads("weibo")) ?? []).map { $0 + [0x0A] }
        return FuzzTarget(name: "framer", seeds: corpus, dictionary: ["\n\n\n", "\r\n"]) { bytes in
            // The limit and the chunk sizes come from the input's hash, so they vary but repeat.
            var rng = SplitMix64(seed: fnv(bytes))
            let limit = [0, 1, 2, 7, 16, 64, 300, 1 << 20][rng.below(8)]
            var framer = LineFramer(maxLineBytes: limit)
            var frames: [LineFramer.Frame] = []
            var at = 0
            while at < bytes.count {
                let size = min(bytes.count - at, [1, 2, 3, 17, 100, 4096][rng.below(6)])
                var buffer = ByteBuffer()
                buffer.writeBytes(bytes[at..<at + size])
                framer.append(buffer, into: &frames)
                at += size
            }
            // The model.
            var segments = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            let tail = segments.removeLast()
            let expected = segments.filter { !$0.isEmpty }
            guard frames.count == expected.count else { return "\(frames.count) frames for \(expected.count) lines" }
            for (frame, line) in zip(frames, expected) {
                switch frame {
                case .line(let buffer):
                    guard buffer.readableBytes <= limit else { return "a line of \(buffer.readableBytes) bytes over the limit \(limit)" }
                    guard buffer.readableBytesView.elementsEqual(line) else { return "a line's bytes differ from the input's" }
                case .tooLarge(let length):
                    guard line.count > limit else { return "a line of \(line.count) bytes refused under the limit \(limit)" }
                    guard length == line.count else { return "tooLarge(\(length)) for a line of \(line.count) bytes" }
                }
            }
            guard framer.unfinishedBytes == tail.count else {
                return "unfinishedBytes \(framer.unfinishedBytes) for a tail of \(tail.count)"
            }
            return nil
        }
    }
}

/// FNV-1a 64 of the bytes.
func fnv(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
