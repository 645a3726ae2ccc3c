public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import QingtingCRM
public import QingtingIngest
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// The HTTP webhook receiver (`serve --http`): one path per platform, `/webhook/<platform>`, fed
/// into the same ingest path as `event.ingest` (`RPCEngine.EventLog.ingest`, whose `CommitGroup`
/// both share).
///
/// Each request is decided by `WebhookCheck` before anything is stored: a verification handshake
/// is answered, a request without a valid signature is refused (401/403, the body only the
/// outcome's name), and a verified payload is stored, then acknowledged: 200 only after its
/// transaction has committed. When the commit has not finished within `deadline` (the platforms
/// give 5 s) the answer is 503, so the platform retries; the commit may still land, and then the
/// retry is a duplicate (the log dedups on `(platform, event_id)`). A payload the ingest refuses
/// as a whole is answered 400 with its rejection code (counted under sync health); a body over
/// the ingest's `payload_too_large` limit is answered 413 before it is read, and not counted in
/// the store, since nothing unsigned may write there. Every outcome is counted in
/// `engine.info`'s `webhooks`.
///
/// Per connection one task reads requests and answers them in order (HTTP/1.1 keep-alive and
/// pipelining; NIO's `HTTPServerPipelineHandler` holds a pipelined request until the previous
/// answer is out); the ingest itself waits for its commit on a lane of threads of its own.
public final class WebhookServer: Service, Sendable {
    public struct Configuration: Sendable {
        public var address: ListenAddress
        public var secrets: WebhookSecrets
        /// Answer 503 when the commit has not finished this long after the request's last byte.
        public var deadline: Duration = .seconds(4)
        /// A connection that sends nothing for this long is closed (idle keep-alive, stalled bodies).
        public var idleTimeout: Duration = .seconds(30)
        /// Open connections; one more is answered 503 and closed.
        public var maxConnections = 256
        /// On SIGTERM/SIGINT, how long answers being computed get before connections are closed.
        public var shutdownGrace: Duration = .seconds(10)

        public init(address: ListenAddress, secrets: WebhookSecrets) {
            self.address = address
            self.secrets = secrets
        }
    }

    public let engine: RPCEngine
    public let configuration: Configuration
    let logger: Logger
    /// The ingest waits for its group commit on these threads, not on the concurrency pool.
    private let lane = HeavyLane(threads: 16)
    private let state = Mutex(State())
    private let open = Atomic<Int>(0)

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    public init(engine: RPCEngine, configuration: Configuration, logger: Logger = Logger(label: "qingting.webhook")) {
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await run(onReady: { _ in })
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    /// Binds and serves until `shutdown()`. `onReady` gets the address bound (its real port when
    /// the configured one was 0).
    /// - Throws: `QingtingError` when the engine has no event log or the address cannot be bound.
    public func run(onReady: @Sendable (ListenAddress) -> Void) async throws {
        guard let log = engine.eventLog else {
            throw QingtingError(.invalidInput, "the webhook receiver stores what it receives: start it with --store FILE")
        }
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.microseconds) * 1000)
        let address = configuration.address
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(CloseWhenIdle(), position: .first)
                        try sync.addHandler(IdleStateHandler(readTimeout: idle), position: .first)
                        try sync.configureHTTPServerPipeline(withErrorHandling: true)
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw QingtingError(.io, "cannot listen for webhooks: \(error)", location: address.description)
        }
        defer { lane.stop() }
        let bound = ListenAddress(host: address.host, port: server.channel.localAddress?.port ?? address.port)
        let alreadyStopping = state.withLock { s in
            s.serverChannel = server.channel
            return s.shuttingDown
        }
        if alreadyStopping { server.channel.close(promise: nil) }
        logger.notice("listening for webhooks", metadata: [
            "http": "\(bound)", "platforms": "\(configuration.secrets.platforms.map(\.rawValue).joined(separator: ","))",
        ])
        onReady(bound)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask { await self.serve(connection, log: log) }
                        }
                    }
                } catch {
                    logger.error("webhook accept loop ended: \(error)")
                }
                group.addTask { try await self.enforceGrace() }
            }
        } catch is GraceExpired {
            logger.warning("the grace period ended with webhook answers still being computed; they were cancelled")
        }
        logger.notice("stopped listening for webhooks", metadata: ["http": "\(bound)"])
    }

    /// Stops accepting and reading; answers being computed are still written. Safe to call twice.
    public func shutdown() {
        let (server, connections, first) = state.withLock { s in
            defer { s.shuttingDown = true }
            return (s.serverChannel, Array(s.connections.values), !s.shuttingDown)
        }
        guard first else { return }
        server?.close(promise: nil)
        for channel in connections { channel.close(mode: .input, promise: nil) }
    }

    private struct GraceExpired: Error {}

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

    // MARK: - One connection

    /// An HTTP answer.
    struct Reply: Sendable {
        var status: Int
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8] = []
        var headers: [(String, String)] = []

        init(status: Int, text: String = "", headers: [(String, String)] = []) {
            self.status = status
            body = Array(text.utf8)
            self.headers = headers
        }

        init(_ answer: WebhookCheck.Answer) {
            status = answer.status
            contentType = answer.contentType
            body = answer.body
        }
    }

    private func serve(_ connection: Connection, log: RPCEngine.EventLog) async {
        let channel = connection.channel
        let key = ObjectIdentifier(channel)
        let admitted = open.wrappingAdd(1, ordering: .relaxed).newValue <= configuration.maxConnections
        let stopping = state.withLock { s in
            s.connections[key] = channel
            return s.shuttingDown
        }
        if stopping { channel.close(mode: .input, promise: nil) }
        defer {
            state.withLock { _ = $0.connections.removeValue(forKey: key) }
            open.subtract(1, ordering: .relaxed)
        }
        let limit = log.configuration.maxPayloadBytes
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = channel.allocator.buffer(capacity: 0)
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body.clear()
                        guard admitted else {
                            engine.metrics.recordWebhook("overloaded")
                            try await send(Reply(status: 503, text: "overloaded\n"), keepAlive: false, head: h, outbound)
                            return
                        }
                        // Refused before the body is read: nothing unsigned is buffered past the limit.
                        if let declared = h.headers.first(name: "content-length").flatMap({ Int($0) }), declared > limit {
                            engine.metrics.recordWebhook("too_large")
                            try await send(Self.tooLarge, keepAlive: false, head: h, outbound)
                            return
                        }
                        // A client that waits for leave to send its body (curl does, past 1 KiB) gets it now.
                        if h.headers.first(name: "expect")?.lowercased() == "100-continue" {
                            try await outbound.write(.head(HTTPResponseHead(version: h.version, status: .continue)))
                        }
                    case .body(var chunk):
                        guard let h = head else { continue }
                        guard body.readableBytes + chunk.readableBytes <= limit else {
                            engine.metrics.recordWebhook("too_large")
                            try await send(Self.tooLarge, keepAlive: false, head: h, outbound)
                            return
                        }
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let h = head else { continue }
                        head = nil
                        let reply = await answer(h, body: Array(body.readableBytesView), log: log)
                        let keepAlive = h.isKeepAlive && !state.withLock { $0.shuttingDown }
                        try await send(reply, keepAlive: keepAlive, head: h, outbound)
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("webhook connection ended: \(error)")
        }
    }

    static let tooLarge = Reply(status: 413, text: ErrorCode.payloadTooLarge.rawValue + "\n")

    private func send(_ reply: Reply, keepAlive: Bool, head: HTTPRequestHead,
                      _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: reply.contentType)
        headers.add(name: "content-length", value: "\(reply.body.count)")
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        let status = HTTPResponseStatus(statusCode: reply.status)
        try await outbound.write(contentsOf: [
            .head(HTTPResponseHead(version: head.version, status: status, headers: headers)),
            .body(.byteBuffer(ByteBuffer(bytes: reply.body))),
            .end(nil),
        ])
    }

    /// The answer to one whole request.
    func answer(_ head: HTTPRequestHead, body: [UInt8], log: RPCEngine.EventLog) async -> Reply {
        let (path, query) = WebhookRequest.split(target: head.uri)
        var name = Substring(path)
        while name.hasSuffix("/") { name = name.dropLast() }
        guard name.hasPrefix("/webhook/"), let platform = Platform(rawValue: String(name.dropFirst("/webhook/".count))) else {
            engine.metrics.recordWebhook("not_found")
            return Reply(status: 404, text: "not_found\n")
        }
        var headers: [String: String] = [:]
        for (header, value) in head.headers where headers[header.lowercased()] == nil { headers[header.lowercased()] = value }
        let request = WebhookRequest(method: head.method.rawValue, query: query, headers: headers, body: body)
        switch WebhookCheck.check(request, platform: platform, secrets: configuration.secrets) {
        case .answer(let answer):
            engine.metrics.recordWebhook(answer.outcome.rawValue)
            if answer.status != 200 {
                logger.info("refused a webhook request", metadata: [
                    "platform": "\(platform.rawValue)", "status": "\(answer.status)", "outcome": "\(answer.outcome.rawValue)",
                ])
            }
            return Reply(answer)
        case .ingest(let payload):
            return await store(payload, platform: platform, log: log)
        }
    }

    private enum Race: Sendable {
        case done([EventPipeline.Result])
        case failed(String)
        case late
    }

    /// Stores a verified payload through the shared ingest path, racing the deadline. The ingest,
    /// once handed to the lane, runs to its commit whatever the race gives: a 503 answered at the
    /// deadline does not undo a commit that lands after it (the platform's retry is then a duplicate).
    private func store(_ payload: Payload, platform: Platform, log: RPCEngine.EventLog) async -> Reply {
        let models = engine.models
        let deadline = configuration.deadline
        let first = FirstOf<Race>()
        let race = await first.value { [lane] in
            Task {
                let outcome = try? await lane.run { () -> Race in
                    do { return .done(try log.ingest([payload], platform: platform, models: models)) } catch {
                        return .failed("\(type(of: error))")  // the type only: a store error may quote a value
                    }
                }
                first.offer(outcome ?? .late)  // nil: the lane stopped (shutdown) before it ran; nothing stored
            }
            Task {
                try? await Task.sleep(for: deadline)
                first.offer(.late)
            }
        }
        switch race {
        case .done(let results):
            let result = results.first
            if let result, result.events.isEmpty, let rejection = result.rejections.first {
                engine.metrics.recordWebhook("rejected")
                return Reply(status: 400, text: rejection.code.rawValue + "\n")
            }
            engine.metrics.recordWebhook("accepted")
            let events = result?.events ?? []
            // WeChat, WeCom, Weibo, Douyin and Meta all take an empty 200 as "received, do not retry".
            return Reply(status: 200, headers: [
                ("qingting-stored", "\(events.filter { $0.status == .stored }.count)"),
                ("qingting-duplicates", "\(events.filter { $0.status == .duplicate }.count)"),
            ])
        case .late:
            engine.metrics.recordWebhook("late")
            logger.warning("a webhook's commit did not finish within the deadline; answered 503 so the platform retries",
                           metadata: ["platform": "\(platform.rawValue)", "deadline": "\(deadline)"])
            return Reply(status: 503, text: "late\n", headers: [("retry-after", "1")])
        case .failed(let type):
            engine.metrics.recordWebhook("failed")
            logger.error("a webhook's transaction failed; answered 500, nothing acknowledged",
                         metadata: ["platform": "\(platform.rawValue)", "error": "\(type)"])
            return Reply(status: 500, text: "failed\n")
        }
    }
}

/// The first of several values offered from anywhere; later offers are dropped.
private final class FirstOf<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, taken: Bool)>((nil, false))

    /// Starts the offering tasks with `start`, then waits for the first offer.
    func value(_ start: () -> Void) async -> Value {
        await withCheckedContinuation { continuation in
            state.withLock { $0.continuation = continuation }
            start()
        }
    }

    func offer(_ value: Value) {
        let continuation = state.withLock { s -> CheckedContinuation<Value, Never>? in
            guard !s.taken, let c = s.continuation else { return nil }
            s.taken = true
            s.continuation = nil
            return c
        }
        continuation?.resume(returning: value)
    }
}

/// Closes a connection when `IdleStateHandler` says nothing was read for its timeout.
private final class CloseWhenIdle: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
