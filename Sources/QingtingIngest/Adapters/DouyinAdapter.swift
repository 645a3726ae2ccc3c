import OrderedCollections
import QingtingCore

/// Douyin open-platform webhooks (platform-formats.md §1.4): `{"event","from_user_id"(open_id),
/// "to_user_id","client_key","content":{…},"log_id"}`, where `content` may arrive as a JSON
/// object or as a JSON string holding one (local-life and business events).
///
/// - `im_receive_msg` / `im_send_msg`: a DM; id `server_message_id`; `create_time` in **ms**;
///   the conversation `conversation_short_id`; the sender's nickname from `user_infos`.
/// - `item_comment_reply`: a comment on a video, or a reply when `reply_to_comment_id` is set;
///   id `comment_id`; `create_time` in **s** (the comment fields of §1.4; the event name and
///   the `reply_to_*` members are from the SDK that mirrors the "接收评论回复事件" page).
/// - `verify_webhook` and the other events are handshakes or not customer events: no events.
///
/// Deliveries are deduped by the `Msg-Id` header; an event whose content has no id of its own
/// takes that header as its id.
struct DouyinAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        guard root["event"]?.string != nil, root["content"] != nil || root["event"]?.string == "verify_webhook" else {
            return false
        }
        return root["client_key"] != nil || root["from_user_id"] != nil || root["to_user_id"] != nil
            || root["log_id"] != nil
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        context.one { try readEvent(root, $0) }
    }

    func readEvent(_ root: JSONNode, _ make: EventMaker) throws -> SocialEvent? {
        let event = root["event"]!.string!
        guard event == "im_receive_msg" || event == "im_send_msg" || event == "item_comment_reply" else { return nil }
        let content = try Self.content(root)
        let header = make.payload.header("msg-id")?.trimmingWhitespace
        if event == "item_comment_reply" {
            let id = try content.optionalID("comment_id") ?? header
            guard let id, !id.isEmpty else {
                throw QingtingError(.missingID, "no id at \(content.place("comment_id")) or in the Msg-Id header")
            }
            let author = try make.author(
                try content.optionalID("comment_user_id") ?? root.optionalID("from_user_id"),
                at: content.place("comment_user_id"))
            let time = try content.time("create_time", .epoch(.seconds))
            let video = try content.optionalID("reply_to_item_id", "item_id")
            var kind = EventKind.comment
            var parent = video.map { SocialEvent.Parent(id: $0, post: $0) }
            if let comment = try content.optionalID("reply_to_comment_id") {
                kind = .reply
                parent = SocialEvent.Parent(id: comment, post: video)
            }
            return try make.event(
                id: id, kind: kind, author: author, parent: parent, text: content["content"]?.text, time: time,
                metrics: content.metrics(["digg_count", "reply_comment_total"]))
        }
        let id = try content.optionalID("server_message_id") ?? header
        guard let id, !id.isEmpty else {
            throw QingtingError(.missingID, "no id at \(content.place("server_message_id")) or in the Msg-Id header")
        }
        let sender = try root.optionalID("from_user_id")
        let info = content["user_infos"]?.elements?.first { (try? $0.optionalID("open_id")) == sender }
        let profile = info?.profile([("nick_name", "nickname"), ("avatar", "avatar")]) ?? [:]
        let author = try make.author(sender, at: root.place("from_user_id"), profile: profile)
        let time = try content.time("create_time", .epoch(.milliseconds))
        let conversation = try content.optionalID("conversation_short_id")
        let text = content["message_type"]?.string == "text" ? content["text"]?.text : nil
        return try make.event(
            id: id, kind: .dm, author: author, parent: conversation.map { SocialEvent.Parent(id: $0) },
            text: text, time: time)
    }

    /// `content` as an object, parsing it when it arrives as a JSON string.
    static func content(_ root: JSONNode) throws -> JSONNode {
        guard let content = root["content"] else { throw QingtingError(.invalidPayload, "no content") }
        if content.isObject { return content }
        guard case .string(let text) = content.value else {
            throw QingtingError(
                .invalidPayload, "content is a \(content.value.typeName), not an object or a JSON string")
        }
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(text) } catch let error as QingtingError {
            throw QingtingError(
                .invalidJSON, "content is a string but not JSON: \(error.message)", byteOffset: error.byteOffset)
        }
        guard case .object = parsed else {
            throw QingtingError(.invalidPayload, "content holds a \(parsed.typeName), not an object")
        }
        return JSONNode(parsed, path: "content")
    }
}
