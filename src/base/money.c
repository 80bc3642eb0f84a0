/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "tfund/money.h"

/*
 * ISO 4217 minor units. Kept in code order so that listings come out
 * sorted; the figures follow the ISO table, not common practice (ISO gives
 * IDR, HUF and COP two digits even where cash has none).
 */
static const tf_currency currencies[] = {
    {"AED", 2}, {"ARS", 2}, {"AUD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3},
    {"BRL", 2}, {"CAD", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2},
    {"CZK", 2}, {"DKK", 2}, {"EGP", 2}, {"ETB", 2}, {"EUR", 2}, {"GBP", 2},
    {"HKD", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"ISK", 0},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KRW", 0}, {"KWD", 3}, {"KZT", 2},
    {"MAD", 2}, {"MXN", 2}, {"MYR", 2}, {"NGN", 2}, {"NOK", 2}, {"NZD", 2},
    {"OMR", 3}, {"PEN", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"QAR", 2},
    {"RON", 2}, {"RUB", 2}, {"SAR", 2}, {"SEK", 2}, {"SGD", 2}, {"THB", 2},
    {"TND", 3}, {"TRY", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"VND", 0},
    {"XAF", 0}, {"XOF", 0}, {"ZAR", 2},
};

#define NCURRENCIES (sizeof(currencies) / sizeof(currencies[0]))

/* Longest decimal tf_decimal_parse() accepts, in characters. */
#define DECIMAL_MAX 40

/* Longest part of an offending value quoted in a message: a stray field
 * of a megabyte must not drown the position the caller puts in front. */
#define QUOTE_MAX 64

const tf_currency *tf_currency_find(const char *code)
{
    size_t lo = 0, hi = NCURRENCIES;

    if (!code)
        return NULL;
    /* The table is in code order: every row of an import asks. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(currencies[mid].code, code);
        if (c == 0)
            return &currencies[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const tf_currency *tf_currency_at(size_t i)
{
    return i < NCURRENCIES ? &currencies[i] : NULL;
}

/* Copies text for quoting in a message, cut short with "..." if long. */
static const char *quote(char *buf, size_t size, const char *text)
{
    if (strlen(text) <= QUOTE_MAX)
        return text;
    snprintf(buf, size, "%.*s...", QUOTE_MAX, text);
    return buf;
}

/*
 * Splits text into sign, integer digits and fractional digits. Returns 0
 * if it is [-]digits[.digits]: at least one digit on each side of a '.',
 * nothing else, so "12.", ".5", "+1", "1e5" and "1 000" all fail.
 */
static int split_decimal(const char *text, int *negative, const char **ip,
                         size_t *ilen, const char **fp, size_t *flen)
{
    const char *p = text;

    *negative = 0;
    if (*p == '-') {
        *negative = 1;
        p++;
    }
    *ip = p;
    while (*p >= '0' && *p <= '9')
        p++;
    *ilen = (size_t)(p - *ip);
    *fp = p;
    *flen = 0;
    if (*p == '.') {
        *fp = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        *flen = (size_t)(p - *fp);
        if (*flen == 0)
            return -1;
    }
    if (*ilen == 0 || *p != '\0')
        return -1;
    return 0;
}

tf_error tf_amount_parse(int64_t *out, const char *text, const tf_currency *cur,
                         int allow_negative, tf_diag *diag)
{
    char qbuf[QUOTE_MAX + 4];
    const char *ip, *fp, *q;
    size_t ilen, flen, i;
    int negative;
    uint64_t mag = 0, limit;

    if (!text || !*text)
        return tf_diag_set(diag, TF_ERR_INPUT, "amount '' is empty");
    q = quote(qbuf, sizeof(qbuf), text);
    if (split_decimal(text, &negative, &ip, &ilen, &fp, &flen) != 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "amount '%s' is not a plain decimal", q);
    /* A written sign is refused even on zero: "-0.00" in a receipts file
     * is a slip worth pointing out. */
    if (negative && !allow_negative)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "amount '%s' may not be negative", q);
    if (flen > (size_t)cur->minor)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "amount '%s' has more decimals than %s allows", q,
                           cur->code);

    /* The magnitude of INT64_MIN is one more than INT64_MAX. */
    limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (i = 0; i < ilen + (size_t)cur->minor; i++) {
        unsigned d = 0;

        if (i < ilen)
            d = (unsigned)(ip[i] - '0');
        else if (i - ilen < flen)
            d = (unsigned)(fp[i - ilen] - '0');
        if (mag > (limit - d) / 10)
            return tf_diag_set(diag, TF_ERR_INPUT, "amount '%s' is too large",
                               q);
        mag = mag * 10 + d;
    }
    *out = negative ? (int64_t)(0 - mag) : (int64_t)mag;
    return TF_OK;
}

size_t tf_amount_format(char *buf, size_t size, int64_t amount, int minor,
                        int grouping)
{
    /* 20 digits, 6 separators, sign, point and 18 padding zeros fit. */
    char digits[24], text[64];
    uint64_t mag;
    size_t ndig, nint, i;
    int n = 0;

    if (minor < 0)
        minor = 0;
    if (minor > 18)
        minor = 18;
    /* Unsigned negation so that INT64_MIN needs no special case. */
    mag = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;
    ndig = (size_t)snprintf(digits, sizeof(digits), "%0*llu", minor + 1,
                            (unsigned long long)mag);
    nint = ndig - (size_t)minor;

    if (amount < 0)
        text[n++] = '-';
    for (i = 0; i < nint; i++) {
        if (grouping && i > 0 && (nint - i) % 3 == 0)
            text[n++] = ',';
        text[n++] = digits[i];
    }
    if (minor > 0) {
        text[n++] = '.';
        memcpy(text + n, digits + nint, (size_t)minor);
        n += minor;
    }
    text[n] = '\0';
    if (size > 0)
        snprintf(buf, size, "%s", text);
    return (size_t)n;
}

tf_error tf_decimal_parse(char *canon, size_t size, const char *text,
                          int allow_zero, tf_diag *diag)
{
    char qbuf[QUOTE_MAX + 4];
    const char *ip, *fp, *q;
    size_t ilen, flen, len;
    int negative;

    if (!text || !*text)
        return tf_diag_set(diag, TF_ERR_INPUT, "decimal '' is empty");
    q = quote(qbuf, sizeof(qbuf), text);
    if (strlen(text) > DECIMAL_MAX)
        return tf_diag_set(diag, TF_ERR_INPUT, "decimal '%s' is too long", q);
    if (split_decimal(text, &negative, &ip, &ilen, &fp, &flen) != 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "decimal '%s' is not a plain decimal", q);
    if (negative)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "decimal '%s' may not be negative", q);

    while (ilen > 1 && *ip == '0') {
        ip++;
        ilen--;
    }
    while (flen > 0 && fp[flen - 1] == '0')
        flen--;
    if (!allow_zero && ilen == 1 && *ip == '0' && flen == 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "decimal '%s' may not be zero",
                           q);

    if (!canon)
        return TF_OK;
    len = ilen + (flen > 0 ? flen + 1 : 0);
    if (len >= size)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "decimal '%s' does not fit in %zu bytes", q, size);
    memcpy(canon, ip, ilen);
    if (flen > 0) {
        canon[ilen] = '.';
        memcpy(canon + ilen + 1, fp, flen);
    }
    canon[len] = '\0';
    return TF_OK;
}

tf_error tf_amount_bound(const char *what, int64_t amount, int64_t max,
                         const tf_currency *cur, tf_diag *diag)
{
    char a[TF_AMOUNT_BUFSZ], m[TF_AMOUNT_BUFSZ];

    if (amount <= max && amount >= -max)
        return TF_OK;
    tf_amount_format(a, sizeof(a), amount, cur->minor, 0);
    tf_amount_format(m, sizeof(m), max, cur->minor, 0);
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "%s %s %s is too large: tfund accepts at most %s %s",
                       what, a, cur->code, m, cur->code);
}

/* The group separator at p (".", a space, U+00A0 or U+202F in UTF-8):
 * its length in bytes, or 0. */
static size_t group_separator(const char *p)
{
    if (*p == '.' || *p == ' ')
        return 1;
    if (!strncmp(p, "\xC2\xA0", 2))
        return 2;
    if (!strncmp(p, "\xE2\x80\xAF", 3))
        return 3;
    return 0;
}

tf_error tf_decimal_comma_read(char *out, size_t size, const char *text,
                               const char *what, tf_diag *diag)
{
    char qbuf[QUOTE_MAX + 4];
    const char *p = text ? text : "", *sep = NULL;
    size_t n = 0, seplen = 0, group = 0, k;
    int groups = 0;

    if (*p == '-') {
        if (n + 1 < size)
            out[n] = '-';
        n++;
        p++;
    }
    for (;;) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 < size)
                out[n] = *p;
            n++;
            p++;
            group++;
            continue;
        }
        k = group_separator(p);
        if (!k)
            break;
        /* A separator follows one to three digits at first, then exactly
         * three, and is the same every time. */
        if (group == 0 || group > 3 || (groups && group != 3) ||
            (sep && (k != seplen || strncmp(p, sep, k))))
            goto bad;
        sep = p;
        seplen = k;
        groups++;
        group = 0;
        p += k;
    }
    if (groups && group != 3)
        goto bad;
    if (*p == ',') {
        if (n + 1 < size)
            out[n] = '.';
        n++;
        p++;
        if (!(*p >= '0' && *p <= '9'))
            goto bad;
        for (; *p >= '0' && *p <= '9'; p++, n++)
            if (n + 1 < size)
                out[n] = *p;
    }
    if (*p != '\0')
        goto bad;
    if (n >= size)
        return tf_diag_set(diag, TF_ERR_INPUT, "%s '%s' is too long", what,
                           quote(qbuf, sizeof(qbuf), text));
    out[n] = '\0';
    return TF_OK;

bad:
    if (size)
        out[0] = '\0';
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "%s '%s' is not a number written with a decimal comma "
                       "(such as 1.234,56 or 1234,56)",
                       what, quote(qbuf, sizeof(qbuf), text ? text : ""));
}

/* Sets z to v without assuming that long holds 64 bits. */
static void z_set_i64(mpz_t z, int64_t v)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    mpz_import(z, 1, 1, sizeof(mag), 0, 0, &mag);
    if (v < 0)
        mpz_neg(z, z);
}

/* Stores z in *out; TF_ERR_INPUT if it does not fit in int64. */
static tf_error z_get_i64(int64_t *out, const mpz_t z)
{
    uint64_t mag = 0;

    if (mpz_sizeinbase(z, 2) > 64)
        return TF_ERR_INPUT;
    mpz_export(&mag, NULL, 1, sizeof(mag), 0, 0, z);
    if (mpz_sgn(z) < 0) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return TF_ERR_INPUT;
        *out = (int64_t)(0 - mag);
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return TF_ERR_INPUT;
        *out = (int64_t)mag;
    }
    return TF_OK;
}

/*
 * Sets num / den to the exact value of a decimal string (as
 * tf_decimal_parse accepts it): the digits without the point over
 * 10^(fractional digits), not reduced.
 */
static tf_error z_set_decimal(mpz_t num, mpz_t den, const char *text,
                              int allow_zero)
{
    char canon[DECIMAL_MAX + 1], digits[DECIMAL_MAX + 1];
    const char *dot;
    size_t ilen, flen;
    tf_error rc;

    rc = tf_decimal_parse(canon, sizeof(canon), text, allow_zero, NULL);
    if (rc != TF_OK)
        return rc;
    dot = strchr(canon, '.');
    ilen = dot ? (size_t)(dot - canon) : strlen(canon);
    flen = dot ? strlen(dot + 1) : 0;
    memcpy(digits, canon, ilen);
    memcpy(digits + ilen, canon + ilen + (dot ? 1 : 0), flen);
    digits[ilen + flen] = '\0';

    if (mpz_set_str(num, digits, 10) != 0)
        return TF_ERR_INPUT;
    mpz_ui_pow_ui(den, 10, flen);
    return TF_OK;
}

/* As z_set_decimal, into a canonical rational. */
static tf_error q_set_decimal(mpq_t q, const char *text, int allow_zero)
{
    tf_error rc = z_set_decimal(mpq_numref(q), mpq_denref(q), text, allow_zero);

    if (rc == TF_OK)
        mpq_canonicalize(q);
    return rc;
}

/* Rounds num / den (den > 0, the fraction need not be reduced) to a whole
 * number in z. The floor remainder r lies in [0, den), so a tie is
 * exactly 2r == den. */
static void z_div_round(mpz_t z, const mpz_t num, const mpz_t den,
                        tf_round mode)
{
    mpz_t r;
    int cmp;

    mpz_init(r);
    mpz_fdiv_qr(z, r, num, den);
    if (mode == TF_ROUND_HALF_EVEN) {
        mpz_mul_2exp(r, r, 1);
        cmp = mpz_cmp(r, den);
        if (cmp > 0 || (cmp == 0 && mpz_odd_p(z)))
            mpz_add_ui(z, z, 1);
    }
    mpz_clear(r);
}

/* Rounds q to a whole number in z (mpq keeps its denominator positive). */
static void q_round(mpz_t z, const mpq_t q, tf_round mode)
{
    z_div_round(z, mpq_numref(q), mpq_denref(q), mode);
}

/* Rounds q and stores it in *out; TF_ERR_INPUT if it overflows int64. */
static tf_error q_round_i64(int64_t *out, const mpq_t q, tf_round mode)
{
    mpz_t z;
    tf_error rc;

    mpz_init(z);
    q_round(z, q, mode);
    rc = z_get_i64(out, z);
    mpz_clear(z);
    return rc;
}

tf_error tf_money_convert(int64_t *out, int64_t amount, const tf_currency *from,
                          const char *from_per_usd, const tf_currency *to,
                          const char *to_per_usd)
{
    mpq_t x, from_rate, to_rate, scale;
    tf_error rc;

    mpq_inits(x, from_rate, to_rate, scale, NULL);
    rc = TF_ERR_INPUT;
    if (!from || !to)
        goto out;
    rc = q_set_decimal(from_rate, from_per_usd, 0);
    if (rc != TF_OK)
        goto out;
    rc = q_set_decimal(to_rate, to_per_usd, 0);
    if (rc != TF_OK)
        goto out;

    /* amount / 10^from.minor / from_rate * to_rate * 10^to.minor */
    z_set_i64(mpq_numref(x), amount);
    mpz_ui_pow_ui(mpq_numref(scale), 10, (unsigned long)to->minor);
    mpz_ui_pow_ui(mpq_denref(scale), 10, (unsigned long)from->minor);
    mpq_canonicalize(scale);
    mpq_mul(x, x, scale);
    mpq_div(x, x, from_rate);
    mpq_mul(x, x, to_rate);
    rc = q_round_i64(out, x, TF_ROUND_HALF_EVEN);
out:
    mpq_clears(x, from_rate, to_rate, scale, NULL);
    return rc;
}

/* The products below stay in integers: amount × numerator over the
 * denominator, rounded once, exactly as the reduced fraction would be,
 * without the gcd that reducing costs. */
static tf_error mul_div_i64(int64_t *out, int64_t amount, mpz_t num,
                            const mpz_t den, tf_round mode)
{
    mpz_t a;
    tf_error rc;

    mpz_init(a);
    z_set_i64(a, amount);
    mpz_mul(num, num, a);
    z_div_round(a, num, den, mode);
    rc = z_get_i64(out, a);
    mpz_clear(a);
    return rc;
}

tf_error tf_money_mul_decimal(int64_t *out, int64_t amount, const char *decimal,
                              tf_round mode)
{
    mpz_t num, den;
    tf_error rc;

    mpz_inits(num, den, NULL);
    rc = z_set_decimal(num, den, decimal, 1);
    if (rc == TF_OK)
        rc = mul_div_i64(out, amount, num, den, mode);
    mpz_clears(num, den, NULL);
    return rc;
}

tf_error tf_money_mul_ratio(int64_t *out, int64_t amount, int64_t num,
                            int64_t den, tf_round mode)
{
    mpz_t n, d;
    tf_error rc;

    if (den <= 0 || num < 0)
        return TF_ERR_INPUT;
    mpz_inits(n, d, NULL);
    z_set_i64(n, num);
    z_set_i64(d, den);
    rc = mul_div_i64(out, amount, n, d, mode);
    mpz_clears(n, d, NULL);
    return rc;
}

/* A party's share before the leftover units are handed out. */
struct share {
    mpz_t rem; /* amount × weight mod sum: the remainder over a common den */
    size_t idx;
};

/* Largest remainder first, then lower index: the order leftovers go in. */
static int share_cmp(const void *a, const void *b)
{
    const struct share *x = *(const struct share *const *)a;
    const struct share *y = *(const struct share *const *)b;
    int c = mpz_cmp(y->rem, x->rem);

    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

tf_error tf_money_prorata(int64_t *parts, int64_t amount,
                          const int64_t *weights, size_t n)
{
    struct share *shares = NULL;
    struct share **order = NULL;
    mpz_t total, sum, q, given;
    size_t i, left, ninit = 0;
    int negative = amount < 0;
    tf_error rc = TF_OK;

    mpz_inits(total, sum, q, given, NULL);
    for (i = 0; i < n; i++) {
        if (weights[i] < 0) {
            rc = TF_ERR_INPUT;
            goto out;
        }
        z_set_i64(q, weights[i]);
        mpz_add(sum, sum, q);
    }
    if (mpz_sgn(sum) == 0) {
        rc = TF_ERR_INPUT;
        goto out;
    }

    shares = calloc(n, sizeof(*shares));
    order = calloc(n, sizeof(*order));
    if (!shares || !order) {
        rc = TF_ERR_NOMEM;
        goto out;
    }

    z_set_i64(total, amount);
    mpz_abs(total, total);
    for (i = 0; i < n; i++, ninit++) {
        mpz_init(shares[i].rem);
        shares[i].idx = i;
        order[i] = &shares[i];
        z_set_i64(q, weights[i]);
        mpz_mul(q, q, total);
        mpz_fdiv_qr(q, shares[i].rem, q, sum);
        mpz_add(given, given, q);
        if (negative)
            mpz_neg(q, q);
        /* Each floored part is at most |amount|, so it fits. */
        z_get_i64(&parts[i], q);
    }

    /* The floors fall short of |amount| by less than n units. */
    mpz_sub(given, total, given);
    left = mpz_get_ui(given);
    qsort(order, n, sizeof(*order), share_cmp);
    for (i = 0; i < left; i++)
        parts[order[i]->idx] += negative ? -1 : 1;
out:
    for (i = 0; i < ninit; i++)
        mpz_clear(shares[i].rem);
    free(order);
    free(shares);
    mpz_clears(total, sum, q, given, NULL);
    return rc;
}

tf_error tf_money_add(int64_t *out, int64_t a, int64_t b)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return TF_ERR_INPUT;
    *out = a + b;
    return TF_OK;
}

int tf_decimal_cmp(const char *a, const char *b)
{
    mpq_t qa, qb;
    int cmp = 0;

    mpq_inits(qa, qb, NULL);
    if (q_set_decimal(qa, a, 1) == TF_OK && q_set_decimal(qb, b, 1) == TF_OK)
        cmp = mpq_cmp(qa, qb);
    mpq_clears(qa, qb, NULL);
    return cmp;
}
