import OrderedCollections
import QingtingCore

/// Instagram webhooks (platform-formats.md §1.7), `object` `instagram`:
/// - `comments` and `live_comments` changes `{id, text, from{id (IGSID), username}, media{id,
///   media_product_type}, parent_id}`: a comment on the media, or a reply to `parent_id`;
/// - `mentions` changes `{comment_id, media_id}`: a mention whose author and text the webhook
///   does not carry (they must be fetched), so its author is nil;
/// - `messaging` events, as Messenger's (see `MetaWebhook`).
/// Changes carry no time of their own: `entry.time` (unix s) is used.
struct InstagramAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        return MetaWebhook.isEnvelope(JSONNode(value), objects: ["instagram"])
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        MetaWebhook.read(JSONNode(value), into: &context) { field, value, entry, make in
            switch field {
            case "comments", "live_comments": try comment(value, entry, make)
            case "mentions": try mention(value, entry, make)
            default: nil
            }
        }
    }

    func comment(_ value: JSONNode, _ entry: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let id = try value.requiredID("id")
        let profile = value["from"]?.profile([("username", "username")]) ?? [:]
        let author = try make.author(try value["from"]?.optionalID("id"), at: value.place("from.id"), profile: profile)
        let media = try value["media"]?.optionalID("id")
        let time = try MetaWebhook.entryTime(entry)
        if let parent = try value.optionalID("parent_id") {
            return try make.event(
                id: id, kind: .reply, author: author, parent: SocialEvent.Parent(id: parent, post: media),
                text: value["text"]?.text, time: time)
        }
        return try make.event(
            id: id, kind: .comment, author: author, parent: media.map { SocialEvent.Parent(id: $0, post: $0) },
            text: value["text"]?.text, time: time)
    }

    func mention(_ value: JSONNode, _ entry: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let id = try value.requiredID("comment_id")
        let media = try value.optionalID("media_id")
        return try make.event(
            id: id, kind: .mention, author: nil, parent: media.map { SocialEvent.Parent(id: $0, post: $0) },
            time: try MetaWebhook.entryTime(entry))
    }
}
