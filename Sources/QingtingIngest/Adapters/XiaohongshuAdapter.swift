import OrderedCollections
import QingtingCore

/// Xiaohongshu (小红书) note comments as the web API gives them (platform-formats.md §1.5; the
/// open platform is e-commerce only): `{"data":{"comments":[…],"cursor","has_more"}}` or one
/// comment `{id (24-hex), note_id, content, user_info{user_id, nickname, image}, create_time (ms),
/// like_count (a string), ip_location, sub_comment_count (a string), sub_comments[{…,
/// target_comment{id, user_info}}]}`. Top-level comments answer the note; sub-comments reply
/// to their `target_comment`, in the thread of the comment they are nested in.
struct XiaohongshuAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if let items = root.at("data.comments")?.elements ?? root["comments"]?.elements {
            return items.first.map(Self.isComment) ?? false
        }
        if let items = root.elements { return !items.isEmpty && items.allSatisfy(Self.isComment) }
        return Self.isComment(root)
    }

    static func isComment(_ node: JSONNode) -> Bool {
        node["user_info"]?.isObject == true && (node["note_id"] != nil || node["target_comment"] != nil)
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        let items = root.at("data.comments")?.elements ?? root["comments"]?.elements ?? root.elements ?? [root]
        for item in items { context.item { try readComment(item, thread: nil, $0) } }
    }

    func readComment(_ item: JSONNode, thread: String?, _ make: EventMaker) throws -> [SocialEvent] {
        let id = try item.requiredID("id")
        let user = item["user_info"]
        let profile = user?.profile([("nickname", "nickname"), ("image", "avatar")]) ?? [:]
        var author = try make.author(
            try user?.optionalID("user_id"), at: item.place("user_info.user_id"), profile: profile)
        if let location = item["ip_location"]?.string { author.profile["ip_location"] = .string(location) }
        let time = try item.time("create_time", .epoch(.milliseconds))
        let note = try item.optionalID("note_id")
        let target = try item["target_comment"]?.optionalID("id")
        let kind: EventKind = target != nil || thread != nil ? .reply : .comment
        let parent: SocialEvent.Parent?
        if let target {
            parent = SocialEvent.Parent(id: target, root: thread, post: note)
        } else if let thread {
            parent = SocialEvent.Parent(id: thread, root: thread, post: note)
        } else {
            parent = note.map { SocialEvent.Parent(id: $0, post: $0) }
        }
        var events = [
            try make.event(
                id: id, kind: kind, author: author, parent: parent, text: item["content"]?.text, time: time,
                metrics: item.metrics(["like_count", "sub_comment_count"]))
        ]
        for child in item["sub_comments"]?.elements ?? [] {
            events += try readComment(child, thread: thread ?? id, make)
        }
        return events
    }
}
