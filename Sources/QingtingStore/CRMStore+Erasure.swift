import OrderedCollections
internal import Foundation
internal import GRDB
import QingtingCore

extension CRMStore {
    /// What an erasure takes from the customer tables, held in memory only while the erasure's
    /// transaction runs: the values to search the rest of the store for, and the ids to rename.
    /// Never written anywhere, logged or returned to a caller.
    public struct ErasedCustomer: Sendable {
        /// Personal values (name, phone in both forms, e-mail, unionid, nicknames, other systems'
        /// ids): any string of the customer's records that contains one is cut there.
        public var needles: [String] = []
        /// The contact values alone (phone in both forms, e-mail, unionid): distinctive enough to
        /// search other authors' data for as they are.
        public var contacts: [String] = []
        /// The name and nicknames: searched in other authors' data only where they stand for the
        /// person (a JSON string of their own, `@name`), since a short name is part of many words.
        public var names: [String] = []
        /// Ids the customer was known by (their accounts, other systems' record ids) → what they
        /// become; the customer id itself maps to its anonymous id.
        public var renames: [String: String] = [:]
        /// The identity rows linked to the customer (`platform:uid`), and the accounts they bound.
        public var identities: [String] = []
        /// The events the customer's now: resolved to them, or by an identity linked to them.
        public var events: [Int64] = []
        /// Whether there was a `customers` row (a customer known only from events has none).
        public var hadRecord = false
    }
}

extension CRMStore.Transaction {
    /// Erases customer `id`'s CRM record and renames what derives from it to `anonymous`: the
    /// `customers` row, its field provenance, unified keys, bindings, tag decisions and profile go;
    /// the events, the KPI tables (`kpi_active`, `kpi_leads`, `kpi_orders`) and the identity rows
    /// that named the customer name `anonymous` instead, each identity under a fresh id from
    /// `newIdentity` (so the aggregates count the same people, and the profile refolded under
    /// `anonymous` equals the log's fold). Texts, payloads and the feed are the caller's next step,
    /// with what this returns.
    /// - Returns: nil when the store knows neither the customer nor events of theirs.
    public func eraseCustomer(_ id: String, as anonymous: String, newIdentity: (String) -> String) throws
        -> CRMStore.ErasedCustomer?
    {
        var erased = CRMStore.ErasedCustomer()
        let columns: [SealedColumn] = [.customerName, .customerPhone, .customerEmail, .customerUnionid]
        let row = try Row.fetchOne(db, sql: "SELECT \(columns.map(\.column).joined(separator: ", ")) FROM customers WHERE id = ?",
                                   arguments: [id])
        for (i, column) in columns.enumerated() {
            guard let row, let value = try cipher.text(row[i], column) else { continue }
            if column == .customerName { erased.names.append(value); continue }
            erased.contacts.append(value)
            // A mainland mobile is stored in E.164; texts and other systems write it without +86.
            if value.hasPrefix("+86") { erased.contacts.append(String(value.dropFirst(3))) }
        }
        // The key itself is `value` (sealed in an encrypted store, whose `key` is a blind index);
        // a clear store from before encryption has it in `key` alone.
        let keys = try Row.fetchAll(db, sql: "SELECT key, value FROM customer_keys WHERE customer = ?", arguments: [id])
            .compactMap { row in try cipher.text(row[1], .customerKey) ?? (cipher.encrypted ? nil : row[0] as String?) }
        for key in keys {
            guard let colon = key.firstIndex(of: ":") else { continue }
            let value = String(key[key.index(after: colon)...])
            if key.hasPrefix("id:") {
                if value != id { erased.renames[value] = anonymous }
            } else if !erased.contacts.contains(value) {
                erased.contacts.append(value)
            }
        }
        let linked = try Row.fetchAll(db, sql: "SELECT id, nickname FROM identities WHERE customer = ?", arguments: [id])
        var accounts = linked.map { $0[0] as String }
        erased.names += try linked.compactMap { try cipher.text($0[1], .nickname) }
        let bound = try Row.fetchAll(db, sql: "SELECT platform, uid FROM bindings WHERE customer = ?", arguments: [id])
            .map { ($0[0] as String) + ":" + ($0[1] as String) }
        accounts += bound.filter { !accounts.contains($0) }
        erased.identities = accounts
        // The customer's events now, as `forEachEvent` gives them: by an identity linked to them,
        // or resolved to them with no identity row (an event whose account moved on is the new
        // holder's, and keeps its words).
        erased.events = try Int64.fetchAll(
            db, sql: """
                SELECT e.seq FROM events e LEFT JOIN identities i ON i.id = e.identity WHERE e.customer = ? AND i.id IS NULL
                UNION SELECT e.seq FROM identities i JOIN events e ON e.identity = i.id WHERE i.customer = ?
                ORDER BY 1
                """, arguments: [id, id])
        guard row != nil || !erased.events.isEmpty else { return nil }
        // The nicknames the customer's events carried (an author profile may name them otherwise).
        for profile in try DatabaseValue.fetchAll(
            db, sql: """
                SELECT e.author_profile FROM events e
                WHERE e.seq IN (\(erased.events.map(String.init).joined(separator: ", "))) AND e.author_profile IS NOT NULL
                """)
        {
            guard let text = try cipher.text(profile, .authorProfile), case .object(let m)? = try? JSONValue.parse(text),
                  case .string(let nickname)? = m["nickname"], !erased.names.contains(nickname) else { continue }
            erased.names.append(nickname)
        }
        erased.needles = erased.contacts + erased.names
        erased.hadRecord = row != nil
        erased.renames[id] = anonymous

        for account in accounts {
            let renamed = newIdentity(account)
            erased.renames[account] = renamed
            // The bare uid too: payload-shaped strings and the feed's authors name it alone.
            if let colon = account.firstIndex(of: ":"), let to = renamed.firstIndex(of: ":") {
                erased.renames[String(account[account.index(after: colon)...])] = String(renamed[renamed.index(after: to)...])
            }
            if try renameIdentity(account, to: renamed, customer: anonymous) == nil {
                // A bound account no event came from: nothing but the binding named it.
                try db.execute(sql: "UPDATE events SET identity = ?, author_uid = ? WHERE identity = ?",
                               arguments: [renamed, String(renamed.drop { $0 != ":" }.dropFirst()), account])
            }
        }
        for table in ["customer_fields", "customer_keys", "bindings", "tag_decisions", "profiles"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE customer = ?", arguments: [id])
        }
        try db.execute(sql: "DELETE FROM customers WHERE id = ?", arguments: [id])
        for table in ["events", "kpi_active", "kpi_leads", "kpi_orders"] {
            try db.execute(sql: "UPDATE \(table) SET customer = ? WHERE customer = ?", arguments: [anonymous, id])
        }
        try db.execute(sql: "UPDATE identities SET cluster = ? WHERE cluster = ?", arguments: [anonymous, id])
        // Cached resolutions of these accounts are stale: a later event of theirs starts afresh.
        try customersChanged()
        return erased
    }
}

extension CRMStore.Transaction {
    /// Removes the quoted text of every event quoting one of `needles` (a repost's `//@nickname:
    /// words` chain repeats the erased customer's nickname and words in someone else's event).
    /// Each quote is read through the store's cipher (opened when the store is encrypted), so the
    /// search is the same in a clear and a sealed store.
    /// - Returns: the events changed.
    /// - Complexity: a scan of the events with a quoted text.
    public func dropQuotes(containing needles: [String]) throws -> Int {
        let needles = needles.filter { $0.count >= 2 }
        guard !needles.isEmpty else { return 0 }
        var found: [Int64] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, quoted_text FROM events WHERE quoted_text IS NOT NULL")
        while let row = try rows.next() {
            if let quote = try cipher.text(row[1], .quotedText), needles.contains(where: quote.contains) { found.append(row[0]) }
        }
        let clear = try db.cachedStatement(sql: "UPDATE events SET quoted_text = NULL WHERE seq = ?")
        for seq in found { try clear.execute(arguments: [seq]) }
        return found.count
    }

    /// Empties every payload whose bytes hold one of `needles`, as UTF-8 or as JSON `\u` escapes
    /// (a platform may send non-ASCII either way): another author's payload that quoted them. The
    /// bytes are read through the store's cipher, as `dropQuotes` reads quotes.
    /// - Returns: the payloads emptied.
    /// - Complexity: a scan of every payload's bytes.
    public func clearPayloads(containing needles: [String]) throws -> Int {
        var forms: Set<[UInt8]> = []
        for needle in needles where needle.count >= 2 {
            forms.insert(Array(needle.utf8))
            guard needle.unicodeScalars.contains(where: { !$0.isASCII }) else { continue }
            for upper in [false, true] {
                var escaped = ""
                for unit in needle.utf16 {
                    if unit < 0x80 { escaped.unicodeScalars.append(Unicode.Scalar(UInt8(unit))); continue }
                    let hex = String(unit, radix: 16, uppercase: upper)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                forms.insert(Array(escaped.utf8))
            }
        }
        guard !forms.isEmpty else { return 0 }
        var found: [Int64] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, bytes FROM payloads WHERE length(bytes) > 0")
        while let row = try rows.next() {
            let bytes = try cipher.bytes(row[1], .payload)
            if forms.contains(where: { bytes.firstRange(of: $0) != nil }) { found.append(row[0]) }
        }
        let clear = try db.cachedStatement(sql: "UPDATE payloads SET bytes = X'' WHERE id = ?")
        for id in found { try clear.execute(arguments: [id]) }
        return found.count
    }
}
