#if canImport(Glibc)
import Glibc
#endif

/// Where the server listens and the limits it enforces (each answered with an error, never a
/// silent drop).
public struct ServerConfiguration: Sendable {
    public var socketPath: String
    /// Permission bits of the socket file (0600: only the owner's processes may connect).
    public var socketMode: UInt32 = 0o600
    /// Longest request line; longer ones are answered with -32003 and skipped.
    public var maxLineBytes = 16 << 20
    /// Open connections; one more is answered with -32002 and closed.
    public var maxConnections = 1024
    /// Requests read but not yet answered on one connection; more are answered with -32002.
    public var maxInFlightPerConnection = 1024
    /// A connection whose responses cannot be written for this long (its peer does not read) is closed.
    public var writeStallTimeout: Duration = .seconds(30)
    /// On SIGTERM/SIGINT, how long connections get to finish what they have read.
    public var shutdownGrace: Duration = .seconds(10)

    public init(socketPath: String = ServerConfiguration.defaultSocketPath) {
        self.socketPath = socketPath
    }

    /// `$XDG_RUNTIME_DIR/qingting.sock`, else `/tmp/qingting-$UID/qingting.sock`.
    public static var defaultSocketPath: String {
        if let runtime = getenv("XDG_RUNTIME_DIR"), runtime.pointee != 0 {
            return String(cString: runtime) + "/qingting.sock"
        }
        return "/tmp/qingting-\(getuid())/qingting.sock"
    }
}
