import Dispatch
import QingtingText
import QingtingCore

/// Maps lines to output strings on several threads and hands the outputs back in input order.
///
/// Lines are read in batches (so memory stays bounded on files of any size); each batch is split
/// round-robin over the threads, and its outputs are emitted in order before the next batch is read.
struct ParallelLines {
    var threads: Int
    var batchSize = 8192

    /// - Parameters:
    ///   - lines: calls its argument with each (line, 1-based number), e.g. `FileIO.forEachLine`.
    ///   - transform: line and number → output; called concurrently.
    ///   - emit: output and line number, in input order, on the calling thread.
    func run<Output: Sendable>(lines: ((ArraySlice<UInt8>, Int) throws -> Void) throws -> Void,
                               transform: @escaping @Sendable (ArraySlice<UInt8>, Int) -> Output,
                               emit: (Output, Int) -> Void) throws {
        var batch: [ArraySlice<UInt8>] = []
        batch.reserveCapacity(batchSize)
        var first = 1
        // flush() runs on this thread only; withoutActuallyEscaping lets it capture `emit`.
        try withoutActuallyEscaping(emit) { emit in
            func flush() {
                for (offset, output) in map(batch, first: first, transform).enumerated() { emit(output, first + offset) }
                first += batch.count
                batch.removeAll(keepingCapacity: true)
            }
            try lines { line, _ in
                batch.append(line)
                if batch.count == batchSize { flush() }
            }
            flush()
        }
    }

    private func map<Output: Sendable>(_ batch: [ArraySlice<UInt8>], first: Int,
                                       _ transform: @escaping @Sendable (ArraySlice<UInt8>, Int) -> Output) -> [Output] {
        let workers = min(threads, batch.count)
        if workers <= 1 { return batch.enumerated().map { transform($1, first + $0) } }
        let slots = ConcurrentSlots<Output>(count: batch.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < batch.count {
                slots.set(index, transform(batch[index], first + index))
                index += workers
            }
        }
        return slots.take()
    }
}
