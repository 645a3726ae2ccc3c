import QingtingStore
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingIngest
import QingtingReport

extension RPCMethod {

    static let kpiReport = RPCMethod(
        name: "kpi.report",
        summary: "The KPIs of a time range, what `qingting report` prints (serve --store; definitions from serve --kpis, default the shipped Lexicons/kpis.txt): each KPI's value, its series per period and, with compare_from/compare_until, the change; the sentiment mix, platforms, rising topics, campaigns and ticket funnel.",
        params: [
            Param(name: "from", required: true, schema: #"{"type":["string","integer"],"description":"ISO 8601, a date or epoch ms"}"#, summary: "Start of the range (inclusive), taken to its UTC day."),
            Param(name: "until", required: true, schema: #"{"type":["string","integer"]}"#, summary: "End of the range (exclusive), up to a whole UTC day."),
            Param(name: "by", required: false, schema: #"{"type":"string","enum":["day","week","month"]}"#, summary: "Period of the series (default day)."),
            Param(name: "platform", required: false, schema: #"{"type":"string"}"#, summary: "Only this platform."),
            Param(name: "segment", required: false, schema: #"{"type":"string"}"#, summary: "Only this segment's members at now (all, a tier, a configured segment)."),
            Param(name: "drill_segments", required: false, schema: #"{"type":"array","items":{"type":"string"}}"#, summary: "Segments to drill down into (`segments` member)."),
            Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The time segment membership is read at (default: the clock)."),
            Param(name: "compare_from", required: false, schema: #"{"type":["string","integer"]}"#, summary: "Start of a range to compare with."),
            Param(name: "compare_until", required: false, schema: #"{"type":["string","integer"]}"#, summary: "End of the range to compare with."),
        ],
        resultSchema: #"{"type":"object","properties":{"definitions":{"type":"object"},"from":{"type":"string"},"until":{"type":"string"},"by":{"type":"string"},"kpis":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":["number","null"]},"series":{"type":"array"}}}},"sentiment_mix":{"type":"array"},"platforms":{"type":"array"},"rising_topics":{"type":"array"},"campaigns":{"type":"array"},"ticket_funnel":{"type":"array"},"measures":{"type":"object"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "kpi.report")
            func time(_ name: String, required: Bool) throws -> Int64? {
                let t = try params.time(name)
                if required, t == nil { throw RPCError.param(name, expected: "a time (ISO 8601, a date or epoch ms)", got: nil) }
                return t
            }
            var by = ReportPeriods.Granularity.day
            if let value = params["by"] {
                guard let text = value.stringValue, let g = ReportPeriods.Granularity(rawValue: text) else {
                    throw RPCError.param("by", expected: "day, week or month", got: value)
                }
                by = g
            }
            var platform: String?
            if let value = params["platform"] {
                guard let text = value.stringValue, Platform(rawValue: text) != nil else {
                    throw RPCError.param("platform", expected: "a platform name", got: value)
                }
                platform = text
            }
            let compareFrom = try time("compare_from", required: false), compareUntil = try time("compare_until", required: false)
            guard (compareFrom == nil) == (compareUntil == nil) else {
                throw RPCError.param(compareFrom == nil ? "compare_from" : "compare_until",
                                     expected: "compare_from and compare_until together", got: .null)
            }
            let request = KPIReport.Request(
                from: try time("from", required: true)!, until: try time("until", required: true)!, by: by, platform: platform,
                compare: compareFrom.map { ($0, compareUntil!) }, segment: try params.string("segment"),
                drillSegments: try params.strings("drill_segments") ?? [])
            let definitions = try log.kpis ?? KPIDefinitions.load(nil)
            do {
                return try KPIReport.run(log.store, definitions: definitions, request: request, now: try profileNow(params),
                                         profile: log.configuration.profile).json
            } catch let e as QingtingError where e.code == .invalidInput && e.message.hasPrefix("no segment") {
                // Not the library's message: it repeats the name asked for (segment.list lists them).
                throw RPCError(.invalidParams, "a segment named in \"segment\" or \"drill_segments\" does not exist (segment.list lists them)",
                               data: [("param", .string("segment"))])
            }
        }).touching(PersonalData(access: .aggregate, fields: ["kpis"]))
}
