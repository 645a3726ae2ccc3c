import OrderedCollections
import QingtingCore

/// WeChat Official Account pushes (platform-formats.md §1.2): one XML document per payload,
/// `<xml><ToUserName/><FromUserName/>(openid)<CreateTime/>(unix s)<MsgType/>…</xml>`.
///
/// Messages (`text`, `image`, `voice`, `video`, `shortvideo`, `location`, `link`) are DMs keyed
/// by their 64-bit `MsgId`, kept as written. Events carry no `MsgId`; the documentation dedupes
/// them on `FromUserName+CreateTime`, which is their id here (`openid:CreateTime`).
/// `subscribe`/`unsubscribe` are follow/unfollow, `CLICK` a click, `VIEW` a view, `SCAN` and
/// `LOCATION` (a follower entering the account) visits; other events are not tracked.
struct WeChatAdapter: PlatformAdapter {
    func recognizes(_ document: Document) -> Bool {
        guard case .xml(let tree) = document, tree.root.name == "xml", !WeComAdapter.isWeComXML(tree.root) else {
            return false
        }
        let root = tree.root
        return root.child("MsgType") != nil || (root.child("ToUserName") != nil && root.child("Encrypt") != nil)
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        guard case .xml(let tree) = document else { return }
        context.one { try readPush(tree.root, $0) }
    }

    func readPush(_ xml: XMLTree.Element, _ make: EventMaker) throws -> SocialEvent? {
        guard let type = xml.value("MsgType"), !type.isEmpty else {
            if xml.child("Encrypt") != nil {
                throw QingtingError(
                    .encryptedPayload, "xml/Encrypt: an encrypted (安全模式) push; decrypt it before ingest")
            }
            throw QingtingError(.invalidPayload, "no xml/MsgType")
        }
        let author = try make.author(xml.value("FromUserName"), at: "xml/FromUserName")
        let time = try Self.time(xml, "CreateTime", .seconds)
        if type == "event" {
            let kind: EventKind
            switch xml.value("Event") {
            case "subscribe": kind = .follow
            case "unsubscribe": kind = .unfollow
            case "CLICK": kind = .click
            case "VIEW": kind = .view
            case "SCAN", "LOCATION": kind = .visit
            default: return nil
            }
            let createTime = xml.value("CreateTime")!
            return try make.event(id: "\(author.uid):\(createTime)", kind: kind, author: author, time: time)
        }
        guard let id = xml.value("MsgId"), !id.isEmpty else { throw QingtingError(.missingID, "no id at xml/MsgId") }
        guard id.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw QingtingError(.invalidPayload, "xml/MsgId is not a 64-bit integer")
        }
        // Text messages carry Content; a voice message may carry the speech recognised as text.
        let text = type == "text" ? xml.child("Content")?.text : type == "voice" ? xml.value("Recognition") : nil
        return try make.event(id: id, kind: .dm, author: author, text: text, time: time)
    }

    /// A numeric time element; `.missingTime` or `.invalidTime` naming the element.
    static func time(_ xml: XMLTree.Element, _ name: String, _ unit: TimeUnit) throws -> (millis: Int64, place: String)
    {
        let place = "\(xml.name)/\(name)"
        guard let text = xml.value(name), !text.isEmpty else {
            throw QingtingError(.missingTime, "no time at \(place)")
        }
        guard let ms = TimeFormat.epoch(unit).millis(text) else {
            throw QingtingError(.invalidTime, "\(place) is not \(unit.name)")
        }
        return (ms, place)
    }
}
