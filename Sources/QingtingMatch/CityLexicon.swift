import QingtingText

/// City names to one canonical form (上海市, Shanghai, 沪 and 浦东新区 all become 上海), read from
/// `Lexicons/cities.tsv`. A value no alias covers is kept as written (folded, without a trailing
/// 市), so two records that spell an unknown city the same way still agree.
public struct CityLexicon: Sendable {
    public static let defaultPath = "Lexicons/cities.tsv"
    private var canonicalOf: [String: String] = [:]
    /// Aliases of two or more characters, longest first, for finding a city inside a longer address.
    private var containedAliases: [(alias: String, city: String)] = []

    public init() {}

    /// Parses the TSV text (`city<TAB>alias,alias…`, `#` comments).
    /// - Throws: `MatchError.invalidSettings` naming `path:line` for a line without a city.
    public init(tsv: String, path: String) throws {
        for (n, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: "\r")
            if text.isEmpty || text.hasPrefix("#") { continue }
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let city = fields[0].trimmingSpaces
            guard !city.isEmpty else {
                throw MatchError(.invalidSettings, "a city line needs a canonical name before the tab", location: "\(path):\(n + 1)")
            }
            add(city, city)
            if fields.count > 1 {
                for alias in fields[1].split(separator: ",") { add(String(alias), city) }
            }
        }
        containedAliases.sort { $0.alias.count > $1.alias.count }
    }

    /// Loads the lexicon at `path`, or the shipped one.
    public static func load(path: String? = nil) throws -> CityLexicon {
        guard let file = path ?? Resources.find(defaultPath) else {
            throw MatchError(.io, "no city lexicon found (looked for \(defaultPath)); pass --cities")
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(file) } catch { throw MatchError(.io, "\(error)", location: file) }
        return try CityLexicon(tsv: String(decoding: bytes, as: UTF8.self), path: file)
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

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var s = self
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
