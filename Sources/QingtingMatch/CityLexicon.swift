import QingtingText
import QingtingCore

/// City names to one canonical form (上海市, Shanghai, 沪 and 浦东新区 all become 上海), read from
/// `Lexicons/cities.tsv`. A value no alias covers is kept as written (folded, without a trailing
/// 市), so two records that spell an unknown city the same way still agree.
///
/// Two optional files beside it: `provinces.tsv` (`province<TAB>aliases`), so that a profile
/// showing only a province (IP属地: 江苏) names no city but a province, and `districts.tsv`
/// (`district<TAB>city,city`), so that a district several cities have (朝阳区, 鼓楼区) names all
/// of them. The third column of cities.tsv is the city's province.
public struct CityLexicon: Sendable {
    public static let defaultPath = "Lexicons/cities.tsv"
    private var canonicalOf: [String: String] = [:]
    private var provinceOfCity: [String: String] = [:]
    private var provinceOf: [String: String] = [:]
    private var sharedDistrict: [String: [String]] = [:]
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
        let folder = file.lastIndex(of: "/").map { String(file[...$0]) } ?? ""
        if let provinces = FileIO.existingFile(folder + "provinces.tsv") {
            try LexiconFile.read(provinces) { columns, _ in lexicon.addProvince(columns) }
        }
        if let districts = FileIO.existingFile(folder + "districts.tsv") {
            try LexiconFile.read(districts) { columns, _ in lexicon.addDistrict(columns) }
        }
        return lexicon
    }

    private mutating func addProvince(_ columns: [String]) -> String? {
        let province = columns[0]
        guard !province.isEmpty else { return "a province line needs a canonical name in column 1" }
        for alias in [province] + (columns.count > 1 ? columns[1].split(separator: ",").map(String.init) : []) {
            let key = Self.key(alias)
            if !key.isEmpty { provinceOf[key] = province }
        }
        return nil
    }

    private mutating func addDistrict(_ columns: [String]) -> String? {
        guard columns.count > 1, !columns[0].isEmpty else { return "a district line needs a name and its cities" }
        let cities = columns[1].split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
        guard cities.count > 1 else { return "a shared district names two or more cities" }
        sharedDistrict[Self.key(columns[0])] = cities
        return nil
    }

    /// Adds one line's city and aliases; returns what is wrong with the line instead when it is bad.
    private mutating func add(_ columns: [String]) -> String? {
        let city = columns[0]
        guard !city.isEmpty else { return "a city line needs a canonical name in column 1" }
        add(city, city)
        if columns.count > 1 {
            for alias in columns[1].split(separator: ",") { add(String(alias), city) }
        }
        if columns.count > 2, !columns[2].isEmpty { provinceOfCity[city] = columns[2] }
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

    /// The cities `value` can name: one canonical city, every city of a shared district, none
    /// for a province alone (or nothing), else the folded value itself.
    public func cities(_ value: String) -> [String] {
        let key = Self.key(value)
        guard !key.isEmpty else { return [] }
        if canonicalOf[key] == nil {
            if let shared = sharedDistrict[key] { return shared }
            if provinceOf[key] != nil { return [] }
            for suffix in ["省", "市"] where key.hasSuffix(suffix) && key.count > 1 {
                if provinceOf[String(key.dropLast())] != nil { return [] }
            }
        }
        return canonical(value).map { [$0] } ?? []
    }

    /// The province `value` names or lies in (江苏 for 江苏省, 南京 or 江宁区), or nil.
    public func province(_ value: String) -> String? {
        let key = Self.key(value)
        guard !key.isEmpty else { return nil }
        if let p = provinceOf[key] { return p }
        for suffix in ["省", "市"] where key.hasSuffix(suffix) && key.count > 1 {
            if let p = provinceOf[String(key.dropLast())] { return p }
        }
        let cities = cities(value)
        let provinces = Set(cities.compactMap { provinceOfCity[$0] })
        if provinces.count == 1 { return provinces.first }
        // "广东 深圳", "江苏省": a province name at the start.
        for (alias, p) in provinceOf where alias.unicodeScalars.count >= 2 && key.hasPrefix(alias) { return p }
        return nil
    }

    /// The canonical city of `value`, or the folded value itself when no alias covers it.
    public func canonical(_ value: String) -> String? {
        let key = Self.key(value)
        guard !key.isEmpty else { return nil }
        if let city = canonicalOf[key] { return city }
        for suffix in ["市", "区", "县"] where key.hasSuffix(suffix) && key.count > 1 {
            if let city = canonicalOf[String(key.dropLast())] { return city }
        }
        // "吉林长春", "广东省深圳市": the city after a leading province, not a province's
        // name that is also a city's.
        if let rest = afterProvince(key), let city = known(rest) { return city }
        for (alias, city) in containedAliases where key.contains(alias) { return city }
        return key.hasSuffix("市") && key.count > 1 ? String(key.dropLast()) : key
    }

    /// What follows the longest province name (of 2+ characters) `key` starts with, when
    /// something does.
    private func afterProvince(_ key: String) -> String? {
        var best: String? = nil
        for alias in provinceOf.keys where alias.unicodeScalars.count >= 2 && key.hasPrefix(alias) && key.count > alias.count {
            let rest = String(key.dropFirst(alias.count))
            if best == nil || rest.count < best!.count { best = rest }
        }
        return best
    }

    /// The city an alias names exactly (with or without a 市/区/县 suffix), or nil.
    private func known(_ key: String) -> String? {
        if let city = canonicalOf[key] { return city }
        for suffix in ["市", "区", "县"] where key.hasSuffix(suffix) && key.count > 1 {
            if let city = canonicalOf[String(key.dropLast())] { return city }
        }
        return nil
    }
}
