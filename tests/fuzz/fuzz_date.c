/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the date and time checks and date arithmetic: a valid date is
 * ten characters and survives adding and subtracting days; a valid time
 * is twenty characters whose first ten are a valid date. Read in any
 * of the forms files write, a date or a time comes out valid in the
 * books' form, or is refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[64], out[TF_DATE_LEN + 1], back[TF_DATE_LEN + 1];
    tf_diag diag;
    int days = 0;

    if (size < 2 || size > sizeof(text) - 1 + 2)
        return 0;
    /* Two bytes of day offset, then the text. */
    days = (int16_t)(data[0] | data[1] << 8);
    memcpy(text, data + 2, size - 2);
    text[size - 2] = '\0';

    tf_diag_clear(&diag);
    if (tf_date_check(text, &diag) == TF_OK) {
        if (strlen(text) != TF_DATE_LEN)
            abort();
        tf_date_add_days(out, text, days);
        if (strlen(out) != TF_DATE_LEN)
            abort();
        if (tf_date_check(out, NULL) == TF_OK) {
            tf_date_add_days(back, out, -days);
            if (strcmp(back, text))
                abort();
        }
    } else if (!diag.msg[0]) {
        abort();
    }
    tf_diag_clear(&diag);
    if (tf_time_check(text, &diag) == TF_OK) {
        char date[TF_DATE_LEN + 1];
        if (strlen(text) != TF_TIME_LEN)
            abort();
        memcpy(date, text, TF_DATE_LEN);
        date[TF_DATE_LEN] = '\0';
        if (tf_date_check(date, NULL) != TF_OK)
            abort();
    } else if (!diag.msg[0]) {
        abort();
    }
    for (int f = TF_DATE_YMD; f <= TF_DATE_MDY; f++) {
        char d[TF_DATE_LEN + 1], t[TF_TIME_LEN + 1];

        tf_diag_clear(&diag);
        if (tf_date_read(d, text, (tf_date_form)f, &diag) == TF_OK) {
            if (tf_date_check(d, NULL) != TF_OK)
                abort();
        } else if (!diag.msg[0] || d[0]) {
            abort();
        }
        tf_diag_clear(&diag);
        if (tf_time_read(t, text, (tf_date_form)f, &diag) == TF_OK) {
            if (tf_time_check(t, NULL) != TF_OK)
                abort();
        } else if (!diag.msg[0] || t[0]) {
            abort();
        }
    }
    return 0;
}
