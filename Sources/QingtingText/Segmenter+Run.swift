extension Segmenter {
    /// Cuts one run of Han, letters and digits `[start, end)` into word tokens.
    func segmentRun(_ s: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                    state: inout RunState, emit: (TokenKind, Int, Int) -> Void) {
        SegmentKeys.make(s, c, start, end, keys: &state.keys, atomStart: &state.atomStart, keyStart: &state.keyStart)
        let keys = state.keys, keyStart = state.keyStart
        func keyEnd(_ k: Int) -> Int { k < keys.count ? keyStart[k] : end }
        func emitWord(_ kFrom: Int, _ kTo: Int) {
            let allNumber = (kFrom..<kTo).allSatisfy { keys[$0] == SegmentKeys.numberKey }
            emit(allNumber ? .number : .word, keyEnd(kFrom), keyEnd(kTo))
        }
        if configuration.engine == .icu {
            let bounds = (try? CCore.icuWordBreaks(s, start..<end)) ?? [0, end - start]
            for (a, b) in zip(bounds, bounds.dropFirst()) { emit(.word, start + a, start + b) }
            return
        }
        let words = state.keys.withUnsafeBufferPointer { k in
            state.atomStart.withUnsafeBufferPointer { a in
                CCore.segment(base: model.trie, overlay: lexicon.trie, keys: k, atomStart: a,
                              scratch: &state.scratch, ends: &state.ends, nodes: &state.nodes)
            }
        }
        var from = 0
        var w = 0
        while w < words {
            let to = Int(state.ends[w])
            let node = state.nodes[w]
            // A stretch of unknown Han atoms: ICU's dictionary may know words the model does not.
            if node == UInt32.max, configuration.icuForUnknown, c[keyEnd(from)] == CharClass.han {
                var last = w
                while last + 1 < words, state.nodes[last + 1] == UInt32.max,
                      c[keyEnd(Int(state.ends[last]))] == CharClass.han {
                    last += 1
                }
                if last > w {
                    let a = keyEnd(from), b = keyEnd(Int(state.ends[last]))
                    if let bounds = try? CCore.icuWordBreaks(s, a..<b) {
                        for (x, y) in zip(bounds, bounds.dropFirst()) { emit(.word, a + x, a + y) }
                        from = Int(state.ends[last])
                        w = last + 1
                        continue
                    }
                }
            }
            if node != UInt32.max, node & CCore.overlayNodeBit != 0,
               let pieces = lexicon.splits[node & ~CCore.overlayNodeBit] {
                // A user split: the word is emitted as its pieces (lengths in keys).
                var k = from
                for length in pieces {
                    emitWord(k, k + length)
                    k += length
                }
            } else {
                emitWord(from, to)
            }
            from = to
            w += 1
        }
    }
}
