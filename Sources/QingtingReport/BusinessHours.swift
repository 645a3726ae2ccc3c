import QingtingCore

/// The working hours a ticket clock may count (`param business_hours 09:00-18:00 mon-fri +08:00`):
/// a daily window on chosen weekdays at a fixed UTC offset; `none` counts every hour (calendar time).
public struct BusinessHours: Sendable, Equatable {
    /// Minutes after local midnight; nil for calendar time.
    var open: Int?
    var close = 0
    /// Weekdays counted, 0 = Monday.
    var days: Set<Int> = []
    /// Minutes east of UTC.
    var offset = 0

    static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    static let dayMillis: Int64 = 86_400_000

    /// - Throws: `QingtingError(.invalidSettings)` naming the part that is wrong.
    public init(_ text: String) throws {
        if text == "none" { return }
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 3 else {
            throw QingtingError(.invalidSettings, "expected 'none' or three parts HH:MM-HH:MM DAYS ±HH:MM, got '\(text)'")
        }
        let window = parts[0].split(separator: "-").map(String.init)
        guard window.count == 2, let o = Self.minutes(window[0]), let c = Self.minutes(window[1]), o < c else {
            throw QingtingError(.invalidSettings, "the window must be HH:MM-HH:MM with the opening first, got '\(parts[0])'")
        }
        open = o
        close = c
        for range in parts[1].split(separator: ",") {
            let ends = range.split(separator: "-").map { Self.dayNames.firstIndex(of: String($0)) }
            guard (1...2).contains(ends.count), let a = ends.first!, let b = ends.last! else {
                throw QingtingError(.invalidSettings, "days are mon…sun, as ranges (mon-fri) or lists (sat,sun), got '\(parts[1])'")
            }
            var d = a
            while true {
                days.insert(d)
                if d == b { break }
                d = (d + 1) % 7
            }
        }
        let sign = parts[2].first
        guard sign == "+" || sign == "-", let m = Self.minutes(String(parts[2].dropFirst())) else {
            throw QingtingError(.invalidSettings, "the offset must be ±HH:MM, got '\(parts[2])'")
        }
        offset = sign == "-" ? -m : m
    }

    static func minutes(_ s: String) -> Int? {
        let hm = s.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m),
            h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    /// The milliseconds of `[start, end)` the clock counts.
    public func millis(from start: Int64, to end: Int64) -> Int64 {
        guard end > start else { return 0 }
        guard let open else { return end - start }
        let shift = Int64(offset) * 60_000
        let a = start + shift, b = end + shift
        var day = Self.floorDiv(a, Self.dayMillis)
        var total: Int64 = 0
        while day * Self.dayMillis < b {
            let weekday = Int(((day + 3) % 7 + 7) % 7)  // 1970-01-01 was a Thursday
            if days.contains(weekday) {
                let lo = max(a, day * Self.dayMillis + Int64(open) * 60_000)
                let hi = min(b, day * Self.dayMillis + Int64(close) * 60_000)
                if hi > lo { total += hi - lo }
            }
            day += 1
        }
        return total
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
