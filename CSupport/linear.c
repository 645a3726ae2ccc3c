// Sum of weight rows: a linear model's logits over sparse features.
#include "CSupport.h"

void qt_linear_scores_i8(const int8_t *weights, uint32_t labels, const uint32_t *indices,
                         const float *values, size_t count, uint32_t mask, float scale, float *out) {
    // Integer accumulation per label when every value is 1 (the n-gram case), then one multiply.
    if (values == NULL && labels <= 256) {
        int32_t acc[256];
        for (uint32_t j = 0; j < labels; j++) acc[j] = 0;
        for (size_t k = 0; k < count; k++) {
            const int8_t *row = weights + (size_t)(indices[k] & mask) * labels;
            for (uint32_t j = 0; j < labels; j++) acc[j] += row[j];
        }
        for (uint32_t j = 0; j < labels; j++) out[j] += (float)acc[j] * scale;
        return;
    }
    for (size_t k = 0; k < count; k++) {
        const int8_t *row = weights + (size_t)(indices[k] & mask) * labels;
        float v = (values ? values[k] : 1.0f) * scale;
        for (uint32_t j = 0; j < labels; j++) out[j] += (float)row[j] * v;
    }
}
