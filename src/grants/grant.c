/* SPDX-License-Identifier: MIT */
/*
 * The life of a travel grant after the run that funded it (DESIGN.md 4.7
 * and 9.7): disbursement of the actual cost, with an overrun drawn from
 * what the tier's pools have available, and cancellation, each with its
 * entry and its decision recorded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "grants/grants.h"
#include "tfund/allocate.h"
#include "tfund/audit.h"
#include "tfund/date.h"
#include "tfund/users.h"

/* The pools that may pay for a tier, in draw order. */
static const int tier1_pools[] = {TF_POOL_LDC_TRAVEL, TF_POOL_TRAVEL,
                                  TF_POOL_UNRESTRICTED, -1};
static const int tier2_pools[] = {TF_POOL_TRAVEL, TF_POOL_UNRESTRICTED, -1};

const int *tf_tier_pools(int tier)
{
    return tier == 1 ? tier1_pools : tier2_pools;
}

tf_error tf_grant_decision(tf_fund *fund, int64_t run, const char *ref,
                           const char *date, tf_status status,
                           const char *reason, int64_t charge, const char *note,
                           tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "INSERT INTO decisions (run, request, date, "
                                "status, reason, charge, note) VALUES (?1, "
                                "?2, ?3, ?4, ?5, ?6, ?7)",
                                diag);

    if (!st)
        return TF_ERR_DB;
    if (run)
        tf_stmt_int(st, 1, run);
    tf_stmt_text(st, 2, ref);
    tf_stmt_text(st, 3, date);
    tf_stmt_text(st, 4, tf_status_name(status));
    tf_stmt_text(st, 5, reason);
    if (charge >= 0)
        tf_stmt_int(st, 6, charge);
    tf_stmt_text(st, 7, note ? note : "");
    return tf_stmt_run(st, diag);
}

/* A disbursed or cancelled request has no waitlist reason (DESIGN.md
 * 9.3); its figures and draws stay. */
tf_error tf_grant_set_status(tf_fund *fund, const char *ref, tf_status status,
                             tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, "UPDATE requests SET status = ?2, reason = '' WHERE ref = ?1",
        diag);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    tf_stmt_text(st, 2, tf_status_name(status));
    return tf_stmt_run(st, diag);
}

/* Back to pending: no reason, no tier, run or figures (the state a
 * pending request has; verify re-derives it so). */
tf_error tf_grant_set_pending(tf_fund *fund, const char *ref, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "UPDATE requests SET status = " TF_SQL_PENDING ", reason = '', tier = "
        "NULL, run = NULL, decided = NULL, fare_base = NULL, dsa = NULL, "
        "terminal = NULL, cost = NULL, psc = NULL, charge = NULL WHERE ref = "
        "?1",
        diag);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    return tf_stmt_run(st, diag);
}

/*
 * A dated command sees the books as of its date, so one dated before
 * later commitments could spend money those already hold. The rule is the
 * one every commit keeps (tf_pools_guard: no pool left below zero today,
 * and below where it was); a grant's step applies it at once, naming
 * itself and its date, so that it is refused before anything is printed.
 */
tf_error tf_pools_check_today(tf_fund *fund, const char *what, const char *date,
                              tf_diag *diag)
{
    tf_pools_guard_what(fund, "%s dated %s", what, date);
    return tf_pools_guard(fund, diag);
}

int tf_grant_entry_ref(const tf_entry *e, char *ref, size_t size)
{
    int kind = tf_kind_find(e->kind);
    char *at;

    if (!e->ref || e->reverses ||
        (kind != TF_KIND_COMMITMENT && kind != TF_KIND_RELEASE &&
         kind != TF_KIND_DISBURSEMENT))
        return 0;
    snprintf(ref, size, "%s", e->ref);
    /* The commitments are "REF@pool" (add_commitments). */
    if (kind == TF_KIND_COMMITMENT && (at = strrchr(ref, '@')))
        *at = '\0';
    return 1;
}

/* ---- Disbursement and cancellation ---------------------------------- */

struct grant {
    char ref[128], session[80], status[16], delegate[256], country[8];
    char decided[16];
    int tier, ndraws;
    int64_t run;
    int draw_pool[TF_POOL_COUNT];
    int64_t draw_amt[TF_POOL_COUNT];
    int64_t charge;
};

/* A request with its current details and the draws of its current
 * funding. */
static tf_error load_grant(tf_fund *fund, const char *ref, struct grant *g,
                           tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int rc;

    memset(g, 0, sizeof(*g));
    if ((err = tf_db_get(fund->db,
                         "SELECT q.session, q.status, coalesce(q.tier, 0), "
                         "coalesce(a.delegate, q.delegate), q.country, "
                         "coalesce(q.charge, 0), coalesce(q.decided, ''), "
                         "coalesce(q.run, 0) FROM requests q" TF_SQL_AMENDMENT(
                             "a", "q") "WHERE q.ref = ?1",
                         ref, &st, diag)))
        return err;
    if (!st)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown request '%s'", ref);
    snprintf(g->ref, sizeof(g->ref), "%s", ref);
    snprintf(g->session, sizeof(g->session), "%s", tf_col_text(st, 0));
    snprintf(g->status, sizeof(g->status), "%s", tf_col_text(st, 1));
    g->tier = (int)tf_col_int(st, 2);
    snprintf(g->delegate, sizeof(g->delegate), "%s", tf_col_text(st, 3));
    snprintf(g->country, sizeof(g->country), "%s", tf_col_text(st, 4));
    g->charge = tf_col_int(st, 5);
    snprintf(g->decided, sizeof(g->decided), "%s", tf_col_text(st, 6));
    g->run = tf_col_int(st, 7);
    tf_stmt_reset(st);

    st = tf_db_prepare(
        fund->db,
        "SELECT d.pool, d.amount FROM draws d JOIN requests q "
        "ON q.ref = d.request WHERE d.request = ?1 AND " TF_SQL_CURRENT_DRAW(
            "d", "q") " ORDER BY d.seq",
        diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    while ((rc = tf_stmt_step(st)) > 0 && g->ndraws < TF_POOL_COUNT) {
        g->draw_pool[g->ndraws] = tf_pool_find(tf_col_text(st, 0));
        g->draw_amt[g->ndraws] = tf_col_int(st, 1);
        g->ndraws++;
    }
    return tf_stmt_done(st, rc, diag);
}

/* The request's disbursement in force (not reversed): its entry id and
 * date; *id 0 when there is none. */
static tf_error current_disbursement(tf_fund *fund, const char *ref,
                                     int64_t *id, char *date, size_t size,
                                     tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT e.id, e.date FROM entries e WHERE e.kind "
        "= " TF_SQL_KIND_DISBURSEMENT
        " AND e.ref = ?1 AND NOT EXISTS (SELECT 1 "
        "FROM entries r WHERE r.reverses = e.id) ORDER BY e.id DESC LIMIT 1",
        diag);
    int rc;

    *id = 0;
    date[0] = '\0';
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0) {
        *id = tf_col_int(st, 0);
        snprintf(date, size, "%s", tf_col_text(st, 1));
    }
    tf_stmt_reset(st);
    return TF_OK;
}

/* The actual cost in the base currency: the recorded cost row (with
 * currency NULL), converted at its own date, or amount in currency
 * converted at the disbursement's date. *date NULL takes the cost row's
 * date (DESIGN.md section 10), or today with an amount. */
static tf_error actual_cost(tf_fund *fund, const char *ref, const char **date,
                            char *today, const char *currency, int64_t amount,
                            int64_t *actual, tf_diag *diag)
{
    char cost_date[16], cost_cur[8];
    tf_error err;

    if (currency && amount < 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "an actual cost may not be negative");
    if (!currency) {
        tf_stmt *st;
        err = tf_db_get(
            fund->db, "SELECT date, amount, currency FROM costs WHERE ref = ?1",
            ref, &st, diag);
        if (err)
            return err;
        if (!st)
            return tf_diag_set(diag, TF_ERR_NOTFOUND,
                               "no actual cost for '%s': import costs or give "
                               "--amount and --currency",
                               ref);
        snprintf(cost_date, sizeof(cost_date), "%s", tf_col_text(st, 0));
        amount = tf_col_int(st, 1);
        snprintf(cost_cur, sizeof(cost_cur), "%s", tf_col_text(st, 2));
        tf_stmt_reset(st);
        if (!*date) {
            snprintf(today, 16, "%s", cost_date);
            *date = today;
        }
    } else {
        if (!*date) {
            tf_date_today(today);
            *date = today;
        }
        snprintf(cost_date, sizeof(cost_date), "%s", *date);
        snprintf(cost_cur, sizeof(cost_cur), "%s", currency);
    }
    if ((err = tf_amount_bound("actual cost", amount, TF_TRIP_MAX,
                               tf_currency_find(cost_cur), diag)))
        return err;
    return tf_fund_to_base(fund, actual, amount, cost_cur, cost_date, NULL,
                           diag);
}

/* How a disbursement's charge is laid on the pools: consumption chunks in
 * order, each (pool, amount), and the commitment liquidated per pool. */
struct layout {
    int chunk_pool[2 * TF_POOL_COUNT];
    int64_t chunk_amt[2 * TF_POOL_COUNT];
    int nchunks;
    int64_t committed, liquid[TF_POOL_COUNT];
};

/* Lays charge along the grant's draws, in order, each in full first; an
 * overrun is taken from what the tier's pools have available on date, in
 * draw order (TF_ERR_RULE when they have too little). */
static tf_error lay_charge(tf_fund *fund, const struct grant *g,
                           const char *date, int64_t charge, struct layout *l,
                           tf_diag *diag)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    const int *pools = tf_tier_pools(g->tier ? g->tier : 2);
    int64_t left = charge, have = 0;
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    tf_error err;

    memset(l, 0, sizeof(*l));
    for (int i = 0; i < g->ndraws; i++) {
        int64_t take = g->draw_amt[i] < left ? g->draw_amt[i] : left;
        l->committed += g->draw_amt[i];
        l->liquid[g->draw_pool[i]] += g->draw_amt[i];
        if (take > 0) {
            l->chunk_pool[l->nchunks] = g->draw_pool[i];
            l->chunk_amt[l->nchunks++] = take;
            left -= take;
        }
    }
    if (left <= 0)
        return TF_OK;
    if ((err = tf_ledger_pools(fund, date, figs, diag)))
        return err;
    for (int i = 0; pools[i] >= 0; i++)
        if (figs[pools[i]].available > 0)
            have += figs[pools[i]].available;
    if (have < left)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the actual charge of '%s' exceeds its "
                           "commitment by %s and its pools have only %s "
                           "available: disbursement refused",
                           g->ref, tf_fund_fmt(fund, a, left, 1),
                           tf_fund_fmt(fund, b, have, 1));
    for (int i = 0; pools[i] >= 0 && left > 0; i++) {
        int64_t av = figs[pools[i]].available;
        int64_t take = av < left ? av : left;
        if (take <= 0)
            continue;
        l->chunk_pool[l->nchunks] = pools[i];
        l->chunk_amt[l->nchunks++] = take;
        left -= take;
    }
    return TF_OK;
}

/* Posts the disbursement entry: along the chunks, the travel expense
 * first and the PSC after, so that each pool's expense and PSC are whole
 * parts of its share; and the commitment liquidated. */
static tf_error post_disbursement(tf_fund *fund, const struct grant *g,
                                  const char *date, int64_t actual,
                                  const struct layout *l, int64_t *id,
                                  tf_diag *diag)
{
    int64_t expense[TF_POOL_COUNT] = {0}, pscs[TF_POOL_COUNT] = {0};
    int64_t erem = actual;
    char memo[512];
    tf_draft d;
    tf_error err;

    for (int i = 0; i < l->nchunks; i++) {
        int64_t e = l->chunk_amt[i] < erem ? l->chunk_amt[i] : erem;
        expense[l->chunk_pool[i]] += e;
        pscs[l->chunk_pool[i]] += l->chunk_amt[i] - e;
        erem -= e;
    }
    snprintf(memo, sizeof(memo), "disbursement: travel of %s (%s) to %s",
             g->delegate, g->country, g->session);
    tf_draft_start(&d, date, TF_KIND_DISBURSEMENT, memo, g->ref);
    tf_recipe_disbursement(&d, g->session, expense, pscs, l->liquid);
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, id, diag);
    tf_draft_release(&d);
    return err;
}

/* The actual charge may exceed the committed by at most cost_tolerance
 * (a share: 0.5 = 50%, the default) unless forced: a cost typed ten times
 * too large is caught before it is paid. */
static tf_error check_tolerance(tf_fund *fund, const struct grant *g,
                                int64_t charge, int64_t committed, int force,
                                tf_diag *diag)
{
    char tol[64] = "0.5", a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    int64_t limit;
    tf_diag sub;
    tf_error err;

    if (force || charge <= committed)
        return TF_OK;
    tf_diag_clear(&sub);
    err = tf_setting_get(fund, "cost_tolerance", tol, sizeof(tol), &sub);
    if (err && err != TF_ERR_NOTFOUND)
        return tf_diag_set(diag, err, "%s", sub.msg);
    if (err == TF_ERR_NOTFOUND)
        snprintf(tol, sizeof(tol), "0.5");
    if (tf_money_mul_decimal(&limit, committed, tol, TF_ROUND_HALF_EVEN) ||
        tf_money_add(&limit, limit, committed))
        return tf_diag_set(diag, TF_ERR_INPUT, "the tolerance overflows");
    if (charge <= limit)
        return TF_OK;
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "the actual charge of '%s' (%s with PSC) exceeds its "
                       "commitment (%s) by more than cost_tolerance %s: check "
                       "the cost, or give --force",
                       g->ref, tf_fund_fmt(fund, a, charge, 1),
                       tf_fund_fmt(fund, b, committed, 1), tol);
}

/* Records a payment request for what disburse was given (its checks
 * passed): one a request at a time. */
static tf_error request_payment(tf_fund *fund, const char *ref,
                                const tf_disburse_options *o, const char *date,
                                tf_disburse_result *res, tf_diag *diag)
{
    static const char open_sql[] =
        "SELECT p.id FROM payments p WHERE p.request = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM payment_steps s WHERE s.payment = p.id AND s.step IN "
        "('approved', " TF_SQL_Q(TF_N_REJECTED) "))";
    const char *actor = tf_audit_actor(fund);
    tf_stmt *st;
    tf_error err;

    if ((err = tf_db_get(fund->db, open_sql, ref, &st, diag)))
        return err;
    if (st) {
        int64_t other = tf_col_int(st, 0);
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_RULE,
                           "payment request %" PRId64 " for '%s' awaits its "
                           "approval: approve or reject it first",
                           other, ref);
    }
    st = tf_db_prepare(fund->db,
                       "INSERT INTO payments (request, date, amount, currency, "
                       "force, correct, actor) VALUES (?1, ?2, ?3, ?4, ?5, "
                       "?6, ?7)",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    tf_stmt_text(st, 2, date);
    if (o->currency) {
        tf_stmt_int(st, 3, o->amount);
        tf_stmt_text(st, 4, o->currency);
    } else {
        tf_stmt_null(st, 3);
        tf_stmt_null(st, 4);
    }
    tf_stmt_int(st, 5, o->force ? 1 : 0);
    tf_stmt_int(st, 6, o->correct ? 1 : 0);
    tf_stmt_text(st, 7, actor ? actor : "unknown");
    if ((err = tf_stmt_run(st, diag)))
        return err;
    if (!(st = tf_db_prepare(fund->db, "SELECT max(id) FROM payments", diag)))
        return TF_ERR_DB;
    if (tf_stmt_step(st) <= 0)
        return tf_stmt_error(st, diag);
    res->payment = tf_col_int(st, 0);
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_disburse_ex(tf_fund *fund, const char *ref,
                        const tf_disburse_options *o, tf_disburse_result *res,
                        tf_diag *diag)
{
    struct grant g;
    struct layout l;
    char psc_rate[64], note[256], today[16], done_on[16];
    const char *date = o->date;
    int64_t actual, psc, charge, committed = 0, old = 0;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if (date && tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_grant(fund, ref, &g, diag)))
        return err;
    if (o->correct) {
        if (!tf_status_is(g.status, TF_STATUS_DISBURSED))
            return tf_diag_set(diag, TF_ERR_RULE,
                               "request '%s' is %s, not disbursed: only a "
                               "disbursement can be corrected",
                               ref, g.status);
        if (!o->currency)
            return tf_diag_set(diag, TF_ERR_USAGE,
                               "--correct needs --amount and --currency");
    } else if (!tf_status_is(g.status, TF_STATUS_FUNDED)) {
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' is %s, not funded: only a funded "
                           "grant is disbursed",
                           ref, g.status);
    }
    if ((err = actual_cost(fund, ref, &date, today, o->currency, o->amount,
                           &actual, diag)))
        return err;
    snprintf(res->date, sizeof(res->date), "%s", date);
    if ((err = tf_ledger_check_date(fund, date, "a disbursement", diag)))
        return err;
    if (strcmp(date, g.decided) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' was funded on %s: it cannot be "
                           "disbursed on an earlier date (%s)",
                           ref, g.decided, date);
    if (o->correct) {
        if ((err = current_disbursement(fund, ref, &old, done_on,
                                        sizeof(done_on), diag)))
            return err;
        if (!old)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "request '%s' has no disbursement in force",
                               ref);
        if (strcmp(date, done_on) < 0)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "'%s' was disbursed on %s: its correction "
                               "cannot be dated earlier (%s)",
                               ref, done_on, date);
    }
    if ((err = tf_setting_get(fund, "psc_rate", psc_rate, sizeof(psc_rate),
                              diag)))
        return err;
    if (tf_money_mul_decimal(&psc, actual, psc_rate, TF_ROUND_HALF_EVEN) ||
        tf_money_add(&charge, actual, psc))
        return tf_diag_set(diag, TF_ERR_INPUT, "the cost overflows");
    for (int i = 0; i < g.ndraws; i++)
        committed += g.draw_amt[i];
    if ((err = check_tolerance(fund, &g, charge, committed, o->force, diag)))
        return err;
    if (!o->payment) {
        tf_approvals mode;
        if ((err = tf_fund_approvals(fund, &mode, diag)))
            return err;
        /* With approvals on, a payment request; posted when approved. */
        if (mode != TF_APPROVALS_NONE)
            return request_payment(fund, ref, o, date, res, diag);
    }
    /* A correction first reverses the disbursement in force, which gives
     * the commitment back, then pays the new cost as a first disbursement
     * would. */
    if (old) {
        char memo[256];
        snprintf(memo, sizeof(memo), "correction of the disbursement of %s",
                 ref);
        if ((err = tf_ledger_reverse_grant(fund, old, date, memo,
                                           &res->reversed, diag)))
            return err;
    }
    if ((err = lay_charge(fund, &g, date, charge, &l, diag)) ||
        (err =
             post_disbursement(fund, &g, date, actual, &l, &res->entry, diag)))
        return err;
    if ((err = tf_pools_check_today(
             fund, old ? "a corrected disbursement" : "a disbursement", date,
             diag)))
        return err;
    if (!old &&
        (err = tf_grant_set_status(fund, ref, TF_STATUS_DISBURSED, diag)))
        return err;
    {
        char a[TF_AMOUNT_BUFSZ], p[TF_AMOUNT_BUFSZ];

        tf_fund_fmt(fund, a, actual, 1);
        tf_fund_fmt(fund, p, psc, 1);
        if (old)
            snprintf(note, sizeof(note),
                     "actual %s + PSC %s (correction: entry %" PRId64
                     " reversed)",
                     a, p, old);
        else
            snprintf(note, sizeof(note), "actual %s + PSC %s", a, p);
    }
    if ((err = tf_grant_decision(fund, 0, ref, date, TF_STATUS_DISBURSED, "",
                                 charge, note, diag)))
        return err;
    res->actual = actual;
    res->psc = psc;
    res->charge = charge;
    res->committed = l.committed;
    res->released = l.committed > charge ? l.committed - charge : 0;
    res->overrun = charge > l.committed ? charge - l.committed : 0;
    return TF_OK;
}

tf_error tf_disburse(tf_fund *fund, const char *ref, const char *date,
                     const char *currency, int64_t amount,
                     tf_disburse_result *res, tf_diag *diag)
{
    tf_disburse_options o;

    memset(&o, 0, sizeof(o));
    o.date = date;
    o.currency = currency;
    o.amount = amount;
    return tf_disburse_ex(fund, ref, &o, res, diag);
}

tf_error tf_undisburse(tf_fund *fund, const char *ref, const char *date,
                       tf_disburse_result *res, tf_diag *diag)
{
    struct grant g;
    tf_pool_figures figs[TF_POOL_COUNT];
    char done_on[16], note[128], a[TF_AMOUNT_BUFSZ], memo[256];
    int64_t old = 0;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    snprintf(res->date, sizeof(res->date), "%s", date);
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_grant(fund, ref, &g, diag)))
        return err;
    if (!tf_status_is(g.status, TF_STATUS_DISBURSED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' is %s, not disbursed: there is "
                           "nothing to undo",
                           ref, g.status);
    if ((err = tf_ledger_check_date(fund, date, "an undisbursement", diag)) ||
        (err = current_disbursement(fund, ref, &old, done_on, sizeof(done_on),
                                    diag)))
        return err;
    if (!old)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' has no disbursement in force", ref);
    if (strcmp(date, done_on) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "'%s' was disbursed on %s: undoing it cannot be "
                           "dated earlier (%s)",
                           ref, done_on, date);
    /* The reversal takes the payment back and re-establishes the
     * commitment; the pools must hold it again, on its date and today. */
    snprintf(memo, sizeof(memo), "disbursement of %s undone: back to funded",
             ref);
    if ((err = tf_ledger_reverse_grant(fund, old, date, memo, &res->reversed,
                                       diag)))
        return err;
    if ((err = tf_ledger_pools(fund, date, figs, diag)))
        return err;
    for (int i = 0; i < g.ndraws; i++) {
        int k = g.draw_pool[i];
        res->committed += g.draw_amt[i];
        if (figs[k].available < 0)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "undoing the disbursement of '%s' would leave "
                               "pool '%s' at %s available on %s: the pools "
                               "cannot hold its commitment again",
                               ref, tf_pools[k],
                               tf_fund_fmt(fund, a, figs[k].available, 1),
                               date);
    }
    if ((err = tf_pools_check_today(fund, "undoing a disbursement", date,
                                    diag)) ||
        (err = tf_grant_set_status(fund, ref, TF_STATUS_FUNDED, diag)))
        return err;
    snprintf(note, sizeof(note),
             "disbursement undone: entry %" PRId64 " reversed", old);
    return tf_grant_decision(fund, 0, ref, date, TF_STATUS_FUNDED, "", g.charge,
                             note, diag);
}

tf_error tf_cancel(tf_fund *fund, const char *ref, const char *date,
                   int64_t *released, tf_diag *diag)
{
    struct grant g;
    char memo[512];
    tf_error err;

    *released = 0;
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_grant(fund, ref, &g, diag)))
        return err;
    if (tf_status_is(g.status, TF_STATUS_FUNDED) && strcmp(date, g.decided) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' was funded on %s: it cannot be "
                           "cancelled on an earlier date (%s)",
                           ref, g.decided, date);
    if (!tf_status_is(g.status, TF_STATUS_FUNDED) &&
        !tf_status_is(g.status, TF_STATUS_PENDING) &&
        !tf_status_is(g.status, TF_STATUS_WAITLISTED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' is %s: only a pending, waitlisted "
                           "or funded request can be cancelled",
                           ref, g.status);
    if ((err = tf_ledger_check_date(fund, date, "a cancellation", diag)))
        return err;
    if (tf_status_is(g.status, TF_STATUS_FUNDED)) {
        snprintf(memo, sizeof(memo),
                 "release: travel of %s (%s) to %s cancelled", g.delegate,
                 g.country, g.session);
        if ((err = tf_grant_release(fund, ref, date, memo, released, diag)))
            return err;
    }
    if ((err = tf_grant_set_status(fund, ref, TF_STATUS_CANCELLED, diag)))
        return err;
    return tf_grant_decision(fund, 0, ref, date, TF_STATUS_CANCELLED, "", -1,
                             NULL, diag);
}

tf_error tf_grant_release(tf_fund *fund, const char *ref, const char *date,
                          const char *memo, int64_t *released, tf_diag *diag)
{
    struct grant g;
    tf_draft d;
    tf_error err;

    *released = 0;
    if ((err = load_grant(fund, ref, &g, diag)))
        return err;
    tf_draft_start(&d, date, TF_KIND_RELEASE, memo, ref);
    for (int i = 0; i < g.ndraws; i++) {
        tf_recipe_release(&d, (tf_pool)g.draw_pool[i], g.draw_amt[i]);
        *released += g.draw_amt[i];
    }
    if (!(err = tf_draft_check(&d, diag)))
        err = tf_ledger_post(fund, &d.entry, NULL, diag);
    tf_draft_release(&d);
    return err;
}

tf_error tf_reinstate(tf_fund *fund, const char *ref, const char *date,
                      tf_diag *diag)
{
    struct grant g;
    tf_stmt *st;
    tf_error err;
    char since[16] = "";

    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)) ||
        (err = load_grant(fund, ref, &g, diag)))
        return err;
    if (!tf_status_is(g.status, TF_STATUS_CANCELLED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' is %s: only a cancelled request is "
                           "reinstated",
                           ref, g.status);
    if ((err = tf_ledger_check_date(fund, date, "a reinstatement", diag)) ||
        (err = tf_db_get(fund->db,
                         "SELECT date FROM decisions WHERE request = ?1 ORDER "
                         "BY id DESC LIMIT 1",
                         ref, &st, diag)))
        return err;
    if (st) {
        snprintf(since, sizeof(since), "%s", tf_col_text(st, 0));
        tf_stmt_reset(st);
    }
    if (strcmp(date, since) < 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "request '%s' was cancelled on %s: it cannot be "
                           "reinstated on an earlier date (%s)",
                           ref, since, date);
    if ((err = tf_grant_set_pending(fund, ref, diag)))
        return err;
    return tf_grant_decision(fund, 0, ref, date, TF_STATUS_PENDING, "", -1,
                             "reinstated", diag);
}

/* ---- Payment requests (DESIGN.md section 11) --------------------------- */

#define PAYMENT_COLS                                                           \
    "SELECT p.id, p.request, coalesce(p.date, ''), p.currency, "               \
    "coalesce(p.amount, 0), p.force, p.correct, p.actor, coalesce(s.step, "    \
    "'requested'), coalesce(s.date, ''), coalesce(s.actor, ''), "              \
    "coalesce(s.note, ''), coalesce(s.entry, 0), coalesce((SELECT c.actor "    \
    "FROM payment_steps c WHERE c.payment = p.id AND c.step = 'certified' "    \
    "ORDER BY c.id DESC LIMIT 1), '') FROM payments p LEFT JOIN "              \
    "payment_steps s ON s.id = (SELECT max(x.id) FROM payment_steps x "        \
    "WHERE x.payment = p.id) "

static void read_payment(tf_stmt *st, tf_payment *p)
{
    memset(p, 0, sizeof(*p));
    p->id = tf_col_int(st, 0);
    p->request = tf_col_text(st, 1);
    p->date = tf_col_text(st, 2);
    p->currency = tf_col_null(st, 3) ? NULL : tf_col_text(st, 3);
    p->amount = tf_col_int(st, 4);
    p->force = (int)tf_col_int(st, 5);
    p->correct = (int)tf_col_int(st, 6);
    p->actor = tf_col_text(st, 7);
    p->state = tf_col_text(st, 8);
    p->step_date = tf_col_text(st, 9);
    p->step_actor = tf_col_text(st, 10);
    p->note = tf_col_text(st, 11);
    p->entry = tf_col_int(st, 12);
}

tf_error tf_payment_each(tf_fund *fund, const char *ref,
                         int (*fn)(void *ctx, const tf_payment *p), void *ctx,
                         tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        PAYMENT_COLS "WHERE ?1 IS NULL OR p.request = ?1 ORDER BY p.id", diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_payment p;
        read_payment(st, &p);
        if (fn(ctx, &p))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

struct open_payment {
    int64_t id;
    char request[128], date[16], currency[8], actor[256], state[16];
    char certifier[256];
    int64_t amount;
    int has_currency, force, correct;
};

/* A payment request that awaits a step, and whether actor may take it. */
static tf_error payment_step_check(tf_fund *fund, int64_t id, const char *date,
                                   const char *what, struct open_payment *p,
                                   tf_diag *diag)
{
    const char *actor = tf_audit_actor(fund);
    tf_stmt *st;
    tf_error err;
    int rc;

    memset(p, 0, sizeof(*p));
    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    if ((err = tf_fund_check_open(fund, diag)))
        return err;
    if (!(st = tf_db_prepare(fund->db, PAYMENT_COLS "WHERE p.id = ?1", diag)))
        return TF_ERR_DB;
    tf_stmt_int(st, 1, id);
    if ((rc = tf_stmt_step(st)) < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "no payment request %" PRId64,
                           id);
    }
    p->id = id;
    snprintf(p->request, sizeof(p->request), "%s", tf_col_text(st, 1));
    snprintf(p->date, sizeof(p->date), "%s", tf_col_text(st, 2));
    p->has_currency = !tf_col_null(st, 3);
    snprintf(p->currency, sizeof(p->currency), "%s",
             p->has_currency ? tf_col_text(st, 3) : "");
    p->amount = tf_col_int(st, 4);
    p->force = (int)tf_col_int(st, 5);
    p->correct = (int)tf_col_int(st, 6);
    snprintf(p->actor, sizeof(p->actor), "%s", tf_col_text(st, 7));
    snprintf(p->state, sizeof(p->state), "%s", tf_col_text(st, 8));
    snprintf(p->certifier, sizeof(p->certifier), "%s", tf_col_text(st, 13));
    tf_stmt_reset(st);
    if (strcmp(p->state, "requested") && strcmp(p->state, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "payment request %" PRId64 " is %s: only one that "
                           "awaits its approval is %s",
                           id, p->state, what);
    if (actor && !strcmp(actor, p->actor) && strcmp(what, TF_STEP_REJECTED))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "%s requested payment %" PRId64 ": it must be %s "
                           "by someone else",
                           actor, id, what);
    return tf_ledger_check_date(fund, date, "an approval step", diag);
}

static tf_error payment_step(tf_fund *fund, int64_t id, const char *step,
                             const char *date, const char *note, int64_t entry,
                             tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "INSERT INTO payment_steps (payment, step, "
                                "date, actor, note, entry) VALUES (?1, ?2, "
                                "?3, ?4, ?5, ?6)",
                                diag);
    const char *actor = tf_audit_actor(fund);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, id);
    tf_stmt_text(st, 2, step);
    tf_stmt_text(st, 3, date);
    tf_stmt_text(st, 4, actor ? actor : "unknown");
    tf_stmt_text(st, 5, note);
    if (entry)
        tf_stmt_int(st, 6, entry);
    else
        tf_stmt_null(st, 6);
    return tf_stmt_run(st, diag);
}

tf_error tf_payment_certify(tf_fund *fund, int64_t id, const char *date,
                            tf_diag *diag)
{
    struct open_payment p;
    tf_approvals mode;
    tf_error err;

    if ((err = payment_step_check(fund, id, date, "certified", &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    if (mode != TF_APPROVALS_CERTIFY)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "approvals are '%s': a payment is approved without "
                           "being certified",
                           mode == TF_APPROVALS_APPROVE ? "approve" : "none");
    if (!strcmp(p.state, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "payment request %" PRId64 " is already certified "
                           "(by %s)",
                           id, p.certifier);
    return payment_step(fund, id, "certified", date, "", 0, diag);
}

static int note_roles(void *ctx, const tf_user *u)
{
    *(unsigned *)ctx = u->disabled ? 0u : u->roles;
    return 1;
}

tf_error tf_grant_may_reject(tf_fund *fund, const char *what,
                             int awaits_approval, tf_diag *diag)
{
    const char *actor = tf_audit_actor(fund);
    unsigned need = awaits_approval ? TF_ROLE_APPROVING : TF_ROLE_CERTIFYING;
    unsigned roles = 0;
    long users;
    tf_diag sub;
    tf_error err;

    if ((err = tf_users_count(fund, &users, diag)))
        return err;
    if (users == 0)
        return TF_OK; /* a fund of one person: every role is its user's */
    tf_diag_clear(&sub);
    if (actor && (err = tf_user_each(fund, actor, note_roles, &roles, &sub)) &&
        err != TF_ERR_NOTFOUND)
        return tf_diag_set(diag, err, "%s", sub.msg);
    if (roles & need)
        return TF_OK;
    return tf_diag_set(diag, TF_ERR_RULE,
                       "%s awaits its %s: only a user with the %s role may "
                       "reject it now, which %s does not have",
                       what, awaits_approval ? "approval" : "certification",
                       tf_role_name(need), actor ? actor : "this user");
}

tf_error tf_payment_reject(tf_fund *fund, int64_t id, const char *date,
                           const char *reason, tf_diag *diag)
{
    struct open_payment p;
    tf_approvals mode;
    char what[64];
    tf_error err;

    if (!reason || !*reason)
        return tf_diag_set(diag, TF_ERR_USAGE, "a rejection needs a reason");

    if ((err =
             payment_step_check(fund, id, date, TF_STEP_REJECTED, &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    snprintf(what, sizeof(what), "payment request %" PRId64, id);
    if ((err = tf_grant_may_reject(fund, what,
                                   mode != TF_APPROVALS_CERTIFY ||
                                       !strcmp(p.state, "certified"),
                                   diag)))
        return err;
    return payment_step(fund, id, TF_STEP_REJECTED, date, reason, 0, diag);
}

tf_error tf_payment_approve(tf_fund *fund, int64_t id, const char *date,
                            tf_disburse_result *res, tf_diag *diag)
{
    const char *actor = tf_audit_actor(fund);
    struct open_payment p;
    tf_disburse_options o;
    tf_approvals mode;
    tf_error err;

    memset(res, 0, sizeof(*res));
    if ((err = payment_step_check(fund, id, date, "approved", &p, diag)) ||
        (err = tf_fund_approvals(fund, &mode, diag)))
        return err;
    if (mode == TF_APPROVALS_CERTIFY && strcmp(p.state, "certified"))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "payment request %" PRId64 " is not certified yet: "
                           "approvals are certify-approve",
                           id);
    if (actor && *p.certifier && !strcmp(actor, p.certifier))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "%s certified payment %" PRId64 ": it must be "
                           "approved by someone else",
                           actor, id);
    /* Posted on the approval's date, as disburse would post it now. */
    memset(&o, 0, sizeof(o));
    o.date = date;
    o.currency = p.has_currency ? p.currency : NULL;
    o.amount = p.amount;
    o.force = p.force;
    o.correct = p.correct;
    o.payment = id;
    if ((err = tf_disburse_ex(fund, p.request, &o, res, diag)))
        return err;
    res->payment = id;
    return payment_step(fund, id, "approved", date, "", res->entry, diag);
}
