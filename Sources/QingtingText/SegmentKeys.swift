/// How normalized text becomes the keys the word trie is indexed by, and where words may begin.
///
/// A Han character is one key and one atom. A run of letters and digits (iPhone15, 5g, 3.5%) is one
/// atom that no word boundary splits; inside it each letter is a key and each digit group
/// (digits with inner `.` `,` `:` and a trailing `%`) is the single key `numberKey`, so that the
/// model learns 1998年 and 12月 as “number + 年/月” once for every number.
/// Changing any of this changes every model: bump `version`.
enum SegmentKeys {
    static let version: UInt32 = 1
    /// Past the last code point (U+10FFFF), so that it never collides with a character.
    static let numberKey: UInt32 = 0x11_0001

    /// Keys of one run of scalars `[start, end)` (all of them in-run classes).
    /// `keyStart[k]` is the scalar index where key k begins.
    static func make(_ scalars: UnsafeBufferPointer<UInt32>, _ classes: UnsafeBufferPointer<UInt8>,
                     _ start: Int, _ end: Int,
                     keys: inout [UInt32], atomStart: inout [UInt8], keyStart: inout [Int]) {
        keys.removeAll(keepingCapacity: true)
        atomStart.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        var i = start
        var inAtom = false
        while i < end {
            let c = classes[i]
            if c == CharClass.han {
                keys.append(scalars[i]); atomStart.append(1); keyStart.append(i)
                inAtom = false
                i += 1
            } else if c == CharClass.digit {
                keys.append(numberKey); atomStart.append(inAtom ? 0 : 1); keyStart.append(i)
                inAtom = true
                i = numberEnd(scalars, classes, i, end)
            } else if c == CharClass.mark && !keys.isEmpty {
                i += 1  // a combining mark belongs to the key before it
            } else {
                keys.append(scalars[i]); atomStart.append(inAtom ? 0 : 1); keyStart.append(i)
                inAtom = true
                i += 1
            }
        }
    }

    /// End of the digit group starting at `i`: digits, inner . , : between digits, a trailing %.
    static func numberEnd(_ scalars: UnsafeBufferPointer<UInt32>, _ classes: UnsafeBufferPointer<UInt8>,
                          _ i: Int, _ end: Int) -> Int {
        var j = i
        while j < end {
            if classes[j] == CharClass.digit {
                j += 1
            } else if isNumberInner(scalars[j]), j + 1 < end, classes[j + 1] == CharClass.digit {
                j += 2
            } else if scalars[j] == 0x25 {  // %
                j += 1
                break
            } else {
                break
            }
        }
        return j
    }

    static func isNumberInner(_ s: UInt32) -> Bool { s == 0x2E || s == 0x2C || s == 0x3A }

    /// Keys of a whole word (normalized as the segmenter normalizes), or nil when the word holds
    /// characters that never reach the word model (spaces, punctuation, emoji).
    static func keys(forWord word: String) -> [UInt32]? {
        let normalized = Normalizer.standard.scalars(of: word)
        guard !normalized.isEmpty else { return nil }
        let classes = CCore.classify(normalized)
        for (index, c) in classes.enumerated() {
            let inner = index > 0 && (isNumberInner(normalized[index]) || normalized[index] == 0x25)
            if !(c == CharClass.han || c == CharClass.letter || c == CharClass.digit || c == CharClass.mark || inner) {
                return nil
            }
        }
        var keys: [UInt32] = [], atoms: [UInt8] = [], starts: [Int] = []
        normalized.withUnsafeBufferPointer { s in
            classes.withUnsafeBufferPointer { c in
                make(s, c, 0, s.count, keys: &keys, atomStart: &atoms, keyStart: &starts)
            }
        }
        return keys
    }
}

/// Character classes from the C core (`qt_char_class`).
enum CharClass {
    static let other: UInt8 = 0
    static let han: UInt8 = 1
    static let letter: UInt8 = 2
    static let digit: UInt8 = 3
    static let space: UInt8 = 4
    static let punct: UInt8 = 5
    static let emoji: UInt8 = 6
    static let emojiPart: UInt8 = 7
    static let mark: UInt8 = 8
}
