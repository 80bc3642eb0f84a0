/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tfund/date.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2999

/* Longest part of an offending value quoted in a message. */
#define QUOTE_MAX 64

enum date_fault { DATE_OK, DATE_FORM, DATE_RANGE, DATE_CALENDAR };

static const char *quote(char *buf, size_t size, const char *text)
{
    if (strlen(text) <= QUOTE_MAX)
        return text;
    snprintf(buf, size, "%.*s...", QUOTE_MAX, text);
    return buf;
}

/* The value of n ASCII digits at p, or -1 if one of them is not a digit. */
static int digits(const char *p, int n)
{
    int v = 0;

    for (; n > 0; n--, p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

/* Writes v as exactly n digits, zero-padded; the inverse of digits(). */
static void put_digits(char *p, int v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads the "YYYY-MM-DD" at the start of p; the caller checks what
 * follows. */
static enum date_fault parse_ymd(const char *p, int *y, int *m, int *d)
{
    if (strnlen(p, TF_DATE_LEN) < TF_DATE_LEN || p[4] != '-' || p[7] != '-')
        return DATE_FORM;
    *y = digits(p, 4);
    *m = digits(p + 5, 2);
    *d = digits(p + 8, 2);
    if (*y < 0 || *m < 0 || *d < 0)
        return DATE_FORM;
    if (*y < YEAR_MIN || *y > YEAR_MAX)
        return DATE_RANGE;
    if (*m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m))
        return DATE_CALENDAR;
    return DATE_OK;
}

static tf_error date_fault_set(tf_diag *diag, enum date_fault fault,
                               const char *kind, const char *form,
                               const char *text)
{
    char qbuf[QUOTE_MAX + 4];
    const char *q = quote(qbuf, sizeof(qbuf), text);

    switch (fault) {
    case DATE_OK:
        return TF_OK;
    case DATE_FORM:
        return tf_diag_set(diag, TF_ERR_INPUT, "%s '%s' is not %s", kind, q,
                           form);
    case DATE_RANGE:
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "%s '%s' is outside the years %d-%d", kind, q,
                           YEAR_MIN, YEAR_MAX);
    case DATE_CALENDAR:
        return tf_diag_set(diag, TF_ERR_INPUT, "%s '%s' is not a calendar date",
                           kind, q);
    }
    return TF_ERR_INPUT;
}

tf_error tf_date_check(const char *text, tf_diag *diag)
{
    enum date_fault fault;
    int y, m, d;

    if (!text)
        text = "";
    fault = parse_ymd(text, &y, &m, &d);
    if (fault == DATE_OK && text[TF_DATE_LEN] != '\0')
        fault = DATE_FORM;
    return date_fault_set(diag, fault, "date", "YYYY-MM-DD", text);
}

tf_error tf_time_check(const char *text, tf_diag *diag)
{
    static const char form[] = "YYYY-MM-DDTHH:MM:SSZ";
    char qbuf[QUOTE_MAX + 4];
    enum date_fault fault;
    int y, m, d, hh, mm, ss;

    if (!text)
        text = "";
    /* Check the whole shape first, so that "2017-02-30 10:00" is reported
     * as malformed rather than as a bad day. */
    if (strnlen(text, TF_TIME_LEN + 1) != TF_TIME_LEN || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != 'Z')
        return date_fault_set(diag, DATE_FORM, "time", form, text);
    hh = digits(text + 11, 2);
    mm = digits(text + 14, 2);
    ss = digits(text + 17, 2);
    fault = parse_ymd(text, &y, &m, &d);
    if (fault == DATE_OK && (hh < 0 || mm < 0 || ss < 0))
        fault = DATE_FORM;
    if (fault != DATE_OK)
        return date_fault_set(diag, fault, "time", form, text);
    /* UTC as the system clock reports it never shows a leap second. */
    if (hh > 23 || mm > 59 || ss > 59)
        return tf_diag_set(diag, TF_ERR_INPUT, "time '%s' is not a time of day",
                           quote(qbuf, sizeof(qbuf), text));
    return TF_OK;
}

/* ---- Dates and times as files write them ---------------------------- */

static const char *const form_names[] = {
    [TF_DATE_YMD] = "YYYY-MM-DD",
    [TF_DATE_DMY] = "DD/MM/YYYY",
    [TF_DATE_MDY] = "MM/DD/YYYY",
};

int tf_date_form_parse(const char *name, tf_date_form *out)
{
    for (size_t i = 0; i < sizeof(form_names) / sizeof(form_names[0]); i++)
        if (name && !strcmp(name, form_names[i])) {
            *out = (tf_date_form)i;
            return 0;
        }
    return -1;
}

const char *tf_date_form_name(tf_date_form form)
{
    return form_names[form];
}

/* One or two digits at *p, advanced past them; -1 if there are none. */
static int short_number(const char **p)
{
    int v = 0, n = 0;

    while (n < 2 && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n ? v : -1;
}

/* Reads the date in form at the start of text into ymd (YYYY-MM-DD, not
 * yet checked as a calendar date); returns the length read, or 0 when the
 * text does not have the form's shape. */
static size_t read_date_shape(char *ymd, const char *text, tf_date_form form)
{
    const char *p = text;
    int a, b, y;

    if (form == TF_DATE_YMD) {
        if (strnlen(text, TF_DATE_LEN) < TF_DATE_LEN || text[4] != '-' ||
            text[7] != '-' || digits(text, 4) < 0 || digits(text + 5, 2) < 0 ||
            digits(text + 8, 2) < 0)
            return 0;
        memcpy(ymd, text, TF_DATE_LEN);
        ymd[TF_DATE_LEN] = '\0';
        return TF_DATE_LEN;
    }
    if ((a = short_number(&p)) < 0 || *p++ != '/' ||
        (b = short_number(&p)) < 0 || *p++ != '/' || strnlen(p, 4) < 4 ||
        (y = digits(p, 4)) < 0)
        return 0;
    p += 4;
    if (*p >= '0' && *p <= '9')
        return 0;
    put_digits(ymd, y, 4);
    ymd[4] = '-';
    put_digits(ymd + 5, form == TF_DATE_DMY ? b : a, 2);
    ymd[7] = '-';
    put_digits(ymd + 8, form == TF_DATE_DMY ? a : b, 2);
    ymd[TF_DATE_LEN] = '\0';
    return (size_t)(p - text);
}

tf_error tf_date_read(char *out, const char *text, tf_date_form form,
                      tf_diag *diag)
{
    enum date_fault fault = DATE_FORM;
    size_t n;
    int y, m, d;

    if (!text)
        text = "";
    n = read_date_shape(out, text, form);
    if (n && text[n] == '\0')
        fault = parse_ymd(out, &y, &m, &d);
    if (fault != DATE_OK)
        out[0] = '\0';
    return date_fault_set(diag, fault, "date", form_names[form], text);
}

tf_error tf_time_read(char *out, const char *text, tf_date_form form,
                      tf_diag *diag)
{
    static const char *const forms[] = {
        [TF_DATE_YMD] = "YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD HH:MM[:SS]",
        [TF_DATE_DMY] = "DD/MM/YYYY HH:MM[:SS]",
        [TF_DATE_MDY] = "MM/DD/YYYY HH:MM[:SS]",
    };
    char qbuf[QUOTE_MAX + 4];
    enum date_fault fault = DATE_FORM;
    const char *p;
    int hh = -1, mm = -1, ss = 0, y, m, d;
    size_t n;

    if (!text)
        text = "";
    out[0] = '\0';
    if (form == TF_DATE_YMD && strlen(text) == TF_TIME_LEN && text[10] == 'T') {
        if (tf_time_check(text, diag))
            return TF_ERR_INPUT;
        memcpy(out, text, TF_TIME_LEN + 1);
        return TF_OK;
    }
    n = read_date_shape(out, text, form);
    p = text + n;
    if (n && *p++ == ' ' && (hh = short_number(&p)) >= 0 && *p++ == ':' &&
        (mm = digits(p, 2)) >= 0) {
        p += 2;
        if (*p == ':' && (ss = digits(p + 1, 2)) >= 0)
            p += 3;
        if (*p == '\0' && ss >= 0)
            fault = parse_ymd(out, &y, &m, &d);
    }
    if (fault != DATE_OK) {
        out[0] = '\0';
        return date_fault_set(diag, fault, "time", forms[form], text);
    }
    if (hh > 23 || mm > 59 || ss > 59) {
        out[0] = '\0';
        return tf_diag_set(diag, TF_ERR_INPUT, "time '%s' is not a time of day",
                           quote(qbuf, sizeof(qbuf), text));
    }
    out[10] = 'T';
    put_digits(out + 11, hh, 2);
    out[13] = ':';
    put_digits(out + 14, mm, 2);
    out[16] = ':';
    put_digits(out + 17, ss, 2);
    out[19] = 'Z';
    out[20] = '\0';
    return TF_OK;
}

/* gmtime_r on now, or the epoch should the clock be beyond struct tm. */
static void utc_now(struct tm *tm)
{
    time_t now = time(NULL);

    if (now == (time_t)-1 || !gmtime_r(&now, tm)) {
        now = 0;
        gmtime_r(&now, tm);
    }
}

void tf_date_today(char *buf)
{
    struct tm tm;

    utc_now(&tm);
    strftime(buf, TF_DATE_LEN + 1, "%Y-%m-%d", &tm);
}

void tf_time_now(char *buf)
{
    struct tm tm;

    utc_now(&tm);
    strftime(buf, TF_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms). Counting in 400-year eras from March keeps the
 * leap day at the end of the year and the arithmetic free of mktime() and
 * the local time zone.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void tf_date_add_days(char *out, const char *date, int days)
{
    int64_t z, lo, hi, y;
    int yi, m, d;

    if (!date || tf_date_check(date, NULL) != TF_OK) {
        out[0] = '\0';
        return;
    }
    parse_ymd(date, &yi, &m, &d);
    /* Keep the result four digits wide, whatever days is. */
    lo = days_from_civil(1, 1, 1);
    hi = days_from_civil(9999, 12, 31);
    z = days_from_civil(yi, m, d) + days;
    if (z < lo)
        z = lo;
    if (z > hi)
        z = hi;
    civil_from_days(z, &y, &m, &d);
    put_digits(out, (int)y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[TF_DATE_LEN] = '\0';
}
