import QingtingCore
/// Times as people and CRM exports write them, for command options (`--since`, `--now`) and
/// customer records (`updated_at`), turned into UTC milliseconds with the same parsers the
/// adapters use.
public enum Timestamp {
    /// Parses, in order: epoch milliseconds (digits only, 13 of them or fewer — `1767225600000`);
    /// ISO 8601 with a zone (`2026-01-01T08:00:00+08:00`, `…Z`, fractions cut to ms); a local
    /// `yyyy-MM-dd HH:mm[:ss]` (or `/` between the date parts) at `offsetSeconds`; a date alone
    /// (`2026-01-01`, midnight at `offsetSeconds`). Nil for anything else: a time is never guessed.
    /// - Parameter offsetSeconds: east of UTC, for the forms without a zone (default UTC).
    public static func millis(_ text: String, offsetSeconds: Int64 = 0) -> Int64? {
        let t = text.trimmingWhitespace
        if !t.isEmpty, t.count <= 13, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Int64(t) }
        if let ms = EventTime.iso8601(t) { return ms }
        if let ms = EventTime.local(t, offsetSeconds: offsetSeconds) { return ms }
        if t.utf8.count == 10, let ms = EventTime.local(t + " 00:00", offsetSeconds: offsetSeconds) { return ms }
        return nil
    }

    /// `+08:00`, `+0800`, `-05`: seconds east of UTC, or nil.
    public static func offset(_ text: String) -> Int64? { EventTime.offset(Substring(text.trimmingWhitespace)) }

    /// UTC milliseconds as ISO 8601 (`2026-01-01T00:00:00.000Z`).
    public static func iso8601(_ millis: Int64) -> String {
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let rest = millis - days * 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ n: Int64, _ width: Int) -> String { NumberFormat.zeroPadded(Int(n), width) }
        let h = rest / 3_600_000, mi = rest / 60_000 % 60, s = rest / 1000 % 60, ms = rest % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(ms, 3))Z"
    }
}
