import QingtingStore
import OrderedCollections
import QingtingCRM
import QingtingCore
import QingtingReport
import QingtingProfile

extension RPCMethod {
    static let abReport = RPCMethod(
        name: "ab.report",
        summary: "An experiment of the server's experiments file (serve --experiments) over the event log: each variant's customers, conversions, rate and Wilson interval, each variant against the control (difference, its 95% interval, two-proportion z-test with pooled standard error, two-sided p-value), and a warning when the sample is too small to tell — what `qingting ab report` prints.",
        params: [
            Param(name: "experiment", required: true, schema: #"{"type":"string"}"#, summary: "The experiment's name."),
            Param(name: "now", required: false, schema: #"{"type":"string","description":"ISO 8601 or epoch ms"}"#,
                  summary: "Conversions count up to the earlier of the end and now; the population is read at now."),
            Param(name: "kpis", required: false, schema: #"{"type":"array","items":{"type":"string"}}"#,
                  summary: "KPIs of the server's definition file (serve --kpis) to give per variant: variants[].kpis and comparisons[].kpis (differences, no test)."),
        ],
        resultSchema: #"{"type":"object","properties":{"experiment":{"type":"string"},"now":{"type":"string"},"period":{"type":"object"},"population":{"type":"string"},"conversion":{"type":"object"},"test":{"type":"string"},"confidence":{"type":"number"},"control":{"type":"string"},"variants":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"weight":{"type":"number"},"assigned":{"type":"integer"},"converted":{"type":"integer"},"rate":{"type":"number"},"ci":{"type":"array","items":{"type":"number"}}}}},"comparisons":{"type":"array","items":{"type":"object","properties":{"variant":{"type":"string"},"control":{"type":"string"},"difference":{"type":["number","null"]},"ci":{"type":"array","items":{"type":"number"}},"z":{"type":"number"},"p_value":{"type":"number"},"significant":{"type":"boolean"}}}},"warning":{"type":"string"},"config":{"type":"object"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "ab.report")
            let name = try params.requiredString("experiment")
            guard log.experiments.experiments.contains(where: { $0.name == name }) else {
                throw RPCError(.notFound, "no experiment of that name in the experiments file",
                               data: [("param", .string("experiment"))])
            }
            let kpis = try params.strings("kpis") ?? []
            return try ABReport.json(
                name, file: log.experiments, profiles: CustomerProfiles(store: log.store, config: log.configuration.profile),
                now: try profileNow(params), kpis: kpis, definitions: kpis.isEmpty ? nil : try log.kpis ?? KPIDefinitions.load(nil))
        }).touching(PersonalData(access: .aggregate, fields: ["conversions"]))

    static let exportAudience = RPCMethod(
        name: "audience.export",
        summary: "A segment's ad-platform upload file (meta, tencent, oceanengine, google), contacts normalized then hashed as the platform documents; opted-out customers never included. The result carries the file's lines (joined with newlines they are the file; the CSV formats' first line is the header) beside the counts — written by the caller, so the server writes no files for clients. What `qingting audience export` writes.",
        params: [
            Param(name: "segment", required: true, schema: #"{"type":"string"}"#,
                  summary: "all, a tier (活跃粉丝, 高潜用户, 核心KOC, 沉默用户) or a configured segment."),
            Param(name: "format", required: true, schema: #"{"enum":["meta","tencent","oceanengine","google"]}"#, summary: "The platform."),
            Param(name: "id_type", required: false, schema: #"{"enum":["HASH_MOBILE_PHONE","SHA256_MOBILE_PHONE","MOBILE_HASH_SHA256","EMAIL_PHONE"]}"#,
                  summary: "tencent: HASH_MOBILE_PHONE (MD5, the default) or SHA256_MOBILE_PHONE."),
            Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The time the segment is read at."),
        ],
        resultSchema: #"{"type":"object","properties":{"segment":{"type":"string"},"format":{"type":"string"},"id_type":{"type":"string"},"now":{"type":"string"},"members":{"type":"integer"},"exported":{"type":"integer"},"skipped_no_contact":{"type":"integer"},"skipped_opted_out":{"type":"integer"},"lines":{"type":"array","items":{"type":"string"}}}}"#,
        run: { context, params in
            let log = try profileLog(context, "audience.export")
            let formatName = try params.requiredString("format")
            guard let format = AudienceFormat(rawValue: formatName) else {
                throw RPCError.param("format", expected: "meta, tencent, oceanengine or google", got: .string(formatName))
            }
            do {
                return try AudienceExport(
                    segment: try params.requiredString("segment"), format: format, idType: try params.string("id_type"),
                    profiles: CustomerProfiles(store: log.store, config: log.configuration.profile),
                    now: try profileNow(params)
                ).summaryJSON(includeLines: true)
            } catch let e as QingtingError where e.code == .invalidInput && e.message.hasPrefix("no segment") {
                // Not the library's message: it repeats the name asked for (segment.list lists them).
                throw RPCError(.invalidParams, "no segment of the name in \"segment\" (segment.list lists them)",
                               data: [("param", .string("segment"))])
            }
        }).touching(PersonalData(access: .read, fields: ["phone", "email"], customers: .count("exported")))
}
