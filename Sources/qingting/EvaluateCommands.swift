public import ArgumentParser
import QingtingCRM
import QingtingCore
public import QingtingReport
import QingtingProfile

/// The experiments file an A/B command reads.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Experiments file (JSON; default: the shipped Lexicons/experiments.json).")
    var experiments: String?

    func file() throws -> ExperimentFile { try ExperimentFile.load(experiments) }
}

struct ABCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "A/B tests: variants assigned by a stable hash of the customer id, conversion compared with a z-test.",
        subcommands: [ABReportCommand.self, ABAssignCommand.self]
    )
}

struct ABReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Each variant's conversion, the difference with the control, its 95% interval and a significance test.",
        discussion: """
            Prints one JSON object: experiment, now, period {start, end, counted_until}, population, conversion, \
            test ("two-proportion z-test (pooled), two-sided"), confidence 0.95, control, variants [{name, weight, \
            assigned, converted, rate, ci (Wilson)}], comparisons [{variant, control, difference, ci (unpooled \
            standard error), z, p_value, significant}], warning (when a variant is too small for the normal \
            approximation: fewer than min_sample customers, or fewer than 10 conversions or non-conversions) and \
            config {file, version}. Conversions count up to the earlier of the experiment's end and --now; the \
            population segment is read at --now. Each --kpi NAME (a KPI of the definition file) adds \
            variants[].kpis {NAME: value} — the variant's members measured as `report --segment` measures a \
            segment, over the experiment's UTC days — and comparisons[].kpis {NAME: variant − control} (no \
            significance test: a KPI is no proportion of customers), and config.kpis {file, version, hash}.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var experimentOptions: ExperimentOptions
    @OptionGroup var profile: ProfileOptions

    @Option(name: .customLong("kpi"), help: "A KPI to give per variant besides the conversion (repeatable; a name in the KPI file).")
    var kpiNames: [String] = []

    @Option(help: "KPI definition file --kpi names come from (default: the shipped Lexicons/kpis.txt).")
    var kpis: String?

    @Argument(help: "The experiment's name.")
    var experiment: String

    func run() throws {
        let json = try reportingErrors {
            try ABReport.json(
                experiment, file: try experimentOptions.file(),
                profiles: CustomerProfiles(store: try storeOptions.open(), config: try profile.config()),
                now: profile.millis, kpis: kpiNames, definitions: kpiNames.isEmpty ? nil : try KPIDefinitions.load(kpis))
        }
        writeAll(1, json + "\n")
    }
}

struct ABAssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "The variant a customer is assigned to: {experiment, customer, variant, unit}.",
        discussion: "unit is the customer's place in [0, 1): SHA-256 of salt:customer-id, its first 8 bytes."
    )

    @OptionGroup var experimentOptions: ExperimentOptions

    @Option(help: "The experiment's name.")
    var experiment: String

    @Argument(help: "The customer id.")
    var customer: String

    func run() throws {
        let json = try reportingErrors { try experimentOptions.file().experiment(experiment).assignmentJSON(customer) }
        writeAll(1, json + "\n")
    }
}

extension AudienceFormat: ExpressibleByArgument {}

struct AudienceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "Ad-platform custom audiences: a segment's hashed contacts as each platform's upload file.",
        subcommands: [AudienceExportCommand.self]
    )
}

struct AudienceExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Writes a segment's upload file for meta, tencent, oceanengine or google.",
        discussion: """
            --segment is all (every customer), a tier (活跃粉丝, 高潜用户, 核心KOC, 沉默用户) or a segment of the \
            profile configuration, read at --now. Contacts are normalized then hashed as each platform documents: \
            meta: CSV EMAIL,PHONE, SHA-256 of the trimmed lower-cased e-mail and of the phone's digits with \
            country code, no "+"; google: CSV Email,Phone, SHA-256 of the e-mail and of the phone in E.164 with \
            "+"; tencent: one id a line, --id-type HASH_MOBILE_PHONE (MD5 of the 11-digit mobile, the default) or \
            SHA256_MOBILE_PHONE; oceanengine: each line the base64 of a protobuf DmpData of at most 10,000 \
            MOBILE_HASH_SHA256 ids. Customers whose consent refuses marketing are never exported. The file goes to \
            --output (or standard output); a JSON summary {segment, format, id_type, now, members, exported, \
            skipped_no_contact, skipped_opted_out, lines} to standard error.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var profile: ProfileOptions

    @Option(help: "The segment: all, a tier, or a configured segment.")
    var segment: String

    @Option(help: "The platform: meta, tencent, oceanengine or google.")
    var format: AudienceFormat

    @Option(help: "The id type (tencent: HASH_MOBILE_PHONE or SHA256_MOBILE_PHONE).")
    var idType: String?

    @Option(help: "Country code read into phones stored without one (mainland mobiles are stored in E.164).")
    var countryCode = "86"

    @Option(name: .shortAndLong, help: "Write the file here (replaced atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard !countryCode.isEmpty, countryCode.count <= 3, countryCode.allSatisfy({ $0.isASCII && $0.isNumber }),
              countryCode.first != "0"
        else { throw ValidationError("--country-code takes 1 to 3 digits, not starting with 0") }
    }

    func run() throws {
        let export = try reportingErrors {
            let export = try AudienceExport(
                segment: segment, format: format, idType: idType,
                profiles: CustomerProfiles(store: try storeOptions.open(), config: try profile.config()),
                now: profile.millis, countryCode: countryCode)
            if let output { try FileIO.writeAtomically(Array(export.text.utf8), to: output) }
            return export
        }
        if output == nil { writeAll(1, export.text) }
        warn(export.summaryJSON())
    }
}
