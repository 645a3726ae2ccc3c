#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers that report errors with the path, shared by models, lexicons and corpora.
public enum FileIO {
    /// Reads a whole file.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw TextError(.io, "cannot open: \(String(cString: strerror(errno)))", location: path)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { bytes += chunk[..<n] }
            if n < chunk.count {
                if ferror(file) != 0 {
                    // A signal (a child process ending, say) can interrupt the read: go on.
                    if errno == EINTR { clearerr(file); continue }
                    throw TextError(.io, "read error: \(String(cString: strerror(errno)))", location: path)
                }
                return bytes
            }
        }
    }

    /// Writes to `path.tmp-PID`, flushes, then renames, so that a crash never leaves half a file.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        guard let file = fopen(temporary, "wb") else {
            throw TextError(.io, "cannot create: \(String(cString: strerror(errno)))", location: temporary)
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        fclose(file)
        guard written == bytes.count, flushed, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw TextError(.io, "cannot write: \(String(cString: strerror(errno)))", location: path)
        }
    }

    /// Calls `body` with each line (without its newline) and its 1-based number, reading in chunks
    /// so that files larger than memory work. A final line without a newline is still a line.
    public static func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        let file: UnsafeMutablePointer<FILE>
        if path == "-" {
            guard let input = fdopen(0, "rb") else { throw TextError(.io, "cannot read standard input", location: "-") }
            file = input
        } else {
            guard let opened = fopen(path, "rb") else {
                throw TextError(.io, "cannot open: \(String(cString: strerror(errno)))", location: path)
            }
            file = opened
        }
        defer { if path != "-" { fclose(file) } }
        try forEachLine(of: file, body)
    }

    /// Line reader over an open stream (used for stdin too).
    public static func forEachLine(of file: UnsafeMutablePointer<FILE>, _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var lineNumber = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if ferror(file) != 0 {
                // A signal can interrupt the read: clear it and read on; any other error is one.
                guard errno == EINTR else { throw TextError(.io, "read error: \(String(cString: strerror(errno)))") }
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
