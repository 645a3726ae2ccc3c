/// The engine's number formatting: every figure in JSON and in reports is written by one of these,
/// so the same value reads the same everywhere, without an exponent and without Foundation.
public enum NumberFormat {
    /// `x` rounded to `digits` decimals with trailing zeros dropped: `rounded(0.90, 4)` is `0.9`,
    /// `rounded(2.0, 4)` is `2`, `rounded(0.000049, 6)` is `0.000049`. The form JSON numbers take
    /// (probabilities, weights, shares). Not finite: `0`, so the JSON stays valid.
    public static func rounded(_ x: Double, _ digits: Int) -> String { roundedText(x, digits) }

    /// The same for a `Float`, scaled and rounded in `Float` arithmetic (model outputs).
    public static func rounded(_ x: Float, _ digits: Int) -> String { roundedText(x, digits) }

    private static func roundedText<F: BinaryFloatingPoint>(_ x: F, _ digits: Int) -> String {
        guard x.isFinite else { return "0" }
        let scale = power(digits)
        let scaled = (x * F(scale)).rounded()
        guard abs(scaled) < 9e18 else { return "\(Double(scaled) / Double(scale))" }
        return decimal(Int64(scaled), scale: scale, digits: digits)
    }

    /// `x` rounded to `digits` decimals, with exactly `digits` decimals and never an exponent
    /// (`fixed(0.000049, 6)` is `0.000049`, `fixed(0.9, 4)` is `0.9000`): report columns.
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        let scale = power(digits)
        let scaled = (x * Double(scale)).rounded()
        guard abs(scaled) < 9e18 else { return "\(scaled / Double(scale))" }
        let magnitude = Int64(scaled).magnitude
        var text = scaled < 0 ? "-" : ""
        text += String(magnitude / UInt64(scale))
        if digits > 0 {
            let fraction = String(magnitude % UInt64(scale))
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    private static func power(_ digits: Int) -> Int64 {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        return scale
    }

    /// `scaled / scale` written out, trailing zeros of the fraction dropped.
    private static func decimal(_ scaled: Int64, scale: Int64, digits: Int) -> String {
        if scaled == 0 { return "0" }
        let magnitude = scaled.magnitude
        var text = scaled < 0 ? "-" : ""
        text += String(magnitude / UInt64(scale))
        var fraction = magnitude % UInt64(scale)
        if fraction != 0 {
            var width = digits
            while fraction % 10 == 0 { fraction /= 10; width -= 1 }
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: width - digitsText.count) + digitsText
        }
        return text
    }

    /// `rounded(x, 4)`, or `n/a` when `x` is not a number (a metric over an empty class).
    public static func metric(_ x: Double) -> String { x.isNaN ? "n/a" : rounded(x, 4) }

    /// Seconds with two decimals: `1.27 s`.
    public static func seconds(_ s: Double) -> String { fixed(s, 2) + " s" }

    /// `n` with leading zeros to `width` digits (`zeroPadded(42, 4)` is `0042`).
    public static func zeroPadded(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `s` padded with spaces to `width` characters, on the left (right-aligned) unless `left`.
    public static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        let n = s.count
        if n >= width { return s }
        return left ? s + String(repeating: " ", count: width - n) : String(repeating: " ", count: width - n) + s
    }
}
