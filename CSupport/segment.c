// Unigram Viterbi segmentation over caller-owned hash tries.
#include "CSupport.h"

static inline uint32_t trie_child(const qt_trie *t, uint32_t parent, uint32_t key) {
    uint64_t k = (((uint64_t)parent << 32) | key) + 1;
    uint32_t mask = t->slot_count - 1;
    for (uint32_t s = qt_trie_slot(k, mask);; s = (s + 1) & mask) {
        uint64_t found = t->slot_keys[s];
        if (found == k) return t->slot_nodes[s];
        if (found == 0) return UINT32_MAX;
    }
}

uint32_t qt_trie_lookup(const qt_trie *trie, const uint32_t *keys, size_t count) {
    if (trie->slot_count == 0) return UINT32_MAX;
    uint32_t node = 0;
    for (size_t i = 0; i < count && node != UINT32_MAX; i++) node = trie_child(trie, node, keys[i]);
    return node;
}

static inline void relax(float *best, uint32_t *back, uint32_t *node_of, size_t i, size_t j,
                         float cost, uint32_t node) {
    if (best[i] + cost < best[j]) {
        best[j] = best[i] + cost;
        back[j] = (uint32_t)i;
        node_of[j] = node;
    }
}

qt_status qt_segment(const qt_trie *base, const qt_trie *overlay, const uint32_t *keys,
                     const uint8_t *atom_start, size_t count, void *scratch, uint32_t *out_ends,
                     uint32_t *out_nodes, size_t *word_count) {
    if (count >= UINT32_MAX / 2 || (base->slot_count & (base->slot_count - 1)) != 0 ||
        (overlay->slot_count & (overlay->slot_count - 1)) != 0) {
        return QT_ERR_ARGUMENT;
    }
    float *best = (float *)scratch;
    uint32_t *back = (uint32_t *)scratch + (count + 1);
    uint32_t *node_of = (uint32_t *)scratch + 2 * (count + 1);
    best[0] = 0;
    for (size_t j = 1; j <= count; j++) best[j] = 3.0e38f;
    for (size_t i = 0; i < count; i++) {
        if (!atom_start[i]) continue;
        // The atom itself as an unknown word: always possible, so every position is reachable.
        size_t atom_end = i + 1;
        while (atom_end < count && !atom_start[atom_end]) atom_end++;
        relax(best, back, node_of, i, atom_end, base->unknown_cost, UINT32_MAX);
        uint32_t bnode = base->slot_count ? 0 : UINT32_MAX;
        uint32_t onode = overlay->slot_count ? 0 : UINT32_MAX;
        for (size_t j = i; j < count && (bnode != UINT32_MAX || onode != UINT32_MAX); j++) {
            if (bnode != UINT32_MAX) bnode = trie_child(base, bnode, keys[j]);
            if (onode != UINT32_MAX) onode = trie_child(overlay, onode, keys[j]);
            if (j + 1 < count && !atom_start[j + 1]) continue;  // words end on atom boundaries
            float ocost = onode != UINT32_MAX ? overlay->node_cost[onode] : -1.0f;
            if (ocost >= 0) {
                relax(best, back, node_of, i, j + 1, ocost, QT_OVERLAY_NODE | onode);
            } else if (ocost != QT_COST_BLOCKED && bnode != UINT32_MAX && base->node_cost[bnode] >= 0) {
                relax(best, back, node_of, i, j + 1, base->node_cost[bnode], bnode);
            }
        }
    }
    size_t n = 0;
    for (size_t j = count; j > 0; j = back[j]) {
        out_ends[n] = (uint32_t)j;
        out_nodes[n] = node_of[j];
        n++;
    }
    for (size_t a = 0, b = n ? n - 1 : 0; a < b; a++, b--) {
        uint32_t te = out_ends[a]; out_ends[a] = out_ends[b]; out_ends[b] = te;
        uint32_t tn = out_nodes[a]; out_nodes[a] = out_nodes[b]; out_nodes[b] = tn;
    }
    if (word_count) *word_count = n;
    return QT_OK;
}
