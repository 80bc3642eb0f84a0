/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tfund/date.h"

static void date_ok(const char *text)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_date_check(text, &diag), TF_OK);
    assert_string_equal(diag.msg, "");
}

static void date_fails(const char *text, const char *msg)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_date_check(text, &diag), TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
}

static void time_ok(const char *text)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_time_check(text, &diag), TF_OK);
    assert_string_equal(diag.msg, "");
}

static void time_fails(const char *text, const char *msg)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_time_check(text, &diag), TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
}

static void add_is(const char *date, int days, const char *want)
{
    char out[TF_DATE_LEN + 1];

    memset(out, 'x', sizeof(out));
    tf_date_add_days(out, date, days);
    assert_string_equal(out, want);
}

static void test_date_valid(void **state)
{
    (void)state;
    date_ok("2016-02-29");
    date_ok("2000-02-29");
    date_ok("2017-02-28");
    date_ok("2017-04-30");
    date_ok("2017-12-31");
    date_ok("1900-01-01");
    date_ok("2999-12-31");
}

static void test_date_calendar(void **state)
{
    (void)state;
    date_fails("2017-02-29", "date '2017-02-29' is not a calendar date");
    date_fails("2017-02-30", "date '2017-02-30' is not a calendar date");
    /* Centuries are leap years only every 400 years. */
    date_fails("1900-02-29", "date '1900-02-29' is not a calendar date");
    date_fails("2100-02-29", "date '2100-02-29' is not a calendar date");
    date_fails("2017-04-31", "date '2017-04-31' is not a calendar date");
    date_fails("2017-13-01", "date '2017-13-01' is not a calendar date");
    date_fails("2017-00-10", "date '2017-00-10' is not a calendar date");
    date_fails("2017-01-00", "date '2017-01-00' is not a calendar date");
    date_fails("2017-01-32", "date '2017-01-32' is not a calendar date");
}

static void test_month_lengths(void **state)
{
    /* "Thirty days hath September, April, June and November." */
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m;

    (void)state;
    for (m = 1; m <= 12; m++) {
        char last[32], past[32];

        snprintf(last, sizeof(last), "2017-%02d-%02d", m, len[m - 1]);
        snprintf(past, sizeof(past), "2017-%02d-%02d", m, len[m - 1] + 1);
        assert_int_equal(tf_date_check(last, NULL), TF_OK);
        assert_int_equal(tf_date_check(past, NULL), TF_ERR_INPUT);
    }
}

static void test_date_range(void **state)
{
    (void)state;
    date_fails("1899-12-31", "date '1899-12-31' is outside the years "
                             "1900-2999");
    date_fails("3000-01-01", "date '3000-01-01' is outside the years "
                             "1900-2999");
    date_fails("0000-01-01", "date '0000-01-01' is outside the years "
                             "1900-2999");
}

static void test_date_form(void **state)
{
    static const char *const bad[] = {
        "17-2-3",     "2017-2-03",   "2017-02-3",   "2017/02/03",
        "20170203",   "2017-02-03 ", " 2017-02-03", "2017-02-03T00:00:00Z",
        "",           "2017-02",     "+017-02-03",  "2017-+2-03",
        "2017-02- 3", "2O17-02-03",  "2017_02_03",  "2017-02-033",
    };
    size_t i;

    (void)state;
    date_fails("17-2-3", "date '17-2-3' is not YYYY-MM-DD");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[128];

        snprintf(want, sizeof(want), "date '%s' is not YYYY-MM-DD", bad[i]);
        date_fails(bad[i], want);
    }
    assert_int_equal(tf_date_check(NULL, NULL), TF_ERR_INPUT);
    assert_int_equal(tf_date_check("2017-02-30", NULL), TF_ERR_INPUT);
}

static void test_date_form_long_text(void **state)
{
    char text[300], want[300];

    (void)state;
    memset(text, '9', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    snprintf(want, sizeof(want), "date '%.64s...' is not YYYY-MM-DD", text);
    date_fails(text, want);
}

static void test_time(void **state)
{
    (void)state;
    time_ok("2017-04-03T09:30:00Z");
    time_ok("2017-04-03T00:00:00Z");
    time_ok("2016-02-29T23:59:59Z");
    time_ok("1900-01-01T00:00:00Z");

    time_fails("2017-04-03T24:00:00Z",
               "time '2017-04-03T24:00:00Z' is not a time of day");
    time_fails("2017-04-03T23:60:00Z",
               "time '2017-04-03T23:60:00Z' is not a time of day");
    time_fails("2017-04-03T23:59:60Z",
               "time '2017-04-03T23:59:60Z' is not a time of day");
    time_fails("2017-02-29T10:00:00Z",
               "time '2017-02-29T10:00:00Z' is not a calendar date");
    time_fails("2017-13-01T10:00:00Z",
               "time '2017-13-01T10:00:00Z' is not a calendar date");
    time_fails("1899-12-31T10:00:00Z",
               "time '1899-12-31T10:00:00Z' is outside the years 1900-2999");
}

static void test_time_form(void **state)
{
    static const char *const bad[] = {
        "2017-04-03",
        "2017-04-03 09:30:00Z",
        "2017-04-03T09:30:00",
        "2017-04-03t09:30:00Z",
        "2017-04-03T09:30:00z",
        "2017-04-03T09:30:00+01:00",
        "2017-04-03T09:30:00.5Z",
        "2017-04-03T9:30:00Z",
        "2017-04-03T09:30Z",
        "2017-04-03T09-30-00Z",
        "2017-04-03T0a:30:00Z",
        "2017-04-03T09:30:00Z ",
        "2017-4-03T09:30:00Z ",
        "17-04-03T09:30:00Z",
        "2017/04/03T09:30:00Z",
        "",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[128];

        snprintf(want, sizeof(want), "time '%s' is not YYYY-MM-DDTHH:MM:SSZ",
                 bad[i]);
        time_fails(bad[i], want);
    }
    assert_int_equal(tf_time_check(NULL, NULL), TF_ERR_INPUT);
}

static void test_today_and_now(void **state)
{
    char today[TF_DATE_LEN + 1], now[TF_TIME_LEN + 1], again[TF_DATE_LEN + 1];
    int tries;

    (void)state;
    /* Retry should the clock pass midnight between the two readings. */
    for (tries = 0; tries < 3; tries++) {
        tf_date_today(today);
        tf_time_now(now);
        tf_date_today(again);
        if (strcmp(today, again) == 0)
            break;
    }
    assert_int_equal(strlen(today), TF_DATE_LEN);
    assert_int_equal(strlen(now), TF_TIME_LEN);
    assert_int_equal(tf_date_check(today, NULL), TF_OK);
    assert_int_equal(tf_time_check(now, NULL), TF_OK);
    assert_memory_equal(today, now, TF_DATE_LEN);
}

static void test_add_days(void **state)
{
    (void)state;
    add_is("2017-04-03", 0, "2017-04-03");
    add_is("2017-04-03", 1, "2017-04-04");
    add_is("2017-04-30", 1, "2017-05-01");
    /* Year ends, both ways. */
    add_is("2017-12-31", 1, "2018-01-01");
    add_is("2018-01-01", -1, "2017-12-31");
    add_is("2017-12-20", 20, "2018-01-09");
    /* Leap days. */
    add_is("2016-02-28", 1, "2016-02-29");
    add_is("2016-02-29", 1, "2016-03-01");
    add_is("2016-03-01", -1, "2016-02-29");
    add_is("2017-02-28", 1, "2017-03-01");
    add_is("2000-02-28", 1, "2000-02-29");
    add_is("1900-02-28", 1, "1900-03-01");
    add_is("2016-01-01", 365, "2016-12-31");
    add_is("2016-01-01", 366, "2017-01-01");
    add_is("2017-01-01", 365, "2018-01-01");
    /* 1 January 1970 is day 0: 1900 lies 70 × 365 + 17 leap days before,
     * and day 10000 is 19 May 1997. */
    add_is("1970-01-01", -25567, "1900-01-01");
    add_is("1900-01-01", 25567, "1970-01-01");
    add_is("1970-01-01", 10000, "1997-05-19");
    /* 400 Gregorian years are 146097 days. */
    add_is("2017-04-03", 146097, "2417-04-03");
    add_is("2417-04-03", -146097, "2017-04-03");
}

static void test_add_days_edges(void **state)
{
    (void)state;
    /* Leaving 1900-2999 is possible; leaving four digits is not. */
    add_is("1900-01-01", -1, "1899-12-31");
    add_is("2999-12-31", 1, "3000-01-01");
    add_is("2017-04-03", INT_MAX, "9999-12-31");
    add_is("2017-04-03", INT_MIN, "0001-01-01");
    /* An invalid date gives an empty result. */
    add_is("2017-02-30", 1, "");
    add_is("17-2-3", 1, "");
}

static void read_is(const char *text, tf_date_form form, const char *want)
{
    char out[TF_DATE_LEN + 1];
    tf_diag diag;

    tf_diag_clear(&diag);
    if (tf_date_read(out, text, form, &diag))
        fail_msg("'%s': %s", text, diag.msg);
    assert_string_equal(out, want);
}

static void read_fails(const char *text, tf_date_form form, const char *msg)
{
    char out[TF_DATE_LEN + 1];
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_date_read(out, text, form, &diag), TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
    assert_string_equal(out, "");
}

static void test_date_forms(void **state)
{
    tf_date_form f;

    (void)state;
    assert_int_equal(tf_date_form_parse("DD/MM/YYYY", &f), 0);
    assert_int_equal(f, TF_DATE_DMY);
    assert_string_equal(tf_date_form_name(f), "DD/MM/YYYY");
    assert_int_equal(tf_date_form_parse("MM/DD/YYYY", &f), 0);
    assert_int_equal(f, TF_DATE_MDY);
    assert_int_equal(tf_date_form_parse("YYYY-MM-DD", &f), 0);
    assert_int_equal(f, TF_DATE_YMD);
    assert_int_equal(tf_date_form_parse("dd/mm/yyyy", &f), -1);
    assert_int_equal(tf_date_form_parse("DD.MM.YYYY", &f), -1);
    assert_int_equal(tf_date_form_parse(NULL, &f), -1);

    read_is("2017-03-05", TF_DATE_YMD, "2017-03-05");
    read_is("05/03/2017", TF_DATE_DMY, "2017-03-05");
    read_is("5/3/2017", TF_DATE_DMY, "2017-03-05");
    read_is("03/05/2017", TF_DATE_MDY, "2017-03-05");
    read_is("3/5/2017", TF_DATE_MDY, "2017-03-05");
    read_is("29/02/2016", TF_DATE_DMY, "2016-02-29");
    read_is("12/31/2999", TF_DATE_MDY, "2999-12-31");

    read_fails("2017-03-05", TF_DATE_DMY,
               "date '2017-03-05' is not DD/MM/YYYY");
    read_fails("05/03/2017", TF_DATE_YMD,
               "date '05/03/2017' is not YYYY-MM-DD");
    read_fails("31/12/2017", TF_DATE_MDY,
               "date '31/12/2017' is not a calendar date");
    read_fails("29/02/2017", TF_DATE_DMY,
               "date '29/02/2017' is not a calendar date");
    read_fails("05/03/17", TF_DATE_DMY, "date '05/03/17' is not DD/MM/YYYY");
    read_fails("05/03/20170", TF_DATE_DMY,
               "date '05/03/20170' is not DD/MM/YYYY");
    read_fails("005/03/2017", TF_DATE_DMY,
               "date '005/03/2017' is not DD/MM/YYYY");
    read_fails("05-03-2017", TF_DATE_DMY,
               "date '05-03-2017' is not DD/MM/YYYY");
    read_fails("05/03/2017 ", TF_DATE_DMY,
               "date '05/03/2017 ' is not DD/MM/YYYY");
    read_fails("/03/2017", TF_DATE_DMY, "date '/03/2017' is not DD/MM/YYYY");
    read_fails("05/03/1899", TF_DATE_DMY,
               "date '05/03/1899' is outside the years 1900-2999");
    read_fails("", TF_DATE_DMY, "date '' is not DD/MM/YYYY");
}

static void time_read_is(const char *text, tf_date_form form, const char *want)
{
    char out[TF_TIME_LEN + 1];
    tf_diag diag;

    tf_diag_clear(&diag);
    if (tf_time_read(out, text, form, &diag))
        fail_msg("'%s': %s", text, diag.msg);
    assert_string_equal(out, want);
}

static void time_read_fails(const char *text, tf_date_form form,
                            const char *msg)
{
    char out[TF_TIME_LEN + 1];
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_time_read(out, text, form, &diag), TF_ERR_INPUT);
    assert_string_equal(diag.msg, msg);
}

static void test_time_forms(void **state)
{
    (void)state;
    time_read_is("2017-03-20T09:00:00Z", TF_DATE_YMD, "2017-03-20T09:00:00Z");
    time_read_is("2017-03-20 09:00", TF_DATE_YMD, "2017-03-20T09:00:00Z");
    time_read_is("2017-03-20 9:05:07", TF_DATE_YMD, "2017-03-20T09:05:07Z");
    time_read_is("20/03/2017 23:59:59", TF_DATE_DMY, "2017-03-20T23:59:59Z");
    time_read_is("3/20/2017 0:00", TF_DATE_MDY, "2017-03-20T00:00:00Z");

    time_read_fails("2017-03-20T09:00Z", TF_DATE_YMD,
                    "time '2017-03-20T09:00Z' is not YYYY-MM-DDTHH:MM:SSZ or "
                    "YYYY-MM-DD HH:MM[:SS]");
    time_read_fails("2017-02-30T09:00:00Z", TF_DATE_YMD,
                    "time '2017-02-30T09:00:00Z' is not a calendar date");
    time_read_fails("2017-03-20", TF_DATE_YMD,
                    "time '2017-03-20' is not YYYY-MM-DDTHH:MM:SSZ or "
                    "YYYY-MM-DD HH:MM[:SS]");
    time_read_fails("2017-03-20 09", TF_DATE_YMD,
                    "time '2017-03-20 09' is not YYYY-MM-DDTHH:MM:SSZ or "
                    "YYYY-MM-DD HH:MM[:SS]");
    time_read_fails("2017-03-20 09:00:0", TF_DATE_YMD,
                    "time '2017-03-20 09:00:0' is not YYYY-MM-DDTHH:MM:SSZ or "
                    "YYYY-MM-DD HH:MM[:SS]");
    time_read_fails("2017-03-20 24:00", TF_DATE_YMD,
                    "time '2017-03-20 24:00' is not a time of day");
    time_read_fails("20/03/2017 09:60", TF_DATE_DMY,
                    "time '20/03/2017 09:60' is not a time of day");
    time_read_fails("2017-03-20T09:00:00Z", TF_DATE_DMY,
                    "time '2017-03-20T09:00:00Z' is not DD/MM/YYYY "
                    "HH:MM[:SS]");
    time_read_fails("31/02/2017 10:00", TF_DATE_DMY,
                    "time '31/02/2017 10:00' is not a calendar date");
    time_read_fails("20/03/2017  10:00", TF_DATE_DMY,
                    "time '20/03/2017  10:00' is not DD/MM/YYYY HH:MM[:SS]");
    time_read_fails("", TF_DATE_MDY, "time '' is not MM/DD/YYYY HH:MM[:SS]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_calendar),
        cmocka_unit_test(test_month_lengths),
        cmocka_unit_test(test_date_range),
        cmocka_unit_test(test_date_form),
        cmocka_unit_test(test_date_form_long_text),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_time_form),
        cmocka_unit_test(test_today_and_now),
        cmocka_unit_test(test_add_days),
        cmocka_unit_test(test_add_days_edges),
        cmocka_unit_test(test_date_forms),
        cmocka_unit_test(test_time_forms),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
