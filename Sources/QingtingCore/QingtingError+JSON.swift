extension QingtingError {
    /// `{"code":…,"message":…,"offset":…}` (offset only when the error has one): the error object of
    /// the error lines `analyze` and `segment` write for a bad input line.
    public func write(to w: inout JSONWriter) {
        w.object { w in
            w.member("code", code.rawValue)
            w.member("message", message)
            w.member("offset", ifPresent: byteOffset)
        }
    }

    /// `{"line":N,"error":{…}}`, the line written in place of a result for input line `line`.
    public func errorLine(line: Int) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("line", line)
            w.member("error") { w in write(to: &w) }
        }
        return w.text
    }
}
