import OrderedCollections
import QingtingCore

/// A parsed payload: JSON, or XML for WeChat and WeCom pushes.
enum Document {
    case json(JSONValue)
    case xml(XMLTree)
}

/// What an adapter builds events with: the platform, the payload (kept as each event's `raw`)
/// and the configuration whose clock every event time is checked against.
struct EventMaker: Sendable {
    let platform: Platform
    let payload: Payload
    let configuration: Ingest.Configuration

    /// An author, or `.missingAuthor` naming where the uid should have been.
    func author(_ uid: String?, at place: String, profile: JSONObject = [:]) throws -> SocialEvent.Author {
        guard let uid, !uid.isEmpty else { throw QingtingError(.missingAuthor, "no author id at \(place)") }
        return SocialEvent.Author(platform: platform, uid: uid, profile: profile)
    }

    /// A finished event, after the time check; empty texts become nil.
    /// - Parameter time: UTC milliseconds and the place they were read from.
    /// - Throws: `.futureTime` past `now` plus the tolerance, `.timeBefore2000` before 2000.
    func event(
        id: String, kind: EventKind, author: SocialEvent.Author?, parent: SocialEvent.Parent? = nil,
        text: String? = nil, quotedText: String? = nil, time: (millis: Int64, place: String),
        metrics: JSONObject = [:]
    ) throws -> SocialEvent {
        try check(time)
        return SocialEvent(
            platform: platform, eventID: id, kind: kind, author: author, parent: parent,
            text: text.flatMap { $0.isEmpty ? nil : $0 },
            quotedText: quotedText.flatMap { $0.isEmpty ? nil : $0 },
            occurredAt: time.millis, receivedAt: configuration.receivedAt, metrics: metrics,
            raw: payload.bytes)
    }

    /// Refuses a time before 2000 or later than `now` plus the tolerance.
    func check(_ time: (millis: Int64, place: String)) throws {
        if time.millis < EventTime.earliest {
            throw QingtingError(.timeBefore2000, "\(time.place) is before 2000-01-01 (a wrong clock or unit)")
        }
        let (latest, overflow) = configuration.now.addingReportingOverflow(configuration.futureToleranceMillis)
        if !overflow, time.millis > latest {
            throw QingtingError(
                .futureTime, "\(time.place) is more than \(configuration.futureToleranceMillis / 1000) s after now")
        }
    }
}

/// What an adapter collects from one payload: the events, and the items it had to refuse. One
/// bad item of a batch (one status of a timeline, one `entry` of a Meta webhook) is refused
/// alone; the others still become events.
struct AdapterContext {
    let make: EventMaker
    private(set) var events: [SocialEvent] = []
    private(set) var rejections: [QingtingError] = []

    init(_ make: EventMaker) { self.make = make }

    /// Runs the reading of one item: the events it returns are kept; a `QingtingError` it throws
    /// refuses that item alone.
    mutating func item(_ read: (EventMaker) throws -> [SocialEvent]) {
        do {
            events += try read(make)
        } catch let error as QingtingError {
            rejections.append(error)
        } catch {
            rejections.append(QingtingError(.invalidPayload, "unreadable item", cause: error))
        }
    }

    /// `item` for a reader of at most one event.
    mutating func one(_ read: (EventMaker) throws -> SocialEvent?) {
        item { try read($0).map { [$0] } ?? [] }
    }

    /// Refuses the payload as a whole (its envelope is unusable).
    mutating func reject(_ error: QingtingError) {
        rejections.append(error)
    }
}
