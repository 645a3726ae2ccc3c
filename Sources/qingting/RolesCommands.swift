import ArgumentParser
import QingtingCore
import QingtingIngest
import QingtingCRM
import QingtingServer

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "The roles file: which socket methods each role may call, which fields it sees, and temporary grants.",
        discussion: """
            `qingting roles check` reads the file and prints its roles, fields and grants (with whether \
            each grant is in force at --now); `qingting roles matrix` prints the role × method × field \
            matrix; `qingting roles grant` appends a temporary grant, which a running server takes \
            within a second. The file: `Lexicons/roles.txt` (README: Roles), or --roles FILE.
            """,
        subcommands: [RolesCheck.self, RolesMatrix.self, RolesGrant.self],
        defaultSubcommand: RolesCheck.self
    )
}

struct RolesFileOptions: ParsableArguments {
    @Option(help: "The roles file (default: the shipped Lexicons/roles.txt).")
    var roles: String?
}

struct RolesCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Checks the roles file (every problem as file:line: what; exit 1) and prints it as JSON: source, version, hash, anonymous, fields, roles, grants (active at --now), matrix size."
    )

    @OptionGroup var file: RolesFileOptions

    @Option(help: "The time grants are judged at (ISO 8601, a date or epoch ms; default: now).")
    var now: String?

    func validate() throws {
        if let now, Timestamp.millis(now) == nil { throw ValidationError("--now is not a time (ISO 8601, a date or epoch ms)") }
    }

    func run() throws {
        let policy = try reportingErrors { try RolePolicy.load(file.roles) }
        let at = now.flatMap { Timestamp.millis($0) } ?? EventPipeline.clock()
        writeAll(1, policy.summaryJSON(now: at) + "\n")
    }
}

struct RolesMatrix: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, jsonl }

    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "What each role may do: markdown (two tables: methods × roles, fields × roles) or jsonl (one cell per role and method: allowed, the fields kept, the params refused, ticketed_only)."
    )

    @OptionGroup var file: RolesFileOptions

    @Option(help: "markdown or jsonl.")
    var format: Format = .markdown

    func run() throws {
        let policy = try reportingErrors { try RolePolicy.load(file.roles) }
        writeAll(1, format == .markdown ? policy.matrixMarkdown() : policy.matrixJSONL())
    }
}

struct RolesGrant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Appends a temporary grant to the roles file: the token names also hold --role until --until, then not (checked at each call, nobody needs to act).",
        discussion: """
            qingting roles grant --roles roles.txt double11 --role sales --token dashboard --until 2026-11-12T00:00:00+08:00
            The file is checked with the grant before it is written (atomically); a server reading it \
            (serve --roles) takes the grant within a second, without a restart. Prints the grant as JSON.
            """
    )

    @Option(help: "The roles file to write (not the shipped one: give your copy).")
    var roles: String

    @Argument(help: "The grant's name (lower-case letters, digits, _ and -).")
    var name: String

    @Option(help: "The role it grants (a role of the file).")
    var role: String

    @Option(name: .customLong("token"), help: "A token name (the token file's third column, or sha256:…) that gets the role (repeatable).")
    var tokens: [String] = []

    @Option(help: "When the grant stops working: an ISO 8601 time with its zone.")
    var until: String

    @Option(help: "What the grant is for (one line).")
    var summary: String?

    func validate() throws {
        if tokens.isEmpty { throw ValidationError("give at least one --token NAME") }
        if Timestamp.millis(until) == nil { throw ValidationError("--until is not a time (ISO 8601 with its zone)") }
    }

    func run() throws {
        let policy = try reportingErrors {
            try RolePolicy.appendGrant(to: roles, name: name, role: role, tokens: tokens, until: Timestamp.millis(until)!,
                                       summary: summary)
        }
        var w = JSONWriter()
        policy.grants.last!.write(to: &w, now: EventPipeline.clock())
        writeAll(1, w.text + "\n")
    }
}
