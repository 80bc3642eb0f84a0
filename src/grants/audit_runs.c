/* SPDX-License-Identifier: MIT */
/*
 * What verify checks of each allocation run against the reference data
 * in force when it ran (DESIGN.md section 10: an allocation uses the
 * values in force when it ran). Tables are insert-only and each event
 * records the rows it wrote, so what a table held when a run was written
 * is its rows up to the last one written by that run's event or before:
 * - the settings the run recorded are the versions then in force;
 * - its budget share is this session's days over the days of the
 *   sessions then registered that start on or after it;
 * - each of its decisions has the tier of the country's classification
 *   then in force on the session's start, and figures that follow from
 *   its fare, the session and the recorded psc_rate.
 * So a reference row changed for a run and changed back afterwards is
 * still found. Runs made before the event log (no settings recorded) are
 * not checked this way.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/audit_internal.h"
#include "grants/grants.h"
#include "tfund/allocate.h"

/* Indexes of tf_covered. */
enum { C_COUNTRIES = 0, C_SESSIONS = 5, C_SETTINGS = 8, C_RUNS = 10 };

struct rv {
    tf_fund *fund;
    void (*fn)(void *ctx, int64_t entry, const char *what);
    void *ctx;
    long failures;
    tf_diag *diag;
};

static void report(struct rv *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(struct rv *v, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->failures++;
    if (v->fn)
        v->fn(v->ctx, 0, msg);
}

struct run_row {
    int64_t id;
    char session[80], date[16], options[256], share[64];
    char psc_rate[64], reserve_rate[64];
    int64_t quota_ldc, quota_developing;
    tf_session s;
    char start[16];
};

/* The version of setting key in force up to setting_versions row max. */
static tf_error setting_then(struct rv *v, const char *key, int64_t max,
                             int64_t *row, char *value, size_t size)
{
    static const char sql[] =
        "SELECT id, value FROM setting_versions WHERE key = ?1 AND id <= ?2 "
        "ORDER BY id DESC LIMIT 1";
    tf_stmt *st = tf_db_prepare(v->fund->db, sql, v->diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, key);
    tf_stmt_int(st, 2, max);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    *row = rc > 0 ? tf_col_int(st, 0) : 0;
    snprintf(value, size, "%s", rc > 0 ? tf_col_text(st, 1) : "(none)");
    tf_stmt_reset(st);
    return TF_OK;
}

static tf_error check_settings(struct rv *v, const struct run_row *r,
                               int64_t max)
{
    const char *keys[4] = {"psc_rate", "reserve_rate", "quota_ldc",
                           "quota_developing"};
    char used[4][64];
    tf_error err;

    snprintf(used[0], sizeof(used[0]), "%s", r->psc_rate);
    snprintf(used[1], sizeof(used[1]), "%s", r->reserve_rate);
    snprintf(used[2], sizeof(used[2]), "%" PRId64, r->quota_ldc);
    snprintf(used[3], sizeof(used[3]), "%" PRId64, r->quota_developing);
    for (int k = 0; k < 4; k++) {
        char then[64];
        int64_t row = 0;
        if ((err = setting_then(v, keys[k], max, &row, then, sizeof(then))))
            return err;
        if (strcmp(then, used[k]))
            report(v,
                   "runs row %" PRId64 " (run %" PRId64 " of %s): it used %s "
                   "'%s' but setting_versions row %" PRId64 " in force then "
                   "says '%s'",
                   r->id, r->id, r->session, keys[k], used[k], row, then);
    }
    return TF_OK;
}

static tf_error check_share(struct rv *v, const struct run_row *r, int64_t max)
{
    static const char sql[] = "SELECT coalesce(sum(days), 0) FROM sessions "
                              "WHERE start >= ?1 AND rowid <= ?2";
    char want[64];
    tf_stmt *st;
    int rc;

    if (strstr(r->options, "budget=all")) {
        snprintf(want, sizeof(want), "1/1");
    } else {
        if (!(st = tf_db_prepare(v->fund->db, sql, v->diag)))
            return TF_ERR_DB;
        tf_stmt_text(st, 1, r->start);
        tf_stmt_int(st, 2, max);
        rc = tf_stmt_step(st);
        if (rc < 0)
            return tf_stmt_error(st, v->diag);
        snprintf(want, sizeof(want), "%" PRId64 "/%" PRId64, r->s.days,
                 rc > 0 ? tf_col_int(st, 0) : 0);
        tf_stmt_reset(st);
    }
    if (strcmp(want, r->share))
        report(v,
               "runs row %" PRId64 " (run %" PRId64 " of %s): its budget share "
               "is %s but the sessions registered then give %s",
               r->id, r->id, r->session, r->share, want);
    return TF_OK;
}

static void tier_text(char *buf, size_t size, tf_stmt *st, int i)
{
    if (tf_col_null(st, i))
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, "%" PRId64, tf_col_int(st, i));
}

static tf_error check_decisions(struct rv *v, const struct run_row *r,
                                int64_t max_country)
{
    static const char sql[] =
        "SELECT d.id, d.request, d.tier, d.fare_base, d.dsa, d.terminal, "
        "d.cost, d.psc, d.charge, q.country, cv.id, cv.ldc_from, "
        "cv.ldc_until, cv.developing FROM decisions d JOIN requests q ON "
        "q.ref = d.request LEFT JOIN country_versions cv ON cv.id = (SELECT "
        "max(x.id) FROM country_versions x WHERE x.iso3 = q.country AND x.id "
        "<= ?2) WHERE d.run = ?1 ORDER BY d.id";
    static const char *const names[5] = {"dsa", "terminal", "cost", "psc",
                                         "charge"};
    tf_stmt *st = tf_db_prepare(v->fund->db, sql, v->diag);
    long listed = 0;
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, r->id);
    tf_stmt_int(st, 2, max_country);
    while ((rc = tf_stmt_step(st)) > 0) {
        int64_t id = tf_col_int(st, 0), got[5], want[5];
        const char *ref = tf_col_text(st, 1);
        char a[32];
        int tier = 0;
        if (tf_col_null(st, 10)) {
            if (listed++ < 20)
                report(v,
                       "decisions row %" PRId64 " (%s): no classification of "
                       "%s was in force when run %" PRId64 " decided it",
                       id, ref, tf_col_text(st, 9), r->id);
        } else {
            tf_country c;
            memset(&c, 0, sizeof(c));
            c.ldc_from = tf_col_text(st, 11);
            c.ldc_until = tf_col_text(st, 12);
            c.developing = (int)tf_col_int(st, 13);
            tier = tf_country_tier(&c, r->start);
            if ((tier ? tf_col_null(st, 2) || tf_col_int(st, 2) != tier
                      : !tf_col_null(st, 2)) &&
                listed++ < 20) {
                tier_text(a, sizeof(a), st, 2);
                report(v,
                       "decisions row %" PRId64 " (%s): tier %s, but "
                       "country_versions row %" PRId64 " of %s, in force "
                       "when run %" PRId64 " decided it, gives %d on %s",
                       id, ref, a, tf_col_int(st, 10), tf_col_text(st, 9),
                       r->id, tier, r->start);
            }
        }
        if (tf_col_null(st, 3))
            continue;
        for (int k = 0; k < 5; k++)
            got[k] = tf_col_int(st, 4 + k);
        want[1] = r->s.terminal;
        if (tf_trip_charge(&r->s, tf_col_int(st, 3), r->psc_rate, &want[0],
                           &want[2], &want[3], &want[4])) {
            if (listed++ < 20)
                report(v,
                       "decisions row %" PRId64 " (%s): its figures overflow",
                       id, ref);
            continue;
        }
        for (int k = 0; k < 5; k++)
            if (got[k] != want[k]) {
                if (listed++ < 20)
                    report(v,
                           "decisions row %" PRId64 " (%s): %s is %" PRId64
                           " but fare %" PRId64 ", session %s and psc_rate "
                           "%s give %" PRId64,
                           id, ref, names[k], got[k], tf_col_int(st, 3),
                           r->session, r->psc_rate, want[k]);
                break;
            }
    }
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    tf_stmt_reset(st);
    if (listed > 20)
        report(v, "decisions of run %" PRId64 ": and %ld more, not listed",
               r->id, listed - 20);
    return TF_OK;
}

tf_error tf_verify_runs(tf_fund *fund,
                        void (*fn)(void *ctx, int64_t entry, const char *what),
                        void *ctx, long *failures, tf_diag *diag)
{
    static const char sql[] =
        "SELECT r.id, r.session, r.date, r.options, r.share, r.psc_rate, "
        "r.reserve_rate, r.quota_ldc, r.quota_developing, s.start, s.days, "
        "s.extra_days, s.dsa, s.terminal FROM runs r JOIN sessions s ON s.id "
        "= r.session WHERE r.psc_rate IS NOT NULL ORDER BY r.id";
    struct tf_event_map map;
    struct rv v;
    tf_stmt *st;
    tf_error err;
    int rc, own;

    memset(&v, 0, sizeof(v));
    v.fund = fund;
    v.fn = fn;
    v.ctx = ctx;
    v.diag = diag;
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if ((err = tf_event_map_load(fund->db, &map, 0, diag)))
        goto done;
    /* The runs first, then each checked: the checks prepare statements of
     * their own. */
    {
        struct run_row *runs = NULL;
        size_t n = 0, cap = 0;
        if (!(st = tf_db_prepare(fund->db, sql, diag))) {
            err = TF_ERR_DB;
            goto release;
        }
        while ((rc = tf_stmt_step(st)) > 0) {
            struct run_row *r;
            if (n == cap) {
                size_t ncap = cap ? 2 * cap : 16;
                struct run_row *grown = realloc(runs, ncap * sizeof(*grown));
                if (!grown) {
                    tf_stmt_reset(st);
                    free(runs);
                    err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
                    goto release;
                }
                runs = grown;
                cap = ncap;
            }
            r = &runs[n++];
            memset(r, 0, sizeof(*r));
            r->id = tf_col_int(st, 0);
            snprintf(r->session, sizeof(r->session), "%s", tf_col_text(st, 1));
            snprintf(r->date, sizeof(r->date), "%s", tf_col_text(st, 2));
            snprintf(r->options, sizeof(r->options), "%s", tf_col_text(st, 3));
            snprintf(r->share, sizeof(r->share), "%s", tf_col_text(st, 4));
            snprintf(r->psc_rate, sizeof(r->psc_rate), "%s",
                     tf_col_text(st, 5));
            snprintf(r->reserve_rate, sizeof(r->reserve_rate), "%s",
                     tf_col_text(st, 6) ? tf_col_text(st, 6) : "");
            r->quota_ldc = tf_col_int(st, 7);
            r->quota_developing = tf_col_int(st, 8);
            snprintf(r->start, sizeof(r->start), "%s", tf_col_text(st, 9));
            r->s.id = r->session;
            r->s.start = r->start;
            r->s.days = tf_col_int(st, 10);
            r->s.extra_days = tf_col_int(st, 11);
            r->s.dsa = tf_col_int(st, 12);
            r->s.terminal = tf_col_int(st, 13);
        }
        if (rc < 0)
            err = tf_stmt_error(st, diag);
        else
            tf_stmt_reset(st);
        for (size_t i = 0; !err && i < n; i++) {
            const tf_event *e = tf_event_map_find(&map, C_RUNS, runs[i].id);
            /* A run no event wrote is named by the coverage checks. */
            if (!e)
                continue;
            if (!(err = check_settings(
                      &v, &runs[i],
                      tf_event_map_upto(&map, C_SETTINGS, e->seq))) &&
                !(err =
                      check_share(&v, &runs[i],
                                  tf_event_map_upto(&map, C_SESSIONS, e->seq))))
                err = check_decisions(
                    &v, &runs[i], tf_event_map_upto(&map, C_COUNTRIES, e->seq));
        }
        free(runs);
    }
release:
    tf_event_map_release(&map);
done:
    tf_db_read_end(fund->db, own);
    if (failures)
        *failures = v.failures;
    return err;
}
