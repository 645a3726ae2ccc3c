import Logging
import NIOCore
import NIOPosix
import QingtingText
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The Unix-socket JSON-RPC server: accepts connections on `configuration.socketPath`, reads
/// request lines, answers them with `RPCEngine`, and shuts down gracefully.
///
/// Per connection a reader task frames lines and queues them, and a worker task answers them in
/// order and writes the responses; both run on Swift's concurrency pool, off the NIO event loops,
/// so many connections spread over the cores. Lines read but not answered are the connection's
/// in-flight requests; past the limit they are answered with -32002 at once.
public final class SocketServer: Sendable {
    public let engine: RPCEngine
    public let configuration: ServerConfiguration
    let logger: Logger
    private let state = Mutex(State())

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

    /// Binds the socket and serves until `shutdown()`; then finishes in-flight requests, closes
    /// every connection and removes the socket file. `onReady` runs once the socket accepts.
    public func run(onReady: @Sendable () -> Void = {}) async throws {
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
            throw TextError(.io, "cannot listen: \(error)", location: path)
        }
        umask(previousMask)
        chmod(path, mode_t(configuration.socketMode))
        defer { unlink(path) }
        let alreadyStopping = state.withLock { s in
            s.serverChannel = server.channel
            return s.shuttingDown
        }
        if alreadyStopping { server.channel.close(promise: nil) }
        logger.notice("listening", metadata: ["socket": "\(path)", "pid": "\(getpid())"])
        onReady()

        await withDiscardingTaskGroup { group in
            do {
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            } catch {
                logger.error("accept loop ended: \(error)")
            }
        }
        logger.notice("stopped", metadata: ["socket": "\(path)"])
    }

    /// Stops accepting, stops reading from every connection (what was read is still answered),
    /// and after the grace period closes whatever is left. Safe to call from any thread, twice.
    public func shutdown() {
        let (server, connections, first) = state.withLock { s in
            defer { s.shuttingDown = true }
            return (s.serverChannel, Array(s.connections.values), !s.shuttingDown)
        }
        guard first else { return }
        logger.notice("shutting down", metadata: ["connections": "\(connections.count)"])
        server?.close(promise: nil)
        for channel in connections { channel.close(mode: .input, promise: nil) }
        let grace = configuration.shutdownGrace
        Task {
            try? await Task.sleep(for: grace)
            let left = self.state.withLock { Array($0.connections.values) }
            for channel in left { channel.close(promise: nil) }
        }
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
        guard engine.metrics.openConnection(limit: configuration.maxConnections) else {
            engine.metrics.recordError(.overloaded)
            let error = RPCError(.overloaded, "too many connections (\(configuration.maxConnections))",
                                 data: [("limit", .string("connections")), ("max", .number("\(configuration.maxConnections)"))])
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
        var arrived: ContinuousClock.Instant
    }

    private final class InFlight: Sendable {
        let count = Atomic<Int>(0)
    }

    private func exchange(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                          channel: any Channel, uid: UInt32?) async throws {
        let (jobs, queue) = AsyncStream.makeStream(of: Job.self)
        let inFlight = InFlight()
        let limit = configuration.maxInFlightPerConnection
        let maxLine = configuration.maxLineBytes
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Worker: answers queued lines in order, one write per batch.
            group.addTask {
                let caller = RPCEngine.Caller(uid: uid)
                for await job in jobs {
                    var out = channel.allocator.buffer(capacity: 256 * job.frames.count)
                    var errors: [RPCError.Code] = []
                    var requests = 0
                    for frame in job.frames {
                        switch frame {
                        case .line(let line):
                            let outcome = line.withUnsafeReadableBytes { raw in
                                self.engine.handle(line: raw.bindMemory(to: UInt8.self), caller: caller)
                            }
                            requests += outcome.requests
                            errors += outcome.errors
                            if let response = outcome.response {
                                out.writeString(response)
                                out.writeInteger(UInt8(ascii: "\n"))
                            }
                        case .tooLarge(let size):
                            requests += 1
                            errors.append(.requestTooLarge)
                            out.writeString(Self.tooLarge(size: size, limit: maxLine).response(id: nil) + "\n")
                        }
                    }
                    let elapsed = ContinuousClock.now - job.arrived
                    self.engine.metrics.record(requests: requests, errors: errors,
                                               latencyMicroseconds: UInt64(max(0, elapsed.microseconds)))
                    inFlight.count.subtract(job.frames.count, ordering: .relaxed)
                    if out.readableBytes > 0 { try await self.write(out, to: outbound, channel: channel) }
                }
            }
            // Reader: frames lines; queues them, or answers -32002 when too many wait already.
            var framer = LineFramer(maxLineBytes: maxLine)
            var frames: [LineFramer.Frame] = []
            for try await buffer in inbound {
                frames.removeAll(keepingCapacity: true)
                framer.append(buffer, into: &frames)
                guard !frames.isEmpty else { continue }
                let room = limit - inFlight.count.load(ordering: .relaxed)
                let admitted = max(0, min(room, frames.count))
                if admitted > 0 {
                    inFlight.count.add(admitted, ordering: .relaxed)
                    queue.yield(Job(frames: Array(frames[..<admitted]), arrived: .now))
                }
                if admitted < frames.count {
                    let error = RPCError(.overloaded, "too many requests in flight on this connection (\(limit)); read the responses before sending more",
                                         data: [("limit", .string("in_flight")), ("max", .number("\(limit)"))])
                    var out = channel.allocator.buffer(capacity: 192 * (frames.count - admitted))
                    for frame in frames[admitted...] {
                        engine.metrics.recordError(.overloaded)
                        switch frame {
                        case .line(let line):
                            out.writeString(line.withUnsafeReadableBytes { engine.refusal(of: $0.bindMemory(to: UInt8.self), error) })
                        case .tooLarge:
                            out.writeString(error.response(id: nil))
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
            try await group.waitForAll()
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
