internal import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers that report errors with the path, shared by models, lexicons and corpora.
public enum FileIO {
    /// What `read` accepts unless told otherwise: model, settings and customer files are far
    /// smaller; the limit only keeps a wrong path from filling memory.
    public static let defaultSizeLimit = 1 << 30

    /// Reads a whole regular file of at most `limit` bytes.
    ///
    /// A FIFO, device, directory or socket is refused before anything is read (so `/dev/zero`
    /// never grows memory), and so is a file over `limit`.
    /// - Parameter what: the kind of file, for the error ("a lexicon", "a model").
    /// - Throws: `QingtingError` (`.io`) naming the path: cannot open, not a regular file, over the
    ///   limit, or a read error.
    public static func read(_ path: String, limit: Int = defaultSizeLimit, what: String = "this file") throws -> [UInt8] {
        let (fd, size) = try openRegularFile(path, limit: limit, what: what)
        defer { close(fd) }
        // Read to the end rather than trusting the size: a file that grows past the limit while
        // being read is refused too.
        var bytes = [UInt8](repeating: 0, count: min(size, limit) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { throw overLimit(path, size: nil, limit: limit, what: what) }
                bytes += [UInt8](repeating: 0, count: min(max(count, 1 << 16), limit + 1 - count))
            }
            let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }  // a signal (a child process ending, say): read on
                throw QingtingError(.io, "read error: \(Errno(rawValue: errno).description)", location: path)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Opens `path` read-only and checks, on the opened descriptor (not a `stat` before the open,
    /// which a rename could outrun), that it is a regular file of at most `limit` bytes.
    ///
    /// Opening does not block on a FIFO with no writer: the open is non-blocking, and the flag is
    /// cleared once the file is known to be regular.
    /// - Returns: the descriptor, which the caller closes, and the file's size.
    /// - Throws: `QingtingError` (`.io`) naming the path and what it is
    ///   ("is a character device, not a regular file"; "is 70.0 MiB, over the 64 MiB limit for a lexicon").
    public static func openRegularFile(_ path: String, limit: Int, what: String) throws -> (descriptor: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw QingtingError(.io, "cannot open: \(Errno(rawValue: errno).description)", location: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = Errno(rawValue: errno).description
            close(fd)
            throw QingtingError(.io, "cannot stat: \(reason)", location: path)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            throw QingtingError(.io, "is \(describe(fileType: type)), not a regular file", location: path)
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            close(fd)
            throw overLimit(path, size: size, limit: limit, what: what)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, size)
    }

    private static func describe(fileType type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }

    /// - Parameter size: nil when the file grew past the limit while being read.
    private static func overLimit(_ path: String, size: Int?, limit: Int, what: String) -> QingtingError {
        guard let size else {
            return QingtingError(.io, "grew past the \(describe(bytes: limit)) limit for \(what) while being read", location: path)
        }
        return QingtingError(.io, "is \(describe(bytes: size)), over the \(describe(bytes: limit)) limit for \(what)", location: path)
    }

    /// `512 bytes`, `64 MiB`, `70.3 MiB`: sizes in the unit a reader would use.
    static func describe(bytes: Int) -> String {
        let units: [(Int, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (scale, unit) in units where bytes >= scale {
            if bytes % scale == 0 { return "\(bytes / scale) \(unit)" }
            let tenths = (bytes * 10 + scale / 2) / scale
            return "\(tenths / 10).\(tenths % 10) \(unit)"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }

    /// Refuses a file of secrets (webhook secrets, keys) that someone else could read or change:
    /// it must belong to this user (or root) and have no group or other permission bits, as ssh
    /// asks of a private key. Checked before the file is read, so a refusal reveals nothing of it.
    /// - Throws: `QingtingError` (`.io`) naming the path and the mode or owner, never the content.
    public static func requirePrivate(_ path: String, what: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw QingtingError(.io, "cannot open: \(Errno(rawValue: errno).description)", location: path)
        }
        let mode = info.st_mode & 0o7777
        guard mode & 0o077 == 0 else {
            throw QingtingError(
                .io, "\(what) must be readable by its owner only, and this one has mode 0\(String(mode, radix: 8)): chmod 600 it",
                location: path)
        }
        guard info.st_uid == getuid() || info.st_uid == 0 else {
            throw QingtingError(.io, "\(what) belongs to uid \(info.st_uid), not to this user (\(getuid())) or root", location: path)
        }
    }

    /// `path` when it names a readable file, else nil (an optional companion file; reading it
    /// still checks the type and size on the opened descriptor).
    public static func existingFile(_ path: String) -> String? { access(path, R_OK) == 0 ? path : nil }

    /// The regular files in `folder` whose names end with `suffix`, sorted by name; empty when
    /// the folder cannot be read.
    public static func files(in folder: String, suffix: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(suffix), !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted().map { "\(folder)/\($0)" }
    }

    /// Writes to `path.tmp-PID`, flushes, then renames, so that a crash never leaves half a file.
    /// `mode` is the file's permission bits (0600 for a secret such as a key).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws {
        // A unique temporary name (mkstemp) beside the target, so that two writers of the same
        // path — two threads, two processes — never share one temporary file.
        var template = Array("\(path).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let temporary = String(cString: template)
        guard fd >= 0 else {
            throw QingtingError(.io, "cannot create: \(Errno(rawValue: errno).description)", location: temporary)
        }
        fchmod(fd, mode_t(mode))  // mkstemp's 0600 would hide model and output files from other users
        guard let file = fdopen(fd, "wb") else {
            close(fd)
            unlink(temporary)
            throw QingtingError(.io, "cannot create: \(Errno(rawValue: errno).description)", location: temporary)
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        fclose(file)
        guard written == bytes.count, flushed, rename(temporary, path) == 0 else {
            let reason = Errno(rawValue: errno).description
            unlink(temporary)
            throw QingtingError(.io, "cannot write: \(reason)", location: path)
        }
    }

    /// Calls `body` with each line (without its newline) and its 1-based number, reading in chunks
    /// so that files larger than memory work. A final line without a newline is still a line.
    public static func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        let file: UnsafeMutablePointer<FILE>
        if path == "-" {
            guard let input = fdopen(0, "rb") else { throw QingtingError(.io, "cannot read standard input", location: "-") }
            file = input
        } else {
            guard let opened = fopen(path, "rb") else {
                throw QingtingError(.io, "cannot open: \(Errno(rawValue: errno).description)", location: path)
            }
            file = opened
            var info = stat()
            if fstat(fileno(file), &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                fclose(file)
                throw QingtingError(.io, "is a directory, not a file of lines", location: path)
            }
        }
        defer { if path != "-" { fclose(file) } }
        try forEachLine(of: file, path: path, body)
    }

    /// Line reader over an open stream (used for stdin too); `path` names it in errors.
    public static func forEachLine(of file: UnsafeMutablePointer<FILE>, path: String = "-",
                                   _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var lineNumber = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if ferror(file) != 0 {
                // A signal can interrupt the read: clear it and read on; any other error is one.
                guard errno == EINTR else { throw QingtingError(.io, "read error: \(Errno(rawValue: errno).description)", location: path) }
                clearerr(file)
                if n == 0 { continue }
            } else if n == 0 {
                break
            }
            var start = 0
            for i in 0..<n where chunk[i] == 0x0A {
                lineNumber += 1
                if pending.isEmpty {
                    try body(stripCR(chunk[start..<i]), lineNumber)
                } else {
                    pending += chunk[start..<i]
                    try body(stripCR(pending[...]), lineNumber)
                    pending.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            pending += chunk[start..<n]
        }
        if !pending.isEmpty {
            lineNumber += 1
            try body(stripCR(pending[...]), lineNumber)
        }
    }

    private static func stripCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0D ? line.dropLast() : line
    }
}

/// `read(2)`, out of `FileIO`'s scope, where `read` names `FileIO.read`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
