/* SPDX-License-Identifier: MIT */
/*
 * Attribution of every outflow of every pool to the donors whose money
 * was in it (DESIGN.md 5 and 9.10): per pool, a donor's weight is its
 * receipts into the pool plus what transfers carried in for it; the pool's
 * outflows are split in one pro-rata over those weights; each transfer's
 * leg out of a pool is split on its own over the source pool's weights
 * and carried into the receiving pool.
 *
 * The interest the fund earned is the fund's own receipt: it takes part
 * under its own party (tf_interest_party, "fund-interest"), a weight in
 * its pool like a donor's receipts, so that every donor's figures stay
 * exact whatever the interest. At closing its part of a pool's remaining
 * balance goes to the pool's donors, pro-rata to their weights.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "close/attribution.h"
#include "tfund/surplus.h"

struct weights {
    size_t ndonors;
    char **donors; /* sorted by id: the pro-rata tie order; the fund's
                      interest among them under its party */
    long interest; /* the index of the interest's party */
    int64_t *weight[TF_POOL_COUNT];
    int64_t *carried[TF_POOL_COUNT];
    int64_t *outflow[TF_POOL_COUNT];
    int64_t total_out[TF_POOL_COUNT];
};

static void weights_release(struct weights *w)
{
    for (size_t i = 0; i < w->ndonors; i++)
        free(w->donors[i]);
    free(w->donors);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        free(w->weight[k]);
        free(w->carried[k]);
        free(w->outflow[k]);
    }
    memset(w, 0, sizeof(*w));
}

static long donor_index(const struct weights *w, const char *id)
{
    return tf_sorted_index(w->donors, w->ndonors, id);
}

/* Splits amount over pool k's weights into parts (ndonors long). */
static tf_error split(const struct weights *w, int k, int64_t amount,
                      int64_t *parts, tf_diag *diag)
{
    int64_t total = 0;

    memset(parts, 0, w->ndonors * sizeof(*parts));
    if (amount == 0)
        return TF_OK;
    for (size_t i = 0; i < w->ndonors; i++)
        total += w->weight[k][i];
    if (total <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "pool '%s' paid out money no donor put in",
                           tf_pools[k]);
    if (tf_money_prorata(parts, amount, w->weight[k], w->ndonors))
        return tf_diag_set(diag, TF_ERR_NOMEM, "cannot split %" PRId64, amount);
    return TF_OK;
}

/* Adds id to w->donors (kept sorted); -1 when out of memory. */
static long add_party(struct weights *w, const char *id)
{
    size_t i = w->ndonors;
    char **grown = realloc(w->donors, (w->ndonors + 1) * sizeof(char *));
    char *copy = strdup(id);

    if (grown)
        w->donors = grown;
    if (!grown || !copy) {
        free(copy);
        return -1;
    }
    while (i > 0 && strcmp(w->donors[i - 1], id) > 0) {
        w->donors[i] = w->donors[i - 1];
        i--;
    }
    w->donors[i] = copy;
    w->ndonors++;
    return (long)i;
}

/* The donors and the interest's party, sorted by id (the pro-rata tie
 * order), and room for their weights in every pool. */
static tf_error load_donors(tf_fund *fund, struct weights *w, tf_diag *diag)
{
    tf_stmt *st;
    int rc;

    st = tf_db_prepare(fund->db, "SELECT id FROM donors ORDER BY id", diag);
    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0) {
        char **grown = realloc(w->donors, (w->ndonors + 1) * sizeof(char *));
        if (!grown || !(grown[w->ndonors] = strdup(tf_col_text(st, 0)))) {
            if (grown)
                w->donors = grown;
            tf_stmt_reset(st);
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        }
        w->donors = grown;
        w->ndonors++;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    /* The fund's interest, beside the donors (no donor may take its id:
     * verify names one that did, and the two would be one party). */
    w->interest = donor_index(w, tf_interest_party());
    if (w->interest < 0 &&
        (w->interest = add_party(w, tf_interest_party())) < 0)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        size_t n = w->ndonors ? w->ndonors : 1;
        w->weight[k] = calloc(n, sizeof(int64_t));
        w->carried[k] = calloc(n, sizeof(int64_t));
        w->outflow[k] = calloc(n, sizeof(int64_t));
        if (!w->weight[k] || !w->carried[k] || !w->outflow[k])
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    return TF_OK;
}

/* Receipts per donor and pool, net of receipts reversed by then. */
static tf_error add_receipts(tf_fund *fund, const char *as_of,
                             struct weights *w, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT p.pool, p.donor, sum(r.base_amount) FROM receipts r JOIN "
        "pledges p ON p.ref = r.pledge JOIN entries e ON e.id = r.entry "
        "WHERE (?1 IS NULL OR e.date <= ?1) AND NOT EXISTS (SELECT 1 FROM "
        "entries x WHERE x.reverses = r.entry AND (?1 IS NULL OR x.date <= "
        "?1)) GROUP BY p.pool, p.donor",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        long d = donor_index(w, tf_col_text(st, 1));
        if (k >= 0 && d >= 0)
            w->weight[k][d] += tf_col_int(st, 2);
    }
    return tf_stmt_done(st, rc, diag);
}

/* Transfers carry their attribution, leg by leg, in entry order; only
 * pools later in tf_pools order receive (surplus goes to prep). tin gets
 * what each pool received; fn (may be NULL) each leg as it is split. */
static tf_error
carry_transfers(tf_fund *fund, const char *as_of, struct weights *w,
                int64_t *parts, int64_t tin[TF_POOL_COUNT],
                int (*fn)(void *ctx, const tf_attribution_leg *l), void *ctx,
                tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT t.from_pool, t.to_pool, t.amount, "
                                "e.date FROM transfers t JOIN entries e ON "
                                "e.id = t.entry WHERE ?1 IS NULL OR e.date "
                                "<= ?1 ORDER BY t.entry, t.from_pool, "
                                "t.to_pool",
                                diag);
    tf_error err;
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0) {
        int from = tf_pool_find(tf_col_text(st, 0)),
            to = tf_pool_find(tf_col_text(st, 1));
        int64_t amount = tf_col_int(st, 2);
        if (from < 0 || to < 0)
            continue;
        if ((err = split(w, from, amount, parts, diag))) {
            tf_stmt_reset(st);
            return err;
        }
        for (size_t d = 0; d < w->ndonors; d++) {
            w->carried[to][d] += parts[d];
            w->weight[to][d] += parts[d];
        }
        tin[to] += amount;
        if (fn) {
            tf_attribution_leg l = {tf_col_text(st, 3),
                                    from,
                                    to,
                                    amount,
                                    w->ndonors,
                                    (const char *const *)w->donors,
                                    parts};
            if (fn(ctx, &l))
                break;
        }
    }
    return tf_stmt_done(st, rc, diag);
}

/* Builds the weights and outflows of every pool as of date, handing fn
 * (may be NULL) each transfer's leg. */
static tf_error compute_legs(tf_fund *fund, const char *as_of,
                             struct weights *w,
                             int (*fn)(void *ctx, const tf_attribution_leg *l),
                             void *ctx, tf_diag *diag)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    int64_t tin[TF_POOL_COUNT] = {0}, *parts = NULL;
    tf_error err;

    memset(w, 0, sizeof(*w));
    if ((err = load_donors(fund, w, diag)))
        return err;
    parts = calloc(w->ndonors ? w->ndonors : 1, sizeof(int64_t));
    if (!parts)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if ((err = tf_ledger_pools(fund, as_of, figs, diag)) ||
        (err = add_receipts(fund, as_of, w, diag)))
        goto done;
    /* The interest each pool earned is the weight of the fund's own
     * party there, before any transfer is split. */
    for (int k = 0; k < TF_POOL_COUNT; k++)
        w->weight[k][w->interest] += figs[k].interest;
    if ((err = carry_transfers(fund, as_of, w, parts, tin, fn, ctx, diag)))
        goto done;
    /* Outflows = receipts + interest + transfers in - cash (DESIGN.md
     * 9.8), split in one pro-rata per pool. */
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        w->total_out[k] =
            figs[k].receipts + figs[k].interest + tin[k] - figs[k].cash;
        if ((err = split(w, k, w->total_out[k], w->outflow[k], diag)))
            goto done;
    }
done:
    free(parts);
    return err;
}

static tf_error compute(tf_fund *fund, const char *as_of, struct weights *w,
                        tf_diag *diag)
{
    return compute_legs(fund, as_of, w, NULL, NULL, diag);
}

tf_error tf_attribution_legs(tf_fund *fund, const char *as_of,
                             int (*fn)(void *ctx, const tf_attribution_leg *l),
                             void *ctx, tf_diag *diag)
{
    struct weights w;
    tf_error err = compute_legs(fund, as_of, &w, fn, ctx, diag);

    weights_release(&w);
    return err;
}

tf_error tf_attribution_each(tf_fund *fund, const char *as_of,
                             const char *donor,
                             int (*fn)(void *ctx, const tf_attribution *a),
                             void *ctx, tf_diag *diag)
{
    struct weights w;
    tf_error err = compute(fund, as_of, &w, diag);

    for (int k = 0; !err && k < TF_POOL_COUNT; k++)
        for (size_t d = 0; d < w.ndonors; d++) {
            tf_attribution a;
            if (!w.weight[k][d] || (donor && strcmp(donor, w.donors[d])))
                continue;
            a.donor = w.donors[d];
            a.pool = tf_pools[k];
            a.receipts = w.weight[k][d];
            a.carried = w.carried[k][d];
            a.outflows = w.outflow[k][d];
            a.balance = a.receipts - a.outflows;
            if (fn(ctx, &a)) {
                k = TF_POOL_COUNT;
                break;
            }
        }
    weights_release(&w);
    return err;
}

/* One disbursement while its postings are summed per pool. */
struct grant {
    int64_t id;
    char *ref, *session, *country, *delegate;
    int tier;
    int64_t taken[TF_POOL_COUNT];
    int seen[TF_POOL_COUNT];
};

static void grant_release(struct grant *g)
{
    free(g->ref);
    free(g->session);
    free(g->country);
    free(g->delegate);
    memset(g, 0, sizeof(*g));
}

/* Hands fn each donor's share of each pool's part of grant gr, pools in
 * the order of their names; sets *stop when fn asks to. */
static tf_error grant_shares(const struct weights *w, const struct grant *gr,
                             const char *donor, int64_t *parts,
                             int (*fn)(void *ctx, const tf_grant_share *g),
                             void *ctx, int *stop, tf_diag *diag)
{
    int order[TF_POOL_COUNT];
    tf_error err;

    /* tf_pools by name, bytewise, as SQL's ORDER BY would give them. */
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int i = k;
        while (i > 0 && strcmp(tf_pools[order[i - 1]], tf_pools[k]) > 0) {
            order[i] = order[i - 1];
            i--;
        }
        order[i] = k;
    }
    for (int i = 0; i < TF_POOL_COUNT && !*stop; i++) {
        int k = order[i];
        tf_grant_share g;
        if (!gr->seen[k])
            continue;
        g.ref = gr->ref;
        g.session = gr->session;
        g.country = gr->country;
        g.delegate = gr->delegate;
        g.tier = gr->tier;
        g.pool = tf_pools[k];
        g.charge = gr->taken[k];
        if ((err = split(w, k, g.charge, parts, diag)))
            return err;
        for (size_t d = 0; d < w->ndonors && !*stop; d++) {
            if (!parts[d] || (donor && strcmp(donor, w->donors[d])))
                continue;
            g.donor = w->donors[d];
            g.share = parts[d];
            *stop = fn(ctx, &g);
        }
    }
    return TF_OK;
}

tf_error tf_grant_shares(tf_fund *fund, const char *as_of, const char *donor,
                         int (*fn)(void *ctx, const tf_grant_share *g),
                         void *ctx, tf_diag *diag)
{
    struct weights w;
    struct grant gr;
    int64_t *parts = NULL;
    tf_stmt *st;
    tf_error err = compute(fund, as_of, &w, diag);
    int rc = 0, stop = 0;

    memset(&gr, 0, sizeof(gr));
    if (err)
        goto done;
    parts = calloc(w.ndonors ? w.ndonors : 1, sizeof(int64_t));
    if (!parts) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* What each disbursement took from each pool: its cash and PSC. The
     * postings come grouped by disbursement, in reference order (one
     * disbursement per reference), and are summed per pool here rather
     * than sorted twice by SQL. */
    st = tf_db_prepare(
        fund->db,
        "SELECT e.id, e.ref, q.session, q.country, coalesce(a.delegate, "
        "q.delegate), coalesce(q.tier, 0), p.pool, p.amount FROM entries e "
        "JOIN requests q ON q.ref = e.ref" TF_SQL_AMENDMENT(
            "a", "q") "JOIN postings p ON p.entry = e.id WHERE e.kind "
                      "= " TF_SQL_KIND_DISBURSEMENT " AND " TF_SQL_NET_CASH(
                          "p.account") " AND (?1 IS NULL OR e.date <= ?1) AND "
                                       "NOT EXISTS "
                                       "(SELECT 1 FROM entries r WHERE "
                                       "r.reverses = e.id AND (?1 IS NULL OR "
                                       "r.date <= ?1)) ORDER BY e.ref, e.id",
        diag);
    if (!st) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_text(st, 1, as_of);
    while (!stop && (rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 6));
        if (!gr.ref || tf_col_int(st, 0) != gr.id) {
            if (gr.ref && (err = grant_shares(&w, &gr, donor, parts, fn, ctx,
                                              &stop, diag)))
                break;
            if (stop)
                break;
            grant_release(&gr);
            gr.id = tf_col_int(st, 0);
            gr.ref = strdup(tf_col_text(st, 1));
            gr.session = strdup(tf_col_text(st, 2));
            gr.country = strdup(tf_col_text(st, 3));
            gr.delegate = strdup(tf_col_text(st, 4));
            gr.tier = (int)tf_col_int(st, 5);
            if (!gr.ref || !gr.session || !gr.country || !gr.delegate) {
                err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
                break;
            }
        }
        if (k < 0)
            continue;
        if (tf_money_add(&gr.taken[k], gr.taken[k], -tf_col_int(st, 7))) {
            err = tf_diag_set(diag, TF_ERR_INPUT, "disbursement '%s' overflows",
                              gr.ref);
            break;
        }
        gr.seen[k] = 1;
    }
    tf_stmt_reset(st);
    if (!err && !stop && rc < 0)
        err = tf_stmt_error(st, diag);
    if (!err && !stop && rc == 0 && gr.ref)
        err = grant_shares(&w, &gr, donor, parts, fn, ctx, &stop, diag);
done:
    grant_release(&gr);
    free(parts);
    weights_release(&w);
    return err;
}

/* The interest's part of pool k's remaining balance, parts[w->interest],
 * goes to the pool's donors pro-rata to their weights there (largest
 * remainder, ties to the lower id): the fund's own money is returned to
 * its contributors with their balances. */
static tf_error interest_to_donors(tf_fund *fund, struct weights *w, int k,
                                   int64_t *parts, tf_diag *diag)
{
    int64_t *donors = calloc(w->ndonors, sizeof(int64_t));
    int64_t *share = calloc(w->ndonors, sizeof(int64_t));
    int64_t total = 0;
    tf_error err = TF_OK;

    if (!donors || !share) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t d = 0; d < w->ndonors; d++)
        if ((long)d != w->interest && w->weight[k][d] > 0)
            total += donors[d] = w->weight[k][d];
    if (total <= 0) {
        char a[TF_AMOUNT_BUFSZ];
        tf_fund_fmt(fund, a, parts[w->interest], 1);
        err = tf_diag_set(diag, TF_ERR_RULE,
                          "pool '%s' holds interest (%s of what remains) but "
                          "no donor's money to refund it with",
                          tf_pools[k], a);
        goto done;
    }
    if (tf_money_prorata(share, parts[w->interest], donors, w->ndonors)) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "cannot split the interest");
        goto done;
    }
    for (size_t d = 0; d < w->ndonors; d++)
        parts[d] += share[d];
    parts[w->interest] = 0;
done:
    free(donors);
    free(share);
    return err;
}

tf_error tf_attribution_refunds(tf_fund *fund, const char *as_of, int k,
                                int64_t remaining,
                                int (*fn)(void *ctx, const char *donor,
                                          int64_t amount),
                                void *ctx, tf_diag *diag)
{
    struct weights w;
    int64_t *parts = NULL;
    tf_error err = compute(fund, as_of, &w, diag);

    if (!err) {
        parts = calloc(w.ndonors ? w.ndonors : 1, sizeof(int64_t));
        if (!parts)
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    if (!err)
        err = split(&w, k, remaining, parts, diag);
    if (!err && parts[w.interest])
        err = interest_to_donors(fund, &w, k, parts, diag);
    for (size_t d = 0; !err && d < w.ndonors; d++)
        if (parts[d] && fn(ctx, w.donors[d], parts[d]))
            break;
    free(parts);
    weights_release(&w);
    return err;
}

/* What the outflows of an account paid for (the chart says), and for a
 * travel account its session. */
static tf_outflow outflow_of(const char *account, const char **session)
{
    int a = tf_account_find(account, session);

    if (a < 0)
        return TF_OUTFLOW_NONE;
    if (tf_account_info((tf_account)a)->party != TF_PARTY_SESSION)
        *session = NULL;
    return tf_account_info((tf_account)a)->outflow;
}

/* A pool's outflow accounts with their totals, in account order. */
struct cats {
    struct cat {
        char account[160];
        int64_t total;
    } * v;
    size_t n;
};

/* The outflow accounts of pool k as of as_of (NULL: now, from the running
 * balances). */
static tf_error load_outflows(tf_fund *fund, const char *as_of, int k,
                              struct cats *c, tf_diag *diag)
{
    tf_error err = TF_OK;
    tf_stmt *st;
    int rc;

    c->n = 0;
    if (as_of)
        st = tf_db_prepare(
            fund->db,
            "SELECT p.account, sum(p.amount) FROM postings p JOIN "
            "entries e ON e.id = p.entry WHERE p.pool = ?2 AND e.date <= "
            "?1 AND " TF_SQL_OUTFLOW(
                "p.account") " GROUP BY p.account HAVING sum(p.amount) "
                             "<> 0 ORDER BY p.account",
            diag);
    else
        st = tf_db_prepare(
            fund->db,
            "SELECT account, balance FROM balances WHERE pool = ?2 AND "
            "?1 IS NULL AND " TF_SQL_OUTFLOW(
                "account") " AND balance <> 0 ORDER BY account",
            diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    tf_stmt_text(st, 2, tf_pools[k]);
    while ((rc = tf_stmt_step(st)) > 0) {
        struct cat *grown = realloc(c->v, (c->n + 1) * sizeof(*c->v));
        if (!grown) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            break;
        }
        c->v = grown;
        snprintf(c->v[c->n].account, sizeof(c->v[c->n].account), "%s",
                 tf_col_text(st, 0));
        c->v[c->n].total = tf_col_int(st, 1);
        c->n++;
    }
    tf_stmt_reset(st);
    if (!err && rc < 0)
        err = tf_stmt_error(st, diag);
    return err;
}

/* Splits each donor's attributed outflow of pool k over the pool's outflow
 * accounts, pro-rata to their totals, and hands fn each use. */
static tf_error share_uses(const struct weights *w, int k, const char *donor,
                           const struct cats *c,
                           int (*fn)(void *ctx, const tf_use *u), void *ctx,
                           int *stop, tf_diag *diag)
{
    int64_t *ctot = calloc(c->n, sizeof(int64_t));
    int64_t *parts = calloc(c->n, sizeof(int64_t));
    int64_t sum = 0;
    tf_error err = TF_OK;

    if (!ctot || !parts) {
        free(ctot);
        free(parts);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++) {
        ctot[i] = c->v[i].total > 0 ? c->v[i].total : 0;
        sum += ctot[i];
    }
    for (size_t d = 0; d < w->ndonors && !*stop && sum > 0; d++) {
        if (!w->outflow[k][d] || (donor && strcmp(donor, w->donors[d])))
            continue;
        if (tf_money_prorata(parts, w->outflow[k][d], ctot, c->n)) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "cannot split");
            break;
        }
        for (size_t i = 0; i < c->n && !*stop; i++) {
            tf_use u;
            if (!parts[i])
                continue;
            u.donor = w->donors[d];
            u.pool = tf_pools[k];
            u.outflow = outflow_of(c->v[i].account, &u.session);
            u.amount = parts[i];
            if (u.outflow == TF_OUTFLOW_NONE)
                continue;
            u.category = tf_outflow_name(u.outflow);
            *stop = fn(ctx, &u);
        }
    }
    free(ctot);
    free(parts);
    return err;
}

tf_error tf_attribution_uses(tf_fund *fund, const char *as_of,
                             const char *donor,
                             int (*fn)(void *ctx, const tf_use *u), void *ctx,
                             tf_diag *diag)
{
    struct weights w;
    struct cats c = {NULL, 0};
    tf_error err = compute(fund, as_of, &w, diag);
    int stop = 0;

    /* As of a date past the last entry, the sums are the running
     * balances: no pass over every posting of each pool. */
    if (!err)
        err = tf_ledger_as_of(fund, &as_of, diag);
    for (int k = 0; !err && !stop && k < TF_POOL_COUNT; k++)
        if (!(err = load_outflows(fund, as_of, k, &c, diag)) && c.n)
            err = share_uses(&w, k, donor, &c, fn, ctx, &stop, diag);
    free(c.v);
    weights_release(&w);
    return err;
}
