// peer-compare serve: load on `qingting serve` from its own client — N connections, each with
// DEPTH pipelined `text.analyze` requests of short social comments — throughput and latency
// percentiles, beside the same comments through `qingting analyze` in batch.
import Foundation
import QingtingText
import QingtingCore

/// One client connection: its socket, the send time of each unanswered request (answers come
/// back in order on a connection), and bytes read but not yet cut into lines.
private final class LoadConnection {
    let fd: Int32
    var sentAt: [Double] = []
    var head = 0
    var partial = 0
    var unsent: [UInt8] = []
    init(fd: Int32) { self.fd = fd }
    var outstanding: Int { sentAt.count - head }
}

private func connectUnix(_ path: String) -> Int32? {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        let bytes = Array(path.utf8)
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    if result != 0 { close(fd); return nil }
    return fd
}

struct LoadResult { var requests: Int; var seconds: Double; var latencies: [Double]; var errors: Int }

/// Runs the closed-loop load for `seconds` after `warmup` seconds.
private func runLoad(socket path: String, requests: [[UInt8]], connections: Int, depth: Int,
                     warmup: Double, seconds: Double) -> LoadResult {
    var conns: [LoadConnection] = []
    for _ in 0..<connections {
        guard let fd = connectUnix(path) else { fatalError("cannot connect to \(path)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        conns.append(LoadConnection(fd: fd))
    }
    var next = 0
    var latencies: [Double] = []
    latencies.reserveCapacity(Int(seconds * 40_000))
    var errors = 0
    let start = now()
    let measureFrom = start + warmup, end = measureFrom + seconds
    var measured = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var polls = conns.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }

    func fill(_ c: LoadConnection, at time: Double) {
        while c.outstanding < depth {
            c.unsent += requests[next % requests.count]
            next += 1
            c.sentAt.append(time)
        }
        while !c.unsent.isEmpty {
            let n = c.unsent.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            c.unsent.removeFirst(n)
        }
    }
    for c in conns { fill(c, at: now()) }
    while true {
        let t = now()
        if t >= end { break }
        for i in polls.indices {
            polls[i].events = Int16(POLLIN) | (conns[i].unsent.isEmpty ? 0 : Int16(POLLOUT))
        }
        _ = poll(&polls, nfds_t(polls.count), 100)
        let arrived = now()
        for i in polls.indices where polls[i].revents != 0 {
            let c = conns[i]
            if polls[i].revents & Int16(POLLIN) != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { fatalError("server closed a connection") }
                for k in 0..<n {
                    let byte = buffer[k]
                    if byte == 0x0A {
                        let sent = c.sentAt[c.head]
                        c.head += 1
                        if sent >= measureFrom && arrived <= end { latencies.append(arrived - sent); measured += 1 }
                        c.partial = 0
                    } else if c.partial == 32, byte == UInt8(ascii: "e") {
                        // `{"jsonrpc":"2.0","id":NNN,"error"` — counted roughly by the first letter after the id.
                        errors += 1
                    } else {
                        c.partial += 1
                    }
                }
                if c.head > 4096 { c.sentAt.removeFirst(c.head); c.head = 0 }
            }
            fill(c, at: arrived)
        }
    }
    for c in conns { close(c.fd) }
    return LoadResult(requests: measured, seconds: seconds, latencies: latencies.sorted(), errors: errors)
}

private func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p / 100))]
}

func serveBenchmark(connections: [Int], depth: Int, seconds: Double) throws {
    let root = repositoryRoot()
    let qingting = "\(root)/.build/release/qingting"
    guard FileManager.default.isExecutableFile(atPath: qingting) else {
        print("build the CLI first: (cd \(root) && swift build -c release --product qingting)")
        exit(1)
    }
    // Short social comments: the texts of the project's development set.
    let texts = try String(contentsOfFile: "\(root)/Models/corpus/sentiment-dev.tsv", encoding: .utf8)
        .split(separator: "\n").filter { !$0.hasPrefix("#") }
        .compactMap { $0.split(separator: "\t", maxSplits: 1).last.map(String.init) }
    let meanBytes = texts.reduce(0) { $0 + $1.utf8.count } / max(1, texts.count)
    let requests: [[UInt8]] = texts.enumerated().map { index, text in
        var line = "{\"jsonrpc\":\"2.0\",\"id\":\(index),\"method\":\"text.analyze\",\"params\":{\"text\":"
        JSON.appendString(text, to: &line)
        return Array((line + "}}\n").utf8)
    }
    let socketPath = NSTemporaryDirectory() + "qingting-bench-\(getpid()).sock"
    let server = Process()
    server.executableURL = URL(fileURLWithPath: qingting)
    server.arguments = ["serve", "--socket", socketPath, "--log-level", "warning"]
    server.currentDirectoryURL = URL(fileURLWithPath: root)
    try server.run()
    defer { server.terminate(); server.waitUntilExit() }
    let deadline = now() + 10
    while connectUnix(socketPath).map({ close($0); return true }) != true {
        guard now() < deadline else { print("the server did not start"); exit(1) }
        usleep(20_000)
    }
    print("comments: \(texts.count) short posts (Models/corpus/sentiment-dev.tsv, mean \(meanBytes) bytes); pipeline depth \(depth); \(seconds) s per row after 1 s warm-up; client and server on this machine (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
    print(String(repeating: "-", count: 78))
    print("connections   requests/s      p50 ms    p90 ms    p99 ms    max ms   errors")
    for n in connections {
        let r = runLoad(socket: socketPath, requests: requests, connections: n, depth: depth, warmup: 1, seconds: seconds)
        let rate = Double(r.requests) / r.seconds
        print(String(format: "%11d %12.0f %11.3f %9.3f %9.3f %9.3f %8d", n, rate,
                     percentile(r.latencies, 50) * 1e3, percentile(r.latencies, 90) * 1e3,
                     percentile(r.latencies, 99) * 1e3, (r.latencies.last ?? .nan) * 1e3, r.errors))
    }
    print(String(repeating: "-", count: 78))

    // The same comments through the CLI in batch (as JSONL, 2 threads), for comparison.
    let copies = 100
    let batchFile = NSTemporaryDirectory() + "qingting-serve-batch.jsonl"
    var jsonl = ""
    for copy in 0..<copies {
        for (index, text) in texts.enumerated() {
            var line = "{\"id\":\(copy * texts.count + index),\"text\":"
            JSON.appendString(text, to: &line)
            jsonl += line + "}\n"
        }
    }
    try jsonl.write(toFile: batchFile, atomically: true, encoding: .utf8)
    for threads in [1, 2] {
        var seconds = Double.infinity
        for _ in 0..<3 {
            let run = try runProcess(qingting, ["analyze", "--threads", "\(threads)", "--file", batchFile])
            seconds = min(seconds, run.seconds)
        }
        print(String(format: "CLI batch `qingting analyze --threads %d` on the same comments ×%d: %.0f docs/s", threads, copies,
                     Double(texts.count * copies) / seconds))
    }
}
