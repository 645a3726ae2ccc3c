// ICU word breaks and transliteration behind plain buffers.
#include "CSupport.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

// Opening a break iterator or a transliterator costs far more than using one, so each thread
// keeps its own (ICU objects are not thread-safe to share). Callers see no state: results depend
// only on the arguments.
static _Thread_local UBreakIterator *word_breaker;
static _Thread_local UTransliterator *translit;
static _Thread_local char translit_id[128];

qt_status qt_icu_word_breaks(const uint32_t *cps, size_t count, uint32_t *out_bounds,
                             size_t capacity, size_t *bound_count) {
    if (count > INT32_MAX / 2) return QT_ERR_ARGUMENT;
    if (capacity < count + 1) { if (bound_count) *bound_count = count + 1; return QT_ERR_BUFFER_TOO_SMALL; }
    UErrorCode err = U_ZERO_ERROR;
    if (!word_breaker) {
        word_breaker = ubrk_open(UBRK_WORD, "zh", NULL, 0, &err);
        if (U_FAILURE(err)) { word_breaker = NULL; return QT_ERR_ICU; }
    }
    // UTF-16 copy plus, for each UTF-16 unit, the code point index it belongs to.
    UChar *u16 = malloc(sizeof(UChar) * (count * 2 + 1));
    uint32_t *cp_index = malloc(sizeof(uint32_t) * (count * 2 + 1));
    if (!u16 || !cp_index) { free(u16); free(cp_index); return QT_ERR_ARGUMENT; }
    int32_t len = 0;
    for (size_t i = 0; i < count; i++) {
        cp_index[len] = (uint32_t)i;
        if (cps[i] > 0xFFFF) cp_index[len + 1] = (uint32_t)i;
        U16_APPEND_UNSAFE(u16, len, (UChar32)cps[i]);
    }
    cp_index[len] = (uint32_t)count;
    ubrk_setText(word_breaker, u16, len, &err);
    size_t n = 0;
    if (U_SUCCESS(err)) {
        for (int32_t p = ubrk_first(word_breaker); p != UBRK_DONE; p = ubrk_next(word_breaker)) {
            out_bounds[n++] = cp_index[p];
        }
    }
    ubrk_setText(word_breaker, NULL, 0, &err);  // drop the pointer to our buffer
    free(u16);
    free(cp_index);
    if (bound_count) *bound_count = n;
    return n > 0 || count == 0 ? QT_OK : QT_ERR_ICU;
}

qt_status qt_icu_transliterate(const char *transform_id, const uint8_t *utf8, size_t length,
                               uint8_t *out, size_t capacity, size_t *written) {
    if (length > INT32_MAX / 4 || strlen(transform_id) >= sizeof translit_id) return QT_ERR_ARGUMENT;
    UErrorCode err = U_ZERO_ERROR;
    if (!translit || strcmp(translit_id, transform_id) != 0) {
        if (translit) utrans_close(translit);
        translit = NULL;
        UChar id[128];
        u_uastrcpy(id, transform_id);
        translit = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
        if (U_FAILURE(err)) { translit = NULL; return QT_ERR_ARGUMENT; }
        strcpy(translit_id, transform_id);
    }
    int32_t u16_len = 0;
    u_strFromUTF8(NULL, 0, &u16_len, (const char *)utf8, (int32_t)length, &err);
    if (err == U_INVALID_CHAR_FOUND) return QT_ERR_INVALID_UTF8;
    err = U_ZERO_ERROR;
    int32_t cap16 = u16_len * 8 + 64;  // transforms such as Han-Latin grow the text
    UChar *u16 = malloc(sizeof(UChar) * (size_t)cap16);
    if (!u16) return QT_ERR_ARGUMENT;
    u_strFromUTF8(u16, cap16, &u16_len, (const char *)utf8, (int32_t)length, &err);
    int32_t limit = u16_len;
    if (U_SUCCESS(err)) utrans_transUChars(translit, u16, &u16_len, cap16, 0, &limit, &err);
    if (U_FAILURE(err)) { free(u16); return QT_ERR_ICU; }
    int32_t out_len = 0;
    u_strToUTF8((char *)out, (int32_t)(capacity > INT32_MAX ? INT32_MAX : capacity), &out_len, u16, u16_len, &err);
    free(u16);
    if (written) *written = (size_t)out_len;
    if (err == U_BUFFER_OVERFLOW_ERROR || (size_t)out_len > capacity) return QT_ERR_BUFFER_TOO_SMALL;
    if (U_FAILURE(err) && err != U_STRING_NOT_TERMINATED_WARNING) return QT_ERR_ICU;
    return QT_OK;
}
