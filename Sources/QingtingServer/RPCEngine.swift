import OrderedCollections
import QingtingText
public import QingtingCRM
public import QingtingStore
public import QingtingReport
public import QingtingProfile
public import QingtingIngest
import Synchronization
import Logging

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// The JSON-RPC 2.0 engine, independent of any transport: one request line (an object or a batch
/// array) in, one response line out. The socket server feeds it lines; tests can call it directly.
/// Thread-safe: lines may be handled concurrently.
public final class RPCEngine: Sendable {
    public static let version = "0.1.0"
    /// The names of the methods the engine answers, in `rpc.discover`'s order.
    public static var methodNames: [String] { RPCMethod.names }

    /// Who sent a line: the peer's uid from the socket (nil when called in-process).
    public struct Caller: Sendable {
        public var uid: UInt32?
        public init(uid: UInt32? = nil) { self.uid = uid }
    }

    /// What handling a line gave: the response line (nil when it held only notifications), how many
    /// requests it held, the code of each error answered, and the feed subscription an
    /// `alerts.subscribe` in it asked for (the transport streams it; the last one in a batch wins).
    public struct Outcome: Sendable {
        public var response: String?
        public var requests: Int
        public var errors: [RPCError.Code]
        public var subscription: FeedSubscription? = nil
    }

    /// What `alerts.subscribe` asks the connection for: every feed record after `cursor` that
    /// passes `filter`, in seq order, as `alerts.record` notifications.
    public struct FeedSubscription: Sendable {
        public var cursor: Int64
        public var filter: CRMStore.FeedFilter
        /// Who subscribed: the stream is authorized again at each look at the feed (a grant that
        /// expires ends it) and its records are filtered by the role's fields.
        var token: String? = nil
        var uid: UInt32? = nil
    }

    /// What one line may ask of the engine.
    public struct Limits: Sendable {
        /// Most requests in one batch array; a longer batch is answered with one -32003, unread.
        public var maxBatchRequests = 1024
        /// Where `model.reload` may read files from, and how large they may be.
        public var reload = ReloadPolicy()
        public init() {}
    }

    /// The event log `event.ingest` appends to and `sync.status` reads (`serve --store`).
    public struct EventLog: Sendable {
        public var store: CRMStore
        public var resolver: CustomerResolver
        public var configuration: EventPipeline.Configuration
        /// The experiments `ab.report` reads (`serve --experiments`; default: the shipped file).
        public var experiments = ExperimentFile()
        /// Concurrent `event.ingest` calls share transactions (each still answered after its commit).
        public let commits = CommitGroup()
        /// The KPI definitions `kpi.report` computes (nil: the shipped Lexicons/kpis.txt).
        public var kpis: KPIDefinitions?
        /// When the audit log's append raises an `audit-unusual-access` alert (`serve --audit-max-customers`,
        /// `--audit-window`).
        public var unusualAccess = CRMStore.UnusualAccess()
        /// The secrets webhook payloads are checked with (`serve --webhook-secrets`): by the HTTP
        /// receiver, and by `event.ingest` for calls that carry `headers` or `query`.
        public var webhookSecrets: WebhookSecrets?
        public init(store: CRMStore, resolver: CustomerResolver, configuration: EventPipeline.Configuration,
                    kpis: KPIDefinitions? = nil) {
            self.store = store
            self.resolver = resolver
            self.configuration = configuration
            self.kpis = kpis
        }
    }

    private let current: Mutex<EngineModels>
    public let eventLog: EventLog?
    public let metrics: ServerMetrics
    public let access: AccessPolicy
    public let limits: Limits
    let methods: [String: RPCMethod]
    private let logger = Logger(label: "qingting.audit")

    public convenience init(models: EngineModels, access: AccessPolicy = AccessPolicy(), limits: Limits = Limits(),
                            metrics: ServerMetrics = ServerMetrics(), eventLog: EventLog? = nil) {
        self.init(models: models, access: access, limits: limits, metrics: metrics, methods: RPCMethod.all,
                  eventLog: eventLog)
    }

    init(models: EngineModels, access: AccessPolicy = AccessPolicy(), limits: Limits = Limits(),
         metrics: ServerMetrics = ServerMetrics(), methods: [RPCMethod], eventLog: EventLog? = nil) {
        current = Mutex(models)
        self.eventLog = eventLog
        self.access = access
        self.metrics = metrics
        var limits = limits
        limits.reload.admit(directoriesOf: models.files.map(\.path))
        self.limits = limits
        self.methods = Dictionary(uniqueKeysWithValues: methods.map { ($0.name, $0) })
    }

    /// The models requests started now will use.
    public var models: EngineModels { current.withLock { $0 } }

    func swapModels(_ models: EngineModels) {
        current.withLock { $0 = models }
        metrics.recordReload()
    }

    /// Handles one line (without its newline).
    public func handle(line: UnsafeBufferPointer<UInt8>, caller: Caller = Caller()) -> Outcome {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch let error as QingtingError {
            let rpc = RPCError(.parseError, "invalid JSON: \(error.message)",
                               data: [("offset", .number("\(error.byteOffset ?? 0)"))])
            return Outcome(response: rpc.response(id: nil), requests: 1, errors: [.parseError])
        } catch {
            let rpc = RPCError(.parseError, "invalid JSON")
            return Outcome(response: rpc.response(id: nil), requests: 1, errors: [.parseError])
        }
        let models = self.models
        let effects = RPCContext.Effects()
        guard case .array(let batch) = value else {
            var errors: [RPCError.Code] = []
            let response = handle(request: value, caller: caller, models: models, effects: effects, errors: &errors)
            return Outcome(response: response, requests: 1, errors: errors, subscription: effects.subscription)
        }
        guard !batch.isEmpty else {
            let rpc = RPCError(.invalidRequest, "an empty batch", data: [("batch_size", .number("0"))])
            return Outcome(response: rpc.response(id: nil), requests: 1, errors: [.invalidRequest])
        }
        guard batch.count <= limits.maxBatchRequests else {
            let rpc = RPCError(.requestTooLarge,
                               "a batch of \(batch.count) requests is over the limit of \(limits.maxBatchRequests); none was run",
                               data: [("batch_size", .number("\(batch.count)")), ("max", .number("\(limits.maxBatchRequests)"))])
            return Outcome(response: rpc.response(id: nil), requests: batch.count, errors: [.requestTooLarge])
        }
        var errors: [RPCError.Code] = []
        var responses: [String] = []
        for request in batch {
            if let response = handle(request: request, caller: caller, models: models, effects: effects, errors: &errors) {
                responses.append(response)
            }
        }
        let response = responses.isEmpty ? nil : "[" + responses.joined(separator: ",") + "]"
        return Outcome(response: response, requests: batch.count, errors: errors, subscription: effects.subscription)
    }

    public func handle(line: String, caller: Caller = Caller()) -> Outcome {
        var line = line
        return line.withUTF8 { handle(line: $0, caller: caller) }
    }

    /// The response refusing a line unread (e.g. -32002 overloaded), with the line's id when it is
    /// a request object with one; batches and unreadable lines get id null.
    public func refusal(of line: UnsafeBufferPointer<UInt8>, _ error: RPCError) -> String {
        let id = (try? JSONValue.parse(line))?["id"]
        return error.response(id: RPCRequest.validID(id) ? id : nil)
    }

    /// One request object → its response (nil for a notification).
    private func handle(request: JSONValue, caller: Caller, models: EngineModels, effects: RPCContext.Effects,
                        errors: inout [RPCError.Code]) -> String? {
        guard case .object(let members) = request else {
            errors.append(.invalidRequest)
            return RPCError(.invalidRequest, "a request must be a JSON object, not \(request.typeName)").response(id: nil)
        }
        let id = members["id"]
        // A call of a method that touches personal data, recorded in the audit log when it ends.
        var audited: Audited?
        do {
            let request = try RPCRequest(members)
            guard let method = methods[request.method] else {
                throw RPCError(.methodNotFound, "unknown method \"\(request.method)\" (rpc.discover lists them)",
                               data: [("method", .string(request.method))])
            }
            if method.personalData != nil { audited = Audited(method: method, params: [:], token: nil) }
            var given = request.params
            var token: String?
            if case .object(var named)? = given, let value = named["token"] {
                // Every method takes a role token as a named param: the audit log records its name.
                guard case .string(let text) = value else { throw RPCError.param("token", expected: "a string", got: value) }
                token = text
                audited?.token = text
                if !method.params.contains(where: { $0.name == "token" }) {
                    named["token"] = nil
                    given = .object(named)
                }
            }
            // The role decides before anything runs; the audit log records it, allowed or refused.
            let policy = access.roles.policy
            let (roles, role) = try access.principal(token: token, uid: caller.uid, policy: policy, now: access.clock())
            audited?.role = role
            let permission = try access.permission(method.name, roles: roles, label: role, policy: policy)
            let params = try method.namedParams(given)
            audited?.params = params
            try permission.check(params, method: method.name)
            try checkScope(permission, method, params, result: nil)
            let context = RPCContext(engine: self, models: models, caller: caller, effects: effects, token: token)
            var result = try method.run(context, params)
            var parsed: JSONValue?
            let guarded = permission.ticketedOnly || !permission.filter.isEmpty
            // The answer is parsed back only when a role's filter or scope reads it, or the audit
            // finds customers in it (not for `customer.get`, whose customer is its param).
            if guarded || (audited != nil && method.personalData?.customers.readsResult == true) {
                parsed = try? JSONValue.parse(result)
                // Fail closed: an answer that cannot be filtered is not given.
                if parsed == nil, guarded { throw RPCError(.internalError, "internal error") }
            }
            if let value = parsed {
                try checkScope(permission, method, params, result: value)
                let (kept, withheld) = permission.filtered(value)
                if !withheld.isEmpty {
                    result = kept.jsonText
                    audited?.withheld = withheld
                }
            }
            if let audited { try recordAudit(audited, caller: caller, result: parsed, error: nil) }
            guard let id = request.id else { return nil }
            var w = JSONWriter()
            w.object { w in
                w.member("jsonrpc", "2.0")
                w.member("id", id)
                w.member("result", raw: result)
            }
            return w.text
        } catch let error as RPCError {
            if let audited { try? recordAudit(audited, caller: caller, result: nil, error: error.code) }
            errors.append(error.code)
            // Notifications get no answer, but a request too broken to tell is answered (id null).
            if members["id"] == nil, error.code != .invalidRequest { return nil }
            return error.response(id: RPCRequest.validID(id) ? id : nil)
        } catch let error as any EngineError where error.rpcCode == RPCError.Code.invalidParams.rawValue {
            // An engine error in what the caller sent (bad UTF-8, an unusable record): its message
            // names what is wrong and never holds personal data (the error model's rule).
            if let audited { try? recordAudit(audited, caller: caller, result: nil, error: .invalidParams) }
            errors.append(.invalidParams)
            return RPCError(.invalidParams, error.message, data: [("code", .string(error.code.rawValue))])
                .response(id: RPCRequest.validID(id) ? id : nil)
        } catch {
            // Anything not made for the caller stays in the log's domain: no internals in the answer.
            if let audited, !(error is AuditFailure) {
                try? recordAudit(audited, caller: caller, result: nil, error: .internalError)
            }
            errors.append(.internalError)
            return RPCError(.internalError, "internal error").response(id: RPCRequest.validID(id) ? id : nil)
        }
    }
}

extension RPCEngine {
    /// A call to audit: its method, its params once read, the token it carried, the role it ran
    /// as (nil when refused before one was known) and the fields its result was stripped of.
    struct Audited {
        var method: RPCMethod
        var params: JSONObject
        var token: String?
        var role: String? = nil
        var withheld: [String] = []
    }

    /// The audit log could not be written: the call is answered -32603, its result withheld.
    struct AuditFailure: Error {}

    /// Appends a call of a method that touches personal data to the audit log (with `serve
    /// --store`; there is no audit log, and nothing is recorded, without one): who (uid, token
    /// name, role), the method, the customers found in its params and result, the fields, and
    /// whether it was answered or refused with which code. Fields the role does not see and that
    /// the answer held are recorded as `withheld:FIELD`.
    /// - Parameter result: the answer before its fields were filtered (nil when refused).
    /// - Throws: `AuditFailure` when the append fails (logged without the call's data): an answer
    ///   the log does not hold is not given.
    func recordAudit(_ call: Audited, caller: Caller, result: JSONValue?, error: RPCError.Code?) throws {
        guard let log = eventLog, let data = call.method.personalData else { return }
        let (ids, count) = data.customers.find(call.params, result)
        let entry = CRMStore.AuditEntry(
            at: EventPipeline.clock(), uid: caller.uid, token: call.token.map(access.tokenName),
            role: call.role, method: call.method.name, access: data.access,
            customers: ids, customerCount: count, fields: data.fields(call.params) + call.withheld.map { "withheld:" + $0 },
            error: error?.rawValue)
        do {
            try log.store.appendAudit(entry, unusual: log.unusualAccess)
        } catch {
            logger.error("cannot append to the audit log; the call is answered -32603",
                         metadata: ["method": "\(call.method.name)", "error": "\(type(of: error))"])
            throw AuditFailure()
        }
    }
}

/// A request object checked against JSON-RPC 2.0.
struct RPCRequest {
    var method: String
    var params: JSONValue?
    /// nil for a notification.
    var id: JSONValue?

    init(_ members: JSONObject) throws {
        guard members["jsonrpc"] == .string("2.0") else {
            throw RPCError(.invalidRequest, "\"jsonrpc\" must be \"2.0\"",
                           data: [("member", .string("jsonrpc")), ("got", members["jsonrpc"] ?? .null)])
        }
        guard case .string(let method)? = members["method"] else {
            throw RPCError(.invalidRequest, "\"method\" must be a string",
                           data: [("member", .string("method")), ("got", .string(members["method"]?.typeName ?? "nothing"))])
        }
        if let id = members["id"], !Self.validID(id) {
            throw RPCError(.invalidRequest, "\"id\" must be a string, a number or null, not \(id.typeName)",
                           data: [("member", .string("id"))])
        }
        if let params = members["params"] {
            switch params {
            case .object, .array: break
            default:
                throw RPCError(.invalidRequest, "\"params\" must be an object or an array, not \(params.typeName)",
                               data: [("member", .string("params"))])
            }
        }
        self.method = method
        params = members["params"]
        id = members["id"]
    }

    static func validID(_ id: JSONValue?) -> Bool {
        switch id {
        case .string?, .number?, .null?: true
        default: false
        }
    }
}

/// What a method sees besides its parameters.
struct RPCContext {
    let engine: RPCEngine
    /// The models this request runs on (fixed when its line arrived).
    let models: EngineModels
    let caller: RPCEngine.Caller
    /// What a method asks of the connection besides its result (one per line).
    let effects: Effects
    /// The role token the call carried, so a stream it starts is checked again as time passes.
    var token: String? = nil

    final class Effects {
        var subscription: RPCEngine.FeedSubscription?
    }
}
