import QingtingCRM
import QingtingIngest
import QingtingCore

extension RPCEngine.EventLog {
    /// The one ingest path of `event.ingest` and the webhook receiver: reads and analyses the
    /// payloads with `models`, then appends them through the shared `CommitGroup` (so calls that
    /// arrive together share one transaction). Returns one result per payload, after the commit.
    /// - Parameter platform: the platform the caller named; payloads refused before any adapter
    ///   read them are counted under it in sync health.
    /// - Parameter refusing: refuses every payload with this error instead (an unknown platform
    ///   named by the caller), still counted under sync health.
    /// - Throws: what the transaction threw; then nothing of the batch is stored or acknowledged.
    func ingest(_ payloads: [Payload], platform: Platform?, models: EngineModels, refusing: QingtingError? = nil) throws
        -> [EventPipeline.Result]
    {
        let pipeline = EventPipeline(store: store, analyzer: models.eventAnalyzer, resolver: resolver,
                                     configuration: configuration)
        var prepared = refusing.map { error in payloads.map { EventPipeline.Prepared.refused($0.bytes, error) } }
            ?? pipeline.prepare(payloads.map { ($0, nil) }, platform: platform)
        // A payload refused before its adapter read it (malformed, another platform's shape) is
        // counted under the platform the caller named (the webhook's path), not under "unknown".
        if let platform {
            for i in prepared.indices where prepared[i].platform == nil { prepared[i].platform = platform }
        }
        return try commits.append(prepared, with: pipeline)
    }
}
