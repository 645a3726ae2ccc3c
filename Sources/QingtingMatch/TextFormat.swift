/// Fixed-point numbers as the link commands print them (reports, explanations, pair lines).
public enum TextFormat {
    /// `x` rounded to `digits` decimals, with exactly `digits` decimals and never an exponent
    /// (`fixed(0.000049, 6)` is `0.000049`).
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (x * scale).rounded()
        let r = scaled / scale
        var text = "\(r)"
        if text.contains("e") {
            // Swift writes tiny and huge values with an exponent; spell the digits out instead.
            guard scaled.isFinite, abs(scaled) < 9e18 else { return text }
            let k = Int64(scaled)
            var digitsText = String(k.magnitude)
            if digitsText.count <= digits { digitsText = String(repeating: "0", count: digits + 1 - digitsText.count) + digitsText }
            let point = digitsText.index(digitsText.endIndex, offsetBy: -digits)
            text = (k < 0 ? "-" : "") + digitsText[..<point] + (digits > 0 ? "." + digitsText[point...] : "")
            return text
        }
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 { text += "." + String(repeating: "0", count: digits) }
        return text
    }

    /// Seconds with two decimals: `1.27 s`.
    public static func seconds(_ s: Double) -> String { fixed(s, 2) + " s" }

    /// `s` padded with spaces to `width` characters, on the left (right-aligned) unless `left`.
    public static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s }
        return left ? s + String(repeating: " ", count: width - n) : String(repeating: " ", count: width - n) + s
    }
}
