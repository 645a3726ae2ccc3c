import Foundation
import Testing

/// End-to-end: runs the built `qingting` binary the way a user does.
@Suite struct CLITests {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// The executable sits beside the test bundle in the build folder.
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("qingting").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "\(root)/.build/debug/qingting"
    }()

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Feed stdin and drain both outputs concurrently so that no pipe fills up.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
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
        #expect(r.stderr.contains("\(path):2: weight 'many' is not a number"))
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
    }

    @Test func everyCommandHasHelp() throws {
        for command in [[], ["segment"], ["train", "segment"], ["eval", "segment"], ["train", "sentiment"],
                        ["eval", "sentiment"]] {
            let r = try run(command + ["--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE"))
        }
    }
}
