public import QingtingCore

extension Resources {
    public static let segmentModel = "Models/segment.qtseg"
    public static let userLexicon = "Lexicons/userdict.tsv"

    /// The segmenter with the shipped model and user lexicon (or the given paths).
    /// - Throws: model or lexicon errors; a missing default model is an error that says where it looked.
    /// - Parameter useLexicon: false to segment with the model alone.
    public static func segmenter(modelPath: String? = nil, lexiconPath: String? = nil, useLexicon: Bool = true,
                                 configuration: Segmenter.Configuration = .init()) throws -> Segmenter {
        guard let modelFile = modelPath ?? find(segmentModel) else {
            throw QingtingError(.io, "no segment model found (looked for \(segmentModel) under $QINGTING_HOME, the current directory and the executable's folders); pass --segment-model")
        }
        let model = try SegmentModel(contentsOf: modelFile)
        let lexiconFile = useLexicon ? lexiconPath ?? find(userLexicon) : nil
        let lexicon = try lexiconFile.map { try UserLexicon(contentsOf: $0, model: model) } ?? .empty
        return Segmenter(model: model, lexicon: lexicon, configuration: configuration)
    }
}
