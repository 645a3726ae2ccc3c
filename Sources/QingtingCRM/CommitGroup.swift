import Dispatch
import Synchronization

/// Group commit for concurrent callers (the socket's connections): batches that arrive while a
/// transaction is being written wait, and the next transaction appends all of them at once, so
/// many small `event.ingest` calls share one commit (and one WAL sync) instead of queueing for one
/// each. Every caller still gets its results only after the transaction holding its batch has
/// committed, and if that transaction fails, every batch in it fails (nothing acknowledged).
///
/// One caller at a time leads: it writes rounds until its own batch is done, then hands the lead
/// to the oldest waiting caller, so no caller waits behind an endless stream of others' work.
/// Batches analysed with different model sets (a `model.reload` in between) go in different
/// transactions, so each stored analysis names the models that made it.
public final class CommitGroup: Sendable {
    /// One caller's batch and, once written, its results.
    ///
    /// `@unchecked Sendable`: `result` and `leads` are written by the leading caller (under the
    /// group's lock, or before `done.signal()`) and read by the owner only after `done.wait()`;
    /// the semaphore orders the two.
    private final class Slot: @unchecked Sendable {
        let batch: [EventPipeline.Prepared]
        let pipeline: EventPipeline
        var result: Result<[EventPipeline.Result], any Error>?
        var leads = false
        let done = DispatchSemaphore(value: 0)

        init(_ batch: [EventPipeline.Prepared], _ pipeline: EventPipeline) {
            self.batch = batch
            self.pipeline = pipeline
        }
    }

    private let state = Mutex<(queue: [Slot], leading: Bool)>(([], false))

    public init() {}

    /// Appends `batch` with `pipeline`, together with whatever other callers submit meanwhile;
    /// returns this batch's results after their transaction has committed.
    public func append(_ batch: [EventPipeline.Prepared], with pipeline: EventPipeline) throws
        -> [EventPipeline.Result]
    {
        let slot = Slot(batch, pipeline)
        let leads = state.withLock { s -> Bool in
            s.queue.append(slot)
            if s.leading { return false }
            s.leading = true
            return true
        }
        if !leads {
            slot.done.wait()
            guard slot.leads else { return try slot.result!.get() }
        }
        while slot.result == nil { writeRound(owner: slot) }
        // Hand the lead to the oldest waiting caller, or give it up.
        state.withLock { s in
            if let next = s.queue.first {
                next.leads = true
                next.done.signal()
            } else {
                s.leading = false
            }
        }
        return try slot.result!.get()
    }

    /// One transaction over every queued batch analysed with the first one's model set.
    private func writeRound(owner: Slot) {
        let round: [Slot] = state.withLock { s in
            guard let first = s.queue.first else { return [] }
            let models = first.pipeline.analyzer.fingerprint
            let taken = s.queue.filter { $0.pipeline.analyzer.fingerprint == models }
            s.queue.removeAll { $0.pipeline.analyzer.fingerprint == models }
            return taken
        }
        guard let first = round.first else { return }
        let outcome = Result { try first.pipeline.append(round.flatMap(\.batch)) }
        var offset = 0
        for slot in round {
            let count = slot.batch.count
            let start = offset
            slot.result = outcome.map { Array($0[start..<start + count]) }
            offset += count
            if slot !== owner { slot.done.signal() }
        }
    }
}
