// Strict UTF-8 decoding: rejects overlong forms, surrogates and code points past U+10FFFF.
#include "CSupport.h"
#include "utf8_decode.h"

qt_status qt_utf8_validate(const uint8_t *utf8, size_t length, size_t *error_offset) {
    size_t i = 0;
    while (i < length) {
        // Skip ASCII eight bytes at a time: most social text is mixed ASCII and CJK.
        while (i + 8 <= length) {
            uint64_t word;
            __builtin_memcpy(&word, utf8 + i, 8);
            if (word & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= length) break;
        uint32_t cp;
        size_t next = qt_utf8_decode(utf8, length, i, &cp);
        if (next == 0) {
            if (error_offset) *error_offset = i;
            return QT_ERR_INVALID_UTF8;
        }
        i = next;
    }
    return QT_OK;
}
