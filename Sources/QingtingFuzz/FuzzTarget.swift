import QingtingCore

/// One thing to fuzz: its seed inputs, the tokens its mutator inserts, and the check of one input.
///
/// `check` returns nil when the input kept every invariant, else what broke (without the input's
/// text: the input itself is on disk). A trap in the code under test kills the process; the runner
/// leaves that input on disk for the script to keep.
public struct FuzzTarget: Sendable {
    public let name: String
    public let mutator: Mutator
    public let check: @Sendable ([UInt8]) -> String?

    public init(name: String, seeds: [[UInt8]], dictionary: [String] = [], check: @escaping @Sendable ([UInt8]) -> String?) {
        self.name = name
        self.mutator = Mutator(seeds: seeds, dictionary: dictionary.map { Array($0.utf8) })
        self.check = check
    }
}

extension FuzzTarget {
    /// Every target, by name: `json`, `framer`, `adapter-<platform>` for each platform (`generic`
    /// through the fixtures' field mapping), `mapping` (field-mapping files) and `rules`.
    /// - Parameter root: the repository, whose fixtures and shipped rule file are the seeds.
    public static func all(root: String) throws -> [FuzzTarget] {
        let seeds = try Seeds(root: root)
        return try [json(seeds), framer(seeds)] + adapters(seeds) + [mapping(seeds), rules(seeds), roles(seeds)]
    }
}

/// What one run of a target gave.
public struct FuzzReport: Sendable {
    public var inputs: UInt64 = 0
    /// Inputs that broke an invariant: their number and what broke.
    public var failures: [(index: UInt64, problem: String)] = []
}

extension FuzzTarget {
    /// Runs inputs `start..<start + count` of the run with `seed`; `before` sees each input first
    /// (the runner writes it to disk there, so a trap leaves it behind).
    public func run(
        seed: UInt64, start: UInt64 = 0, count: UInt64, before: ([UInt8], UInt64) -> Void = { _, _ in }
    ) -> FuzzReport {
        var report = FuzzReport()
        for index in start..<start + count {
            let input = mutator.input(index, seed: seed)
            before(input, index)
            if let problem = check(input) { report.failures.append((index, problem)) }
            report.inputs += 1
        }
        return report
    }
}
