import OrderedCollections
import QingtingCRM
import QingtingIngest
import QingtingProfile
import QingtingStore
import QingtingCore

extension RPCMethod {
    static let getCustomer = RPCMethod(
        name: "customer.get",
        summary: "One customer's living profile (serve --store), what `qingting customer show` prints: fields with provenance, linked identities, tags with provenance, engagement with each term, predicted scores, KOC score, tier with its reason, journey stage and history, recent events with their analysis.",
        params: [
            Param(name: "id", required: true, schema: #"{"type":"string"}"#, summary: "The customer id."),
            Param(name: "now", required: false, schema: #"{"type":"string","description":"ISO 8601 or epoch ms"}"#,
                  summary: "The time the profile is read at (decay, expiry, silence); default: the clock."),
            Param(name: "events", required: false, schema: #"{"type":"integer","minimum":0,"maximum":1000}"#,
                  summary: "Recent events to list (default 20)."),
        ],
        resultSchema: #"{"type":"object","properties":{"id":{"type":"string"},"now":{"type":"string"},"fields":{"type":"object"},"identities":{"type":"array"},"activity":{"type":"object"},"tags":{"type":"array"},"engagement":{"type":"object"},"predicted":{"type":"object"},"koc":{"type":"object"},"tier":{"type":"object"},"journey":{"type":"object"},"events":{"type":"array"},"config":{"type":"object"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "customer.get")
            let id = try params.requiredString("id")
            var limit = CustomerProfiles.defaultEventLimit
            if let value = params["events"] {
                guard case .number(let literal) = value, let n = Int(literal), (0...1000).contains(n) else {
                    throw RPCError.param("events", expected: "an integer in 0...1000", got: value)
                }
                limit = n
            }
            let profiles = CustomerProfiles(store: log.store, config: log.configuration.profile)
            guard let json = try profiles.show(id, now: try profileNow(params), eventLimit: limit) else {
                throw RPCError(.notFound, "no such customer in the store", data: [("param", .string("id"))])
            }
            return json
        }).touching(PersonalData(access: .read, fields: ["profile", "fields", "identities", "tags", "events"], customers: .param("id")))

    static let searchCustomers = RPCMethod(
        name: "customer.search",
        summary: "Customers by phone, e-mail, name (exact), identity {platform, uid} or tag (as the profiles read at now): exactly one criterion.",
        params: [
            Param(name: "phone", required: false, schema: #"{"type":"string"}"#, summary: "A phone number (normalized as the import stores it)."),
            Param(name: "email", required: false, schema: #"{"type":"string"}"#, summary: "An e-mail address."),
            Param(name: "name", required: false, schema: #"{"type":"string"}"#, summary: "A name, matched exactly."),
            Param(name: "identity", required: false, schema: #"{"type":"object","properties":{"platform":{"type":"string"},"uid":{"type":"string"}}}"#,
                  summary: "An account the customer is linked or bound to."),
            Param(name: "tag", required: false, schema: #"{"type":"string"}"#, summary: "A tag the profile carries."),
            Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The time tags are read at."),
        ],
        resultSchema: #"{"type":"object","properties":{"customers":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"tier":{"type":["string","null"]},"stage":{"type":["string","null"]},"engagement":{"type":"number"},"koc":{"type":"number"},"last_seen":{"type":["string","null"]}}}}}}"#,
        run: { context, params in
            let log = try profileLog(context, "customer.search")
            var given: [CustomerProfiles.Query] = []
            if let phone = try params.string("phone") { given.append(.phone(phone)) }
            if let email = try params.string("email") { given.append(.email(email)) }
            if let name = try params.string("name") { given.append(.name(name)) }
            if let value = params["identity"] {
                guard let platform = value["platform"]?.stringValue, let uid = value["uid"]?.stringValue else {
                    throw RPCError.param("identity", expected: "an object {platform, uid} of strings", got: value)
                }
                given.append(.identity(platform: platform, uid: uid))
            }
            if let tag = try params.string("tag") { given.append(.tag(tag)) }
            guard given.count == 1 else {
                throw RPCError(.invalidParams, "give exactly one of phone, email, name, identity, tag",
                               data: [("param", .string("phone"))])
            }
            return try CustomerProfiles(store: log.store, config: log.configuration.profile)
                .searchJSON(given[0], now: try profileNow(params))
        }).touching(PersonalData(access: .read, fields: ["tier", "stage", "engagement", "koc", "last_seen"], queryParams: ["phone", "email", "name", "identity", "tag"], customers: .each("customers", "id")))

    static let listSegments = RPCMethod(
        name: "segment.list",
        summary: "The segments of the profile configuration with their member counts at now (what `qingting segments` prints).",
        params: [Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The time profiles are read at.")],
        resultSchema: #"{"type":"object","properties":{"now":{"type":"string"},"segments":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"summary":{"type":"string"},"members":{"type":"integer"}}}}}}"#,
        run: { context, params in
            let log = try profileLog(context, "segment.list")
            return try ProfileSegments(CustomerProfiles(store: log.store, config: log.configuration.profile))
                .listJSON(now: try profileNow(params))
        }).touching(PersonalData(access: .aggregate, fields: ["segment_counts"]))

    static let segmentMembers = RPCMethod(
        name: "segment.members",
        summary: "The members of one segment at now, with tier, stage, engagement, KOC score and last seen; with positive_posts, each member's positive or recommending posts.",
        params: [
            Param(name: "name", required: true, schema: #"{"type":"string"}"#, summary: "The segment."),
            Param(name: "now", required: false, schema: #"{"type":"string"}"#, summary: "The time profiles are read at."),
            Param(name: "positive_posts", required: false, schema: #"{"type":"boolean"}"#, summary: "Add each member's positive posts (at most 5)."),
        ],
        resultSchema: #"{"type":"object","properties":{"segment":{"type":"string"},"summary":{"type":"string"},"now":{"type":"string"},"count":{"type":"integer"},"members":{"type":"array"}}}"#,
        run: { context, params in
            let log = try profileLog(context, "segment.members")
            let segments = ProfileSegments(CustomerProfiles(store: log.store, config: log.configuration.profile))
            guard let json = try segments.membersJSON(
                try params.requiredString("name"), now: try profileNow(params),
                positivePosts: try params.bool("positive_posts") ?? false)
            else {
                throw RPCError(.notFound, "no segment of that name in the profile configuration", data: [("param", .string("name"))])
            }
            return json
        }).touching(PersonalData(access: .read, fields: ["tier", "stage", "engagement", "koc", "last_seen"], queryParams: ["positive_posts"], customers: .each("members", "id")))

    /// The event log the profile methods read, or the not-found answer without one.
    static func profileLog(_ context: RPCContext, _ method: String) throws -> RPCEngine.EventLog {
        guard let log = context.engine.eventLog else {
            throw RPCError(.notFound, "no event log is open: start the server with --store FILE",
                           data: [("method", .string(method))])
        }
        return log
    }

    /// The `now` parameter (ISO 8601, a date or epoch ms), else the clock.
    static func profileNow(_ params: JSONObject) throws -> Int64 {
        try params.time("now") ?? EventPipeline.clock()
    }
}
