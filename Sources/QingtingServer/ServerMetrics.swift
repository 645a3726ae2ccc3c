public import OrderedCollections
import Histogram
import QingtingText
import Synchronization
public import QingtingCore

/// Counters `engine.info` reports: requests, errors by code, connections, reloads and the latency
/// of answered requests (microseconds, from the line's arrival to its response being ready).
public final class ServerMetrics: Sendable {
    struct State {
        var requests = 0
        var errors: [RPCError.Code: Int] = [:]
        var connectionsOpen = 0
        var connectionsTotal = 0
        var connectionsRefused = 0
        var connectionsTimedOut = 0
        var dropped = 0
        var reloads = 0
        var notifications = 0
        var webhookRequests = 0
        var webhookOutcomes: [String: Int] = [:]
        var socketSignatureRefusals: [String: Int] = [:]
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
    }

    private let state = Mutex(State())
    let started = ContinuousClock.now

    public init() {}

    /// Counts a chunk of answered requests, their errors and their latencies at once (one lock).
    func record(requests: Int, errors: [RPCError.Code], latencyMicroseconds: UInt64) {
        state.withLock {
            $0.requests += requests
            for code in errors { $0.errors[code, default: 0] += 1 }
            _ = $0.latency.record(latencyMicroseconds, count: UInt64(requests))
        }
    }

    func recordError(_ code: RPCError.Code) {
        state.withLock { $0.errors[code, default: 0] += 1 }
    }

    /// Admits a connection unless `limit` are open already.
    func openConnection(limit: Int) -> Bool {
        state.withLock {
            guard $0.connectionsOpen < limit else { $0.connectionsRefused += 1; return false }
            $0.connectionsOpen += 1
            $0.connectionsTotal += 1
            return true
        }
    }

    func closeConnection() { state.withLock { $0.connectionsOpen -= 1 } }
    func recordTimeout() { state.withLock { $0.connectionsTimedOut += 1 } }
    /// Counts lines read but never answered because their connection had gone or the server stopped.
    func recordDropped(_ lines: Int) { state.withLock { $0.dropped += lines } }
    func recordReload() { state.withLock { $0.reloads += 1 } }
    /// Counts feed records sent to subscribers (`alerts.subscribe`).
    func recordNotifications(_ n: Int) { state.withLock { $0.notifications += n } }

    /// Counts one webhook request answered over HTTP, by its outcome (`accepted`, `handshake`,
    /// `bad_signature`, `too_large`, `late`, …).
    func recordWebhook(_ outcome: String) {
        state.withLock {
            $0.webhookRequests += 1
            $0.webhookOutcomes[outcome, default: 0] += 1
        }
    }

    /// Counts an `event.ingest` call refused by its signature check (`missing_signature`, …).
    func recordSignatureRefusal(_ outcome: String) {
        state.withLock { $0.socketSignatureRefusals[outcome, default: 0] += 1 }
    }

    /// `{"uptime_seconds":…,"requests":…,"errors":{…},"connections":{…},"dropped":…,"reloads":…,"notifications":…,"latency_us":{…}}`
    public func snapshot() -> JSONObject {
        let uptime = ContinuousClock.now - started
        return state.withLock { s in
            var errors: JSONObject = [:]
            for (code, n) in s.errors { errors["\(code.rawValue)"] = .number("\(n)") }
            let h = s.latency
            let latency: JSONValue = .object([
                "count": .number("\(h.totalCount)"),
                "p50": .number("\(h.totalCount == 0 ? 0 : h.valueAtPercentile(50))"),
                "p90": .number("\(h.totalCount == 0 ? 0 : h.valueAtPercentile(90))"),
                "p99": .number("\(h.totalCount == 0 ? 0 : h.valueAtPercentile(99))"),
                "max": .number("\(h.totalCount == 0 ? 0 : h.max)"),
            ])
            return [
                "uptime_seconds": .number("\(uptime.components.seconds)"),
                "requests": .number("\(s.requests)"),
                "errors": .object(errors),
                "connections": .object(["open": .number("\(s.connectionsOpen)"),
                                        "total": .number("\(s.connectionsTotal)"),
                                        "refused": .number("\(s.connectionsRefused)"),
                                        "timed_out": .number("\(s.connectionsTimedOut)")]),
                "dropped": .number("\(s.dropped)"),
                "reloads": .number("\(s.reloads)"),
                "notifications": .number("\(s.notifications)"),
                "latency_us": latency,
                "webhooks": .object([
                    "requests": .number("\(s.webhookRequests)"),
                    "by_outcome": .object(JSONObject(uniqueKeysWithValues: s.webhookOutcomes.sorted { $0.key < $1.key }
                        .map { ($0.key, JSONValue.number("\($0.value)")) })),
                    "socket_signature_refusals": .object(JSONObject(uniqueKeysWithValues: s.socketSignatureRefusals
                        .sorted { $0.key < $1.key }.map { ($0.key, JSONValue.number("\($0.value)")) })),
                ]),
            ]
        }
    }
}
