import SystemPackage
import QingtingText

#if canImport(Glibc)
import Glibc
import QingtingCore
#endif

/// Getting the socket path ready: a stale socket file from a crashed run is replaced, a live one
/// (a server answers on it) is not stolen, and a file that is not a socket is never deleted.
public enum SocketPath {
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
            throw QingtingError(.io, "socket path is \(bytes.count) bytes, the limit is \(capacity - 1)", location: path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Makes `path` free to bind: creates a missing parent folder (mode 0700), refuses a folder
    /// another user could write in (`checkFolder`), removes a stale socket.
    /// - Returns: whether a stale socket was removed.
    /// - Throws: when a server is live on it, or it is not a socket, or the folder cannot be made or trusted.
    static func prepare(_ path: String) throws -> Bool {
        let folder = folder(of: path)
        if access(folder, F_OK) != 0, mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw QingtingError(.io, "cannot create the socket's folder: \(Errno(rawValue: errno).description)", location: folder)
        }
        try checkFolder(folder, owners: [geteuid()])
        _ = try unixAddress(path)
        switch state(of: path) {
        case .absent: return false
        case .live: throw QingtingError(.io, "a server is already listening on this socket (not replaced)", location: path)
        case .notASocket: throw QingtingError(.io, "exists and is not a socket (not replaced)", location: path)
        case .stale:
            guard unlink(path) == 0 else {
                throw QingtingError(.io, "cannot remove the stale socket: \(Errno(rawValue: errno).description)", location: path)
            }
            return true
        }
    }

    /// Checks, before a client connects (and sends a token), that the socket is one only a trusted
    /// user can have put there: its folder passes `checkFolder`, and the socket itself is a socket
    /// owned by this user, root, or one of `owners`.
    public static func checkTrusted(_ path: String, owners: Set<UInt32> = []) throws {
        let trusted = owners.union([geteuid()])
        try checkFolder(folder(of: path), owners: trusted)
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there: connecting will say so
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw QingtingError(.io, "is not a socket (not connecting)", location: path)
        }
        guard info.st_uid == 0 || trusted.contains(info.st_uid) else {
            throw QingtingError(.io, "the socket belongs to uid \(info.st_uid), not to this user (\(geteuid())) or root; not connecting (call --socket-owner \(info.st_uid) trusts it)",
                            location: path)
        }
    }

    /// A socket's folder is trusted when it is a directory owned by root or one of `owners`, and
    /// no other user can add or replace files in it: not writable by group or others, unless it is
    /// a sticky folder such as /tmp (there only a file's owner may rename or delete it). This is
    /// the check ssh-agent, tmux and systemd make; without it another local user could create
    /// `/tmp/qingting-$UID` first and listen in it.
    static func checkFolder(_ folder: String, owners: Set<UInt32>) throws {
        var info = stat()
        guard stat(folder, &info) == 0 else {
            throw QingtingError(.io, "cannot use the socket's folder: \(Errno(rawValue: errno).description)", location: folder)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw QingtingError(.io, "the socket's folder is not a directory", location: folder) }
        let mode = info.st_mode & 0o7777
        guard info.st_uid == 0 || owners.contains(info.st_uid) else {
            throw QingtingError(.io, "the socket's folder belongs to uid \(info.st_uid), not to this user (\(geteuid())); another user may have made it: remove it, or choose another --socket",
                            location: folder)
        }
        let sticky = mode & UInt32(S_ISVTX) != 0 && info.st_uid == 0
        guard mode & 0o022 == 0 || sticky else {
            throw QingtingError(.io, "the socket's folder is writable by other users (mode \(String(mode, radix: 8))): chmod 700 it, or choose another --socket",
                            location: folder)
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
