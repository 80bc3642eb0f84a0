/* SPDX-License-Identifier: MIT */
/*
 * Reference data: the country classification (dated LDC membership),
 * shipped with every new fund, and the UN operational exchange rates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/fund_internal.h"
#include "records/refdata.h"
#include "store/embedded.h"
#include "store/record.h"
#include "tfund/audit.h"
#include "tfund/csv.h"
#include "tfund/date.h"

/* ---- Countries ------------------------------------------------------ */

int tf_country_is_ldc(const tf_country *c, const char *date)
{
    char from[TF_DATE_LEN + 1];

    if (!c->ldc_from || !*c->ldc_from)
        return 0;
    /* A bare year means 1 January of that year. */
    if (strlen(c->ldc_from) == 4)
        snprintf(from, sizeof(from), "%s-01-01", c->ldc_from);
    else
        snprintf(from, sizeof(from), "%s", c->ldc_from);
    if (strcmp(from, date) > 0)
        return 0;
    return !c->ldc_until || !*c->ldc_until || strcmp(date, c->ldc_until) < 0;
}

int tf_country_tier(const tf_country *c, const char *date)
{
    if (tf_country_is_ldc(c, date))
        return 1;
    return c->developing ? 2 : 0;
}

static void row_country(tf_stmt *st, tf_country *c)
{
    c->iso3 = tf_col_text(st, 0);
    c->m49 = tf_col_text(st, 1);
    c->name = tf_col_text(st, 2);
    c->un_status = tf_col_text(st, 3);
    c->region_group = tf_col_text(st, 4);
    c->ldc_from = tf_col_text(st, 5);
    c->ldc_until = tf_col_text(st, 6);
    c->sids = (int)tf_col_int(st, 7);
    c->lldc = (int)tf_col_int(st, 8);
    c->developing = (int)tf_col_int(st, 9);
}

tf_error tf_country_get(tf_fund *fund, const char *iso3,
                        int (*fn)(void *ctx, const tf_country *c), void *ctx,
                        tf_diag *diag)
{
    tf_stmt *st;
    tf_country c;
    tf_error err = tf_db_get(fund->db,
                             "SELECT iso3, m49, name, un_status, "
                             "region_group, ldc_from, ldc_until, sids, "
                             "lldc, developing FROM countries WHERE iso3 = ?1",
                             iso3, &st, diag);

    if (err)
        return err;
    if (!st)
        return tf_diag_set(diag, TF_ERR_NOTFOUND,
                           "unknown country '%s' (ISO 3166 alpha-3 code)",
                           iso3);
    row_country(st, &c);
    if (fn)
        fn(ctx, &c);
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_country_each(tf_fund *fund,
                         int (*fn)(void *ctx, const tf_country *c), void *ctx,
                         tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT iso3, m49, name, un_status, "
                                "region_group, ldc_from, ldc_until, sids, "
                                "lldc, developing FROM countries ORDER BY iso3",
                                diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_country c;

        row_country(st, &c);
        if (fn(ctx, &c))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_country_put(tf_fund *fund, const tf_country *c, int *changed,
                        tf_diag *diag)
{
    /* Reference data: a country known with other details is replaced. */
    const tf_value row[] = {TF_TEXT(c->iso3),         TF_TEXT(c->m49),
                            TF_TEXT(c->name),         TF_TEXT(c->un_status),
                            TF_TEXT(c->region_group), TF_TEXT(c->ldc_from),
                            TF_TEXT(c->ldc_until),    TF_NUM(c->sids),
                            TF_NUM(c->lldc),          TF_NUM(c->developing)};
    tf_record_state state;
    tf_error err = tf_record_look(fund->db, TF_REC_COUNTRY, row, row + 1,
                                  &state, NULL, 0, diag);

    *changed = 0;
    if (err || state == TF_RECORD_SAME)
        return err;
    *changed = state == TF_RECORD_OTHER ? 2 : 1;
    return tf_record_insert(fund->db, TF_REC_COUNTRY, row, diag);
}

/* ---- The country classification as a file ------------------------- */

const tf_csv_column tf_country_columns[TF_COUNTRY_NCOLS] = {
    [TF_CC_ISO3] = {"iso3", 1},          [TF_CC_M49] = {"m49", 1},
    [TF_CC_NAME] = {"name", 1},          [TF_CC_STATUS] = {"un_status", 1},
    [TF_CC_GROUP] = {"region_group", 1}, [TF_CC_FROM] = {"ldc_from", 1},
    [TF_CC_UNTIL] = {"ldc_until", 1},    [TF_CC_SIDS] = {"sids", 1},
    [TF_CC_LLDC] = {"lldc", 1},          [TF_CC_DEV] = {"developing", 1},
};

static const char *field(const tf_csv *csv, size_t col)
{
    const char *v = tf_csv_get(csv, col);

    return v ? v : "";
}

static tf_error flag_field(const tf_csv *csv, size_t col, int *out,
                           tf_diag *diag)
{
    const char *v = field(csv, col);

    if (strcmp(v, "0") && strcmp(v, "1"))
        return tf_csv_error(csv, col, diag, "'%s' is not 0 or 1", v);
    *out = v[0] == '1';
    return TF_OK;
}

static int iso3_valid(const char *iso3)
{
    return strlen(iso3) == 3 && iso3[0] >= 'A' && iso3[0] <= 'Z' &&
           iso3[1] >= 'A' && iso3[1] <= 'Z' && iso3[2] >= 'A' && iso3[2] <= 'Z';
}

tf_error tf_country_read(const tf_csv *csv, tf_country *c, tf_diag *diag)
{
    const char *iso3 = field(csv, TF_CC_ISO3), *from = field(csv, TF_CC_FROM);
    const char *status = field(csv, TF_CC_STATUS);
    const char *until = field(csv, TF_CC_UNTIL);
    tf_diag sub;
    tf_error err;

    memset(c, 0, sizeof(*c));
    if (!iso3_valid(iso3))
        return tf_csv_error(csv, TF_CC_ISO3, diag,
                            "'%s' is not an ISO 3166 alpha-3 code", iso3);
    if (!*field(csv, TF_CC_NAME))
        return tf_csv_error(csv, TF_CC_NAME, diag, "name is empty");
    for (size_t col = TF_CC_M49; col <= TF_CC_GROUP; col++) {
        static const char *const what[] = {[TF_CC_M49] = "m49",
                                           [TF_CC_NAME] = "country name",
                                           [TF_CC_STATUS] = "un_status",
                                           [TF_CC_GROUP] = "region_group"};
        tf_diag_clear(&sub);
        if (what[col] &&
            tf_text_check(what[col], field(csv, col), 200, 1, &sub))
            return tf_csv_error(csv, col, diag, "%s", sub.msg);
    }
    if (strcmp(status, "member") && strcmp(status, "observer"))
        return tf_csv_error(csv, TF_CC_STATUS, diag,
                            "'%s' is not member or observer", status);
    if (*from && !(strlen(from) == 4 && tf_parse_count(from) >= 1900) &&
        tf_date_check(from, NULL))
        return tf_csv_error(csv, TF_CC_FROM, diag,
                            "'%s' is not a year or a date", from);
    if (*until) {
        tf_diag_clear(&sub);
        if (tf_date_check(until, &sub))
            return tf_csv_error(csv, TF_CC_UNTIL, diag, "%s", sub.msg);
        if (!*from)
            return tf_csv_error(csv, TF_CC_UNTIL, diag,
                                "a graduation date needs ldc_from");
    }
    c->iso3 = iso3;
    c->m49 = field(csv, TF_CC_M49);
    c->name = field(csv, TF_CC_NAME);
    c->un_status = status;
    c->region_group = field(csv, TF_CC_GROUP);
    c->ldc_from = from;
    c->ldc_until = until;
    if ((err = flag_field(csv, TF_CC_SIDS, &c->sids, diag)) ||
        (err = flag_field(csv, TF_CC_LLDC, &c->lldc, diag)) ||
        (err = flag_field(csv, TF_CC_DEV, &c->developing, diag)))
        return err;
    return TF_OK;
}

/* The shipped classification, compiled in (sql/countries.csv): read as a
 * file and put row by row; it is the project's own, so a row it refuses
 * is a fault of the build, not of the user's input. */
static tf_error load_shipped(tf_fund *fund, tf_diag *diag)
{
    const struct tf_embedded *e;
    tf_csv *csv = NULL;
    tf_error err;
    tf_country c;
    int has_row, changed;
    FILE *fp;

    for (e = tf_embedded_files; e->name; e++)
        if (!strcmp(e->name, "countries.csv"))
            break;
    if (!e->name)
        return tf_diag_set(diag, TF_ERR_DB,
                           "the country classification is missing");
    fp = fmemopen((void *)e->data, e->size, "r");
    if (!fp)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    err = tf_csv_open_stream(&csv, fp, "countries.csv (shipped)", diag);
    if (err)
        return err;
    err = tf_csv_header(csv, tf_country_columns, TF_COUNTRY_NCOLS, diag);
    while (!err && !(err = tf_csv_next(csv, &has_row, diag)) && has_row)
        if (!(err = tf_country_read(csv, &c, diag)))
            err = tf_country_put(fund, &c, &changed, diag);
    tf_csv_free(csv);
    return err;
}

tf_error tf_fund_create(tf_fund **out, const char *path, tf_diag *diag)
{
    return tf_fund_create_with(out, path, NULL, diag);
}

tf_error tf_fund_create_with(tf_fund **out, const char *path,
                             const char *const *settings, tf_diag *diag)
{
    tf_fund *fund;
    tf_error err = tf_fund_create_begin(&fund, path, diag);

    *out = NULL;
    if (err)
        return err;
    if (!(err = load_shipped(fund, diag)))
        for (size_t i = 0; settings && settings[i] && settings[i + 1]; i += 2)
            if ((err =
                     tf_setting_set(fund, settings[i], settings[i + 1], diag)))
                break;
    /* Creating the fund, its settings included, is one event. */
    if (!err)
        tf_audit_summary(fund, "fund created: the default settings and the "
                               "shipped country classification");
    if (err || (err = tf_fund_create_end(fund, diag))) {
        tf_fund_create_abandon(fund, path);
        return err;
    }
    *out = fund;
    return TF_OK;
}

/* ---- Rates ---------------------------------------------------------- */

/*
 * A new rate of currency from date is in force until the currency's next
 * rate: refused (TF_ERR_RULE) when that period holds a posting converted
 * at the rate in force before, which the new one would contradict (verify
 * would fail for good, and rates are never removed), or when date is in a
 * closed period. A posting is converted from currency, or from any
 * currency when currency is the base one (a base other than USD is
 * converted through its own rate). Reversals negate their entry's
 * postings at that entry's rates and date, so only the originals count.
 */
static tf_error rate_fits(tf_fund *fund, const char *currency, const char *date,
                          tf_diag *diag)
{
    int base = !strcmp(currency, tf_fund_base(fund)->code);
    char closed[32], next[16] = "", first[16], last[16], rate[64];
    int64_t entry;
    tf_diag sub;
    tf_stmt *st;
    int rc;

    tf_diag_clear(&sub);
    if (tf_setting_get(fund, "closed_through", closed, sizeof(closed), &sub) ==
            TF_OK &&
        strcmp(date, closed) <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the books are closed through %s: a %s rate dated "
                           "%s would change the rates of a closed period",
                           closed, currency, date);
    st = tf_db_prepare(fund->db,
                       "SELECT min(date) FROM rates WHERE currency = ?1 AND "
                       "date > ?2",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, currency);
    tf_stmt_text(st, 2, date);
    if (tf_stmt_step(st) < 0)
        return tf_stmt_error(st, diag);
    if (!tf_col_null(st, 0))
        snprintf(next, sizeof(next), "%s", tf_col_text(st, 0));
    tf_stmt_reset(st);
#define RATE_HITS                                                              \
    "FROM entries e JOIN postings p ON p.entry = e.id WHERE e.date >= ?2 AND " \
    "(?3 = '' OR e.date < ?3) AND e.reverses IS NULL AND p.orig_currency IS "  \
    "NOT NULL AND (?4 OR p.orig_currency = ?1) "
    st = tf_db_prepare(fund->db,
                       "SELECT e.id, e.date, p.rate || ' ' || p.orig_currency "
                       "" RATE_HITS "ORDER BY e.date, e.id LIMIT 1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, currency);
    tf_stmt_text(st, 2, date);
    tf_stmt_text(st, 3, next);
    tf_stmt_int(st, 4, base);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return TF_OK;
    }
    entry = tf_col_int(st, 0);
    snprintf(first, sizeof(first), "%s", tf_col_text(st, 1));
    snprintf(rate, sizeof(rate), "%s", tf_col_text(st, 2));
    tf_stmt_reset(st);
    st = tf_db_prepare(fund->db, "SELECT max(e.date) " RATE_HITS, diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, currency);
    tf_stmt_text(st, 2, date);
    tf_stmt_text(st, 3, next);
    tf_stmt_int(st, 4, base);
    if (tf_stmt_step(st) < 0)
        return tf_stmt_error(st, diag);
    snprintf(last, sizeof(last), "%s",
             tf_col_null(st, 0) ? first : tf_col_text(st, 0));
    tf_stmt_reset(st);
#undef RATE_HITS
    if (base) /* the posting's own rate is of another currency */
        snprintf(rate, sizeof(rate), "the %s rate then in force", currency);
    else
        strncat(rate, " per USD", sizeof(rate) - strlen(rate) - 1);
    return tf_diag_set(diag, TF_ERR_RULE,
                       "a %s rate from %s would change the rate in force for "
                       "entries already booked (the first, entry %lld of %s, "
                       "was converted at %s): rates never change what is "
                       "booked; give a date after %s",
                       currency, date, (long long)entry, first, rate, last);
}

tf_error tf_rate_add(tf_fund *fund, const char *currency, const char *date,
                     const char *per_usd, int *known, tf_diag *diag)
{
    char canon[64];

    *known = 0;
    if (!tf_currency_find(currency))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "unknown currency '%s' (ISO 4217 code)", currency);
    if (!strcmp(currency, "USD"))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "rates are units per USD: USD itself needs none");
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if (tf_decimal_parse(canon, sizeof(canon), per_usd, 0, diag))
        return TF_ERR_INPUT;
    if (tf_decimal_cmp(canon, TF_RATE_MIN) < 0 ||
        tf_decimal_cmp(canon, TF_RATE_MAX) > 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "rate %s %s per USD is out of bounds: tfund "
                           "accepts rates from %s to %s units per USD",
                           per_usd, currency, TF_RATE_MIN, TF_RATE_MAX);

    {
        const tf_value row[] = {TF_TEXT(currency), TF_TEXT(date),
                                TF_TEXT(canon)};
        tf_record_state state;
        char old[64];
        tf_error err = tf_record_look(fund->db, TF_REC_RATE, row, row + 2,
                                      &state, old, sizeof(old), diag);
        if (err)
            return err;
        if (state == TF_RECORD_SAME) {
            *known = 1;
            return TF_OK;
        }
        /* The rate is the record: say which it already is. */
        if (state == TF_RECORD_OTHER)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "the %s rate of %s is already %s: rates are "
                               "never changed (add one for a later date)",
                               currency, date, old);
        if ((err = rate_fits(fund, currency, date, diag)))
            return err;
        return tf_record_insert(fund->db, TF_REC_RATE, row, diag);
    }
}
