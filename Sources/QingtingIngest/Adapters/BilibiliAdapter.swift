import OrderedCollections
import QingtingCore

/// Bilibili comments and DMs as the community-maintained bilibili-API-collect documents them
/// (platform-formats.md §1.5):
/// - comments (`x/v2/reply`): `{"data":{"replies":[…]}}` or one item `{rpid, rpid_str, oid, type,
///   mid, root, parent, ctime (s), like, rcount, member{mid (a string), uname, avatar, sex,
///   level_info}, content{message}, replies[…]}`. `root` 0 is a comment on the object `oid`;
///   otherwise a reply to `parent` in the thread of `root`. Nested `replies` are read too.
/// - private messages (`get_sessions` / `fetch_session_msgs`): `{"data":{"messages":[…]}}` or one
///   `{sender_uid, receiver_id, msg_type, content (a JSON string), timestamp (s), msg_key,
///   msg_status}`; `msg_key` exceeds 2^53 and stays as written. A recalled message
///   (`msg_status` 1 or 2) is a delete.
struct BilibiliAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if let items = root.at("data.replies")?.elements {
            return items.first.map(Self.isReply) ?? (root["code"] != nil)
        }
        if let items = root.at("data.messages")?.elements { return items.first.map(Self.isMessage) ?? false }
        if let items = root.elements {
            return !items.isEmpty && items.allSatisfy { Self.isReply($0) || Self.isMessage($0) }
        }
        return Self.isReply(root) || Self.isMessage(root)
    }

    static func isReply(_ node: JSONNode) -> Bool { node["rpid"] != nil || node["rpid_str"] != nil }
    static func isMessage(_ node: JSONNode) -> Bool { node["msg_key"] != nil && node["sender_uid"] != nil }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        let items = root.at("data.replies")?.elements ?? root.at("data.messages")?.elements ?? root.elements ?? [root]
        for item in items {
            if Self.isMessage(item) {
                context.one { try readMessage(item, $0) }
            } else {
                context.item { try readReply(item, $0) }
            }
        }
    }

    /// A comment or reply, then the replies nested in it.
    func readReply(_ item: JSONNode, _ make: EventMaker) throws -> [SocialEvent] {
        let id = try item.requiredID("rpid_str", "rpid")
        let member = item["member"]
        let profile =
            member?.profile([
                ("uname", "nickname"), ("avatar", "avatar"), ("sex", "gender"), ("sign", "bio"),
                ("level_info.current_level", "level"),
            ]) ?? [:]
        let uid = try member?.optionalID("mid") ?? item.optionalID("mid")
        let author = try make.author(uid, at: item.place("member.mid"), profile: profile)
        let time = try item.time("ctime", .epoch(.seconds))
        let object = try item.optionalID("oid_str", "oid")
        let root = try item.optionalID("root_str", "root")
        let kind: EventKind = root == nil ? .comment : .reply
        let parent: SocialEvent.Parent?
        if let root {
            parent = SocialEvent.Parent(
                id: try item.optionalID("parent_str", "parent") ?? root, root: root, post: object)
        } else {
            parent = object.map { SocialEvent.Parent(id: $0, post: $0) }
        }
        var events = [
            try make.event(
                id: id, kind: kind, author: author, parent: parent, text: item["content"]?["message"]?.text,
                time: time, metrics: item.metrics(["like", "rcount"]))
        ]
        for reply in item["replies"]?.elements ?? [] {
            events += try readReply(reply, make)
        }
        return events
    }

    /// One private message; text from its `content` JSON string when it is a text message (type 1).
    func readMessage(_ item: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let key = try item.requiredID("msg_key")
        let author = try make.author(try item.optionalID("sender_uid"), at: item.place("sender_uid"))
        let time = try item.time("timestamp", .epoch(.seconds))
        let status = item["msg_status"]?.integer ?? 0
        if status == 1 || status == 2 {
            return try make.event(
                id: "\(key):recall", kind: .delete, author: author, parent: SocialEvent.Parent(id: key), time: time)
        }
        var text: String?
        if item["msg_type"]?.integer == 1, let content = item["content"]?.text {
            text = (try? JSONValue.parse(content))?["content"]?.stringValue
        }
        return try make.event(id: key, kind: .dm, author: author, text: text, time: time)
    }
}
