/* SPDX-License-Identifier: MIT */
/* Checks of identifiers, references and counts given as text (text.h). */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "tfund/text.h"

int tf_id_valid(const char *id)
{
    size_t n = 0;

    if (!id ||
        !((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z') ||
          (id[0] >= '0' && id[0] <= '9')))
        return 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return n <= 64;
}
long tf_parse_count(const char *text)
{
    long v = 0;

    if (!text || !*text || strlen(text) > 9)
        return -1;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/*
 * The code point of the UTF-8 sequence at s (RFC 3629: no overlong form,
 * no surrogate, nothing past U+10FFFF), its length in *len; -1 when s
 * does not start a well-formed sequence.
 */
static long utf8_next(const unsigned char *s, size_t *len)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    long cp;
    size_t n;

    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* shorter forms are overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else {
        return -1;
    }
    if (s[1] < lo || s[1] > hi)
        return -1;
    for (size_t k = 1; k <= n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    *len = n + 1;
    return cp;
}

/* Shared by tf_text_check and tf_ref_check: UTF-8 without C0, DEL or
 * C1 control characters. */
static tf_error printable(const char *what, const char *text, tf_diag *diag)
{
    const unsigned char *s = (const unsigned char *)text;

    for (size_t i = 0, len; s[i]; i += len) {
        long cp = utf8_next(s + i, &len);
        if (cp < 0)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "%s is not valid UTF-8 (byte %zu)", what, i + 1);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "%s has a control character (U+%04lX) at byte "
                               "%zu: text may not hold tabs, line ends or "
                               "terminal controls",
                               what, (unsigned long)cp, i + 1);
    }
    return TF_OK;
}

tf_error tf_text_check(const char *what, const char *text, size_t max,
                       int empty_ok, tf_diag *diag)
{
    size_t n = text ? strlen(text) : 0;

    if (n == 0)
        return empty_ok ? TF_OK
                        : tf_diag_set(diag, TF_ERR_INPUT, "%s is empty", what);
    if (n > max)
        return tf_diag_set(diag, TF_ERR_INPUT, "%s is longer than %zu bytes",
                           what, max);
    return printable(what, text, diag);
}

/* References are free text but printable and short: they appear in
 * messages, journals and spreadsheets, and are typed again to find the
 * record, which a space at either end would make impossible. */
tf_error tf_ref_check(const char *what, const char *ref, tf_diag *diag)
{
    char name[64];
    size_t n;
    tf_error err;

    if (!ref || !*ref)
        return tf_diag_set(diag, TF_ERR_INPUT, "%s reference is empty", what);
    n = strlen(ref);
    if (n > 100)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "%s reference is longer than 100 bytes", what);
    snprintf(name, sizeof(name), "%s reference", what);
    if ((err = printable(name, ref, diag)))
        return err;
    if (ref[0] == ' ' || ref[n - 1] == ' ')
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "%s reference '%s' %s with a space, and could not "
                           "be typed again to find it",
                           what, ref, ref[0] == ' ' ? "begins" : "ends");
    return TF_OK;
}

long tf_sorted_index(char *const *ids, size_t n, const char *id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ids[mid], id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
