/// The three sentiment classes, in the order every sentiment model stores them.
public enum SentimentLabel: String, CaseIterable, Sendable, Codable {
    case negative, neutral, positive

    /// The CRM tag of the class.
    public var tag: String {
        switch self {
        case .negative: "#负面情绪#"
        case .neutral: "#中性情绪#"
        case .positive: "#正面情绪#"
        }
    }

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}
