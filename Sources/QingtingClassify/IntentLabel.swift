/// The eight intents of the design, in the order every intent model stores them. A post carries
/// none, one or several.
public enum IntentLabel: String, CaseIterable, Sendable {
    case purchase
    case serviceOrder = "service_order"
    case serviceLogistics = "service_logistics"
    case serviceProduct = "service_product"
    case serviceRefund = "service_refund"
    case complaint
    case churn
    case recommend

    /// The CRM tag; a purchase names its product category when the post makes it clear
    /// (`#购买意图_手机#`), else it is `#购买意图#`.
    public func tag(category: String? = nil) -> String {
        switch self {
        case .purchase: category.map { "#购买意图_\($0)#" } ?? "#购买意图#"
        case .serviceOrder: "#服务请求_订单查询#"
        case .serviceLogistics: "#服务请求_物流配送#"
        case .serviceProduct: "#服务请求_产品问题#"
        case .serviceRefund: "#服务请求_退换货#"
        case .complaint: "#投诉#"
        case .churn: "#流失风险#"
        case .recommend: "#推荐分享#"
        }
    }

    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// Parses a label set as corpora write it: `none`, or keys joined by `,`.
    /// - Throws: a message naming the unknown key.
    public static func parseSet(_ text: String) throws(LabelSetError) -> [IntentLabel] {
        if text == "none" { return [] }
        var labels: [IntentLabel] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let label = IntentLabel(rawValue: String(part)) else { throw LabelSetError(key: String(part)) }
            if !labels.contains(label) { labels.append(label) }
        }
        return labels.sorted { $0.index < $1.index }
    }

    public struct LabelSetError: Error, Sendable {
        public var key: String
        public var message: String {
            "unknown intent '\(key)' (expected none or some of \(IntentLabel.allCases.map(\.rawValue).joined(separator: ",")))"
        }
    }
}
