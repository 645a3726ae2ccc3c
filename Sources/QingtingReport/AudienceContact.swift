internal import Crypto
import QingtingCore

/// Contacts normalized the way the ad platforms match them, and the hashes they take
/// (docs/platform-formats §2): an e-mail trimmed and lower-cased; a phone as E.164, which Google
/// hashes with its "+", Meta as digits only, and the Chinese platforms as the 11-digit mainland
/// mobile without +86.
public enum AudienceContact {
    /// An e-mail as Meta and Google match it: trimmed of whitespace, NUL, vertical tab and dots at
    /// either end (Meta's SDK strips `" \t\r\n\0\x0B."`), lower-cased; nil without one `@` between
    /// a local part and a domain.
    public static func email(_ raw: String) -> String? {
        let strip: Set<Character> = [" ", "\t", "\r", "\n", "\0", "\u{0B}", ".", "\u{3000}", "\r\n"]
        var s = Substring(raw)
        while let f = s.first, strip.contains(f) { s.removeFirst() }
        while let l = s.last, strip.contains(l) { s.removeLast() }
        let e = s.lowercased()
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !e.contains(where: \.isWhitespace) else {
            return nil
        }
        return e
    }

    /// A phone in E.164 (`+` and 8 to 15 digits), or nil. Symbols and letters are dropped; a
    /// number written with `+` or `00` carries its country code; otherwise leading zeros (a trunk
    /// prefix) go and `countryCode` is put in front, unless the number already starts with it and
    /// has that country's full length (86: 11-digit mobiles, 1: 10 digits): `13812340001` →
    /// `+8613812340001`, `(657)777-0000` with country code 1 → `+16577770000`.
    public static func e164(_ raw: String, countryCode: String = "86") -> String? {
        let visible = raw.drop { $0.isWhitespace }
        var digits = String(visible.filter { $0.isASCII && $0.isNumber })
        if visible.first == "+" || visible.first == "＋" {
            // as written
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
        } else {
            while digits.first == "0" { digits.removeFirst() }
            let national: Int? = ["86": 11, "1": 10][countryCode]
            if !(digits.hasPrefix(countryCode) && national.map { digits.count == countryCode.count + $0 } == true) {
                digits = countryCode + digits
            }
        }
        guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
        return "+" + digits
    }

    /// The 11-digit mainland mobile of an E.164 number (`+8613812340001` → `13812340001`), or nil.
    public static func mainlandMobile(_ e164: String) -> String? {
        guard e164.hasPrefix("+861"), e164.utf8.count == 14 else { return nil }
        return String(e164.dropFirst(3))
    }

    /// SHA-256 of the UTF-8 bytes, 64 lower-case hex digits.
    public static func sha256(_ s: String) -> String { BinaryFormat.hex(SHA256.hash(data: Array(s.utf8))) }

    /// MD5 of the UTF-8 bytes, 32 lower-case hex digits (Tencent's HASH_* id types).
    public static func md5(_ s: String) -> String { BinaryFormat.hex(Insecure.MD5.hash(data: Array(s.utf8))) }

}
