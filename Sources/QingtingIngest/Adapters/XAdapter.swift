import OrderedCollections
import QingtingCore

/// X (Twitter) payloads (platform-formats.md §1.6):
/// - API v2 responses and stream lines: `{"data": post | [post], "includes":{"users":[…]}}`,
///   posts `{id, text, author_id, created_at (ISO 8601), conversation_id, in_reply_to_user_id,
///   referenced_tweets[{type replied_to|quoted|retweeted, id}], public_metrics}`; the author's
///   name and username come from `includes.users`. A reply answers the post it references (or,
///   without `referenced_tweets`, the conversation root); a repost or quote is a share.
/// - Account Activity webhooks: `{"for_user_id", "tweet_create_events":[v1.1 tweets],
///   "direct_message_events":[{type message_create, id, created_timestamp (ms string),
///   message_create{sender_id, message_data{text}}}], "users":{…}}`; the other event arrays
///   (favorites, follows, deletes…) are not read.
///
/// Ids are 64-bit snowflakes, read as the strings v2 gives (v1.1: `id_str`).
struct XAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .json(let value) = document else { return false }
        let root = JSONNode(value)
        if root["for_user_id"] != nil { return true }
        guard let data = root["data"] else { return false }
        let posts = data.elements ?? [data]
        return !posts.isEmpty && posts.allSatisfy { $0["id"] != nil && $0["text"] != nil }
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .json(let value) = document else { return }
        let root = JSONNode(value)
        if root["for_user_id"] != nil {
            for tweet in root["tweet_create_events"]?.elements ?? [] { context.one { try readV1(tweet, $0) } }
            for message in root["direct_message_events"]?.elements ?? [] {
                context.one { try readMessage(message, users: root["users"], $0) }
            }
            return
        }
        guard let data = root["data"] else { return }
        let users = Dictionary(
            (root.at("includes.users")?.elements ?? []).compactMap { user in
                (try? user.optionalID("id")).flatMap { $0 }.map { ($0, user) }
            }, uniquingKeysWith: { first, _ in first })
        for post in data.elements ?? [data] { context.one { try readPost(post, users: users, $0) } }
    }

    func readPost(_ post: JSONNode, users: [String: JSONNode], _ make: EventMaker) throws -> SocialEvent {
        let id = try post.requiredID("id")
        let uid = try post.optionalID("author_id")
        let user = uid.flatMap { users[$0] }
        var profile =
            user?.profile([
                ("name", "nickname"), ("username", "username"), ("profile_image_url", "avatar"),
                ("location", "location"), ("verified", "verified"),
            ]) ?? [:]
        if let lang = post["lang"]?.string { profile["lang"] = .string(lang) }
        let author = try make.author(uid, at: post.place("author_id"), profile: profile)
        let time = try post.time("created_at", .iso8601)
        let conversation = try post.optionalID("conversation_id")
        let root = conversation == id ? nil : conversation
        var metrics =
            post["public_metrics"]?.metrics([
                "retweet_count", "reply_count", "like_count", "quote_count",
                "bookmark_count", "impression_count",
            ]) ?? [:]
        if let followers = user?["public_metrics"]?["followers_count"]?.metric {
            metrics["followers_count"] = followers
        }

        var references: [String: String] = [:]
        for reference in post["referenced_tweets"]?.elements ?? [] {
            if let type = reference["type"]?.string, let target = try reference.optionalID("id"),
                references[type] == nil
            {
                references[type] = target
            }
        }
        let text = post["text"]?.text
        if let target = references["replied_to"] {
            return try make.event(
                id: id, kind: .reply, author: author, parent: SocialEvent.Parent(id: target, post: root ?? target),
                text: text, time: time, metrics: metrics)
        }
        if let target = references["retweeted"] {
            // A repost's text is the original's ("RT @…: …"), not the author's words.
            return try make.event(
                id: id, kind: .share, author: author, parent: SocialEvent.Parent(id: target, post: target),
                quotedText: text, time: time, metrics: metrics)
        }
        if let target = references["quoted"] {
            return try make.event(
                id: id, kind: .share, author: author, parent: SocialEvent.Parent(id: target, post: target),
                text: text, time: time, metrics: metrics)
        }
        if post["in_reply_to_user_id"] != nil, let root {
            return try make.event(
                id: id, kind: .reply, author: author, parent: SocialEvent.Parent(id: root, post: root),
                text: text, time: time, metrics: metrics)
        }
        return try make.event(id: id, kind: .post, author: author, text: text, time: time, metrics: metrics)
    }

    /// A v1.1 tweet as Account Activity delivers it: `id_str`, `created_at` in the
    /// `Wed Oct 10 20:19:24 +0000 2018` form, `user{id_str, name, screen_name}`.
    func readV1(_ tweet: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let id = try tweet.requiredID("id_str")
        let user = tweet["user"]
        let profile =
            user?.profile([
                ("name", "nickname"), ("screen_name", "username"),
                ("profile_image_url_https", "avatar"), ("location", "location"),
            ]) ?? [:]
        let author = try make.author(try user?.optionalID("id_str"), at: tweet.place("user.id_str"), profile: profile)
        let time = try tweet.time("created_at", .weibo)
        let text = tweet.at("extended_tweet.full_text")?.text ?? tweet["full_text"]?.text ?? tweet["text"]?.text
        let metrics = tweet.metrics(["retweet_count", "reply_count", "favorite_count", "quote_count"])
        if let target = try tweet.optionalID("in_reply_to_status_id_str") {
            return try make.event(
                id: id, kind: .reply, author: author, parent: SocialEvent.Parent(id: target), text: text,
                time: time, metrics: metrics)
        }
        if let target = try tweet["retweeted_status"]?.optionalID("id_str") {
            return try make.event(
                id: id, kind: .share, author: author, parent: SocialEvent.Parent(id: target, post: target),
                quotedText: text, time: time, metrics: metrics)
        }
        if let target = try tweet.optionalID("quoted_status_id_str") {
            return try make.event(
                id: id, kind: .share, author: author, parent: SocialEvent.Parent(id: target, post: target),
                text: text, time: time, metrics: metrics)
        }
        return try make.event(id: id, kind: .post, author: author, text: text, time: time, metrics: metrics)
    }

    /// A direct message (`type` `message_create`); its sender's names from the payload's `users`.
    func readMessage(_ message: JSONNode, users: JSONNode?, _ make: EventMaker) throws -> SocialEvent? {
        guard message["type"]?.string == "message_create" else { return nil }
        let id = try message.requiredID("id")
        let create = message["message_create"]
        let sender = try create?.optionalID("sender_id")
        let profile =
            sender.flatMap { users?[$0] }?.profile([("name", "nickname"), ("screen_name", "username")]) ?? [:]
        let author = try make.author(sender, at: message.place("message_create.sender_id"), profile: profile)
        let time = try message.time("created_timestamp", .epoch(.milliseconds))
        return try make.event(
            id: id, kind: .dm, author: author, text: create?.at("message_data.text")?.text, time: time)
    }
}
