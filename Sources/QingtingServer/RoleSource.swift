import Logging
import QingtingCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The roles file a server runs with. A watched file is looked at again at most once a second,
/// when a call asks for the policy: when its size, time or inode changed (an edit, or `qingting
/// roles grant` writing a grant) it is read again, so a new grant works without a restart. A
/// file that no longer reads keeps the policy in force and is logged with its `file:line`
/// errors (never a token: the file holds token names only).
public final class RoleSource: Sendable {
    /// The shipped `Lexicons/roles.txt`; when it cannot be found or read, a policy with only
    /// `admin` (every method) and no anonymous role, so a missing file never opens anything up.
    public static let shipped: RoleSource = RoleSource((try? RolePolicy.load(nil)) ?? RolePolicy.ownerOnly)

    private struct State {
        var policy: RolePolicy
        var stamp: Stamp?
        var lastLook: ContinuousClock.Instant
    }

    private struct Stamp: Equatable {
        var size: Int64, seconds: Int, nanoseconds: Int, inode: UInt64
    }

    private let path: String?
    private let state: Mutex<State>
    private let logger = Logger(label: "qingting.roles")

    /// A policy that stays as it is.
    public init(_ policy: RolePolicy) {
        path = nil
        state = Mutex(State(policy: policy, stamp: nil, lastLook: .now))
    }

    /// The roles file at `path`, read now and again whenever it changes.
    /// - Throws: `QingtingErrors` as `file:line: what` when it does not read now.
    public init(watching path: String) throws {
        self.path = path
        let stamp = Self.stamp(path)
        state = Mutex(State(policy: try RolePolicy.load(path), stamp: stamp, lastLook: .now))
    }

    /// The policy in force.
    public var policy: RolePolicy {
        guard let path else { return state.withLock { $0.policy } }
        return state.withLock { state in
            let now = ContinuousClock.now
            guard now - state.lastLook >= .seconds(1) else { return state.policy }
            state.lastLook = now
            let stamp = Self.stamp(path)
            guard stamp != state.stamp else { return state.policy }
            state.stamp = stamp
            do {
                state.policy = try RolePolicy.load(path)
                logger.notice("read the roles file again", metadata: ["version": "\(state.policy.version)"])
            } catch {
                logger.error("the changed roles file does not read; the roles in force stay: \(error)")
            }
            return state.policy
        }
    }

    private static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Stamp(size: Int64(st.st_size), seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec, inode: UInt64(st.st_ino))
    }
}

extension RolePolicy {
    /// Only `admin`, with every method and no field declared: what runs when no roles file is found.
    public static let ownerOnly = RolePolicy(
        source: "(built in)", version: "owner-only", hash: "", fields: [],
        roles: [Role(name: ownerRole, summary: "Everything.", methods: Set(RPCEngine.methodNames), fields: [],
                     ticketedOnly: false, location: "(built in)")],
        grants: [], anonymous: nil)
}
