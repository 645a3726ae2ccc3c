public import Histogram
import QingtingText
public import QingtingCore

extension IdentityIndex {
    /// What resolving a file of identities one at a time measured.
    public struct BatchReport: Sendable {
        /// Identities resolved (bad lines not counted).
        public var resolved = 0
        /// Pairs scored over all of them.
        public var compared = 0
        /// Per-identity latency in nanoseconds.
        public var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

        /// `resolved N identities; latency p50 …, p99 …, max …; P pairs compared per query`.
        public var summary: String {
            func ms(_ ns: UInt64) -> String { resolved == 0 ? "-" : NumberFormat.fixed(Double(ns) / 1e6, 3) + " ms" }
            let perQuery = resolved == 0 ? 0 : Double(compared) / Double(resolved)
            return "resolved \(resolved) identities; latency p50 \(ms(latency.valueAtPercentile(50))), " +
                "p99 \(ms(latency.valueAtPercentile(99))), max \(ms(latency.max)); " +
                "\(NumberFormat.fixed(perQuery, 1)) pairs compared per query"
        }
    }

    /// Resolves each identity of the JSONL file at `path` on its own, as `identity.resolve`
    /// does, handing `line` each result line in order. A line that is not an identity (bad
    /// JSON, no `uid`) goes to `skipped` as `path:line: what` and the rest go on.
    public func resolveAll(path: String, limit: Int, skipped: @escaping (QingtingError) -> Void,
                           line: (String) -> Void) throws -> BatchReport {
        var report = BatchReport()
        try RecordLoader.forEachObject(path: path, skipped: skipped) { object, number in
            let t0 = Monotonic.seconds()
            let fields = SocialPreset.queryFields(.object(object))
            let resolution: Resolution
            do { resolution = try resolve(fields, limit: limit) } catch var e as QingtingError where e.location == nil {
                e.location = "\(path):\(number)"
                throw e
            }
            _ = report.latency.record(UInt64(max(0, (Monotonic.seconds() - t0) * 1e9)))
            report.resolved += 1
            report.compared += resolution.compared
            line(json(resolution, query: fields))
        }
        return report
    }
}
