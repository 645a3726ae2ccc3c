import OrderedCollections
import QingtingCRM
import QingtingIngest
import QingtingStore
import QingtingCore

extension RPCMethod {
    static let ingestEvents = RPCMethod(
        name: "event.ingest",
        summary: "Appends platform payloads to the event log (serve --store): each read by its platform's adapter, deduplicated on (platform, event_id), analysed, resolved to a customer and committed in one transaction; answered after the commit, one result per event (or per rejected or ignored payload) in payload order.",
        params: [
            Param(name: "platform", required: false, schema: #"{"enum":["weibo","wechat","wecom","douyin","kuaishou","xiaohongshu","zhihu","bilibili","x","facebook","instagram","generic"]}"#,
                  summary: "The payloads' platform; detected from each payload's shape when left out."),
            Param(name: "payload", required: false, schema: #"{"description":"a JSON value as the platform sent it, or a string (WeChat/WeCom XML)"}"#,
                  summary: "One payload (this or payloads)."),
            Param(name: "payloads", required: false, schema: #"{"type":"array","maxItems":1024}"#,
                  summary: "Several payloads, appended in one transaction (this or payload)."),
            Param(name: "headers", required: false, schema: #"{"type":"object","additionalProperties":{"type":"string"}}"#,
                  summary: "The webhook's HTTP headers (Douyin's Msg-Id, the signature headers), for every payload of the call."),
            Param(name: "query", required: false, schema: #"{"type":"object","additionalProperties":{"type":"string"}}"#,
                  summary: "The webhook URL's query parameters (WeChat's, WeCom's and Weibo's signature, timestamp, nonce, msg_signature). With serve --webhook-secrets, a call with headers or query has every payload's signature checked before anything is stored (-32001 when one fails); pass a signed body as a string, byte for byte."),
        ],
        resultSchema: #"{"type":"object","properties":{"results":{"type":"array","items":{"type":"object","properties":{"payload":{"type":"integer","description":"index of the payload in the call"},"status":{"enum":["stored","duplicate","rejected","ignored"]},"platform":{"type":["string","null"]},"event_id":{"type":["string","null"]},"seq":{"type":"integer"},"customer":{"type":["string","null"]},"reason":{"type":"string","description":"the rejection code (missing_id, invalid_json, wrong_platform, …)"},"message":{"type":"string"}}}}}}"#,
        run: { context, params in
            guard let log = context.engine.eventLog else {
                throw RPCError(.notFound, "no event log is open: start the server with --store FILE",
                               data: [("method", .string("event.ingest"))])
            }
            var platform: Platform?
            var unknownPlatform: QingtingError?
            if let name = try params.string("platform") {
                // An unknown platform refuses the payloads (counted under sync health), not the call.
                // Its message does not repeat the name: the rejection is kept in the store.
                do { platform = try Platform(name: name) } catch let e as QingtingError {
                    unknownPlatform = QingtingError(e.code, "unknown platform in the \"platform\" parameter (known: \(Platform.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
            let headers = try params.stringMap("headers")
            let query = try params.stringMap("query")
            let values: [JSONValue]
            switch (params["payload"], params["payloads"]) {
            case (let one?, nil): values = [one]
            case (nil, .array(let many)?): values = many
            case (nil, let other?): throw RPCError.param("payloads", expected: "an array", got: other)
            case (nil, nil):
                throw RPCError(.invalidParams, "missing parameter \"payload\" (or \"payloads\")", data: [("param", .string("payload"))])
            default:
                throw RPCError(.invalidParams, "pass \"payload\" or \"payloads\", not both", data: [("param", .string("payloads"))])
            }
            guard values.count <= context.engine.limits.maxBatchRequests else {
                throw RPCError(.requestTooLarge, "\(values.count) payloads is over the limit of \(context.engine.limits.maxBatchRequests)",
                               data: [("payloads", .number("\(values.count)")), ("max", .number("\(context.engine.limits.maxBatchRequests)"))])
            }
            var payloads = values.map { value -> Payload in
                if case .string(let text) = value { return Payload(text, headers: headers ?? [:]) }
                return Payload(value.jsonText, headers: headers ?? [:])
            }
            if let secrets = log.webhookSecrets, headers != nil || query != nil, unknownPlatform == nil {
                payloads = try verified(payloads, platform: platform, query: query ?? [:], secrets: secrets,
                                        metrics: context.engine.metrics)
            }
            // The reply is written only after this returns, which is after the commit.
            let results = try log.ingest(payloads, platform: platform, models: context.models, refusing: unknownPlatform)
            var w = JSONWriter()
            w.object { w in
                w.member("results") { w in
                    w.array(results.enumerated()) { w, item in
                        let (index, result) = item
                        for e in result.events {
                            w.object { w in
                                w.member("payload", index)
                                w.member("status", e.status.rawValue)
                                w.member("platform", e.platform.rawValue)
                                w.member("event_id", e.eventID)
                                w.member("seq", ifPresent: e.seq)
                                if e.status == .stored {
                                    w.key("customer")
                                    if let c = e.customer { w.string(c) } else { w.null() }
                                }
                            }
                        }
                        for r in result.rejections {
                            w.object { w in
                                w.member("payload", index)
                                w.member("status", "rejected")
                                w.key("platform")
                                if let p = result.platform { w.string(p.rawValue) } else { w.null() }
                                w.key("event_id")
                                w.null()
                                w.member("reason", r.code.rawValue)
                                w.member("message", r.description)
                            }
                        }
                        if result.events.isEmpty && result.rejections.isEmpty {
                            w.object { w in
                                w.member("payload", index)
                                w.member("status", "ignored")
                                w.key("platform")
                                if let p = result.platform { w.string(p.rawValue) } else { w.null() }
                                w.key("event_id")
                                w.null()
                                w.member("reason", "no_event")
                            }
                        }
                    }
                }
            }
            return w.text
        }).touching(PersonalData(access: .change, fields: ["events", "profile"], customers: .each("results", "customer")))

    /// `event.ingest`'s signature check (with `serve --webhook-secrets`, for a call with `headers`
    /// or `query`): each payload checked as the webhook receiver checks a POST to its platform's
    /// path, and decrypted where the platform encrypts; one failure refuses the whole call, so
    /// nothing of it is stored.
    private static func verified(_ payloads: [Payload], platform: Platform?, query: [String: String],
                                 secrets: WebhookSecrets, metrics: ServerMetrics) throws -> [Payload] {
        guard let platform else {
            throw RPCError(.invalidParams, "a call with headers or query has its signatures checked: name its \"platform\"",
                           data: [("param", .string("platform"))])
        }
        return try payloads.enumerated().map { index, payload in
            let request = WebhookRequest(method: "POST", query: query, headers: payload.headers, body: payload.bytes)
            switch WebhookCheck.verifiedPayload(request, platform: platform, secrets: secrets) {
            case .success(let verified): return verified
            case .failure(let refusal):
                metrics.recordSignatureRefusal(refusal.outcome.rawValue)
                let data: [(String, JSONValue)] = [("payload", .number("\(index)")), ("reason", .string(refusal.outcome.rawValue))]
                if refusal.outcome == .badRequest {
                    throw RPCError(.invalidParams, "payload \(index): the encrypted message cannot be read", data: data)
                }
                let what = switch refusal.outcome {
                case .missingSignature: "no signature in the headers or query"
                case .notConfigured: "\(platform.rawValue) is not in the webhook secrets file"
                default: "the signature does not match"
                }
                throw RPCError(.unauthorized, "payload \(index): \(what); nothing of the call was stored", data: data)
            }
        }
    }

    static let syncStatus = RPCMethod(
        name: "sync.status",
        summary: "Sync health of the event log per platform and UTC day: field completeness (target ≥ 98%), latency occurred_at → commit (p50, p95, max; target < 15 min), duplicates, rejections by reason — what `qingting sync status` prints.",
        params: [
            Param(name: "platform", required: false, schema: #"{"type":"string"}"#, summary: "Only this platform."),
            Param(name: "since", required: false, schema: #"{"type":"string","format":"date"}"#, summary: "First day (YYYY-MM-DD)."),
            Param(name: "until", required: false, schema: #"{"type":"string","format":"date"}"#, summary: "First day not counted (YYYY-MM-DD)."),
        ],
        resultSchema: #"{"type":"object","properties":{"targets":{"type":"object","properties":{"completeness":{"type":"number"},"latency_ms":{"type":"integer"}}},"days":{"type":"array","items":{"type":"object","properties":{"day":{"type":"string"},"platform":{"type":"string"},"received":{"type":"integer"},"stored":{"type":"integer"},"duplicates":{"type":"integer"},"rejected":{"type":"integer"},"rejected_by_reason":{"type":"object"},"completeness":{"type":"number"},"fields_present":{"type":"integer"},"fields_expected":{"type":"integer"},"latency_ms":{"type":"object","properties":{"p50":{"type":["integer","null"]},"p95":{"type":["integer","null"]},"max":{"type":["integer","null"]}}},"meets_targets":{"type":"object","properties":{"completeness":{"type":"boolean"},"latency":{"type":["boolean","null"]}}}}}}}}"#,
        run: { context, params in
            guard let log = context.engine.eventLog else {
                throw RPCError(.notFound, "no event log is open: start the server with --store FILE",
                               data: [("method", .string("sync.status"))])
            }
            var platform: Platform?
            if let name = try params.string("platform") {
                do { platform = try Platform(name: name) } catch is QingtingError {
                    throw RPCError(.invalidParams, "parameter \"platform\" is not a known platform",
                                   data: [("param", .string("platform"))])
                }
            }
            for name in ["since", "until"] {
                if let day = try params.string(name), Timestamp.millis(day) == nil || day.utf8.count != 10 {
                    throw RPCError.param(name, expected: "a day YYYY-MM-DD", got: .string(day))
                }
            }
            let days = try log.store.syncHealth(platform: platform, since: try params.string("since"),
                                                until: try params.string("until"))
            return EventLogOutput.syncStatus(days)
        })
}
