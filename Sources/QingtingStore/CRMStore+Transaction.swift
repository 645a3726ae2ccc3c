internal import Foundation
internal import GRDB
public import OrderedCollections
import QingtingCore
public import QingtingIngest

extension CRMStore {
    /// One event as the pipeline appends it: the event, how its author was resolved, its analysis.
    public struct NewEvent: Sendable {
        public var event: SocialEvent
        /// `platform:uid` of the author (the `identities` row), nil when the event has no author.
        public var identity: String?
        public var customer: String?
        /// How the customer was found: `binding`, `identity` (a known identity's customer), a
        /// deterministic rule (`wechat_unionid`, `verified_phone`, `email`) or `probabilistic`.
        public var linkRule: String?
        public var linkProbability: Double?
        /// The analysis as JSON text, and the model set (`Transaction.modelSet`) that made it.
        public var analysis: String?
        public var modelSet: Int64?
        /// Mapped fields present and expected, for sync health's completeness.
        public var fieldsPresent: Int
        public var fieldsExpected: Int

        public init(
            event: SocialEvent, identity: String?, customer: String?, linkRule: String?, linkProbability: Double?,
            analysis: String?, modelSet: Int64?, fieldsPresent: Int, fieldsExpected: Int
        ) {
            self.event = event
            self.identity = identity
            self.customer = customer
            self.linkRule = linkRule
            self.linkProbability = linkProbability
            self.analysis = analysis
            self.modelSet = modelSet
            self.fieldsPresent = fieldsPresent
            self.fieldsExpected = fieldsExpected
        }
    }

    /// A row of `identities` as resolution reads it.
    public struct KnownIdentity: Sendable, Equatable {
        public var customer: String?
        public var rule: String?
        public var status: String?
        public var probability: Double?
    }

    /// A new `identities` row: an author seen for the first time.
    public struct NewIdentity: Sendable {
        public var platform: String
        public var uid: String
        public var nickname: String?
        public var customer: String?
        public var probability: Double?
        public var matchWeight: Double?
        public var rule: String?
        /// `confirmed` (a deterministic link), `suggested` (probabilistic) or nil (unlinked).
        public var status: String?
        /// The explanation as a JSON array.
        public var explain: String

        public init(
            platform: String, uid: String, nickname: String?, customer: String?, probability: Double?,
            matchWeight: Double?, rule: String?, status: String?, explain: String = "[]"
        ) {
            self.platform = platform
            self.uid = uid
            self.nickname = nickname
            self.customer = customer
            self.probability = probability
            self.matchWeight = matchWeight
            self.rule = rule
            self.status = status
            self.explain = explain
        }
    }

    /// What binding an account did.
    public enum BindOutcome: Sendable, Equatable {
        case added
        case unchanged
        /// It was bound to another customer, now to this one.
        case moved(from: String)
    }

    /// A customer as the store holds it: field values and, per field, where the value came from.
    public struct CustomerState: Sendable, Equatable {
        public var id: String
        public var fields: [String: String]
        public var provenance: [String: Provenance]
    }

    public struct Provenance: Sendable, Equatable {
        public var source: String
        /// The time the value carries (the record's `updated_at`), UTC ms; nil when it had none.
        public var updatedAt: Int64?
    }

    /// The customer fields the store keeps (columns of `customers`).
    public static let customerFields = [
        "name", "phone", "email", "gender", "city", "birthday", "level", "unionid", "account_manager", "consent",
    ]

    /// The operations of one write transaction. Only valid inside the `write` closure it was
    /// handed to.
    public final class Transaction {
        let db: Database
        /// `committed_at` of every event appended in this transaction.
        public let committedAt: Int64
        let day: String
        let session: SessionRun
        let cipher: FieldCipher
        var madeRun: Int64?
        var newIdentities = 0
        var newLinked = 0
        private var counts: [String: (received: Int, stored: Int, duplicates: Int)] = [:]
        private var rejections: [String: [String: (count: Int, example: String)]] = [:]
        /// The daily aggregates this transaction adds to, by `day|platform|measure`.
        var measures: [CRMStore.MeasureKey: Double] = [:]
        /// The `kpi_active` rows this transaction wrote (each once).
        var activeSeen: Set<CRMStore.ActiveKey> = []

        init(db: Database, committedAt: Int64, session: SessionRun, cipher: FieldCipher) {
            self.db = db
            self.committedAt = committedAt
            self.day = CRMStore.day(committedAt)
            self.session = session
            self.cipher = cipher
        }

        // MARK: Events

        /// Stores a payload's bytes; returns its row id for the events read from it.
        public func payload(_ bytes: [UInt8], platform: Platform, receivedAt: Int64) throws -> Int64 {
            try db.cachedStatement(sql: "INSERT INTO payloads (platform, bytes, received_at) VALUES (?, ?, ?)")
                .execute(arguments: [platform.rawValue, cipher.seal(bytes: bytes, .payload), receivedAt])
            return db.lastInsertedRowID
        }

        /// Appends an event unless `(platform, event_id)` is there already.
        /// - Returns: the new event's `seq`, or nil for a duplicate (nothing written). Both are counted.
        public func append(_ e: NewEvent, payload: Int64) throws -> Int64? {
            let event = e.event
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO events (platform, event_id, kind, author_platform, author_uid, author_profile,
                        identity, customer, link_rule, link_probability, parent_id, parent_root, parent_post, text,
                        quoted_text, occurred_at, received_at, committed_at, metrics, analysis, model_set,
                        fields_present, fields_expected, payload)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (platform, event_id) DO NOTHING
                    """)
            let profile = event.author.flatMap { $0.profile.isEmpty ? nil : JSONValue.object($0.profile).jsonText }
            let metrics = event.metrics.isEmpty ? nil : JSONValue.object(event.metrics).jsonText
            let values: [(any DatabaseValueConvertible)?] = [
                event.platform.rawValue, event.eventID, event.kind.rawValue, event.author?.platform.rawValue,
                event.author?.uid, cipher.seal(profile, .authorProfile), e.identity, e.customer, e.linkRule,
                e.linkProbability, event.parent?.id, event.parent?.root, event.parent?.post,
                cipher.seal(event.text, .eventText), cipher.seal(event.quotedText, .quotedText),
                event.occurredAt, event.receivedAt, committedAt, metrics, e.analysis, e.modelSet,
                e.fieldsPresent, e.fieldsExpected, payload,
            ]
            try statement.execute(arguments: StatementArguments(values))
            let stored = db.changesCount > 0
            count(event.platform.rawValue) { stored ? $0.stored += 1 : ($0.duplicates += 1) }
            return stored ? db.lastInsertedRowID : nil
        }

        /// Whether `(platform, eventID)` is in the log (this transaction's own appends included).
        public func contains(platform: Platform, eventID: String) throws -> Bool {
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE platform = ? AND event_id = ?)"),
                arguments: [platform.rawValue, eventID]) ?? false
        }

        /// Counts a duplicate that was not appended.
        public func duplicate(_ platform: Platform) {
            count(platform.rawValue) { $0.duplicates += 1 }
        }

        /// Counts a payload received for `platform` (nil: its platform could not be told).
        public func received(_ platform: Platform?) {
            count(platform?.rawValue ?? "unknown") { $0.received += 1 }
        }

        /// Counts a rejection by its reason code; `example` (a message without personal data, as
        /// every ingest rejection's is) is kept, the latest one per day, platform and reason.
        public func rejected(_ platform: Platform?, reason: String, example: String) {
            let name = platform?.rawValue ?? "unknown"
            var entry = rejections[name, default: [:]][reason] ?? (0, example)
            entry.count += 1
            entry.example = example
            rejections[name, default: [:]][reason] = entry
        }

        private func count(_ platform: String, _ change: (inout (received: Int, stored: Int, duplicates: Int)) -> Void)
        {
            var c = counts[platform] ?? (0, 0, 0)
            change(&c)
            counts[platform] = c
        }

        /// The id of the model set with this fingerprint, recorded with its files the first time.
        public func modelSet(fingerprint: String, files: String) throws -> Int64 {
            try db.execute(
                sql: "INSERT INTO model_sets (fingerprint, files) VALUES (?, ?) ON CONFLICT (fingerprint) DO NOTHING",
                arguments: [fingerprint, files])
            return try Int64.fetchOne(
                db, sql: "SELECT id FROM model_sets WHERE fingerprint = ?", arguments: [fingerprint])!
        }

        /// Writes the counters gathered in this transaction (called by `write` before the commit).
        func finish() throws {
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO sync_counts (day, platform, received, stored, duplicates) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (day, platform) DO UPDATE SET received = received + excluded.received,
                        stored = stored + excluded.stored, duplicates = duplicates + excluded.duplicates
                    """)
            for (platform, c) in counts {
                try upsert.execute(arguments: [day, platform, c.received, c.stored, c.duplicates])
            }
            let reject = try db.cachedStatement(
                sql: """
                    INSERT INTO sync_rejections (day, platform, reason, count, example) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (day, platform, reason) DO UPDATE SET count = count + excluded.count,
                        example = excluded.example
                    """)
            for (platform, reasons) in rejections {
                for (reason, entry) in reasons {
                    try reject.execute(arguments: [day, platform, reason, entry.count, entry.example])
                }
            }
            try flushMeasures()
            if let run = madeRun ?? session.id, newIdentities > 0 {
                try db.execute(
                    sql: "UPDATE runs SET records = records + ?, linked = linked + ? WHERE id = ?",
                    arguments: [newIdentities, newLinked, run])
            }
        }

        // MARK: Resolution

        /// What resolutions depend on besides the event: the customer imports (each bumps
        /// `customers_generation`) and the link runs (`runs`). Equal generations, equal answers
        /// for an author already resolved.
        public func resolutionGeneration() throws -> String {
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT (SELECT value FROM crm_state WHERE key = 'customers_generation'), (SELECT MAX(id) FROM runs)
                        """))
            return "\((row?[0] as Int64?) ?? 0):\((row?[1] as Int64?) ?? 0)"
        }

        /// Marks the customers, keys or bindings changed (a customer import).
        public func customersChanged() throws {
            try db.execute(
                sql: """
                    INSERT INTO crm_state (key, value) VALUES ('customers_generation', 1)
                    ON CONFLICT (key) DO UPDATE SET value = value + 1
                    """)
        }

        /// The customer an account is bound to, if any.
        public func binding(platform: String, uid: String) throws -> String? {
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT customer FROM bindings WHERE platform = ? AND uid = ?"),
                arguments: [platform, uid])
        }

        /// The identity row `platform:uid`, if the store has one.
        public func identity(_ id: String) throws -> KnownIdentity? {
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT customer, rule, status, probability FROM identities WHERE id = ?"),
                arguments: [id]
            ).map { KnownIdentity(customer: $0[0], rule: $0[1], status: $0[2], probability: $0[3]) }
        }

        /// The customer holding a unified key (`phone:+8613…`, `email:…`, `unionid:…`, `id:…`),
        /// found by the key's blind index in an encrypted store.
        public func customer(forKey key: String) throws -> String? {
            try String.fetchOne(
                db.cachedStatement(
                    sql: "SELECT customer FROM customer_keys WHERE key IN (\(cipher.lookupPlaceholders)) LIMIT 1"),
                arguments: StatementArguments(cipher.lookups(key, label: FieldCipher.keyLabel)))
        }

        /// Adds an identity row (nothing when one exists); its cluster is its customer, else itself.
        public func addIdentity(_ identity: NewIdentity) throws {
            let run = try sessionRun()
            let id = identity.platform + ":" + identity.uid
            try db.cachedStatement(
                sql: """
                    INSERT INTO identities (id, platform, uid, nickname, customer, cluster, probability, match_weight,
                        rule, status, explain, via, decided_by, run)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?) ON CONFLICT (id) DO NOTHING
                    """
            ).execute(arguments: [
                id, identity.platform, identity.uid, cipher.seal(identity.nickname, .nickname), identity.customer,
                identity.customer ?? id, identity.probability ?? 0, identity.matchWeight, identity.rule,
                identity.status, identity.explain, run,
            ])
            if db.changesCount > 0 {
                newIdentities += 1
                if identity.customer != nil { newLinked += 1 }
            }
        }

        /// Adds the identity row, or links an existing one to the identity's customer (unless a
        /// person decided that row).
        public func linkIdentity(_ identity: NewIdentity) throws {
            try addIdentity(identity)
            guard db.changesCount == 0, let customer = identity.customer else { return }
            try db.cachedStatement(
                sql: """
                    UPDATE identities SET customer = ?, cluster = ?, rule = ?, status = ?, probability = ?,
                        match_weight = ?, explain = ?
                    WHERE id = ? AND customer IS NULL AND (decided_by IS NULL OR decided_by <> 'person')
                    """
            ).execute(arguments: [
                customer, customer, identity.rule, identity.status, identity.probability ?? 0, identity.matchWeight,
                identity.explain, identity.platform + ":" + identity.uid,
            ])
        }

        private func sessionRun() throws -> Int64 {
            if let id = madeRun ?? session.id { return id }
            try db.execute(sql: "INSERT INTO runs (records, linked, merges, splits) VALUES (0, 0, 0, 0)")
            madeRun = db.lastInsertedRowID
            return madeRun!
        }

        // MARK: Customers

        /// The query `customer` runs, made once (the rules read a customer per transaction).
        static let customerSelect = "SELECT \(CRMStore.customerFields.joined(separator: ", ")) FROM customers WHERE id = ?"

        /// A customer's fields and their provenance, or nil when there is no such customer.
        public func customer(_ id: String) throws -> CustomerState? {
            guard
                let row = try Row.fetchOne(db.cachedStatement(sql: Self.customerSelect), arguments: [id])
            else { return nil }
            let fields = try cipher.customerFields(row, from: 0)
            var provenance: [String: Provenance] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT field, source, updated_at FROM customer_fields WHERE customer = ?"),
                arguments: [id])
            while let r = try rows.next() { provenance[r[0]] = Provenance(source: r[1], updatedAt: r[2]) }
            return CustomerState(id: id, fields: fields, provenance: provenance)
        }

        /// Creates the customer (when new) and sets the given fields, recording their provenance.
        /// - Parameter changes: field name (one of `customerFields`), value, the time it carries.
        public func saveCustomer(
            _ id: String, changes: [(field: String, value: String, updatedAt: Int64?)], source: String,
            importedAt: Int64
        ) throws {
            try db.cachedStatement(sql: "INSERT INTO customers (id) VALUES (?) ON CONFLICT (id) DO NOTHING")
                .execute(arguments: [id])
            guard !changes.isEmpty else { return }
            for change in changes where !CRMStore.customerFields.contains(change.field) {
                throw QingtingError(.invalidInput, "not a customer field: \(change.field)")
            }
            // One statement per set of fields changed (cached: an export changes few kinds of sets).
            let assignments = changes.map { "\($0.field) = ?" }.joined(separator: ", ")
            let newest = changes.compactMap(\.updatedAt).max()
            var values: [(any DatabaseValueConvertible)?] = changes.map { change in
                SealedColumn(customerField: change.field).map { cipher.seal(change.value, $0) } ?? change.value
            }
            // The name's blind index follows the name (a search by name reads only the index).
            let name = changes.last { $0.field == "name" }
            if let name { values.append(cipher.index(name.value, label: FieldCipher.nameLabel)) }
            values += [source, newest, id]
            try db.cachedStatement(
                sql: """
                    UPDATE customers SET \(assignments)\(name == nil ? "" : ", name_index = ?"), source = ?,
                        updated_at = MAX(COALESCE(updated_at, 0), COALESCE(?, 0)) WHERE id = ?
                    """
            ).execute(arguments: StatementArguments(values))
            for change in changes {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO customer_fields (customer, field, source, updated_at, imported_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (customer, field) DO UPDATE SET source = excluded.source,
                            updated_at = excluded.updated_at, imported_at = excluded.imported_at
                        """
                ).execute(arguments: [id, change.field, source, change.updatedAt, importedAt])
            }
        }

        /// Gives `key` to `customer`. Returns the customer that already held it, if another one did
        /// (the key is left with that one).
        @discardableResult
        public func addKey(_ key: String, customer: String) throws -> String? {
            if let holder = try self.customer(forKey: key) { return holder == customer ? nil : holder }
            try db.cachedStatement(sql: "INSERT INTO customer_keys (key, customer, value) VALUES (?, ?, ?)")
                .execute(arguments: [cipher.index(key, label: FieldCipher.keyLabel), customer,
                                     cipher.seal(key, .customerKey)])
            return nil
        }

        /// Takes `key` from `customer` (a phone or e-mail the customer no longer has).
        public func removeKey(_ key: String, customer: String) throws {
            try db.cachedStatement(
                sql: "DELETE FROM customer_keys WHERE key IN (\(cipher.lookupPlaceholders)) AND customer = ?"
            ).execute(arguments: StatementArguments(cipher.lookups(key, label: FieldCipher.keyLabel) + [customer.databaseValue]))
        }

        /// Binds an account to a customer, and links its identity row (if any, and unless a person
        /// decided it) to that customer as a confirmed `binding`.
        public func bind(platform: String, uid: String, customer: String, source: String, at time: Int64) throws
            -> BindOutcome
        {
            let outcome: BindOutcome
            switch try binding(platform: platform, uid: uid) {
            case customer?: return .unchanged
            case let other?:
                outcome = .moved(from: other)
                try db.cachedStatement(
                    sql: "UPDATE bindings SET customer = ?, source = ?, bound_at = ? WHERE platform = ? AND uid = ?"
                ).execute(arguments: [customer, source, time, platform, uid])
            case nil:
                outcome = .added
                try db.cachedStatement(
                    sql: "INSERT INTO bindings (platform, uid, customer, source, bound_at) VALUES (?, ?, ?, ?, ?)"
                ).execute(arguments: [platform, uid, customer, source, time])
            }
            try db.cachedStatement(
                sql: """
                    UPDATE identities SET customer = ?, cluster = ?, rule = 'binding', status = 'confirmed',
                        probability = 1, match_weight = NULL, explain = '[]'
                    WHERE id = ? AND (decided_by IS NULL OR decided_by <> 'person')
                    """
            ).execute(arguments: [customer, customer, platform + ":" + uid])
            return outcome
        }
    }

    /// Every customer's fields (for the online identity index), in id order.
    public func customers() throws -> [(id: String, fields: [String: String])] {
        try read { db in
            let columns = CRMStore.customerFields.joined(separator: ", ")
            var out: [(String, [String: String])] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, \(columns) FROM customers ORDER BY id")
            while let row = try rows.next() { out.append((row[0], try cipher.customerFields(row, from: 1))) }
            return out
        }
    }
}

extension FieldCipher {
    /// The customer fields of a row whose columns from `first` on are `CRMStore.customerFields`,
    /// sealed ones opened; NULLs left out.
    func customerFields(_ row: Row, from first: Int) throws -> [String: String] {
        var fields: [String: String] = [:]
        for (i, name) in CRMStore.customerFields.enumerated() {
            let value = row[first + i] as DatabaseValue
            if let column = SealedColumn(customerField: name) {
                if let text = try text(value, column) { fields[name] = text }
            } else if let text = String.fromDatabaseValue(value) {
                fields[name] = text
            }
        }
        return fields
    }
}
