import OrderedCollections
#if canImport(Glibc)
import Glibc
#endif
import QingtingMatch
import QingtingText
import Testing
import QingtingCore

/// Settings, blocking, clustering and the whole social pipeline on generated data.
@Suite struct LinkageTests {
    static let cities = try! CityLexicon.load(path: TestFiles.root + "/Lexicons/cities.tsv")

    func settings(_ text: String) throws -> LinkSettings {
        try LinkSettings(json: try JSONValue.parse(text), path: "s.json")
    }

    @Test func badSettingsNameTheFileAndTheValue() {
        func error(_ text: String) -> String {
            do { _ = try settings(text); return "" } catch { return "\(error)" }
        }
        #expect(error(#"{"comparisons": [{"name": "a", "levels": [{"jaro": 0.9}]}], "blocking_rules": [["a"]]}"#)
            .contains("s.json: comparisons[0].levels[0]: unknown level 'jaro'"))
        #expect(error(#"{"columns": {"x": {"from": "a", "transform": "soundex"}}}"#).contains("columns.x.transform: unknown transform 'soundex'"))
        #expect(error(#"{"threshold": 1.5, "comparisons": [{"name": "a", "levels": [{"exact": true}]}]}"#).contains("threshold is a probability"))
        #expect(error(#"{"colums": {}}"#).contains("unknown setting 'colums'"))
        #expect(error(#"{"link_type": "merge"}"#).contains("unknown link type 'merge'"))
    }

    func records(_ rows: [(String, UInt8, String, String)]) -> RecordSet {
        var r = RecordSet(columnNames: ["name", "city"])
        for (id, source, name, city) in rows { r.append(id: id, source: source, values: [[name], [city]]) }
        return r
    }

    @Test func blockingRespectsTheLinkTypeAndTheBlockLimit() throws {
        var s = try settings(#"{"link_type": "link_to_master", "comparisons": [{"name": "name", "levels": [{"exact": true}]}], "blocking_rules": [["city"]], "max_block_size": 4}"#)
        let set = records([("c1", 0, "王伟", "上海"), ("c2", 0, "王伟", "上海"), ("c3", 0, "李娜", "北京"), ("i1", 1, "王伟", "上海"),
                           ("i2", 1, "wangwei", "上海"), ("i3", 1, "李娜", "北京"), ("i4", 1, "x", "北京"), ("i5", 1, "y", "北京"), ("i6", 1, "z", "北京")])
        let (pairs, reports) = try Blocking(settings: s, records: set).candidatePairs()
        let named = Set(pairs.map { p -> String in let (i, j) = Blocking.split(p); return set.ids[i] + "-" + set.ids[j] })
        // Master–master (c1-c2) never; master–identity and identity–identity yes.
        #expect(named == ["c1-i1", "c1-i2", "c2-i1", "c2-i2", "i1-i2"])
        #expect(reports[0].skippedBlocks == 1 && reports[0].skippedRecords == 5)
        s.linkType = .linkOnly
        s.maxBlockSize = 100
        let cross = try Blocking(settings: s, records: set).candidatePairs().pairs
        #expect(cross.allSatisfy { p in let (i, j) = Blocking.split(p); return set.sources[i] == 0 && set.sources[j] == 1 })
    }

    @Test func unorderedKeysBlockSwappedColumnsTogether() throws {
        let s = try settings(#"{"link_type": "link_only", "comparisons": [{"name": "name", "levels": [{"exact": true}]}], "blocking_rules": [{"on": ["name", "city"], "unordered": true}]}"#)
        let set = records([("a", 0, "robert", "sheldon"), ("b", 1, "sheldon", "robert"), ("c", 1, "robert", "smith")])
        let pairs = try Blocking(settings: s, records: set).candidatePairs().pairs
        #expect(pairs == [Blocking.pair(0, 1)])
    }

    @Test func clustersNeverHoldTwoMasters() {
        let set = records([("c1", 0, "a", "x"), ("c2", 0, "b", "x"), ("i1", 1, "a", "x"), ("i2", 1, "b", "x")])
        let links: [PairScorer.Scored] = [
            .init(pair: Blocking.pair(0, 2), weight: 20, rule: -1),  // c1–i1
            .init(pair: Blocking.pair(1, 3), weight: 18, rule: -1),  // c2–i2
            .init(pair: Blocking.pair(2, 3), weight: 5, rule: -1),   // i1–i2 would merge c1 and c2
        ]
        var c = Clustering.cluster(links, records: set, threshold: 0.5, masters: true)
        #expect(c.masterOf(2) == 0 && c.masterOf(3) == 1)
        #expect(c.rejected == 1)
        #expect(c.clusterIds(set) == ["c1", "c2", "c1", "c2"])
    }

    /// The social preset end to end on 2,000 generated customers: deterministic links are
    /// (nearly) all right, and the whole run stays accurate.
    @Test func socialPresetLinksGeneratedIdentities() throws {
        let (run, links, truth) = try Self.socialRun(customers: 2000, dependenceLift: nil)
        let e = SocialPreset.evaluate(links, run: run, truth: truth)
        #expect(e.deterministicF1 >= 0.95)
        #expect(e.precision >= 0.9)
        #expect(e.f1 >= 0.75)
        // Every identity gets a line, and confirmed links name their rule.
        #expect(links.count == run.records.count - run.records.leftCount)
        let line = SocialPreset.line(links.first { $0.pair?.rule ?? -1 >= 0 }!, run: run)
        let json = try JSONValue.parse(line)
        #expect(json["status"] == .string("confirmed"))
        #expect(json["rule"]?.stringValue != nil)
        // The explanation names the comparisons that had values on both sides.
        let names = Set(run.model.comparisons.map(\.name))
        if case .array(let terms)? = json["explain"] {
            #expect(!terms.isEmpty && terms.allSatisfy { $0["comparison"]?.stringValue.map(names.contains) == true })
        } else { Issue.record("no explain") }
    }

    /// City and IP block are dependent (IP blocks belong to cities): training finds that and
    /// models the two jointly, and the model is at least as good as without the IP block.
    @Test func dependentComparisonsAreJoinedAndCostNothing() throws {
        let (run, links, truth) = try Self.socialRun(customers: 2000, dependenceLift: nil)
        #expect(run.model.joint.contains(["city", "ip_block"]))
        let withIP = SocialPreset.evaluate(links, run: run, truth: truth).f1
        let (run2, links2, _) = try Self.socialRun(customers: 2000, dependenceLift: nil, drop: "ip_block")
        let withoutIP = SocialPreset.evaluate(links2, run: run2, truth: truth).f1
        #expect(withIP >= withoutIP - 0.01)
    }

    @Test func modelFilesRoundTrip() throws {
        let (run, _, _) = try Self.socialRun(customers: 500, dependenceLift: nil)
        let path = "/tmp/qingting-link-model-\(getpid()).json"
        try run.model.write(to: path)
        let loaded = try LinkModel.load(path: path)
        #expect(loaded.comparisons == run.model.comparisons.map { c in
            var r = c
            r.m = c.m.map { Double("\($0)")! }
            return r
        })
        #expect(loaded.joint == run.model.joint)
        #expect(abs(loaded.prior - run.model.prior) < 1e-15)
        unlink(path)
    }

    static func socialRun(customers: Int, dependenceLift: Double?, drop: String? = nil)
        throws -> (LinkRun, [SocialPreset.IdentityLink], [String: SocialPreset.Truth]) {
        // A folder per call: tests run concurrently, and two of them generate the same 2,000 customers.
        let dir = "/tmp/qingting-link-test-\(getpid())-\(customers)-\(drop ?? "all")-\(dependenceLift.map { "\($0)" } ?? "none")"
        mkdir(dir, 0o755)
        let g = IdentityGenerator(customerCount: customers, seed: 3)
        for (name, lines) in [("customers.jsonl", g.customerLines()), ("identities.jsonl", g.identityLines()), ("truth.jsonl", g.truthLines())] {
            try FileIO.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: "\(dir)/\(name)")
        }
        guard case .object(var top) = try JSONValue.parse(SocialPreset.settingsText) else { fatalError() }
        top["u_sample_pairs"] = .number("200000")
        if let drop, case .array(let list)? = top["comparisons"] {
            top["comparisons"] = .array(list.filter { $0["name"]?.stringValue != drop })
        }
        if let dependenceLift { top["dependence_lift"] = .number("\(dependenceLift)") }
        let json = JSONValue.object(top)
        let settings = try LinkSettings(json: json, path: "test")
        let records = try SocialPreset.loadRecords(customers: "\(dir)/customers.jsonl", identities: "\(dir)/identities.jsonl",
                                                   settings: settings, cities: cities)
        let run = try LinkPipeline.run(records: records, model: nil, settings: settings, settingsJSON: json)
        let truth = try SocialPreset.readTruth(path: "\(dir)/truth.jsonl")
        return (run, SocialPreset.identityLinks(run), truth)
    }
}

enum TestFiles {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()
}
