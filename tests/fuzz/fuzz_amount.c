/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the amount parser: the first byte picks the currency (and
 * whether negatives are allowed), the rest is the text. Whatever parses
 * must print back as an amount that parses to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const tf_currency *cur;
    size_t ncur = 0;
    char text[256], buf[TF_AMOUNT_BUFSZ], grouped[TF_AMOUNT_BUFSZ];
    int64_t v, again;
    int neg;
    tf_diag diag;

    if (size < 1 || size > sizeof(text))
        return 0;
    while (tf_currency_at(ncur))
        ncur++;
    cur = tf_currency_at((data[0] >> 1) % ncur);
    neg = data[0] & 1;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    tf_diag_clear(&diag);
    if (tf_amount_parse(&v, text, cur, neg, &diag) != TF_OK) {
        if (!diag.msg[0])
            abort(); /* a refusal must say why */
        return 0;
    }
    if (!neg && v < 0)
        abort();
    if (tf_amount_format(buf, sizeof(buf), v, cur->minor, 0) >= sizeof(buf))
        abort();
    tf_amount_format(grouped, sizeof(grouped), v, cur->minor, 1);
    if (tf_amount_parse(&again, buf, cur, 1, NULL) != TF_OK || again != v)
        abort();
    return 0;
}
