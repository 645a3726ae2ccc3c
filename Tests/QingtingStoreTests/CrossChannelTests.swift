import GRDB
import QingtingCore
@testable import QingtingStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Cross-channel retention read through `kpi_active.cross_since`: the same customers as counting
/// each window's platforms per customer, whatever order the activity arrived in, and the same
/// column after the aggregates are rebuilt from the rows.
@Suite struct CrossChannelTests {
    func scratch(_ name: String) -> (String, () -> Void) {
        let path = "/tmp/qingting-cross-\(name)-\(getpid()).sqlite"
        let remove = { for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) } }
        remove()
        return (path, remove)
    }

    static func day(_ n: Int) -> String { "2026-11-" + (n < 10 ? "0\(n)" : "\(n)") }

    /// The customers with two or more platforms within `from..<until`, counted the plain way.
    static func expected(_ rows: [(day: Int, customer: String, platform: String)], from: Int, until: Int) -> Set<String> {
        var platforms: [String: Set<String>] = [:]
        for r in rows where r.day >= from && r.day < until { platforms[r.customer, default: []].insert(r.platform) }
        return Set(platforms.filter { $0.value.count >= 2 }.keys)
    }

    @Test(arguments: [1, 2, 3]) func everyWindowCountsTheCustomersOnTwoPlatforms(seed: UInt64) throws {
        let (path, remove) = scratch("random-\(seed)")
        defer { remove() }
        let store = try CRMStore(path: path, durability: .normal)
        var rng = SplitMix(seed: seed)
        var rows: [(day: Int, customer: String, platform: String)] = []
        for _ in 0..<400 {
            rows.append((1 + Int(rng.next() % 28), "C\(rng.next() % 40)", ["weibo", "wechat", "douyin"][Int(rng.next() % 3)]))
        }
        // In random order (late events), in transactions of random size.
        var pending = rows
        while !pending.isEmpty {
            let n = min(pending.count, 1 + Int(rng.next() % 30))
            let batch = pending.prefix(n)
            pending.removeFirst(n)
            try store.write(now: 0) { tx in
                for r in batch { try tx.active(day: Self.day(r.day), customer: r.customer, platform: r.platform) }
            }
        }
        for (from, until) in [(1, 29), (5, 6), (10, 17), (20, 29), (3, 4), (14, 28)] {
            let want = Self.expected(rows, from: from, until: until)
            let got = try store.crossChannelCustomers(fromDay: Self.day(from), untilDay: Self.day(until))
            #expect(Set(got) == want && got == got.sorted(), "window \(from)..<\(until)")
            let returned = want.filter { c in rows.contains { $0.customer == c && $0.day >= until && $0.day < until + (until - from) } }
            let counted = try store.crossChannelRetention(fromDay: Self.day(from), untilDay: Self.day(until),
                                                          nextUntilDay: Self.day(until + (until - from)))
            #expect(counted.cross == want.count && counted.returned == returned.count, "window \(from)..<\(until)")
        }
        // The column is a function of the rows: refilled from them, nothing changes.
        let queue = try DatabaseQueue(path: path)
        let read = "SELECT day, customer, platform, cross_since FROM kpi_active ORDER BY day, customer, platform"
        let before = try queue.read { try Row.fetchAll($0, sql: read).map { "\($0)" } }
        try queue.write { try $0.execute(sql: CRMStore.fillCrossSince) }
        #expect(try queue.read { try Row.fetchAll($0, sql: read).map { "\($0)" } } == before)
    }

    /// Deterministic pseudo-random numbers (SplitMix64), so a failing seed can be rerun.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
