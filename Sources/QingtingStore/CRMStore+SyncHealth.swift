internal import GRDB
import QingtingCore
public import QingtingIngest

extension CRMStore {
    /// Sync health of one platform on one day (UTC, the day of the commit or the rejection).
    public struct SyncDay: Sendable, Equatable {
        public var day: String
        public var platform: String
        /// Payloads received (a payload may carry several events, or be rejected as a whole).
        public var received = 0
        public var stored = 0
        public var duplicates = 0
        /// Rejections by reason code, and the latest example message of each.
        public var rejected: [String: Int] = [:]
        public var examples: [String: String] = [:]
        /// Over the events stored that day: mapped fields present and fields expected.
        public var fieldsPresent = 0
        public var fieldsExpected = 0
        /// Latency from `occurred_at` to the commit, in ms, over the events stored that day.
        public var latencyP50: Int64?
        public var latencyP95: Int64?
        public var latencyMax: Int64?

        /// Fields present ÷ fields expected (1 when nothing was expected).
        public var completeness: Double { fieldsExpected == 0 ? 1 : Double(fieldsPresent) / Double(fieldsExpected) }
    }

    /// Sync health per day and platform, sorted by day then platform.
    /// - Parameters:
    ///   - since: first day counted (`YYYY-MM-DD`), nil for all.
    ///   - until: first day not counted, nil for all.
    /// - Complexity: O(events in the range · log) for the latency percentiles.
    public func syncHealth(platform: Platform? = nil, since: String? = nil, until: String? = nil) throws -> [SyncDay] {
        var days: [String: SyncDay] = [:]
        func key(_ day: String, _ platform: String) -> String { day + "\u{1F}" + platform }
        func included(_ day: String, _ name: String) -> Bool {
            if let platform, platform.rawValue != name { return false }
            if let since, day < since { return false }
            if let until, day >= until { return false }
            return true
        }
        try read { db in
            let counts = try Row.fetchCursor(
                db, sql: "SELECT day, platform, received, stored, duplicates FROM sync_counts")
            while let r = try counts.next() {
                let (day, name): (String, String) = (r[0], r[1])
                guard included(day, name) else { continue }
                var d = days[key(day, name)] ?? SyncDay(day: day, platform: name)
                (d.received, d.stored, d.duplicates) = (r[2], r[3], r[4])
                days[key(day, name)] = d
            }
            let rejections = try Row.fetchCursor(
                db, sql: "SELECT day, platform, reason, count, example FROM sync_rejections")
            while let r = try rejections.next() {
                let (day, name): (String, String) = (r[0], r[1])
                guard included(day, name) else { continue }
                var d = days[key(day, name)] ?? SyncDay(day: day, platform: name)
                d.rejected[r[2]] = r[3]
                d.examples[r[2]] = r[4]
                days[key(day, name)] = d
            }
            // Latency and completeness from the events themselves, grouped by commit day.
            var latencies: [String: [Int64]] = [:]
            var sql = "SELECT platform, committed_at, occurred_at, fields_present, fields_expected FROM events"
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let platform {
                sql += " WHERE platform = ?"
                arguments.append(platform.rawValue)
            }
            let events = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var dayOf: (millis: Int64, day: String) = (-1, "")
            while let r = try events.next() {
                let name: String = r[0]
                let committed: Int64 = r[1]
                // Commits come in batches: the day of the last commit time is reused.
                if committed != dayOf.millis { dayOf = (committed, CRMStore.day(committed)) }
                guard included(dayOf.day, name) else { continue }
                let k = key(dayOf.day, name)
                var d = days[k] ?? SyncDay(day: dayOf.day, platform: name)
                d.fieldsPresent += r[3]
                d.fieldsExpected += r[4]
                days[k] = d
                latencies[k, default: []].append(committed - (r[2] as Int64))
            }
            for (k, var values) in latencies {
                values.sort()
                func at(_ p: Double) -> Int64 {
                    values[min(values.count - 1, Int((p * Double(values.count)).rounded(.up)) - 1)]
                }
                days[k]?.latencyP50 = at(0.50)
                days[k]?.latencyP95 = at(0.95)
                days[k]?.latencyMax = values.last
            }
        }
        return days.values.sorted { ($0.day, $0.platform) < ($1.day, $1.platform) }
    }
}
