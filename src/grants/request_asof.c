/* SPDX-License-Identifier: MIT */
/*
 * The requests as they stood on a date (include/tfund/statement.h): the
 * decisions table keeps every decision with its date, so a report as of
 * a past day shows the statuses of that day, not today's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/fund_internal.h"
#include "grants/grants.h"
#include "tfund/allocate.h"
#include "tfund/date.h"

/* Sessions as the figures of a past run need them. */
struct sessions {
    tf_session *s;
    char **ids;
    size_t n;
    int oom;
};

static int got_session(void *ctx, const tf_session *s)
{
    struct sessions *l = ctx;
    tf_session *grown = realloc(l->s, (l->n + 1) * sizeof(*grown));
    char **ids = grown ? realloc(l->ids, (l->n + 1) * sizeof(*ids)) : NULL;

    if (grown)
        l->s = grown;
    if (ids)
        l->ids = ids;
    if (!grown || !ids || !(ids[l->n] = strdup(s->id))) {
        l->oom = 1;
        return 1;
    }
    grown[l->n] = *s;
    grown[l->n].id = ids[l->n];
    grown[l->n].name = grown[l->n].venue = grown[l->n].start = "";
    l->n++;
    return 0;
}

static const tf_session *session_find(const struct sessions *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->ids[i], id))
            return &l->s[i];
    return NULL;
}

/* "pool:amount;pool:amount" into r's draws (pools being fixed names). */
static void parse_draws(tf_request *r, const char *draws)
{
    for (const char *p = draws; p && *p && r->ndraws < TF_POOL_COUNT;) {
        const char *colon = strchr(p, ':');
        if (!colon)
            break;
        for (int k = 0; k < TF_POOL_COUNT; k++)
            if (strlen(tf_pools[k]) == (size_t)(colon - p) &&
                !strncmp(p, tf_pools[k], (size_t)(colon - p)))
                r->draws[r->ndraws].pool = tf_pools[k];
        r->draws[r->ndraws].amount = strtoll(colon + 1, NULL, 10);
        r->ndraws++;
        p = strchr(colon, ';');
        p = p ? p + 1 : NULL;
    }
}

/* The figures of the run of run_date for a request waitlisted then and
 * reconsidered since (DESIGN.md 9.2): 0 when they give the recorded
 * charge, -1 when they cannot be told. */
static int past_figures(tf_fund *fund, const struct sessions *l,
                        const char *psc_rate, const char *run_date,
                        int64_t charge, tf_request *r)
{
    const tf_session *s = session_find(l, r->session);
    int64_t fare, dsa, cost, psc, total;

    if (!s || !run_date ||
        tf_fund_to_base(fund, &fare, r->fare_orig, r->fare_currency, run_date,
                        NULL, NULL) ||
        tf_trip_charge(s, fare, psc_rate, &dsa, &cost, &psc, &total) ||
        total != charge)
        return -1;
    r->fare = fare;
    r->dsa = dsa;
    r->terminal = s->terminal;
    r->cost = cost;
    r->psc = psc;
    r->charge = total;
    return 0;
}

tf_error tf_request_each_as_of(tf_fund *fund, const char *session,
                               const char *as_of,
                               int (*fn)(void *ctx, const tf_request *r),
                               void *ctx, tf_diag *diag)
{
    struct sessions l = {NULL, NULL, 0, 0};
    char psc_rate[64];
    tf_stmt *st;
    tf_error err;
    int rc = 0, own = 0;

    if (!as_of)
        return tf_request_each(fund, session, NULL, fn, ctx, diag);
    if (tf_date_check(as_of, diag))
        return TF_ERR_INPUT;
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    err = tf_session_each(fund, NULL, got_session, &l, diag);
    if (!err && l.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err)
        err =
            tf_setting_get(fund, "psc_rate", psc_rate, sizeof(psc_rate), diag);
    st = err ? NULL
             : tf_db_prepare(
                   fund->db,
                   "SELECT q.ref, q.session, q.country, q.delegate, "
                   "q.submitted, q.fare_currency, q.gender, q.fare, d.status, "
                   "d.reason, c.region_group, d.date, coalesce(q.tier, 0), "
                   "d.id IS NOT NULL AND (d.run IS NULL OR d.run = q.run), "
                   "d.charge, q.fare_base, q.dsa, q.terminal, q.cost, q.psc, "
                   "q.charge, u.date, (SELECT group_concat(w.pool || ':' || "
                   "w.amount, ';') FROM (SELECT w.pool, w.amount FROM draws w "
                   "JOIN entries e ON e.id = w.entry WHERE w.request = q.ref "
                   "AND e.date <= ?2 ORDER BY w.seq) w) FROM requests q JOIN "
                   "countries c ON c.iso3 = q.country LEFT JOIN decisions d "
                   "ON d.id = (SELECT x.id FROM decisions x WHERE x.request = "
                   "q.ref AND x.date <= ?2 ORDER BY x.date DESC, x.id DESC "
                   "LIMIT 1) LEFT JOIN runs u ON u.id = d.run WHERE (?1 IS "
                   "NULL OR q.session = ?1) ORDER BY q.ref",
                   diag);
    if (!err && !st)
        err = TF_ERR_DB;
    if (!err) {
        tf_stmt_text(st, 1, session);
        tf_stmt_text(st, 2, as_of);
    }
    while (!err && (rc = tf_stmt_step(st)) > 0) {
        tf_request r;
        const char *status = tf_col_text(st, 8);

        memset(&r, 0, sizeof(r));
        r.ref = tf_col_text(st, 0);
        r.session = tf_col_text(st, 1);
        r.country = tf_col_text(st, 2);
        r.delegate = tf_col_text(st, 3);
        r.submitted = tf_col_text(st, 4);
        r.fare_currency = tf_col_text(st, 5);
        r.gender = tf_col_text(st, 6);
        r.fare_orig = tf_col_int(st, 7);
        r.region_group = tf_col_text(st, 10);
        if (!status) {
            /* Not yet decided on that day. */
            r.status = tf_status_name(TF_STATUS_PENDING);
            r.reason = "";
            if (fn(ctx, &r))
                break;
            continue;
        }
        r.status = status;
        r.reason = tf_col_text(st, 9);
        r.decided = tf_col_text(st, 11);
        r.tier = (int)tf_col_int(st, 12);
        if (tf_col_int(st, 13)) {
            /* The decision of the run whose figures the request keeps (a
             * disbursement or cancellation keeps the funding run's). */
            r.has_figures = !tf_col_null(st, 20);
            r.fare = tf_col_int(st, 15);
            r.dsa = tf_col_int(st, 16);
            r.terminal = tf_col_int(st, 17);
            r.cost = tf_col_int(st, 18);
            r.psc = tf_col_int(st, 19);
            r.charge = tf_col_int(st, 20);
        } else if (!tf_col_null(st, 14)) {
            r.has_figures =
                !past_figures(fund, &l, psc_rate, tf_col_text(st, 21),
                              tf_col_int(st, 14), &r);
            if (!r.has_figures)
                r.charge = tf_col_int(st, 14);
        }
        parse_draws(&r, tf_col_text(st, 22));
        if (fn(ctx, &r))
            break;
    }
    if (st) {
        if (!err && rc < 0)
            err = tf_stmt_error(st, diag);
        tf_stmt_reset(st);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.ids[i]);
    free(l.ids);
    free(l.s);
    tf_db_read_end(fund->db, own);
    return err;
}
