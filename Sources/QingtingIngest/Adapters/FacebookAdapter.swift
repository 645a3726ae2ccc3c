import OrderedCollections
import QingtingCore

/// Facebook Page webhooks (platform-formats.md §1.7), `object` `page` (or `user`):
/// - `feed` changes: a comment `{from{id,name}, post_id, comment_id, parent_id, message,
///   created_time (s), item "comment", verb add|edited|remove}` is a comment when `parent_id` is
///   the post, else a reply; an edit or removal is an edit or delete event of its own (id
///   `comment_id:verb:entry.time`, since the comment id alone is the added comment's); posts,
///   shares and reactions (a like of what they react to) are read the same way;
/// - Messenger `messaging` events (see `MetaWebhook`).
struct FacebookAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        return MetaWebhook.isEnvelope(JSONNode(value), objects: ["page", "user"])
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        MetaWebhook.read(JSONNode(value), into: &context) { field, value, entry, make in
            field == "feed" ? try feed(value, entry, make) : nil
        }
    }

    func feed(_ value: JSONNode, _ entry: JSONNode, _ make: EventMaker) throws -> SocialEvent? {
        let item = value["item"]?.string ?? ""
        let verb = value["verb"]?.string ?? "add"
        let profile = value["from"]?.profile([("name", "nickname")]) ?? [:]
        let author = try make.author(try value["from"]?.optionalID("id"), at: value.place("from.id"), profile: profile)
        let post = try value.optionalID("post_id")
        let text = value["message"]?.text
        switch item {
        case "comment":
            let comment = try value.requiredID("comment_id")
            let parentID = try value.optionalID("parent_id") ?? post
            let parent = parentID.map { SocialEvent.Parent(id: $0, post: post) }
            if verb == "add" {
                let time = try value.time("created_time", .epoch(.seconds))
                return try make.event(
                    id: comment, kind: parentID == post ? .comment : .reply, author: author, parent: parent,
                    text: text, time: time)
            }
            guard verb == "edited" || verb == "remove" else { return nil }
            let time = try MetaWebhook.entryTime(entry)
            return try make.event(
                id: "\(comment):\(verb):\(time.millis / 1000)", kind: verb == "edited" ? .edit : .delete,
                author: author, parent: SocialEvent.Parent(id: comment, post: post),
                text: verb == "edited" ? text : nil, time: time)
        case "reaction", "like":
            guard verb == "add", let target = try value.optionalID("comment_id") ?? post else { return nil }
            let time =
                try value["created_time"] != nil
                ? value.time("created_time", .epoch(.seconds)) : MetaWebhook.entryTime(entry)
            return try make.event(
                id: "\(target):reaction:\(author.uid)", kind: .like, author: author,
                parent: SocialEvent.Parent(id: target, post: post), time: time)
        case "status", "post", "photo", "video", "share":
            guard verb == "add" else { return nil }
            let id = try value.requiredID("post_id")
            let time = try value.time("created_time", .epoch(.seconds))
            return try make.event(
                id: id, kind: item == "share" ? .share : .post, author: author, text: text, time: time)
        default:
            return nil
        }
    }
}
