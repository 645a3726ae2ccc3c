/// Builds the open-addressing hash trie that the C segmenter walks: (parent node, key) → child.
///
/// Node 0 is the root. A node's cost is the word's cost (−ln p) when a word ends there, else −1.
struct HashTrieBuilder {
    private var children: [UInt64: UInt32] = [:]
    private(set) var costs: [Float] = [-1]

    /// Adds a word (its key sequence) with a cost, replacing the cost of an existing word.
    /// Returns the word's node.
    @discardableResult
    mutating func insert(_ keys: [UInt32], cost: Float) -> UInt32 {
        var node: UInt32 = 0
        for key in keys {
            let edge = (UInt64(node) << 32 | UInt64(key)) + 1
            if let child = children[edge] {
                node = child
            } else {
                let child = UInt32(costs.count)
                costs.append(-1)
                children[edge] = child
                node = child
            }
        }
        costs[Int(node)] = cost
        return node
    }

    var nodeCount: Int { costs.count }

    /// Lays the edges out in a table of a power-of-two size at most half full.
    func layout() -> (keys: [UInt64], nodes: [UInt32]) {
        var size = 16
        while size < children.count * 2 { size *= 2 }
        var keys = [UInt64](repeating: 0, count: size)
        var nodes = [UInt32](repeating: 0, count: size)
        let mask = UInt32(size - 1)
        // Sorted insertion makes the table bytes depend only on the words, not on dictionary order.
        for (edge, child) in children.sorted(by: { $0.key < $1.key }) {
            var slot = CCore.trieSlot(edge, mask: mask)
            while keys[Int(slot)] != 0 { slot = (slot + 1) & mask }
            keys[Int(slot)] = edge
            nodes[Int(slot)] = child
        }
        return (keys, nodes)
    }
}

/// A built trie kept in Swift arrays (the user lexicon overlay, or a model before it is written).
final class OwnedTrie: @unchecked Sendable {
    // @unchecked: the arrays are never mutated after init, and views only read them.
    let slotKeys: [UInt64]
    let slotNodes: [UInt32]
    let nodeCost: [Float]
    let unknownCost: Float
    private let keysPointer: UnsafeMutablePointer<UInt64>
    private let nodesPointer: UnsafeMutablePointer<UInt32>
    private let costPointer: UnsafeMutablePointer<Float>

    init(_ builder: HashTrieBuilder, unknownCost: Float) {
        let (keys, nodes) = builder.layout()
        slotKeys = keys
        slotNodes = nodes
        nodeCost = builder.costs
        self.unknownCost = unknownCost
        // Stable copies for the C side: Swift arrays give no lasting pointer.
        keysPointer = .allocate(capacity: keys.count)
        keysPointer.initialize(from: keys, count: keys.count)
        nodesPointer = .allocate(capacity: nodes.count)
        nodesPointer.initialize(from: nodes, count: nodes.count)
        costPointer = .allocate(capacity: max(1, builder.costs.count))
        costPointer.initialize(from: builder.costs, count: builder.costs.count)
    }

    deinit {
        keysPointer.deallocate()
        nodesPointer.deallocate()
        costPointer.deallocate()
    }

    var view: TrieView {
        TrieView(slotKeys: keysPointer, slotNodes: nodesPointer, slotCount: UInt32(slotKeys.count),
                 nodeCost: costPointer, nodeCount: UInt32(nodeCost.count), unknownCost: unknownCost, owner: self)
    }
}
