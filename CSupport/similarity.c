// String similarity kernels for record linkage, over code points (never UTF-8 bytes), so that
// 王小明 / 王晓明 is one edit. Pure functions; the caller owns every buffer.
#include "CSupport.h"
#include <string.h>

#define QT_SIM_MAX 255

double qt_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, double prefix_scale) {
    if (na > QT_SIM_MAX) na = QT_SIM_MAX;
    if (nb > QT_SIM_MAX) nb = QT_SIM_MAX;
    if (na == 0 && nb == 0) return 1.0;
    if (na == 0 || nb == 0) return 0.0;
    size_t longer = na > nb ? na : nb;
    size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    uint8_t used_a[QT_SIM_MAX] = {0}, used_b[QT_SIM_MAX] = {0};
    size_t matches = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < nb ? i + window + 1 : nb;
        for (size_t j = lo; j < hi; j++) {
            if (!used_b[j] && a[i] == b[j]) {
                used_a[i] = used_b[j] = 1;
                matches++;
                break;
            }
        }
    }
    if (matches == 0) return 0.0;
    size_t transpositions = 0, j = 0;
    for (size_t i = 0; i < na; i++) {
        if (!used_a[i]) continue;
        while (!used_b[j]) j++;
        if (a[i] != b[j]) transpositions++;
        j++;
    }
    double m = (double)matches;
    double jaro = (m / (double)na + m / (double)nb + (m - (double)transpositions / 2.0) / m) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < na && prefix < nb && a[prefix] == b[prefix]) prefix++;
    return jaro + (double)prefix * prefix_scale * (1.0 - jaro);
}

uint32_t qt_levenshtein_scalar(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    if (na > QT_SIM_MAX) na = QT_SIM_MAX;
    if (nb > QT_SIM_MAX) nb = QT_SIM_MAX;
    uint32_t row[QT_SIM_MAX + 1];
    for (size_t j = 0; j <= nb; j++) row[j] = (uint32_t)j;
    for (size_t i = 1; i <= na; i++) {
        uint32_t diagonal = row[0];
        row[0] = (uint32_t)i;
        for (size_t j = 1; j <= nb; j++) {
            uint32_t above = row[j];
            uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            uint32_t best = diagonal + cost;
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[nb];
}

// Myers (1999): the DP column as bit vectors, one machine word when the pattern fits in 64.
uint32_t qt_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    if (na > nb) {  // the shorter string is the pattern
        const uint32_t *t = a; a = b; b = t;
        size_t tn = na; na = nb; nb = tn;
    }
    if (na == 0) return (uint32_t)(nb > QT_SIM_MAX ? QT_SIM_MAX : nb);
    if (na > 64 || nb > QT_SIM_MAX) return qt_levenshtein_scalar(a, na, b, nb);
    uint64_t pv = ~0ULL, mv = 0, last = 1ULL << (na - 1);
    uint32_t score = (uint32_t)na;
    for (size_t j = 0; j < nb; j++) {
        uint64_t eq = 0;
        for (size_t i = 0; i < na; i++) eq |= (uint64_t)(a[i] == b[j]) << i;
        uint64_t xv = eq | mv;
        uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
        uint64_t ph = mv | ~(xh | pv);
        uint64_t mh = pv & xh;
        if (ph & last) score++;
        else if (mh & last) score--;
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | ~(xv | ph);
        mv = ph & xv;
    }
    return score;
}

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16;
    return h;
}

void qt_minhash(const uint32_t *hashes, size_t count, const uint32_t *seeds, size_t k, uint32_t *out) {
    for (size_t s = 0; s < k; s++) out[s] = UINT32_MAX;
    for (size_t i = 0; i < count; i++) {
        for (size_t s = 0; s < k; s++) {  // the inner loop vectorizes: k independent minima
            uint32_t h = fmix32(hashes[i] ^ seeds[s]);
            out[s] = h < out[s] ? h : out[s];
        }
    }
}

uint32_t qt_damerau_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    if (na > QT_SIM_MAX) na = QT_SIM_MAX;
    if (nb > QT_SIM_MAX) nb = QT_SIM_MAX;
    // Three rows of the optimal-string-alignment table: two back, one back, current.
    uint32_t rows[3][QT_SIM_MAX + 1];
    uint32_t *prev2 = rows[0], *prev = rows[1], *row = rows[2];
    for (size_t j = 0; j <= nb; j++) prev[j] = (uint32_t)j;
    for (size_t i = 1; i <= na; i++) {
        row[0] = (uint32_t)i;
        for (size_t j = 1; j <= nb; j++) {
            uint32_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            uint32_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best) {
                best = prev2[j - 2] + 1;
            }
            row[j] = best;
        }
        uint32_t *t = prev2; prev2 = prev; prev = row; row = t;
    }
    return prev[nb];
}
