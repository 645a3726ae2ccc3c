/// Accepted links grouped into entities: connected components by union–find, taking the
/// strongest links first. Under `link_to_master`, a component holds at most one master record
/// (two CRM customers are never merged through a chain of social accounts): a link that would
/// join two masters' components is left out.
///
/// A cluster's id is its master record's id, else its smallest record id, so re-running on the
/// same data gives the same ids, and a cluster keeps its id as long as that member stays in it.
public struct Clustering: Sendable {
    /// Root-finding parent of each record.
    private var parent: [Int32]
    /// Master record of each root's component, or -1.
    private var master: [Int32]
    public private(set) var rejected = 0

    public init(records: RecordSet, masters: Bool) {
        parent = (0..<Int32(records.count)).map { $0 }
        master = (0..<records.count).map { masters && records.sources[$0] == 0 ? Int32($0) : -1 }
    }

    public mutating func find(_ x: Int) -> Int {
        var r = Int32(x)
        while parent[Int(r)] != r { r = parent[Int(r)] }
        var y = Int32(x)
        while parent[Int(y)] != r { let next = parent[Int(y)]; parent[Int(y)] = r; y = next }
        return Int(r)
    }

    /// Joins the components of i and j unless both hold a different master. Returns whether joined.
    @discardableResult
    public mutating func union(_ i: Int, _ j: Int) -> Bool {
        let a = find(i), b = find(j)
        if a == b { return true }
        if master[a] >= 0 && master[b] >= 0 && master[a] != master[b] { rejected += 1; return false }
        let (root, child) = a < b ? (a, b) : (b, a)
        parent[child] = Int32(root)
        if master[root] < 0 { master[root] = master[child] }
        return true
    }

    /// Clusters from links at or above `threshold` (and every rule link), strongest first.
    public static func cluster(_ links: [PairScorer.Scored], records: RecordSet, threshold: Double, masters: Bool) -> Clustering {
        var c = Clustering(records: records, masters: masters)
        let accepted = links.filter { $0.isLink(threshold: threshold) }.sorted { $0.ranks(before: $1) }
        for l in accepted {
            let (i, j) = Blocking.split(l.pair)
            c.union(i, j)
        }
        return c
    }

    /// The master record of r's component, or nil.
    public mutating func masterOf(_ r: Int) -> Int? {
        let m = master[find(r)]
        return m >= 0 ? Int(m) : nil
    }

    /// A stable id per record: its component's master id, else the component's smallest id.
    public mutating func clusterIds(_ records: RecordSet) -> [String] {
        var smallest: [Int: String] = [:]
        for r in 0..<records.count {
            let root = find(r)
            if let s = smallest[root], s <= records.ids[r] { continue }
            smallest[root] = records.ids[r]
        }
        return (0..<records.count).map { r in
            let root = find(r)
            if master[root] >= 0 { return records.ids[Int(master[root])] }
            return smallest[root]!
        }
    }
}
