import QingtingText
public import QingtingCore

/// Where a link command's settings and records come from: a settings file (or a preset) with
/// left and right record files, or the social preset's customers and identities.
public struct LinkInputs: Sendable {
    /// A settings file; nil with `preset` nil means the social preset when `social`.
    public var settingsPath: String?
    public var preset: String?
    public var left: String?
    public var right: String?
    public var customers: String?
    public var identities: String?
    /// City alias lexicon (default: Lexicons/cities.tsv).
    public var cities: String?
    public var overrides = LinkSettings.Overrides()

    public init() {}

    /// Whether the records are customers and identities (the social preset's shape).
    public var social: Bool { customers != nil || identities != nil }

    /// The settings (with the overrides) and their JSON.
    public func loadSettings() throws -> (LinkSettings, JSONValue) {
        switch (settingsPath, preset) {
        case (let path?, nil): return try LinkSettings.load(path: path, overrides: overrides)
        case (nil, let name?): return try LinkSettings.preset(name, overrides: overrides)
        case (nil, nil) where social: return try LinkSettings.preset("social", overrides: overrides)
        case (nil, nil): throw QingtingError(.invalidSettings, "no settings: give a settings file or a preset")
        case (_?, _?): throw QingtingError(.invalidSettings, "a settings file or a preset, not both")
        }
    }

    /// The records `settings` reads. A bad record line goes to `skipped` as `path:line: what`
    /// and the load goes on; `progress` gets one line with the count and time.
    public func loadRecords(_ settings: LinkSettings, skipped: @escaping (QingtingError) -> Void,
                            progress: (String) -> Void = { _ in }) throws -> RecordSet {
        let start = Monotonic.seconds()
        let lexicon = try CityLexicon.load(path: cities)
        let records: RecordSet
        if social {
            guard let customers, let identities else {
                throw QingtingError(.invalidInput, "the social preset needs both customers and identities")
            }
            records = try SocialPreset.loadRecords(customers: customers, identities: identities, settings: settings,
                                                   cities: lexicon, skipped: skipped)
        } else {
            guard let left else { throw QingtingError(.invalidInput, "no records: give left (and right) record files, or customers and identities") }
            if settings.linkType != .dedupeOnly && right == nil {
                throw QingtingError(.invalidInput, "link type \(settings.linkType.rawValue) needs right records")
            }
            records = try RecordLoader(settings: settings, cities: lexicon).load(left: left, right: right, skipped: skipped)
        }
        progress("loaded \(records.count) records (\(records.leftCount) left) in \(NumberFormat.seconds(Monotonic.seconds() - start))")
        return records
    }

    /// Trains a model on these inputs (`link train`).
    public func train(skipped: @escaping (QingtingError) -> Void, progress: @escaping (String) -> Void = { _ in }) throws -> LinkModel {
        let (settings, json) = try loadSettings()
        let records = try loadRecords(settings, skipped: skipped, progress: progress)
        let start = Monotonic.seconds()
        var trainer = LinkTrainer(settings: settings, settingsJSON: json, records: records)
        trainer.progress = progress
        let model = try trainer.train()
        progress("trained in \(NumberFormat.seconds(Monotonic.seconds() - start))")
        return model
    }
}

extension LinkPipeline {
    /// The whole batch from its inputs: the model from `modelPath`, or, without one, trained
    /// from the inputs' settings on the run's own candidate pairs; `threshold` overrides the
    /// settings'. Bad record lines go to `skipped` and the run goes on.
    public static func run(inputs: LinkInputs, modelPath: String?, threshold: Double? = nil,
                           skipped: @escaping (QingtingError) -> Void,
                           progress: @escaping (String) -> Void = { _ in }) throws -> LinkRun {
        let start = Monotonic.seconds()
        var model = try modelPath.map { try LinkModel.load(path: $0) }
        var settings: LinkSettings, json: JSONValue
        if let model { (settings, json) = (model.settings, model.settingsJSON) } else { (settings, json) = try inputs.loadSettings() }
        if let threshold {
            guard threshold > 0 && threshold < 1 else { throw QingtingError(.invalidSettings, "the threshold must be in (0, 1), got \(threshold)") }
            settings.threshold = threshold
            model?.settings.threshold = threshold
        }
        let records = try inputs.loadRecords(settings, skipped: skipped, progress: progress)
        var run = try run(records: records, model: model, settings: settings, settingsJSON: json, progress: progress)
        run.totalSeconds = Monotonic.seconds() - start
        return run
    }
}
