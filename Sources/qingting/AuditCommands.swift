import ArgumentParser
import QingtingCore
import QingtingIngest
import QingtingStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit log of calls that read or changed personal data (written by `serve --store`).",
        discussion: """
            `qingting audit --store FILE [--who W] [--customer C] [--since T]` prints the matching records \
            as JSONL; `qingting audit verify --store FILE` recomputes the hash chain. The server records \
            every call of a method that reads or changes personal data, allowed or refused; the CLI's \
            own reads of the store are not recorded (whoever runs them can open the file anyway).
            """,
        subcommands: [AuditQuery.self, AuditVerify.self],
        defaultSubcommand: AuditQuery.self
    )
}

struct AuditQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Audit records as JSONL, in seq order: seq, at, uid, token (its name), role, method, access, customers, customer_count, fields, outcome, error, prev_hash, hash."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Only calls by this token name (or `sha256:…` fingerprint) or uid.")
    var who: String?

    @Option(help: "Only calls that touched this customer id.")
    var customer: String?

    @Option(help: "Only calls at or after this time (ISO 8601, a date or epoch ms).")
    var since: String?

    func validate() throws {
        if let since, Timestamp.millis(since) == nil { throw ValidationError("--since is not a time (ISO 8601, a date or epoch ms)") }
    }

    func run() throws {
        let records = try reportingErrors {
            try storeOptions.open().audit(who: who, customer: customer, since: since.flatMap { Timestamp.millis($0) })
        }
        var out = ""
        for r in records {
            var w = JSONWriter()
            r.write(to: &w)
            out += w.text + "\n"
        }
        writeAll(1, out)
    }
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recomputes the audit log's hash chain; exit status 1 naming the first broken seq.",
        discussion: """
            Prints {"ok","records","head"} when every record follows the one before and matches its hash \
            (`head`: the last hash — keep it elsewhere, since rows deleted from the end leave a shorter \
            chain that still holds), else {"ok":false,"records","broken_at","reason"}: reason `missing` \
            (seqs skipped: records deleted), `hash` (a record edited) or `chain` (a record replaced or \
            inserted).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let result = try reportingErrors { try storeOptions.open().verifyAudit() }
        writeAll(1, result.json + "\n")
        if !result.holds { throw ExitCode(1) }
    }
}
