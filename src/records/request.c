/* SPDX-License-Identifier: MIT */
/*
 * Travel requests and actual costs: the records the allocation works on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
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

/* Another request of the same session, country and delegate (case and
 * spaces folded) that is not cancelled or rejected: TF_ERR_INPUT naming
 * it, unless the handle allows duplicates (then counted). */
static tf_error duplicate_guard(tf_fund *fund, const char *ref,
                                const char *session, const char *country,
                                const char *delegate, const char **field,
                                tf_diag *diag)
{
/* Not cancelled or rejected: a request that may still travel. */
#define LIVE                                                                   \
    " q.status NOT IN (" TF_SQL_Q(TF_N_CANCELLED) ", " TF_SQL_Q(               \
        TF_N_REJECTED) ") "
    /* The requests as recorded (through requests_delegate), then the few
     * amended ones by their latest amendment. */
    static const char sql[] =
        "SELECT q.ref FROM requests q WHERE q.session = ?1 AND q.country = "
        "?2 AND lower(replace(q.delegate, ' ', '')) = lower(replace(?3, ' ', "
        "'')) AND q.ref <> ?4 AND" LIVE "AND NOT EXISTS (SELECT 1 FROM "
        "amendments x WHERE x.request = q.ref) UNION ALL SELECT q.ref FROM "
        "amendments a CROSS JOIN requests q ON q.ref = a.request WHERE a.id = "
        "(SELECT max(x.id) FROM amendments x WHERE x.request = a.request) AND "
        "q.session = ?1 AND q.country = ?2 AND lower(replace(a.delegate, ' ', "
        "'')) = lower(replace(?3, ' ', '')) AND q.ref <> ?4 AND" LIVE "LIMIT 1";
#undef LIVE
    tf_stmt *st = tf_db_prepare(fund->db, sql, diag);
    char other[128];
    tf_error err;
    int found;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    tf_stmt_text(st, 2, country);
    tf_stmt_text(st, 3, delegate);
    tf_stmt_text(st, 4, ref);
    err = tf_fund_duplicate(fund, st, other, sizeof(other), &found, diag);
    if (err || !found)
        return err;
    *field = "delegate";
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "request '%s' duplicates request '%s': the same "
                       "delegate, country and session (if both are meant, "
                       "allow the duplicate: --allow-duplicate, or the "
                       "form's box)",
                       ref, other);
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
        tf_record_state state;
        if ((err = tf_record_look(fund->db, TF_REC_REQUEST, row, row + 1,
                                  &state, NULL, 0, diag)))
            return err;
        /* A new reference for a delegate already requested: a slip,
         * unless the caller says otherwise. */
        if (state == TF_RECORD_ABSENT &&
            (err = duplicate_guard(fund, r->ref, r->session, r->country,
                                   r->delegate, field, diag)))
            return err;
        err = tf_record_add(fund->db, TF_REC_REQUEST, row, row + 1, row, known,
                            diag);
        if (err == TF_ERR_INPUT && !*field)
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
        "SELECT q.ref, q.session, q.country, coalesce(a.delegate, "
        "q.delegate), q.submitted, coalesce(a.fare_currency, "
        "q.fare_currency), coalesce(a.gender, q.gender), coalesce(a.fare, "
        "q.fare), q.status, q.reason, c.region_group, q.decided, "
        "coalesce(q.tier, 0), q.charge IS NOT NULL, q.fare_base, q.dsa, "
        "q.terminal, q.cost, q.psc, q.charge, CASE WHEN q.status IN "
        "(" TF_SQL_FUNDED ", " TF_SQL_DISBURSED ", " TF_SQL_Q(
            TF_N_CANCELLED) ") THEN (SELECT group_concat(d.pool || ':' || "
                            "d.amount, ';') FROM "
                            "(SELECT d.pool, d.amount FROM draws d WHERE "
                            "d.request = q.ref AND " TF_SQL_CURRENT_DRAW(
                                "d", "q") " ORDER BY d.seq) d) END "
                                          "FROM requests q JOIN countries c ON "
                                          "c.iso3 = q.country" TF_SQL_AMENDMENT(
                                              "a",
                                              "q") "WHERE (?1 IS NULL OR "
                                                   "q.session = ?1) AND (?2 IS "
                                                   "NULL OR q.ref = ?2) "
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

/* ---- Amendments ----------------------------------------------------- */

tf_error tf_request_amend(tf_fund *fund, const tf_request_amendment *a,
                          int *changed, tf_diag *diag)
{
    char session[80], country[8], status[16], delegate[256], currency[8];
    char gender[64];
    int64_t fare;
    const char *field = NULL;
    tf_stmt *st;
    tf_error err;
    int found = 0;

    *changed = 0;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = tf_db_get(
             fund->db,
             "SELECT q.session, q.country, q.status, "
             "coalesce(a.delegate, q.delegate), coalesce(a.fare, "
             "q.fare), coalesce(a.fare_currency, "
             "q.fare_currency), coalesce(a.gender, q.gender) "
             "FROM requests q" TF_SQL_AMENDMENT("a", "q") "WHERE q.ref = ?1",
             a->ref, &st, diag)))
        return err;
    if (!st)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown request '%s'",
                           a->ref);
    snprintf(session, sizeof(session), "%s", tf_col_text(st, 0));
    snprintf(country, sizeof(country), "%s", tf_col_text(st, 1));
    snprintf(status, sizeof(status), "%s", tf_col_text(st, 2));
    snprintf(delegate, sizeof(delegate), "%s", tf_col_text(st, 3));
    fare = tf_col_int(st, 4);
    snprintf(currency, sizeof(currency), "%s", tf_col_text(st, 5));
    snprintf(gender, sizeof(gender), "%s", tf_col_text(st, 6));
    tf_stmt_reset(st);
    if (!tf_status_is(status, TF_STATUS_PENDING) &&
        !tf_status_is(status, TF_STATUS_WAITLISTED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' is %s: only a pending or waitlisted "
                           "request is amended",
                           a->ref, status);
    if (a->delegate &&
        (err = tf_text_check("delegate name", a->delegate, 200, 0, diag)))
        return err;
    if (a->gender && (err = tf_text_check("gender", a->gender, 32, 1, diag)))
        return err;
    if (a->fare_currency) {
        const tf_currency *cur = tf_currency_find(a->fare_currency);
        if (!cur)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "unknown currency '%s' (ISO 4217 code)",
                               a->fare_currency);
        if (a->fare < 0)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "a fare may not be negative");
        if ((err = tf_amount_bound("fare", a->fare, TF_TRIP_MAX, cur, diag)))
            return err;
        if (cur != tf_fund_base(fund) && strcmp(cur->code, "USD")) {
            if ((err = exists(fund, "SELECT 1 FROM rates WHERE currency = ?1",
                              cur->code, &found, diag)))
                return err;
            if (!found)
                return tf_diag_set(diag, TF_ERR_INPUT,
                                   "no %s rate at all: record one before a "
                                   "fare in %s",
                                   cur->code, cur->code);
        }
    }
    if ((!a->delegate || !strcmp(a->delegate, delegate)) &&
        (!a->gender || !strcmp(a->gender, gender)) &&
        (!a->fare_currency ||
         (a->fare == fare && !strcmp(a->fare_currency, currency))))
        return TF_OK;
    if (a->delegate && (err = duplicate_guard(fund, a->ref, session, country,
                                              a->delegate, &field, diag)))
        return err;
    st = tf_db_prepare(fund->db,
                       "INSERT INTO amendments (request, delegate, fare, "
                       "fare_currency, gender) VALUES (?1, ?2, ?3, ?4, ?5)",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, a->ref);
    tf_stmt_text(st, 2, a->delegate ? a->delegate : delegate);
    tf_stmt_int(st, 3, a->fare_currency ? a->fare : fare);
    tf_stmt_text(st, 4, a->fare_currency ? a->fare_currency : currency);
    tf_stmt_text(st, 5, a->gender ? a->gender : gender);
    if ((err = tf_stmt_run(st, diag)))
        return err;
    *changed = 1;
    return TF_OK;
}
