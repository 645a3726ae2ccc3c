#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the engine's shipped files (`Models/`, `Lexicons/`) so that commands work with no flags.
///
/// Looked up in order: `$QINGTING_HOME`, the current directory, then the folders above the running
/// executable (so `.build/release/qingting` finds the repository it was built from).
public enum Resources {
    public static let segmentModel = "Models/segment.qtseg"
    public static let userLexicon = "Lexicons/userdict.tsv"

    /// The absolute path of a shipped file, or nil when none of the places has it. Absolute, so a
    /// server's `model.reload` finds the same files whatever the working directory is by then.
    public static func find(_ relative: String) -> String? {
        var roots: [String] = []
        if let home = getenv("QINGTING_HOME") { roots.append(String(cString: home)) }
        if let cwd = currentDirectory() { roots.append(cwd) }
        if let exe = executableDirectory() {
            var dir = exe
            for _ in 0..<5 {
                roots.append(dir)
                guard let slash = dir.lastIndex(of: "/"), slash != dir.startIndex else { break }
                dir = String(dir[..<slash])
            }
        }
        for root in roots {
            let path = "\(root)/\(relative)"
            if access(path, R_OK) == 0 { return path }
        }
        return nil
    }

    private static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// The segmenter with the shipped model and user lexicon (or the given paths).
    /// - Throws: model or lexicon errors; a missing default model is an error that says where it looked.
    /// - Parameter useLexicon: false to segment with the model alone.
    public static func segmenter(modelPath: String? = nil, lexiconPath: String? = nil, useLexicon: Bool = true,
                                 configuration: Segmenter.Configuration = .init()) throws -> Segmenter {
        guard let modelFile = modelPath ?? find(segmentModel) else {
            throw TextError(.io, "no segment model found (looked for \(segmentModel) under $QINGTING_HOME, the current directory and the executable's folders); pass --segment-model")
        }
        let model = try SegmentModel(contentsOf: modelFile)
        let lexiconFile = useLexicon ? lexiconPath ?? find(userLexicon) : nil
        let lexicon = try lexiconFile.map { try UserLexicon(contentsOf: $0, model: model) } ?? .empty
        return Segmenter(model: model, lexicon: lexicon, configuration: configuration)
    }
}
