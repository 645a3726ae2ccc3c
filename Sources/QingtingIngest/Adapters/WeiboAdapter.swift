import OrderedCollections
import QingtingCore

/// Weibo open API JSON (platform-formats.md §1.1): statuses and timelines (`statuses/show`,
/// `statuses/mentions`, `{"statuses":[…]}`), comments (`comments/show`, with `status` and
/// `reply_comment`; m.weibo.cn's `rootidstr`), commercial-push items (`{"id":…,"text":{"type",
/// "event","status"|"comment"}}`), and fan-service pushes (DMs, @mentions and follow events to a
/// verified account: `{"type","sender_id","receiver_id","created_at","text","data"}`).
///
/// Ids from `idstr` before `id`; times in Weibo's `Wed Jun 01 00:50:25 +0800 2011`; text from
/// `text_raw` before the HTML `text`, with a repost's `//@` chain kept apart.
struct WeiboAdapter: PlatformAdapter {
    static let listKeys = ["statuses", "comments", "reposts"]

    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if let items = root.elements { return !items.isEmpty && items.allSatisfy(Self.isItem) }
        if Self.isFanService(root) || Self.isPushItem(root) || Self.isItem(root) { return true }
        for key in Self.listKeys {
            if let items = root[key]?.elements {
                return items.first.map(Self.isItem) ?? (root["total_number"] != nil)
            }
        }
        return false
    }

    /// A status or comment: a `created_at` or `text`, and Weibo's own markers (`idstr`, not X's
    /// `id_str`).
    static func isItem(_ node: JSONNode) -> Bool {
        guard node.isObject, node["created_at"] != nil || node["text"] != nil, node["id_str"] == nil,
            node["user"]?["id_str"] == nil
        else {
            return false
        }
        return node["idstr"] != nil || node["mid"] != nil || node["rootidstr"] != nil || node["user"]?["idstr"] != nil
            || node["user"]?["screen_name"] != nil
    }

    static func isFanService(_ node: JSONNode) -> Bool {
        node["sender_id"] != nil && node["receiver_id"] != nil && node["type"]?.string != nil
    }

    static func isPushItem(_ node: JSONNode) -> Bool {
        guard let text = node["text"], text.isObject, text["type"]?.string != nil else { return false }
        return text["status"]?.isObject == true || text["comment"]?.isObject == true
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        if let items = root.elements {
            for item in items { context.one { try readItem(item, $0) } }
        } else if Self.isFanService(root) {
            context.one { try readFanService(root, $0) }
        } else if Self.isPushItem(root) {
            context.one { try readPushItem(root, $0) }
        } else if let key = Self.listKeys.first(where: { root[$0]?.elements != nil }), !Self.isItem(root) {
            for item in root[key]!.elements! { context.one { try readItem(item, $0) } }
        } else {
            context.one { try readItem(root, $0) }
        }
    }

    /// A status (post, or share when it reposts) or a comment (comment, or reply to a comment).
    func readItem(_ item: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let id = try item.requiredID("idstr", "id")
        let time = try item.time("created_at", .weibo)
        let author = try self.author(item["user"], item.place("user"), make)
        let (own, quoted) = text(of: item)
        var metrics = item.metrics(["reposts_count", "comments_count", "attitudes_count", "like_count", "like_counts"])
        if let followers = item["user"]?["followers_count"]?.metric { metrics["followers_count"] = followers }

        let isComment =
            item["status"] != nil || item["reply_comment"] != nil || item["rootidstr"] != nil
            || item["floor_number"] != nil
        if isComment {
            let post = try item["status"]?.optionalID("idstr", "id")
            var parent: SocialEvent.Parent? = post.map { SocialEvent.Parent(id: $0, post: $0) }
            var kind = EventKind.comment
            if let reply = try item["reply_comment"]?.optionalID("idstr", "id") {
                kind = .reply
                parent = SocialEvent.Parent(id: reply, root: try item.optionalID("rootidstr", "rootid"), post: post)
            } else if let root = try item.optionalID("rootidstr", "rootid"), root != id {
                kind = .reply
                parent = SocialEvent.Parent(id: root, root: root, post: post)
            }
            return try make.event(
                id: id, kind: kind, author: author, parent: parent, text: own, quotedText: quoted,
                time: time, metrics: metrics)
        }
        if let original = try item["retweeted_status"]?.optionalID("idstr", "id") {
            return try make.event(
                id: id, kind: .share, author: author, parent: SocialEvent.Parent(id: original, post: original),
                text: own, quotedText: quoted, time: time, metrics: metrics)
        }
        return try make.event(
            id: id, kind: .post, author: author, text: own, quotedText: quoted, time: time, metrics: metrics)
    }

    /// The author's words and the quoted chain: `text_raw`, else `text` without its markup.
    func text(of item: JSONNode) -> (String?, String?) {
        guard let text = item["text_raw"]?.text ?? item["text"]?.text.map(WeiboText.plain) else { return (nil, nil) }
        let (own, quoted) = WeiboText.split(text)
        return (own, quoted)
    }

    func author(_ user: JSONNode?, _ place: String, _ make: EventMaker) throws -> SocialEvent.Author {
        let uid = try user?.optionalID("idstr", "id")
        let profile =
            user?.profile([
                ("screen_name", "nickname"), ("profile_image_url", "avatar"), ("location", "location"),
                ("gender", "gender"), ("verified", "verified"), ("verified_type", "verified_type"),
                ("profile_url", "profile_url"),
            ]) ?? [:]
        return try make.author(uid, at: "\(place).idstr", profile: profile)
    }

    /// A commercial-push item: the status or comment it carries; `event` other than `add` is a
    /// deletion (ids suffixed `:delete`, so it is not a duplicate of the add).
    func readPushItem(_ root: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let text = root["text"]!
        guard let item = text["status"] ?? text["comment"] else {
            throw QingtingError(.invalidPayload, "no status or comment at \(text.place)")
        }
        let event = try readItem(item, make)
        guard let verb = text["event"]?.string, verb != "add" else { return event }
        // Like every adapter's delete, it answers the item it deletes (its parent), and carries no
        // words of its own: the deleted text is the original event's.
        var deletion = event
        deletion.kind = verb == "delete" ? .delete : EventKind(verb)
        deletion.eventID = "\(event.eventID):\(verb)"
        deletion.parent = SocialEvent.Parent(id: event.eventID, root: event.parent?.root, post: event.parent?.post ?? event.parent?.id)
        deletion.text = nil
        deletion.quotedText = nil
        return deletion
    }

    /// A fan-service push. It has no message id; the documentation dedupes on sender and time,
    /// so the id is `sender_id:created_at` (unix seconds).
    func readFanService(_ root: JSONNode, _ make: EventMaker) throws -> SocialEvent? {
        let type = root["type"]!.string!
        let kind: EventKind
        switch type {
        case "text", "position", "voice", "image": kind = .dm
        case "mention": kind = .mention
        case "event":
            switch root["data"]?["subtype"]?.string {
            case "follow", "subscribe": kind = .follow
            case "unfollow", "unsubscribe": kind = .unfollow
            case "click": kind = .click
            case "view": kind = .view
            default: return nil  // the documentation says to ignore subtypes one does not know
            }
        default: return nil  // likewise for unknown types
        }
        let sender = try root.optionalID("sender_id")
        let author = try make.author(sender, at: root.place("sender_id"))
        let time = try root.time("created_at", .weibo)
        let id = "\(author.uid):\(time.millis / 1000)"
        let words = root["text"]?.text.map { WeiboText.split($0) }
        return try make.event(
            id: id, kind: kind, author: author, text: kind == .dm || kind == .mention ? words?.own : nil,
            quotedText: words?.quoted, time: time)
    }
}
