import OrderedCollections
import QingtingCore
import QingtingIngest

/// Which fields an event is expected to carry, for sync health's field completeness (mapped fields
/// present ÷ fields expected; the target is ≥ 98%).
///
/// - A generic export: every target its field mapping names (`uid`, `text`, `parent`, `root`,
///   `post`, `quoted_text`, `author.<name>`, `metrics.<name>`) besides the required ones.
/// - A platform adapter: the author's uid (every kind but a mention, where Instagram sends none);
///   the text for what people write (post, comment, reply, dm, mention); the parent for what
///   answers or acts on something (comment, reply, like, share, edit, delete); and the author's
///   nickname on a post, comment or reply where the platform's documented payloads carry one
///   (Weibo, Kuaishou, Xiaohongshu, Zhihu, Bilibili, X, Facebook; Douyin's comment webhook has
///   none, only its IM messages' user info).
///
/// The event id, kind and time are never counted: without them an event is rejected, not stored.
enum FieldExpectation {
    static let written: Set<EventKind> = [.post, .comment, .reply, .dm, .mention]
    static let answering: Set<EventKind> = [.comment, .reply, .like, .share, .edit, .delete]
    static let named: Set<Platform> = [.weibo, .kuaishou, .xiaohongshu, .zhihu, .bilibili, .x, .facebook]

    /// `(present, expected)` for one event.
    static func count(_ event: SocialEvent, mapping: FieldMapping?) -> (present: Int, expected: Int) {
        var present = 0
        var expected = 0
        func expect(_ has: Bool) {
            expected += 1
            if has { present += 1 }
        }
        if event.platform == .generic, let mapping {
            if mapping.uid != nil { expect(event.author != nil) }
            if mapping.text != nil { expect(event.text != nil) }
            if mapping.quotedText != nil { expect(event.quotedText != nil) }
            if mapping.parent != nil { expect(event.parent != nil) }
            if mapping.root != nil { expect(event.parent?.root != nil) }
            if mapping.post != nil { expect(event.parent?.post != nil) }
            for name in mapping.author.keys { expect(event.author?.profile[name] != nil) }
            for name in mapping.metrics.keys { expect(event.metrics[name] != nil) }
            return (present, expected)
        }
        if event.kind != .mention { expect(event.author != nil) }
        if written.contains(event.kind) { expect(event.text != nil) }
        if answering.contains(event.kind) { expect(event.parent != nil) }
        if [.post, .comment, .reply].contains(event.kind), named.contains(event.platform) {
            expect(event.author?.profile["nickname"] != nil)
        }
        return (present, expected)
    }
}
