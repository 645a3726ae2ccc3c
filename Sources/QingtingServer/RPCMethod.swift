import QingtingStore
import QingtingIngest
import OrderedCollections
import QingtingClassify
import QingtingMatch
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// A method the engine answers: its name, what it does, its parameters and result as JSON Schemas
/// (what `rpc.discover` lists), and the code that runs it. Results are JSON text.
struct RPCMethod: Sendable {
    struct Param: Sendable {
        var name: String
        var required: Bool
        /// JSON Schema, as JSON text.
        var schema: String
        var summary: String
    }

    var name: String
    var summary: String
    /// In positional order (for `params` given as an array).
    var params: [Param]
    var resultSchema: String
    var run: @Sendable (RPCContext, JSONObject) throws -> String
    /// What personal data the method reads or changes (nil: none); its calls are audited.
    var personalData: PersonalData? = nil

    /// `params` as named members: absent → none; an array → by position. Unknown names and
    /// missing required ones are invalid params.
    func namedParams(_ params: JSONValue?) throws -> JSONObject {
        var named: JSONObject
        switch params {
        case nil: named = [:]
        case .object(let members)?: named = members
        case .array(let items)?:
            guard items.count <= self.params.count else {
                throw RPCError(.invalidParams, "\(name) takes at most \(self.params.count) positional parameter(s), got \(items.count)",
                               data: [("expected", .array(self.params.map { .string($0.name) }))])
            }
            named = [:]
            for (param, item) in zip(self.params, items) { named[param.name] = item }
        default: named = [:]
        }
        for key in named.keys.sorted() where !self.params.contains(where: { $0.name == key }) {
            throw RPCError(.invalidParams, "\(name) has no parameter \"\(key)\"",
                           data: [("param", .string(key)), ("expected", .array(self.params.map { .string($0.name) }))])
        }
        for param in self.params where param.required && named[param.name] == nil {
            throw RPCError(.invalidParams, "missing parameter \"\(param.name)\"", data: [("param", .string(param.name))])
        }
        return named
    }

    /// The names of every method, in `rpc.discover`'s order (what roles file patterns resolve against).
    static var names: [String] { all.map(\.name) }

    static let all: [RPCMethod] = [engineInfo, discover, segment, analyze, resolve, ingestEvents, syncStatus, getCustomer, searchCustomers, setConsent, deleteCustomer, listSegments, segmentMembers, readFeed, subscribeAlerts, ackAction, listTickets, getTicket, updateTicket, kpiReport, abReport, exportAudience, reload]
}

// MARK: - Parameter readers

extension JSONObject {
    func string(_ name: String) throws -> String? {
        guard let value = self[name] else { return nil }
        guard case .string(let s) = value else { throw RPCError.param(name, expected: "a string", got: value) }
        return s
    }

    /// A string parameter that must be there (`namedParams` has checked presence; this checks type).
    func requiredString(_ name: String) throws -> String {
        guard let s = try string(name) else { throw RPCError.param(name, expected: "a string", got: nil) }
        return s
    }

    /// An integer parameter (a JSON number) in `range`, nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let value = self[name] else { return nil }
        guard case .number(let literal) = value, let n = Int64(literal), range.contains(n) else {
            throw RPCError.param(name, expected: "an integer in \(range.lowerBound)...\(range.upperBound)", got: value)
        }
        return n
    }

    /// A time parameter: ISO 8601, a date, or epoch milliseconds (a number or digits); nil when absent.
    func time(_ name: String) throws -> Int64? {
        guard let value = self[name] else { return nil }
        switch value {
        case .string(let text): if let ms = Timestamp.millis(text) { return ms }
        case .number(let literal): if let ms = Int64(literal) { return ms }
        default: break
        }
        throw RPCError.param(name, expected: "a time (ISO 8601, a date or epoch ms)", got: value)
    }

    /// An array-of-strings parameter; nil when absent.
    func strings(_ name: String) throws -> [String]? {
        guard let value = self[name] else { return nil }
        guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
            throw RPCError.param(name, expected: "an array of strings", got: value)
        }
        return items.compactMap(\.stringValue)
    }

    /// An object-of-strings parameter (HTTP headers, a query string's parameters); nil when absent.
    func stringMap(_ name: String) throws -> [String: String]? {
        guard let value = self[name] else { return nil }
        guard case .object(let members) = value else { throw RPCError.param(name, expected: "an object of strings", got: value) }
        var out: [String: String] = [:]
        for (key, member) in members {
            guard case .string(let s) = member else { throw RPCError.param(name, expected: "an object of strings", got: value) }
            out[key] = s
        }
        return out
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = self[name] else { return nil }
        guard case .bool(let b) = value else { throw RPCError.param(name, expected: "a boolean", got: value) }
        return b
    }
}

// MARK: - Methods

extension RPCMethod {
    static let engineInfo = RPCMethod(
        name: "engine.info",
        summary: "Version, loaded model and lexicon files with their hashes, the roles file in force, uptime and counters.",
        params: [],
        resultSchema: #"{"type":"object","properties":{"name":{"type":"string"},"version":{"type":"string"},"pid":{"type":"integer"},"files":{"type":"object"},"roles":{"type":"object","description":"the roles file in force","properties":{"source":{"type":"string"},"version":{"type":"string"},"hash":{"type":"string"}}},"uptime_seconds":{"type":"integer"},"requests":{"type":"integer"},"errors":{"type":"object","description":"count by error code"},"connections":{"type":"object","properties":{"open":{"type":"integer"},"total":{"type":"integer"},"refused":{"type":"integer"},"timed_out":{"type":"integer"}}},"dropped":{"type":"integer","description":"lines of clients that had gone, never run"},"reloads":{"type":"integer"},"notifications":{"type":"integer","description":"feed records sent to alerts.subscribe connections"},"latency_us":{"type":"object","properties":{"count":{"type":"integer"},"p50":{"type":"integer"},"p90":{"type":"integer"},"p99":{"type":"integer"},"max":{"type":"integer"}}},"webhooks":{"type":"object","description":"webhook requests (serve --http) and event.ingest signature refusals","properties":{"requests":{"type":"integer"},"by_outcome":{"type":"object","description":"count by outcome: accepted, handshake, rejected, too_large, late, failed, not_found, not_configured, missing_signature, bad_signature, bad_request, method_not_allowed"},"socket_signature_refusals":{"type":"object","description":"event.ingest calls refused by the signature check, by reason"}}}}}"#,
        run: { context, _ in
            var members = context.engine.metrics.snapshot()
            members["name"] = .string("qingting")
            members["version"] = .string(RPCEngine.version)
            members["pid"] = .number("\(getpid())")
            members["files"] = context.models.filesJSON()
            let roles = context.engine.access.roles.policy
            members["roles"] = .object(["source": .string(roles.source), "version": .string(roles.version),
                                        "hash": .string(roles.hash)])
            return JSONValue.object(members).jsonText
        })

    static let discover = RPCMethod(
        name: "rpc.discover",
        summary: "Every method with its parameters and result as JSON Schemas (OpenRPC 1.2 layout).",
        params: [],
        resultSchema: #"{"type":"object","properties":{"openrpc":{"type":"string"},"info":{"type":"object"},"methods":{"type":"array"}}}"#,
        run: { _, _ in
            var w = JSONWriter()
            w.object { w in
                w.member("openrpc", "1.2.6")
                w.member("info") { w in w.object { w in w.member("title", "qingting"); w.member("version", RPCEngine.version) } }
                w.member("methods") { w in
                    w.array(RPCMethod.all) { w, method in
                        w.object { w in
                            w.member("name", method.name)
                            w.member("summary", method.summary)
                            w.member("params") { w in
                                w.array(method.params) { w, param in
                                    w.object { w in
                                        w.member("name", param.name)
                                        w.member("required", param.required)
                                        w.member("summary", param.summary)
                                        w.member("schema", raw: param.schema)
                                    }
                                }
                            }
                            w.member("result") { w in w.object { w in w.member("name", "result"); w.member("schema", raw: method.resultSchema) } }
                        }
                    }
                }
            }
            return w.text
        })

    static let segment = RPCMethod(
        name: "text.segment",
        summary: "Tokens of a text, each with its kind and byte span (as `qingting segment --format jsonl`).",
        params: [Param(name: "text", required: true, schema: #"{"type":"string"}"#, summary: "The text to segment.")],
        resultSchema: #"{"type":"object","properties":{"tokens":{"type":"array","items":{"type":"object","properties":{"text":{"type":"string"},"kind":{"type":"string"},"start":{"type":"integer"},"end":{"type":"integer"}}}}}}"#,
        run: { context, params in
            let text = try params.requiredString("text")
            var w = JSONWriter()
            w.object { w in w.member("tokens") { w in Token.write(context.models.segmenter.tokenize(text), to: &w) } }
            return w.text
        })

    static let analyze = RPCMethod(
        name: "text.analyze",
        summary: "Sentiment of a text (label, probabilities, #情绪# tag, the lexicon cues behind it), its intents with their cues, and the product category it names — the object `qingting analyze` writes for a line, without its \"line\" member.",
        params: [
            Param(name: "text", required: true, schema: #"{"type":"string"}"#, summary: "The post."),
            Param(name: "id", required: false, schema: "{}", summary: "Echoed back as \"id\" in the result, exactly as written."),
            Param(name: "tokens", required: false, schema: #"{"type":"boolean","default":false}"#, summary: "Also return the tokens."),
        ],
        resultSchema: #"{"type":"object","properties":{"id":{},"sentiment":{"enum":["negative","neutral","positive"]},"probabilities":{"type":"object","properties":{"negative":{"type":"number"},"neutral":{"type":"number"},"positive":{"type":"number"}}},"tags":{"type":"array","items":{"type":"string"}},"cues":{"type":"array","items":{"type":"object","properties":{"term":{"type":"string"},"polarity":{"type":"string"},"negated":{"type":"boolean"},"strength":{"type":"number"},"start":{"type":"integer"},"end":{"type":"integer"}}}},"intents":{"type":"array","items":{"type":"object","properties":{"label":{"enum":["purchase","service_order","service_logistics","service_product","service_refund","complaint","churn","recommend"]},"probability":{"type":"number"},"cues":{"type":"array","items":{"type":"object","properties":{"term":{"type":"string"},"negated":{"type":"boolean"},"start":{"type":"integer"},"end":{"type":"integer"}}}}}}},"category":{"type":["object","null"],"properties":{"name":{"type":"string"},"term":{"type":"string"},"kind":{"enum":["name","model","brand"]},"start":{"type":"integer"},"end":{"type":"integer"}}},"tokens":{"type":"array","items":{"type":"object","properties":{"text":{"type":"string"},"kind":{"type":"string"},"start":{"type":"integer"},"end":{"type":"integer"}}}}}}"#,
        run: { context, params in
            let text = try params.requiredString("text")
            let tokens = try params.bool("tokens") ?? false
            var w = JSONWriter()
            w.object { w in
                if let id = params["id"] { w.member("id", id) }
                context.models.analyzer.analyze(text).writeMembers(to: &w, tokens: tokens)
            }
            return w.text
        })

    static let resolve = RPCMethod(
        name: "identity.resolve",
        summary: "Which CRM customer a social identity is: scored against the loaded customer index (serve --link-model and --customers) by the link model, without a batch run. The object `qingting link resolve` writes per identity.",
        params: [
            Param(name: "identity", required: true,
                  schema: #"{"type":"object","properties":{"platform":{"type":"string"},"uid":{"type":"string"},"nickname":{"type":"string"},"phone":{"type":["string","null"]},"email":{"type":["string","null"]},"city":{"type":["string","null"]},"gender":{"type":["string","null"]},"ip":{"type":"array","items":{"type":"string"}},"device":{"type":"array","items":{"type":"string"}},"unionid":{"type":["string","null"]}}}"#,
                  summary: "The identity, as a line of identities.jsonl."),
            Param(name: "candidates", required: false, schema: #"{"type":"integer","minimum":0,"default":3}"#, summary: "How many scored candidates to list."),
        ],
        resultSchema: #"{"type":"object","properties":{"platform":{},"uid":{},"customer":{"type":["string","null"]},"probability":{"type":"number"},"match_weight":{"type":"number"},"rule":{"type":["string","null"]},"status":{"enum":["confirmed","suggested",null]},"explain":{"type":"array","items":{"type":"object","properties":{"comparison":{"type":"string"},"level":{"type":"string"},"bits":{"type":"number"}}}},"candidates":{"type":"array"}}}"#,
        run: { context, params in
            guard let index = context.models.identityIndex else {
                throw RPCError(.notFound, "no customer index is loaded: start the server with --link-model FILE --customers FILE",
                               data: [("method", .string("identity.resolve"))])
            }
            guard case .object = params["identity"] else {
                throw RPCError.param("identity", expected: "an object", got: params["identity"])
            }
            var limit = 3
            if let value = params["candidates"] {
                guard case .number(let literal) = value, let n = Int(literal), n >= 0 else {
                    throw RPCError.param("candidates", expected: "a whole number >= 0", got: value)
                }
                limit = n
            }
            let fields = SocialPreset.queryFields(params["identity"]!)
            do {
                return index.json(try index.resolve(fields, limit: limit), query: fields)
            } catch let error as QingtingError where error.code == .invalidInput {
                // The identity itself is unusable (no uid): the caller's to fix, said plainly.
                throw RPCError(.invalidParams, "identity: \(error.message)", data: [("param", .string("identity"))])
            }
        }).touching(PersonalData(access: .read, fields: ["identities", "phone", "email", "name", "city"], customers: .all(.result("customer"), .each("candidates", "customer"))))

    static let reload = RPCMethod(
        name: "model.reload",
        summary: "Loads the model and lexicon files again (or the given ones) and swaps them in; requests already running finish on the old ones. Needs a role that may call it (admin in the shipped roles file) when the server has a token file.",
        params: [
            Param(name: "token", required: false, schema: #"{"type":"string"}"#, summary: "Role token (admin)."),
            Param(name: "sentiment_model", required: false, schema: #"{"type":"string"}"#, summary: "Path of a sentiment model to load instead (inside a reload directory)."),
            Param(name: "intent_model", required: false, schema: #"{"type":"string"}"#, summary: "Path of an intent model to load instead (inside a reload directory)."),
            Param(name: "segment_model", required: false, schema: #"{"type":"string"}"#, summary: "Path of a segment model to load instead (inside a reload directory)."),
            Param(name: "userdict", required: false, schema: #"{"type":"string"}"#, summary: "Path of a user lexicon to load instead (inside a reload directory)."),
        ],
        resultSchema: #"{"type":"object","properties":{"reloaded":{"type":"boolean"},"files":{"type":"object"}}}"#,
        run: { context, params in
            // Who may reload is the roles file's to say (only admin in the shipped one), checked before this runs.
            var sources = context.models.sources
            for name in ["sentiment_model", "intent_model", "segment_model", "userdict"] {
                guard let asked = try params.string(name) else { continue }
                let path = try context.engine.limits.reload.check(asked, param: name)
                switch name {
                case "sentiment_model": sources.sentimentModel = path
                case "intent_model": sources.intentModel = path
                case "segment_model": sources.segmentModel = path
                default: sources.userdict = path; sources.useUserdict = true
                }
            }
            let models: EngineModels
            do {
                models = try EngineModels(sources)
            } catch {
                // The loaders' errors name the file and line and what is wrong, never the file's content.
                throw RPCError(.invalidParams, "reload failed, the old models stay: \(error)")
            }
            context.engine.swapModels(models)
            return JSONValue.object(["reloaded": .bool(true), "files": models.filesJSON()]).jsonText
        })
}
