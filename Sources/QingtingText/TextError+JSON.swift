extension TextError {
    /// `{"code":…,"message":…,"offset":…}` (offset only when the error has one): the error object of
    /// the error lines `analyze` and `segment` write for a bad input line.
    public func appendJSON(to out: inout String) {
        out += "{\"code\":"
        JSON.appendString(code.rawValue, to: &out)
        out += ",\"message\":"
        JSON.appendString(message, to: &out)
        if let byteOffset { out += ",\"offset\":\(byteOffset)" }
        out += "}"
    }

    /// `{"line":N,"error":{…}}`, the line written in place of a result for input line `line`.
    public func errorLine(line: Int) -> String {
        var out = "{\"line\":\(line),\"error\":"
        appendJSON(to: &out)
        out += "}"
        return out
    }
}
