import ArgumentParser
import QingtingCRM
import QingtingCore
import QingtingProfile
import QingtingRules
import QingtingStore
#if canImport(Glibc)
import Glibc
#endif

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check a rule file, run it over stored history, or fire the timers due by a time.",
        subcommands: [RulesCheckCommand.self, RulesBacktestCommand.self, RulesTickCommand.self]
    )
}

struct RulesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a rule file; every problem is reported as FILE:LINE: what.",
        discussion: "Prints a JSON summary (rules, routes, templates, version) when the file is valid; exits 1 otherwise."
    )

    @Argument(help: "The rule file (default: the shipped Lexicons/rules.txt).")
    var file: String?

    func run() throws {
        let rules = try reportingErrors { () throws -> RuleSet in
            if let file { return try RuleSet.load(file) }
            guard let shipped = try RuleRunner.shipped() else {
                throw QingtingError(.io, "no rule file given and \(RuleRunner.shippedPath) not found")
            }
            return shipped
        }
        var w = JSONWriter()
        w.object { w in
            w.member("file", rules.source)
            w.member("version", rules.version)
            w.member("rules") { w in w.array(rules.rules) { w, r in w.string(r.name) } }
            w.member("routes", rules.routes.count)
            w.member("templates", rules.templates.count)
            w.member("horizon_hours", Double(rules.horizonMillis) / 3_600_000, digits: 2)
        }
        writeAll(1, w.text + "\n")
    }
}

struct RulesBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run a rule file over stored events as if live and report what would have fired, writing nothing.",
        discussion: """
            Prints one JSON object: records per rule, tickets it would have opened, records per UTC day \
            and up to three example records. --against OTHER runs a second rule file over the same \
            events and puts both side by side. --from/--until bound the events' occurred_at (ISO 8601, \
            epoch ms or dates); windows still see the events before --from.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The rule file (default: the shipped Lexicons/rules.txt).")
    var file: String?

    @Option(help: "A second rule file to compare with.")
    var against: String?

    @Option(help: "Only what fires at or after this time.")
    var from: TimeArgument?

    @Option(help: "Events before this time; timers due by then fire.")
    var until: TimeArgument?

    @Option(help: "Profile configuration profiles are folded with (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @OptionGroup var experimentOptions: ExperimentOptions

    func run() throws {
        let text = try reportingErrors { () throws -> String in
            let store = try storeOptions.open()
            var config = try ProfileConfiguration.load(profileConfig)
            config.experiments = try experimentOptions.file().experiments
            guard let rules = try RuleRunner.load(file)?.rules else {
                throw QingtingError(.io, "no rule file given and \(RuleRunner.shippedPath) not found")
            }
            let progress = Progress(label: "backtest")
            let a = try RuleBacktest.run(rules, store: store, profile: config, from: from?.millis, until: until?.millis) {
                progress.update($0)
            }
            let b = try against.map {
                try RuleBacktest.run(RuleSet.load($0), store: store, profile: config, from: from?.millis, until: until?.millis)
            }
            progress.finish()
            return RuleBacktest.json(a, against: b)
        }
        writeAll(1, text + "\n")
    }
}

struct RulesTickCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Fire the rules' timers due by --now (a wait's silence, a delayed step) and print the new feed records.",
        discussion: "Timers run on event time: ingest moves them with each event's occurred_at (and to --now when given); tick moves them without an event."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The time to advance to (ISO 8601, epoch ms).")
    var now: TimeArgument

    @Option(help: "Rule file (default: the shipped Lexicons/rules.txt).")
    var rules: String?

    @Option(help: "Profile configuration (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @OptionGroup var experimentOptions: ExperimentOptions

    func run() throws {
        try reportingErrors {
            let store = try storeOptions.open()
            guard let runner = try RuleRunner.load(rules) else { return }
            var config = try ProfileConfiguration.load(profileConfig)
            config.experiments = try experimentOptions.file().experiments
            let seqs = try runner.advance(to: now.millis, store: store, profile: config)
            var out = Output()
            if let first = seqs.min() {
                for r in try store.feed(since: first - 1, limit: seqs.count) { out.line(Feed.line(r)) }
            }
            out.flush()
        }
    }
}

struct FeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "The feed (alerts, actions, tickets) after a sequence number, one JSON record per line.",
        discussion: """
            Each line has seq, kind, rule, customer, priority, action, status, delivery (the outbox's \
            status now), ticket, events, at, created_at and detail. A reader resumes with --since LAST_SEQ \
            and gets every record after it, in order; --follow keeps reading as records are appended.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Records after this sequence number.")
    var since: Int64 = 0

    @Option(help: "Only these kinds (comma-separated: alert, action, ticket, merge, split).")
    var kind: String?

    @Option(help: "Only these priorities (comma-separated: low, normal, high, urgent).")
    var priority: String?

    @Option(help: "Only records of these rules (comma-separated).")
    var rule: String?

    @Flag(help: "Keep reading: print records as they are appended (poll every 200 ms) until interrupted.")
    var follow = false

    func run() throws {
        try reportingErrors {
            let store = try storeOptions.open()
            func set(_ s: String?) -> Set<String> { Set((s ?? "").split(separator: ",").map(String.init)) }
            let filter = CRMStore.FeedFilter(kinds: set(kind), priorities: set(priority), rules: set(rule))
            var cursor = since
            repeat {
                var out = Output()
                while true {
                    let page = try store.feedPage(since: cursor, filter: filter, limit: 1000)
                    for r in page.records { out.line(Feed.line(r)) }
                    guard page.through > cursor else { break }
                    cursor = page.through
                }
                out.flush()
                if follow { usleep(200_000) }
            } while follow
        }
    }
}

struct TicketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "List tickets, show one, or change one (status, assignee, priority).",
        discussion: """
            Without --id: the tickets (newest first) as JSON lines, filtered by --status, --customer, \
            --assignee. With --id: that ticket; with --set-status/--assign/--set-priority also, the \
            change (open → assigned → responded → resolved → reopened), appended to the feed with the \
            status message the customer gets.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "One ticket's id.")
    var id: Int64?

    @Option(help: "Only tickets in this status.")
    var status: String?

    @Option(help: "Only this customer's tickets.")
    var customer: String?

    @Option(help: "Only tickets assigned to this.")
    var assignee: String?

    @Option(help: "New status (with --id).")
    var setStatus: String?

    @Option(help: "New assignee (with --id).")
    var assign: String?

    @Option(help: "New priority (with --id).")
    var setPriority: String?

    @Option(help: "A note recorded with the change.")
    var note: String?

    @Option(help: "The change's time (ISO 8601, epoch ms); default: now.")
    var now: TimeArgument?

    @Option(help: "Tickets to list at most.")
    var limit = 100

    func validate() throws {
        if id == nil, setStatus != nil || assign != nil || setPriority != nil { throw ValidationError("a change needs --id") }
    }

    func run() throws {
        try reportingErrors {
            let store = try storeOptions.open()
            var out = Output()
            if let id {
                if setStatus != nil || assign != nil || setPriority != nil {
                    let t = try Tickets.update(id, Tickets.Change(status: setStatus, assignee: assign, priority: setPriority, note: note),
                                               at: now?.millis ?? EventPipeline.clock(), store: store)
                    out.line(Tickets.json(t))
                } else {
                    guard let t = try store.ticket(id) else { throw QingtingError(.invalidInput, "no ticket \(id) in the store") }
                    out.line(Tickets.json(t))
                }
            } else {
                for t in try store.tickets(status: status, customer: customer, assignee: assignee, limit: limit) {
                    out.line(Tickets.json(t))
                }
            }
            out.flush()
        }
    }
}

struct ActionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actions",
        abstract: "The outbox: actions a sender has left to deliver, and acknowledging one.",
        discussion: "Without --ack: the queued actions as feed records. With --ack SEQ --status S (sent, delivered, read, failed, or reversed when a person undid it): records the sender's report."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The action's feed seq to acknowledge.")
    var ack: Int64?

    @Option(help: "Its delivery status: sent, delivered, read or failed.")
    var status: String?

    @Option(help: "A detail from the sender (the platform's message id, an error).")
    var detail: String?

    func validate() throws {
        if (ack == nil) != (status == nil) { throw ValidationError("--ack SEQ and --status go together") }
    }

    func run() throws {
        try reportingErrors {
            let store = try storeOptions.open()
            var out = Output()
            if let ack, let status {
                guard try store.ack(ack, status: status, detail: detail, at: EventPipeline.clock()) else {
                    throw QingtingError(.invalidInput, "no queued action with seq \(ack) in the outbox")
                }
                var w = JSONWriter()
                w.object { w in w.member("seq", ack); w.member("delivery", status) }
                out.line(w.text)
            } else {
                for r in try store.pendingActions() { out.line(Feed.line(r)) }
            }
            out.flush()
        }
    }
}
