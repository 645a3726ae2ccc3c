public import Logging
import NIOCore
import NIOPosix
import QingtingCRM
import QingtingStore
import QingtingText
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// The Unix-socket JSON-RPC server: accepts connections on `configuration.socketPath`, reads
/// request lines, answers them with `RPCEngine`, and shuts down gracefully.
///
/// Per connection a reader task frames lines and queues them, a worker task answers them in order
/// and writes the responses, and a watchdog closes the connection when a line stalls or it idles
/// (`ConnectionDeadlines`). They run on Swift's concurrency pool, off the NIO event loops, so many
/// connections spread over the cores; lines of `heavyLineBytes` or more are answered on the
/// `HeavyLane` instead. Lines read but not answered are the connection's in-flight requests; past
/// the count or byte limits they are answered with -32002 at once. Queued lines of a connection
/// that has gone are dropped unanswered.
public final class SocketServer: Service, Sendable {
    public let engine: RPCEngine
    public let configuration: ServerConfiguration
    let logger: Logger
    private let state = Mutex(State())
    /// Bytes of request lines queued on all connections (see `maxQueuedBytes`).
    private let queuedBytes = Atomic<Int>(0)
    private let heavyLane = HeavyLane()
    /// `event.ingest` calls wait for their commit (a WAL sync, and other callers' batches grouped
    /// into it), and audited calls for their audit row's, on these threads, not on the concurrency
    /// pool that serves every connection.
    private let eventLane = HeavyLane(threads: 16)
    /// `maxConnections`, lowered when the open-file limit could not hold that many (set by `run`).
    private let connectionLimit = Atomic<Int>(0)

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    /// One accepted connection and its peer's uid (nil when the socket would not say).
    struct Connection: Sendable {
        var channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        var uid: UInt32?
    }

    public init(engine: RPCEngine, configuration: ServerConfiguration, logger: Logger = Logger(label: "qingting.server")) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves as a swift-service-lifecycle `Service`: a `ServiceGroup`'s graceful shutdown (on
    /// SIGTERM or SIGINT, say) calls `shutdown()`.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await run(onReady: {})
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Binds the socket and serves until `shutdown()`; then finishes in-flight requests, closes
    /// every connection and removes the socket file. `onReady` runs once the socket accepts.
    public func run(onReady: @Sendable () -> Void) async throws {
        let path = configuration.socketPath
        if try SocketPath.prepare(path) {
            logger.warning("replaced a stale socket file left by a run that did not shut down", metadata: ["socket": "\(path)"])
        }
        let previousMask = umask(0o177)  // the socket is created 0600, never briefly wider
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(unixDomainSocketPath: path) { channel in
                    Self.peerUID(of: channel).flatMapThrowing { uid in
                        Connection(channel: try NIOAsyncChannel(wrappingChannelSynchronously: channel), uid: uid)
                    }
                }
        } catch {
            umask(previousMask)
            throw QingtingError(.io, "cannot listen: \(error)", location: path)
        }
        umask(previousMask)
        chmod(path, mode_t(configuration.socketMode))
        defer { unlink(path) }
        defer {
            heavyLane.stop()
            eventLane.stop()
        }
        let limit = Self.connectionLimit(configured: configuration.maxConnections, reserved: configuration.reservedDescriptors)
        connectionLimit.store(limit, ordering: .relaxed)
        if limit < configuration.maxConnections {
            logger.notice("the open-file limit holds fewer connections than --max-connections",
                          metadata: ["max_connections": "\(limit)", "configured": "\(configuration.maxConnections)"])
        }
        let alreadyStopping = state.withLock { s in
            s.serverChannel = server.channel
            return s.shuttingDown
        }
        if alreadyStopping { server.channel.close(promise: nil) }
        logger.notice("listening", metadata: ["socket": "\(path)", "pid": "\(getpid())"])
        onReady()

        do {
            try await withThrowingDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                } catch {
                    logger.error("accept loop ended: \(error)")
                }
                // Accepting has stopped (shutdown): give connections the grace period, then end them.
                group.addTask { try await self.enforceGrace() }
            }
        } catch is GraceExpired {
            logger.warning("the grace period ended with requests still running; they were cancelled")
        }
        logger.notice("stopped", metadata: ["socket": "\(path)"])
    }

    private struct GraceExpired: Error {}

    /// Descriptors this process has open (entries of /proc/self/fd), nil where that cannot be read.
    static func openDescriptors() -> Int? {
        guard let folder = opendir("/proc/self/fd") else { return nil }
        defer { closedir(folder) }
        var count = -2  // "." and ".."; the folder's own descriptor is counted, which is one more kept free
        while readdir(folder) != nil { count += 1 }
        return count
    }

    /// Returns once every connection has ended; throws (cancelling every connection's tasks) when
    /// some are still open after the grace period, having closed them.
    private func enforceGrace() async throws {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while state.withLock({ !$0.connections.isEmpty }) {
            guard ContinuousClock.now < deadline else {
                for channel in state.withLock({ Array($0.connections.values) }) { channel.close(promise: nil) }
                throw GraceExpired()
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `configured`, or fewer when the soft open-file limit, less the descriptors open now and
    /// `reserved` more, cannot hold that many (the reserve is what refusals and reloads use).
    static func connectionLimit(configured: Int, reserved: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return configured }
        let open = openDescriptors() ?? 16
        let room = Int(clamping: limit.rlim_cur) - open - reserved
        return max(1, min(configured, room))
    }

    /// Stops accepting, stops reading from every connection (what was read is still answered),
    /// and after the grace period closes whatever is left and cancels what still runs, so `run()`
    /// returns within the grace period. Safe to call from any thread, twice.
    public func shutdown() {
        let (server, connections, first) = state.withLock { s in
            defer { s.shuttingDown = true }
            return (s.serverChannel, Array(s.connections.values), !s.shuttingDown)
        }
        guard first else { return }
        logger.notice("shutting down", metadata: ["connections": "\(connections.count)"])
        server?.close(promise: nil)
        for channel in connections { channel.close(mode: .input, promise: nil) }
    }

    // MARK: - One connection

    private func serve(_ connection: Connection) async {
        let channel = connection.channel.channel
        guard engine.access.admits(uid: connection.uid) else {
            engine.metrics.recordError(.unauthorized)
            let error = RPCError(.unauthorized, "uid \(connection.uid.map(String.init) ?? "?") may not use this socket",
                                 data: [("uid", connection.uid.map { .number("\($0)") } ?? .null)])
            await refuse(connection, with: error)
            return
        }
        let limit = connectionLimit.load(ordering: .relaxed)
        guard engine.metrics.openConnection(limit: limit) else {
            engine.metrics.recordError(.overloaded)
            let error = RPCError(.overloaded, "too many connections (\(limit))",
                                 data: [("limit", .string("connections")), ("max", .number("\(limit)"))])
            await refuse(connection, with: error)
            return
        }
        let key = ObjectIdentifier(channel)
        let stopping = state.withLock { s in
            s.connections[key] = channel
            return s.shuttingDown
        }
        if stopping { channel.close(mode: .input, promise: nil) }
        defer {
            state.withLock { _ = $0.connections.removeValue(forKey: key) }
            engine.metrics.closeConnection()
        }
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                try await exchange(inbound: inbound, outbound: outbound, channel: channel, uid: connection.uid)
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }

    /// A batch of lines read together, answered together.
    private struct Job: Sendable {
        var frames: [LineFramer.Frame]
        var bytes: Int
        var arrived: ContinuousClock.Instant
    }

    /// What the reader, the worker and the watchdog of one connection share.
    private final class Shared: Sendable {
        let inFlight = Atomic<Int>(0)
        let queuedBytes = Atomic<Int>(0)
        let deadlines: Mutex<ConnectionDeadlines>
        /// The connection's feed subscription and how many times it was (re)made.
        let subscription = Mutex<(RPCEngine.FeedSubscription, generation: Int)?>(nil)
        /// Yields once a subscription is made: the streamer waits on it, not on a timer.
        let subscribed: AsyncStream<Void>
        private let subscribedContinuation: AsyncStream<Void>.Continuation

        init(_ deadlines: ConnectionDeadlines) {
            self.deadlines = Mutex(deadlines)
            (subscribed, subscribedContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }

        func subscribe(_ s: RPCEngine.FeedSubscription) {
            subscription.withLock { $0 = (s, ($0?.generation ?? 0) + 1) }
            deadlines.withLock { $0.subscribed = true }
            subscribedContinuation.yield()
        }
    }

    private enum Role: Sendable { case worker, watchdog, streamer }

    private func exchange(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                          channel: any Channel, uid: UInt32?) async throws {
        let (jobs, queue) = AsyncStream.makeStream(of: Job.self)
        let shared = Shared(ConnectionDeadlines(readTimeout: configuration.readTimeout, idleTimeout: configuration.idleTimeout,
                                                now: .now))
        let maxLine = configuration.maxLineBytes
        try await withThrowingTaskGroup(of: Role.self) { group in
            group.addTask {
                await self.answer(jobs, shared: shared, outbound: outbound, channel: channel, uid: uid)
                return .worker
            }
            group.addTask {
                await self.watch(shared: shared, outbound: outbound, channel: channel)
                return .watchdog
            }
            if let store = engine.eventLog?.store {
                group.addTask {
                    await self.stream(store, shared: shared, outbound: outbound, channel: channel)
                    return .streamer
                }
            }
            // Reader: frames lines; queues them, or answers -32002 when too many wait already.
            var framer = LineFramer(maxLineBytes: maxLine)
            var frames: [LineFramer.Frame] = []
            for try await buffer in inbound {
                frames.removeAll(keepingCapacity: true)
                framer.append(buffer, into: &frames)
                let (admitted, bytes, refusal) = admit(frames, shared: shared)
                shared.deadlines.withLock {
                    $0.didRead(completedLines: frames.count, queued: admitted, unfinishedBytes: framer.unfinishedBytes, now: .now)
                }
                if admitted > 0 { queue.yield(Job(frames: Array(frames[..<admitted]), bytes: bytes, arrived: .now)) }
                if let refusal {
                    var out = channel.allocator.buffer(capacity: 192 * (frames.count - admitted))
                    for frame in frames[admitted...] {
                        engine.metrics.recordError(.overloaded)
                        switch frame {
                        case .line(let line):
                            out.writeString(line.withUnsafeReadableBytes { engine.refusal(of: $0.bindMemory(to: UInt8.self), refusal) })
                        case .tooLarge:
                            out.writeString(refusal.response(id: nil))
                        }
                        out.writeInteger(UInt8(ascii: "\n"))
                    }
                    try await write(out, to: outbound, channel: channel)
                }
            }
            if framer.unfinishedBytes > 0 {
                logger.debug("peer closed with \(framer.unfinishedBytes) bytes of an unfinished line; dropped")
            }
            queue.finish()
            // The worker ends when the queue is answered; then the watchdog and the streamer are no
            // longer needed (a subscription lasts while the peer keeps its sending side open).
            while let finished = try await group.next() {
                if finished == .worker { group.cancelAll() }
            }
        }
    }

    /// How many of `frames` (a prefix) may be queued under the connection's count and byte limits
    /// and the server's byte limit, their bytes (now counted as queued), and the error for the rest.
    private func admit(_ frames: [LineFramer.Frame], shared: Shared) -> (Int, Int, RPCError?) {
        let maxInFlight = configuration.maxInFlightPerConnection
        let perConnection = configuration.maxQueuedBytesPerConnection
        let total = configuration.maxQueuedBytes
        var admitted = 0
        var bytes = 0
        var refusal: RPCError?
        for frame in frames {
            let size = frame.queuedBytes
            if shared.inFlight.load(ordering: .relaxed) + admitted >= maxInFlight {
                refusal = RPCError(.overloaded, "too many requests in flight on this connection (\(maxInFlight)); read the responses before sending more",
                                   data: [("limit", .string("in_flight")), ("max", .number("\(maxInFlight)"))])
                break
            }
            let mine = shared.queuedBytes.load(ordering: .relaxed) + bytes
            if mine > 0, mine + size > perConnection {
                refusal = RPCError(.overloaded, "too many request bytes queued on this connection (\(perConnection)); read the responses before sending more",
                                   data: [("limit", .string("queued_bytes")), ("max", .number("\(perConnection)"))])
                break
            }
            guard reserve(size, of: total) else {
                refusal = RPCError(.overloaded, "the server has too many request bytes queued (\(total)); try again shortly",
                                   data: [("limit", .string("server_queued_bytes")), ("max", .number("\(total)"))])
                break
            }
            admitted += 1
            bytes += size
        }
        shared.inFlight.add(admitted, ordering: .relaxed)
        shared.queuedBytes.add(bytes, ordering: .relaxed)
        return (admitted, bytes, refusal)
    }

    /// Counts `size` more bytes as queued on the server unless that passes `limit` (one line may
    /// always be queued when nothing else is).
    private func reserve(_ size: Int, of limit: Int) -> Bool {
        var current = queuedBytes.load(ordering: .relaxed)
        while true {
            guard current == 0 || current + size <= limit else { return false }
            let (exchanged, original) = queuedBytes.compareExchange(expected: current, desired: current + size, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// The quoted names of the methods that write to the store when it is open: `event.ingest`
    /// (it waits for a group commit) and every audited method (its audit row is a commit).
    static let storeWriters: [[UInt8]] = RPCMethod.all
        .filter { $0.name == "event.ingest" || $0.personalData != nil }
        .map { Array("\"\($0.name)\"".utf8) }

    /// Whether a line names a method that writes to the store (a byte search: a line that only
    /// mentions one is just answered on the event lane, which is harmless). Those wait on SQLite
    /// commits, so they run on the event lane's threads, never on the pool every connection shares.
    static func mentionsStoreWriter(_ line: ByteBuffer) -> Bool {
        line.withUnsafeReadableBytes { bytes in
            storeWriters.contains { needle in
                guard bytes.count >= needle.count else { return false }
                var i = 0
                while i <= bytes.count - needle.count {
                    if bytes[i] == needle[0], zip(needle.indices, needle).allSatisfy({ bytes[i + $0] == $1 }) { return true }
                    i += 1
                }
                return false
            }
        }
    }

    /// The worker: answers queued lines in order, one write per job (and one per heavy line);
    /// once a write fails or the channel is closed the peer has gone, and every line still queued
    /// is dropped unrun (counted in `engine.info`'s "dropped").
    private func answer(_ jobs: AsyncStream<Job>, shared: Shared, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                        channel: any Channel, uid: UInt32?) async {
        let caller = RPCEngine.Caller(uid: uid)
        let maxLine = configuration.maxLineBytes
        let heavy = configuration.heavyLineBytes
        defer {
            // Whatever was queued and not answered (the peer went, or shutdown cancelled us).
            let left = shared.queuedBytes.exchange(0, ordering: .relaxed)
            queuedBytes.subtract(left, ordering: .relaxed)
        }
        var gone = false
        for await job in jobs {
            defer {
                shared.inFlight.subtract(job.frames.count, ordering: .relaxed)
                shared.queuedBytes.subtract(job.bytes, ordering: .relaxed)
                queuedBytes.subtract(job.bytes, ordering: .relaxed)
                shared.deadlines.withLock { $0.didAnswer(lines: job.frames.count, now: .now) }
            }
            var out = channel.allocator.buffer(capacity: 256 * job.frames.count)
            var errors: [RPCError.Code] = []
            var requests = 0
            var subscription: RPCEngine.FeedSubscription?
            for (index, frame) in job.frames.enumerated() {
                if gone || !channel.isActive || Task.isCancelled {
                    // The peer has gone (or shutdown cancelled us): what is left is dropped, not run.
                    gone = true
                    engine.metrics.recordDropped(job.frames.count - index)
                    break
                }
                switch frame {
                case .line(let line):
                    let isHeavy = line.readableBytes >= heavy
                    let outcome: RPCEngine.Outcome
                    if isHeavy || (engine.eventLog != nil && Self.mentionsStoreWriter(line)) {
                        do {
                            outcome = try await (isHeavy ? heavyLane : eventLane).run { [engine] in
                                line.withUnsafeReadableBytes { engine.handle(line: $0.bindMemory(to: UInt8.self), caller: caller) }
                            }
                        } catch {
                            gone = true  // cancelled: the grace period is over
                            engine.metrics.recordDropped(job.frames.count - index)
                            break
                        }
                    } else {
                        outcome = line.withUnsafeReadableBytes { engine.handle(line: $0.bindMemory(to: UInt8.self), caller: caller) }
                    }
                    requests += outcome.requests
                    errors += outcome.errors
                    if let asked = outcome.subscription { subscription = asked }
                    if let response = outcome.response {
                        out.writeString(response)
                        out.writeInteger(UInt8(ascii: "\n"))
                    }
                    // A heavy answer goes out at once: a peer that has gone is found before the next one runs.
                    if isHeavy, out.readableBytes > 0 {
                        do { try await write(out, to: outbound, channel: channel) } catch { gone = true }
                        out.clear()
                    }
                case .tooLarge(let size):
                    requests += 1
                    errors.append(.requestTooLarge)
                    out.writeString(Self.tooLarge(size: size, limit: maxLine).response(id: nil) + "\n")
                }
            }
            let elapsed = ContinuousClock.now - job.arrived
            engine.metrics.record(requests: requests, errors: errors, latencyMicroseconds: UInt64(max(0, elapsed.microseconds)))
            if out.readableBytes > 0, !gone {
                do { try await write(out, to: outbound, channel: channel) } catch { gone = true }
            }
            // After its response has gone out, so the peer reads the answer before the first record.
            if let subscription, !gone { shared.subscribe(subscription) }
        }
    }

    /// Feed records one notification write carries at most.
    static let streamPage = 256

    /// The streamer: while the connection is subscribed, sends every feed record after the
    /// subscription's cursor that passes its filter, in seq order, as `alerts.record`
    /// notifications, and moves the cursor past what it scanned. It looks again when this
    /// process commits to the store (checked every 20 ms) and at least every 500 ms (another
    /// process may write the same store). Until the first `alerts.subscribe` it only waits.
    /// Ends when cancelled (the peer stopped sending, or the server shuts down) or a write fails.
    private func stream(_ store: CRMStore, shared: Shared, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                        channel: any Channel) async {
        for await _ in shared.subscribed { break }
        var seen: (commits: Int64, generation: Int) = (-1, 0)
        var lastLook = ContinuousClock.now
        while !Task.isCancelled {
            guard let (subscription, generation) = shared.subscription.withLock({ $0 }) else { return }
            let commits = store.commits
            if commits == seen.commits, generation == seen.generation, ContinuousClock.now - lastLook < .milliseconds(500) {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            lastLook = .now
            // Authorized again at each look (at least every 500 ms): a grant that expired, or a
            // role that lost the method, ends the stream with an `alerts.closed` notification.
            let permission: Permission
            do {
                permission = try engine.access.authorize("alerts.subscribe", token: subscription.token, uid: subscription.uid)
            } catch {
                let refusal = error as? RPCError ?? RPCError(.unauthorized, "the subscription is no longer authorized")
                var out = channel.allocator.buffer(capacity: 256)
                out.writeString(RPCMethod.closedNotification(refusal) + "\n")
                do { try await write(out, to: outbound, channel: channel) } catch { return }
                // Ended unless a new subscribe replaced it meanwhile; then wait for the next one.
                let ended = shared.subscription.withLock { s -> Bool in
                    guard s?.generation == generation else { return false }
                    s = nil
                    return true
                }
                if ended { for await _ in shared.subscribed { break } }
                seen = (-1, 0)
                continue
            }
            let page: (records: [CRMStore.FeedRecord], through: Int64)
            do {
                page = try store.feedPage(since: subscription.cursor, filter: subscription.filter, limit: Self.streamPage)
            } catch {
                logger.error("cannot read the feed for a subscriber: \(error)")
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if !page.records.isEmpty {
                var out = channel.allocator.buffer(capacity: 512 * page.records.count)
                for r in page.records { out.writeString(RPCMethod.feedNotification(r, permission) + "\n") }
                do { try await write(out, to: outbound, channel: channel) } catch { return }
                engine.metrics.recordNotifications(page.records.count)
            }
            // Moved on unless a new subscribe replaced this one meanwhile; a full page reads on at once.
            shared.subscription.withLock { if $0?.generation == generation { $0?.0.cursor = page.through } }
            seen = (page.records.count == Self.streamPage ? -1 : commits, generation)
        }
    }

    /// The watchdog: closes the connection, with one error line, when a line stalls past the read
    /// timeout or the connection idles past the idle timeout. Ends when cancelled.
    private func watch(shared: Shared, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel) async {
        let interval = shared.deadlines.withLock { $0.checkInterval }
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard let expiry = shared.deadlines.withLock({ $0.expired(at: .now) }) else { continue }
            let error: RPCError
            switch expiry {
            case .readTimeout:
                let seconds = configuration.readTimeout.components.seconds
                error = RPCError(.invalidRequest, "a request line was not finished within \(seconds) s; closing the connection",
                                 data: [("limit", .string("read_timeout")), ("seconds", .number("\(seconds)"))])
            case .idle:
                let seconds = configuration.idleTimeout.components.seconds
                error = RPCError(.invalidRequest, "the connection was idle for \(seconds) s; closing it",
                                 data: [("limit", .string("idle_timeout")), ("seconds", .number("\(seconds)"))])
            }
            engine.metrics.recordTimeout()
            logger.debug("closing a connection: \(error.message)")
            var out = channel.allocator.buffer(capacity: 256)
            out.writeString(error.response(id: nil) + "\n")
            try? await write(out, to: outbound, channel: channel)
            try? await channel.close()
            return
        }
    }

    static func tooLarge(size: Int, limit: Int) -> RPCError {
        RPCError(.requestTooLarge, "request line of \(size) bytes is over the limit of \(limit) bytes; skipped",
                 data: [("bytes", .number("\(size)")), ("max", .number("\(limit)"))])
    }

    /// Writes, but gives up on (and closes) a connection whose peer has not read for the stall timeout.
    private func write(_ buffer: ByteBuffer, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: any Channel) async throws {
        if channel.isWritable {
            try await outbound.write(buffer)
            return
        }
        let timeout = configuration.writeStallTimeout
        let written = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await outbound.write(buffer); return true }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let first = try await group.next() ?? false
            if !first { channel.close(promise: nil) }
            group.cancelAll()
            return first
        }
        if !written {
            logger.warning("closed a connection whose peer did not read its responses", metadata: ["timeout": "\(timeout)"])
            throw ChannelError.ioOnClosedChannel
        }
    }

    /// Answers a connection that is turned away with one error line, then closes it.
    private func refuse(_ connection: Connection, with error: RPCError) async {
        logger.notice("refused a connection: \(error.message)")
        try? await connection.channel.executeThenClose { _, outbound in
            var out = connection.channel.channel.allocator.buffer(capacity: 256)
            out.writeString(error.response(id: nil) + "\n")
            try await outbound.write(out)
        }
    }

    /// The peer's uid from SO_PEERCRED (nil where the channel cannot tell).
    private static func peerUID(of channel: any Channel) -> EventLoopFuture<UInt32?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
        return future.map { Optional($0.uid) }.recover { _ in UInt32?.none }
    }
}

/// Linux's `struct ucred` (pid, uid, gid), which Glibc's Swift module does not export.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
