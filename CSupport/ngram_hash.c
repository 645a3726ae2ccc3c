// N-gram hashing: the scalar reference and the AVX2 path, chosen at run time.
#include "CSupport.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QT_X86 1
#endif

#define QT_PRIME 0x01000193u
#define QT_GOLDEN 0x9E3779B1u

static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

size_t qt_ngram_count(size_t count, uint32_t n_min, uint32_t n_max) {
    size_t total = 0;
    for (uint32_t n = n_min; n <= n_max; n++) {
        if (count >= n) total += count - n + 1;
    }
    return total;
}

static qt_status check_args(size_t count, uint32_t n_min, uint32_t n_max, size_t out_capacity) {
    if (n_min < 1 || n_max < n_min || n_max > 8) return QT_ERR_ARGUMENT;
    if (qt_ngram_count(count, n_min, n_max) > out_capacity) return QT_ERR_BUFFER_TOO_SMALL;
    return QT_OK;
}

uint32_t qt_hash_units(const uint32_t *units, size_t count, uint32_t seed) {
    uint32_t h = seed ^ ((uint32_t)count * QT_GOLDEN);
    for (size_t k = 0; k < count; k++) h = (h ^ units[k]) * QT_PRIME;
    return fmix32(h);
}

// The reference: one n-gram at a time. Vectorization is disabled so that it stays the plain
// scalar definition the SIMD path is checked (and benchmarked) against.
qt_status qt_ngram_hash_scalar(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                               uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity) {
    qt_status status = check_args(count, n_min, n_max, out_capacity);
    if (status != QT_OK) return status;
    size_t o = 0;
    for (uint32_t n = n_min; n <= n_max; n++) {
        if (count < n) break;
        uint32_t start = seed ^ (n * QT_GOLDEN);
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
        for (size_t i = 0; i + n <= count; i++) {
            uint32_t h = start;
            for (uint32_t k = 0; k < n; k++) h = (h ^ units[i + k]) * QT_PRIME;
            out[o++] = fmix32(h) & mask;
        }
    }
    return QT_OK;
}

#ifdef QT_X86
__attribute__((target("avx2")))
static inline __m256i fmix32_avx2(__m256i h) {
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
    h = _mm256_mullo_epi32(h, _mm256_set1_epi32((int)0x85ebca6bu));
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 13));
    h = _mm256_mullo_epi32(h, _mm256_set1_epi32((int)0xc2b2ae35u));
    h = _mm256_xor_si256(h, _mm256_srli_epi32(h, 16));
    return h;
}

__attribute__((target("avx2")))
static void ngram_hash_avx2_body(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                                 uint32_t seed, uint32_t mask, uint32_t *out) {
    const __m256i prime = _mm256_set1_epi32((int)QT_PRIME);
    const __m256i vmask = _mm256_set1_epi32((int)mask);
    size_t o = 0;
    for (uint32_t n = n_min; n <= n_max; n++) {
        if (count < n) break;
        uint32_t start = seed ^ (n * QT_GOLDEN);
        const __m256i vstart = _mm256_set1_epi32((int)start);
        size_t grams = count - n + 1;
        size_t i = 0;
        // Eight n-grams per step: lane j hashes the gram starting at i + j.
        for (; i + 8 <= grams; i += 8) {
            __m256i h = vstart;
            for (uint32_t k = 0; k < n; k++) {
                __m256i u = _mm256_loadu_si256((const __m256i *)(const void *)(units + i + k));
                h = _mm256_mullo_epi32(_mm256_xor_si256(h, u), prime);
            }
            h = _mm256_and_si256(fmix32_avx2(h), vmask);
            _mm256_storeu_si256((__m256i *)(void *)(out + o), h);
            o += 8;
        }
        for (; i < grams; i++) {
            uint32_t h = start;
            for (uint32_t k = 0; k < n; k++) h = (h ^ units[i + k]) * QT_PRIME;
            out[o++] = fmix32(h) & mask;
        }
    }
}
#endif

int qt_cpu_has_avx2(void) {
#ifdef QT_X86
    // Every thread computes the same answer, so a relaxed atomic cache is enough.
    static int cached = -1;
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return 0;
#endif
}

qt_status qt_ngram_hash_avx2(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                             uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity) {
#ifdef QT_X86
    if (!qt_cpu_has_avx2()) return QT_ERR_ARGUMENT;
    qt_status status = check_args(count, n_min, n_max, out_capacity);
    if (status != QT_OK) return status;
    ngram_hash_avx2_body(units, count, n_min, n_max, seed, mask, out);
    return QT_OK;
#else
    (void)units; (void)count; (void)n_min; (void)n_max; (void)seed; (void)mask; (void)out;
    (void)out_capacity;
    return QT_ERR_ARGUMENT;
#endif
}

qt_status qt_ngram_hash(const uint32_t *units, size_t count, uint32_t n_min, uint32_t n_max,
                        uint32_t seed, uint32_t mask, uint32_t *out, size_t out_capacity) {
    if (qt_cpu_has_avx2()) {
        return qt_ngram_hash_avx2(units, count, n_min, n_max, seed, mask, out, out_capacity);
    }
    return qt_ngram_hash_scalar(units, count, n_min, n_max, seed, mask, out, out_capacity);
}
