import ArgumentParser
import QingtingMatch
import QingtingStore
import QingtingText
import Glibc
import QingtingCore

/// Where the records and the settings come from: a settings file with --left/--right files, or
/// the social preset with --customers/--identities.
struct LinkInputOptions: ParsableArguments {
    @Option(help: "Linkage settings JSON (columns, comparisons, blocking rules, thresholds).")
    var settings: String?

    @Option(help: "Built-in settings instead of --settings: social (identities to customers).")
    var preset: String?

    @Option(help: "Left (or master) records: .csv with a header, or JSONL.")
    var left: String?

    @Option(help: "Right records (for link_only and link_to_master).")
    var right: String?

    @Option(help: "CRM customers JSONL (the social preset's master records).")
    var customers: String?

    @Option(help: "Social identities JSONL (the social preset's right records).")
    var identities: String?

    @Option(help: "City alias lexicon (default: Lexicons/cities.tsv).")
    var cities: String?

    @Option(help: "Leave this comparison out of the settings (repeatable), to measure what it adds.")
    var dropComparison: [String] = []

    @Option(help: "Override the settings' dependence_lift (0 turns detection of dependent comparisons off).")
    var dependenceLift: Double?

    /// Whether the inputs are customers and identities (the social preset's shape).
    var social: Bool { customers != nil || identities != nil }

    var inputs: LinkInputs {
        var inputs = LinkInputs()
        inputs.settingsPath = settings
        inputs.preset = preset
        inputs.left = left
        inputs.right = right
        inputs.customers = customers
        inputs.identities = identities
        inputs.cities = cities
        inputs.overrides = LinkSettings.Overrides(dropComparisons: dropComparison, dependenceLift: dependenceLift)
        return inputs
    }

    func validate() throws {
        if settings != nil && preset != nil { throw ValidationError("pass --settings or --preset, not both") }
        if let preset, preset != "social" { throw ValidationError("unknown preset '\(preset)' (known: social)") }
        if social {
            guard customers != nil, identities != nil else { throw ValidationError("pass both --customers FILE and --identities FILE") }
        } else if left == nil {
            throw ValidationError("pass --left FILE (and --right FILE unless the link type is dedupe_only), or --customers and --identities")
        }
    }

    /// For commands that read settings (not a model's): some settings must be named.
    func validateSettingsNamed() throws {
        if settings == nil && preset == nil && !social { throw ValidationError("pass --settings FILE or --preset social") }
    }
}

/// The model a run scores with, or none (train first), and the threshold.
struct LinkModelOptions: ParsableArguments {
    @Option(help: "Trained model (from `link train`); without it the run trains from --settings.")
    var model: String?

    @Option(help: "Override the settings' match probability threshold.")
    var threshold: Double?

    func validate() throws {
        if let threshold, !(threshold > 0 && threshold < 1) { throw ValidationError("--threshold must be in (0, 1), got \(threshold)") }
    }
}

/// --quiet, and the progress sink it chooses.
struct LinkProgressOptions: ParsableArguments {
    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    var progress: (String) -> Void { quiet ? { _ in } : { warn("link: " + $0) } }
}

/// Bad input lines a command skipped: each is reported on stderr as it comes (`path:line:
/// what`); `finish()` fails the command at the end when there were any.
final class SkippedLines {
    private(set) var count = 0

    var report: (QingtingError) -> Void {
        { [self] error in
            count += 1
            warn("qingting: \(error)")
        }
    }

    func finish() throws {
        guard count > 0 else { return }
        warn("qingting: \(count) bad line(s) skipped")
        throw ExitCode.failure
    }
}
