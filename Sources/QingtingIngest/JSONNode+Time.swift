import QingtingCore

/// The unit of a numeric timestamp.
enum TimeUnit: Sendable, Equatable {
    case seconds, milliseconds

    var name: String { self == .seconds ? "unix seconds" : "unix milliseconds" }
}

/// How a time member is written.
enum TimeFormat: Sendable, Equatable {
    case epoch(TimeUnit)
    /// `Wed Jun 01 00:50:25 +0800 2011` (Weibo, X v1.1).
    case weibo
    /// `2019-06-04T23:12:08.000Z` (X v2, Meta).
    case iso8601
    /// `2024-03-01 10:00:00` at a fixed offset east of UTC, in seconds (vendor exports).
    case local(offsetSeconds: Int64)

    var name: String {
        switch self {
        case .epoch(let unit): unit.name
        case .weibo: "a Weibo date (Wed Jun 01 00:50:25 +0800 2011)"
        case .iso8601: "an ISO 8601 time with a zone"
        case .local: "yyyy-MM-dd HH:mm:ss"
        }
    }

    /// The text (or number literal) as UTC milliseconds; nil when it is not in this format.
    func millis(_ text: String) -> Int64? {
        switch self {
        case .epoch(let unit):
            guard let n = Int64(text.trimmingWhitespace), n >= 0 else { return nil }
            return unit == .seconds ? EventTime.fromSeconds(n) : n
        case .weibo: return EventTime.weibo(text.trimmingWhitespace)
        case .iso8601: return EventTime.iso8601(text.trimmingWhitespace)
        case .local(let offset): return EventTime.local(text.trimmingWhitespace, offsetSeconds: offset)
        }
    }
}

extension JSONNode {
    /// The member `key` as a time in `format`.
    /// - Throws: `.missingTime` when absent, `.invalidTime` when not in the format (the message
    ///   names the place and the format, not the value).
    func time(_ key: String, _ format: TimeFormat) throws -> (millis: Int64, place: String) {
        guard let node = self[key] else { throw QingtingError(.missingTime, "no time at \(place(key))") }
        return (try node.time(format), node.path)
    }

    /// This node as a time in `format`.
    func time(_ format: TimeFormat) throws -> Int64 {
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let s): text = s
        default: throw QingtingError(.invalidTime, "\(place) is a \(value.typeName), not a time")
        }
        guard let ms = format.millis(text) else {
            throw QingtingError(.invalidTime, "\(place) is not \(format.name)")
        }
        return ms
    }
}
