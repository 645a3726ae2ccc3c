import QingtingCore

/// One platform's reader: recognizes its documented payload shapes and turns one payload into
/// events. A pure function of the document and the context; no I/O.
protocol PlatformAdapter: Sendable {
    /// Whether `document` has one of the shapes this platform documents (used for detection and
    /// to refuse a payload given with the wrong platform). Looks at shape markers only, so a
    /// payload of the right shape with a missing id is still recognized, and then refused as such.
    func recognizes(_ document: Document) -> Bool

    /// Appends the payload's events, and the items it must refuse, to `context`.
    func read(_ document: Document, into context: inout AdapterContext)
}

extension Platform {
    /// The adapter that reads this platform's payloads; nil for `generic` without a mapping.
    func adapter(mapping: FieldMapping?) -> (any PlatformAdapter)? {
        switch self {
        case .weibo: WeiboAdapter()
        case .wechat: WeChatAdapter()
        case .wecom: WeComAdapter()
        case .douyin: DouyinAdapter()
        case .kuaishou: KuaishouAdapter()
        case .xiaohongshu: XiaohongshuAdapter()
        case .zhihu: ZhihuAdapter()
        case .bilibili: BilibiliAdapter()
        case .x: XAdapter()
        case .facebook: FacebookAdapter()
        case .instagram: InstagramAdapter()
        case .generic: mapping.map { GenericAdapter(mapping: $0) }
        }
    }
}
