/* SPDX-License-Identifier: MIT */
/*
 * Travel requests and actual costs: the records the allocation works on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/fund_internal.h"
#include "store/record.h"
#include "tfund/allocate.h"
#include "tfund/date.h"
#include "tfund/surplus.h"

#define BAD(col, ...)                                                          \
    do {                                                                       \
        *field = (col);                                                        \
        return tf_diag_set(diag, TF_ERR_INPUT, __VA_ARGS__);                   \
    } while (0)

static tf_error exists(tf_fund *fund, const char *sql, const char *key,
                       int *found, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err = tf_db_get(fund->db, sql, key, &st, diag);

    if (st)
        tf_stmt_reset(st);
    *found = st != NULL;
    return err;
}

tf_error tf_request_add(tf_fund *fund, const tf_request *r, int *known,
                        const char **field, tf_diag *diag)
{
    tf_error err;
    int found = 0;

    *known = 0;
    *field = NULL;
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    if (!r->ref || !*r->ref || strlen(r->ref) > 100)
        BAD("ref", "request reference must have 1 to 100 bytes");
    if ((err = tf_ref_check("request", r->ref, diag))) {
        *field = "ref";
        return err;
    }
    if ((err = exists(fund, "SELECT 1 FROM sessions WHERE id = ?1", r->session,
                      &found, diag)))
        return err;
    if (!found)
        BAD("session", "unknown session '%s': register it first", r->session);
    if ((err = exists(fund, "SELECT 1 FROM countries WHERE iso3 = ?1",
                      r->country, &found, diag)))
        return err;
    if (!found)
        BAD("country", "unknown country '%s' (ISO 3166 alpha-3 code)",
            r->country);
    if (!r->delegate || !*r->delegate || strlen(r->delegate) > 200)
        BAD("delegate", "delegate name must have 1 to 200 bytes");
    if ((err = tf_text_check("delegate name", r->delegate, 200, 0, diag))) {
        *field = "delegate";
        return err;
    }
    if (tf_time_check(r->submitted, diag)) {
        *field = "submitted";
        return TF_ERR_INPUT;
    }
    if (!tf_currency_find(r->fare_currency))
        BAD("fare_currency", "unknown currency '%s' (ISO 4217 code)",
            r->fare_currency);
    if (r->fare_orig < 0)
        BAD("fare", "a fare may not be negative");
    if ((err = tf_amount_bound("fare", r->fare_orig, TF_TRIP_MAX,
                               tf_currency_find(r->fare_currency), diag))) {
        *field = "fare";
        return err;
    }
    if (r->gender && strlen(r->gender) > 32)
        BAD("gender", "gender is longer than 32 bytes");
    if (r->gender && (err = tf_text_check("gender", r->gender, 32, 1, diag))) {
        *field = "gender";
        return err;
    }
    if (strcmp(r->fare_currency, "USD") &&
        tf_currency_find(r->fare_currency) != tf_fund_base(fund)) {
        if ((err = exists(fund, "SELECT 1 FROM rates WHERE currency = ?1",
                          r->fare_currency, &found, diag)))
            return err;
        if (!found)
            BAD("fare_currency",
                "no %s rate at all: import rates before requests in %s",
                r->fare_currency, r->fare_currency);
    }

    {
        const tf_value row[] = {
            TF_TEXT(r->ref),           TF_TEXT(r->session),
            TF_TEXT(r->country),       TF_TEXT(r->delegate),
            TF_TEXT(r->submitted),     TF_NUM(r->fare_orig),
            TF_TEXT(r->fare_currency), TF_TEXT(r->gender ? r->gender : "")};
        err = tf_record_add(fund->db, TF_REC_REQUEST, row, row + 1, row, known,
                            diag);
        if (err == TF_ERR_INPUT)
            *field = "ref";
        return err;
    }
}

tf_error tf_cost_add(tf_fund *fund, const char *ref, const char *date,
                     int64_t amount, const char *currency, int *known,
                     tf_diag *diag)
{
    tf_error err;
    int found = 0;

    *known = 0;
    if ((err = exists(fund, "SELECT 1 FROM requests WHERE ref = ?1", ref,
                      &found, diag)))
        return err;
    if (!found)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown request '%s'", ref);
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if (!tf_currency_find(currency))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "unknown currency '%s' (ISO 4217 code)", currency);
    if (amount < 0)
        return tf_diag_set(diag, TF_ERR_INPUT, "a cost may not be negative");
    if ((err = tf_amount_bound("actual cost", amount, TF_TRIP_MAX,
                               tf_currency_find(currency), diag)))
        return err;
    {
        const tf_value row[] = {TF_TEXT(ref), TF_TEXT(date), TF_NUM(amount),
                                TF_TEXT(currency)};
        return tf_record_add(fund->db, TF_REC_COST, row, row + 1, row, known,
                             diag);
    }
}

tf_error tf_request_each(tf_fund *fund, const char *session, const char *ref,
                         int (*fn)(void *ctx, const tf_request *r), void *ctx,
                         tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT q.ref, q.session, q.country, q.delegate, q.submitted, "
        "q.fare_currency, q.gender, q.fare, q.status, q.reason, "
        "c.region_group, q.decided, coalesce(q.tier, 0), q.charge IS NOT "
        "NULL, q.fare_base, q.dsa, q.terminal, q.cost, q.psc, q.charge, "
        "(SELECT group_concat(d.pool || ':' || d.amount, ';') FROM (SELECT "
        "pool, amount FROM draws WHERE request = q.ref ORDER BY seq) d) "
        "FROM requests q JOIN countries c ON c.iso3 = q.country "
        "WHERE (?1 IS NULL OR q.session = ?1) AND (?2 IS NULL OR q.ref = ?2) "
        "ORDER BY q.ref",
        diag);
    int rc, n = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    tf_stmt_text(st, 2, ref);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_request r;
        const char *draws = tf_col_text(st, 20);
        char pools[TF_POOL_COUNT][16];

        memset(&r, 0, sizeof(r));
        r.ref = tf_col_text(st, 0);
        r.session = tf_col_text(st, 1);
        r.country = tf_col_text(st, 2);
        r.delegate = tf_col_text(st, 3);
        r.submitted = tf_col_text(st, 4);
        r.fare_currency = tf_col_text(st, 5);
        r.gender = tf_col_text(st, 6);
        r.fare_orig = tf_col_int(st, 7);
        r.status = tf_col_text(st, 8);
        r.reason = tf_col_text(st, 9);
        r.region_group = tf_col_text(st, 10);
        r.decided = tf_col_text(st, 11);
        r.tier = (int)tf_col_int(st, 12);
        r.has_figures = (int)tf_col_int(st, 13);
        r.fare = tf_col_int(st, 14);
        r.dsa = tf_col_int(st, 15);
        r.terminal = tf_col_int(st, 16);
        r.cost = tf_col_int(st, 17);
        r.psc = tf_col_int(st, 18);
        r.charge = tf_col_int(st, 19);
        /* "pool:amount;pool:amount", pools being fixed names. */
        for (const char *p = draws; p && *p && r.ndraws < TF_POOL_COUNT;) {
            const char *colon = strchr(p, ':');
            size_t n2;
            if (!colon)
                break;
            n2 = (size_t)(colon - p);
            if (n2 >= sizeof(pools[0]))
                break;
            memcpy(pools[r.ndraws], p, n2);
            pools[r.ndraws][n2] = '\0';
            if (tf_pool_find(pools[r.ndraws]) >= 0)
                r.draws[r.ndraws].pool =
                    tf_pools[tf_pool_find(pools[r.ndraws])];
            r.draws[r.ndraws].amount = strtoll(colon + 1, NULL, 10);
            r.ndraws++;
            p = strchr(colon, ';');
            p = p ? p + 1 : NULL;
        }
        n++;
        if (fn(ctx, &r))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (ref && n == 0)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown request '%s'", ref);
    return TF_OK;
}
