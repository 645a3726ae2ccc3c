// Normalization and character classes, on top of ICU's NFKC data and properties.
#include "CSupport.h"
#include "utf8_decode.h"

#include <pthread.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

// MARK: Traditional -> Simplified table

// ICU's "Traditional-Simplified" transform is slow per call, and it maps one character at a time
// for all but a handful of phrases. So the engine asks it once for every CJK character, keeps
// the one-to-one answers in a table, and then maps in O(1) without moving any text offsets.
#define T2S_FIRST 0x3400u
#define T2S_LAST 0x9FFFu
static uint16_t t2s_table[T2S_LAST - T2S_FIRST + 1];
static pthread_once_t t2s_once = PTHREAD_ONCE_INIT;

static void t2s_build(void) {
    for (uint32_t c = T2S_FIRST; c <= T2S_LAST; c++) t2s_table[c - T2S_FIRST] = (uint16_t)c;
    UErrorCode err = U_ZERO_ERROR;
    static const UChar id[] = u"Traditional-Simplified";
    UTransliterator *tr = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    if (U_FAILURE(err)) return;  // no ICU data: characters map to themselves
    const int32_t chunk = 4096;
    UChar buf[4096 * 2 * 4];
    for (uint32_t first = T2S_FIRST; first <= T2S_LAST; first += chunk) {
        uint32_t last = first + chunk - 1;
        if (last > T2S_LAST) last = T2S_LAST;
        int32_t len = 0;
        for (uint32_t c = first; c <= last; c++) {
            buf[len++] = (UChar)c;
            buf[len++] = u'\n';  // a separator, so that no phrase rule sees two characters
        }
        int32_t limit = len;
        err = U_ZERO_ERROR;
        utrans_transUChars(tr, buf, &len, (int32_t)(sizeof buf / sizeof buf[0]), 0, &limit, &err);
        if (U_FAILURE(err)) continue;
        uint32_t c = first;
        int32_t start = 0;
        for (int32_t i = 0; i < len && c <= last; i++) {
            if (buf[i] != u'\n') continue;
            if (i - start == 1 && !U16_IS_SURROGATE(buf[start])) {
                t2s_table[c - T2S_FIRST] = buf[start];
            }
            start = i + 1;
            c++;
        }
    }
    utrans_close(tr);
}

uint32_t qt_t2s(uint32_t cp) {
    if (cp < T2S_FIRST || cp > T2S_LAST) return cp;
    pthread_once(&t2s_once, t2s_build);
    return t2s_table[cp - T2S_FIRST];
}

// MARK: Normalization

static inline int no_squeeze(uint32_t cp) {
    // Digits, ASCII letters and '*' carry meaning in their count: 1000000, 138****1234, xxxx.
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           cp == '*';
}

static inline int is_han_fast(uint32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

typedef struct {
    uint32_t *cps, *begin, *end;
    size_t capacity, count;
    uint32_t options, squeeze_max, run;
    size_t t2s_changed;
    int overflow;
} emitter;

static inline void emit(emitter *e, uint32_t cp, uint32_t b, uint32_t end) {
    if (e->options & QT_NORM_T2S) {
        uint32_t s = qt_t2s(cp);
        if (s != cp) { e->t2s_changed++; cp = s; }
    }
    if ((e->options & QT_NORM_CASEFOLD) && !is_han_fast(cp)) {
        if (cp < 0x80) {
            if (cp >= 'A' && cp <= 'Z') cp += 32;
        } else {
            cp = (uint32_t)u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT);
        }
    }
    if ((e->options & QT_NORM_SQUEEZE) && e->count > 0 && e->cps[e->count - 1] == cp &&
        !no_squeeze(cp)) {
        e->run++;
        if (e->run > e->squeeze_max) {
            if (e->end[e->count - 1] < end) e->end[e->count - 1] = end;
            return;
        }
    } else {
        e->run = 1;
    }
    if (e->count >= e->capacity) { e->overflow = 1; e->count++; return; }
    e->cps[e->count] = cp;
    e->begin[e->count] = b;
    e->end[e->count] = end;
    e->count++;
}

qt_status qt_normalize(const uint8_t *utf8, size_t length, uint32_t options, uint32_t squeeze_max,
                       uint32_t *out_cps, uint32_t *out_begin, uint32_t *out_end, size_t capacity,
                       size_t *count, size_t *error_offset, size_t *t2s_changed) {
    if (length > UINT32_MAX) return QT_ERR_ARGUMENT;
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = NULL;
    if (options & QT_NORM_NFKC) {
        nfkc = unorm2_getNFKCInstance(&err);
        if (U_FAILURE(err)) return QT_ERR_ICU;
    }
    emitter e = {out_cps, out_begin, out_end, capacity, 0, options, squeeze_max ? squeeze_max : 1,
                 0, 0, 0};
    size_t i = 0;
    uint32_t cp = 0;
    size_t next = 0;
    if (length > 0 && (next = qt_utf8_decode(utf8, length, 0, &cp)) == 0) {
        if (error_offset) *error_offset = 0;
        return QT_ERR_INVALID_UTF8;
    }
    while (i < length) {
        // Peek at the following character: a combining one joins this character's segment.
        size_t seg_end = next;
        uint32_t after = 0;
        size_t after_next = 0;
        if (seg_end < length && (after_next = qt_utf8_decode(utf8, length, seg_end, &after)) == 0) {
            if (error_offset) *error_offset = seg_end;
            return QT_ERR_INVALID_UTF8;
        }
        int simple = (nfkc == NULL) || cp < 0xA0 || is_han_fast(cp) || unorm2_isInert(nfkc, (UChar32)cp);
        if (simple && seg_end < length && nfkc != NULL && after >= 0x300 && !is_han_fast(after) &&
            !unorm2_hasBoundaryBefore(nfkc, (UChar32)after)) {
            simple = 0;
        }
        if (simple) {
            emit(&e, cp, (uint32_t)i, (uint32_t)seg_end);
            i = seg_end;
            cp = after;
            next = after_next;
            continue;
        }
        // Gather the segment: this character and every following one with no boundary before it.
        UChar src[64];
        int32_t src_len = 0;
        U16_APPEND_UNSAFE(src, src_len, cp);
        while (seg_end < length && after >= 0x300 && !unorm2_hasBoundaryBefore(nfkc, (UChar32)after) &&
               src_len < 60) {
            U16_APPEND_UNSAFE(src, src_len, after);
            seg_end = after_next;
            if (seg_end < length && (after_next = qt_utf8_decode(utf8, length, seg_end, &after)) == 0) {
                if (error_offset) *error_offset = seg_end;
                return QT_ERR_INVALID_UTF8;
            }
        }
        UChar dst[256];
        err = U_ZERO_ERROR;
        int32_t dst_len = unorm2_normalize(nfkc, src, src_len, dst, 256, &err);
        if (U_FAILURE(err)) { dst_len = src_len; memcpy(dst, src, sizeof(UChar) * (size_t)src_len); }
        for (int32_t k = 0; k < dst_len;) {
            UChar32 c;
            U16_NEXT_UNSAFE(dst, k, c);
            if (c == 0x3000) c = ' ';
            emit(&e, (uint32_t)c, (uint32_t)i, (uint32_t)seg_end);
        }
        i = seg_end;
        cp = after;
        next = after_next;
    }
    if (t2s_changed) *t2s_changed = e.t2s_changed;
    if (count) *count = e.overflow ? (length * 18 + 16) : e.count;
    return e.overflow ? QT_ERR_BUFFER_TOO_SMALL : QT_OK;
}

// MARK: Character classes

static uint8_t classify_one(uint32_t cp) {
    if (cp < 0x80) {
        if (cp >= '0' && cp <= '9') return QT_CLASS_DIGIT;
        if ((cp | 32) >= 'a' && (cp | 32) <= 'z') return QT_CLASS_LETTER;
        if (cp == ' ' || (cp >= 9 && cp <= 13)) return QT_CLASS_SPACE;
        if (cp < 0x20 || cp == 0x7F) return QT_CLASS_SPACE;  // control characters separate like space
        return QT_CLASS_PUNCT;
    }
    if (is_han_fast(cp) || cp == 0x3007) return QT_CLASS_HAN;
    if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
        cp == 0x20E3 || (cp >= 0xE0020 && cp <= 0xE007F)) {
        return QT_CLASS_EMOJI_PART;
    }
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return QT_CLASS_EMOJI;
    if (u_hasBinaryProperty((UChar32)cp, UCHAR_EXTENDED_PICTOGRAPHIC)) return QT_CLASS_EMOJI;
    if (u_isUWhiteSpace((UChar32)cp) || u_iscntrl((UChar32)cp) || cp == 0x200B || cp == 0xFEFF) {
        return QT_CLASS_SPACE;
    }
    int8_t type = u_charType((UChar32)cp);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK) {
        return QT_CLASS_MARK;
    }
    if (type == U_DECIMAL_DIGIT_NUMBER) return QT_CLASS_DIGIT;
    UErrorCode err = U_ZERO_ERROR;
    if (uscript_getScript((UChar32)cp, &err) == USCRIPT_HAN && u_isalpha((UChar32)cp)) return QT_CLASS_HAN;
    if (u_isalpha((UChar32)cp)) return QT_CLASS_LETTER;
    return QT_CLASS_PUNCT;
}

void qt_classify(const uint32_t *cps, size_t count, uint8_t *out_classes) {
    for (size_t i = 0; i < count; i++) out_classes[i] = classify_one(cps[i]);
}
