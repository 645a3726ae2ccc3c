import QingtingCRM
import QingtingCore
import QingtingStore

extension RPCMethod {
    static let deleteCustomer = RPCMethod(
        name: "customer.delete",
        summary: "Erase a customer (a PIPL / GDPR erasure request), what `qingting customer delete` does: the CRM record, profile, tag decisions and bindings go; the customer's events lose their texts, author profiles and payloads; identities, KPI rows, tickets, feed records and rule state are renamed to random ids and cleaned of the customer's data; the aggregates stay; then the file is checkpointed and vacuumed. The audit log records the call.",
        params: [
            Param(name: "id", required: true, schema: #"{"type":"string"}"#, summary: "The customer id."),
            Param(name: "now", required: false, schema: #"{"type":"string","description":"ISO 8601 or epoch ms"}"#,
                  summary: "The time of the erasure; default: the clock."),
            Param(name: "vacuum", required: false, schema: #"{"type":"boolean"}"#,
                  summary: "Checkpoint and vacuum afterwards (default true; it blocks writers while it runs)."),
        ],
        resultSchema: #"{"type":"object","properties":{"customer":{"type":"string"},"erased":{"type":"boolean"},"at":{"type":"string"},"tables":{"type":"object","additionalProperties":{"type":"integer"}},"vacuumed":{"type":"boolean"},"wal_empty":{"type":"boolean"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "customer.delete")
            let id = try params.requiredString("id")
            let erasure = CustomerErasure(store: log.store, config: log.configuration.profile)
            guard let report = try erasure.erase(id, now: try profileNow(params), vacuum: try params.bool("vacuum") ?? true)
            else {
                throw RPCError(.notFound, "no such customer in the store", data: [("param", .string("id"))])
            }
            return report.json
        }).touching(PersonalData(access: .change, fields: CustomerErasure.fields, customers: .param("id")))

    static let setConsent = RPCMethod(
        name: "customer.consent",
        summary: "Record a customer's consent to automated marketing (PIPL Art. 24), what `qingting customer consent` does: opt-out blocks automated messages and coupons, skips template variants that say `not profile.opted_out`, and leaves the customer out of audience exports; customer.get shows it under consent with who changed it and when.",
        params: [
            Param(name: "id", required: true, schema: #"{"type":"string"}"#, summary: "The customer id."),
            Param(name: "consent", required: true, schema: #"{"type":"string","enum":["opt-out","granted"]}"#,
                  summary: "opt-out or granted."),
            Param(name: "by", required: false, schema: #"{"type":"string"}"#,
                  summary: "Who records the change (shown as changed_by); default: the caller's uid, `uid:N`."),
            Param(name: "now", required: false, schema: #"{"type":"string","description":"ISO 8601 or epoch ms"}"#,
                  summary: "When it changed; default: the clock."),
        ],
        resultSchema: #"{"type":"object","properties":{"customer":{"type":"string"},"consent":{"type":"object","properties":{"marketing":{"type":["string","null"]},"opted_out":{"type":"boolean"},"changed_by":{"type":["string","null"]},"changed_at":{"type":["string","null"]}}}}}"#,
        run: { context, params in
            let log = try profileLog(context, "customer.consent")
            let id = try params.requiredString("id")
            let choice = try params.requiredString("consent")
            guard MarketingConsent.value(of: choice) != nil else {
                throw RPCError.param("consent", expected: "opt-out or granted", got: .string(choice))
            }
            let by = try params.string("by") ?? context.caller.uid.map { "uid:\($0)" } ?? "socket"
            guard let json = try CustomerConsent.set(store: log.store, id: id, choice: choice, by: by,
                                                     at: try profileNow(params))
            else {
                throw RPCError(.notFound, "no such customer in the store", data: [("param", .string("id"))])
            }
            return json
        }).touching(PersonalData(access: .change, fields: ["consent"], customers: .param("id")))
}
