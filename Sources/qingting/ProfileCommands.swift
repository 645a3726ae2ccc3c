import ArgumentParser
import QingtingCRM
import QingtingProfile
import QingtingStore
import QingtingCore

/// The profile configuration and the time a profile is read at.
struct ProfileOptions: ParsableArguments {
    @Option(help: "Profile configuration (JSON; default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Option(help: "The time the profile is read at: decay, expiry and silence are computed to it (ISO 8601, epoch ms, or a date); default: now.")
    var now: TimeArgument?

    func config() throws -> ProfileConfiguration { try ProfileConfiguration.load(profileConfig) }
    var millis: Int64 { now?.millis ?? EventPipeline.clock() }
}

struct CustomerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer",
        abstract: "The living customer profile: show one customer, search, decide key tags, record consent, erase.",
        subcommands: [CustomerShow.self, CustomerSearch.self, CustomerTag.self, CustomerConsentCommand.self, CustomerDelete.self]
    )
}

struct CustomerShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One customer's profile as one JSON object (what customer.get answers).",
        discussion: """
            Members: id, now, fields (CRM values with source and updated_at), identities (platform, uid, \
            status confirmed/suggested, probability, rule), activity, tags (kind static/dynamic/predicted/key, \
            value, status, provenance {by, source, version, at, evidence seqs}, expires_at), engagement (score \
            and each term per platform), predicted (purchase_intent, churn_risk), koc, tier (with its reason \
            and the measures the rules read), journey (stage and history with the event that moved the \
            customer), events (the most recent, with their analysis) and config (file and version). \
            Everything that decays is computed to --now, so a fixed --now prints the same bytes every run. \
            Exit status 1 when the store knows no such customer.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var profile: ProfileOptions

    @Option(help: "List at most this many recent events.")
    var events = CustomerProfiles.defaultEventLimit

    @Argument(help: "The customer id.")
    var id: String

    func run() throws {
        let json = try reportingErrors {
            try CustomerProfiles(store: try storeOptions.open(), config: try profile.config())
                .show(id, now: profile.millis, eventLimit: events)
        }
        guard let json else {
            warn("qingting: no such customer in the store")
            throw ExitCode.failure
        }
        writeAll(1, json + "\n")
    }
}

struct CustomerSearch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find customers by phone, e-mail, name, a linked identity or a tag.",
        discussion: """
            Exactly one of the criteria. A phone or e-mail is normalized as the import stores it (a \
            mainland mobile in E.164, e-mail lower case) and looked up among the unified keys; a name is \
            matched exactly; --identity weibo:1404376560 finds the customer the account is linked or bound \
            to; --tag reads every profile at --now. Prints {"customers":[{"id","tier","stage","engagement","koc","last_seen"}…]}.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var profile: ProfileOptions

    @Option(help: "A phone number.") var phone: String?
    @Option(help: "An e-mail address.") var email: String?
    @Option(help: "A name (exact).") var name: String?
    @Option(help: "An account, PLATFORM:UID.") var identity: String?
    @Option(help: "A tag (偏好:手机, 近期活跃, 高价值客户…).") var tag: String?

    func query() throws -> CustomerProfiles.Query {
        var given: [CustomerProfiles.Query] = []
        if let phone { given.append(.phone(phone)) }
        if let email { given.append(.email(email)) }
        if let name { given.append(.name(name)) }
        if let identity {
            guard let colon = identity.firstIndex(of: ":"), colon != identity.startIndex else {
                throw ValidationError("--identity takes PLATFORM:UID")
            }
            given.append(.identity(platform: String(identity[..<colon]), uid: String(identity[identity.index(after: colon)...])))
        }
        if let tag { given.append(.tag(tag)) }
        guard given.count == 1 else { throw ValidationError("give exactly one of --phone, --email, --name, --identity, --tag") }
        return given[0]
    }

    func validate() throws { _ = try query() }

    func run() throws {
        let json = try reportingErrors {
            try CustomerProfiles(store: try storeOptions.open(), config: try profile.config())
                .searchJSON(try query(), now: profile.millis)
        }
        writeAll(1, json + "\n")
    }
}

struct CustomerTag: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "A person's decision on a key tag.",
        subcommands: [CustomerTagDecision<Confirm>.self, CustomerTagDecision<Reject>.self]
    )
}

protocol TagVerb { static var name: String { get }; static var confirms: Bool { get } }
enum Confirm: TagVerb { static let name = "confirm"; static let confirms = true }
enum Reject: TagVerb { static let name = "reject"; static let confirms = false }

struct CustomerTagDecision<Verb: TagVerb>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Verb.name,
            abstract: Verb.confirms ? "Confirm a key tag (高价值客户…): it shows as confirmed, whatever the rules say later."
                : "Reject a key tag: it shows as rejected, and no rule proposes it again.",
            discussion: """
                Key tags are the ones the profile configuration lists under key_tags; their rule only \
                proposes them (status pending). A person's decision is stored beside the derived profile \
                (rebuild keeps it) and overrides the rule from then on; deciding again replaces it.
                """)
    }

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var profile: ProfileOptions

    @Argument(help: "The customer id.") var id: String
    @Argument(help: "The key tag.") var tag: String

    func run() throws {
        try reportingErrors {
            try CustomerProfiles(store: try storeOptions.open(), config: try profile.config())
                .decide(id, tag: tag, confirm: Verb.confirms, at: profile.millis)
        }
        writeAll(1, "{\"customer\":\(JSON.quoted(id)),\"tag\":\(JSON.quoted(tag)),\"decision\":\"\(Verb.confirms ? "confirmed" : "rejected")\"}\n")
    }
}

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute every customer profile from the event log (or, with --check, compare).",
        discussion: """
            Folds every event in log order into its customer's profile with the fold the ingest path \
            runs as each event lands, and replaces the stored profiles (a person's tag decisions stay). \
            With --check nothing is written: the rebuilt profiles are compared with the incrementally \
            maintained ones, each difference is listed (state, config: folded with another version of \
            the configuration, missing, extra) and the exit status is 1 when there is any. Run it after \
            changing the profile configuration, after `replay --apply`, or after a customer import or \
            link decision that moved accounts with earlier events to another customer.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Profile configuration (JSON; default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    @Flag(help: "Compare with the stored profiles instead of replacing them; exit 1 on any difference.")
    var check = false

    func run() throws {
        let report = try reportingErrors {
            try ProfileRebuild(store: try storeOptions.open(), config: try ProfileConfiguration.load(profileConfig))
                .run(check: check)
        }
        writeAll(1, report.json + "\n")
        if check && !report.differences.isEmpty { throw ExitCode.failure }
    }
}

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Segments of customer profiles: list them with their member counts, or one segment's members.",
        discussion: """
            Segments are the named queries under "segments" in the profile configuration: conditions \
            over the profile measures (engagement, koc, purchase_intent, churn_risk, days_silent, \
            days_since_seen, orders, order_amount, events), tiers, tags (active or confirmed), journey \
            stages and platforms. Without NAME prints {"now","segments":[{"name","summary","members"}…]}; \
            with NAME {"segment","summary","now","count","members":[{"id","tier","stage","engagement","koc",\
            "last_seen"}…]}, and with --positive-posts each member's positive or recommending posts (the \
            KOC pool's posts an operator surfaces). Read at --now. (`qingting segment` is word segmentation.)
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var profile: ProfileOptions

    @Flag(help: "Add each member's positive or recommending posts (at most --posts).")
    var positivePosts = false

    @Option(help: "Posts per member with --positive-posts.")
    var posts = 5

    @Argument(help: "The segment (koc_pool, high_potential, silent, recent_buyers, …); all of them when left out.")
    var name: String?

    func run() throws {
        let json = try reportingErrors { () -> String? in
            let segments = ProfileSegments(
                CustomerProfiles(store: try storeOptions.open(), config: try profile.config()))
            guard let name else { return try segments.listJSON(now: profile.millis) }
            return try segments.membersJSON(name, now: profile.millis, positivePosts: positivePosts, postLimit: posts)
        }
        guard let json else {
            warn("qingting: no segment of that name in the profile configuration")
            throw ExitCode.failure
        }
        writeAll(1, json + "\n")
    }
}
