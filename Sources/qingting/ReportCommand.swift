public import ArgumentParser
import QingtingCRM
import QingtingCore
import QingtingIngest
public import QingtingReport

extension ReportPeriods.Granularity: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The KPIs of a time range as JSON (what kpi.report answers), and with --html a self-contained page.",
        discussion: """
            Every KPI of the definition file (default: the shipped Lexicons/kpis.txt; README: Evaluate) \
            per period (--by day, week or month; UTC days) and over [--from, --until), read from the \
            daily aggregates the ingest path keeps, the tickets, the leads, the orders and the feed's \
            actions. JSON members: definitions {file, version, hash}, from, until, by, platform, kpis \
            [{name, title, unit, formula, params, value, previous, change, change_ratio, series \
            [{period, value}]}], segment, compare, sentiment_mix, platforms, rising_topics, campaigns, \
            ticket_funnel, segments (with --drill-segment), measures. A KPI with nothing to divide by is null. With --compare-from and \
            --compare-until each KPI also carries the earlier range's value and the change. --html \
            writes one page with inline SVG charts (no network fetches).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Start of the range (inclusive; ISO 8601, epoch ms or a date), taken to its UTC day.")
    var from: TimeArgument

    @Option(help: "End of the range (exclusive), taken up to a whole UTC day.")
    var until: TimeArgument

    @Option(help: "Period of the series: day, week (ISO, Monday first) or month.")
    var by: ReportPeriods.Granularity = .day

    @Option(help: "Only this platform's events, tickets and leads.")
    var platform: Platform?

    @Option(help: "Only the members of this segment at --now: all, a tier (活跃粉丝, 高潜用户, 核心KOC, 沉默用户) or a configured segment; their events are read from the log.")
    var segment: String?

    @Option(name: .customLong("drill-segment"), help: "Add a drill-down row for this segment (repeatable): its members' KPIs over the range, read from their events.")
    var drillSegments: [String] = []

    @OptionGroup var profile: ProfileOptions

    @Option(help: "Start of the range to compare with (PDCA: the quarter before, the six months before a change).")
    var compareFrom: TimeArgument?

    @Option(help: "End of the range to compare with (exclusive).")
    var compareUntil: TimeArgument?

    @Option(help: "KPI definition file (default: the shipped Lexicons/kpis.txt).")
    var kpis: String?

    @Option(help: "Also write the report as a self-contained HTML page to this file.")
    var html: String?

    func validate() throws {
        if (compareFrom == nil) != (compareUntil == nil) {
            throw ValidationError("--compare-from and --compare-until go together")
        }
    }

    func run() throws {
        let report = try reportingErrors {
            let request = KPIReport.Request(
                from: from.millis, until: until.millis, by: by, platform: platform?.rawValue,
                compare: compareFrom.map { ($0.millis, compareUntil!.millis) }, segment: segment,
                drillSegments: drillSegments)
            let report = try KPIReport.run(
                try storeOptions.open(), definitions: try KPIDefinitions.load(kpis), request: request,
                now: profile.millis, profile: try profile.config())
            if let html { try FileIO.writeAtomically(Array(ReportPage.html(report).utf8), to: html) }
            return report
        }
        writeAll(1, report.json + "\n")
    }
}
