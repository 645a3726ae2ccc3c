import ArgumentParser
import QingtingServer

@main
struct Qingting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qingting",
        abstract: "倾听 Qingting: social CRM text engine (segmentation, and the stages built on it).",
        discussion: """
            Models and lexicons are found under $QINGTING_HOME, the current directory, or the \
            folders above the executable (Models/segment.qtseg, Lexicons/userdict.tsv).
            """,
        version: RPCEngine.version,
        subcommands: [AnalyzeCommand.self, SegmentCommand.self, TrainCommand.self, EvalCommand.self,
                      LinkCommand.self, CustomersCommand.self, IngestCommand.self, EventsCommand.self,
                      ReplayCommand.self, SyncCommand.self, CustomerCommand.self, RebuildCommand.self, SegmentsCommand.self,
                       RulesCommand.self, FeedCommand.self, TicketsCommand.self, ActionsCommand.self, ReportCommand.self, ABCommand.self, AudienceCommand.self, AuditCommand.self, RolesCommand.self, RetentionCommand.self, KeysCommand.self,
                      ServeCommand.self, CallCommand.self]
    )
}
