/// Recognisers for the typed tokens that must not be cut by word segmentation: URLs, e-mail
/// addresses, @mentions, hashtags, phone numbers and emoji. Each looks at normalized scalars
/// (half-width, lower-case) from position `i` and returns the end of its match, or nil.
enum TypedTokens {
    typealias Scalars = UnsafeBufferPointer<UInt32>
    typealias Classes = UnsafeBufferPointer<UInt8>

    static func isASCIIAlnum(_ s: UInt32) -> Bool {
        (s >= 0x30 && s <= 0x39) || (s >= 0x61 && s <= 0x7A) || (s >= 0x41 && s <= 0x5A)
    }

    static func hasPrefix(_ s: Scalars, _ i: Int, _ prefix: StaticString) -> Bool {
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard i + p.count <= s.count else { return false }
        for k in 0..<p.count where s[i + k] != UInt32(p[k]) { return false }
        return true
    }

    /// http://…, https://…, www.… up to white space or a non-ASCII character; trailing
    /// sentence punctuation is left out.
    static func url(_ s: Scalars, _ i: Int) -> Int? {
        let start: Int
        if hasPrefix(s, i, "https://") { start = i + 8 }
        else if hasPrefix(s, i, "http://") { start = i + 7 }
        else if hasPrefix(s, i, "www.") { start = i + 4 }
        else { return nil }
        var j = start
        while j < s.count, s[j] > 0x20, s[j] < 0x7F, s[j] != 0x22, s[j] != 0x3C, s[j] != 0x3E { j += 1 }
        while j > start, let last = Unicode.Scalar(s[j - 1]), ".,;:!?)'".unicodeScalars.contains(last) { j -= 1 }
        return j > start ? j : nil
    }

    static func isEmailLocal(_ c: UInt32) -> Bool {
        isASCIIAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D
    }

    /// local@domain.tld with an ASCII local part and a dotted domain whose last label has letters.
    static func email(_ s: Scalars, _ i: Int) -> Int? {
        guard isASCIIAlnum(s[i]) else { return nil }
        var j = i
        // Bounded (RFC 5321: 64 and 255) so that long dotted runs cannot make scanning quadratic.
        while j < s.count, j - i < 64, isEmailLocal(s[j]) { j += 1 }
        guard j < s.count, s[j] == 0x40, j > i else { return nil }
        let domainStart = j + 1
        var k = domainStart, lastDot = -1
        while k < s.count, k - domainStart < 255, isASCIIAlnum(s[k]) || s[k] == 0x2D || (s[k] == 0x2E && k + 1 < s.count && isASCIIAlnum(s[k + 1])) {
            if s[k] == 0x2E { lastDot = k }
            k += 1
        }
        guard lastDot > domainStart, k - lastDot > 2 else { return nil }
        for t in (lastDot + 1)..<k where !(s[t] >= 0x61 && s[t] <= 0x7A) { return nil }
        return k
    }

    /// @name: letters, digits, Han, `_` and `-`, at most 30 characters.
    static func mention(_ s: Scalars, _ c: Classes, _ i: Int) -> Int? {
        guard s[i] == 0x40 else { return nil }
        var j = i + 1
        while j < s.count, j - i <= 30,
              c[j] == CharClass.han || c[j] == CharClass.letter || c[j] == CharClass.digit || s[j] == 0x5F || s[j] == 0x2D {
            j += 1
        }
        return j > i + 1 ? j : nil
    }

    /// `#话题#` (closed within 64 characters on one line) or `#tag` (letters, digits, Han).
    static func hashtag(_ s: Scalars, _ c: Classes, _ i: Int) -> Int? {
        guard s[i] == 0x23, i + 1 < s.count else { return nil }
        var j = i + 1
        while j < s.count, j - i <= 64, s[j] != 0x23, s[j] != 0x0A, s[j] != 0x0D { j += 1 }
        if j < s.count, s[j] == 0x23, j > i + 1, c[i + 1] != CharClass.space { return j + 1 }
        j = i + 1
        while j < s.count, c[j] == CharClass.han || c[j] == CharClass.letter || c[j] == CharClass.digit || s[j] == 0x5F {
            j += 1
        }
        return j > i + 1 ? j : nil
    }

    static func isPhoneChar(_ c: UInt32) -> Bool { (c >= 0x30 && c <= 0x39) || c == 0x2A }

    /// A mainland mobile: 11 digits starting 1[3-9], optionally +86 / 86 before it, optionally in
    /// 3-4-4 groups split by `-` or a space; masked forms keep at least 4 digits (138****1234,
    /// 1381234****) or are `****1234`. Not glued to further digits.
    static func phone(_ s: Scalars, _ i: Int) -> Int? {
        var j = i
        if hasPrefix(s, j, "+86") { j += 3; if j < s.count, s[j] == 0x20 || s[j] == 0x2D { j += 1 } }
        guard j < s.count, isPhoneChar(s[j]) else { return nil }
        if i > 0, isPhoneChar(s[i - 1]) || isASCIIAlnum(s[i - 1]) { return nil }
        var chars: [UInt32] = []
        var k = j
        while k < s.count, isPhoneChar(s[k]), chars.count < 12 { chars.append(s[k]); k += 1 }
        // 3-4-4 groups with one separator kind.
        if chars.count == 3, k < s.count, s[k] == 0x2D || s[k] == 0x20 {
            let sep = s[k]
            var grouped = chars, m = k
            for groupLength in [4, 4] {
                guard m < s.count, s[m] == sep else { break }
                var g = m + 1
                while g < s.count, isPhoneChar(s[g]), g - m - 1 < groupLength { grouped.append(s[g]); g += 1 }
                guard g - m - 1 == groupLength else { break }
                m = g
            }
            if grouped.count == 11 { chars = grouped; k = m }
        }
        if k < s.count, isPhoneChar(s[k]) || isASCIIAlnum(s[k]) { return nil }
        let digits = chars.filter { $0 != 0x2A }.count
        let stars = chars.count - digits
        if chars.count == 11, chars[0] == 0x31, digits >= 4, starsContiguous(chars),
           chars[1] == 0x2A || (chars[1] >= 0x33 && chars[1] <= 0x39) {
            return k
        }
        if stars >= 3, digits == 4, chars.prefix(stars).allSatisfy({ $0 == 0x2A }) { return k }
        return nil
    }

    /// A brand's or an office's service number, which customers quote as often as a mobile:
    /// 400/800 hotlines (10 digits, unbroken or grouped 3-3-4 / 3-4-3 by `-` or a space),
    /// 5-digit 95xxx and 96xxx numbers (95588, 96777), the well-known 1xxxx service numbers
    /// (10086, 12315, 12306, …), and landlines with an area code and a dash (010-12345678,
    /// 0755-8765 4321 is not one: the dash is required). Not glued to further digits or letters.
    static func serviceNumber(_ s: Scalars, _ i: Int) -> Int? {
        guard i < s.count, isDigit(s[i]) else { return nil }
        if i > 0, isPhoneChar(s[i - 1]) || isASCIIAlnum(s[i - 1]) || s[i - 1] == 0x2D { return nil }
        func digitsRun(_ from: Int) -> Int { var k = from; while k < s.count, isDigit(s[k]) { k += 1 }; return k - from }
        func endsClean(_ k: Int) -> Bool { k >= s.count || !(isASCIIAlnum(s[k]) || s[k] == 0x2D || s[k] == 0x2A) }
        let first = digitsRun(i)
        // 400 / 800 hotlines (compared by code point: this runs at every number token).
        if first >= 3, s[i] == 0x34 || s[i] == 0x38, s[i + 1] == 0x30, s[i + 2] == 0x30 {
            if first == 10, endsClean(i + 10) { return i + 10 }
            if first == 3, i + 3 < s.count, s[i + 3] == 0x2D || s[i + 3] == 0x20 {
                let sep = s[i + 3]
                let second = digitsRun(i + 4)
                let afterSecond = i + 4 + second
                if second == 3 || second == 4, afterSecond < s.count, s[afterSecond] == sep,
                   digitsRun(afterSecond + 1) == 7 - second, endsClean(afterSecond + 1 + 7 - second) {
                    return afterSecond + 1 + 7 - second
                }
            }
            return nil
        }
        // Short service numbers.
        if first == 5, endsClean(i + 5) {
            let number = String(String.UnicodeScalarView(s[i..<(i + 5)].compactMap(Unicode.Scalar.init)))
            if number.hasPrefix("95") || number.hasPrefix("96") || knownServiceNumbers.contains(number) { return i + 5 }
            return nil
        }
        // Landlines: 0 + a 2- or 3-digit area code, a dash, 7 or 8 digits.
        if s[i] == 0x30, first == 3 || first == 4, i + first < s.count, s[i + first] == 0x2D {
            let local = digitsRun(i + first + 1)
            if local == 7 || local == 8, endsClean(i + first + 1 + local) { return i + first + 1 + local }
        }
        return nil
    }

    /// 1xxxx service numbers that are numbers people dial, not amounts (10000 and 12345 are left out:
    /// they are far more often plain numbers).
    static let knownServiceNumbers: Set<String> = ["10086", "10010", "10050", "12315", "12306", "12333", "12366",
                                                   "12368", "12580", "12110", "12121", "12395", "12329", "12369"]

    static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }

    static func starsContiguous(_ chars: [UInt32]) -> Bool {
        guard let first = chars.firstIndex(of: 0x2A), let last = chars.lastIndex(of: 0x2A) else { return true }
        return chars[first...last].allSatisfy { $0 == 0x2A }
    }

    /// An emoji with what joins it: ZWJ sequences, variation selectors, skin tones, flag pairs,
    /// and keycaps (a digit, # or * followed by U+20E3).
    static func emoji(_ s: Scalars, _ c: Classes, _ i: Int) -> Int? {
        var j = i
        if c[i] == CharClass.emoji {
            let isFlag = s[i] >= 0x1F1E6 && s[i] <= 0x1F1FF
            j += 1
            if isFlag, j < s.count, s[j] >= 0x1F1E6, s[j] <= 0x1F1FF { return j + 1 }
        } else if isPhoneChar(s[i]) || s[i] == 0x23 {
            var k = i + 1
            if k < s.count, s[k] == 0xFE0F { k += 1 }
            guard k < s.count, s[k] == 0x20E3 else { return nil }
            return k + 1
        } else {
            return nil
        }
        while j < s.count {
            if c[j] == CharClass.emojiPart {
                if s[j] == 0x200D, j + 1 < s.count, c[j + 1] == CharClass.emoji { j += 2; continue }
                j += 1
            } else {
                break
            }
        }
        return j
    }
}
