/* SPDX-License-Identifier: MIT */
/*
 * Allocation runs after the fact (DESIGN.md section 10): the list of a
 * fund's runs with their date, actor, options, envelope and counts, and
 * the undo of a run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "books/audit_internal.h"
#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "grants/grants.h"
#include "tfund/allocate.h"
#include "tfund/audit.h"
#include "tfund/date.h"

/* Index of runs in tf_covered. */
enum { C_RUNS = 10 };

/* ---- The list of runs ------------------------------------------------- */

struct run_list {
    tf_run_info *v;
    size_t n, cap;
    tf_arena text;
    int oom;
};

static const char *keep(struct run_list *l, const char *s)
{
    const char *d = tf_arena_dup(&l->text, s ? s : "");

    if (!d)
        l->oom = 1;
    return d ? d : "";
}

static tf_error load_runs(tf_fund *fund, const char *session,
                          struct run_list *l, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.id, r.session, r.date, coalesce(r.actor, ''), r.options, "
        "coalesce(r.basis, ''), r.share, (SELECT s.step || ' ' || s.date || "
        "' ' || s.actor FROM run_steps s WHERE s.run = r.id ORDER BY s.id "
        "DESC LIMIT 1) FROM runs r WHERE ?1 IS NULL OR r.session = ?1 ORDER "
        "BY r.id",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, session);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_run_info *r;
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 16;
            tf_run_info *grown = realloc(l->v, cap * sizeof(*grown));
            if (!grown) {
                l->oom = 1;
                break;
            }
            l->v = grown;
            l->cap = cap;
        }
        r = &l->v[l->n++];
        memset(r, 0, sizeof(*r));
        r->id = tf_col_int(st, 0);
        r->session = keep(l, tf_col_text(st, 1));
        r->date = keep(l, tf_col_text(st, 2));
        r->actor = keep(l, tf_col_text(st, 3));
        r->options = keep(l, tf_col_text(st, 4));
        r->basis = keep(l, tf_col_text(st, 5));
        r->share = keep(l, tf_col_text(st, 6));
        r->last_step = keep(l, tf_col_text(st, 7));
    }
    tf_stmt_reset(st);
    if (l->oom)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return rc < 0 ? tf_stmt_error(st, diag) : TF_OK;
}

/* The envelope and the counts of run r. */
static tf_error run_figures(tf_fund *fund, tf_run_info *r, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT pool, envelope FROM envelopes WHERE "
                                "run = ?1",
                                diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, r->id);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0) {
            r->envelope[k] = tf_col_int(st, 1);
            r->has_envelope = 1;
        }
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    st = tf_db_prepare(fund->db,
                       "SELECT status, count(*), coalesce(sum(charge), 0) "
                       "FROM decisions WHERE run = ?1 GROUP BY status",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, r->id);
    while ((rc = tf_stmt_step(st)) > 0) {
        const char *status = tf_col_text(st, 0);
        long n = (long)tf_col_int(st, 1);
        r->considered += n;
        if (tf_status_is(status, TF_STATUS_FUNDED)) {
            r->funded += n;
            r->funded_charge = tf_col_int(st, 2);
        } else if (tf_status_is(status, TF_STATUS_WAITLISTED)) {
            r->waitlisted += n;
        } else {
            r->rejected += n;
        }
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_run_each(tf_fund *fund, const char *session,
                     int (*fn)(void *ctx, const tf_run_info *r), void *ctx,
                     tf_diag *diag)
{
    struct tf_event_map map;
    struct run_list l;
    tf_error err;
    int own, mapped = 0;

    memset(&l, 0, sizeof(l));
    memset(&map, 0, sizeof(map));
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if (session) {
        tf_stmt *st;
        if ((err = tf_db_get(fund->db, "SELECT 1 FROM sessions WHERE id = ?1",
                             session, &st, diag)))
            goto done;
        if (!st) {
            err = tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown session '%s'",
                              session);
            goto done;
        }
        tf_stmt_reset(st);
    }
    if ((err = load_runs(fund, session, &l, diag)))
        goto done;
    for (size_t i = 0; !err && i < l.n; i++) {
        tf_run_info *r = &l.v[i];
        err = run_figures(fund, r, diag);
        /* A run recorded before runs named their actor: its event's. */
        if (!err && !*r->actor) {
            const tf_event *e;
            if (!mapped && !(err = tf_event_map_load(fund->db, &map, 0, diag)))
                mapped = 1;
            if (!err && (e = tf_event_map_find(&map, C_RUNS, r->id)))
                r->actor = keep(&l, e->actor);
        }
    }
    if (!err && l.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !err && i < l.n; i++)
        if (fn(ctx, &l.v[i]))
            break;
done:
    if (mapped)
        tf_event_map_release(&map);
    tf_db_read_end(fund->db, own);
    tf_arena_release(&l.text);
    free(l.v);
    return err;
}

/* ---- Undo --------------------------------------------------------------- */

struct undone {
    char ref[128], status[16];
};

tf_error tf_allocation_undo(tf_fund *fund, int64_t run, const char *date,
                            tf_undo_result *res, tf_diag *diag)
{
    char session[80], run_date[16], step[16] = "", memo[256], note[64];
    struct undone *v = NULL;
    size_t n = 0, cap = 0, disbursed = 0;
    tf_stmt *st;
    tf_error err;
    int rc;

    memset(res, 0, sizeof(*res));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    st = tf_db_prepare(fund->db,
                       "SELECT r.session, r.date, coalesce((SELECT s.step FROM "
                       "run_steps s WHERE s.run = r.id ORDER BY s.id DESC "
                       "LIMIT 1), '') FROM runs r WHERE r.id = ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "no allocation run %" PRId64,
                           run);
    }
    snprintf(session, sizeof(session), "%s", tf_col_text(st, 0));
    snprintf(run_date, sizeof(run_date), "%s", tf_col_text(st, 1));
    snprintf(step, sizeof(step), "%s", tf_col_text(st, 2));
    tf_stmt_reset(st);
    snprintf(res->session, sizeof(res->session), "%s", session);
    if (*step && strcmp(step, "approved"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " of %s is %s: only a run in force "
                           "is undone",
                           run, session, step);
    if (strcmp(date, run_date) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " is dated %s: its undo cannot be "
                           "dated earlier (%s)",
                           run, run_date, date);
    if ((err = tf_ledger_check_date(fund, date, "an undo", diag)))
        return err;

    /* The requests whose state is still this run's decision. */
    st = tf_db_prepare(fund->db,
                       "SELECT ref, status FROM requests WHERE run = ?1 ORDER "
                       "BY ref",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    while ((rc = tf_stmt_step(st)) > 0) {
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            struct undone *grown = realloc(v, ncap * sizeof(*grown));
            if (!grown) {
                tf_stmt_reset(st);
                free(v);
                return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            }
            v = grown;
            cap = ncap;
        }
        snprintf(v[n].ref, sizeof(v[n].ref), "%s", tf_col_text(st, 0));
        snprintf(v[n].status, sizeof(v[n].status), "%s", tf_col_text(st, 1));
        if (tf_status_is(v[n].status, TF_STATUS_DISBURSED))
            disbursed++;
        n++;
    }
    tf_stmt_reset(st);
    if (rc < 0) {
        free(v);
        return tf_stmt_error(st, diag);
    }
    if (disbursed) {
        char names[600] = "";
        size_t len = 0, shown = 0;
        for (size_t i = 0; i < n; i++) {
            if (!tf_status_is(v[i].status, TF_STATUS_DISBURSED))
                continue;
            if (shown == 10) {
                snprintf(names + len, sizeof(names) - len, " and %zu more",
                         disbursed - shown);
                break;
            }
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
                                    shown ? ", " : "", v[i].ref);
            shown++;
            if (len >= sizeof(names))
                break;
        }
        free(v);
        return tf_diag_set(diag, TF_ERR_RULE,
                           "run %" PRId64 " cannot be undone: %zu of its "
                           "grants have since been disbursed (%s); undisburse "
                           "them first",
                           run, disbursed, names);
    }
    snprintf(memo, sizeof(memo), "release: allocation run %" PRId64 " undone",
             run);
    snprintf(note, sizeof(note), "run %" PRId64 " undone", run);
    for (size_t i = 0; !err && i < n; i++) {
        int funded = tf_status_is(v[i].status, TF_STATUS_FUNDED);
        if (!funded && !tf_status_is(v[i].status, TF_STATUS_WAITLISTED) &&
            !tf_status_is(v[i].status, TF_STATUS_REJECTED))
            continue; /* cancelled since: it stays so */
        if (funded) {
            int64_t released = 0;
            char line[sizeof(memo) + sizeof(v[i].ref) + 4];
            snprintf(line, sizeof(line), "%s: %s", memo, v[i].ref);
            if ((err = tf_grant_release(fund, v[i].ref, date, line, &released,
                                        diag)))
                break;
            res->released += released;
            res->funded++;
        } else {
            res->other++;
        }
        if (!(err = tf_grant_set_pending(fund, v[i].ref, diag)))
            err = tf_grant_decision(fund, 0, v[i].ref, date, TF_STATUS_PENDING,
                                    "", -1, note, diag);
    }
    free(v);
    if (err)
        return err;
    st = tf_db_prepare(fund->db,
                       "INSERT INTO run_steps (run, step, date, actor, note) "
                       "VALUES (?1, 'undone', ?2, ?3, '')",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, run);
    tf_stmt_text(st, 2, date);
    tf_stmt_text(st, 3,
                 tf_audit_actor(fund) ? tf_audit_actor(fund) : "unknown");
    return tf_stmt_run(st, diag);
}

/* ---- A run's decisions -------------------------------------------------- */

tf_error tf_run_decisions(tf_fund *fund, int64_t run,
                          int (*fn)(void *ctx, const tf_request *r), void *ctx,
                          tf_diag *diag)
{
    /* A proposal's decisions until it is approved, then the run's own
     * (the same, dated on the approval) with their draws. */
    static const char sql[] =
        "SELECT p.request, q.session, q.country, c.region_group, p.status, "
        "p.reason, coalesce(p.tier, 0), p.fare_base, p.dsa, p.terminal, "
        "p.cost, p.psc, p.charge, p.draws, r.date FROM proposals p JOIN runs "
        "r ON r.id = p.run JOIN requests q ON q.ref = p.request JOIN "
        "countries c ON c.iso3 = q.country WHERE p.run = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM decisions e WHERE e.run = ?1) UNION ALL SELECT "
        "d.request, q.session, q.country, c.region_group, d.status, "
        "d.reason, coalesce(d.tier, 0), d.fare_base, d.dsa, d.terminal, "
        "d.cost, d.psc, d.charge, coalesce((SELECT group_concat(x.pool || "
        "':' || x.amount, ';') FROM (SELECT w.pool, w.amount FROM draws w "
        "WHERE w.request = d.request AND w.run = d.run ORDER BY w.seq) x), "
        "''), d.date FROM decisions d JOIN requests q ON q.ref = d.request "
        "JOIN countries c ON c.iso3 = q.country WHERE d.run = ?1 ORDER BY 1";
    tf_stmt *st;
    tf_error err;
    int rc, own;

    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    st = tf_db_prepare(fund->db, "SELECT 1 FROM runs WHERE id = ?1", diag);
    if (!st) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_int(st, 1, run);
    rc = tf_stmt_step(st);
    tf_stmt_reset(st);
    if (rc <= 0) {
        err = rc < 0 ? tf_stmt_error(st, diag)
                     : tf_diag_set(diag, TF_ERR_NOTFOUND,
                                   "no allocation run %" PRId64, run);
        goto done;
    }
    if (!(st = tf_db_prepare(fund->db, sql, diag))) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_int(st, 1, run);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_request r;
        char pools[TF_POOL_COUNT][16];
        const char *p = tf_col_text(st, 13);
        memset(&r, 0, sizeof(r));
        r.ref = tf_col_text(st, 0);
        r.session = tf_col_text(st, 1);
        r.country = tf_col_text(st, 2);
        r.region_group = tf_col_text(st, 3);
        r.status = tf_col_text(st, 4);
        r.reason = tf_col_text(st, 5);
        r.tier = (int)tf_col_int(st, 6);
        r.has_figures = !tf_col_null(st, 12);
        r.fare = tf_col_int(st, 7);
        r.dsa = tf_col_int(st, 8);
        r.terminal = tf_col_int(st, 9);
        r.cost = tf_col_int(st, 10);
        r.psc = tf_col_int(st, 11);
        r.charge = tf_col_int(st, 12);
        r.decided = tf_col_text(st, 14);
        while (p && *p && r.ndraws < TF_POOL_COUNT) {
            const char *colon = strchr(p, ':');
            size_t n;
            int k;
            if (!colon || (n = (size_t)(colon - p)) >= sizeof(pools[0]))
                break;
            memcpy(pools[r.ndraws], p, n);
            pools[r.ndraws][n] = '\0';
            if ((k = tf_pool_find(pools[r.ndraws])) >= 0) {
                r.draws[r.ndraws].pool = tf_pools[k];
                r.draws[r.ndraws].amount = strtoll(colon + 1, NULL, 10);
                r.ndraws++;
            }
            p = strchr(colon, ';');
            p = p ? p + 1 : NULL;
        }
        if (fn(ctx, &r))
            break;
    }
    if (rc < 0)
        err = tf_stmt_error(st, diag);
    tf_stmt_reset(st);
done:
    tf_db_read_end(fund->db, own);
    return err;
}

/* ---- A run's steps ------------------------------------------------------ */

tf_error tf_run_steps(tf_fund *fund, int64_t run,
                      int (*fn)(void *ctx, const tf_run_step *s), void *ctx,
                      tf_diag *diag)
{
    tf_stmt *st;
    tf_error err = TF_OK;
    int rc, own;

    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    st = tf_db_prepare(fund->db, "SELECT 1 FROM runs WHERE id = ?1", diag);
    if (!st) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_int(st, 1, run);
    rc = tf_stmt_step(st);
    tf_stmt_reset(st);
    if (rc <= 0) {
        err = rc < 0 ? tf_stmt_error(st, diag)
                     : tf_diag_set(diag, TF_ERR_NOTFOUND,
                                   "no allocation run %" PRId64, run);
        goto done;
    }
    st = tf_db_prepare(fund->db,
                       "SELECT step, date, actor, coalesce(note, '') FROM "
                       "run_steps WHERE run = ?1 ORDER BY id",
                       diag);
    if (!st) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_int(st, 1, run);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_run_step s;
        s.step = tf_col_text(st, 0);
        s.date = tf_col_text(st, 1);
        s.actor = tf_col_text(st, 2);
        s.note = tf_col_text(st, 3);
        if (fn(ctx, &s))
            break;
    }
    if (rc < 0)
        err = tf_stmt_error(st, diag);
    tf_stmt_reset(st);
done:
    tf_db_read_end(fund->db, own);
    return err;
}
