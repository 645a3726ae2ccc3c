/// Social identities grouped into people: two identities that show the same rare identifier
/// (a full phone number, an e-mail, a WeChat unionid, an advertising id) are one person's
/// accounts, so the person's evidence against a customer is read from all of them.
///
/// Rarity is what keeps strangers apart: a value held by more than `maxShared` identities
/// (an all-zero advertising id, a family tablet, an office's shared address) joins nobody.
/// App-scoped ids never recur, so they join nobody either; they cost nothing.
public struct PersonGraph: Sendable {
    /// Per record: its component's id (the smallest record index in it); customers are their own.
    public private(set) var component: [Int32]
    /// Identity-to-identity joins made, and identifier values skipped for being too common.
    public private(set) var joins = 0
    public private(set) var commonValuesSkipped = 0

    /// Components of the right records of `records`, joined on `columns` whose values at most
    /// `maxShared` right records hold.
    public init(records: RecordSet, columns: [Column], maxShared: Int) {
        let left = records.leftCount, n = records.count
        var parent = (0..<Int32(n)).map { $0 }
        func find(_ x: Int32) -> Int32 {
            var r = x
            while parent[Int(r)] != r { r = parent[Int(r)] }
            var y = x
            while parent[Int(y)] != r { let next = parent[Int(y)]; parent[Int(y)] = r; y = next }
            return r
        }
        for column in columns {
            // (value, record) for the right side, sorted: each value's holders are one run
            // (a sort, not a dictionary of arrays: a million customers bring millions of values).
            var holdings: [UInt64] = []
            holdings.reserveCapacity(column.totalCount)
            for r in left..<n {
                for v in column.values(r) { holdings.append(UInt64(UInt32(bitPattern: v)) << 32 | UInt64(r)) }
            }
            holdings.sort()
            holdings = Blocking.unique(holdings)
            var start = 0
            while start < holdings.count {
                var end = start + 1
                while end < holdings.count && holdings[end] >> 32 == holdings[start] >> 32 { end += 1 }
                if end - start > maxShared {
                    commonValuesSkipped += 1
                } else if end - start > 1 {
                    let first = Int32(truncatingIfNeeded: holdings[start])
                    for x in (start + 1)..<end {
                        let a = find(first), b = find(Int32(truncatingIfNeeded: holdings[x]))
                        if a != b { parent[Int(max(a, b))] = min(a, b); joins += 1 }
                    }
                }
                start = end
            }
        }
        component = (0..<Int32(n)).map { find($0) }
    }
}
