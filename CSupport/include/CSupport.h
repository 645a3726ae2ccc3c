// CSupport: Qingting's small C core.
//
// Every function here is pure over caller-owned buffers: pointers and lengths in, a status code
// out, no allocation visible to the caller, no global state other than read-only tables that ICU
// or this library build once. Swift imports this header only; ICU's own headers stay inside the
// .c files (see "ICU and Foundation" in the design).
#ifndef QT_CSUPPORT_H
#define QT_CSUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes shared by every qt_ function.
typedef enum {
    QT_OK = 0,
    QT_ERR_INVALID_UTF8 = 1,     ///< input is not UTF-8; *error_offset names the first bad byte
    QT_ERR_BUFFER_TOO_SMALL = 2, ///< an output buffer is too small; *required says how large it must be
    QT_ERR_ICU = 3,              ///< ICU failed (data missing or an internal error)
    QT_ERR_ARGUMENT = 4,         ///< an argument is out of range
} qt_status;

// MARK: - N-gram hashing (the hash is part of every model file: never change it, bump the version)

/// Version of the n-gram hash definition below. Model files record it.
#define QT_NGRAM_HASH_VERSION 1

/// Hashes every n-gram of `units` for n in [n_min, n_max] into `out`, masked by `mask`.
///
/// Definition (frozen, version 1), for the n-gram starting at i:
///   h = seed ^ (n * 0x9E3779B1)
///   for k in 0..<n: h = (h ^ units[i + k]) * 0x01000193
///   h = fmix32(h)                      // MurmurHash3's finalizer
///   out = h & mask
/// Output order: all n = n_min grams by position, then n_min + 1, ... up to n_max.
/// `out` must hold qt_ngram_count(count, n_min, n_max) entries. n_min >= 1, n_max <= 8.
/// Uses AVX2 when the CPU has it; qt_ngram_hash_scalar is the reference it must equal.
qt_status qt_ngram_hash(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                        uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity);

/// The scalar reference of qt_ngram_hash; same arguments, same output, bit for bit.
qt_status qt_ngram_hash_scalar(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                               uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity);

/// The AVX2 path of qt_ngram_hash; QT_ERR_ARGUMENT when the CPU lacks AVX2 (see qt_cpu_has_avx2).
qt_status qt_ngram_hash_avx2(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                             uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity);

/// Number of n-grams qt_ngram_hash writes for `count` units.
size_t qt_ngram_count(size_t count, uint32_t n_min, uint32_t n_max);

/// Hash of a whole unit sequence (one n-gram with n = count), unmasked. Used to give a word an id.
uint32_t qt_hash_units(const uint32_t *units, size_t count, uint32_t seed);

/// 1 when the running CPU supports AVX2, else 0.
int qt_cpu_has_avx2(void);

// MARK: - Normalization (UTF-8 in, code points with source byte spans out)

/// Options for qt_normalize, OR-ed together.
enum {
    QT_NORM_NFKC = 1u << 0,        ///< NFKC (full-width to half-width, compatibility forms)
    QT_NORM_CASEFOLD = 1u << 1,    ///< Unicode simple case folding (Latin, Greek, Cyrillic ...)
    QT_NORM_T2S = 1u << 2,         ///< Traditional to Simplified, character by character
    QT_NORM_SQUEEZE = 1u << 3,     ///< keep at most `squeeze_max` repeats of one character
};

/// Decodes and normalizes UTF-8 text.
///
/// Writes normalized code points to `out_cps` and, for each, the byte span [out_begin, out_end)
/// of the original text it came from (characters produced by one source character share its span;
/// squeezed-out repeats widen the span of the last kept one). `capacity` is the size of the three
/// output arrays; `*count` receives the number written, or on QT_ERR_BUFFER_TOO_SMALL a capacity
/// that is enough. On QT_ERR_INVALID_UTF8, `*error_offset` is the offset of the first bad byte.
/// `*t2s_changed` receives the number of characters Traditional-to-Simplified replaced.
qt_status qt_normalize(const uint8_t *utf8, size_t length, uint32_t options, uint32_t squeeze_max,
                       uint32_t *out_cps, uint32_t *out_begin, uint32_t *out_end, size_t capacity,
                       size_t *count, size_t *error_offset, size_t *t2s_changed);

/// Checks that `utf8` is well-formed; on failure `*error_offset` is the first bad byte.
qt_status qt_utf8_validate(const uint8_t *utf8, size_t length, size_t *error_offset);

/// Character classes the tokenizer needs, from ICU's properties.
typedef enum {
    QT_CLASS_OTHER = 0,
    QT_CLASS_HAN = 1,         ///< Han ideograph (and 〇)
    QT_CLASS_LETTER = 2,      ///< a letter of a non-Han script (Latin, kana, Hangul ...)
    QT_CLASS_DIGIT = 3,       ///< decimal digit 0-9 (after NFKC)
    QT_CLASS_SPACE = 4,       ///< white space
    QT_CLASS_PUNCT = 5,       ///< punctuation or symbol that is not emoji
    QT_CLASS_EMOJI = 6,       ///< pictographic emoji, regional indicator
    QT_CLASS_EMOJI_PART = 7,  ///< joins an emoji sequence: ZWJ, variation selector, skin tone, keycap
    QT_CLASS_MARK = 8,        ///< combining mark
} qt_char_class;

/// Classifies `count` code points into `out_classes` (one byte each).
void qt_classify(const uint32_t *cps, size_t count, uint8_t *out_classes);

/// Maps a Traditional character to its Simplified form (itself when there is none or the mapping
/// is not one character). Builds ICU's Traditional-Simplified table on first use.
uint32_t qt_t2s(uint32_t cp);

// MARK: - ICU word breaks and transliteration

/// ICU's dictionary word breaks (UBRK_WORD, locale "zh") over code points.
/// Writes the boundary positions (indices into `cps`, including 0 and `count`) to `out_bounds`.
qt_status qt_icu_word_breaks(const uint32_t *cps, size_t count, uint32_t *out_bounds,
                             size_t capacity, size_t *bound_count);

/// Transliterates UTF-8 text with an ICU transform id (e.g. "Han-Latin; Latin-ASCII",
/// "Traditional-Simplified"), writing UTF-8 to `out`. `*written` is the length, or on
/// QT_ERR_BUFFER_TOO_SMALL the length needed.
qt_status qt_icu_transliterate(const char *transform_id, const uint8_t *utf8, size_t length,
                               uint8_t *out, size_t capacity, size_t *written);

// MARK: - Dictionary segmentation (Viterbi over a caller-owned hash trie)

/// A read-only word trie stored as an open-addressing hash of (parent node, key) -> child node.
/// All arrays belong to the caller (typically memory-mapped from a model file).
typedef struct {
    const uint64_t *slot_keys;   ///< (parent << 32 | key) + 1, 0 = empty; `slot_count` entries
    const uint32_t *slot_nodes;  ///< child node of each slot
    uint32_t slot_count;         ///< a power of two
    const float *node_cost;      ///< cost (-ln p) of the word ending at a node; < 0 = not a word
    uint32_t node_count;
    float unknown_cost;          ///< cost of an atom no word covers
} qt_trie;

/// Cost marking an overlay word that removes the base model's word on the same path.
#define QT_COST_BLOCKED (-2.0f)
/// Bit set in qt_segment's `out_nodes` for words that came from the overlay trie.
#define QT_OVERLAY_NODE 0x80000000u

/// Segments `count` keys by the minimum total cost path (unigram Viterbi).
///
/// Words come from `base` (the trained model) and `overlay` (the user lexicon; may be empty,
/// slot_count 0). Where both have a word on the same path the overlay's cost wins, and an overlay
/// cost of QT_COST_BLOCKED removes the word. `atom_start[i]` is 1 when a word may begin at key i
/// (0 inside an atom such as a Latin word); words start and end on atom boundaries, and an atom
/// no word covers is a word of cost `base->unknown_cost`. Writes word end positions to `out_ends`
/// (ascending, the last is `count`) and each word's node to `out_nodes` (UINT32_MAX for unknown
/// atoms; QT_OVERLAY_NODE | node for overlay words).
/// `scratch` must hold QT_SEGMENT_SCRATCH_BYTES(count) bytes, aligned for uint32_t.
/// `out_ends` and `out_nodes` must hold `count` entries.
qt_status qt_segment(const qt_trie *base, const qt_trie *overlay, const uint32_t *keys,
                     const uint8_t *atom_start, size_t count, void *scratch, uint32_t *out_ends,
                     uint32_t *out_nodes, size_t *word_count);

/// Bytes of scratch qt_segment needs for `count` keys.
#define QT_SEGMENT_SCRATCH_BYTES(count) (12 * ((size_t)(count) + 1))

/// Looks up the trie node for a whole key sequence; UINT32_MAX when the path does not exist.
uint32_t qt_trie_lookup(const qt_trie *trie, const uint32_t *keys, size_t count);

/// Hash slot function used by qt_trie (frozen with the segment model format).
static inline uint32_t qt_trie_slot(uint64_t k, uint32_t mask) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (uint32_t)k & mask;
}

// MARK: - Linear scoring (the inner loop of every classifier)

/// Adds `values[k] * scale * weights[indices[k] * labels + j]` to `out[j]` for every feature k and
/// label j: the logits of a linear model whose weights are int8, quantized with one `scale`.
/// `values` may be NULL (every value 1). Each index is taken `& mask` (the model's bucket count
/// minus one), so no index reads past the weights, and a model with fewer buckets than the
/// features were hashed into reads the same buckets as if they had been hashed for it.
void qt_linear_scores_i8(const int8_t *weights, uint32_t labels, const uint32_t *indices,
                         const float *values, size_t count, uint32_t mask, float scale, float *out);

// MARK: - String similarity (record linkage), over code points

/// Jaro–Winkler similarity in [0, 1] of two code point strings (the first 255 of each), with the
/// common prefix (up to 4) weighted by `prefix_scale` (0.1 is the usual value).
double qt_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, double prefix_scale);

/// Levenshtein distance (insert, delete, substitute: 1 each) in code points, over the first 255
/// of each string. Bit-parallel (Myers 1999) when the shorter string has at most 64 code points;
/// qt_levenshtein_scalar is the dynamic-programming reference it must equal.
uint32_t qt_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/// The dynamic-programming reference of qt_levenshtein.
uint32_t qt_levenshtein_scalar(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/// Damerau–Levenshtein distance in the optimal-string-alignment form: as Levenshtein, plus a
/// swap of two adjacent code points costs 1 (19100210 / 19100120 is one edit). First 255 of each.
uint32_t qt_damerau_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/// MinHash signature: out[s] = min over i of fmix32(hashes[i] ^ seeds[s]), for s in 0..<k.
/// Two sets' signatures agree in a position with probability equal to their Jaccard similarity.
/// With count 0 every out[s] is UINT32_MAX.
void qt_minhash(const uint32_t *hashes, size_t count, const uint32_t *seeds, size_t k, uint32_t *out);

#ifdef __cplusplus
}
#endif

#endif
