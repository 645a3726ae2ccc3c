import OrderedCollections
import QingtingCore

/// Kuaishou comments as the web client's GraphQL API gives them. Kuaishou's open platform has no
/// comment or DM webhook (platform-formats.md §1.4: only auth and test events), and §1.4
/// documents no comment shape, so this follows the shape the widely used MediaCrawler scraper
/// reads (`media_platform/kuaishou/graphql/*.graphql`, `store/kuaishou/__init__.py`):
/// `{"data":{"visionCommentList":{"rootComments":[…]}}}` or `visionSubCommentList.subComments`,
/// items `{commentId, authorId, authorName, content, headurl, timestamp (ms), likedCount,
/// subCommentCount, subComments[{…, replyTo, replyToUserName}]}`; the newer snake_case items
/// (`comment_id`, `author_id`, `author_name`) are read too.
///
/// A root comment has no video id in the item; a `photoId` or `video_id` member, when an
/// export adds one, becomes its parent. Sub-comments reply to their root comment.
struct KuaishouAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if lists(root) != nil { return true }
        if let items = root.elements { return !items.isEmpty && items.allSatisfy(Self.isComment) }
        return Self.isComment(root)
    }

    /// An item with the GraphQL names (`commentId`, `authorId`, `authorName`, `headurl`) or their
    /// snake_case forms; two of them are enough, so an item missing its id is still recognized.
    static func isComment(_ node: JSONNode) -> Bool {
        let camel = ["commentId", "authorId", "authorName", "headurl"].filter { node[$0] != nil }.count
        let snake = ["comment_id", "author_id", "author_name", "headurl"].filter { node[$0] != nil }.count
        return camel >= 2 || snake >= 3
    }

    /// The comment lists of a GraphQL response, with whether they are sub-comments.
    func lists(_ root: JSONNode) -> (items: [JSONNode], sub: Bool)? {
        if let items = root.at("data.visionCommentList.rootComments")?.elements { return (items, false) }
        if let items = root.at("data.visionSubCommentList.subComments")?.elements { return (items, true) }
        return nil
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        let items: [JSONNode]
        if let (list, sub) = lists(root) {
            // A sub-comment page answers the root comment it was asked for, which it does not name.
            for item in list { context.item { try readComment(item, under: nil, sub: sub, $0) } }
            return
        }
        items = root.elements ?? [root]
        for item in items { context.item { try readComment(item, under: nil, sub: false, $0) } }
    }

    /// A comment and the sub-comments nested in it.
    func readComment(_ item: JSONNode, under root: String?, sub: Bool, _ make: EventMaker) throws -> [SocialEvent] {
        let id = try item.requiredID("commentId", "comment_id")
        let profile = item.profile([("authorName", "nickname"), ("author_name", "nickname"), ("headurl", "avatar")])
        let author = try make.author(
            try item.optionalID("authorId", "author_id"), at: item.place("authorId"), profile: profile)
        let time = try item.time("timestamp", .epoch(.milliseconds))
        let video = try item.optionalID("photoId", "video_id")
        let metrics = item.metrics(["likedCount", "realLikedCount", "subCommentCount", "commentCount"])
        let kind: EventKind = root != nil || sub ? .reply : .comment
        let parent: SocialEvent.Parent? =
            root.map { SocialEvent.Parent(id: $0, root: $0, post: video) }
            ?? video.map { SocialEvent.Parent(id: $0, post: $0) }
        var events = [
            try make.event(
                id: id, kind: kind, author: author, parent: parent, text: item["content"]?.text,
                time: time, metrics: metrics)
        ]
        for child in item["subComments"]?.elements ?? [] {
            events += try readComment(child, under: id, sub: true, make)
        }
        return events
    }
}
