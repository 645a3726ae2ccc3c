import NIOPosix
import Synchronization

/// One dedicated thread for the longest request lines, so that huge requests never occupy the
/// Swift concurrency pool that every connection's reader and worker run on (on a 2-core machine
/// that pool has two threads: two 16 MiB requests on it would stall everyone else).
///
/// Waiting is cancellable: a cancelled caller returns at once with `CancellationError` while the
/// thread finishes (and discards) what it started, and work not yet started when its caller is
/// cancelled never runs. This is what lets shutdown end within its grace period.
final class HeavyLane: Sendable {
    private let pool: NIOThreadPool

    /// - Parameter threads: 1 for the heavy lane; the event lane has several, so that concurrent
    ///   `event.ingest` calls can wait for a shared commit without holding the concurrency pool.
    init(threads: Int = 1) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Stops the thread without waiting for work it is running.
    func stop() {
        pool.shutdownGracefully { _ in }
    }

    /// Runs `work` on the lane's thread and returns its result.
    func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        let waiter = Waiter<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                guard waiter.install(continuation) else { return }
                pool.submit { state in
                    guard state == .active, !waiter.isAbandoned else { waiter.resume(throwing: CancellationError()); return }
                    waiter.resume(returning: work())
                }
            }
        } onCancel: {
            waiter.resume(throwing: CancellationError())
        }
    }

    /// A continuation resumed exactly once, by the work or by cancellation, whichever comes first.
    private final class Waiter<Result: Sendable>: Sendable {
        private enum State {
            case waiting
            case installed(CheckedContinuation<Result, any Error>)
            case finished
        }
        private let state = Mutex(State.waiting)

        var isAbandoned: Bool { state.withLock { if case .finished = $0 { true } else { false } } }

        /// Whether the continuation was installed (false: cancelled first, and already resumed).
        func install(_ continuation: CheckedContinuation<Result, any Error>) -> Bool {
            let installed = state.withLock { s -> Bool in
                guard case .waiting = s else { return false }
                s = .installed(continuation)
                return true
            }
            if !installed { continuation.resume(throwing: CancellationError()) }
            return installed
        }

        func resume(returning value: Result) { take()?.resume(returning: value) }
        func resume(throwing error: any Error) { take()?.resume(throwing: error) }

        private func take() -> CheckedContinuation<Result, any Error>? {
            state.withLock { s in
                switch s {
                case .installed(let continuation): s = .finished; return continuation
                case .waiting: s = .finished; return nil
                case .finished: return nil
                }
            }
        }
    }
}
