import OrderedCollections
import QingtingCore

/// WeCom (企业微信) payloads (platform-formats.md §1.3):
/// - customer-contact callbacks, XML `<xml><ToUserName/>(CorpID)<FromUserName>sys</FromUserName>
///   <CreateTime/><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType/>
///   <UserID/>(staff)<ExternalUserID/>…</xml>`, and the third-party form (`SuiteId`, `InfoType`,
///   `TimeStamp`): adding a customer is a follow, removing one an unfollow, an edit an edit;
/// - archived chat messages (会话存档, decrypted): JSON `{msgid, action, from, tolist, roomid,
///   msgtime (ms), msgtype, text{content}}`: a DM (`roomid` as its conversation), a recall or
///   `revoke` a delete;
/// - customer details (`externalcontact/get`): one follow per staff member in `follow_user`,
///   with the `unionid` the detail carries when a WeChat developer account is bound.
///
/// Callbacks have no message id, and their `FromUserName` is always `sys`, so the documented
/// `FromUserName+CreateTime` key would merge every customer's events; the id here is
/// `ChangeType:UserID:ExternalUserID:CreateTime`.
struct WeComAdapter: PlatformAdapter {
    /// XML that only WeCom sends: an external-contact event, a suite callback, an app's AgentID.
    static func isWeComXML(_ root: XMLTree.Element) -> Bool {
        root.child("ExternalUserID") != nil || root.child("ChangeType") != nil || root.child("InfoType") != nil
            || root.child("AgentID") != nil || root.value("Event") == "change_external_contact"
    }

    func recognizes(_ document: Document) -> Bool {
        switch document {
        case .xml(let tree): return tree.root.name == "xml" && Self.isWeComXML(tree.root)
        case .json(let value):
            let root = JSONNode(value)
            return Self.isArchived(root) || root["external_contact"]?.isObject == true
                || root["chatdata"]?.elements != nil
        }
    }

    static func isArchived(_ node: JSONNode) -> Bool {
        node["msgid"] != nil && (node["msgtime"] != nil || node["tolist"] != nil || node["action"] != nil)
    }

    func read(_ document: Document, into context: inout AdapterContext) {
        switch document {
        case .xml(let tree): context.one { try readCallback(tree.root, $0) }
        case .json(let value):
            let root = JSONNode(value)
            if root["chatdata"]?.elements != nil {
                context.reject(
                    QingtingError(
                        .encryptedPayload,
                        "chatdata: encrypted archive items; decrypt them with the archive SDK before ingest"))
            } else if let contact = root["external_contact"], contact.isObject {
                for staff in root["follow_user"]?.elements ?? [] { context.one { try readFollow(contact, staff, $0) } }
            } else {
                context.one { try readArchived(root, $0) }
            }
        }
    }

    func readCallback(_ xml: XMLTree.Element, _ make: EventMaker) throws -> SocialEvent? {
        let suite = xml.child("InfoType") != nil
        let event = suite ? xml.value("InfoType") : xml.value("Event")
        guard event == "change_external_contact" else {
            if xml.child("Encrypt") != nil, xml.child("MsgType") == nil, !suite {
                throw QingtingError(.encryptedPayload, "xml/Encrypt: an encrypted callback; decrypt it before ingest")
            }
            return nil  // other callbacks (tags, groups, app messages) are not customer events
        }
        let kind: EventKind
        let change = xml.value("ChangeType") ?? ""
        switch change {
        case "add_external_contact", "add_half_external_contact": kind = .follow
        case "del_external_contact", "del_follow_user": kind = .unfollow
        case "edit_external_contact": kind = .edit
        default: return nil  // transfer_fail, msg_audit_approved…
        }
        let author = try make.author(xml.value("ExternalUserID"), at: "xml/ExternalUserID")
        let timeName = suite ? "TimeStamp" : "CreateTime"
        let time = try WeChatAdapter.time(xml, timeName, .seconds)
        let staff = xml.value("UserID") ?? ""
        let id = "\(change):\(staff):\(author.uid):\(xml.value(timeName)!)"
        let parent = staff.isEmpty ? nil : SocialEvent.Parent(id: staff)
        return try make.event(id: id, kind: kind, author: author, parent: parent, time: time)
    }

    /// One decrypted archive message. A `switch` (enterprise log-in switch) is not a customer event.
    func readArchived(_ message: JSONNode, _ make: EventMaker) throws -> SocialEvent? {
        let id = try message.requiredID("msgid")
        let action = message["action"]?.string ?? "send"
        guard action != "switch" else { return nil }
        let author = try make.author(try message.optionalID("from"), at: message.place("from"))
        let time = try message.time("msgtime", .epoch(.milliseconds))
        let type = message["msgtype"]?.string
        let room = try message.optionalID("roomid")
        if action == "recall" || type == "revoke" {
            let recalled = try message["revoke"]?.optionalID("pre_msgid")
            let parent = recalled.map { SocialEvent.Parent(id: $0, post: room) }
            return try make.event(id: id, kind: .delete, author: author, parent: parent, time: time)
        }
        let text = type == "text" ? message["text"]?["content"]?.text : nil
        return try make.event(
            id: id, kind: .dm, author: author, parent: room.map { SocialEvent.Parent(id: $0) },
            text: text, time: time)
    }

    /// A customer detail's relation to one staff member: a follow at its `createtime` (s), keyed by
    /// customer and staff member.
    func readFollow(_ contact: JSONNode, _ staff: JSONNode, _ make: EventMaker) throws -> SocialEvent {
        let uid = try contact.optionalID("external_userid")
        let profile = contact.profile([
            ("name", "nickname"), ("avatar", "avatar"), ("unionid", "unionid"),
            ("type", "type"), ("gender", "gender"), ("corp_name", "corp_name"),
            ("position", "position"),
        ])
        let author = try make.author(uid, at: contact.place("external_userid"), profile: profile)
        let userid = try staff.requiredID("userid")
        let time = try staff.time("createtime", .epoch(.seconds))
        return try make.event(
            id: "\(author.uid):\(userid)", kind: .follow, author: author,
            parent: SocialEvent.Parent(id: userid), time: time)
    }
}
