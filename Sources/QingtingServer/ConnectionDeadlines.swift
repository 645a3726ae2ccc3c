/// When a connection has waited too long, as a value type the tests drive without sockets.
///
/// Two clocks: a **read timeout** runs from the first byte of a request line until its newline
/// (so a peer that sends half a line and stalls — a slowloris — is closed), and an **idle
/// timeout** runs while nothing is being read, queued or answered. Work the server owes the peer
/// never counts against it: while lines are being answered, or while the connection is subscribed
/// to the feed (`alerts.subscribe`, records may come at any time), the idle clock is stopped.
struct ConnectionDeadlines {
    enum Expiry: Equatable {
        case readTimeout, idle
    }

    let readTimeout: Duration
    let idleTimeout: Duration
    /// When the first byte of the unfinished line arrived; nil between lines.
    private(set) var lineStarted: ContinuousClock.Instant?
    /// The last read or answer.
    private(set) var lastActivity: ContinuousClock.Instant
    /// Lines queued or being answered.
    private(set) var busy = 0
    /// Whether the connection streams the feed (`alerts.subscribe`).
    var subscribed = false

    init(readTimeout: Duration, idleTimeout: Duration, now: ContinuousClock.Instant) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        lastActivity = now
    }

    /// Bytes arrived: `completedLines` lines ended in them (each queued or refused), and
    /// `unfinishedBytes` of a next line are held.
    mutating func didRead(completedLines: Int, queued: Int, unfinishedBytes: Int, now: ContinuousClock.Instant) {
        lastActivity = now
        busy += queued
        if unfinishedBytes == 0 {
            lineStarted = nil
        } else if completedLines > 0 || lineStarted == nil {
            lineStarted = now
        }
    }

    /// `lines` queued lines were answered (or dropped).
    mutating func didAnswer(lines: Int, now: ContinuousClock.Instant) {
        busy = max(0, busy - lines)
        lastActivity = now
    }

    /// Which timeout, if any, has run out at `now`.
    func expired(at now: ContinuousClock.Instant) -> Expiry? {
        if let lineStarted, now - lineStarted >= readTimeout { return .readTimeout }
        if busy == 0, !subscribed, lineStarted == nil, now - lastActivity >= idleTimeout { return .idle }
        return nil
    }

    /// How long the watchdog may sleep before a timeout could run out.
    var checkInterval: Duration {
        let shortest = min(readTimeout, idleTimeout)
        return min(max(shortest / 8, .milliseconds(10)), .seconds(1))
    }
}
