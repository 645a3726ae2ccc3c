import Logging
public import QingtingCRM
public import ServiceLifecycle

/// The retention job `serve --store` runs beside the socket: `Retention` every `interval` (the
/// first one `interval` after start), each run in short transactions between the ingest's. Its log lines carry counts
/// only, never an id or a value. Ends at the service group's graceful shutdown.
public struct RetentionJob: Service {
    public let retention: Retention
    public let interval: Duration
    let logger: Logger

    public init(retention: Retention, interval: Duration) {
        self.retention = retention
        self.interval = interval
        logger = Logger(label: "qingting.retention")
    }

    public func run() async throws {
        let interval = self.interval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            runOnce(now: EventPipeline.clock())
        }
    }

    /// One run; a failure is logged (its error type only: a store error may quote a path) and
    /// the next run tries again.
    public func runOnce(now: Int64) {
        do {
            let report = try retention.run(now: now)
            if report.changedAnything {
                logger.notice("retention anonymized old social data",
                              metadata: report.tables.reduce(into: [:]) { $0[$1.key] = "\($1.value)" })
            }
        } catch {
            logger.error("retention run failed; it runs again next time", metadata: ["error": "\(type(of: error))"])
        }
    }
}
