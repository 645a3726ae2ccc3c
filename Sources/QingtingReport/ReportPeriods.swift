import QingtingCore
import QingtingIngest

/// The periods a report is cut into: UTC days, ISO weeks (Monday first) or calendar months,
/// covering `[from, until)` with `from` and `until` taken to whole UTC days (the aggregates are daily).
public struct ReportPeriods: Sendable {
    public enum Granularity: String, Sendable, CaseIterable { case day, week, month }

    public struct Period: Sendable, Equatable {
        /// The period's nominal start (`2026-11-02` for the week of Monday 2 November).
        public var label: String
        /// `[start, end)` in UTC ms, clipped to the report's range.
        public var start: Int64
        public var end: Int64
    }

    public var from: Int64
    public var until: Int64
    public var periods: [Period]

    static let day: Int64 = 86_400_000

    /// - Throws: `QingtingError(.invalidInput)` when `until` is not after `from` or the range holds
    ///   more than 1,000 periods.
    public init(from: Int64, until: Int64, by: Granularity) throws {
        let first = Self.floor(from), last = Self.ceil(until)
        guard until > from else {
            throw QingtingError(.invalidInput, "--until (\(Timestamp.iso8601(until))) must be after --from (\(Timestamp.iso8601(from)))")
        }
        self.from = first
        self.until = last
        var out: [Period] = []
        var start = first
        while start < last {
            let nominal: Int64
            let next: Int64
            switch by {
            case .day:
                nominal = start
                next = start + Self.day
            case .week:
                let days = start / Self.day
                nominal = (days - (days + 3) % 7) * Self.day  // back to Monday (1970-01-01 was a Thursday)
                next = nominal + 7 * Self.day
            case .month:
                let label = Timestamp.iso8601(start)
                let year = Int(label.prefix(4))!, month = Int(label.dropFirst(5).prefix(2))!
                nominal = Timestamp.millis(String(label.prefix(7)) + "-01")!
                let (ny, nm) = month == 12 ? (year + 1, 1) : (year, month + 1)
                next = Timestamp.millis("\(NumberFormat.zeroPadded(ny, 4))-\(NumberFormat.zeroPadded(nm, 2))-01")!
            }
            out.append(Period(label: String(Timestamp.iso8601(nominal).prefix(10)), start: start, end: min(next, last)))
            start = min(next, last)
            guard out.count <= 1000 else {
                throw QingtingError(.invalidInput, "the range holds more than 1000 periods by \(by.rawValue); choose a coarser --by")
            }
        }
        periods = out
    }

    static func floor(_ t: Int64) -> Int64 { (t >= 0 ? t / day : (t - day + 1) / day) * day }
    static func ceil(_ t: Int64) -> Int64 { floor(t + day - 1) }

    /// The index of the period holding `t`, nil outside the range.
    public func index(of t: Int64) -> Int? {
        guard t >= from, t < until else { return nil }
        var lo = 0, hi = periods.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if periods[mid].start <= t { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// Every day of the range as `YYYY-MM-DD`.
    var dayLabels: [String] {
        stride(from: from, to: until, by: Int(Self.day)).map { String(Timestamp.iso8601($0).prefix(10)) }
    }

    /// The `YYYY-MM-DD` of the first and last day of the range.
    var days: (first: String, last: String) {
        (String(Timestamp.iso8601(from).prefix(10)), String(Timestamp.iso8601(until - 1).prefix(10)))
    }
}
