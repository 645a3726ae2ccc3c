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
}
