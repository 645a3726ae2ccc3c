import OrderedCollections
import QingtingCore
public import QingtingIngest
public import QingtingProfile
public import QingtingStore

/// The profiles one write transaction touches: each read once, folded with every event of the
/// transaction that resolved to its customer (in `seq` order), and written back before the commit,
/// so an event and its profile update commit together ("profile update (same txn)" in DESIGN.md).
public struct ProfileUpdates {
    let config: ProfileConfiguration
    private var states: [String: ProfileState] = [:]
    private var order: [String] = []

    public init(config: ProfileConfiguration) { self.config = config }

    /// Folds the stored event `seq` into `customer`'s profile.
    public mutating func apply(
        _ event: SocialEvent, seq: Int64, customer: String, analysis: String?, models: String?,
        in tx: CRMStore.Transaction
    ) throws {
        if states[customer] == nil {
            states[customer] = try tx.profile(customer).map { try ProfileState.decoded($0.state) } ?? ProfileState()
            order.append(customer)
        }
        states[customer]!.apply(Self.event(event, seq: seq, analysis: analysis, models: models), config)
    }

    /// The profile state of `customer` as this transaction has folded it so far (nil: untouched).
    public func state(of customer: String) -> ProfileState? { states[customer] }

    /// Writes the touched profiles (called once, at the end of the transaction's work).
    public func save(in tx: CRMStore.Transaction) throws {
        for customer in order {
            let state = states[customer]!
            try tx.saveProfile(customer, CRMStore.StoredProfile(state: state.encoded, config: config.version,
                                                                lastSeq: state.lastSeq))
        }
    }

    /// What the profile reads of an event, the same on the ingest path and in `rebuild`.
    public static func event(_ e: SocialEvent, seq: Int64, analysis: String?, models: String?) -> ProfileEvent {
        event(e, seq: seq, parsedAnalysis: analysis.flatMap { try? JSONValue.parse($0) },
              models: analysis == nil ? nil : models)
    }

    /// The same with the analysis JSON parsed already; `models` is nil when the event has no analysis.
    static func event(_ e: SocialEvent, seq: Int64, parsedAnalysis: JSONValue?, models: String?) -> ProfileEvent {
        ProfileEvent(
            seq: seq, platform: e.platform.rawValue, kind: e.kind.rawValue, occurredAt: e.occurredAt, text: e.text,
            parsedAnalysis: parsedAnalysis, models: models, metrics: e.metrics, authorProfile: e.author?.profile ?? [:])
    }
}
