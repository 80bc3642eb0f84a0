/* SPDX-License-Identifier: MIT */
/*
 * Money: amounts are integer counts of a currency's minor unit (cents for
 * USD, yen for JPY, fils for KWD). Every product or quotient is computed
 * exactly with GMP rationals inside money.c and rounded once, at the end.
 * Rates and ratios cross this interface as exact decimal strings so that
 * callers never hold a double.
 */
#ifndef TFUND_MONEY_H
#define TFUND_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/error.h"

/* A currency the fund accepts: ISO 4217 code and minor-unit digits. */
typedef struct tf_currency {
    const char *code;
    int minor;
} tf_currency;

/* The currency with this ISO 4217 code (exact, upper case), or NULL if the
 * project does not accept it. The table is static; never free it. */
const tf_currency *tf_currency_find(const char *code);

/* The i-th currency of the table (for listings), NULL past the end. */
const tf_currency *tf_currency_at(size_t i);

/* How a quotient becomes a whole number of minor units. */
typedef enum tf_round {
    TF_ROUND_HALF_EVEN, /* the DESIGN.md default */
    TF_ROUND_FLOOR      /* toward minus infinity (budget allowances) */
} tf_round;

/* Room for any amount tf_amount_format() writes, with grouping. */
#define TF_AMOUNT_BUFSZ 48

/*
 * Parses a plain decimal amount of currency cur into minor units: optional
 * '-' (only if allow_negative), digits, optional '.' followed by at most
 * cur->minor digits (none at all for a currency with no minor unit).
 * Rejects empty text, spaces, '+', grouping commas, exponents, more decimals
 * than the currency has and values outside int64; a '-' is refused when
 * negatives are, even on zero. cur must not be NULL. On failure returns
 * TF_ERR_INPUT with a message in diag (no position; the caller adds it),
 * e.g. "amount '12.345' has more decimals than USD allows".
 */
tf_error tf_amount_parse(int64_t *out, const char *text, const tf_currency *cur,
                         int allow_negative, tf_diag *diag);

/* Writes amount (minor units with `minor` digits, 0-18) as a plain
 * decimal, e.g. "-1234.50", or with thousands separators "-1,234.50" when
 * grouping is nonzero. Returns the length of the text (excluding the NUL);
 * as with snprintf, a buffer smaller than TF_AMOUNT_BUFSZ may cut it. */
size_t tf_amount_format(char *buf, size_t size, int64_t amount, int minor,
                        int grouping);

/*
 * Validates an exact non-negative decimal ("0.9346", "110", "0.13") and
 * writes its canonical form into canon (no leading zeros before a nonzero
 * integer part, no trailing fractional zeros, no trailing '.'; "0" for
 * zero). At least one digit is needed on each side of a '.'. At most 40
 * characters of input, so 41 bytes of canon always suffice; canon may be
 * NULL to validate only. Zero is refused unless allow_zero. Returns
 * TF_ERR_INPUT with a message in diag.
 */
tf_error tf_decimal_parse(char *canon, size_t size, const char *text,
                          int allow_zero, tf_diag *diag);

/*
 * Reads a number written with a decimal comma, as spreadsheets in much of
 * Europe write it ("1.234,56", "1234,56", "-0,5", "1 234,56" with a space
 * or a no-break space between groups), and writes it as a plain decimal
 * ("1234.56") into out for tf_amount_parse or tf_decimal_parse. Groups
 * are of three digits after the first (one to three), all separated
 * alike; text with neither a comma nor a separator is copied as it is.
 * TF_ERR_INPUT with a message naming what ("amount", "decimal") and
 * quoting text when it is not so written (then "1.5" or "1,234.56" is
 * refused, never read another way), or does not fit in size bytes.
 */
tf_error tf_decimal_comma_read(char *out, size_t size, const char *text,
                               const char *what, tf_diag *diag);

/*
 * Converts amount in currency from (whose UN operational rate is
 * from_per_usd units per 1 USD) into currency to (to_per_usd units per
 * USD; "1" for USD): amount / from_per_usd * to_per_usd, with the minor
 * units of both, rounded half to even. TF_ERR_INPUT if the result does
 * not fit in int64 or a rate is not a positive decimal.
 */
tf_error tf_money_convert(int64_t *out, int64_t amount, const tf_currency *from,
                          const char *from_per_usd, const tf_currency *to,
                          const char *to_per_usd);

/* *out = round(amount × decimal) (decimal as for tf_decimal_parse, zero
 * allowed). TF_ERR_INPUT on a bad decimal or an overflow. */
tf_error tf_money_mul_decimal(int64_t *out, int64_t amount, const char *decimal,
                              tf_round mode);

/* *out = round(amount × num / den); den > 0, num >= 0. TF_ERR_INPUT on
 * den <= 0, num < 0 or overflow. */
tf_error tf_money_mul_ratio(int64_t *out, int64_t amount, int64_t num,
                            int64_t den, tf_round mode);

/*
 * Splits amount among n parties in proportion to weights (each >= 0, their
 * sum > 0, and the sum may exceed int64) by the largest-remainder method:
 * each part is floored, then the leftover units go one each to the largest
 * remainders, ties to the lower index (callers pass parties sorted by id).
 * A negative amount is split as its absolute value and negated. The parts
 * always sum to amount. TF_ERR_INPUT on a negative weight or a zero sum,
 * TF_ERR_NOMEM if the work space cannot be allocated.
 */
tf_error tf_money_prorata(int64_t *parts, int64_t amount,
                          const int64_t *weights, size_t n);

/* Adds without overflow: TF_ERR_INPUT if a + b does not fit in int64. */
tf_error tf_money_add(int64_t *out, int64_t a, int64_t b);

/*
 * The bounds of what tfund accepts as input (README, "Limits"), chosen so
 * that nothing it takes in can overflow a later product or sum in int64
 * (9.2 x 10^18):
 *
 * TF_AMOUNT_MAX  an amount of money booked when it is given (a pledge, a
 *                receipt, spending) or a travel budget: 10^15 minor units
 *                of its currency (10,000,000,000,000.00 USD); 9,000 of
 *                them still add up, and one with its PSC.
 * TF_TRIP_MAX    a fare or an actual travel cost, converted later (at the
 *                run's or the payment's date): 10^12 minor units of its
 *                currency, which at any rate within the bounds is at most
 *                10^17 minor units of USD.
 * TF_DAILY_MAX   a session's daily subsistence allowance and terminal
 *                amount, in minor units of the base currency: 10^11
 *                (1,000,000,000.00 USD), so that DSA x 732 days plus the
 *                terminal stays below 10^14.
 * TF_RATE_MIN,   an exchange rate, units per USD: from 0.001 to 10,000,000
 * TF_RATE_MAX    (the currencies tfund knows lie between 0.3 and 30,000).
 *
 * A trip's charge is then below 3 x 10^17 minor units of the base
 * currency when the base is USD; with another base currency a conversion
 * that would not fit is refused where it happens.
 */
#define TF_AMOUNT_MAX INT64_C(1000000000000000)
#define TF_TRIP_MAX   INT64_C(1000000000000)
#define TF_DAILY_MAX  INT64_C(100000000000)
#define TF_RATE_MIN   "0.001"
#define TF_RATE_MAX   "10000000"

/* TF_OK if -max <= amount <= max; otherwise TF_ERR_INPUT with a message
 * naming what ("fare") and the bound in the currency cur, e.g. "fare
 * 92233720368547758.07 USD is too large: at most 10000000000000.00 USD". */
tf_error tf_amount_bound(const char *what, int64_t amount, int64_t max,
                         const tf_currency *cur, tf_diag *diag);

/* Compares two decimals as tf_decimal_parse accepts them: <0, 0 or >0 as
 * a is less than, equal to or greater than b. A malformed one compares
 * as zero. */
int tf_decimal_cmp(const char *a, const char *b);

#endif
