import QingtingCore
import QingtingStore

/// First-response and resolution clocks of one ticket under a KPI's parameters: which hours count
/// (`business_hours`), whether an automated reply is a response (`bot_replies`), and what a reopen
/// does (`reopen`: `first` — only the clock from creation; `latest` — resolution runs to the last
/// resolution; `restart` — each reopen starts a new response and resolution clock, as Chatwoot).
struct TicketClock {
    var hours: BusinessHours
    var botReplies: Bool
    var reopen: String

    init(params: [String: String]) {
        hours = (try? BusinessHours(params["business_hours"] ?? "none")) ?? (try! BusinessHours("none"))
        botReplies = params["bot_replies"] == "include"
        reopen = params["reopen"] ?? "first"
    }

    /// The key the measures of one parameter set are kept under.
    static func key(_ params: [String: String]) -> String {
        ["business_hours", "bot_replies", "reopen"].map { params[$0] ?? "" }.joined(separator: "|")
    }

    /// Adds the ticket's clock measures (`tickets.responded`, `…seconds`, `tickets.resolved`,
    /// `tickets.reopened`) to `m`; `tickets.created` is counted from every ticket, changed or not.
    func add(_ h: CRMStore.TicketHistory, to m: inout [String: Double]) {
        let t = h.ticket
        let changes = h.changes
        let bots = botReplies ? h.botReplies.filter { $0 >= t.createdAt }.sorted() : []
        m["tickets.reopened", default: 0] += Double(changes.filter { $0.status == "reopened" }.count)

        // Clock starts: creation, and with `restart` each reopen.
        var starts = [t.createdAt]
        if reopen == "restart" { starts += changes.filter { $0.status == "reopened" }.map(\.at) }
        for (i, start) in starts.enumerated() {
            let stop = i + 1 < starts.count ? starts[i + 1] : Int64.max
            let human = changes.first { $0.status == "responded" && $0.at >= start && $0.at < stop }?.at
            let bot = bots.first { $0 >= start && $0 < stop }
            if let first = [human, bot].compactMap({ $0 }).min() {
                m["tickets.responded", default: 0] += 1
                m["tickets.first_response_seconds", default: 0] += Double(hours.millis(from: start, to: first)) / 1000
            }
            let resolutions = changes.filter { $0.status == "resolved" && $0.at >= start && $0.at < stop }.map(\.at)
            let end: Int64?
            switch reopen {
            case "latest":
                // Only when the ticket is resolved now: a reopened ticket has no full resolution yet.
                end = t.status == "resolved" ? changes.last { $0.status == "resolved" }?.at : nil
            default: end = resolutions.first
            }
            if let end {
                m["tickets.resolved", default: 0] += 1
                m["tickets.resolution_seconds", default: 0] += Double(hours.millis(from: start, to: end)) / 1000
            }
            if reopen != "restart" { break }
        }
    }
}
