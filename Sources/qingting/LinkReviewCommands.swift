import ArgumentParser
import QingtingCRM
import QingtingProfile
import QingtingCore
import OrderedCollections
import QingtingStore

/// `link review`, `link confirm`, `link reject`: the review queue of a link store.
struct LinkReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List the suggested links of a store that wait for a person's decision.",
        discussion: """
            One JSON line per queued link, least certain first: identity (platform:uid), \
            nickname, customer, probability, cluster, via, explain. The queue holds the \
            suggested links between the run's threshold and --below (links a rule confirmed, \
            and every link a person decided, are not in it). Decide with `link confirm` or \
            `link reject`; re-runs keep the decision.
            """
    )

    @Option(help: "Link store written by `link run --store`.")
    var store: String

    @OptionGroup var keys: KeyOptions

    @Option(help: "Queue links with probability at least this.")
    var from = 0.5

    @Option(help: "Queue links with probability below this (the confirmed threshold).")
    var below = 0.99

    @Option(help: "List at most this many.")
    var limit = 100

    func validate() throws {
        guard (0...1).contains(from), (0...1).contains(below), from < below else {
            throw ValidationError("--from and --below are probabilities with --from < --below (got \(from) and \(below))")
        }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1 (got \(limit))") }
    }

    func run() throws {
        try reportingErrors {
            var out = LinkOutput(path: nil)
            for item in try LinkStore(path: store, keys: keys.keyring()).reviewQueue(from: from, below: below, limit: limit) {
                out.line(item.json.jsonText)
            }
            try out.close()
        }
    }
}

struct LinkConfirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Record that an identity is its linked customer (or the one given); re-runs keep it.",
        discussion: "Prints {\"identity\",\"customer\",\"status\":\"confirmed\",\"decided_by\":\"person\"}. The profiles of the customer the identity leaves and the one it joins are refolded from the log."
    )

    @Option(help: "Link store written by `link run --store`.")
    var store: String

    @OptionGroup var keys: KeyOptions

    @Option(help: "The identity, as platform:uid.")
    var identity: String

    @Option(help: "The customer it is (default: the one it is linked to).")
    var customer: String?

    @Option(help: "Profile configuration the profiles the decision moves events between are refolded with (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    func run() throws {
        try reportingErrors {
            try ProfileRebuild.refolding(store: store, keys: keys.keyring(), identity: identity, config: try ProfileConfiguration.load(profileConfig)) {
                let linked = try LinkStore(path: store, keys: keys.keyring()).decide(identity: identity, .confirm(customer: customer))
                try printDecision(identity: identity, customer: linked, status: "confirmed")
            }
        }
    }
}

struct LinkReject: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Record that an identity is not its linked customer; it stays unlinked across re-runs.",
        discussion: "Prints {\"identity\",\"customer\":null,\"status\":\"rejected\",\"decided_by\":\"person\"}. The profile of the customer the identity leaves is refolded from the log."
    )

    @Option(help: "Link store written by `link run --store`.")
    var store: String

    @OptionGroup var keys: KeyOptions

    @Option(help: "The identity, as platform:uid.")
    var identity: String

    @Option(help: "Profile configuration the profile the decision takes events from is refolded with (default: the shipped Lexicons/profile.json).")
    var profileConfig: String?

    func run() throws {
        try reportingErrors {
            try ProfileRebuild.refolding(store: store, keys: keys.keyring(), identity: identity, config: try ProfileConfiguration.load(profileConfig)) {
                try LinkStore(path: store, keys: keys.keyring()).decide(identity: identity, .reject)
                try printDecision(identity: identity, customer: nil, status: "rejected")
            }
        }
    }
}

/// The line `link confirm` and `link reject` print: `{"identity","customer","status","decided_by":"person"}`.
private func printDecision(identity: String, customer: String?, status: String) throws {
    var out = LinkOutput(path: nil)
    out.line(JSONValue.object(["identity": .string(identity), "customer": customer.map(JSONValue.string) ?? .null,
                               "status": .string(status), "decided_by": .string("person")]).jsonText)
    try out.close()
}
