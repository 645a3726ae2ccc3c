import Foundation
import TestSupport
import Testing

/// End-to-end: runs the built `qingting` binary the way a user does.
@Suite struct CLITests {
    static let root = TestPaths.root
    static let binary = TestPaths.binary

    func run(_ arguments: [String], stdin: Data? = nil) throws -> QingtingRun {
        try runQingting(arguments, stdin: stdin)
    }

    @Test func segmentsArgumentsWithTheShippedModel() throws {
        let r = try run(["segment", "客服态度太差，我要投诉😡"])
        #expect(r.status == 0)
        #expect(r.stdout == "客服 态度 太 差 , 我 要 投诉 😡\n")
    }

    @Test func jsonlCarriesKindsAndByteSpans() throws {
        let r = try run(["segment", "--format", "jsonl"], stdin: Data("@京东客服 快递到哪了\n".utf8))
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let tokens = object["tokens"] as! [[String: Any]]
        #expect(object["line"] as? Int == 1)
        #expect(tokens.first?["kind"] as? String == "mention")
        #expect(tokens.first?["start"] as? Int == 0 && tokens.first?["end"] as? Int == 13)
    }

    @Test func invalidUTF8FailsWithLineAndOffsetButKeepsGoing() throws {
        var input = Data("好的\n".utf8)
        input.append(contentsOf: [0x61, 0xFF, 0x0A])
        input.append(Data("再见\n".utf8))
        let r = try run(["segment"], stdin: input)
        #expect(r.status != 0)
        #expect(r.stderr.contains("-:2: invalid UTF-8 (byte offset 1)"))
        #expect(r.stdout == "好 的\n\n再见\n")
        let skipped = try run(["segment", "--skip-invalid"], stdin: input)
        #expect(skipped.status == 0)
        #expect(skipped.stdout == "好 的\n再见\n")
        #expect(skipped.stderr.contains("skipped 1 line(s) of invalid UTF-8"))
    }

    @Test func emptyLinesGiveEmptyOutputLines() throws {
        let r = try run(["segment"], stdin: Data("\n\n你好\n".utf8))
        #expect(r.stdout == "\n\n你好\n")
    }

    @Test func malformedLexiconIsReportedAsPathLine() throws {
        let path = NSTemporaryDirectory() + "qingting-cli-\(getpid()).tsv"
        try Data("好词\t1\n坏词\tmany\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try run(["segment", "--userdict", path, "你好"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path):2: weight in column 2 is not a number >= 0"))
        #expect(!r.stderr.contains("many"))
    }

    @Test func aCRLFLexiconReadsLineByLine() throws {
        let path = NSTemporaryDirectory() + "qingting-cli-crlf-\(getpid()).tsv"
        try Data("回车\t10\r\n好评\t20\r\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try run(["segment", "--userdict", path, "好评回车"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        #expect(r.stdout == "好评 回车\n")
    }

    @Test func corruptModelIsRefused() throws {
        let path = NSTemporaryDirectory() + "qingting-cli-\(getpid()).qtseg"
        try Data("QTSEGMDL garbage".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try run(["segment", "--segment-model", path, "你好"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path): segment model"))
    }

    @Test func tenMegabyteLineIsSegmented() throws {
        let unit = "快递三天了还没发货，客服也不回😡 #避雷# "
        var line = String(repeating: unit, count: 10_000_000 / unit.utf8.count)
        line += "\n"
        let r = try run(["segment"], stdin: Data(line.utf8))
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("快递 三 天 了 还 没 发货 , 客服 也 不 回 😡 #避雷#"))
        #expect(r.stdout.split(separator: "\n").count == 1)
    }

    @Test func trainAndEvalOnAGoldFile() throws {
        let dir = NSTemporaryDirectory() + "qingting-cli-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 20 lines: index % 10 == 9 are held out.
        var gold = ""
        for i in 0..<20 { gold += i % 10 == 9 ? "充满/v 希望/n 的/u 世纪/n\n" : "迈向/v 充满/v 希望/n 的/u 新/a 世纪/n\n" }
        try Data(gold.utf8).write(to: URL(fileURLWithPath: "\(dir)/gold.txt"))
        let train = try run(["train", "segment", "--gold", "\(dir)/gold.txt", "-o", "\(dir)/m.qtseg"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("6 words from 18 lines of 20"))
        let eval = try run(["eval", "segment", "--gold", "\(dir)/gold.txt", "--segment-model", "\(dir)/m.qtseg", "--no-userdict"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("lines      2 "))
        #expect(eval.stdout.contains("F1         1.0"))
    }

    /// The lexicon maintainer's loop: add a cue line, retrain, evaluate against the baseline and
    /// see the post whose intents changed.
    @Test func aNewCueLineChangesTheModelAfterRetraining() throws {
        let dir = NSTemporaryDirectory() + "qingting-cli-intent-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let corpus = """
            purchase\t手机\t这个手机哪个好，想买
            purchase\t-\t求推荐一款好用的
            churn\t-\t会员不续了，转投别家
            churn\t-\t准备换一家了
            complaint\t-\t客服态度太差，我要投诉
            none\t-\t今天天气不错
            none\t-\t周末去爬山

            """
        try Data(corpus.utf8).write(to: URL(fileURLWithPath: "\(dir)/train.tsv"))
        try Data("churn\t-\t这次真的要跑去隔壁咔哒铺了\nnone\t-\t晚饭吃了面条\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/dev.tsv"))
        let cues = try String(contentsOfFile: "\(Self.root)/Lexicons/intent_cues.tsv", encoding: .utf8)
        try cues.write(toFile: "\(dir)/old.tsv", atomically: true, encoding: .utf8)
        try (cues + "咔哒铺\tchurn\t3\n").write(toFile: "\(dir)/new.tsv", atomically: true, encoding: .utf8)
        for name in ["old", "new"] {
            let train = try run(["train", "intent", "--corpus", "\(dir)/train.tsv", "--validation", "\(dir)/train.tsv",
                                 "--cues", "\(dir)/\(name).tsv", "--bucket-bits", "14", "--ensemble", "1", "-o", "\(dir)/\(name).qtlin"])
            #expect(train.status == 0, "\(train.stderr)")
            #expect(train.stdout.contains("purchase 2, service_order 0"), "\(train.stdout)")
        }
        let eval = try run(["eval", "intent", "--model", "\(dir)/new.qtlin", "--cues", "\(dir)/new.tsv",
                            "--baseline", "\(dir)/old.qtlin", "--baseline-cues", "\(dir)/old.tsv", "--test", "\(dir)/dev.tsv"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("posts whose intents changed: 1"), "\(eval.stdout)")
        #expect(eval.stdout.contains("dev.tsv:1: none → churn; gold churn"), "\(eval.stdout)")
        #expect(eval.stdout.contains("macro-F1 (8 intents)"))
    }

    /// `train category` on posts no lexicon term names, then `eval intent` reads their category
    /// with the model and not without it.
    @Test func aTrainedCategoryModelNamesWhatTheLexiconCannot() throws {
        let dir = NSTemporaryDirectory() + "qingting-cli-category-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let corpus = """
            none\t外卖\t汤洒了一半，送到都凉了
            none\t外卖\t等了一个半小时才送到
            complaint\t外卖\t点的麻辣烫送错了
            none\t-\t今天天气不错
            none\t-\t周末去爬山
            none\t旅行箱\t只出现一次的类别

            """
        try Data(corpus.utf8).write(to: URL(fileURLWithPath: "\(dir)/train.tsv"))
        let train = try run(["train", "category", "--corpus", "\(dir)/train.tsv", "--min-posts", "2", "--ensemble", "1",
                             "--validation-fraction", "0", "--epochs", "20", "--learning-rate", "0.2", "-o", "\(dir)/c.qtlin"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("1 categories and -, 1 posts of rarer categories left out; from 1 files"), "\(train.stdout)")
        let test = ["eval", "intent", "--test", "\(dir)/train.tsv"]
        let withModel = try run(test + ["--category-model", "\(dir)/c.qtlin"])
        #expect(withModel.status == 0, "\(withModel.stderr)")
        #expect(withModel.stdout.contains("category accuracy         0.75 "), "\(withModel.stdout)")
        let lexiconOnly = try run(test + ["--lexicon-categories"])
        #expect(lexiconOnly.stdout.contains("category accuracy         0 "), "\(lexiconOnly.stdout)")
        let bad = try run(test + ["--category-model", "\(dir)/train.tsv"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(dir)/train.tsv: not a Qingting linear model"), "\(bad.stderr)")
    }

    @Test func trainAndEvalSentimentSideBySide() throws {
        let dir = NSTemporaryDirectory() + "qingting-cli-sent-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let corpus = """
            positive\t质量很好，非常满意
            positive\t好用，回购了
            negative\t质量太差了，很失望
            negative\t客服态度差，我要投诉
            neutral\t今天下午三点发货
            neutral\t这款有黑色和白色两种

            """
        try Data(corpus.utf8).write(to: URL(fileURLWithPath: "\(dir)/c.tsv"))
        for seed in ["1", "2"] {
            let train = try run(["train", "sentiment", "--corpus", "\(dir)/c.tsv", "-o", "\(dir)/m\(seed).qtlin",
                                 "--seed", seed, "--bucket-bits", "14", "--validation-fraction", "0", "--epochs", "3"])
            #expect(train.status == 0, "\(train.stderr)")
            #expect(train.stdout.contains("negative 2, neutral 2, positive 2"))
        }
        let eval = try run(["eval", "sentiment", "--model", "\(dir)/m1.qtlin", "--baseline", "\(dir)/m2.qtlin",
                            "--test", "\(dir)/c.tsv"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("== \(dir)/c.tsv: 6 texts"))
        #expect(eval.stdout.contains("accuracy (3-class)"))
        #expect(eval.stdout.contains("texts whose label changed: "))
        let bad = try run(["eval", "sentiment", "--model", "\(dir)/c.tsv", "--test", "\(dir)/c.tsv"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("\(dir)/c.tsv: not a Qingting linear model"))
        // A weighted corpus and the softmax kind; a weight that is not a number is refused by name.
        let weighted = try run(["train", "sentiment", "--corpus", "\(dir)/c.tsv@2.5", "--kind", "softmax", "-o", "\(dir)/w.qtlin",
                                "--bucket-bits", "14", "--validation-fraction", "0", "--epochs", "3"])
        #expect(weighted.status == 0, "\(weighted.stderr)")
        #expect(weighted.stdout.contains("from \(dir)/c.tsv@2.5"))
        #expect(weighted.stdout.contains("best epoch 3"))
        let badWeight = try run(["train", "sentiment", "--corpus", "\(dir)/c.tsv@x", "-o", "\(dir)/x.qtlin"])
        #expect(badWeight.status != 0)
        #expect(badWeight.stderr.contains("--corpus \(dir)/c.tsv@x: weight 'x' is not a number > 0"))
        // Cross-validation scores every text by a model that did not see it, and writes no model.
        let cv = try run(["train", "sentiment", "--corpus", "\(dir)/c.tsv", "--folds", "3", "-o", "\(dir)/cv.qtlin",
                          "--bucket-bits", "14", "--validation-fraction", "0", "--epochs", "3"])
        #expect(cv.status == 0, "\(cv.stderr)")
        #expect(cv.stdout.contains("== cross-validation, 3 folds (seed 42): \(dir)/c.tsv: 6 texts"), "\(cv.stdout)")
        #expect(cv.stdout.contains("confusion (held out)"))
        #expect(cv.stdout.split(separator: "\n").contains { $0.hasPrefix("accuracy (3-class) per fold: ") && $0.split(separator: " ").count == 4 + 3 })
        #expect(cv.stderr.contains("fold 3/3 trained"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/cv.qtlin"))
        let oneFold = try run(["train", "sentiment", "--corpus", "\(dir)/c.tsv", "--folds", "1"])
        #expect(oneFold.status != 0)
        #expect(oneFold.stderr.contains("--folds 1 is not in 2...20"))
    }

    /// Parses every output line as JSON (the schema's contract: one JSON object per input line).
    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func analyzeWritesTheSchemaAndReportsBadLines() throws {
        var input = Data(#"{"id":4417882345678901234,"text":"客服态度太差了，再也不买了😡"}"#.utf8 + [0x0A])
        input += Data(#"{"id":"b","text":"绝绝子！这款粉底液太好用了"}"#.utf8 + [0x0A])
        input += Data("not json\n".utf8)
        input += Data([0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A])  // {"text":"\xFF"}
        input += Data(#"{"id":5}"#.utf8 + [0x0A])
        let r = try run(["analyze", "--threads", "2"], stdin: input)
        #expect(r.status == 1)
        let lines = try jsonLines(r.stdout)
        #expect(lines.count == 5)
        #expect(lines.map { $0["line"] as? Int } == [1, 2, 3, 4, 5])
        #expect(r.stdout.hasPrefix(#"{"line":1,"id":4417882345678901234,"#), "ids are echoed exactly")
        let first = lines[0]
        #expect(first["sentiment"] as? String == "negative")
        // The sentiment tag first, then one per intent in label order.
        #expect(first["tags"] as? [String] == ["#负面情绪#", "#投诉#", "#流失风险#"])
        let intents = try #require(first["intents"] as? [[String: Any]])
        #expect(intents.map { $0["label"] as? String } == ["complaint", "churn"])
        for intent in intents {
            let p = try #require(intent["probability"] as? Double)
            #expect(p > 0 && p <= 1)
        }
        let p = try #require(first["probabilities"] as? [String: Double])
        #expect(Set(p.keys) == ["negative", "neutral", "positive"])
        #expect(abs(p.values.reduce(0, +) - 1) < 0.001)
        let cues = try #require(first["cues"] as? [[String: Any]])
        #expect(cues.contains { $0["term"] as? String == "😡" && $0["polarity"] as? String == "negative" })
        for cue in cues { #expect((cue["start"] as? Int ?? -1) < (cue["end"] as? Int ?? -1)) }
        #expect(lines[1]["id"] as? String == "b")
        #expect(lines[1]["sentiment"] as? String == "positive")
        // Praise of a product used: recommend (what else the model adds is the model's business;
        // the tags are the sentiment's, then one per intent of the `intents` array, in its order).
        let tagsB = try #require(lines[1]["tags"] as? [String])
        let intentsB = try #require(lines[1]["intents"] as? [[String: Any]]).compactMap { $0["label"] as? String }
        #expect(tagsB.first == "#正面情绪#" && tagsB.count == 1 + intentsB.count)
        #expect(intentsB.contains("recommend") && tagsB.contains("#推荐分享#"))
        let category = try #require(lines[1]["category"] as? [String: Any])
        #expect(category["name"] as? String == "粉底液" && category["start"] as? Int == 18 && category["end"] as? Int == 27)
        #expect((lines[2]["error"] as? [String: Any])?["code"] as? String == "invalid_json")
        #expect((lines[3]["error"] as? [String: Any])?["code"] as? String == "invalid_json")
        #expect(lines[4]["id"] as? Int == 5)
        #expect(r.stderr.contains("-:3: "))
        #expect(r.stderr.contains("-:4: "))
        #expect(r.stderr.contains("-:5: no string field \"text\""))

        let skipped = try run(["analyze", "--skip-invalid"], stdin: input)
        #expect(skipped.status == 0)
        #expect(try jsonLines(skipped.stdout).map { $0["line"] as? Int } == [1, 2])
        #expect(skipped.stderr.contains("skipped 3 bad line(s)"))
    }

    @Test func analyzeCarriesInputMembersReadsATextFieldAndNeverParsesATextArgument() throws {
        // A post that starts with a brace is a post when given as an argument.
        let braced = try run(["analyze", "{大括号开头的帖子}"])
        #expect(braced.status == 0)
        #expect(try jsonLines(braced.stdout).first?["sentiment"] != nil)
        // A WeChat push: the post is in Content; every other member comes through, in order.
        let push = #"{"ToUserName":"gh_1","FromUserName":"o6_bmjrPTlm6","CreateTime":1348831860,"MsgType":"text","Content":"快递三天了还没发货","MsgId":1234567890123456,"tags":"input's own"}"#
        let r = try run(["analyze", "--text-field", "Content"], stdin: Data((push + "\n").utf8))
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix(#"{"line":1,"ToUserName":"gh_1","FromUserName":"o6_bmjrPTlm6","CreateTime":1348831860,"MsgType":"text","MsgId":1234567890123456,"sentiment":"#), "members in input order, the text member and a member named like an output one left out")
        let line = try #require(try jsonLines(r.stdout).first)
        #expect(line["Content"] == nil)
        #expect(line["tags"] as? [String] != nil)
        let missing = try run(["analyze", "--text-field", "Content"], stdin: Data(#"{"text":"在吗"}"#.utf8 + [0x0A]))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no string field \"Content\""))
    }

    @Test func contentFreePostsAreNeutralWithNoIntent() throws {
        let r = try run(["analyze", "--", "", "ok", "转发微博", "@小米客服", "https://t.cn/A6abc", "1234", "[doge]"])
        #expect(r.status == 0)
        for line in try jsonLines(r.stdout) {
            #expect(line["sentiment"] as? String == "neutral", "line \(line["line"] ?? "?")")
            #expect((line["intents"] as? [Any])?.isEmpty == true, "line \(line["line"] ?? "?")")
            #expect(line["tags"] as? [String] == ["#中性情绪#"])
        }
    }

    @Test func analyzeKeepsInputOrderAcrossBatchesAndThreads() throws {
        // More lines than one batch (8192), plain text; invalid UTF-8 on one line.
        let texts = ["质量很好", "太差了", "明天发货", "还行吧", "客服不回复"]
        var input = Data()
        for i in 0..<9000 { input += Data("\(texts[i % texts.count])\(i)\n".utf8) }
        input += Data([0xE4, 0xB8, 0x0A])
        let one = try run(["analyze", "--threads", "1", "--input", "text"], stdin: input)
        let two = try run(["analyze", "--threads", "2", "--input", "text"], stdin: input)
        #expect(one.status == 1 && two.status == 1)
        #expect(one.stdout == two.stdout)
        let lines = try jsonLines(two.stdout)
        #expect(lines.count == 9001)
        #expect(lines.map { $0["line"] as? Int ?? 0 } == Array(1...9001))
        #expect((lines[9000]["error"] as? [String: Any])?["code"] as? String == "invalid_utf8")
        #expect(two.stderr.contains("-:9001: "))
    }

    @Test func errorLinesOfSegmentAndAnalyzeHaveOneShape() throws {
        var input = Data("好的\n".utf8)
        input.append(contentsOf: [0x61, 0xFF, 0x0A])
        let segment = try run(["segment", "--format", "jsonl"], stdin: input)
        let analyze = try run(["analyze", "--input", "text"], stdin: input)
        for r in [segment, analyze] {
            let line = r.stdout.split(separator: "\n").map(String.init)[1]
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let error = object["error"] as? [String: Any]
            #expect(object["line"] as? Int == 2)
            #expect(error?["code"] as? String == "invalid_utf8" && error?["offset"] as? Int == 1, "\(line)")
            #expect((error?["message"] as? String)?.isEmpty == false, "no message: \(line)")
        }
    }

    @Test func fileErrorsNameThePathOnceAndVersionIsPrinted() throws {
        let missing = try run(["analyze", "-f", "nope.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "qingting: nope.jsonl: cannot open: No such file or directory\n", "\(missing.stderr)")
        let folder = try run(["analyze", "-f", "/tmp"])
        #expect(folder.status == 1 && folder.stderr.contains("/tmp: is a directory"), "\(folder.stderr)")
        let version = try run(["--version"])
        #expect(version.status == 0 && version.stdout.first?.isNumber == true, "\(version.stdout)")
        // A default test set that is not there is named, not skipped without a word.
        if !FileManager.default.fileExists(atPath: Self.root + "/corpora/sentiment/test.tsv") {
            let eval = try run(["eval", "sentiment"])
            #expect(eval.stderr.contains("default test set corpora/sentiment/test.tsv not found"), "\(eval.stderr)")
        }
    }

    @Test func everyCommandHasHelp() throws {
        for command in [[], ["analyze"], ["segment"], ["train", "segment"], ["eval", "segment"], ["train", "sentiment"],
                        ["eval", "sentiment"]] {
            let r = try run(command + ["--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE"))
        }
    }
}
