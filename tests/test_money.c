/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tfund/money.h"

static const tf_currency *cur(const char *code)
{
    const tf_currency *c = tf_currency_find(code);

    assert_non_null(c);
    return c;
}

static int64_t parse_ok(const char *text, const char *code, int allow_neg)
{
    tf_diag diag;
    int64_t v = 12345; /* not a value any test expects */

    tf_diag_clear(&diag);
    assert_int_equal(tf_amount_parse(&v, text, cur(code), allow_neg, &diag),
                     TF_OK);
    assert_string_equal(diag.msg, "");
    return v;
}

static void parse_fails(const char *text, const char *code, int allow_neg,
                        const char *msg)
{
    tf_diag diag;
    int64_t v = 12345;

    tf_diag_clear(&diag);
    assert_int_equal(tf_amount_parse(&v, text, cur(code), allow_neg, &diag),
                     TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
    assert_int_equal(v, 12345);
}

/* Formats and checks both the text and the returned length. */
static void format_is(int64_t amount, int minor, int grouping, const char *want)
{
    char buf[TF_AMOUNT_BUFSZ];

    memset(buf, 'x', sizeof(buf));
    assert_int_equal(
        tf_amount_format(buf, sizeof(buf), amount, minor, grouping),
        strlen(want));
    assert_string_equal(buf, want);
}

static void test_currency_table(void **state)
{
    /* The currencies the fund is expected to see, each with its ISO 4217
     * minor unit. */
    static const tf_currency want[] = {
        {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CHF", 2}, {"JPY", 0}, {"CAD", 2},
        {"AUD", 2}, {"NZD", 2}, {"NOK", 2}, {"SEK", 2}, {"DKK", 2}, {"KWD", 3},
        {"BHD", 3}, {"OMR", 3}, {"JOD", 3}, {"TND", 3}, {"KRW", 0}, {"CLP", 0},
        {"ISK", 0}, {"UGX", 0}, {"VND", 0}, {"XAF", 0}, {"XOF", 0}, {"CNY", 2},
        {"INR", 2}, {"BRL", 2}, {"MXN", 2}, {"ZAR", 2}, {"RUB", 2}, {"TRY", 2},
        {"SAR", 2}, {"AED", 2}, {"QAR", 2}, {"SGD", 2}, {"HKD", 2}, {"THB", 2},
        {"IDR", 2}, {"MYR", 2}, {"PHP", 2}, {"PKR", 2}, {"BDT", 2}, {"EGP", 2},
        {"NGN", 2}, {"KES", 2}, {"ETB", 2}, {"MAD", 2}, {"PLN", 2}, {"CZK", 2},
        {"HUF", 2}, {"RON", 2}, {"BGN", 2}, {"ILS", 2}, {"ARS", 2}, {"COP", 2},
        {"PEN", 2}, {"UAH", 2}, {"KZT", 2},
    };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const tf_currency *c = tf_currency_find(want[i].code);

        assert_non_null(c);
        assert_string_equal(c->code, want[i].code);
        assert_int_equal(c->minor, want[i].minor);
    }

    for (i = 0; tf_currency_at(i); i++) {
        const tf_currency *c = tf_currency_at(i);

        assert_non_null(c->code);
        assert_int_equal(strlen(c->code), 3);
        for (j = 0; j < 3; j++)
            assert_true(c->code[j] >= 'A' && c->code[j] <= 'Z');
        assert_in_range(c->minor, 0, 3);
        /* No duplicates: the lookup finds this very entry. */
        assert_ptr_equal(tf_currency_find(c->code), c);
        for (j = 0; j < i; j++)
            assert_string_not_equal(tf_currency_at(j)->code, c->code);
    }
    assert_true(i >= sizeof(want) / sizeof(want[0]));
    assert_null(tf_currency_at(i));
    assert_null(tf_currency_at((size_t)-1));
}

static void test_currency_find_exact(void **state)
{
    (void)state;
    assert_null(tf_currency_find("usd"));
    assert_null(tf_currency_find("Usd"));
    assert_null(tf_currency_find("US"));
    assert_null(tf_currency_find("USDX"));
    assert_null(tf_currency_find(" USD"));
    assert_null(tf_currency_find(""));
    assert_null(tf_currency_find("XXX"));
    assert_null(tf_currency_find(NULL));
}

static void test_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0", "USD", 0), 0);
    assert_int_equal(parse_ok("0.00", "USD", 0), 0);
    assert_int_equal(parse_ok("12", "USD", 0), 1200);
    assert_int_equal(parse_ok("12.3", "USD", 0), 1230);
    assert_int_equal(parse_ok("12.34", "USD", 0), 1234);
    assert_int_equal(parse_ok("0.05", "USD", 0), 5);
    assert_int_equal(parse_ok("007.50", "USD", 0), 750);
    assert_int_equal(parse_ok("000000000000000000000000000001", "USD", 0), 100);
    assert_int_equal(parse_ok("-12.34", "USD", 1), -1234);
    assert_int_equal(parse_ok("-0.01", "USD", 1), -1);
    assert_int_equal(parse_ok("-0", "USD", 1), 0);
}

static void test_parse_messages(void **state)
{
    (void)state;
    parse_fails("", "USD", 0, "amount '' is empty");
    parse_fails("12.345", "USD", 0,
                "amount '12.345' has more decimals than USD allows");
    parse_fails("1,000.00", "USD", 0,
                "amount '1,000.00' is not a plain decimal");
    parse_fails("99999999999999999999", "USD", 0,
                "amount '99999999999999999999' is too large");
    parse_fails("-5", "USD", 0, "amount '-5' may not be negative");
    parse_fails("-0.00", "USD", 0, "amount '-0.00' may not be negative");
    /* Malformed text is reported as such even where a sign is refused. */
    parse_fails("-", "USD", 0, "amount '-' is not a plain decimal");
}

static void test_parse_rejects(void **state)
{
    static const char *const bad[] = {
        " 1",  "1 ",  " ",     "\t1",   "+1",  "1e5",  "1E5", "1.5e2",
        ".5",  "12.", ".",     "-",     "-.5", "--1",  "1-",  "1.2.3",
        "0x1", "1_0", "1'000", "1 000", "-1.", "1.-5", "1\n", "\xd9\xa1",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[128];
        tf_diag diag;
        int64_t v = 7;

        tf_diag_clear(&diag);
        assert_int_equal(tf_amount_parse(&v, bad[i], cur("USD"), 1, &diag),
                         TF_ERR_INPUT);
        snprintf(want, sizeof(want), "amount '%s' is not a plain decimal",
                 bad[i]);
        assert_string_equal(diag.msg, want);
        assert_int_equal(v, 7);
    }
    /* A NULL diag is allowed. */
    {
        int64_t v = 7;

        assert_int_equal(tf_amount_parse(&v, "1e5", cur("USD"), 0, NULL),
                         TF_ERR_INPUT);
        assert_int_equal(tf_amount_parse(&v, NULL, cur("USD"), 0, NULL),
                         TF_ERR_INPUT);
        assert_int_equal(v, 7);
    }
}

static void test_parse_long_text_quoted_short(void **state)
{
    char text[200], want[200];

    (void)state;
    memset(text, '7', sizeof(text) - 2);
    text[sizeof(text) - 2] = 'x';
    text[sizeof(text) - 1] = '\0';
    snprintf(want, sizeof(want), "amount '%.64s...' is not a plain decimal",
             text);
    parse_fails(text, "USD", 0, want);
}

static void test_parse_jpy(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("100", "JPY", 0), 100);
    assert_int_equal(parse_ok("0", "JPY", 0), 0);
    assert_int_equal(parse_ok("-100", "JPY", 1), -100);
    parse_fails("100.5", "JPY", 0,
                "amount '100.5' has more decimals than JPY allows");
    parse_fails("100.0", "JPY", 0,
                "amount '100.0' has more decimals than JPY allows");
    parse_fails("100.", "JPY", 0, "amount '100.' is not a plain decimal");
}

static void test_parse_kwd(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1.234", "KWD", 0), 1234);
    assert_int_equal(parse_ok("1.23", "KWD", 0), 1230);
    assert_int_equal(parse_ok("0.5", "KWD", 0), 500);
    assert_int_equal(parse_ok("-0.001", "KWD", 1), -1);
    parse_fails("1.2345", "KWD", 0,
                "amount '1.2345' has more decimals than KWD allows");
}

static void test_parse_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("92233720368547758.07", "USD", 0), INT64_MAX);
    assert_int_equal(parse_ok("-92233720368547758.08", "USD", 1), INT64_MIN);
    assert_int_equal(parse_ok("9223372036854775807", "JPY", 0), INT64_MAX);
    assert_int_equal(parse_ok("-9223372036854775808", "JPY", 1), INT64_MIN);
    assert_int_equal(parse_ok("9223372036854775.807", "KWD", 0), INT64_MAX);
    /* One minor unit past either end. */
    parse_fails("92233720368547758.08", "USD", 0,
                "amount '92233720368547758.08' is too large");
    parse_fails("-92233720368547758.09", "USD", 1,
                "amount '-92233720368547758.09' is too large");
    parse_fails("9223372036854775808", "JPY", 0,
                "amount '9223372036854775808' is too large");
    parse_fails("-9223372036854775809", "JPY", 1,
                "amount '-9223372036854775809' is too large");
    /* The integer part alone fits; scaled to cents it does not. */
    parse_fails("92233720368547759", "USD", 0,
                "amount '92233720368547759' is too large");
    parse_fails("18446744073709551616", "JPY", 0,
                "amount '18446744073709551616' is too large");
}

static void test_format(void **state)
{
    (void)state;
    format_is(123456789, 2, 1, "1,234,567.89");
    format_is(-123456789, 2, 1, "-1,234,567.89");
    format_is(-123456789, 2, 0, "-1234567.89");
    format_is(123450, 2, 0, "1234.50");
    format_is(5, 2, 1, "0.05");
    format_is(-5, 2, 1, "-0.05");
    format_is(0, 2, 1, "0.00");
    format_is(0, 0, 1, "0");
    format_is(1000, 0, 1, "1,000");
    format_is(999, 0, 1, "999");
    format_is(-100000, 0, 1, "-100,000");
    format_is(1000000, 0, 1, "1,000,000");
    format_is(1234567, 3, 1, "1,234.567");
    format_is(-1, 3, 1, "-0.001");
    format_is(INT64_MAX, 2, 1, "92,233,720,368,547,758.07");
    format_is(INT64_MIN, 2, 1, "-92,233,720,368,547,758.08");
    format_is(INT64_MIN, 0, 1, "-9,223,372,036,854,775,808");
    format_is(INT64_MIN, 0, 0, "-9223372036854775808");
    format_is(INT64_MIN, 3, 0, "-9223372036854775.808");
}

static void test_format_truncates(void **state)
{
    char buf[5];

    (void)state;
    assert_int_equal(tf_amount_format(buf, sizeof(buf), 123456, 2, 1), 8);
    assert_string_equal(buf, "1,23");
    assert_int_equal(tf_amount_format(NULL, 0, 123456, 2, 1), 8);
}

static void test_round_trip(void **state)
{
    static const struct {
        const char *text, *code;
    } cases[] = {
        {"92233720368547758.07", "USD"},
        {"-92233720368547758.08", "USD"},
        {"9223372036854775807", "JPY"},
        {"-9223372036854775808", "JPY"},
        {"9223372036854775.807", "KWD"},
        {"-9223372036854775.808", "KWD"},
        {"0.00", "USD"},
        {"-0.01", "EUR"},
        {"1234.567", "BHD"},
        {"100", "KRW"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[TF_AMOUNT_BUFSZ];
        const tf_currency *c = cur(cases[i].code);
        int64_t v = parse_ok(cases[i].text, cases[i].code, 1);

        tf_amount_format(buf, sizeof(buf), v, c->minor, 0);
        assert_string_equal(buf, cases[i].text);
    }
}

static void decimal_is(const char *text, int allow_zero, const char *want)
{
    char canon[41];
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(
        tf_decimal_parse(canon, sizeof(canon), text, allow_zero, &diag), TF_OK);
    assert_string_equal(canon, want);
}

static void decimal_fails(const char *text, int allow_zero, const char *msg)
{
    char canon[41] = "untouched";
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(
        tf_decimal_parse(canon, sizeof(canon), text, allow_zero, &diag),
        TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
    assert_string_equal(canon, "untouched");
}

static void test_decimal_parse(void **state)
{
    char canon[8];

    (void)state;
    decimal_is("00.1300", 0, "0.13");
    decimal_is("110.0", 0, "110");
    decimal_is("0.9346", 0, "0.9346");
    decimal_is("0.13", 0, "0.13");
    decimal_is("0", 1, "0");
    decimal_is("000.000", 1, "0");
    decimal_is("1", 0, "1");
    decimal_is("0100", 0, "100");
    /* Forty characters, the most accepted. */
    decimal_is("1.00000000000000000000000000000000000001", 0,
               "1.00000000000000000000000000000000000001");

    decimal_fails("0", 0, "decimal '0' may not be zero");
    decimal_fails("0.000", 0, "decimal '0.000' may not be zero");
    decimal_fails("1e5", 1, "decimal '1e5' is not a plain decimal");
    decimal_fails("-1", 1, "decimal '-1' may not be negative");
    decimal_fails("", 1, "decimal '' is empty");
    decimal_fails(".5", 1, "decimal '.5' is not a plain decimal");
    decimal_fails("5.", 1, "decimal '5.' is not a plain decimal");
    decimal_fails("+1", 1, "decimal '+1' is not a plain decimal");
    decimal_fails(" 1", 1, "decimal ' 1' is not a plain decimal");
    decimal_fails("1,5", 1, "decimal '1,5' is not a plain decimal");
    decimal_fails("1.000000000000000000000000000000000000001", 1,
                  "decimal '1.000000000000000000000000000000000000001'"
                  " is too long");

    /* Only validating, or too small a buffer for the canonical form. */
    assert_int_equal(tf_decimal_parse(NULL, 0, "0.9346", 0, NULL), TF_OK);
    assert_int_equal(tf_decimal_parse(NULL, 0, "0", 0, NULL), TF_ERR_INPUT);
    assert_int_equal(tf_decimal_parse(canon, sizeof(canon), "1234567", 0, NULL),
                     TF_OK);
    assert_string_equal(canon, "1234567");
    assert_int_equal(
        tf_decimal_parse(canon, sizeof(canon), "12345678", 0, NULL),
        TF_ERR_INPUT);
}

static int64_t convert(int64_t amount, const char *from, const char *from_rate,
                       const char *to, const char *to_rate)
{
    int64_t out = 12345;

    assert_int_equal(
        tf_money_convert(&out, amount, cur(from), from_rate, cur(to), to_rate),
        TF_OK);
    return out;
}

static void test_convert_long_rate(void **state)
{
    (void)state;
    /*
     * 1,000,000.00 EUR at 0.934612345678901234 EUR per USD, in cents:
     * 10^8 × 10^18 / 934612345678901234. 934612345678901234 × 106996232 =
     * 99999999368323913938150288, leaving 631676086061849712 of 10^26,
     * more than half of 934612345678901234: 106996233 cents.
     */
    assert_int_equal(
        convert(100000000, "EUR", "0.934612345678901234", "USD", "1"),
        106996233);
    /* Back the other way: 93461234.5678901234 cents, rounded up. */
    assert_int_equal(
        convert(100000000, "USD", "1", "EUR", "0.934612345678901234"),
        93461235);
    /* Trailing zeros on a rate change nothing. */
    assert_int_equal(
        convert(100000000, "EUR", "0.934612345678901234000", "USD", "1.000"),
        106996233);
}

static void test_convert_cross(void **state)
{
    (void)state;
    /* 1,000,000 JPY at 112.345 per USD: 10^8 / 112.345 = 890115.27 cents. */
    assert_int_equal(convert(1000000, "JPY", "112.345", "USD", "1"), 890115);
    /* 1,234.56 USD at 0.30325 KWD per USD: 374.38032 KWD = 374380 fils. */
    assert_int_equal(convert(123456, "USD", "1", "KWD", "0.30325"), 374380);
    /* EUR to JPY through USD: 100.00 EUR / 0.8 × 110 = 13750 yen. */
    assert_int_equal(convert(10000, "EUR", "0.8", "JPY", "110"), 13750);
    assert_int_equal(convert(-10000, "EUR", "0.8", "JPY", "110"), -13750);
    assert_int_equal(convert(0, "EUR", "0.8", "JPY", "110"), 0);
    assert_int_equal(convert(INT64_MIN, "USD", "1", "USD", "1"), INT64_MIN);
}

static void test_convert_ties(void **state)
{
    (void)state;
    /* 1.00 USD at 112.5 and 113.5 yen: ties go to the even yen. */
    assert_int_equal(convert(100, "USD", "1", "JPY", "112.5"), 112);
    assert_int_equal(convert(100, "USD", "1", "JPY", "113.5"), 114);
    assert_int_equal(convert(-100, "USD", "1", "JPY", "112.5"), -112);
    assert_int_equal(convert(-100, "USD", "1", "JPY", "113.5"), -114);
    /* 0.01 USD at 0.05 KWD is 0.5 fils, 0.03 USD is 1.5 fils. */
    assert_int_equal(convert(1, "USD", "1", "KWD", "0.05"), 0);
    assert_int_equal(convert(3, "USD", "1", "KWD", "0.05"), 2);
}

static void test_convert_errors(void **state)
{
    int64_t out = 7;

    (void)state;
    assert_int_equal(
        tf_money_convert(&out, 100, cur("EUR"), "0", cur("USD"), "1"),
        TF_ERR_INPUT);
    assert_int_equal(
        tf_money_convert(&out, 100, cur("EUR"), "-0.9", cur("USD"), "1"),
        TF_ERR_INPUT);
    assert_int_equal(
        tf_money_convert(&out, 100, cur("EUR"), "0.9", cur("USD"), ""),
        TF_ERR_INPUT);
    assert_int_equal(
        tf_money_convert(&out, 100, cur("EUR"), "9e-1", cur("USD"), "1"),
        TF_ERR_INPUT);
    assert_int_equal(
        tf_money_convert(&out, 100, cur("EUR"), NULL, cur("USD"), "1"),
        TF_ERR_INPUT);
    /* INT64_MAX cents is about 9.2e16 USD; 150 yen each overflows. */
    assert_int_equal(
        tf_money_convert(&out, INT64_MAX, cur("USD"), "1", cur("JPY"), "150"),
        TF_ERR_INPUT);
    assert_int_equal(out, 7);
}

static int64_t mul_decimal(int64_t amount, const char *d, tf_round mode)
{
    int64_t out = 12345;

    assert_int_equal(tf_money_mul_decimal(&out, amount, d, mode), TF_OK);
    return out;
}

static void test_mul_decimal(void **state)
{
    int64_t out = 7;

    (void)state;
    /* PSC at 13%: 1234.50 × 0.13 = 160.485, the tie goes down to 160.48;
     * 1604.75 × 0.1 = 160.475 goes up to 160.48. */
    assert_int_equal(mul_decimal(123450, "0.13", TF_ROUND_HALF_EVEN), 16048);
    assert_int_equal(mul_decimal(160475, "0.1", TF_ROUND_HALF_EVEN), 16048);
    /* 949.50 × 0.13 = 123.435: up to the even 123.44. */
    assert_int_equal(mul_decimal(94950, "0.13", TF_ROUND_HALF_EVEN), 12344);
    assert_int_equal(mul_decimal(-123450, "0.13", TF_ROUND_HALF_EVEN), -16048);
    assert_int_equal(mul_decimal(-94950, "0.13", TF_ROUND_HALF_EVEN), -12344);
    assert_int_equal(mul_decimal(123450, "0.13", TF_ROUND_FLOOR), 16048);
    assert_int_equal(mul_decimal(-123450, "0.13", TF_ROUND_FLOOR), -16049);
    /* Not a tie: 1234.56 × 0.13 = 160.4928. */
    assert_int_equal(mul_decimal(123456, "0.13", TF_ROUND_HALF_EVEN), 16049);
    assert_int_equal(mul_decimal(123456, "0", TF_ROUND_HALF_EVEN), 0);
    assert_int_equal(mul_decimal(123456, "1", TF_ROUND_HALF_EVEN), 123456);
    /* Eighteen decimals, exactly: 10^18 × 10^-18 = 1, and the ties 0.5
     * and 1.5 go to 0 and 2. */
    assert_int_equal(mul_decimal(1000000000000000000, "0.000000000000000001",
                                 TF_ROUND_HALF_EVEN),
                     1);
    assert_int_equal(mul_decimal(500000000000000000, "0.000000000000000001",
                                 TF_ROUND_HALF_EVEN),
                     0);
    assert_int_equal(mul_decimal(1500000000000000000, "0.000000000000000001",
                                 TF_ROUND_HALF_EVEN),
                     2);
    assert_int_equal(mul_decimal(INT64_MAX, "1", TF_ROUND_HALF_EVEN),
                     INT64_MAX);
    assert_int_equal(mul_decimal(INT64_MIN, "1.0", TF_ROUND_FLOOR), INT64_MIN);

    assert_int_equal(
        tf_money_mul_decimal(&out, INT64_MAX, "1.0000001", TF_ROUND_FLOOR),
        TF_ERR_INPUT);
    assert_int_equal(tf_money_mul_decimal(&out, INT64_MIN, "2", TF_ROUND_FLOOR),
                     TF_ERR_INPUT);
    assert_int_equal(
        tf_money_mul_decimal(&out, 100, "-0.13", TF_ROUND_HALF_EVEN),
        TF_ERR_INPUT);
    assert_int_equal(tf_money_mul_decimal(&out, 100, "13%", TF_ROUND_HALF_EVEN),
                     TF_ERR_INPUT);
    assert_int_equal(out, 7);
}

static int64_t mul_ratio(int64_t amount, int64_t num, int64_t den,
                         tf_round mode)
{
    int64_t out = 12345;

    assert_int_equal(tf_money_mul_ratio(&out, amount, num, den, mode), TF_OK);
    return out;
}

static void test_mul_ratio(void **state)
{
    int64_t out = 7;

    (void)state;
    assert_int_equal(mul_ratio(100, 1, 3, TF_ROUND_FLOOR), 33);
    assert_int_equal(mul_ratio(100, 2, 3, TF_ROUND_FLOOR), 66);
    assert_int_equal(mul_ratio(100, 2, 3, TF_ROUND_HALF_EVEN), 67);
    assert_int_equal(mul_ratio(-100, 1, 3, TF_ROUND_FLOOR), -34);
    assert_int_equal(mul_ratio(-100, 1, 3, TF_ROUND_HALF_EVEN), -33);
    /* Ties both ways, both signs. */
    assert_int_equal(mul_ratio(5, 1, 2, TF_ROUND_HALF_EVEN), 2);
    assert_int_equal(mul_ratio(7, 1, 2, TF_ROUND_HALF_EVEN), 4);
    assert_int_equal(mul_ratio(-5, 1, 2, TF_ROUND_HALF_EVEN), -2);
    assert_int_equal(mul_ratio(-7, 1, 2, TF_ROUND_HALF_EVEN), -4);
    assert_int_equal(mul_ratio(-3, 1, 2, TF_ROUND_HALF_EVEN), -2);
    assert_int_equal(mul_ratio(-5, 1, 2, TF_ROUND_FLOOR), -3);
    assert_int_equal(mul_ratio(5, 1, 2, TF_ROUND_FLOOR), 2);
    assert_int_equal(mul_ratio(100, 0, 3, TF_ROUND_FLOOR), 0);
    /* The product passes int64 on the way; the result does not. */
    assert_int_equal(mul_ratio(INT64_MAX, INT64_MAX, INT64_MAX, TF_ROUND_FLOOR),
                     INT64_MAX);
    assert_int_equal(
        mul_ratio(INT64_MIN, INT64_MAX - 1, INT64_MAX, TF_ROUND_FLOOR),
        INT64_MIN + 1);

    assert_int_equal(tf_money_mul_ratio(&out, 100, 1, 0, TF_ROUND_FLOOR),
                     TF_ERR_INPUT);
    assert_int_equal(tf_money_mul_ratio(&out, 100, 1, -3, TF_ROUND_FLOOR),
                     TF_ERR_INPUT);
    assert_int_equal(tf_money_mul_ratio(&out, 100, -1, 3, TF_ROUND_FLOOR),
                     TF_ERR_INPUT);
    assert_int_equal(tf_money_mul_ratio(&out, INT64_MAX, 2, 1, TF_ROUND_FLOOR),
                     TF_ERR_INPUT);
    assert_int_equal(out, 7);
}

/* Splits amount over n weights and compares with want part by part. */
static void prorata_is(int64_t amount, const int64_t *weights, size_t n,
                       const int64_t *want)
{
    int64_t parts[8];
    size_t i;

    assert_true(n <= 8);
    for (i = 0; i < n; i++)
        parts[i] = 12345;
    assert_int_equal(tf_money_prorata(parts, amount, weights, n), TF_OK);
    for (i = 0; i < n; i++)
        assert_int_equal(parts[i], want[i]);
}

static void test_prorata(void **state)
{
    (void)state;
    {
        const int64_t w[] = {1, 1, 1}, want[] = {34, 33, 33};

        prorata_is(100, w, 3, want);
    }
    {
        const int64_t w[] = {1, 1, 1}, want[] = {1, 0, 0};

        prorata_is(1, w, 3, want);
    }
    {
        const int64_t w[] = {1, 1, 1}, want[] = {1, 1, 0};

        prorata_is(2, w, 3, want);
    }
    {
        /* 4 × 3/5 = 2.4, 4 × 1/5 = 0.8 twice: the two leftover units go to
         * the larger remainders, not to the first party. */
        const int64_t w[] = {3, 1, 1}, want[] = {2, 1, 1};

        prorata_is(4, w, 3, want);
    }
    {
        const int64_t w[] = {0, 5}, want[] = {0, 7};

        prorata_is(7, w, 2, want);
    }
    {
        const int64_t w[] = {2}, want[] = {-9};

        prorata_is(-9, w, 1, want);
    }
    {
        const int64_t w[] = {1, 1, 1}, want[] = {0, 0, 0};

        prorata_is(0, w, 3, want);
    }
}

static void test_prorata_negative(void **state)
{
    (void)state;
    {
        const int64_t w[] = {1, 1, 1}, want[] = {-34, -33, -33};

        prorata_is(-100, w, 3, want);
    }
    {
        const int64_t w[] = {1, 1, 1}, want[] = {-1, 0, 0};

        prorata_is(-1, w, 3, want);
    }
    {
        const int64_t w[] = {1, 1}, want[] = {INT64_MIN / 2, INT64_MIN / 2};

        prorata_is(INT64_MIN, w, 2, want);
    }
}

static void test_prorata_big_weights(void **state)
{
    (void)state;
    {
        /* The weights sum to 2^64. 100 × (2^63 − 1) / 2^64 floors to 49
         * with remainder 2^64 − 100; 100 × 2 / 2^64 floors to 0 with
         * remainder 200. The two leftover units go to the first two. */
        const int64_t w[] = {INT64_MAX, INT64_MAX, 2}, want[] = {50, 50, 0};

        prorata_is(100, w, 3, want);
    }
    {
        /* Sum 2^63: (2^63 − 1)^2 / 2^63 = 2^63 − 2 + 1/2^63, remainder 1;
         * (2^63 − 1) / 2^63 floors to 0 with remainder 2^63 − 1, which
         * takes the one leftover unit. */
        const int64_t w[] = {INT64_MAX, 1}, want[] = {INT64_MAX - 1, 1};

        prorata_is(INT64_MAX, w, 2, want);
    }
}

static void test_prorata_sums(void **state)
{
    static const int64_t amounts[] = {
        0,       1,     -1,        99,        1000003,
        -777777, 10007, INT64_MAX, INT64_MIN, INT64_MAX - 1};
    static const int64_t w[] = {7, 0, 13, 1, 1, 22, 5, 3};
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
        int64_t parts[8], sum = 0;

        assert_int_equal(tf_money_prorata(parts, amounts[i], w, 8), TF_OK);
        for (j = 0; j < 8; j++) {
            /* Every part has the amount's sign and a zero weight gets 0. */
            if (amounts[i] >= 0)
                assert_true(parts[j] >= 0);
            else
                assert_true(parts[j] <= 0);
            assert_int_equal(tf_money_add(&sum, sum, parts[j]), TF_OK);
        }
        assert_int_equal(parts[1], 0);
        assert_int_equal(sum, amounts[i]);
    }
}

static void test_prorata_errors(void **state)
{
    int64_t parts[3] = {7, 7, 7};

    (void)state;
    {
        const int64_t w[] = {1, -1, 1};

        assert_int_equal(tf_money_prorata(parts, 100, w, 3), TF_ERR_INPUT);
    }
    {
        const int64_t w[] = {0, 0, 0};

        assert_int_equal(tf_money_prorata(parts, 100, w, 3), TF_ERR_INPUT);
    }
    assert_int_equal(tf_money_prorata(parts, 100, NULL, 0), TF_ERR_INPUT);
    assert_int_equal(parts[0], 7);
}

static void test_add(void **state)
{
    int64_t out = 7;

    (void)state;
    assert_int_equal(tf_money_add(&out, 2, 3), TF_OK);
    assert_int_equal(out, 5);
    assert_int_equal(tf_money_add(&out, INT64_MAX, INT64_MIN), TF_OK);
    assert_int_equal(out, -1);
    assert_int_equal(tf_money_add(&out, INT64_MAX - 1, 1), TF_OK);
    assert_int_equal(out, INT64_MAX);
    assert_int_equal(tf_money_add(&out, INT64_MIN + 1, -1), TF_OK);
    assert_int_equal(out, INT64_MIN);
    assert_int_equal(tf_money_add(&out, INT64_MAX, 1), TF_ERR_INPUT);
    assert_int_equal(tf_money_add(&out, INT64_MIN, -1), TF_ERR_INPUT);
    assert_int_equal(tf_money_add(&out, 1, INT64_MAX), TF_ERR_INPUT);
    assert_int_equal(out, INT64_MIN);
}

static void comma_is(const char *text, const char *want)
{
    char out[64];
    tf_diag d;

    tf_diag_clear(&d);
    if (tf_decimal_comma_read(out, sizeof(out), text, "amount", &d))
        fail_msg("'%s': %s", text, d.msg);
    assert_string_equal(out, want);
}

static void comma_fails(const char *text)
{
    char out[64], want[200];
    tf_diag d;

    tf_diag_clear(&d);
    assert_int_equal(
        tf_decimal_comma_read(out, sizeof(out), text, "amount", &d),
        TF_ERR_INPUT);
    snprintf(want, sizeof(want),
             "amount '%s' is not a number written with a decimal comma (such "
             "as 1.234,56 or 1234,56)",
             text);
    assert_string_equal(d.msg, want);
}

static void test_decimal_comma(void **state)
{
    char small[7];
    tf_diag d;
    int64_t v;

    (void)state;
    comma_is("1.234,56", "1234.56");
    comma_is("1234,56", "1234.56");
    comma_is("-0,5", "-0.5");
    comma_is("1.234.567,8", "1234567.8");
    comma_is("12.345", "12345");
    comma_is("1234", "1234");
    comma_is("1 234,56", "1234.56");
    comma_is("1\xC2\xA0"
             "234\xC2\xA0"
             "567,00",
             "1234567.00");
    comma_is("1\xE2\x80\xAF"
             "234,5",
             "1234.5");
    comma_is("", "");
    /* Misplaced or mixed separators are refused, never read another way. */
    comma_fails("1,234.56");
    comma_fails("1.5");
    comma_fails("0.5");
    comma_fails("12.34,5");
    comma_fails("1.2345");
    comma_fails("1234.567,0");
    comma_fails(".234,5");
    comma_fails("1.234 567,0");
    comma_fails("1,");
    comma_fails("1,2,3");
    comma_fails("1e5");
    comma_fails("+5");
    comma_fails("1.234,56 ");
    /* What comes out is read as any plain amount. */
    tf_diag_clear(&d);
    assert_int_equal(
        tf_decimal_comma_read(small, sizeof(small), "1.234,5", "amount", &d),
        TF_OK);
    assert_int_equal(tf_amount_parse(&v, small, tf_currency_find("EUR"), 0, &d),
                     TF_OK);
    assert_int_equal(v, 123450);
    assert_int_equal(
        tf_decimal_comma_read(small, sizeof(small), "12.345,6", "amount", &d),
        TF_ERR_INPUT);
    assert_string_equal(d.msg, "amount '12.345,6' is too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_currency_table),
        cmocka_unit_test(test_currency_find_exact),
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_messages),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_long_text_quoted_short),
        cmocka_unit_test(test_parse_jpy),
        cmocka_unit_test(test_parse_kwd),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_decimal_parse),
        cmocka_unit_test(test_convert_long_rate),
        cmocka_unit_test(test_convert_cross),
        cmocka_unit_test(test_convert_ties),
        cmocka_unit_test(test_convert_errors),
        cmocka_unit_test(test_mul_decimal),
        cmocka_unit_test(test_mul_ratio),
        cmocka_unit_test(test_prorata),
        cmocka_unit_test(test_prorata_negative),
        cmocka_unit_test(test_prorata_big_weights),
        cmocka_unit_test(test_prorata_sums),
        cmocka_unit_test(test_prorata_errors),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_decimal_comma),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
