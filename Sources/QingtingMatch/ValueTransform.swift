import QingtingCore
import QingtingText

/// A function from one raw value to zero or more normalized values, named in settings files
/// (`"transform": "phone_mask"`). Derived columns apply one to every distinct value of a source
/// column once, so the cost follows the number of distinct values, not of records.
public enum ValueTransform: Sendable, Equatable {
    case lower
    /// Digits only (full-width digits folded).
    case digits
    /// A mainland mobile number in E.164 (`+8613812341234`); masked or foreign numbers give nothing.
    case phoneE164
    /// An 11-character pattern of a mainland mobile with `*` where digits are masked:
    /// `138****1234`, `1381234****`, `*******1234` (from `****1234`), or all 11 digits.
    case phoneMask
    /// The last `n` known digits of a phone pattern (a blocking key that masked numbers keep).
    case phoneSuffix(Int)
    /// The first 3 and last 4 digits of a phone pattern (`138|1234`), when both are known: the
    /// part the usual 138****1234 mask shows, a selective blocking key.
    case phoneKey
    /// A key for each mask style a number can be shown in: `138|1234` (138****1234), `1381234|`
    /// (1381234****, Zhihu and Kuaishou), `|1234` (****1234, Xiaohongshu). A full number has all
    /// three, a masked one its own style's, so every compatible pair shares one: the frequency
    /// column of the phone comparison (how many customers a mask fits). Not a blocking key: the
    /// tail alone would pair every number with every other of the same last four digits.
    case phoneKeys
    /// The first `n` digits of a phone pattern when all are known (the 号段 for n = 7).
    case phonePrefix(Int)
    /// `|1234` for a number whose last four digits are known and whose first three are masked
    /// (****1234) or known with all the rest (a full number): the blocking key of the tail
    /// style, which 138****1234 masks (covered by `phone_key`) do not carry.
    case phoneTailKey
    /// Trimmed, lower-cased address with an `@`.
    case email
    /// The part of an e-mail before `@`, lower-cased.
    case emailUser
    /// Canonical city names through the city lexicon (aliases, pinyin, districts): every city of
    /// a district several cities have, none for a province alone.
    case city
    /// The province a value names or lies in (江苏 for 江苏省, 南京 or 江宁区).
    case province
    /// Pinyin of Han characters without tones or spaces (王小明 → wangxiaoming); Latin letters kept.
    case pinyin
    /// Pinyin initials (王小明 → wxm); for a Latin word, its first letter.
    case initials
    /// The /24 block of an IPv4 address (1.2.3.4 → 1.2.3), the first three groups of IPv6.
    case ip24
    case prefix(Int)
    case suffix(Int)
    /// Code points sorted (an anagram key for swapped name parts).
    case sortedCharacters

    /// Parses `lower`, `digits`, `phone_e164`, `phone_mask`, `phone_suffix:4`, `email`, `email_user`,
    /// `city`, `province`, `pinyin`, `initials`, `ip24`, `prefix:N`, `suffix:N`, `sorted`.
    public init?(name: String) {
        let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
        let n = parts.count > 1 ? Int(parts[1]) : nil
        switch (parts[0], n) {
        case ("lower", nil): self = .lower
        case ("digits", nil): self = .digits
        case ("phone_e164", nil): self = .phoneE164
        case ("phone_mask", nil): self = .phoneMask
        case ("phone_suffix", let n?) where n > 0: self = .phoneSuffix(n)
        case ("phone_key", nil): self = .phoneKey
        case ("phone_keys", nil): self = .phoneKeys
        case ("phone_tail_key", nil): self = .phoneTailKey
        case ("phone_prefix", let n?) where n > 0: self = .phonePrefix(n)
        case ("email", nil): self = .email
        case ("email_user", nil): self = .emailUser
        case ("city", nil): self = .city
        case ("province", nil): self = .province
        case ("pinyin", nil): self = .pinyin
        case ("initials", nil): self = .initials
        case ("ip24", nil): self = .ip24
        case ("prefix", let n?) where n > 0: self = .prefix(n)
        case ("suffix", let n?) where n > 0: self = .suffix(n)
        case ("sorted", nil): self = .sortedCharacters
        default: return nil
        }
    }

    static let names = "lower, digits, phone_e164, phone_mask, phone_suffix:N, phone_key, phone_keys, phone_tail_key, phone_prefix:N, email, email_user, city, province, pinyin, initials, ip24, prefix:N, suffix:N, sorted"
}

/// Applies transforms with the caches they need (pinyin per character, the city lexicon).
/// Not shared between threads.
public final class TransformContext {
    public let cities: CityLexicon
    private var pinyinOfCharacter: [UInt32: String] = [:]

    public init(cities: CityLexicon) { self.cities = cities }

    /// The normalized values of `value` (empty when it does not normalize).
    public func apply(_ transform: ValueTransform, to value: String) -> [String] {
        switch transform {
        case .lower: return nonEmpty(Self.fold(value).lowercased())
        case .digits: return nonEmpty(String(Self.fold(value).filter(\.isASCIIDigit)))
        case .phoneE164:
            guard let pattern = PhoneNumber.pattern(value), !pattern.contains("*") else { return [] }
            return ["+86" + pattern]
        case .phoneMask: return PhoneNumber.pattern(value).map { [$0] } ?? []
        case .phoneSuffix(let n):
            guard let pattern = PhoneNumber.pattern(value) else { return [] }
            let tail = pattern.suffix(n)
            return tail.contains("*") ? [] : [String(tail)]
        case .phoneKey:
            guard let pattern = PhoneNumber.pattern(value) else { return [] }
            let head = pattern.prefix(3), tail = pattern.suffix(4)
            return head.contains("*") || tail.contains("*") ? [] : [head + "|" + tail]
        case .phoneKeys:
            guard let pattern = PhoneNumber.pattern(value) else { return [] }
            let head = pattern.prefix(3), prefix = pattern.prefix(7), tail = pattern.suffix(4)
            var keys: [String] = []
            if !head.contains("*") && !tail.contains("*") { keys.append(head + "|" + tail) }
            if !prefix.contains("*") && (tail.contains("*") || !pattern.contains("*")) { keys.append(prefix + "|") }
            if !tail.contains("*") && (head.contains("*") || !pattern.contains("*")) { keys.append("|" + tail) }
            return keys
        case .phoneTailKey:
            return apply(.phoneKeys, to: value).filter { $0.hasPrefix("|") }
        case .phonePrefix(let n):
            guard let pattern = PhoneNumber.pattern(value) else { return [] }
            let head = pattern.prefix(n)
            return head.contains("*") ? [] : [String(head)]
        case .email:
            let folded = Self.fold(value).lowercased().filter { !$0.isWhitespace }
            guard let at = folded.firstIndex(of: "@"), at != folded.startIndex,
                  folded.index(after: at) != folded.endIndex else { return [] }
            return [folded]
        case .emailUser:
            let folded = Self.fold(value).lowercased()
            guard let at = folded.firstIndex(of: "@"), at != folded.startIndex else { return [] }
            return [String(folded[..<at])]
        case .city: return cities.cities(value)
        case .province: return cities.province(value).map { [$0] } ?? []
        case .pinyin: return nonEmpty(pinyinSyllables(value).joined())
        case .initials: return nonEmpty(String(pinyinSyllables(value).compactMap(\.first)))
        case .ip24:
            let trimmed = value.filter { !$0.isWhitespace }
            if trimmed.contains(":") {
                return nonEmpty(trimmed.split(separator: ":", omittingEmptySubsequences: false).prefix(3).joined(separator: ":"))
            }
            let parts = trimmed.split(separator: ".")
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return [] }
            return [parts.prefix(3).joined(separator: ".")]
        case .prefix(let n): return nonEmpty(String(value.unicodeScalars.prefix(n)))
        case .suffix(let n): return nonEmpty(String(String.UnicodeScalarView(value.unicodeScalars.suffix(n))))
        case .sortedCharacters:
            return nonEmpty(String(String.UnicodeScalarView(value.unicodeScalars.sorted { $0.value < $1.value })))
        }
    }

    /// Pinyin syllables of the Han characters and lower-cased Latin words of `value`, in order.
    public func pinyinSyllables(_ value: String) -> [String] {
        var out: [String] = []
        var latin = ""
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) {
                if !latin.isEmpty { out.append(latin); latin = "" }
                out.append(pinyin(of: v))
            } else if (0x61...0x7A).contains(v) {
                latin.unicodeScalars.append(scalar)
            } else if (0x41...0x5A).contains(v) {
                latin.unicodeScalars.append(Unicode.Scalar(v + 32)!)
            } else if v >= 0xC0 && v < 0x250 && scalar.properties.isAlphabetic {
                latin.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            } else if !latin.isEmpty {
                out.append(latin); latin = ""
            }
        }
        if !latin.isEmpty { out.append(latin) }
        return out.filter { !$0.isEmpty }
    }

    private func pinyin(of scalar: UInt32) -> String {
        if let known = pinyinOfCharacter[scalar] { return known }
        let text = String(Character(Unicode.Scalar(scalar)!))
        let latin = (try? Transliteration.apply(text, transform: "Han-Latin; Latin-ASCII")) ?? ""
        let syllable = String(latin.lowercased().filter { $0.isASCII && $0.isLetter })
        pinyinOfCharacter[scalar] = syllable
        return syllable
    }

    private func nonEmpty(_ s: String) -> [String] {
        let trimmed = s.trimmingWhitespace
        return trimmed.isEmpty ? [] : [trimmed]
    }

    /// Full-width ASCII (！-～) to half-width, ideographic space to space.
    static func fold(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: out.append(" ")
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

/// Mainland mobile numbers, full or masked.
public enum PhoneNumber {
    /// The 11-character pattern of a mainland mobile (digits, `*` where masked), or nil when the
    /// value is not one. Accepts `+86`, `0086` and `86` prefixes, spaces and dashes, and masks of
    /// `*`, `x`, `•`; a masked tail such as `****1234` is right-aligned.
    public static func pattern(_ raw: String) -> String? {
        var chars: [UInt8] = []  // ASCII digits and "*"
        chars.reserveCapacity(16)
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: chars.append(UInt8(scalar.value))
            case 0xFF10...0xFF19: chars.append(UInt8(scalar.value - 0xFF10 + 0x30))  // full-width digits
            case 0x2A, 0x78, 0x58, 0x2022, 0xB7, 0x23, 0xFF0A: chars.append(0x2A)  // * x X • · # ＊
            case 0x20, 0x2D, 0x2B, 0x28, 0x29, 0x3000: continue  // space - + ( ) ideographic space
            default: return nil
            }
            if chars.count > 15 { return nil }
        }
        let star: UInt8 = 0x2A
        if chars.count == 15, chars.starts(with: [0x30, 0x30, 0x38, 0x36]) { chars.removeFirst(4) }
        if chars.count == 13, chars.starts(with: [0x38, 0x36]) { chars.removeFirst(2) }
        guard (4...11).contains(chars.count) else { return nil }
        guard chars.lazy.filter({ $0 != star }).count >= 4 else { return nil }
        if chars.count < 11 {
            // A masked short form: the known digits are the tail (****1234) unless it starts with 1 and ends masked.
            let padding = [UInt8](repeating: star, count: 11 - chars.count)
            chars = chars.last == star && chars.first == 0x31 ? chars + padding : padding + chars
        }
        guard chars[0] == star || chars[0] == 0x31 else { return nil }
        return String(decoding: chars, as: UTF8.self)
    }

    /// Whether two patterns can be the same number: equal wherever both are known, with at least
    /// `minimumShared` positions known in both. Returns the number of shared known digits, or nil.
    public static func compatible(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Int? {
        guard a.count == 11, b.count == 11 else { return nil }
        let star: UInt32 = 0x2A
        var shared = 0
        for i in 0..<11 where a[i] != star && b[i] != star {
            if a[i] != b[i] { return nil }
            shared += 1
        }
        return shared
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
