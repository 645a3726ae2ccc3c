import OrderedCollections
public import QingtingCore

extension SocialEvent {
    /// The event as one JSON object with stable snake_case members, written by the engine's one
    /// writer: `platform, event_id, kind, author{platform, uid, …profile}, parent{id, root, post},
    /// text, quoted_text, occurred_at, received_at, metrics, raw` (absent optionals left out; `raw`
    /// as a string, which it always is since payloads are checked to be UTF-8).
    /// - Parameter includeRaw: false leaves `raw` out (listings that do not re-read payloads).
    public func write(to w: inout JSONWriter, includeRaw: Bool = true) {
        w.object { w in
            w.member("platform", platform.rawValue)
            w.member("event_id", eventID)
            w.member("kind", kind.rawValue)
            if let author {
                w.member("author") { w in
                    w.object { w in
                        w.member("platform", author.platform.rawValue)
                        w.member("uid", author.uid)
                        for (name, value) in author.profile where name != "platform" && name != "uid" {
                            w.member(name, value)
                        }
                    }
                }
            }
            if let parent {
                w.member("parent") { w in
                    w.object { w in
                        w.member("id", parent.id)
                        w.member("root", ifPresent: parent.root)
                        w.member("post", ifPresent: parent.post)
                    }
                }
            }
            w.member("text", ifPresent: text)
            w.member("quoted_text", ifPresent: quotedText)
            w.member("occurred_at", occurredAt)
            w.member("received_at", receivedAt)
            if !metrics.isEmpty { w.member("metrics", .object(metrics)) }
            if includeRaw { w.member("raw", String(decoding: raw, as: UTF8.self)) }
        }
    }

    /// `write(to:)` as a string: one line of `qingting events`.
    public func json(includeRaw: Bool = true) -> String {
        var w = JSONWriter()
        write(to: &w, includeRaw: includeRaw)
        return w.text
    }
}
