extension String {
    /// Without leading and trailing whitespace (spaces, tabs, newlines, full-width spaces);
    /// an ASCII string that starts and ends with a visible character is returned as it is.
    public var trimmingWhitespace: String {
        if let f = utf8.first, let l = utf8.last, f > 0x20, l > 0x20, f < 0x80, l < 0x80 { return self }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
