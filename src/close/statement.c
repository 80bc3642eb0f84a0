/* SPDX-License-Identifier: MIT */
/*
 * A donor's statement over a period (include/tfund/statement.h,
 * docs/statements.md): its attributed balance at both ends of the period
 * and the movements between them, from the attribution of DESIGN.md 9.10
 * (tf_attribution_each) as of each end, the trial balance (what each pool
 * spent, by category) and the donor's pledges and receipts.
 *
 * The attribution splits every outflow of a pool over the donors'
 * cumulative weights in one pro-rata, and carries each transfer's leg
 * into the receiving pool split on its own; both are reproduced here as
 * the attribution computes them (and checked against it), so that the
 * statement can tell a transfer apart from spending: the part of a
 * transfer a donor sees leave one pool is the part the other pool
 * receives on its behalf.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/fund_internal.h"
#include "close/attribution.h"
#include "tfund/statement.h"
#include "tfund/surplus.h"

/* ---- What a pool's outflows paid for (from the chart) ---------------- */

/* The uses in the order of a statement, then a move between pools. */
enum outflow {
    OUT_TRAVEL,
    OUT_PREP,
    OUT_PSC,
    OUT_REFUNDS,
    OUT_OTHER,
    OUT_TRANSFER, /* transfers out: moved, not used */
    OUT_NONE
};

/* The chart's outflow of each use (OUT_OTHER: none of the chart's). */
static const tf_outflow outflow_books[OUT_TRANSFER] = {
    [OUT_TRAVEL] = TF_OUTFLOW_TRAVEL,
    [OUT_PREP] = TF_OUTFLOW_PREP,
    [OUT_PSC] = TF_OUTFLOW_PSC,
    [OUT_REFUNDS] = TF_OUTFLOW_REFUNDS,
    [OUT_OTHER] = TF_OUTFLOW_NONE};

static const char *outflow_name(enum outflow o)
{
    return o == OUT_OTHER ? TF_STATEMENT_OTHER
                          : tf_outflow_name(outflow_books[o]);
}

/* The accounts whose debits are a pool's outflows (DESIGN.md 9.8: the
 * charges paid, preparation, PSC, refunds and transfers out), as the
 * chart of accounts classifies them; *session gets a travel account's
 * session. */
static enum outflow outflow_of(const char *account, const char **session)
{
    int a = tf_account_find(account, session);

    if (a < 0)
        return OUT_NONE;
    if (tf_account_info((tf_account)a)->party != TF_PARTY_SESSION)
        *session = NULL;
    switch (tf_account_info((tf_account)a)->outflow) {
    case TF_OUTFLOW_TRAVEL:
        return *session ? OUT_TRAVEL : OUT_NONE;
    case TF_OUTFLOW_PREP:
        return OUT_PREP;
    case TF_OUTFLOW_PSC:
        return OUT_PSC;
    case TF_OUTFLOW_REFUNDS:
        return OUT_REFUNDS;
    case TF_OUTFLOW_SURPLUS:
        return OUT_TRANSFER;
    default:
        return OUT_NONE;
    }
}

static int pool_of(const char *name)
{
    return tf_pool_find(name);
}

int64_t tf_statement_total(const int64_t line[TF_POOL_COUNT])
{
    int64_t t = 0;

    for (int k = 0; k < TF_POOL_COUNT; k++)
        t += line[k];
    return t;
}

/* ---- The attribution as of one date --------------------------------- */

/* A pool's spending on one use as of a date. */
struct cat {
    int pool;
    enum outflow kind;
    char *session;
    int64_t total;
};

/* One row of tf_attribution_each, kept until the donors are known. */
struct arow {
    char *donor;
    int pool;
    int64_t receipts, carried, outflows, balance;
};

struct snap {
    const char *date;
    struct arow *rows;
    size_t nrows;
    struct cat *cats;
    size_t ncats;
    int oom;
};

/* Every donor seen at either date, sorted bytewise (the attribution's
 * tie order), and their figures per pool. */
struct book {
    char **ids;
    size_t n;
    /* As of the end (e) and the day before the start (s). */
    int64_t *w[TF_POOL_COUNT], *cin[TF_POOL_COUNT], *out[TF_POOL_COUNT],
        *bal[TF_POOL_COUNT];
    int64_t *s_w[TF_POOL_COUNT], *s_cin[TF_POOL_COUNT], *s_bal[TF_POOL_COUNT];
    int64_t s_total_out[TF_POOL_COUNT];
    /* The transfers' parts at the end's weights: all legs out of a pool,
     * the legs dated before the period, and the period's legs out of and
     * into each pool. */
    int64_t *cout[TF_POOL_COUNT], *cout_pre[TF_POOL_COUNT],
        *moved_out[TF_POOL_COUNT], *moved_in[TF_POOL_COUNT];
};

static void snap_release(struct snap *s)
{
    for (size_t i = 0; i < s->nrows; i++)
        free(s->rows[i].donor);
    free(s->rows);
    for (size_t i = 0; i < s->ncats; i++)
        free(s->cats[i].session);
    free(s->cats);
    memset(s, 0, sizeof(*s));
}

static void book_release(struct book *b)
{
    int64_t **arrays[] = {b->w,        b->cin,       b->out,     b->bal,
                          b->s_w,      b->s_cin,     b->s_bal,   b->cout,
                          b->cout_pre, b->moved_out, b->moved_in};

    for (size_t i = 0; i < b->n; i++)
        free(b->ids[i]);
    free(b->ids);
    for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++)
        for (int k = 0; k < TF_POOL_COUNT; k++)
            free(arrays[a][k]);
    memset(b, 0, sizeof(*b));
}

static int got_attr(void *ctx, const tf_attribution *a)
{
    struct snap *s = ctx;
    struct arow *grown;
    int k = pool_of(a->pool);

    if (k < 0)
        return 0;
    grown = realloc(s->rows, (s->nrows + 1) * sizeof(*grown));
    if (!grown || !(grown[s->nrows].donor = strdup(a->donor))) {
        if (grown)
            s->rows = grown;
        s->oom = 1;
        return 1;
    }
    s->rows = grown;
    grown[s->nrows].pool = k;
    grown[s->nrows].receipts = a->receipts;
    grown[s->nrows].carried = a->carried;
    grown[s->nrows].outflows = a->outflows;
    grown[s->nrows].balance = a->balance;
    s->nrows++;
    return 0;
}

static int got_balance(void *ctx, const char *account, const char *pool,
                       int64_t balance)
{
    struct snap *s = ctx;
    const char *session;
    enum outflow kind = outflow_of(account, &session);
    int k = pool_of(pool);
    struct cat *grown;

    if (kind == OUT_NONE || k < 0)
        return 0;
    grown = realloc(s->cats, (s->ncats + 1) * sizeof(*grown));
    if (!grown) {
        s->oom = 1;
        return 1;
    }
    s->cats = grown;
    grown[s->ncats].pool = k;
    grown[s->ncats].kind = kind;
    grown[s->ncats].total = balance;
    grown[s->ncats].session = session ? strdup(session) : NULL;
    if (session && !grown[s->ncats].session) {
        s->oom = 1;
        return 1;
    }
    s->ncats++;
    return 0;
}

/* The attribution and the pools' spending by category as of s->date. */
static tf_error snap_take(tf_fund *fund, struct snap *s, tf_diag *diag)
{
    tf_error err = tf_attribution_each(fund, s->date, NULL, got_attr, s, diag);

    if (!err && !s->oom)
        err = tf_ledger_each_balance(fund, s->date, got_balance, s, diag);
    if (!err && s->oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return err;
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static long id_index(const struct book *b, const char *id)
{
    return tf_sorted_index(b->ids, b->n, id);
}

static tf_error add_id(struct book *b, size_t *cap, const char *id,
                       tf_diag *diag)
{
    if (b->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 64;
        char **grown = realloc(b->ids, ncap * sizeof(*grown));
        if (!grown)
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        b->ids = grown;
        *cap = ncap;
    }
    if (!(b->ids[b->n] = strdup(id)))
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    b->n++;
    return TF_OK;
}

/* Lays both snapshots out per donor (index in b->ids) and pool. */
static tf_error book_build(struct book *b, const struct snap *end,
                           const struct snap *start, const char *donor,
                           tf_diag *diag)
{
    size_t cap = 0, n = 0;
    tf_error err = add_id(b, &cap, donor, diag);

    for (size_t i = 0; !err && i < end->nrows; i++)
        err = add_id(b, &cap, end->rows[i].donor, diag);
    for (size_t i = 0; !err && i < start->nrows; i++)
        err = add_id(b, &cap, start->rows[i].donor, diag);
    if (err)
        return err;
    qsort(b->ids, b->n, sizeof(*b->ids), cmp_id);
    for (size_t i = 0; i < b->n; i++) {
        if (n && !strcmp(b->ids[n - 1], b->ids[i])) {
            free(b->ids[i]);
            continue;
        }
        b->ids[n++] = b->ids[i];
    }
    b->n = n;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t **arrays[] = {&b->w[k],         &b->cin[k],     &b->out[k],
                              &b->bal[k],       &b->s_w[k],     &b->s_cin[k],
                              &b->s_bal[k],     &b->cout[k],    &b->cout_pre[k],
                              &b->moved_out[k], &b->moved_in[k]};
        for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++)
            if (!(*arrays[a] = calloc(n ? n : 1, sizeof(int64_t))))
                return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < end->nrows; i++) {
        const struct arow *r = &end->rows[i];
        long d = id_index(b, r->donor);
        b->w[r->pool][d] = r->receipts;
        b->cin[r->pool][d] = r->carried;
        b->out[r->pool][d] = r->outflows;
        b->bal[r->pool][d] = r->balance;
    }
    for (size_t i = 0; i < start->nrows; i++) {
        const struct arow *r = &start->rows[i];
        long d = id_index(b, r->donor);
        b->s_w[r->pool][d] = r->receipts;
        b->s_cin[r->pool][d] = r->carried;
        b->s_bal[r->pool][d] = r->balance;
        b->s_total_out[r->pool] += r->outflows;
    }
    return TF_OK;
}

/* Splits amount over weights[0..n) (all zero: nothing to split). */
static tf_error split(int64_t *parts, int64_t amount, const int64_t *weights,
                      size_t n, tf_diag *diag)
{
    int64_t sum = 0;

    memset(parts, 0, (n ? n : 1) * sizeof(*parts));
    for (size_t i = 0; i < n; i++)
        sum |= weights[i];
    if (!amount || !sum)
        return TF_OK;
    if (tf_money_prorata(parts, amount, weights, n))
        return tf_diag_set(diag, TF_ERR_DB,
                           "cannot split %lld over %zu "
                           "parties",
                           (long long)amount, n);
    return TF_OK;
}

/* Takes one transfer's leg into the book: each party's part leaves the
 * source pool (before the period, or in it) and arrives in the other. */
struct legs_ctx {
    struct book *b;
    const char *opening;
    tf_diag *diag;
    tf_error err;
};

static int got_leg(void *ctx, const tf_attribution_leg *l)
{
    struct legs_ctx *c = ctx;
    struct book *b = c->b;
    int before = *c->opening && strcmp(l->date, c->opening) <= 0;

    for (size_t i = 0; i < l->nparties; i++) {
        long d;
        if (!l->parts[i])
            continue;
        /* A party with a part of a leg had money in its source pool at
         * the end: the end's attribution lists it. */
        if ((d = id_index(b, l->parties[i])) < 0) {
            c->err = tf_diag_set(c->diag, TF_ERR_DB,
                                 "a transfer carries money of '%s', whom the "
                                 "attribution does not list",
                                 l->parties[i]);
            return 1;
        }
        b->cout[l->from][d] += l->parts[i];
        if (before)
            b->cout_pre[l->from][d] += l->parts[i];
        else {
            b->moved_out[l->from][d] += l->parts[i];
            b->moved_in[l->to][d] += l->parts[i];
        }
    }
    return 0;
}

/* The transfers' legs as the attribution carries them as of the end
 * (DESIGN.md 9.10, tf_attribution_legs): in entry order, each split over
 * the source pool's weights (own receipts, interest, and what earlier
 * legs carried in). */
static tf_error book_transfers(tf_fund *fund, struct book *b, const char *to,
                               const char *opening, tf_diag *diag)
{
    struct legs_ctx c = {b, opening, diag, TF_OK};
    tf_error err = tf_attribution_legs(fund, to, got_leg, &c, diag);

    return err ? err : c.err;
}

/* ---- Uses ------------------------------------------------------------ */

struct session_order {
    char **ids; /* by start date, then id */
    size_t n;
    int oom;
};

static int got_session(void *ctx, const tf_session *s)
{
    struct session_order *o = ctx;
    char **grown = realloc(o->ids, (o->n + 1) * sizeof(*grown));

    if (!grown || !(grown[o->n] = strdup(s->id))) {
        if (grown)
            o->ids = grown;
        o->oom = 1;
        return 1;
    }
    o->ids = grown;
    o->n++;
    return 0;
}

static size_t session_rank(const struct session_order *o, const char *id)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->ids[i], id))
            return i;
    return o->n;
}

/* The use of kind (and session) in st, added if new. */
static tf_statement_use *use_find(tf_statement *st, enum outflow kind,
                                  const char *session, tf_diag *diag)
{
    tf_statement_use *grown, *u;

    for (size_t i = 0; i < st->nuses; i++) {
        u = &st->uses[i];
        if (!strcmp(u->category, outflow_name(kind)) &&
            (kind != OUT_TRAVEL || !strcmp(u->session, session)))
            return u;
    }
    grown = realloc(st->uses, (st->nuses + 1) * sizeof(*grown));
    if (!grown) {
        tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    st->uses = grown;
    u = &st->uses[st->nuses];
    memset(u, 0, sizeof(*u));
    u->outflow = outflow_books[kind];
    u->category = outflow_name(kind);
    if (kind == OUT_TRAVEL && !(u->session = strdup(session))) {
        tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    st->nuses++;
    return u;
}

static int64_t cat_total(const struct snap *s, int k, enum outflow kind,
                         const char *session)
{
    int64_t t = 0;

    for (size_t i = 0; i < s->ncats; i++)
        if (s->cats[i].pool == k && s->cats[i].kind == kind &&
            (kind != OUT_TRAVEL || !strcmp(s->cats[i].session, session)))
            t += s->cats[i].total;
    return t;
}

/* ---- Shares of each category, exact both ways ---------------------- */

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* One cell of the matrix being rounded. */
struct cell {
    size_t d, c;
    int64_t frac; /* its fraction, in 2^-20 */
};

static int cmp_cell(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;

    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->c < y->c ? -1 : x->c > y->c;
}

#define FRAC_BITS 20
#define FRAC_MAX  ((int64_t)1 << 43) /* |amounts| the fractions allow */

/*
 * Splits each donor's share share[d] of a pool's spending over the
 * categories in proportion to their spending w[c] (w >= 0, sum W = the
 * sum of share[]), so that each donor's parts add up to its share AND
 * each category's parts add up to what the pool spent on it: every part
 * is the exact x = share[d] * w[c] / W rounded down or up, the units
 * left over going first to the largest fractions (then the lower donor,
 * then the lower category), and where that leaves a donor or a category
 * short, moved along an alternating path (a rounding with both margins
 * always exists). out is nd x nc. Returns 1 when the rounding does not
 * apply (margins that do not agree, amounts too large), 0 when done, -1
 * out of memory.
 */
static int round_matrix(const int64_t *share, size_t nd, const int64_t *w,
                        size_t nc, int64_t *out)
{
    int64_t W = 0, S = 0, *r = NULL, *q = NULL, *g = NULL;
    unsigned char *cand = NULL, *used = NULL;
    struct cell *cells = NULL;
    size_t ncells = 0, *prev = NULL, *queue = NULL;
    int rc = 1;

    for (size_t c = 0; c < nc; c++) {
        if (w[c] < 0 || w[c] >= FRAC_MAX)
            return 1;
        W += w[c];
    }
    for (size_t d = 0; d < nd; d++) {
        if (share[d] <= -FRAC_MAX || share[d] >= FRAC_MAX)
            return 1;
        S += share[d];
    }
    if (W <= 0 || S != W)
        return 1;
    r = calloc(nd, sizeof(*r));
    q = calloc(nc, sizeof(*q));
    g = calloc(nc, sizeof(*g));
    cand = calloc(nd * nc, 1);
    used = calloc(nd * nc, 1);
    cells = calloc(nd * nc, sizeof(*cells));
    /* BFS over rows (0..nd) and columns (nd..nd+nc). */
    prev = calloc(nd + nc, sizeof(*prev));
    queue = calloc(nd + nc, sizeof(*queue));
    if (!r || !q || !g || !cand || !used || !cells || !prev || !queue) {
        rc = -1;
        goto done;
    }
    for (size_t c = 0; c < nc; c++) {
        q[c] = w[c];
        g[c] = W / gcd64(w[c] ? w[c] : W, W);
    }
    for (size_t d = 0; d < nd; d++) {
        r[d] = share[d];
        for (size_t c = 0; c < nc; c++) {
            int64_t f, fine;
            if (tf_money_mul_ratio(&f, share[d], w[c], W, TF_ROUND_FLOOR) ||
                tf_money_mul_ratio(&fine, share[d], w[c] << FRAC_BITS, W,
                                   TF_ROUND_FLOOR))
                goto done;
            out[d * nc + c] = f;
            r[d] -= f;
            q[c] -= f;
            /* x is whole when W / gcd(w, W) divides the share. */
            if (w[c] && share[d] % g[c]) {
                cand[d * nc + c] = 1;
                cells[ncells].d = d;
                cells[ncells].c = c;
                cells[ncells].frac = fine - f * ((int64_t)1 << FRAC_BITS);
                ncells++;
            }
        }
    }
    qsort(cells, ncells, sizeof(*cells), cmp_cell);
    for (size_t i = 0; i < ncells; i++) {
        size_t d = cells[i].d, c = cells[i].c;
        if (r[d] > 0 && q[c] > 0) {
            used[d * nc + c] = 1;
            out[d * nc + c]++;
            r[d]--;
            q[c]--;
        }
    }
    /* What the largest fractions left short: an alternating path from a
     * donor still owed a unit, through cells given a unit (taken back)
     * and cells not given one (given), to a category still owed one. */
    for (size_t d0 = 0; d0 < nd; d0++)
        while (r[d0] > 0) {
            size_t head = 0, tail = 0, end = SIZE_MAX;
            for (size_t i = 0; i < nd + nc; i++)
                prev[i] = SIZE_MAX;
            prev[d0] = d0;
            queue[tail++] = d0;
            while (head < tail && end == SIZE_MAX) {
                size_t v = queue[head++];
                if (v < nd) {
                    for (size_t c = 0; c < nc; c++)
                        if (cand[v * nc + c] && !used[v * nc + c] &&
                            prev[nd + c] == SIZE_MAX) {
                            prev[nd + c] = v;
                            if (q[c] > 0) {
                                end = nd + c;
                                break;
                            }
                            queue[tail++] = nd + c;
                        }
                } else {
                    size_t c = v - nd;
                    for (size_t d = 0; d < nd; d++)
                        if (used[d * nc + c] && prev[d] == SIZE_MAX) {
                            prev[d] = v;
                            queue[tail++] = d;
                        }
                }
            }
            if (end == SIZE_MAX)
                goto done; /* cannot happen: the margins agree */
            q[end - nd]--;
            r[d0]--;
            for (size_t v = end; v != d0;) {
                size_t u = prev[v];
                if (v >= nd) { /* row u gives cell (u, v) */
                    used[u * nc + (v - nd)] = 1;
                    out[u * nc + (v - nd)]++;
                } else { /* column u takes cell (v, u) back */
                    used[v * nc + (u - nd)] = 0;
                    out[v * nc + (u - nd)]--;
                }
                v = u;
            }
        }
    rc = 0;
done:
    free(r);
    free(q);
    free(g);
    free(cand);
    free(used);
    free(cells);
    free(prev);
    free(queue);
    return rc;
}

/* One category of a pool's spending in the period. */
struct pcat {
    enum outflow kind;
    const char *session;
    int64_t spent;
};

/*
 * Splits the donor's share of pool k's spending in the period (share)
 * over the categories of that spending, in proportion to what the pool
 * spent on each (categories with nothing spent take nothing; when none
 * has, the share shows as other outflows).
 */
static tf_error split_uses(tf_statement *st, int k, const int64_t *shares,
                           size_t nd, long d, const struct snap *end,
                           const struct snap *start, tf_diag *diag)
{
    int64_t share = shares[d], *matrix = NULL;
    struct pcat *pc = NULL;
    int64_t *w = NULL, *parts = NULL, classified_end = 0, classified_start = 0,
            other;
    size_t n = 0;
    tf_error err = TF_OK;

    /* The categories of either date (a use may have been reversed). */
    for (int pass = 0; pass < 2; pass++) {
        const struct snap *s = pass ? start : end;
        for (size_t i = 0; i < s->ncats; i++) {
            const struct cat *c = &s->cats[i];
            size_t j;
            if (c->pool != k)
                continue;
            if (pass)
                classified_start += c->total;
            else
                classified_end += c->total;
            if (c->kind == OUT_TRANSFER)
                continue;
            for (j = 0; j < n; j++)
                if (pc[j].kind == c->kind &&
                    (c->kind != OUT_TRAVEL ||
                     !strcmp(pc[j].session, c->session)))
                    break;
            if (j < n)
                continue;
            {
                struct pcat *grown = realloc(pc, (n + 1) * sizeof(*pc));
                if (!grown) {
                    err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
                    goto done;
                }
                pc = grown;
            }
            pc[n].kind = c->kind;
            pc[n].session = c->session;
            pc[n].spent = cat_total(end, k, c->kind, c->session) -
                          cat_total(start, k, c->kind, c->session);
            n++;
        }
    }
    /* Outflows no account above records (none today) are kept apart, so
     * that the pool still adds up. */
    other = 0;
    {
        int64_t out_end = 0, out_start = 0;
        for (size_t i = 0; i < end->nrows; i++)
            if (end->rows[i].pool == k)
                out_end += end->rows[i].outflows;
        for (size_t i = 0; i < start->nrows; i++)
            if (start->rows[i].pool == k)
                out_start += start->rows[i].outflows;
        other = (out_end - classified_end) - (out_start - classified_start);
    }
    {
        struct pcat *grown = realloc(pc, (n + 1) * sizeof(*pc));
        if (!grown) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            goto done;
        }
        pc = grown;
        pc[n].kind = OUT_OTHER;
        pc[n].session = NULL;
        pc[n].spent = other;
        n++;
    }
    w = calloc(n, sizeof(int64_t));
    parts = calloc(n, sizeof(int64_t));
    if (!w || !parts) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    {
        int64_t any = 0;
        int rm;
        for (size_t i = 0; i < n; i++)
            any |= w[i] = pc[i].spent > 0 ? pc[i].spent : 0;
        if (!any) {
            parts[n - 1] = share;
        } else if (!(matrix = calloc(nd * n, sizeof(int64_t)))) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            goto done;
        } else if ((rm = round_matrix(shares, nd, w, n, matrix)) < 0) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            goto done;
        } else if (rm == 0) {
            /* Every donor's parts and every category's add up. */
            memcpy(parts, matrix + (size_t)d * n, n * sizeof(int64_t));
        } else if ((err = split(parts, share, w, n, diag))) {
            goto done; /* the donor's own parts add up, at least */
        }
    }
    for (size_t i = 0; i < n; i++) {
        tf_statement_use *u;
        if (!parts[i] && !pc[i].spent)
            continue;
        if (!(u = use_find(st, pc[i].kind, pc[i].session, diag))) {
            err = TF_ERR_NOMEM;
            goto done;
        }
        u->share[k] += parts[i];
        u->spent[k] += pc[i].spent;
    }
done:
    free(pc);
    free(w);
    free(parts);
    free(matrix);
    return err;
}

static const struct session_order *sort_sessions;

static int cmp_use(const void *a, const void *b)
{
    const tf_statement_use *x = a, *y = b;
    int rx = 0, ry = 0;

    for (int i = 0; i < OUT_TRANSFER; i++) {
        if (!strcmp(x->category, outflow_name((enum outflow)i)))
            rx = i;
        if (!strcmp(y->category, outflow_name((enum outflow)i)))
            ry = i;
    }
    if (rx != ry)
        return rx - ry;
    if (rx == OUT_TRAVEL) {
        size_t sx = session_rank(sort_sessions, x->session),
               sy = session_rank(sort_sessions, y->session);
        if (sx != sy)
            return sx < sy ? -1 : 1;
        return strcmp(x->session, y->session);
    }
    return 0;
}

/* ---- Pledges and receipts -------------------------------------------- */

tf_error tf_statement_pledges(tf_fund *fund, const char *donor, const char *to,
                              int (*fn)(void *ctx,
                                        const tf_statement_pledge *p),
                              void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT p.ref, p.date, coalesce(p.due, ''), p.pool, p.currency, "
        "p.rate, p.amount, p.base_amount, p.implicit, "
        "coalesce(sum(r.amount), 0), coalesce(sum(r.base_amount), 0), "
        "coalesce(sum(r.relieved), 0) FROM pledges p LEFT JOIN (SELECT "
        "r.pledge, r.amount, r.base_amount, r.relieved FROM receipts r JOIN "
        "entries e ON e.id = r.entry WHERE e.date <= ?2 AND NOT EXISTS "
        "(SELECT 1 FROM entries x WHERE x.reverses = r.entry AND x.date <= "
        "?2)) r ON r.pledge = p.ref WHERE p.donor = ?1 AND p.date <= ?2 AND "
        "NOT EXISTS (SELECT 1 FROM entries x WHERE x.reverses = p.entry AND "
        "x.date <= ?2) GROUP BY p.ref ORDER BY p.date, p.ref",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, donor);
    tf_stmt_text(st, 2, to);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_statement_pledge p;
        memset(&p, 0, sizeof(p));
        p.ref = tf_col_text(st, 0);
        p.date = tf_col_text(st, 1);
        p.due = tf_col_text(st, 2);
        p.pool = tf_col_text(st, 3);
        p.currency = tf_col_text(st, 4);
        p.rate = tf_col_text(st, 5);
        p.amount = tf_col_int(st, 6);
        p.booked = tf_col_int(st, 7);
        p.implicit = (int)tf_col_int(st, 8);
        p.received = tf_col_int(st, 9);
        p.received_value = tf_col_int(st, 10);
        p.relieved = tf_col_int(st, 11);
        p.overdue = !p.implicit && p.amount > p.received && *p.due &&
                    strcmp(p.due, to) < 0;
        if (fn(ctx, &p))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_statement_receipts(tf_fund *fund, const char *donor,
                               const char *from, const char *to,
                               int (*fn)(void *ctx,
                                         const tf_statement_receipt *r),
                               void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT r.ref, e.date, r.pledge, p.pool, r.currency, r.rate, "
        "r.amount, r.base_amount, p.implicit, NULL FROM receipts r JOIN "
        "pledges p ON p.ref = r.pledge JOIN entries e ON e.id = r.entry "
        "WHERE p.donor = ?1 AND e.date <= ?3 AND (?2 IS NULL OR e.date >= "
        "?2) UNION ALL SELECT r.ref, x.date, r.pledge, p.pool, r.currency, "
        "r.rate, -r.amount, -r.base_amount, p.implicit, r.ref FROM receipts "
        "r JOIN pledges p ON p.ref = r.pledge JOIN entries x ON x.reverses "
        "= r.entry WHERE p.donor = ?1 AND x.date <= ?3 AND (?2 IS NULL OR "
        "x.date >= ?2) ORDER BY 2, 1, 10",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, donor);
    tf_stmt_text(st, 2, from);
    tf_stmt_text(st, 3, to);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_statement_receipt r;
        memset(&r, 0, sizeof(r));
        r.ref = tf_col_text(st, 0);
        r.date = tf_col_text(st, 1);
        r.pledge = tf_col_text(st, 2);
        r.pool = tf_col_text(st, 3);
        r.currency = tf_col_text(st, 4);
        r.rate = tf_col_text(st, 5);
        r.amount = tf_col_int(st, 6);
        r.value = tf_col_int(st, 7);
        r.implicit = (int)tf_col_int(st, 8);
        r.reverses = tf_col_text(st, 9);
        if (fn(ctx, &r))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

/* ---- Currencies ------------------------------------------------------ */

struct cur_ctx {
    tf_statement *st;
    const char *to;
    int64_t received_base[TF_POOL_COUNT]; /* receipts of the period */
    int oom;
};

static tf_statement_currency *currency_of(struct cur_ctx *c, const char *code)
{
    tf_statement *st = c->st;
    tf_statement_currency *grown;

    for (size_t i = 0; i < st->ncurrencies; i++)
        if (!strcmp(st->currencies[i].code, code))
            return &st->currencies[i];
    grown = realloc(st->currencies, (st->ncurrencies + 1) * sizeof(*grown));
    if (!grown) {
        c->oom = 1;
        return NULL;
    }
    st->currencies = grown;
    memset(&grown[st->ncurrencies], 0, sizeof(*grown));
    snprintf(grown[st->ncurrencies].code, sizeof(grown->code), "%s", code);
    return &grown[st->ncurrencies++];
}

static int cur_pledge(void *ctx, const tf_statement_pledge *p)
{
    struct cur_ctx *c = ctx;
    tf_statement_currency *cur = currency_of(c, p->currency);

    if (!cur)
        return 1;
    if (p->implicit) {
        cur->unpledged += p->received;
        return 0;
    }
    cur->pledged += p->amount;
    cur->paid += p->received;
    cur->outstanding += p->amount - p->received;
    if (p->overdue)
        cur->overdue += p->amount - p->received;
    return 0;
}

static int cur_receipt(void *ctx, const tf_statement_receipt *r)
{
    struct cur_ctx *c = ctx;
    tf_statement_currency *cur = currency_of(c, r->currency);
    int k = pool_of(r->pool);

    if (!cur)
        return 1;
    cur->received += r->amount;
    cur->received_base += r->value;
    if (k >= 0)
        c->received_base[k] += r->value;
    return 0;
}

/* ---- The statement --------------------------------------------------- */

void tf_statement_release(tf_statement *st)
{
    for (size_t i = 0; i < st->nuses; i++)
        free(st->uses[i].session);
    free(st->uses);
    free(st->currencies);
    memset(st, 0, sizeof(*st));
}

static int donor_found(void *ctx, const tf_donor *d)
{
    (void)d;
    *(int *)ctx = 1;
    return 1;
}

/* The donor's figures in pool k (see statement.h for each line). */
static tf_error pool_lines(tf_statement *st, int k, long d,
                           const struct book *b, const struct snap *end,
                           const struct snap *start, int64_t committed_pool,
                           tf_diag *diag)
{
    int64_t *parts = calloc(b->n ? b->n : 1, sizeof(int64_t));
    int64_t *shares = calloc(b->n ? b->n : 1, sizeof(int64_t));
    int64_t own_end, own_start, share;
    tf_error err = TF_OK;

    if (!parts || !shares) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* Every donor's share of the pool's spending in the period: what it
     * used by the end, less its share of what the pool had spent before
     * the period at the end's weights (transfers out left apart). */
    if (*st->opening &&
        (err = split(parts, b->s_total_out[k], b->w[k], b->n, diag)))
        goto done;
    for (size_t i = 0; i < b->n; i++)
        shares[i] = b->out[k][i] - b->cout[k][i] -
                    (*st->opening ? parts[i] - b->cout_pre[k][i] : 0);
    share = shares[d];
    own_end = b->w[k][d] - b->cin[k][d];
    own_start = b->s_w[k][d] - b->s_cin[k][d];
    st->in_pool[k] = b->w[k][d] || b->s_w[k][d];
    st->opening_balance[k] = b->s_bal[k][d];
    st->received[k] = own_end - own_start;
    st->moved[k] = b->moved_out[k][d] - b->moved_in[k][d];
    st->closing[k] = b->bal[k][d];
    /* Who shares the pool's spending at the end: every party's weight,
     * the fund's own interest among them. */
    st->weight[k] = b->w[k][d];
    for (size_t i = 0; i < b->n; i++) {
        st->pool_weight[k] += b->w[k][i];
        if (tf_is_interest_party(b->ids[i]))
            st->pool_interest[k] = b->w[k][i];
    }
    if ((err = split_uses(st, k, shares, b->n, d, end, start, diag)))
        goto done;
    st->reshared[k] = st->opening_balance[k] + st->received[k] - st->moved[k] -
                      share - st->closing[k];
    /* Commitments are split over what each donor has in the pool (a
     * balance below zero, which only books read on a day when the pool
     * had paid out more than it held can show, takes no part). */
    for (size_t i = 0; i < b->n; i++)
        shares[i] = b->bal[k][i] > 0 ? b->bal[k][i] : 0;
    if ((err = split(parts, committed_pool, shares, b->n, diag)))
        goto done;
    st->committed[k] = parts[d];
    st->free[k] = st->closing[k] - st->committed[k];
done:
    free(parts);
    free(shares);
    return err;
}

tf_error tf_statement_donor(tf_fund *fund, const char *donor, const char *from,
                            const char *to, tf_statement *st, tf_diag *diag)
{
    struct snap end, start;
    struct book b;
    struct session_order so = {NULL, 0, 0};
    struct cur_ctx cc;
    tf_pool_figures figs[TF_POOL_COUNT];
    tf_error err;
    int own = 0, found = 0, interest;
    long d;

    memset(st, 0, sizeof(*st));
    memset(&end, 0, sizeof(end));
    memset(&start, 0, sizeof(start));
    memset(&b, 0, sizeof(b));
    if (to && tf_date_check(to, diag))
        return TF_ERR_INPUT;
    if (from && tf_date_check(from, diag))
        return TF_ERR_INPUT;
    if (to)
        snprintf(st->to, sizeof(st->to), "%s", to);
    else
        tf_date_today(st->to);
    if (from && strcmp(from, st->to) > 0)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "the period starts on %s, after its end %s", from,
                           st->to);
    if (from) {
        snprintf(st->from, sizeof(st->from), "%s", from);
        tf_date_add_days(st->opening, from, -1);
    }
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    /* The fund's own interest has a statement of its own, as a donor
     * has: where the interest went. */
    interest = tf_is_interest_party(donor);
    err = interest ? TF_OK
                   : tf_donor_each(fund, donor, donor_found, &found, diag);
    if (!err && !found && !interest)
        err = tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown donor '%s'", donor);
    end.date = st->to;
    start.date = st->opening;
    if (!err)
        err = snap_take(fund, &end, diag);
    if (!err && *st->opening)
        err = snap_take(fund, &start, diag);
    if (!err)
        err = book_build(&b, &end, &start, donor, diag);
    if (!err)
        err = book_transfers(fund, &b, st->to, st->opening, diag);
    if (!err)
        err = tf_ledger_pools(fund, st->to, figs, diag);
    d = err ? -1 : id_index(&b, donor);
    for (int k = 0; !err && k < TF_POOL_COUNT; k++)
        err = pool_lines(st, k, d, &b, &end, &start, figs[k].committed, diag);
    if (!err)
        err = tf_session_each(fund, NULL, got_session, &so, diag);
    if (!err && so.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err) {
        /* Uses nobody has a share of in the period are left out. */
        size_t n = 0;
        for (size_t i = 0; i < st->nuses; i++) {
            int64_t any = 0;
            for (int k = 0; k < TF_POOL_COUNT; k++)
                any |= st->uses[i].share[k];
            if (any)
                st->uses[n++] = st->uses[i];
            else
                free(st->uses[i].session);
        }
        st->nuses = n;
        sort_sessions = &so;
        if (n)
            qsort(st->uses, n, sizeof(*st->uses), cmp_use);
        sort_sessions = NULL;
    }
    memset(&cc, 0, sizeof(cc));
    cc.st = st;
    cc.to = st->to;
    if (!err)
        err = tf_statement_pledges(fund, donor, st->to, cur_pledge, &cc, diag);
    if (!err && !cc.oom)
        err = tf_statement_receipts(fund, donor, from, st->to, cur_receipt, &cc,
                                    diag);
    if (!err && cc.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    for (int k = 0; !err && k < TF_POOL_COUNT; k++)
        if (!interest && cc.received_base[k] != st->received[k])
            err = tf_diag_set(diag, TF_ERR_DB,
                              "the receipts of '%s' into '%s' do not match "
                              "its attribution",
                              donor, tf_pools[k]);
    for (size_t i = 0; i < so.n; i++)
        free(so.ids[i]);
    free(so.ids);
    book_release(&b);
    snap_release(&end);
    snap_release(&start);
    tf_db_read_end(fund->db, own);
    return err;
}
