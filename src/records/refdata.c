/* SPDX-License-Identifier: MIT */
/*
 * Reference data: the country classification (dated LDC membership) and
 * UN operational exchange rates, with conversion into the base currency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/embedded.h"
#include "books/fund_internal.h"
#include "store/record.h"
#include "tfund/csv.h"
#include "tfund/date.h"
#include "tfund/import.h"

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
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT iso3, m49, name, un_status, "
                                "region_group, ldc_from, ldc_until, sids, "
                                "lldc, developing FROM countries WHERE iso3 "
                                "= ?1",
                                diag);
    tf_country c;
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, iso3);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_NOTFOUND,
                           "unknown country '%s' (ISO 3166 alpha-3 code)",
                           iso3);
    }
    row_country(st, &c);
    if (fn)
        fn(ctx, &c);
    tf_stmt_reset(st);
    return TF_OK;
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

tf_error tf_country_load_shipped(tf_fund *fund, tf_diag *diag)
{
    const struct tf_embedded *e;
    tf_import_result res;
    tf_csv *csv = NULL;
    tf_error err;
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
    err = tf_import_csv(fund, "countries", csv, &res, NULL, NULL, diag);
    tf_csv_free(csv);
    return err;
}

/* ---- Rates ---------------------------------------------------------- */

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
        return tf_record_insert(fund->db, TF_REC_RATE, row, diag);
    }
}

tf_error tf_rate_find(tf_fund *fund, const char *currency, const char *date,
                      char *per_usd, tf_diag *diag)
{
    tf_stmt *st;
    int rc;

    if (!strcmp(currency, "USD")) {
        strcpy(per_usd, "1");
        return TF_OK;
    }
    st = tf_db_prepare(fund->db,
                       "SELECT per_usd FROM rates WHERE currency = ?1 AND "
                       "date <= ?2 ORDER BY date DESC LIMIT 1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, currency);
    tf_stmt_text(st, 2, date);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "no %s rate on or before %s: import one first",
                           currency, date);
    }
    snprintf(per_usd, 64, "%s", tf_col_text(st, 0));
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_fund_to_base(tf_fund *fund, int64_t *out, int64_t amount,
                         const char *currency, const char *date,
                         char *rate_used, tf_diag *diag)
{
    const tf_currency *cur = tf_currency_find(currency);
    char from[64], to[64];
    tf_error err;

    if (rate_used)
        rate_used[0] = '\0';
    if (!cur)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "unknown currency '%s' (ISO 4217 code)", currency);
    if (cur == fund->base) {
        *out = amount;
        return TF_OK;
    }
    if ((err = tf_rate_find(fund, currency, date, from, diag)))
        return err;
    if ((err = tf_rate_find(fund, fund->base->code, date, to, diag)))
        return err;
    err = tf_money_convert(out, amount, cur, from, fund->base, to);
    if (err)
        return tf_diag_set(diag, err,
                           "converting %s %lld on %s overflows the books",
                           currency, (long long)amount, date);
    if (rate_used)
        snprintf(rate_used, 64, "%s", from);
    return TF_OK;
}
