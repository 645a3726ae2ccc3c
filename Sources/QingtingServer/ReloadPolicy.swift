import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Which files `model.reload` may read: regular files, no larger than `maxFileBytes`, inside one of
/// `directories` after every symbolic link is resolved. The server admits the directories of the
/// files it loaded at start and those given with `serve --reload-dir`; any other path — `/etc/shadow`,
/// `/dev/zero`, a symlink out of a model folder — is refused before a byte of it is read.
public struct ReloadPolicy: Sendable {
    /// Canonical directory paths (no trailing slash).
    public private(set) var directories: [String] = []
    public var maxFileBytes = 256 << 20

    public init(directories: [String] = [], maxFileBytes: Int = 256 << 20) {
        self.maxFileBytes = maxFileBytes
        for directory in directories { admit(directory: directory) }
    }

    /// Admits a directory (ignored when it does not exist).
    public mutating func admit(directory: String) {
        guard let canonical = Self.canonical(directory), !directories.contains(canonical) else { return }
        directories.append(canonical)
    }

    /// Admits the directory of each file.
    mutating func admit(directoriesOf files: [String]) {
        for file in files {
            guard let canonical = Self.canonical(file), let slash = canonical.lastIndex(of: "/") else { continue }
            admit(directory: slash == canonical.startIndex ? "/" : String(canonical[..<slash]))
        }
    }

    /// Checks a path a caller asked to reload from.
    /// - Returns: the canonical path to load.
    /// - Throws: `RPCError` -32004 when there is no such file, -32602 when it is outside the reload
    ///   directories, not a regular file, or too large. The message names the parameter and the
    ///   path as the caller wrote it, never anything read from the file.
    func check(_ path: String, param: String) throws -> String {
        let data: [(String, JSONValue)] = [("param", .string(param)), ("path", .string(path))]
        guard let canonical = Self.canonical(path) else {
            throw RPCError(.notFound, "\(param): no such file \(path)", data: data)
        }
        guard directories.contains(where: { Self.isInside(canonical, $0) }) else {
            throw RPCError(.invalidParams,
                           "\(param): \(path) is outside the directories model.reload may read (the folders of the files loaded at start, and serve --reload-dir)",
                           data: data + [("reload_dirs", .array(directories.map { .string($0) }))])
        }
        var info = stat()
        guard stat(canonical, &info) == 0 else {
            throw RPCError(.notFound, "\(param): no such file \(path)", data: data)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw RPCError(.invalidParams, "\(param): \(path) is not a regular file", data: data)
        }
        guard Int(info.st_size) <= maxFileBytes else {
            throw RPCError(.invalidParams, "\(param): \(path) is \(info.st_size) bytes, over the reload limit of \(maxFileBytes)",
                           data: data + [("bytes", .number("\(info.st_size)")), ("max", .number("\(maxFileBytes)"))])
        }
        guard access(canonical, R_OK) == 0 else {
            throw RPCError(.notFound, "\(param): \(path) is not readable by the server", data: data)
        }
        return canonical
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" ? path.hasPrefix("/") : path.hasPrefix(directory + "/")
    }

    /// The absolute path with every link and `..` resolved, or nil when it does not exist.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
