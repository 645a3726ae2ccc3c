import QingtingCore
/// ICU transliteration by transform id ("Han-Latin; Latin-ASCII", "Traditional-Simplified" ...).
///
/// The transliterator is opened once per thread and kept while the id stays the same, so callers
/// that transliterate many short strings should cache results per character where they can.
public enum Transliteration {
    /// `text` transformed by ICU's `transform`.
    /// - Throws: `QingtingError` with code `.icu` for an unknown transform or an ICU failure.
    public static func apply(_ text: String, transform: String) throws -> String {
        try CCore.transliterate(text, transform: transform)
    }
}
