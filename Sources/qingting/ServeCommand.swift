import ArgumentParser
import QingtingCore
import Logging
import QingtingCore
import QingtingCRM
import QingtingIngest
import QingtingProfile
import QingtingReport
import QingtingStore
import QingtingServer
import QingtingText
import QingtingCore
import ServiceLifecycle
import UnixSignals


struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer JSON-RPC 2.0 requests on a Unix socket, one message per line.",
        discussion: """
            Methods: engine.info, rpc.discover, text.segment, text.analyze, identity.resolve, \
            event.ingest, sync.status, customer.get, customer.search, customer.consent, customer.delete, segment.list and segment.members (with --store), model.reload (`qingting call rpc.discover` lists them with their schemas). SIGTERM or \
            SIGINT stops accepting, answers what was read within --shutdown-grace, cancels the rest, \
            and removes the socket file. A socket file left by a crashed run is replaced; one a live \
            server answers on is not. The socket's folder is created 0700; one that another user \
            owns or can write in is refused. With --http, platform webhooks are received over HTTP \
            at /webhook/<platform> (wechat, wecom, weibo, douyin, kuaishou, x, facebook, instagram, …): \
            handshakes answered, signatures checked against --webhook-secrets before anything is \
            stored, 200 only after the commit. model.reload reads only regular files inside the \
            folders of the files loaded at start and --reload-dir folders. Every call runs as a role of \
            the roles file (--roles; `qingting roles matrix` prints what each may call and see): a method \
            the role may not call is refused with -32001, and fields it does not see are removed from \
            results. With --store, every call that reads or changes personal data is recorded in the \
            store's audit log (`qingting audit`) with its role, allowed or refused, \
            and retention anonymizes social data older than --retention every --retention-every \
            (`qingting retention`).
            """
    )

    @Option(help: "Socket path (default: $XDG_RUNTIME_DIR/qingting.sock, else /tmp/qingting-$UID/qingting.sock).")
    var socket: String?

    @Option(help: "Socket file mode, octal (0600: only this user).")
    var socketMode = "600"

    @Option(name: .customLong("allow-uid"), help: "Also let this uid connect (repeatable); the server's own uid and root always may.")
    var allowUIDs: [UInt32] = []

    @Option(help: "Role tokens file, `token<TAB>role[<TAB>name]` per line, a role of the roles file; calls then run as their token's role (without one: the roles file's anonymous role); the audit log records the name (else a short hash of the token).")
    var tokens: String?

    @Option(help: "Roles file: the methods and fields each role may use, and temporary grants (default: the shipped Lexicons/roles.txt). Read again when it changes.")
    var roles: String?

    @Option(help: "Audit: alert (rule audit-unusual-access) when one token or uid reads more than this many distinct customers within --audit-window.")
    var auditMaxCustomers = 1000

    @Option(help: "Audit: the window of --audit-max-customers, in seconds.")
    var auditWindow = 3600

    @Option(help: "Longest request line in bytes (longer: error -32003).")
    var maxLineBytes = 16 << 20

    @Option(help: "Most open connections (one more: error -32002 and closed).")
    var maxConnections = 1024

    @Option(help: "Most requests read but not answered per connection (more: error -32002).")
    var maxInFlight = 1024

    @Option(help: "Close a connection whose peer has not read its responses for this many seconds.")
    var writeTimeout = 30

    @Option(help: "Seconds a request line may take from its first byte to its newline (then: error -32600 and closed).")
    var readTimeout = 10.0

    @Option(help: "Seconds a connection may sit with nothing sent or being answered (then: error -32600 and closed).")
    var idleTimeout = 300.0

    @Option(help: "Most requests in one batch array (more: error -32003, none run).")
    var maxBatch = 1024

    @Option(help: "Bytes of request lines read but not answered, per connection (more: error -32002).")
    var maxQueuedBytesPerConnection = 64 << 20

    @Option(help: "Bytes of request lines read but not answered, over all connections (more: error -32002).")
    var maxQueuedBytes = 256 << 20

    @Option(help: "On SIGTERM/SIGINT, seconds to finish what was read; then the rest is cancelled and the server exits.")
    var shutdownGrace = 10.0

    @Option(name: .customLong("reload-dir"),
            help: "Also let model.reload read files in this folder (repeatable); by default only the folders of the files loaded at start.")
    var reloadDirs: [String] = []

    @Option(help: "Largest file model.reload reads, in bytes.")
    var maxReloadBytes = 256 << 20

    @Option(help: "Sentiment model (default: Models/sentiment.qtlin).")
    var model: String?

    @Option(help: "Intent model (default: Models/intent.qtlin when present).")
    var intentModel: String?

    @Option(help: "Link model (from `link train`) for identity.resolve (with --customers) and for resolving event authors against the --store customers.")
    var linkModel: String?

    @Option(help: "CRM customers JSONL to index for identity.resolve; needs --link-model.")
    var customers: String?

    @Option(help: "Identities a batch run resolved (identities.jsonl), so identity.resolve uses the identity graph; needs --known-links.")
    var knownIdentities: String?

    @Option(help: "The links.jsonl of that run.")
    var knownLinks: String?

    @Option(help: "Event log (SQLite) for event.ingest and sync.status; created when missing.")
    var store: String?

    @Option(help: "Commit durability of the event log: full (sync at every commit) or normal.")
    var durability: CRMStore.Durability = .full

    @OptionGroup var keys: KeyOptions

    @Option(help: "Profile configuration for the profiles event.ingest updates and customer.get reads (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Option(help: "Rule file the events event.ingest stores go through (default: the shipped Lexicons/rules.txt; 'none' for no rules).")
    var rules: String?

    @Option(help: "KPI definition file kpi.report computes (default: the shipped Lexicons/kpis.txt).")
    var kpis: String?

    @Option(help: "Experiments file ab.report reads (default: the shipped Lexicons/experiments.json).")
    var experiments: String?

    @Option(help: "Field mapping for generic payloads sent to event.ingest.")
    var mapping: String?

    @Option(help: "With --store: anonymize social data older than this (90d, 36h, a number of days), every --retention-every; 'off' for never.")
    var retention = "90d"

    @Option(help: "Seconds between retention runs.")
    var retentionEvery = 3600

    @Option(help: "Pseudonym key file for retention (default: STORE.pseudonym-key, made when missing, mode 0600).")
    var pseudonymKey: String?

    @Option(help: "Also receive platform webhooks over HTTP at /webhook/<platform>, on PORT (127.0.0.1), HOST:PORT or [IPV6]:PORT; loopback only unless --http-public. Needs --store and --webhook-secrets.")
    var http: String?

    @Flag(help: "Let --http listen on an address that is not loopback (the receiver speaks plain HTTP: put TLS in front of it).")
    var httpPublic = false

    @Option(help: "Webhook secrets, `platform<TAB>kind<TAB>value` per line (token, aes_key, app_secret, client_secret, consumer_secret, verify_token; or `platform<TAB>unsigned`), mode 0600. The --http receiver refuses a platform it does not name; event.ingest checks the signatures of calls that carry headers or query.")
    var webhookSecrets: String?

    @Option(help: "Seconds a webhook's commit may take before the answer is 503, so the platform retries (they wait 5 s).")
    var webhookDeadline = 4.0

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @OptionGroup var segmenterOptions: SegmenterOptions

    func validate() throws {
        if (knownIdentities == nil) != (knownLinks == nil) { throw ValidationError("--known-identities and --known-links go together") }
        if let http {
            guard store != nil else { throw ValidationError("--http stores what it receives: give --store FILE too") }
            guard webhookSecrets != nil else {
                throw ValidationError("--http checks every payload's signature: give --webhook-secrets FILE (a platform that signs nothing is listed as `platform<TAB>unsigned`)")
            }
            do { _ = try ListenAddress.parse(http, allowPublic: httpPublic) } catch let error as QingtingError {
                throw ValidationError(error.message)
            }
        } else if httpPublic {
            throw ValidationError("--http-public goes with --http")
        }
        if webhookSecrets != nil, store == nil { throw ValidationError("--webhook-secrets checks what is stored: give --store FILE too") }
        guard webhookDeadline > 0, webhookDeadline < 60 else { throw ValidationError("--webhook-deadline \(webhookDeadline) must be a number of seconds > 0 and < 60") }
        guard UInt32(socketMode, radix: 8) != nil else { throw ValidationError("--socket-mode \(socketMode) is not an octal mode") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level \(logLevel) is not a level") }
        if retention != "off" {
            do { _ = try Retention.age(retention) } catch let e as QingtingError { throw ValidationError("--retention: \(e.message)") }
        }
        guard retentionEvery >= 1 else { throw ValidationError("--retention-every must be at least 1 second") }
        guard auditMaxCustomers >= 0, auditWindow >= 1 else { throw ValidationError("--audit-max-customers must be >= 0 and --audit-window >= 1 second") }
        for (name, value) in [("--max-line-bytes", maxLineBytes), ("--max-connections", maxConnections),
                              ("--max-in-flight", maxInFlight), ("--write-timeout", writeTimeout), ("--max-batch", maxBatch),
                              ("--max-queued-bytes-per-connection", maxQueuedBytesPerConnection),
                              ("--max-queued-bytes", maxQueuedBytes), ("--max-reload-bytes", maxReloadBytes)] where value < 1 {
            throw ValidationError("\(name) \(value) must be at least 1")
        }
        for (name, value) in [("--read-timeout", readTimeout), ("--idle-timeout", idleTimeout),
                              ("--shutdown-grace", shutdownGrace)] where !(value > 0 && value < 1e9) {
            throw ValidationError("\(name) \(value) must be a number of seconds > 0")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var sources = EngineModels.Sources()
        sources.segmentModel = segmenterOptions.segmentModel
        sources.userdict = segmenterOptions.userdict
        sources.useUserdict = !segmenterOptions.noUserdict
        sources.segmenter = segmenterOptions.configuration
        // With --store, the link model alone resolves event authors against the store's customers;
        // identity.resolve needs --customers too.
        sources.linkModel = customers == nil && store != nil ? nil : linkModel
        sources.customers = customers
        sources.knownIdentities = knownIdentities
        sources.knownLinks = knownLinks
        sources.sentimentModel = model
        sources.intentModel = intentModel
        let (models, roleSource, tokenTable) = try reportingErrors {
            guard let rolesPath = roles ?? Resources.find(RolePolicy.shippedPath) else {
                throw QingtingError(.io, "the shipped \(RolePolicy.shippedPath) is not installed; give --roles FILE")
            }
            let source = try RoleSource(watching: rolesPath)
            return (try EngineModels(sources), source,
                    try tokens.map { try AccessPolicy.readTokenFile($0, roles: source.policy) } ?? (roles: [:], names: [:]))
        }
        var configuration = ServerConfiguration(socketPath: socket ?? ServerConfiguration.defaultSocketPath)
        configuration.socketMode = UInt32(socketMode, radix: 8)!
        configuration.maxLineBytes = maxLineBytes
        configuration.maxConnections = maxConnections
        configuration.maxInFlightPerConnection = maxInFlight
        configuration.writeStallTimeout = .seconds(writeTimeout)
        configuration.readTimeout = .seconds(readTimeout)
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.shutdownGrace = .seconds(shutdownGrace)
        configuration.maxQueuedBytesPerConnection = maxQueuedBytesPerConnection
        configuration.maxQueuedBytes = maxQueuedBytes
        var limits = RPCEngine.Limits()
        limits.maxBatchRequests = maxBatch
        limits.reload = ReloadPolicy(directories: reloadDirs, maxFileBytes: maxReloadBytes)
        let eventLog = try reportingErrors { () -> RPCEngine.EventLog? in
            guard let store else { return nil }
            let crm = try CRMStore(path: store, durability: durability, keys: keys.keyring())
            // The probabilistic step scores against the store's customers, with the link model given.
            let resolver = try CustomerResolver.load(store: crm, modelPath: linkModel)
            var pipeline = EventPipeline.Configuration(mapping: try mapping.map(FieldMapping.load))
            let experimentFile = try ExperimentFile.load(experiments)
            pipeline.profile = try ProfileConfiguration.load(profileConfig)
            pipeline.profile.experiments = experimentFile.experiments
            pipeline.rules = try RuleRunner.load(rules)
            var log = RPCEngine.EventLog(store: crm, resolver: resolver, configuration: pipeline,
                                         kpis: try KPIDefinitions.load(kpis))
            log.experiments = experimentFile
            log.unusualAccess = CRMStore.UnusualAccess(maxCustomers: auditMaxCustomers, windowMillis: Int64(auditWindow) * 1000)
            log.webhookSecrets = try webhookSecrets.map(WebhookSecrets.load)
            return log
        }
        let engine = RPCEngine(models: models, access: AccessPolicy(allowedUIDs: Set(allowUIDs), tokens: tokenTable.roles, tokenNames: tokenTable.names, roles: roleSource), limits: limits,
                               eventLog: eventLog)
        let server = SocketServer(engine: engine, configuration: configuration)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        if let log = eventLog, let store, retention != "off" {
            let job = try reportingErrors {
                RetentionJob(
                    retention: Retention(store: log.store, config: log.configuration.profile,
                                         key: try PseudonymKey.load(pseudonymKey ?? PseudonymKey.defaultPath(store: store)),
                                         olderThan: try Retention.age(retention)),
                    interval: .seconds(retentionEvery))
            }
            services.append(.init(service: job))
        }
        if let http, let secrets = eventLog?.webhookSecrets {
            var webhooks = WebhookServer.Configuration(address: try ListenAddress.parse(http, allowPublic: httpPublic), secrets: secrets)
            webhooks.deadline = .nanoseconds(Int64(webhookDeadline * 1e9))
            webhooks.maxConnections = maxConnections
            webhooks.shutdownGrace = .seconds(shutdownGrace)
            services.append(.init(service: WebhookServer(engine: engine, configuration: webhooks)))
        }

        // swift-service-lifecycle turns SIGTERM and SIGINT into a graceful shutdown of the servers,
        // whose `run()` returns within the grace period, whatever is still running.
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "qingting.serve")))
        try await reportingErrors {
            try await group.run()
        }
    }
}
