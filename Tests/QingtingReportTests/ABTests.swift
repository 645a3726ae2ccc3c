import QingtingCore
@testable import QingtingProfile
import Testing
import TestSupport

@testable import QingtingReport

/// The A/B statistics on plain counts (a textbook case and hand-computed ones), the stable
/// assignment, and the experiments file's errors.
@Suite struct ABTests {
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }

    /// OpenIntro Statistics (4th ed., Diez, Çetinkaya-Rundel, Barr), §6.2.3 "Hypothesis tests for
    /// the difference of two proportions", the mammogram study (Canadian National Breast Screening
    /// Study): 500 deaths of 44,925 in the mammogram group, 505 of 44,910 in the control group.
    /// The book pools p̂ = 1005/89835 = 0.0112, gets SE = 0.00070, Z = −0.17 and a p-value of 0.8650
    /// (its Z rounded to two places before the table look-up).
    @Test func twoProportionZTestMatchesTheTextbookMammogramCase() throws {
        let c = try #require(ProportionStatistics.compare((505, 44_910), (500, 44_925)))
        // By hand, unrounded: p̂_a = 505/44910, p̂_b = 500/44925, pooled 1005/89835,
        // SE = √(p̂(1−p̂)(1/44910 + 1/44925)) = 0.000701822…, z = −0.000115051 / SE = −0.163933.
        let pa = 505.0 / 44_910, pb = 500.0 / 44_925, pooled = 1005.0 / 89_835
        let se = (pooled * (1 - pooled) * (1 / 44_910.0 + 1 / 44_925.0)).squareRoot()
        #expect(Self.close(c.difference, pb - pa))
        #expect(Self.close(c.z, (pb - pa) / se))
        #expect(Self.close(c.z, -0.1639329561578003, 1e-9))
        #expect(Self.close(c.pValue, 0.8697839227860011, 1e-9))
        // The book's rounded figures.
        #expect(Self.close(se, 0.00070, 0.000005))
        #expect(Self.close(c.z, -0.17, 0.01))
        #expect(Self.close(c.pValue, 0.8650, 0.01))
        #expect(c.low < 0 && c.high > 0)
    }

    /// 100 of 1000 against 130 of 1000, by hand: pooled 0.115, SE = √(0.115·0.885·0.002) = 0.0142670,
    /// z = 0.03 / 0.0142670 = 2.10274, p = erfc(2.10274/√2) = 0.035488; the unpooled SE
    /// √(0.1·0.9/1000 + 0.13·0.87/1000) = 0.0143670 gives 0.03 ± 1.95996·0.0143670 = (0.002068, 0.057932).
    @Test func aSignificantDifferenceByHand() throws {
        let c = try #require(ProportionStatistics.compare((100, 1000), (130, 1000)))
        #expect(Self.close(c.difference, 0.03, 1e-12))
        #expect(Self.close(c.z, 2.102740605622114, 1e-9))
        #expect(Self.close(c.pValue, 0.03548845046647473, 1e-9))
        #expect(Self.close(c.low, 0.0020679344393763656, 1e-9))
        #expect(Self.close(c.high, 0.057932065560623636, 1e-9))
        // The sign of z follows the treatment, the p-value does not.
        let reversed = try #require(ProportionStatistics.compare((130, 1000), (100, 1000)))
        #expect(Self.close(reversed.z, -c.z, 1e-12) && Self.close(reversed.pValue, c.pValue, 1e-12))
        // No variation at all: no evidence, not a division by zero.
        let flat = try #require(ProportionStatistics.compare((0, 50), (0, 50)))
        #expect(flat.z == 0 && flat.pValue == 1)
        #expect(ProportionStatistics.compare((0, 0), (1, 10)) == nil)
    }

    /// Wilson's interval by hand: 130/1000 → (0.110564, 0.152268); 0/10 → (0, 0.277533), where the
    /// normal (Wald) interval would collapse to (0, 0).
    @Test func wilsonIntervalsByHand() {
        let a = ProportionStatistics.wilson(130, 1000)
        #expect(Self.close(a.low, 0.11056377462484193, 1e-9) && Self.close(a.high, 0.1522680266544689, 1e-9))
        let b = ProportionStatistics.wilson(0, 10)
        #expect(b.low == 0 && Self.close(b.high, 0.2775327998628892, 1e-9))
        #expect(ProportionStatistics.wilson(0, 0) == (0, 1))
    }

    @Test func smallSamplesWarnAndLargeOnesDoNot() {
        #expect(ProportionStatistics.smallSampleWarning([("a", 100, 1000), ("b", 130, 1000)], minSample: 100) == nil)
        let few = ProportionStatistics.smallSampleWarning([("a", 3, 200), ("b", 9, 200)], minSample: 100)
        #expect(few?.contains("a has 3 conversions") == true)
        #expect(few?.contains("b has 9 conversions") == true)
        let small = ProportionStatistics.smallSampleWarning([("a", 20, 50), ("b", 25, 60)], minSample: 100)
        #expect(small?.contains("a has 50 customers (fewer than 100)") == true)
        // Every customer converting leaves no non-conversions to compare.
        #expect(ProportionStatistics.smallSampleWarning([("a", 500, 500), ("b", 400, 500)], minSample: 100) != nil)
    }

    /// The unit is SHA-256("salt:id")'s first 8 bytes, top 53 bits over 2^53 (computed with
    /// Python's hashlib: `int.from_bytes(sha256(b"salt:C001").digest()[:8], "big") >> 11) / 2**53`).
    @Test func assignmentIsAStableHashSplitByWeight() throws {
        #expect(Experiment.unit(salt: "salt", customer: "C001") == 0.6422088362096414)
        #expect(Experiment.unit(salt: "coupon-copy-2026q1", customer: "C001") == 0.7934290976864156)
        let shipped = try ExperimentFile.load("\(TestPaths.root)/\(ExperimentFile.shippedPath)")
        let e = try shipped.experiment("coupon-copy-2026q1")
        #expect(e.salt == e.name && e.control == "plain")
        #expect(e.assign("C001").name == "deadline")  // 0.793 ≥ 0.5
        // Weights 1 : 3 put about a quarter in the first variant; a zero weight gets nobody.
        var split = Experiment(name: "x", variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 3),
                                                     .init(name: "off", weight: 0)], start: 0, end: 1)
        var counts: [String: Int] = [:]
        for i in 0..<10_000 { counts[split.assign("C\(i)").name, default: 0] += 1 }
        #expect((2300...2700).contains(counts["a"] ?? 0), "\(counts)")
        #expect(counts["off"] == nil)
        // Another salt splits the same customers independently.
        split.salt = "other"
        let moved = (0..<1000).filter { i in
            split.assign("C\(i)").name != Experiment(name: "x", variants: split.variants, start: 0, end: 1).assign("C\(i)").name
        }
        #expect(moved.count > 200)
    }

    @Test func experimentFileErrorsNameTheFileAndPath() throws {
        let doc = #"""
            {"experiments":[
              {"name":"e1","variants":[{"name":"a","weight":1}],"control":"z","start":"2026-02-01","end":"2026-01-01",
               "conversion":{"kinds":[]},"colour":"red"},
              {"name":"e2","variants":[{"name":"a"},{"name":"b","weight":-1}],"start":"soon","end":"2026-01-01"}
            ]}
            """#
        do {
            _ = try ExperimentFile.parse(try JSONValue.parse(doc), file: "exp.json")
            Issue.record("a bad file was accepted")
        } catch let errors as QingtingErrors {
            let text = errors.description
            for expected in [
                "exp.json: $.experiments[0].colour: unknown member",
                "exp.json: $.experiments[0].variants: expected at least two variants",
                "exp.json: $.experiments[0].control: 'z' is not one of the variants",
                "exp.json: $.experiments[0].end: must be after start",
                "exp.json: $.experiments[0].conversion: give kinds, intents or both",
                "exp.json: $.experiments[1].variants[1].weight: expected a number in 0.0...1000000000.0, got -1",
                "exp.json: $.experiments[1].start: expected a time",
                "exp.json: $.experiments[1].conversion: missing",
            ] {
                #expect(text.contains(expected), "\(expected) not in\n\(text)")
            }
        }
        let file = try ExperimentFile.parse(
            try JSONValue.parse(#"{"experiments":[{"name":"ok","salt":"s1","variants":[{"name":"a"},{"name":"b","weight":2}],"start":"2026-01-01T00:00:00Z","end":"2026-02-01","conversion":{"intents":["purchase"],"min_probability":0.7},"population":"silent"}]}"#),
            file: "ok.json")
        let e = try file.experiment("ok")
        #expect(e.salt == "s1" && e.control == "a" && e.population == "silent" && e.variants[1].weight == 2)
        #expect(e.conversion == Experiment.Conversion(kinds: [], intents: ["purchase"], minProbability: 0.7))
        #expect(throws: QingtingError.self) { try file.experiment("nope") }
    }
}
