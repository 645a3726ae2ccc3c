import Dispatch
public import OrderedCollections
import QingtingCore
public import QingtingIngest

extension EventPipeline {
    /// What an ingest run did, counted only from committed transactions.
    public struct Summary: Sendable {
        /// Payloads read (non-blank lines, or CSV rows).
        public var received = 0
        /// Events the payloads gave.
        public var events = 0
        public var stored = 0
        public var duplicates = 0
        /// Rejections (whole payloads, or single items of a batch payload), by reason code.
        public var rejected: OrderedDictionary<String, Int> = [:]
        /// Stored events whose author resolved to a customer.
        public var linked = 0
        public var seconds = 0.0

        public init() {}

        public var rejectedCount: Int { rejected.values.reduce(0, +) }

        public mutating func add(_ result: EventPipeline.Result) {
            received += 1
            events += result.events.count
            for e in result.events {
                switch e.status {
                case .stored:
                    stored += 1
                    if e.customer != nil { linked += 1 }
                case .duplicate: duplicates += 1
                }
            }
            for r in result.rejections { rejected[r.code.rawValue, default: 0] += 1 }
        }

        /// `{"received":…,"events":…,"stored":…,"duplicates":…,"rejected":N,"rejected_by_reason":{…},
        /// "linked":…,"seconds":…,"events_per_second":…}`; reasons in alphabetical order.
        public var json: String {
            var w = JSONWriter()
            w.object { w in
                w.member("received", received)
                w.member("events", events)
                w.member("stored", stored)
                w.member("duplicates", duplicates)
                w.member("rejected", rejectedCount)
                w.member("rejected_by_reason") { w in
                    w.object { w in for (reason, n) in rejected.sorted(by: { $0.key < $1.key }) { w.member(reason, n) }
                    }
                }
                w.member("linked", linked)
                w.member("seconds", seconds, digits: 3)
                w.member("events_per_second", seconds > 0 ? Double(events) / seconds : 0, digits: 1)
            }
            return w.text
        }
    }

    /// Ingests payload files (`-`: standard input), one payload per line; a generic export
    /// (`platform` generic) is read through the mapping, CSV when the name ends in `.csv`.
    ///
    /// Lines are read in batches of `batchSize`; each batch is prepared on `threads` threads and
    /// appended in one transaction while the next batch is prepared, so memory stays bounded and
    /// parsing and analysis overlap the commits. Results reach `committed` in input order, after
    /// their transaction has committed.
    /// - Parameters:
    ///   - committed: each payload's result, after its commit (rejections are located `file:line`).
    /// - Throws: an unreadable file (`.io`), a mapping missing for `generic`, or a failed commit.
    public func ingest(
        files: [String], platform: Platform?, threads: Int = 1, batchSize: Int = 1024,
        committed: (EventPipeline.Result) -> Void
    ) throws -> Summary {
        let start = Monotonic.seconds()
        var summary = Summary()
        let writer = DispatchQueue(label: "qingting.ingest.writer")
        let group = DispatchGroup()
        let box = AppendBox()

        func drain() throws {
            group.wait()
            if let error = box.error { throw error }
            for result in box.results {
                summary.add(result)
                committed(result)
            }
            box.results = []
        }
        func submit(_ prepared: [Prepared]) throws {
            try drain()
            guard !prepared.isEmpty else { return }
            group.enter()
            writer.async {
                do { box.results = try self.append(prepared) } catch { box.error = error }
                group.leave()
            }
        }

        var lines: [(bytes: [UInt8], location: String)] = []
        lines.reserveCapacity(batchSize)
        func flushLines() throws {
            let batch = lines.map { (payload: Payload($0.bytes), location: Optional($0.location)) }
            lines.removeAll(keepingCapacity: true)
            try submit(prepare(batch, platform: platform, threads: threads))
        }

        for path in files {
            if platform == .generic {
                var rows: [(outcome: Ingest.Outcome, bytes: [UInt8], location: String?)] = []
                try GenericExport.read(path, configuration: ingestConfiguration) { line, outcome in
                    rows.append((outcome, outcome.events.first?.raw ?? [], "\(path):\(line)"))
                    if rows.count >= batchSize {
                        try submit(prepare(rows, threads: threads))
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                try submit(prepare(rows, threads: threads))
                continue
            }
            try FileIO.forEachLine(path) { bytes, line in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
                lines.append((Array(bytes), "\(path):\(line)"))
                if lines.count >= batchSize { try flushLines() }
            }
            try flushLines()
        }
        try drain()
        summary.seconds = Monotonic.seconds() - start
        return summary
    }
}

/// Where the writer thread leaves a batch's results for the reading thread.
private final class AppendBox: @unchecked Sendable {
    // @unchecked: written by the writer queue between `group.enter()` and `group.leave()`, read by
    // the reading thread only after `group.wait()`; the group orders the two.
    var results: [EventPipeline.Result] = []
    var error: (any Error)?
}
