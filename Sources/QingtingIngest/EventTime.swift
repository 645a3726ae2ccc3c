import QingtingCore

/// The time formats the platforms write, each turned into UTC milliseconds.
///
/// Parsed by hand rather than with a date formatter: the formats are fixed, a formatter depends on
/// locale settings, and this runs once per event.
enum EventTime {
    /// 2000-01-01T00:00:00Z: anything earlier is a wrong clock or a wrong unit, not a social post.
    static let earliest: Int64 = 946_684_800_000

    /// Unix seconds as UTC milliseconds (nil on overflow).
    static func fromSeconds(_ seconds: Int64) -> Int64? {
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : ms
    }

    /// Days from 1970-01-01 to the civil date (proleptic Gregorian; Howard Hinnant's algorithm).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// UTC milliseconds of a local civil time at `offsetSeconds` east of UTC; nil for an impossible
    /// date or time (Feb 30, 25:00).
    static func millis(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64,
        millisecond: Int64 = 0, offsetSeconds: Int64
    ) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (0...999).contains(millisecond), (1...9999).contains(year)
        else { return nil }
        let seconds =
            days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1000 + millisecond
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let weekdays: Set<Substring> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// Weibo's and X v1.1's `created_at`: `Wed Jun 01 00:50:25 +0800 2011` (English names, the
    /// offset before the year). The weekday must be a weekday name but is not checked against
    /// the date.
    static func weibo(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6, weekdays.contains(parts[0]),
            let month = months.firstIndex(of: String(parts[1])),
            let day = Int64(parts[2]), let year = Int64(parts[5]),
            let (hour, minute, second) = clock(parts[3]),
            let offset = offset(parts[4])
        else { return nil }
        return millis(
            year: year, month: Int64(month + 1), day: day, hour: hour, minute: minute, second: second,
            offsetSeconds: offset)
    }

    /// ISO 8601 / RFC 3339 as X and Meta write it: `2019-06-04T23:12:08.000Z`,
    /// `2024-03-01T10:00:00+08:00`, `2024-03-01T10:00:00+0800`; a fraction of any length is cut
    /// to milliseconds. A zone is required.
    static func iso8601(_ text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count >= 20, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
            u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
            let year = digits(u, 0, 4), let month = digits(u, 5, 2), let day = digits(u, 8, 2),
            let (hour, minute, second) = clock(Substring(String(decoding: u[11..<19], as: UTF8.self)))
        else { return nil }
        var at = 19
        var millisecond: Int64 = 0
        if at < u.count, u[at] == UInt8(ascii: ".") {
            at += 1
            var scale: Int64 = 100
            let start = at
            while at < u.count, u[at] >= 0x30, u[at] <= 0x39 {
                millisecond += Int64(u[at] - 0x30) * scale
                scale /= 10
                at += 1
            }
            guard at > start else { return nil }
        }
        let zone = Substring(String(decoding: u[at...], as: UTF8.self))
        let offsetSeconds: Int64
        if zone == "Z" || zone == "z" {
            offsetSeconds = 0
        } else {
            guard let o = offset(zone) else { return nil }
            offsetSeconds = o
        }
        return millis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            millisecond: millisecond, offsetSeconds: offsetSeconds)
    }

    /// `yyyy-MM-dd HH:mm:ss` (or with `/` between date parts, or `T`), local time at
    /// `offsetSeconds`: the way Chinese vendor exports write times.
    static func local(_ text: String, offsetSeconds: Int64) -> Int64? {
        let u = Array(text.utf8)
        guard u.count == 19 || u.count == 16, u[4] == u[7], u[4] == UInt8(ascii: "-") || u[4] == UInt8(ascii: "/"),
            u[10] == UInt8(ascii: " ") || u[10] == UInt8(ascii: "T"),
            let year = digits(u, 0, 4), let month = digits(u, 5, 2), let day = digits(u, 8, 2)
        else { return nil }
        let clockText = Substring(String(decoding: u[11...], as: UTF8.self))
        let time: (Int64, Int64, Int64)?
        if u.count == 16 {
            time = clock(clockText + ":00")
        } else {
            time = clock(clockText)
        }
        guard let (hour, minute, second) = time else { return nil }
        return millis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            offsetSeconds: offsetSeconds)
    }

    /// `HH:mm:ss`.
    private static func clock(_ text: Substring) -> (Int64, Int64, Int64)? {
        let u = Array(text.utf8)
        guard u.count == 8, u[2] == UInt8(ascii: ":"), u[5] == UInt8(ascii: ":"),
            let h = digits(u, 0, 2), let m = digits(u, 3, 2), let s = digits(u, 6, 2)
        else { return nil }
        return (h, m, s)
    }

    /// `+0800`, `-05:00`, `+08`: seconds east of UTC.
    static func offset(_ text: Substring) -> Int64? {
        let u = Array(text.utf8)
        guard u.count == 3 || u.count == 5 || u.count == 6, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-"),
            let hours = digits(u, 1, 2), hours <= 14
        else { return nil }
        var minutes: Int64 = 0
        if u.count == 5 {
            guard let m = digits(u, 3, 2) else { return nil }
            minutes = m
        } else if u.count == 6 {
            guard u[3] == UInt8(ascii: ":"), let m = digits(u, 4, 2) else { return nil }
            minutes = m
        }
        guard minutes < 60 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return u[0] == UInt8(ascii: "-") ? -seconds : seconds
    }

    private static func digits(_ u: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= u.count else { return nil }
        var value: Int64 = 0
        for b in u[start..<(start + count)] {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int64(b - 0x30)
        }
        return value
    }
}
