/* SPDX-License-Identifier: MIT */
/*
 * The books are kept in the base currency: the UN operational rate in
 * force on a date, and an amount converted at it (the money rules of
 * docs/architecture.md). The rates themselves are reference data,
 * recorded by records/refdata.c.
 */
#include <stdio.h>
#include <string.h>

#include "books/fund_internal.h"

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
