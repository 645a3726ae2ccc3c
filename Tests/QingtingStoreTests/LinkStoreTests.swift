import QingtingMatch
import QingtingStore
import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Link results in SQLite: WAL mode, rows updated in place on a re-run, merges and splits
/// reported, people's decisions kept, newer schemas refused.
@Suite struct LinkStoreTests {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    func run(threshold: Double) throws -> (LinkRun, [SocialPreset.IdentityLink]) {
        let dir = "/tmp/qingting-store-test-\(getpid())"
        mkdir(dir, 0o755)
        let g = IdentityGenerator(customerCount: 300, seed: 5)
        for (name, lines) in [("customers.jsonl", g.customerLines()), ("identities.jsonl", g.identityLines())] {
            try FileIO.writeAtomically(Array((lines.joined(separator: "\n") + "\n").utf8), to: "\(dir)/\(name)")
        }
        guard case .object(var top) = try JSONValue.parse(SocialPreset.settingsText) else { fatalError() }
        top["threshold"] = .number("\(threshold)")
        let json = JSONValue.object(top)
        let settings = try LinkSettings(json: json, path: "test")
        let cities = try CityLexicon.load(path: Self.root + "/Lexicons/cities.tsv")
        let records = try SocialPreset.loadRecords(customers: "\(dir)/customers.jsonl", identities: "\(dir)/identities.jsonl",
                                                   settings: settings, cities: cities)
        let run = try LinkPipeline.run(records: records, model: nil, settings: settings, settingsJSON: json)
        return (run, SocialPreset.identityLinks(run))
    }

    @Test func reRunsUpdateInPlaceAndReportMergesAndSplits() throws {
        let path = "/tmp/qingting-store-\(getpid()).sqlite"
        unlink(path)
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        let store = try LinkStore(path: path)
        do {
            let mode = try store.database.prepare("PRAGMA journal_mode")
            #expect(try mode.step() && mode.string(0) == "wal")
        }

        let (first, links) = try run(threshold: 0.5)
        let s1 = try store.save(first, links: links)
        #expect(s1.run == 1 && s1.merges.isEmpty && s1.splits.isEmpty)
        #expect(try store.database.integer("SELECT COUNT(*) FROM identities") == links.count)
        #expect(try store.database.integer("SELECT COUNT(*) FROM customers") == 300)
        #expect(try store.database.integer("SELECT COUNT(*) FROM identities WHERE status = 'confirmed' AND rule IS NOT NULL") > 0)

        // The same run again: same rows, nothing merged or split.
        let s2 = try store.save(first, links: links)
        #expect(s2.run == 2 && s2.merges.isEmpty && s2.splits.isEmpty)
        #expect(try store.database.integer("SELECT COUNT(*) FROM identities") == links.count)

        // A person's decision survives re-runs.
        try store.database.execute("UPDATE identities SET customer = 'C-person', status = 'confirmed', decided_by = 'person' WHERE rowid = 1")
        _ = try store.save(first, links: links)
        #expect(try store.database.integer("SELECT COUNT(*) FROM identities WHERE customer = 'C-person'") == 1)

        // A looser threshold joins more: merges reported; back to the strict one: splits.
        let (loose, looseLinks) = try run(threshold: 0.05)
        let s3 = try store.save(loose, links: looseLinks)
        #expect(!s3.merges.isEmpty)
        let s4 = try store.save(first, links: links)
        #expect(!s4.splits.isEmpty)
    }

    @Test func clusterChangesAreComparedPerIdentity() {
        let (merges, splits) = LinkStore.changes(previous: ["a": "1", "b": "2", "c": "3", "d": "3"],
                                                 now: ["a": "X", "b": "X", "c": "3", "d": "4", "e": "5"])
        #expect(merges.map(\.cluster) == ["X"] && merges.first?.previous == ["1", "2"])
        #expect(splits.map(\.previous) == ["3"] && splits.first?.clusters == ["3", "4"])
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let path = "/tmp/qingting-store-new-\(getpid()).sqlite"
        unlink(path)
        defer { unlink(path) }
        try SQLiteDatabase(path: path).execute("PRAGMA user_version = 99")
        #expect(throws: MatchError.self) { _ = try LinkStore(path: path) }
    }
}
