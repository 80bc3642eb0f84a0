/* SPDX-License-Identifier: MIT */
/*
 * The donor statement: what a donor pledged and paid, what its money was
 * used for (from the attribution of every outflow to the donors) and the
 * delegates it helped fund. Written in constant-memory mode, so every
 * sheet is filled top to bottom; the cover, which needs the figures of
 * the others, is filled last (sheets are independent streams).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/report.h"
#include "xl.h"

struct dpledge {
    char *ref, *date, *pool, *currency, *due, *rate;
    int64_t amount, base_amount;
    int implicit;
    /* From the receipts dated on or before the as-of date: */
    int64_t received, received_base, relieved;
};

struct dreceipt {
    char *ref, *date, *pledge, *pool, *currency, *rate;
    int64_t amount, base_amount, relieved;
};

struct duse {
    int pool;
    char *category, *session;
    int64_t amount;
    int rank;    /* category order on the statement */
    size_t sidx; /* session in start order */
};

struct donor_data {
    const char *as_of;
    char *id, *name, *type, *country;
    struct dpledge *pledges;
    size_t npledges;
    struct dreceipt *receipts;
    size_t nreceipts;
    struct duse *uses;
    size_t nuses;
    tf_attribution attr[TF_POOL_COUNT];
    int has_attr[TF_POOL_COUNT];
    int oom;
};

static void data_release(struct donor_data *d)
{
    free(d->id);
    free(d->name);
    free(d->type);
    free(d->country);
    for (size_t i = 0; i < d->npledges; i++) {
        struct dpledge *p = &d->pledges[i];
        free(p->ref);
        free(p->date);
        free(p->pool);
        free(p->currency);
        free(p->due);
        free(p->rate);
    }
    free(d->pledges);
    for (size_t i = 0; i < d->nreceipts; i++) {
        struct dreceipt *r = &d->receipts[i];
        free(r->ref);
        free(r->date);
        free(r->pledge);
        free(r->pool);
        free(r->currency);
        free(r->rate);
    }
    free(d->receipts);
    for (size_t i = 0; i < d->nuses; i++) {
        free(d->uses[i].category);
        free(d->uses[i].session);
    }
    free(d->uses);
    memset(d, 0, sizeof(*d));
}

static int got_donor(void *ctx, const tf_donor *dn)
{
    struct donor_data *d = ctx;

    d->id = xl_strdup(dn->id);
    d->name = xl_strdup(dn->name);
    d->type = xl_strdup(dn->type);
    d->country = xl_strdup(dn->country);
    d->oom |= !d->id || !d->name || !d->type || !d->country;
    return 1;
}

static int got_pledge(void *ctx, const tf_pledge *p)
{
    struct donor_data *d = ctx;
    struct dpledge *grown, *q;

    if (strcmp(p->date, d->as_of) > 0)
        return 0;
    grown = realloc(d->pledges, (d->npledges + 1) * sizeof(*grown));
    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->pledges = grown;
    q = &d->pledges[d->npledges++];
    memset(q, 0, sizeof(*q));
    q->ref = xl_strdup(p->ref);
    q->date = xl_strdup(p->date);
    q->pool = xl_strdup(p->pool);
    q->currency = xl_strdup(p->currency);
    q->due = xl_strdup(p->due);
    q->rate = xl_strdup(p->rate);
    q->amount = p->amount;
    q->base_amount = p->base_amount;
    q->implicit = p->implicit;
    d->oom |=
        !q->ref || !q->date || !q->pool || !q->currency || !q->due || !q->rate;
    return d->oom;
}

static int got_receipt(void *ctx, const tf_receipt *r)
{
    struct donor_data *d = ctx;
    struct dreceipt *grown, *q;

    if (strcmp(r->date, d->as_of) > 0)
        return 0;
    grown = realloc(d->receipts, (d->nreceipts + 1) * sizeof(*grown));
    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->receipts = grown;
    q = &d->receipts[d->nreceipts++];
    memset(q, 0, sizeof(*q));
    q->ref = xl_strdup(r->ref);
    q->date = xl_strdup(r->date);
    q->pledge = xl_strdup(r->pledge);
    q->pool = xl_strdup(r->pool);
    q->currency = xl_strdup(r->currency);
    q->rate = xl_strdup(r->rate);
    q->amount = r->amount;
    q->base_amount = r->base_amount;
    q->relieved = r->relieved;
    d->oom |= !q->ref || !q->date || !q->pledge || !q->pool || !q->currency ||
              !q->rate;
    for (size_t i = 0; !d->oom && i < d->npledges; i++)
        if (!strcmp(d->pledges[i].ref, q->pledge)) {
            d->pledges[i].received += q->amount;
            d->pledges[i].received_base += q->base_amount;
            d->pledges[i].relieved += q->relieved;
            break;
        }
    return d->oom;
}

static int got_attribution(void *ctx, const tf_attribution *a)
{
    struct donor_data *d = ctx;
    int k = tf_pool_find(a->pool);

    if (k >= 0) {
        d->attr[k] = *a;
        d->attr[k].donor = d->id;
        d->attr[k].pool = tf_pools[k];
        d->has_attr[k] = 1;
    }
    return 0;
}

static int got_use(void *ctx, const tf_use *u)
{
    struct donor_data *d = ctx;
    struct duse *grown, *q;

    grown = realloc(d->uses, (d->nuses + 1) * sizeof(*grown));
    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->uses = grown;
    q = &d->uses[d->nuses++];
    q->pool = tf_pool_find(u->pool);
    q->category = xl_strdup(u->category);
    q->session = xl_strdup(u->session);
    q->amount = u->amount;
    d->oom |= !q->category || !q->session;
    return d->oom;
}

/* How a use category reads to a donor. */
static const char *use_label(const char *category)
{
    static const char *const labels[TF_OUTFLOW_COUNT] = {
        [TF_OUTFLOW_TRAVEL] = "Travel grants",
        [TF_OUTFLOW_PSC] = "Programme support costs",
        [TF_OUTFLOW_PREP] = "Conference preparation",
        [TF_OUTFLOW_SURPLUS] = "Surplus routed to conference preparation",
        [TF_OUTFLOW_REFUNDS] = "Refunds",
    };
    int o = tf_outflow_find(category);

    return o >= 0 ? labels[o] : category;
}

/* ---- Sheets -------------------------------------------------------- */

static void sheet_pledges(xl_sheet *s, const struct donor_data *d,
                          int64_t tot[5])
{
    static const char *const cols[] = {"Pledge",
                                       "Date",
                                       "Pool",
                                       "Kind",
                                       "Due",
                                       "Currency",
                                       "Amount",
                                       "Received",
                                       "Outstanding",
                                       "Rate per USD",
                                       "Booked value",
                                       "Received value",
                                       "Exchange difference",
                                       "Outstanding value"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    int row = 0, first;

    xl_note(s, row++, 0,
            "Amounts are in the pledge's currency, values in the base "
            "currency.",
            NULL);
    first = ++row;
    xl_header(s, row++, cols, n);
    memset(tot, 0, 5 * sizeof(int64_t));
    for (size_t i = 0; i < d->npledges; i++, row++) {
        const struct dpledge *p = &d->pledges[i];
        int64_t outstanding_base = p->base_amount - p->relieved;
        int64_t fx = p->received_base - p->relieved;
        xl_text(s, row, 0, p->ref, NULL);
        xl_date(s, row, 1, p->date);
        xl_text(s, row, 2, p->pool, NULL);
        xl_text(s, row, 3, p->implicit ? "paid without pledge" : "agreement",
                NULL);
        xl_date(s, row, 4, p->due);
        xl_text(s, row, 5, p->currency, NULL);
        xl_money_in(s, row, 6, p->amount, p->currency);
        xl_money_in(s, row, 7, p->received, p->currency);
        xl_money_in(s, row, 8, p->amount - p->received, p->currency);
        xl_decimal(s, row, 9, p->rate);
        xl_money(s, row, 10, p->base_amount, NULL);
        xl_money(s, row, 11, p->received_base, NULL);
        xl_money(s, row, 12, fx, NULL);
        xl_money(s, row, 13, outstanding_base, NULL);
        tot[0] += p->base_amount;
        tot[1] += p->received_base;
        tot[2] += fx;
        tot[3] += outstanding_base;
        tot[4] += p->relieved;
    }
    xl_filter(s, first, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 10; c <= 13; c++)
        xl_sum(s, row, c, first + 1, row - 1, tot[c - 10], 1);
    row += 2;
    xl_note(s, row++, 0,
            "Booked value: the pledge at the rate of its date. Received "
            "value: the money at the rate of the day it arrived.",
            NULL);
    xl_note(s, row, 0,
            "Exchange difference: received value less the booked value it "
            "settled (a gain when positive).",
            NULL);
    xl_fit(s);
}

static void sheet_receipts(xl_sheet *s, const struct donor_data *d,
                           int64_t *total)
{
    static const char *const cols[] = {"Receipt",      "Date",     "Pledge",
                                       "Pool",         "Currency", "Amount",
                                       "Rate per USD", "Value"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    int row = 0, first;

    *total = 0;
    xl_header(s, first = row++, cols, n);
    for (size_t i = 0; i < d->nreceipts; i++, row++) {
        const struct dreceipt *r = &d->receipts[i];
        xl_text(s, row, 0, r->ref, NULL);
        xl_date(s, row, 1, r->date);
        xl_text(s, row, 2, r->pledge, NULL);
        xl_text(s, row, 3, r->pool, NULL);
        xl_text(s, row, 4, r->currency, NULL);
        xl_money_in(s, row, 5, r->amount, r->currency);
        xl_decimal(s, row, 6, r->rate);
        xl_money(s, row, 7, r->base_amount, NULL);
        *total += r->base_amount;
    }
    xl_filter(s, first, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    xl_sum(s, row, 7, first + 1, row - 1, *total, 1);
    xl_fit(s);
}

/* Outstanding by currency: pledges grouped by their currency. */
static void sheet_currencies(xl_sheet *s, const struct donor_data *d)
{
    static const char *const cols[] = {
        "Currency",     "Pledged",        "Received",         "Outstanding",
        "Booked value", "Received value", "Outstanding value"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    int row = 0, first;
    int64_t tot[3] = {0, 0, 0};

    xl_header(s, first = row++, cols, n);
    for (size_t i = 0; i < d->npledges; i++) {
        const char *code = d->pledges[i].currency;
        int64_t sum[6] = {0, 0, 0, 0, 0, 0};
        size_t j;
        for (j = 0; j < i; j++)
            if (!strcmp(d->pledges[j].currency, code))
                break;
        if (j < i)
            continue; /* this currency has its row already */
        for (j = i; j < d->npledges; j++) {
            const struct dpledge *p = &d->pledges[j];
            if (strcmp(p->currency, code))
                continue;
            sum[0] += p->amount;
            sum[1] += p->received;
            sum[2] += p->amount - p->received;
            sum[3] += p->base_amount;
            sum[4] += p->received_base;
            sum[5] += p->base_amount - p->relieved;
        }
        xl_text(s, row, 0, code, NULL);
        for (int c = 0; c < 3; c++)
            xl_money_in(s, row, 1 + c, sum[c], code);
        for (int c = 3; c < 6; c++) {
            xl_money(s, row, 1 + c, sum[c], NULL);
            tot[c - 3] += sum[c];
        }
        row++;
    }
    xl_filter(s, first, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 4; c <= 6; c++)
        xl_sum(s, row, c, first + 1, row - 1, tot[c - 4], 1);
    xl_fit(s);
}

/* Totals of the use of funds across pools, for the cover. */
struct use_totals {
    int64_t travel, psc, prep, routed, refunds, other, balance;
    int64_t receipts, carried; /* attribution: own + carried */
};

static int cmp_use(const void *a, const void *b)
{
    const struct duse *x = a, *y = b;

    if (x->pool != y->pool)
        return x->pool - y->pool;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return x->sidx < y->sidx ? -1 : x->sidx > y->sidx;
}

/* Travel by meeting in date order, then preparation, PSC, routed surplus
 * and refunds. */
static void sort_uses(struct donor_data *d, xl_lookup *lk)
{
    static const tf_outflow order[] = {TF_OUTFLOW_TRAVEL, TF_OUTFLOW_PREP,
                                       TF_OUTFLOW_PSC, TF_OUTFLOW_SURPLUS,
                                       TF_OUTFLOW_REFUNDS};

    for (size_t i = 0; i < d->nuses; i++) {
        struct duse *u = &d->uses[i];
        const xl_session_info *si = xl_session_find(lk, u->session);
        u->rank = 5;
        for (int r = 0; r < 5; r++)
            if (tf_outflow_find(u->category) == (int)order[r])
                u->rank = r;
        u->sidx = si ? (size_t)(si - lk->sessions) : lk->nsessions;
    }
    if (d->nuses)
        qsort(d->uses, d->nuses, sizeof(*d->uses), cmp_use);
}

static void sheet_uses(xl_sheet *s, struct donor_data *d, xl_lookup *lk,
                       struct use_totals *ut)
{
    static const char *const cols[] = {"Pool", "Use", "Session", "Meeting",
                                       "Amount"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    int row = 0, first;
    int64_t total = 0;

    memset(ut, 0, sizeof(*ut));
    sort_uses(d, lk);
    xl_header(s, first = row++, cols, n);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        int64_t used = 0;
        if (!d->has_attr[k])
            continue;
        for (size_t i = 0; i < d->nuses; i++) {
            const struct duse *u = &d->uses[i];
            const xl_session_info *si;
            if (u->pool != k)
                continue;
            xl_text(s, row, 0, tf_pools[k], NULL);
            xl_text(s, row, 1, use_label(u->category), NULL);
            if (*u->session) {
                xl_text(s, row, 2, u->session, NULL);
                si = xl_session_find(lk, u->session);
                xl_text(s, row, 3, si ? si->name : "", NULL);
            }
            xl_money(s, row++, 4, u->amount, NULL);
            used += u->amount;
            switch (tf_outflow_find(u->category)) {
            case TF_OUTFLOW_TRAVEL:
                ut->travel += u->amount;
                break;
            case TF_OUTFLOW_PSC:
                ut->psc += u->amount;
                break;
            case TF_OUTFLOW_PREP:
                ut->prep += u->amount;
                break;
            case TF_OUTFLOW_SURPLUS:
                ut->routed += u->amount;
                break;
            case TF_OUTFLOW_REFUNDS:
                ut->refunds += u->amount;
                break;
            default:
                ut->other += u->amount;
            }
        }
        /* The uses split the attributed outflows exactly; should a future
         * outflow have no category yet, it still shows, so that the pool
         * always adds up. */
        if (used != d->attr[k].outflows) {
            xl_text(s, row, 0, tf_pools[k], NULL);
            xl_text(s, row, 1, "Other outflows", NULL);
            xl_money(s, row++, 4, d->attr[k].outflows - used, NULL);
            ut->other += d->attr[k].outflows - used;
        }
        xl_text(s, row, 0, tf_pools[k], NULL);
        xl_text(s, row, 1, "Balance remaining", NULL);
        xl_money(s, row++, 4, d->attr[k].balance, NULL);
        ut->balance += d->attr[k].balance;
        ut->receipts += d->attr[k].receipts;
        ut->carried += d->attr[k].carried;
        total += d->attr[k].receipts;
    }
    xl_filter(s, first, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    xl_sum(s, row, 4, first + 1, row - 1, total, 1);
    row += 2;
    xl_note(s, row++, 0,
            "Each pool's spending is shared among the donors whose money is "
            "in it, in proportion to what each paid in; the total equals "
            "what you paid into the pools",
            NULL);
    xl_note(s, row, 0,
            "plus the surplus carried into conference preparation on your "
            "behalf.",
            NULL);
    xl_cap(s, 3, 70);
    xl_fit(s);
}

/* The delegates sheet, streamed from tf_grant_shares. */
struct grants_ctx {
    xl_sheet *s;
    xl_lookup *lk;
    int row;
    int64_t total;
    long delegates, countries_n, sessions_n;
    char last_ref[128];
    char (*countries)[8];
    size_t ncountries;
    char (*sessions)[72];
    size_t nsessions;
    int oom;
};

static int seen(const void *set, const size_t *n, size_t width, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (!strncmp((const char *)set + i * width, key, width - 1))
            return 1;
    return 0;
}

static int remember(void **set, size_t *n, size_t width, const char *key)
{
    char *grown;

    if (seen(*set, n, width, key))
        return 0;
    grown = realloc(*set, (*n + 1) * width);
    if (!grown)
        return -1;
    snprintf(grown + *n * width, width, "%s", key);
    *set = grown;
    (*n)++;
    return 0;
}

static int got_share(void *ctx, const tf_grant_share *g)
{
    struct grants_ctx *c = ctx;
    xl_sheet *s = c->s;
    const xl_session_info *si = xl_session_find(c->lk, g->session);
    const xl_country_info *ci = xl_country_find(c->lk, g->country);
    int row = c->row++;

    if (!ci) {
        c->oom = 1;
        return 1;
    }
    xl_text(s, row, 0, g->session, NULL);
    if (si)
        xl_date(s, row, 1, si->start);
    xl_text(s, row, 2, g->country, NULL);
    xl_text(s, row, 3, ci->name, NULL);
    if (g->tier)
        xl_int(s, row, 4, g->tier, NULL);
    xl_text(s, row, 5, g->delegate, NULL);
    xl_text(s, row, 6, g->ref, NULL);
    xl_text(s, row, 7, g->pool, NULL);
    xl_money(s, row, 8, g->charge, NULL);
    xl_money(s, row, 9, g->share, NULL);
    c->total += g->share;
    if (strncmp(c->last_ref, g->ref, sizeof(c->last_ref) - 1)) {
        snprintf(c->last_ref, sizeof(c->last_ref), "%s", g->ref);
        c->delegates++;
    }
    if (remember((void **)&c->countries, &c->ncountries, sizeof(*c->countries),
                 g->country) ||
        remember((void **)&c->sessions, &c->nsessions, sizeof(*c->sessions),
                 g->session)) {
        c->oom = 1;
        return 1;
    }
    return 0;
}

static tf_error sheet_delegates(xl_sheet *s, const struct donor_data *d,
                                xl_lookup *lk, struct grants_ctx *c,
                                tf_diag *diag)
{
    static const char *const cols[] = {
        "Session",      "Meeting start", "Country",
        "Country name", "Tier",          "Delegate",
        "Grant",        "Pool",          "Paid from the pool",
        "Your share"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    tf_error err;
    int first = 0;

    memset(c, 0, sizeof(*c));
    c->s = s;
    c->lk = lk;
    xl_header(s, first, cols, n);
    c->row = first + 1;
    err = tf_grant_shares(s->book->fund, d->as_of, d->id, got_share, c, diag);
    if (!err && c->oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        return err;
    xl_filter(s, first, c->row - 1);
    xl_text(s, c->row, 0, "Total", s->book->total);
    xl_sum(s, c->row, 9, first + 1, c->row - 1, c->total, 1);
    xl_note(s, c->row + 2, 0,
            "Each grant's cost is shared among the donors of the pool that "
            "paid it, in proportion to their money in that pool. Each share "
            "is rounded to the cent on its own, so this total may differ by "
            "a few cents from travel grants plus their support costs on the "
            "use of funds, which is exact.",
            NULL);
    xl_cap(s, 3, 36);
    xl_fit(s);
    return TF_OK;
}

/* ---- Cover --------------------------------------------------------- */

static void percent_of(char *buf, size_t size, const char *rate)
{
    int64_t bp = 0;

    /* "0.13" -> "13%": the rate as hundredths of a percent, exactly. */
    if (tf_money_mul_decimal(&bp, 10000, rate, TF_ROUND_HALF_EVEN))
        snprintf(buf, size, "%s", rate);
    else if (bp % 100)
        snprintf(buf, size, "%lld.%02lld%%", (long long)(bp / 100),
                 (long long)(bp % 100));
    else
        snprintf(buf, size, "%lld%%", (long long)(bp / 100));
}

static void sheet_cover(xl_sheet *s, const struct donor_data *d, xl_lookup *lk,
                        const int64_t ptot[5], int64_t received,
                        const struct use_totals *ut, const struct grants_ctx *g)
{
    xl_book *b = s->book;
    char title[512], line[512], f[128], c1[16], c2[16], c3[16], psc[64],
        rate[64] = "0.13";
    int row, r_pledged, r_received, r_out, r_first, r_last, r_total;
    int64_t pledged = ptot[0], outstanding = ptot[3], total;
    lxw_chart *chart;
    lxw_chart_series *series;
    lxw_chart_options opt;

    snprintf(title, sizeof(title), "Statement for %s", d->name);
    row = xl_cover_top(s, title, "Contributions to the fund and their use");
    xl_cover_text(s, row++, "Donor", d->name);
    xl_cover_text(s, row++, "Donor id", d->id);
    xl_cover_text(s, row++, "Type", d->type);
    if (*d->country) {
        const xl_country_info *ci = xl_country_find(lk, d->country);
        char country[300];
        if (ci && *ci->name)
            snprintf(country, sizeof(country), "%s (%s)", ci->name, d->country);
        else
            snprintf(country, sizeof(country), "%s", d->country);
        xl_cover_text(s, row++, "Country", country);
    }
    row++;
    {
        char a[TF_AMOUNT_BUFSZ], z[TF_AMOUNT_BUFSZ];
        snprintf(line, sizeof(line), "%s pledged %s %s and paid %s %s.",
                 d->name, b->base->code, xl_fmt(b, a, pledged), b->base->code,
                 xl_fmt(b, z, received));
        xl_note(s, row++, 0, line, b->strong);
        if (g->delegates)
            snprintf(line, sizeof(line),
                     "Its money helped pay the travel of %ld delegate%s from "
                     "%ld countr%s to %ld meeting%s; %s %s remains in the "
                     "fund.",
                     g->delegates, g->delegates == 1 ? "" : "s",
                     (long)g->ncountries, g->ncountries == 1 ? "y" : "ies",
                     (long)g->nsessions, g->nsessions == 1 ? "" : "s",
                     b->base->code, xl_fmt(b, a, ut->balance));
        else
            snprintf(line, sizeof(line), "%s %s of it remains in the fund.",
                     b->base->code, xl_fmt(b, a, ut->balance));
        xl_note(s, row++, 0, line, b->strong);
        row++;
    }

    xl_text(s, row++, 0, "Your contributions", b->strong);
    r_pledged = row;
    xl_text(s, row, 0, "Pledged", NULL);
    xl_money(s, row, 1, pledged, NULL);
    xl_note(s, row++, 2, "signed agreements, at the rate of the pledge date",
            NULL);
    r_received = row;
    xl_text(s, row, 0, "Received", NULL);
    xl_money(s, row, 1, received, NULL);
    xl_note(s, row++, 2, "money paid into the fund, at the rate of the day",
            NULL);
    r_out = row;
    xl_text(s, row, 0, "Still owed on your pledges", NULL);
    xl_money(s, row++, 1, outstanding, NULL);
    xl_text(s, row, 0, "Exchange-rate gain (loss)", NULL);
    snprintf(f, sizeof(f), "=%s-(%s-%s)", xl_cell(c1, r_received, 1),
             xl_cell(c2, r_pledged, 1), xl_cell(c3, r_out, 1));
    xl_formula(s, row, 1, f, received - (pledged - outstanding), 1, b->money);
    xl_note(s, row++, 2, "payments valued at another rate than the pledge",
            NULL);
    row++;

    tf_setting_get(b->fund, "psc_rate", rate, sizeof(rate), NULL);
    percent_of(psc, sizeof(psc), rate);
    xl_text(s, row++, 0, "How your money was used", b->strong);
    r_first = row;
    snprintf(line, sizeof(line), "Travel of %ld delegate%s", g->delegates,
             g->delegates == 1 ? "" : "s");
    xl_text(s, row, 0, line, NULL);
    xl_money(s, row, 1, ut->travel, NULL);
    if (g->delegates)
        snprintf(line, sizeof(line),
                 "from %ld countr%s to %ld meeting%s: fares, allowances, "
                 "terminal costs",
                 (long)g->ncountries, g->ncountries == 1 ? "y" : "ies",
                 (long)g->nsessions, g->nsessions == 1 ? "" : "s");
    else
        snprintf(line, sizeof(line), "no travel was paid from your money");
    xl_note(s, row++, 2, line, NULL);
    xl_text(s, row, 0, "Conference preparation", NULL);
    xl_money(s, row, 1, ut->prep, NULL);
    xl_note(s, row++, 2, "activities preparing the conference", NULL);
    xl_text(s, row, 0, "Programme support costs", NULL);
    xl_money(s, row, 1, ut->psc, NULL);
    snprintf(line, sizeof(line),
             "%s of travel and preparation costs, to the UN", psc);
    xl_note(s, row++, 2, line, NULL);
    xl_text(s, row, 0, "Refunds", NULL);
    xl_money(s, row, 1, ut->refunds, NULL);
    xl_note(s, row++, 2, "paid back to donors when the fund closes", NULL);
    if (ut->other) {
        xl_text(s, row, 0, "Other outflows", NULL);
        xl_money(s, row++, 1, ut->other, NULL);
    }
    xl_text(s, row, 0, "Balance remaining", NULL);
    xl_money(s, row, 1, ut->balance, NULL);
    xl_note(s, row++, 2, "still in the fund, not yet spent", NULL);
    r_last = row - 1;
    total = ut->travel + ut->prep + ut->psc + ut->refunds + ut->other +
            ut->balance + ut->routed;
    if (!ut->routed && !ut->carried) {
        /* No surplus was routed: the uses are what was paid in. */
        xl_text(s, row, 0, "Equals what you paid in", b->total);
        xl_sum(s, row++, 1, r_first, r_last, total, 1);
    } else {
        xl_text(s, row, 0, "Surplus routed to conference preparation", NULL);
        xl_money(s, row, 1, ut->routed, NULL);
        xl_note(s, row++, 2, "travel money not needed, moved to preparation",
                NULL);
        r_total = row;
        xl_text(s, row, 0, "Total", b->total);
        xl_sum(s, row++, 1, r_first, r_total - 1, total, 1);
        xl_text(s, row, 0, "less routed surplus counted twice", NULL);
        xl_money(s, row, 1, -ut->carried, NULL);
        xl_note(s, row++, 2, "spent again in preparation, counted above", NULL);
        xl_text(s, row, 0, "Equals what you paid in", b->total);
        snprintf(f, sizeof(f), "=%s+%s", xl_cell(c1, r_total, 1),
                 xl_cell(c2, row - 1, 1));
        xl_formula(s, row++, 1, f, total - ut->carried, 1, NULL);
    }
    row++;
    xl_note(s, row++, 0,
            "Spending from each pool is shared among its donors in "
            "proportion to what they paid in. Figures are in the base "
            "currency.",
            NULL);
    xl_note(s, row++, 0,
            "The next sheets list each pledge and receipt, each use by pool "
            "and meeting, and each delegate your money helped fund.",
            NULL);
    xl_fit(s);

    /* Where the money went, under the figures (the routed surplus is
     * left out: it is spent again in preparation). A bar chart keeps the
     * small uses legible beside the large ones. */
    chart = workbook_add_chart(b->wb, LXW_CHART_BAR);
    if (!chart)
        return;
    series = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(series, s->name, (lxw_row_t)r_first, 0,
                                (lxw_row_t)r_last, 0);
    chart_series_set_values(series, s->name, (lxw_row_t)r_first, 1,
                            (lxw_row_t)r_last, 1);
    chart_series_set_labels(series);
    chart_series_set_labels_num_format(series, "#,##0");
    /* In a bar chart the categories run up the y axis: reversed, they
     * read in the order of the table. */
    chart_axis_set_reverse(chart->y_axis);
    chart_axis_set_num_format(chart->x_axis, "#,##0");
    snprintf(line, sizeof(line), "Where your money went (%s)", b->base->code);
    chart_title_set_name(chart, line);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    memset(&opt, 0, sizeof(opt));
    opt.x_scale = 1.45;
    opt.y_scale = 1.0;
    worksheet_insert_chart_opt(s->ws, (lxw_row_t)(row + 1), 0, chart, &opt);
}

/* ---- The statement ------------------------------------------------- */

tf_error tf_report_donor(tf_fund *fund, const char *donor_id, const char *path,
                         const char *as_of, tf_diag *diag)
{
    struct donor_data d;
    struct use_totals ut;
    struct grants_ctx g;
    xl_lookup lk;
    xl_book b;
    xl_sheet cover, pledges, receipts, curr, uses, delegates;
    int64_t ptot[5], received;
    char title[512], subject[128];
    tf_error err;

    memset(&d, 0, sizeof(d));
    memset(&g, 0, sizeof(g));
    memset(&lk, 0, sizeof(lk));
    err = tf_donor_each(fund, donor_id, got_donor, &d, diag);
    if (!err && d.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err && !d.id)
        err =
            tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown donor '%s'", donor_id);
    if (err) {
        data_release(&d);
        return err;
    }
    if ((err = xl_open(&b, fund, path, as_of, 1, diag))) {
        data_release(&d);
        return err;
    }
    d.as_of = b.as_of;
    if (!err)
        err = xl_lookup_init(&lk, fund, diag);
    if (!err)
        err = tf_pledge_each(fund, d.id, got_pledge, &d, diag);
    if (!err && !d.oom)
        err = tf_receipt_each(fund, d.id, got_receipt, &d, diag);
    if (!err && !d.oom)
        err =
            tf_attribution_each(fund, d.as_of, d.id, got_attribution, &d, diag);
    if (!err && !d.oom)
        err = tf_attribution_uses(fund, d.as_of, d.id, got_use, &d, diag);
    if (!err && d.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        goto fail;

    snprintf(title, sizeof(title), "Donor statement: %s", d.name);
    snprintf(subject, sizeof(subject),
             "Contributions and their use, books as of %s", b.as_of);
    xl_properties(&b, title, subject);
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &pledges, "Pledges");
    xl_sheet_add(&b, &receipts, "Receipts");
    xl_sheet_add(&b, &curr, "By currency");
    xl_sheet_add(&b, &uses, "Use of funds");
    xl_sheet_add(&b, &delegates, "Delegates funded");

    sheet_pledges(&pledges, &d, ptot);
    sheet_receipts(&receipts, &d, &received);
    sheet_currencies(&curr, &d);
    sheet_uses(&uses, &d, &lk, &ut);
    if ((err = sheet_delegates(&delegates, &d, &lk, &g, diag)))
        goto fail;
    sheet_cover(&cover, &d, &lk, ptot, received, &ut, &g);
    free(g.countries);
    free(g.sessions);
    xl_lookup_release(&lk);
    data_release(&d);
    return xl_close(&b, diag);
fail:
    free(g.countries);
    free(g.sessions);
    xl_lookup_release(&lk);
    data_release(&d);
    xl_abandon(&b);
    return err;
}

/* Donor ids are validated when recorded; a report still refuses any id
 * that could leave the folder it is written to. */
static int safe_name(const char *id)
{
    return tf_id_valid(id) && !strchr(id, '/') && id[0] != '.';
}

struct donors_ctx {
    char **ids;
    size_t n;
    int oom;
};

static int got_id(void *ctx, const tf_donor *dn)
{
    struct donors_ctx *c = ctx;
    char **grown = realloc(c->ids, (c->n + 1) * sizeof(char *));

    if (!grown || !(grown[c->n] = xl_strdup(dn->id))) {
        if (grown)
            c->ids = grown;
        c->oom = 1;
        return 1;
    }
    c->ids = grown;
    c->n++;
    return 0;
}

tf_error tf_report_donors(tf_fund *fund, const char *dir, const char *as_of,
                          long *count,
                          void (*progress)(void *ctx, long done, long total),
                          void *ctx, tf_diag *diag)
{
    struct donors_ctx c = {NULL, 0, 0};
    tf_error err;
    char *path = NULL;

    if (count)
        *count = 0;
    if (as_of && tf_date_check(as_of, diag))
        return TF_ERR_INPUT;
    err = tf_donor_each(fund, NULL, got_id, &c, diag);
    if (!err && c.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !err && i < c.n; i++) {
        size_t len = strlen(dir) + strlen(c.ids[i]) + 8;
        if (!safe_name(c.ids[i])) {
            err = tf_diag_set(diag, TF_ERR_INPUT,
                              "donor id '%s' cannot name a file", c.ids[i]);
            break;
        }
        free(path);
        if (!(path = malloc(len))) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s.xlsx", dir, c.ids[i]);
        err = tf_report_donor(fund, c.ids[i], path, as_of, diag);
        if (!err && count)
            (*count)++;
        if (!err && progress)
            progress(ctx, (long)i + 1, (long)c.n);
    }
    free(path);
    for (size_t i = 0; i < c.n; i++)
        free(c.ids[i]);
    free(c.ids);
    return err;
}
