/// The one reader of the engine's line-oriented, tab-separated files: the user dictionary, the
/// sentiment, negator, degree, category and intent-cue lexicons, the city lexicon, the server's
/// token file and the labelled training corpora. One reader, so every one of them has the same
/// policy:
///
/// - Only a regular file is read, of at most `sizeLimit` bytes (64 MiB by default; the shipped
///   lexicons are a few KiB). A FIFO, device or directory is refused before anything is read, so
///   `/dev/zero` never grows memory.
/// - One leading UTF-8 byte order mark is dropped.
/// - Lines end at `\n`; one `\r` before it is dropped (CRLF files read like LF files).
/// - Each line must be strict UTF-8. A line that is not is reported as
///   `path:line: invalid UTF-8 (byte offset N)`, N counted from the start of the line, and
///   reading goes on.
/// - Blank lines (spaces and tabs only) and lines whose first other character is `#` are skipped.
/// - Columns are split on tabs and trimmed of surrounding spaces.
///
/// Every problem in the file is collected and thrown together at the end. Error text names the
/// file, the line and the column and says what is wrong; it never quotes the line, since a
/// lexicon path can be chosen by someone who should not learn the file's content (a server
/// reloading from an attacker-chosen path).
public enum LexiconFile {
    /// Files over this many bytes are refused: 64 MiB.
    public static let defaultSizeLimit = 64 << 20

    /// Reads the file at `path`, calling `entry` with each entry line's columns and 1-based number.
    ///
    /// - Parameters:
    ///   - sizeLimit: bytes above which the file is refused.
    ///   - entry: returns nil for a good line, or what is wrong with it (without quoting it,
    ///     e.g. "weight in column 2 is not a number >= 0"); the message is placed at `path:line`.
    /// - Throws: `QingtingErrors` holding every problem: one `.io` error when the file cannot be read
    ///   (missing, not a regular file, over the limit), else `.invalidLexicon` errors per bad line.
    /// - Complexity: O(file size); the file is read whole, then split.
    ///   - code: the code of a bad line's error (`.invalidCorpus` for corpora).
    public static func read(_ path: String, sizeLimit: Int = defaultSizeLimit, code: ErrorCode = .invalidLexicon,
                            _ entry: (_ columns: [String], _ line: Int) -> String?) throws {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: sizeLimit, what: "a lexicon") } catch let error as QingtingError {
            throw QingtingErrors([error])
        }
        try parse(bytes, path: path, code: code, entry)
    }

    /// The same policy over bytes already in memory (the BOM, line, UTF-8 and column rules of `read`).
    /// - Parameter path: where the bytes came from, for error locations.
    /// - Throws: `QingtingErrors` with one `.invalidLexicon` error per bad line.
    public static func parse(_ bytes: [UInt8], path: String, code: ErrorCode = .invalidLexicon,
                             _ entry: (_ columns: [String], _ line: Int) -> String?) throws {
        var errors: [QingtingError] = []
        bytes.withUnsafeBufferPointer { all in
            var start = all.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var number = 0
            while start < all.count {
                number += 1
                var end = all[start...].firstIndex(of: 0x0A) ?? all.count
                let next = end + 1
                if end > start, all[end - 1] == 0x0D { end -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<end])
                start = next
                if let offset = UTF8Validation.firstInvalidOffset(line) {
                    errors.append(QingtingError(code, "invalid UTF-8", location: "\(path):\(number)", byteOffset: offset))
                    continue
                }
                let text = String(decoding: line, as: UTF8.self)
                let content = text.drop(while: { $0 == " " || $0 == "\t" })
                if content.isEmpty || content.first == "#" { continue }
                let columns = text.split(separator: "\t", omittingEmptySubsequences: false).map { trimmingSpaces($0) }
                if let message = entry(columns, number) {
                    errors.append(QingtingError(code, message, location: "\(path):\(number)"))
                }
            }
        }
        if !errors.isEmpty { throw QingtingErrors(errors) }
    }

    private static func trimmingSpaces(_ column: Substring) -> String {
        var s = column
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

}
