import QingtingCore
import QingtingText
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The one lexicon reader's policy, through the user lexicon (its first user) and directly.
@Suite struct LexiconFileTests {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = Fixtures.temporaryPath(name)
        try FileIO.writeAtomically(bytes, to: path)
        return path
    }

    func messages(_ body: () throws -> Void) -> [String] {
        do { try body(); return [] } catch let errors as QingtingErrors { return errors.errors.map(\.description) } catch {
            return ["\(error)"]
        }
    }

    @Test func aCRLFFileReadsAsTwoEntries() throws {
        let path = try write(Array("回车\t10\r\n好评\t20\r\n".utf8), "crlf.tsv")
        defer { unlink(path) }
        let lexicon = try UserLexicon(contentsOf: path, model: Fixtures.model)
        #expect(lexicon.entries.map(\.term) == ["回车", "好评"])
        #expect(lexicon.entries.map(\.weight) == [10, 20])
    }

    @Test func aLeadingByteOrderMarkIsDropped() throws {
        let path = try write([0xEF, 0xBB, 0xBF] + Array("闭眼冲\t5\n".utf8), "bom.tsv")
        defer { unlink(path) }
        let lexicon = try UserLexicon(contentsOf: path, model: Fixtures.model)
        #expect(lexicon.entries.map(\.term) == ["闭眼冲"])
        #expect(Segmenter(model: Fixtures.model, lexicon: lexicon).tokenize("闭眼冲").map(\.text) == ["闭眼冲"])
    }

    @Test func anInvalidUTF8LineIsReportedAndReadingGoesOn() throws {
        let bytes = Array("好词\t1\n好".utf8) + [0xFF] + Array("x\n中间\t2\n坏词\tlots\n".utf8)
        let path = try write(bytes, "utf8.tsv")
        defer { unlink(path) }
        let found = messages { _ = try UserLexicon(contentsOf: path, model: Fixtures.model) }
        #expect(found == ["\(path):2: invalid UTF-8 (byte offset 3)", "\(path):4: weight in column 2 is not a number >= 0"])
    }

    @Test func errorsNeverQuoteTheFile() throws {
        let text = "秘密甲\t秘密乙\n秘密丙😡\t1\n秘密丁\t1\n秘密丁\t2\n\t秘密戊\n"
        let path = try write(Array(text.utf8) + Array("秘密己".utf8) + [0xC0, 0x0A], "secret.tsv")
        defer { unlink(path) }
        let found = messages { _ = try UserLexicon(contentsOf: path, model: Fixtures.model) }
        #expect(found.map { $0.split(separator: ":").dropFirst().first.map(String.init) ?? "" } == ["1", "2", "4", "5", "6"])
        #expect(found.allSatisfy { !$0.contains("秘密") && !$0.contains("😡") })
    }

    @Test(arguments: [("/dev/zero", "is a character device, not a regular file"), ("/tmp", "is a directory, not a regular file")])
    func somethingNotARegularFileIsRefused(_ path: String, _ why: String) {
        #expect(messages { _ = try UserLexicon(contentsOf: path, model: Fixtures.model) } == ["\(path): \(why)"])
        #expect(messages { _ = try FileIO.read(path) } == ["\(path): \(why)"])
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let path = Fixtures.temporaryPath("fifo.tsv")
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(messages { _ = try UserLexicon(contentsOf: path, model: Fixtures.model) } == ["\(path): is a FIFO, not a regular file"])
        #expect(messages { _ = try SegmentModel(contentsOf: path) } == ["\(path): is a FIFO, not a regular file"])
    }

    @Test func aFileOverTheLimitIsRefused() throws {
        let path = try write(Array(repeating: UInt8(ascii: "a"), count: 100) + [0x0A], "big.tsv")
        defer { unlink(path) }
        var lines = 0
        #expect(messages { try LexiconFile.read(path, sizeLimit: 64) { _, _ in lines += 1; return nil } }
            == ["\(path): is 101 bytes, over the 64 bytes limit for a lexicon"])
        #expect(lines == 0)
        #expect(messages { _ = try FileIO.read(path, limit: 100, what: "a model") }
            == ["\(path): is 101 bytes, over the 100 bytes limit for a model"])
        #expect(try FileIO.read(path, limit: 101).count == 101)
    }

    @Test func commentsBlankLinesColumnsAndLineNumbers() throws {
        var seen: [String] = []
        try LexiconFile.parse(Array("# note\n\n \t \n  # indented note\n a \t b\t\n末行".utf8), path: "x.tsv") { columns, line in
            seen.append("\(line):\(columns.joined(separator: "|"))")
            return nil
        }
        #expect(seen == ["5:a|b|", "6:末行"])
    }
}
