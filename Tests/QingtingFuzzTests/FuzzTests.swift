import QingtingFuzz
import TestSupport
import Testing

/// A short run of every fuzz target with a fixed seed: 500 inputs each (the rule and roles parsers, slower, 150), every
/// invariant checked (scripts/fuzz.sh runs a million each in release).
@Suite struct FuzzTests {
    static let targets = try! FuzzTarget.all(root: TestPaths.root)

    @Test(arguments: targets.map(\.name))
    func shortRun(_ name: String) {
        let target = Self.targets.first { $0.name == name }!
        let count: UInt64 = ["rules", "roles"].contains(name) ? 150 : 500
        let report = target.run(seed: 20_260_101, count: count)
        #expect(report.inputs == count)
        for failure in report.failures.prefix(5) {
            Issue.record("\(name) input \(failure.index): \(failure.problem)")
        }
    }

    @Test func inputsRepeatForASeed() {
        let target = Self.targets.first { $0.name == "json" }!
        #expect(target.mutator.input(12345, seed: 7) == target.mutator.input(12345, seed: 7))
        #expect((0..<200).contains { target.mutator.input($0, seed: 7) != target.mutator.input($0, seed: 8) })
    }
}
