import QingtingText
import QingtingCore

/// City names to one canonical form (上海市, Shanghai, 沪 and 浦东新区 all become 上海), read from
/// `Lexicons/cities.tsv`. A value no alias covers is kept as written (folded, without a trailing
/// 市), so two records that spell an unknown city the same way still agree.
public struct CityLexicon: Sendable {
    public static let defaultPath = "Lexicons/cities.tsv"
    private var canonicalOf: [String: String] = [:]
    /// Aliases of two or more characters, longest first, for finding a city inside a longer address.
    private var containedAliases: [(alias: String, city: String)] = []

    public init() {}

    /// Parses the TSV text (`city<TAB>alias,alias…`) by `LexiconFile`'s rules.
    /// - Throws: `QingtingErrors` naming `path:line` for every line without a city or not UTF-8.
    public init(tsv: String, path: String) throws {
        try self.init(bytes: Array(tsv.utf8), path: path)
    }

    init(bytes: [UInt8], path: String) throws {
        try LexiconFile.parse(bytes, path: path) { columns, _ in add(columns) }
        containedAliases.sort { $0.alias.count > $1.alias.count }
    }

    /// Loads the lexicon at `path`, or the shipped one.
    /// - Throws: `QingtingErrors` naming the file (missing, not a regular file, over
    ///   `LexiconFile.defaultSizeLimit`) or each bad line.
    public static func load(path: String? = nil) throws -> CityLexicon {
        guard let file = path ?? Resources.find(defaultPath) else {
            throw QingtingError(.io, "no city lexicon found (looked for \(defaultPath)); pass --cities")
        }
        var lexicon = CityLexicon()
        try LexiconFile.read(file) { columns, _ in lexicon.add(columns) }
        lexicon.containedAliases.sort { $0.alias.count > $1.alias.count }
        return lexicon
    }

    /// Adds one line's city and aliases; returns what is wrong with the line instead when it is bad.
    private mutating func add(_ columns: [String]) -> String? {
        let city = columns[0]
        guard !city.isEmpty else { return "a city line needs a canonical name in column 1" }
        add(city, city)
        if columns.count > 1 {
            for alias in columns[1].split(separator: ",") { add(String(alias), city) }
        }
        return nil
    }

    private mutating func add(_ alias: String, _ city: String) {
        let key = Self.key(alias)
        guard !key.isEmpty else { return }
        canonicalOf[key] = city
        if key.unicodeScalars.count >= 2 { containedAliases.append((key, city)) }
    }

    static func key(_ s: String) -> String {
        TransformContext.fold(s).lowercased().filter { !$0.isWhitespace }
    }

    /// The canonical city of `value`, or the folded value itself when no alias covers it.
    public func canonical(_ value: String) -> String? {
        let key = Self.key(value)
        guard !key.isEmpty else { return nil }
        if let city = canonicalOf[key] { return city }
        for suffix in ["市", "区", "县"] where key.hasSuffix(suffix) && key.count > 1 {
            if let city = canonicalOf[String(key.dropLast())] { return city }
        }
        for (alias, city) in containedAliases where key.contains(alias) { return city }
        return key.hasSuffix("市") && key.count > 1 ? String(key.dropLast()) : key
    }
}
