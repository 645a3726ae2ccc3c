import ArgumentParser
import QingtingCRM
import QingtingProfile
import QingtingStore
import QingtingCore

#if canImport(Glibc)
import Glibc
#endif

struct CustomerDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Erase a customer (a PIPL / GDPR erasure request): their personal data leaves every table, the aggregates stay.",
        discussion: """
            Deletes the CRM record (fields, provenance, unified keys, bindings, tag decisions, profile), \
            removes the text, quoted text, author profile and raw payload of the customer's events and the \
            quotes of them in other events, renames their identities and every mention of the customer \
            in events, KPI tables, tickets, feed records and rule state to random ids no key leads back \
            from, cleans feed bodies and ticket subjects of their texts, name, phone, e-mail and \
            nicknames, refolds the anonymous profile (so `rebuild --check` holds), then checkpoints the \
            WAL and vacuums the file so no old page keeps a copy. The audit log records the erasure \
            (customer id, time, uid) without their data. Prints {"customer","erased","at","tables":{…},\
            "vacuumed","wal_empty"}; exit status 1 when the store knows no such customer.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Profile configuration the anonymous profile is refolded with (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Option(help: "The time of the erasure (ISO 8601, epoch ms or a date); default: now.")
    var now: TimeArgument?

    @Flag(help: "Do not checkpoint and vacuum afterwards (vacuum once after several erasures; until then old pages may hold copies).")
    var noVacuum = false

    @Argument(help: "The customer id.")
    var id: String

    func run() throws {
        let report = try reportingErrors {
            try CustomerErasure(store: try storeOptions.open(), config: try ProfileConfiguration.load(profileConfig))
                .erase(id, now: now?.millis ?? EventPipeline.clock(), vacuum: !noVacuum, auditUID: getuid())
        }
        guard let report else {
            warn("qingting: no such customer in the store")
            throw ExitCode.failure
        }
        writeAll(1, report.json + "\n")
    }
}

struct CustomerConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record a customer's consent to automated marketing (PIPL Art. 24): opt-out or granted.",
        discussion: """
            Sets the customer's consent field, with who changed it (--by) and when (--now). An opted-out \
            customer gets no automated private message or coupon (the feed shows them blocked, reason \
            no_consent), template variants that say `not profile.opted_out` are skipped for them, and \
            audience exports leave them out. `customer show` lists it under consent {marketing, \
            opted_out, changed_by, changed_at}. Prints {"customer","consent":{…}}; exit status 1 when \
            the store knows no such customer.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Who records the change (a person's or system's name; shown as changed_by).")
    var by: String

    @Option(help: "When it changed (ISO 8601, epoch ms or a date); default: now.")
    var now: TimeArgument?

    @Argument(help: "The customer id.")
    var id: String

    @Argument(help: "opt-out (refuses automated marketing) or granted.")
    var choice: String

    func validate() throws {
        guard MarketingConsent.value(of: choice) != nil else { throw ValidationError("the consent is opt-out or granted, not '\(choice)'") }
    }

    func run() throws {
        let json = try reportingErrors {
            try CustomerConsent.set(store: try storeOptions.open(), id: id, choice: choice, by: by,
                                    at: now?.millis ?? EventPipeline.clock())
        }
        guard let json else {
            warn("qingting: no such customer in the store")
            throw ExitCode.failure
        }
        writeAll(1, json + "\n")
    }
}

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Anonymize social data older than the retention age (default 90 days); --dry-run previews the counts.",
        discussion: """
            Social data is the events of the social platforms (every adapter but generic: CRM and shop \
            exports, orders, are not) and their authors. Events older than --older-than lose their text, \
            quoted text, author profile fields and raw payload (their kind, time, metrics, labels and \
            customer stay, with the text's length and hashtags, so profiles and KPI aggregates refold \
            the same); authors with no event since are renamed to a stable pseudonym (HMAC-SHA256 under \
            the key in --pseudonym-key, made on first use, mode 0600); feed records and tickets are \
            cleaned of the words and ids. Prints {"mode","now","cutoff","older_than_days","tables":\
            {"events","texts","payloads","identities","feed","tickets","rule_state","profiles"}}. \
            With --dry-run the same work runs in a transaction that is rolled back: the counts are \
            exactly what a run would change. `serve --store` runs it every --retention-every.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The retention age: 90d, 36h, or a number of days.")
    var olderThan = "90d"

    @Option(help: "The time the age counts back from (ISO 8601, epoch ms or a date); default: now.")
    var now: TimeArgument?

    @Flag(help: "Count what would change, per table, and change nothing.")
    var dryRun = false

    @Option(help: "Pseudonym key file (64 hex digits, mode 0600; default: STORE.pseudonym-key, made when missing).")
    var pseudonymKey: String?

    @Option(help: "Profile configuration for refolding profiles (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    func validate() throws {
        do { _ = try Retention.age(olderThan) } catch let e as QingtingError { throw ValidationError("--older-than: \(e.message)") }
    }

    func run() throws {
        let report = try reportingErrors {
            let retention = Retention(
                store: try storeOptions.open(), config: try ProfileConfiguration.load(profileConfig),
                key: try PseudonymKey.load(pseudonymKey ?? PseudonymKey.defaultPath(store: storeOptions.store)),
                olderThan: try Retention.age(olderThan))
            return try retention.run(now: now?.millis ?? EventPipeline.clock(), dryRun: dryRun)
        }
        writeAll(1, report.json + "\n")
    }
}
