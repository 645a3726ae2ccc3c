import QingtingText

#if canImport(Glibc)
import Glibc
#endif

/// Getting the socket path ready: a stale socket file from a crashed run is replaced, a live one
/// (a server answers on it) is not stolen, and a file that is not a socket is never deleted.
enum SocketPath {
    enum State: Equatable { case absent, stale, live, notASocket }

    static func state(of path: String) -> State {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        return canConnect(path) ? .live : .stale
    }

    /// Whether something accepts connections on the socket at `path`.
    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard var address = try? unixAddress(path) else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    static func unixAddress(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw TextError(.io, "socket path is \(bytes.count) bytes, the limit is \(capacity - 1)", location: path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Makes `path` free to bind: creates a missing parent folder (mode 0700), removes a stale socket.
    /// - Returns: whether a stale socket was removed.
    /// - Throws: when a server is live on it, or it is not a socket, or the folder cannot be made.
    static func prepare(_ path: String) throws -> Bool {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let folder = String(path[..<slash])
            if access(folder, F_OK) != 0, mkdir(folder, 0o700) != 0, errno != EEXIST {
                throw TextError(.io, "cannot create the socket's folder: \(String(cString: strerror(errno)))", location: folder)
            }
        }
        _ = try unixAddress(path)
        switch state(of: path) {
        case .absent: return false
        case .live: throw TextError(.io, "a server is already listening on this socket (not replaced)", location: path)
        case .notASocket: throw TextError(.io, "exists and is not a socket (not replaced)", location: path)
        case .stale:
            guard unlink(path) == 0 else {
                throw TextError(.io, "cannot remove the stale socket: \(String(cString: strerror(errno)))", location: path)
            }
            return true
        }
    }
}
