import SystemPackage
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// A blocking client for the line protocol: connect, send lines, read lines. What `qingting call`
/// and the tests use; any language can do the same with a Unix socket.
public final class UnixSocketClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` already searched for a newline (so a long line is scanned once).
    private var scanned = 0

    /// Connects, after checking that the socket is one only this user, root or one of `owners`
    /// could have put there (`SocketPath.checkTrusted`), so nothing is sent to a listener another
    /// user planted.
    /// - Throws: `QingtingError` naming the socket when it is not trusted or nothing listens there.
    public init(path: String, owners: Set<UInt32> = []) throws {
        try SocketPath.checkTrusted(path, owners: owners)
        var address = try SocketPath.unixAddress(path)
        // The descriptor becomes `fd` only once connected: an init that throws after every stored
        // property is set still runs `deinit`, and closing a descriptor twice can close another
        // thread's socket that reused its number.
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw QingtingError(.io, "socket: \(Errno(rawValue: errno).description)") }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = Errno(rawValue: errno).description
            close(descriptor)
            throw QingtingError(.io, "cannot connect: \(reason) (is `qingting serve` running?)", location: path)
        }
        fd = descriptor
    }

    deinit { close(fd) }

    /// Makes `readLine` fail instead of waiting longer than this for the server.
    public func setReceiveTimeout(seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends bytes as they are (add the newline yourself to end a line).
    public func send(_ bytes: some Collection<UInt8>) throws {
        let array = Array(bytes)
        try array.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw QingtingError(.io, "send: \(Errno(rawValue: errno).description)")
                }
                offset += n
            }
        }
    }

    public func send(line: String) throws { try send(Array((line + "\n").utf8)) }

    /// The next line (without its newline), or nil when the server closed the connection.
    /// A reset counts as closed: the kernel hands over every byte the server wrote before it, and a
    /// server that closes with some of our requests unread (say, refusing a connection over its
    /// limit) resets the connection rather than ending it.
    public func readLine() throws -> String? {
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                scanned = 0
                if start > 1 << 16 { buffer.removeFirst(start); start = 0 }
                return line
            }
            scanned = buffer.count - start
            var chunk = [UInt8](repeating: 0, count: 1 << 18)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw QingtingError(.io, "recv: \(Errno(rawValue: errno).description)")
            }
            if n == 0 { return nil }
            buffer += chunk[..<n]
        }
    }

    /// Stops sending (the server still answers what it has read).
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }
}
