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
    /// On SIGTERM/SIGINT, how long connections get to finish what they have read; after it every
    /// connection is closed and `run()` returns, whatever is still running.
    public var shutdownGrace: Duration = .seconds(10)
    /// Bytes of request lines read but not yet answered on one connection; a line past it is
    /// answered with -32002 (a connection with nothing queued may always queue one line).
    public var maxQueuedBytesPerConnection = 64 << 20
    /// The same over all connections together.
    public var maxQueuedBytes = 256 << 20
    /// A request line whose first bytes arrived this long ago without its newline: the connection
    /// is answered with -32600 and closed (so stalled half-lines cannot hold connections forever).
    public var readTimeout: Duration = .seconds(10)
    /// A connection with nothing to read, nothing queued and nothing being answered for this long
    /// is answered with -32600 and closed.
    public var idleTimeout: Duration = .seconds(300)
    /// Lines at least this long are answered on a separate thread ("the heavy lane"), one at a
    /// time, so that a few huge requests never hold the threads every other connection needs.
    public var heavyLineBytes = 64 << 10
    /// Descriptors kept free below the process's open-file limit: connections are capped so that
    /// one over the cap can still be accepted and answered with -32002, and reloads can open files.
    public var reservedDescriptors = 32

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
