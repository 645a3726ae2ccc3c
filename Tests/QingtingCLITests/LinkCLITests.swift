import Foundation
import TestSupport
import Testing

/// `link generate`, `link run`, `link train`, `link explain` and `eval link` through the binary.
@Suite struct LinkCLITests {
    let dir = NSTemporaryDirectory() + "qingting-link-cli-\(getpid())"

    @Test func generateRunTrainExplainAndEvaluate() throws {
        let gen = try runQingting(["link", "generate", "--customers", "400", "-o", dir])
        #expect(gen.status == 0, "\(gen.stderr)")
        let inputs = ["--customers", "\(dir)/customers.jsonl", "--identities", "\(dir)/identities.jsonl"]

        let run = try runQingting(["link", "run"] + inputs + ["-o", "\(dir)/links.jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("link: blocking phone_key:"))
        #expect(run.stderr.contains("done: "))
        let links = try String(contentsOfFile: "\(dir)/links.jsonl", encoding: .utf8).split(separator: "\n")
        let identities = try String(contentsOfFile: "\(dir)/identities.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(links.count == identities.count)
        let confirmed = try links.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .first { $0["status"] as? String == "confirmed" }
        #expect(confirmed?["customer"] is String)
        #expect(confirmed?["rule"] is String)
        #expect((confirmed?["explain"] as? [[String: Any]])?.first?["bits"] != nil)

        let train = try runQingting(["link", "train", "--quiet"] + inputs + ["-o", "\(dir)/model.json"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("phone"))
        let model = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/model.json"))) as! [String: Any]
        #expect(model["format"] as? String == "qingting-link-model")

        let customer = try String(contentsOfFile: "\(dir)/customers.jsonl", encoding: .utf8).split(separator: "\n")[0]
        let customerId = (try JSONSerialization.jsonObject(with: Data(customer.utf8)) as! [String: Any])["id"] as! String
        let explain = try runQingting(["link", "explain", "--model", "\(dir)/model.json", "--left-id", customerId,
                                       "--right-id", customerId] + inputs)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("prior") && explain.stdout.contains("probability"))

        let resolve = try runQingting(["link", "resolve", "--model", "\(dir)/model.json", "--customers", "\(dir)/customers.jsonl",
                                       "--queries", "\(dir)/identities.jsonl", "-o", "\(dir)/resolved.jsonl"])
        #expect(resolve.status == 0, "\(resolve.stderr)")
        #expect(resolve.stderr.contains("p99"))
        let resolved = try String(contentsOfFile: "\(dir)/resolved.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(resolved.count == identities.count)
        #expect(resolved.contains { $0.contains("\"status\":\"confirmed\"") })

        let eval = try runQingting(["eval", "link", "--quiet", "--model", "\(dir)/model.json", "--truth", "\(dir)/truth.jsonl"] + inputs)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("deterministic:") && eval.stdout.contains("F1"))
    }

    @Test func badSettingsAndMissingInputsAreClearErrors() throws {
        let path = NSTemporaryDirectory() + "qingting-bad-settings-\(getpid()).json"
        try #"{"comparisons": [{"name": "a", "levels": [{"jaro": 0.9}]}]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try runQingting(["link", "run", "--settings", path, "--left", path, "--right", path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(path): comparisons[0].levels[0]: unknown level 'jaro'"))
        let missing = try runQingting(["link", "run", "--preset", "social"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--left") || missing.stderr.contains("--customers"))
    }

    /// A bad customer line is reported as `path:line: what`, the rest are linked, and the run
    /// exits non-zero at the end.
    @Test func aBadCustomerLineIsReportedAndTheRunGoesOn() throws {
        let dir = self.dir + "-bad-line"
        let gen = try runQingting(["link", "generate", "--customers", "150", "-o", dir])
        #expect(gen.status == 0, "\(gen.stderr)")
        let customers = try String(contentsOfFile: "\(dir)/customers.jsonl", encoding: .utf8).split(separator: "\n")
        let bad = [customers[0], #"{"name": "没有编号"}"#, "not json"] + customers[1...]
        try (bad.joined(separator: "\n") + "\n").write(toFile: "\(dir)/bad.jsonl", atomically: true, encoding: .utf8)
        let run = try runQingting(["link", "run", "--quiet", "--customers", "\(dir)/bad.jsonl", "--identities", "\(dir)/identities.jsonl",
                                   "-o", "\(dir)/links.jsonl"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("\(dir)/bad.jsonl:2: a customer needs an \"id\""), "\(run.stderr)")
        #expect(run.stderr.contains("\(dir)/bad.jsonl:3: not valid JSON"), "\(run.stderr)")
        let links = try String(contentsOfFile: "\(dir)/links.jsonl", encoding: .utf8).split(separator: "\n")
        let identities = try String(contentsOfFile: "\(dir)/identities.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(links.count == identities.count, "every identity still has its line")
        #expect(links.contains { $0.contains("\"status\":\"confirmed\"") })
    }

    /// Settings that are not JSON name the file; a usage error of `link run` shows its usage.
    @Test func invalidSettingsJSONNamesTheFileAndUsageIsTheCommands() throws {
        let path = NSTemporaryDirectory() + "qingting-broken-settings-\(getpid()).json"
        try #"{"comparisons": ["#.write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try runQingting(["link", "run", "--settings", path, "--left", path, "--right", path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(path): not valid JSON"), "\(bad.stderr)")
        let usage = try runQingting(["link", "run", "--customers", path, "--identities", path, "--threshold", "2"])
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("--threshold must be in (0, 1)"))
        #expect(usage.stderr.contains("Usage: qingting link run"), "\(usage.stderr)")
    }

    /// `link generate --hard` writes the same schema, truth with the person behind each identity,
    /// and `eval link` reads it.
    @Test func generateHardWritesTheSameSchemaAndEvaluates() throws {
        let dir = self.dir + "-hard"
        let gen = try runQingting(["link", "generate", "--hard", "--customers", "300", "-o", dir])
        #expect(gen.status == 0, "\(gen.stderr)")
        let read = { (name: String) in
            try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }
        let identities = try read("identities.jsonl"), truth = try read("truth.jsonl")
        #expect(Set(identities[0].keys) == ["platform", "uid", "nickname", "phone", "email", "ip", "device", "city", "gender", "bio", "posts", "hours"])
        #expect(truth.allSatisfy { $0["person"] is String })
        let strangers = Double(truth.filter { $0["customer"] is NSNull }.count) / Double(truth.count)
        #expect(abs(strangers - 0.4) < 0.01)
        let eval = try runQingting(["eval", "link", "--quiet", "--customers", "\(dir)/customers.jsonl", "--identities",
                                    "\(dir)/identities.jsonl", "--truth", "\(dir)/truth.jsonl"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("overall:"))
    }

    /// `link resolve` refuses an identity without a uid (naming its line) and resolves the rest;
    /// `link train` prints small u as plain decimals.
    @Test func resolveRefusesAnIdentityWithoutUidAndTrainPrintsPlainNumbers() throws {
        let dir = self.dir + "-uid"
        #expect(try runQingting(["link", "generate", "--customers", "150", "-o", dir]).status == 0)
        let train = try runQingting(["link", "train", "--quiet", "--customers", "\(dir)/customers.jsonl", "--identities",
                                     "\(dir)/identities.jsonl", "-o", "\(dir)/model.json"])
        #expect(train.status == 0, "\(train.stderr)")
        for line in train.stdout.split(separator: "\n") where line.contains(" u ") {
            #expect(!line.contains("e-"), "\(line)")
        }
        let identities = try String(contentsOfFile: "\(dir)/identities.jsonl", encoding: .utf8).split(separator: "\n")
        let queries = [#"{"platform": "weibo", "nickname": "王伟"}"#] + identities.prefix(3)
        try (queries.joined(separator: "\n") + "\n").write(toFile: "\(dir)/queries.jsonl", atomically: true, encoding: .utf8)
        let resolve = try runQingting(["link", "resolve", "--quiet", "--model", "\(dir)/model.json", "--customers", "\(dir)/customers.jsonl",
                                       "--queries", "\(dir)/queries.jsonl"])
        #expect(resolve.status != 0)
        #expect(resolve.stderr.contains("\(dir)/queries.jsonl:1: an identity needs a \"uid\""), "\(resolve.stderr)")
        #expect(resolve.stdout.split(separator: "\n").count == 3)
        // `-o -` is standard output, not a file named "-".
        let dash = try runQingting(["link", "run", "--quiet", "--model", "\(dir)/model.json", "--customers", "\(dir)/customers.jsonl",
                                    "--identities", "\(dir)/identities.jsonl", "-o", "-"])
        #expect(dash.status == 0, "\(dash.stderr)")
        #expect(dash.stdout.split(separator: "\n").count > 100)
        #expect(!FileManager.default.fileExists(atPath: TestPaths.root + "/-"))
    }
}
