import QingtingCore

extension Platform {
    /// The platform whose documented shape `payload` has, for input given without `--platform`.
    ///
    /// Detection looks at shape markers (a Weibo `idstr`, Bilibili `rpid`, Meta `object` and
    /// `entry`, WeChat's `<xml><MsgType>`…). The `generic` platform is never detected: it needs
    /// a field mapping.
    /// - Throws: the payload's own error (`payload_too_large`, `invalid_utf8`, `invalid_json`,
    ///   `invalid_xml`), or `.undetectedPlatform` when no platform, or more than one, matches.
    public static func detect(_ payload: Payload, maxPayloadBytes: Int = Ingest.defaultMaxPayloadBytes) throws
        -> Platform
    {
        try detect(Ingest.parse(payload, limit: maxPayloadBytes))
    }

    static func detect(_ document: Document) throws -> Platform {
        let found = candidates(for: document)
        if found.count == 1 { return found[0] }
        if found.isEmpty {
            throw QingtingError(
                .undetectedPlatform, "the payload has none of the documented platform shapes; name its platform")
        }
        let names = found.map(\.rawValue).joined(separator: ", ")
        throw QingtingError(
            .undetectedPlatform, "the payload has the shape of several platforms (\(names)); name its platform")
    }

    /// Every platform whose adapter recognizes `document`, in declaration order.
    static func candidates(for document: Document) -> [Platform] {
        allCases.filter { $0 != .generic && $0.adapter(mapping: nil)?.recognizes(document) == true }
    }
}
