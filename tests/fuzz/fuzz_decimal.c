/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the exact decimals of rates and settings and the conversions
 * that use them. The input is "TEXT1|TEXT2" after eight bytes of amount
 * and one byte choosing two currencies: a canonical decimal parses to
 * itself; converting between one currency at equal rates gives the
 * amount back; a conversion never crashes, whatever it refuses. A number
 * read with a decimal comma comes out as digits with at most a sign and
 * one point, or is refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[128], canon1[64], canon2[64], again[64];
    const char *a, *b;
    const tf_currency *from, *to;
    size_t ncur = 0;
    int64_t amount, out, prod;
    tf_diag diag;
    char *bar;

    if (size < 9 || size - 9 >= sizeof(text))
        return 0;
    memcpy(&amount, data, 8);
    while (tf_currency_at(ncur))
        ncur++;
    from = tf_currency_at((data[8] & 0x0f) % ncur);
    to = tf_currency_at((data[8] >> 4) % ncur);
    memcpy(text, data + 9, size - 9);
    text[size - 9] = '\0';
    bar = strchr(text, '|');
    a = text;
    b = "1";
    if (bar) {
        *bar = '\0';
        b = bar + 1;
    }

    tf_diag_clear(&diag);
    if (tf_decimal_parse(canon1, sizeof(canon1), a, 1, &diag) == TF_OK) {
        if (tf_decimal_parse(again, sizeof(again), canon1, 1, NULL) != TF_OK ||
            strcmp(again, canon1))
            abort();
        tf_money_mul_decimal(&prod, amount, canon1, TF_ROUND_HALF_EVEN);
        tf_money_mul_decimal(&prod, amount, canon1, TF_ROUND_FLOOR);
    } else if (!diag.msg[0]) {
        abort();
    }
    if (tf_decimal_parse(canon2, sizeof(canon2), b, 0, NULL) != TF_OK)
        canon2[0] = '\0';

    tf_diag_clear(&diag);
    if (tf_decimal_comma_read(again, sizeof(again), a, "amount", &diag) ==
        TF_OK) {
        const char *p = again + (again[0] == '-');
        size_t digits = strspn(p, "0123456789");

        if (p[digits] == '.')
            digits += 1 + strspn(p + digits + 1, "0123456789");
        if (p[digits] != '\0')
            abort();
    } else if (!diag.msg[0]) {
        abort();
    }

    /* Raw texts, valid or not, must be refused or converted safely. */
    tf_money_convert(&out, amount, from, a, to, b);
    if (canon2[0] &&
        tf_decimal_parse(canon1, sizeof(canon1), a, 0, NULL) == TF_OK) {
        if (tf_money_convert(&out, amount, from, canon1, from, canon1) ==
                TF_OK &&
            out != amount)
            abort();
        tf_money_convert(&out, amount, from, canon1, to, canon2);
    }
    return 0;
}
