import OrderedCollections
import QingtingCore

/// What Facebook Page and Instagram webhooks share (platform-formats.md §1.7): the envelope
/// `{"object", "entry":[{"id","time", "changes":[{field, value}] | "messaging":[…] |
/// "standby":[…]}]}` — several entries per delivery, each read on its own — and the Messenger
/// message events of `messaging`.
enum MetaWebhook {
    static func isEnvelope(_ root: JSONNode, objects: Set<String>) -> Bool {
        guard let object = root["object"]?.string, objects.contains(object) else { return false }
        return root["entry"] != nil
    }

    /// Calls `change` for every `changes[]` item and reads every `messaging[]` and `standby[]`
    /// event, each as its own item of `context`.
    static func read(
        _ root: JSONNode, into context: inout AdapterContext,
        change: (_ field: String, _ value: JSONNode, _ entry: JSONNode, EventMaker) throws -> SocialEvent?
    ) {
        guard let entries = root["entry"]?.elements else {
            context.reject(QingtingError(.invalidPayload, "entry is not an array"))
            return
        }
        for entry in entries {
            for item in entry["changes"]?.elements ?? [] {
                context.one { make in
                    guard let field = item["field"]?.string, let value = item["value"] else { return nil }
                    return try change(field, value, entry, make)
                }
            }
            for event in (entry["messaging"]?.elements ?? []) + (entry["standby"]?.elements ?? []) {
                context.one { try message(event, $0) }
            }
        }
    }

    /// `entry.time`: unix seconds for feed and Instagram changes, milliseconds for Messenger; the
    /// magnitude tells them apart (13 digits are milliseconds until the year 5138).
    static func entryTime(_ entry: JSONNode) throws -> (millis: Int64, place: String) {
        guard let node = entry["time"] else { throw QingtingError(.missingTime, "no time at \(entry.place("time"))") }
        let unit: TimeUnit = (node.integer ?? 0) >= 100_000_000_000 ? .milliseconds : .seconds
        return (try node.time(.epoch(unit)), node.path)
    }

    /// A Messenger (or Instagram messaging) event: a message is a DM keyed by its `mid` (the
    /// documented dedupe key), a reaction a like of the message it reacts to; deliveries, reads
    /// and postbacks are not customer events.
    static func message(_ event: JSONNode, _ make: EventMaker) throws -> SocialEvent? {
        let author = try make.author(try event["sender"]?.optionalID("id"), at: event.place("sender.id"))
        if let message = event["message"] {
            let id = try message.requiredID("mid")
            let time = try event.time("timestamp", .epoch(.milliseconds))
            let parent = try message["reply_to"]?.optionalID("mid").map { SocialEvent.Parent(id: $0) }
            return try make.event(
                id: id, kind: .dm, author: author, parent: parent, text: message["text"]?.text, time: time)
        }
        if let reaction = event["reaction"], reaction["action"]?.string != "unreact" {
            let target = try reaction.requiredID("mid")
            let time = try event.time("timestamp", .epoch(.milliseconds))
            return try make.event(
                id: "\(target):reaction:\(author.uid):\(time.millis)", kind: .like, author: author,
                parent: SocialEvent.Parent(id: target), time: time)
        }
        return nil
    }
}
