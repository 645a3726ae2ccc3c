// Internal: one strict UTF-8 decoding step, shared by the validator and the normalizer.
#ifndef QT_UTF8_DECODE_H
#define QT_UTF8_DECODE_H
#include <stddef.h>
#include <stdint.h>

/// Decodes the code point at `i`; returns the offset after it, or 0 when the bytes at `i` are
/// not well-formed UTF-8.
static inline size_t qt_utf8_decode(const uint8_t *s, size_t n, size_t i, uint32_t *cp) {
    uint8_t b0 = s[i];
    if (b0 < 0x80) { *cp = b0; return i + 1; }
    if (b0 < 0xC2) return 0;
    if (b0 < 0xE0) {
        if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
        return i + 2;
    }
    if (b0 < 0xF0) {
        if (i + 2 >= n) return 0;
        uint8_t b1 = s[i + 1], b2 = s[i + 2];
        if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return 0;
        if (b0 == 0xE0 && b1 < 0xA0) return 0;          // overlong
        if (b0 == 0xED && b1 >= 0xA0) return 0;         // surrogate
        *cp = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(b1 & 0x3F) << 6) | (b2 & 0x3F);
        return i + 3;
    }
    if (b0 < 0xF5) {
        if (i + 3 >= n) return 0;
        uint8_t b1 = s[i + 1], b2 = s[i + 2], b3 = s[i + 3];
        if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80 || (b3 & 0xC0) != 0x80) return 0;
        if (b0 == 0xF0 && b1 < 0x90) return 0;          // overlong
        if (b0 == 0xF4 && b1 >= 0x90) return 0;         // past U+10FFFF
        *cp = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(b1 & 0x3F) << 12) |
              ((uint32_t)(b2 & 0x3F) << 6) | (b3 & 0x3F);
        return i + 4;
    }
    return 0;
}
#endif
