import OrderedCollections
import QingtingCore

/// Zhihu (知乎) comments as the MediaCrawler export writes them (platform-formats.md §1.5, the
/// `ZhihuComment` model; Zhihu has no official webhook or comment API): `{comment_id,
/// parent_comment_id, content, publish_time, ip_location, sub_comment_count, like_count,
/// dislike_count, content_id, content_type (article|answer|zvideo), user_id, user_link,
/// user_nickname, user_avatar}`, one object a line or an array of them.
///
/// `publish_time` is copied from the web API's `created_time`, unix seconds; a 13-digit value
/// is read as milliseconds. A comment with a `parent_comment_id` (other than empty or 0)
/// replies to it; otherwise it answers the content (`content_id`).
struct ZhihuAdapter: PlatformAdapter {
    static let contentTypes: Set<String> = ["article", "answer", "zvideo", "question", "pin"]

    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if let items = root.elements { return !items.isEmpty && items.allSatisfy(Self.isComment) }
        return Self.isComment(root)
    }

    static func isComment(_ node: JSONNode) -> Bool {
        guard node["comment_id"] != nil else { return false }
        return node["user_nickname"] != nil || node["user_link"] != nil
            || node["content_type"]?.string.map(contentTypes.contains) == true
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        for item in root.elements ?? [root] { context.one { try readComment(item, $0) } }
    }

    func readComment(_ item: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let id = try item.requiredID("comment_id")
        let profile = item.profile([
            ("user_nickname", "nickname"), ("user_avatar", "avatar"), ("user_link", "profile_url"),
        ])
        var author = try make.author(try item.optionalID("user_id"), at: item.place("user_id"), profile: profile)
        if let location = item["ip_location"]?.string { author.profile["ip_location"] = .string(location) }
        guard let timeNode = item["publish_time"] else {
            throw QingtingError(.missingTime, "no time at \(item.place("publish_time"))")
        }
        let unit: TimeUnit = (timeNode.integer ?? 0) >= 100_000_000_000 ? .milliseconds : .seconds
        let time = (try timeNode.time(.epoch(unit)), timeNode.path)
        let content = try item.optionalID("content_id")
        // Empty, 0 and Python's "None" (an older export wrote str(None)) all mean a top-level comment.
        let parentComment = try item["parent_comment_id"]?.id().flatMap { $0 == "None" ? nil : $0 }
        let kind: EventKind = parentComment != nil ? .reply : .comment
        let parent: SocialEvent.Parent? =
            parentComment.map { SocialEvent.Parent(id: $0, post: content) }
            ?? content.map { SocialEvent.Parent(id: $0, post: $0) }
        return try make.event(
            id: id, kind: kind, author: author, parent: parent, text: item["content"]?.text, time: time,
            metrics: item.metrics(["like_count", "dislike_count", "sub_comment_count"]))
    }
}
