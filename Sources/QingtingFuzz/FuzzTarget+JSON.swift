import QingtingCore

extension FuzzTarget {
    /// `JSONValue.parse`: a value printed with the one JSON writer parses back to the same value,
    /// and printing that gives the same bytes; a refusal is `invalid_json` at an offset inside
    /// the input (or `invalid_utf8`, never anything else).
    static func json(_ seeds: Seeds) -> FuzzTarget {
        var corpus: [[UInt8]] = [
            "{}", "[]", "\"\"", "0", "-0.0e+1", "[1,[2,[3]]]", #"{"a":"\u00e9\ud83d\ude00\n\"\\\/","b":[true,false,null]}"#,
            #"{"id":1234567890123456789,"x":1.5E-300,"a":{"a":1,"a":2}}"#,
        ].map { Array($0.utf8) }
        for platform in ["weibo", "douyin", "x", "facebook", "bilibili", "generic"] {
            corpus += (try? seeds.payloads(platform)) ?? []
        }
        return FuzzTarget(name: "json", seeds: corpus, dictionary: ["\\\"", "\\n", "\\uD83D\\uDE00", "1.0e+", "{\"a\":"]) { bytes in
            let value: JSONValue
            do {
                value = try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) }
            } catch let error as QingtingError {
                guard error.code == .invalidJSON || error.code == .invalidUTF8 else { return "refused with code \(error.code)" }
                guard let offset = error.byteOffset, (0...bytes.count).contains(offset) else {
                    return "refusal's byte offset \(error.byteOffset.map(String.init) ?? "nil") outside 0...\(bytes.count)"
                }
                return nil
            } catch {
                return "threw \(type(of: error)), not a QingtingError"
            }
            let text = value.jsonText
            guard let again = try? JSONValue.parse(text) else { return "the writer's output does not parse" }
            guard again == value else { return "parse(write(v)) != v" }
            guard again.jsonText == text else { return "writing twice gives different bytes" }
            return nil
        }
    }
}
