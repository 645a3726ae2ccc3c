import QingtingCore
import QingtingText
import TestSupport

/// The repository's shipped files, found from this source file's place.
enum Fixtures {
    static let root = TestPaths.root

    static let model: SegmentModel = try! SegmentModel(contentsOf: "\(root)/Models/segment.qtseg")

    static let segmenter: Segmenter = try! Resources.segmenter(
        modelPath: "\(root)/Models/segment.qtseg", lexiconPath: "\(root)/Lexicons/userdict.tsv")

    /// Tokens as `text/kind` joined by spaces: compact goldens that show kinds too.
    static func render(_ text: String, with segmenter: Segmenter = segmenter) -> String {
        segmenter.tokenize(text).map { $0.kind == .word ? $0.text : "\($0.text)/\($0.kind)" }.joined(separator: " ")
    }

    static func temporaryPath(_ name: String) -> String {
        "/tmp/qingting-test-\(getpid())-\(name)"
    }
}

#if canImport(Glibc)
import Glibc
#endif
