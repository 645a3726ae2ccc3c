import OrderedCollections
import QingtingCore

/// Reads a whole vendor export file through the configuration's `FieldMapping`: JSONL (one
/// object a line), or CSV when the name ends in `.csv` (a header line naming the columns, then
/// one row per record; a quoted field may hold newlines, so a record may span lines).
public enum GenericExport {
    /// Calls `body` with each row's outcome and the row's first line number. Rejections are
    /// placed at `path:line` (`export.csv:12: no time at created`); a bad row never stops the read.
    /// - Throws: `.invalidMapping` when the configuration has no mapping, `.io` when the file
    ///   cannot be read, `.invalidPayload` when a CSV file has no header; and what `body` throws.
    /// - Complexity: O(file size); the file is read in chunks, a row at a time.
    public static func read(
        _ path: String, configuration: Ingest.Configuration,
        _ body: (_ line: Int, Ingest.Outcome) throws -> Void
    ) throws {
        guard let mapping = configuration.mapping else {
            throw QingtingError(.invalidMapping, "reading a generic export needs a field mapping", location: path)
        }
        if path.hasSuffix(".csv") {
            try readCSV(path, mapping: mapping, configuration: configuration, body)
        } else {
            try FileIO.forEachLine(path) { bytes, line in
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                try body(
                    line,
                    placed(
                        Ingest.read(Payload(Array(bytes)), platform: .generic, configuration: configuration),
                        "\(path):\(line)"))
            }
        }
    }

    static func placed(_ outcome: Ingest.Outcome, _ place: String) -> Ingest.Outcome {
        var outcome = outcome
        outcome.rejections = outcome.rejections.map { $0.at(place) }
        return outcome
    }

    static func readCSV(
        _ path: String, mapping: FieldMapping, configuration: Ingest.Configuration,
        _ body: (_ line: Int, Ingest.Outcome) throws -> Void
    ) throws {
        let adapter = GenericAdapter(mapping: mapping)
        var columns: [String: Int]?
        var pending: [UInt8] = []
        var firstLine = 0

        func reject(_ error: QingtingError, _ line: Int) throws {
            try body(line, Ingest.Outcome(platform: .generic, events: [], rejections: [error.at("\(path):\(line)")]))
        }

        try FileIO.forEachLine(path) { bytes, line in
            if pending.isEmpty {
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                firstLine = line
            } else {
                pending.append(0x0A)
            }
            if let offset = bytes.withUnsafeBufferPointer(UTF8Validation.firstInvalidOffset) {
                pending.removeAll()
                return try reject(QingtingError(.invalidUTF8, "not valid UTF-8", byteOffset: offset), line)
            }
            pending += bytes
            if pending.count > configuration.maxPayloadBytes {
                pending.removeAll()
                return try reject(
                    QingtingError(
                        .payloadTooLarge,
                        "row over the limit of \(configuration.maxPayloadBytes) bytes (an unclosed quote?)"), firstLine)
            }
            var text = String(decoding: pending, as: UTF8.self)
            if columns == nil, text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            guard let fields = CSV.splitRecord(text) else { return }  // a quoted field goes on
            let raw = pending
            pending.removeAll()
            guard let header = columns else {
                var map: [String: Int] = [:]
                for (i, name) in fields.enumerated() where map[name] == nil { map[name] = i }
                columns = map
                return
            }
            let make = EventMaker(platform: .generic, payload: Payload(raw), configuration: configuration)
            var context = AdapterContext(make)
            context.one { make in
                try adapter.event(
                    from: { name in
                        guard let i = header[name], i < fields.count, !fields[i].isEmpty else { return nil }
                        return JSONNode(.string(fields[i]), path: name)
                    }, make)
            }
            try body(
                firstLine,
                placed(
                    Ingest.Outcome(platform: .generic, events: context.events, rejections: context.rejections),
                    "\(path):\(firstLine)"))
        }
        if !pending.isEmpty {
            try reject(QingtingError(.invalidPayload, "the file ends inside a quoted field"), firstLine)
        }
        if columns == nil {
            throw QingtingError(.invalidPayload, "no header line naming the columns", location: path)
        }
    }
}
