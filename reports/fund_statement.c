/* SPDX-License-Identifier: MIT */
/*
 * The fund statement: financial position at the end of a period and
 * financial performance over it, by pool, in the words of financial
 * statements (from the trial balance at both ends); the contributions of
 * every donor, the pools, allocations by session (the decisions as they
 * stood at the end) and the trial balance itself, the one sheet that
 * names accounts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/report.h"
#include "tfund/treasury.h"
#include "tfund/statement.h"
#include "xl.h"

/* ---- Gathering ----------------------------------------------------- */

struct tb_row {
    char *account;
    int pool;
    int64_t balance;
};

struct tb {
    struct tb_row *rows;
    size_t n;
    int oom;
};

struct donor_sum {
    char *id, *name, *type;
    int64_t pledged, received, outstanding, overdue, received_period;
    long pledges;
};

struct session_sum {
    long requests, funded, disbursed, waitlisted, rejected, cancelled, pending;
    int64_t funded_charge; /* charge of funded and disbursed decisions */
    int64_t committed;     /* outstanding commitments, from the journal */
    int64_t paid;          /* disbursed actual cost and PSC, ditto */
};

struct req_key {
    char *ref;
    size_t session;
};

struct fund_data {
    const char *as_of, *from;
    xl_lookup lk;
    struct tb end, start; /* trial balances at the end, before the start */
    struct donor_sum *donors;
    size_t ndonors;
    struct session_sum *sessions; /* one per lk.sessions */
    struct req_key *reqs;         /* sorted by ref */
    size_t nreqs;
    struct {
        int64_t id;
        size_t session;
    } * entries; /* grant entries seen, by id, for reversals */
    size_t nentries;
    tf_pool_figures pools[TF_POOL_COUNT];
    /* Before the period (zero without one), for the cash movements: */
    tf_pool_figures pools_start[TF_POOL_COUNT];
    tf_psc_figures psc_end[TF_POOL_COUNT], psc_start[TF_POOL_COUNT];
    struct donor_sum *cur; /* the donor being summed */
    int oom;
};

static void tb_release(struct tb *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].account);
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

static void fund_release(struct fund_data *d)
{
    tb_release(&d->end);
    tb_release(&d->start);
    for (size_t i = 0; i < d->ndonors; i++) {
        free(d->donors[i].id);
        free(d->donors[i].name);
        free(d->donors[i].type);
    }
    free(d->donors);
    for (size_t i = 0; i < d->nreqs; i++)
        free(d->reqs[i].ref);
    free(d->reqs);
    free(d->entries);
    free(d->sessions);
    xl_lookup_release(&d->lk);
}

static int got_balance(void *ctx, const char *account, const char *pool,
                       int64_t balance)
{
    struct tb *t = ctx;
    struct tb_row *grown;

    if (tf_pool_find(pool) < 0)
        return 0;
    grown = realloc(t->rows, (t->n + 1) * sizeof(*grown));
    if (!grown) {
        t->oom = 1;
        return 1;
    }
    t->rows = grown;
    t->rows[t->n].account = xl_strdup(account);
    t->rows[t->n].pool = tf_pool_find(pool);
    t->rows[t->n].balance = balance;
    if (!t->rows[t->n++].account)
        t->oom = 1;
    return t->oom;
}

static int got_donor(void *ctx, const tf_donor *dn)
{
    struct fund_data *d = ctx;
    struct donor_sum *grown =
        realloc(d->donors, (d->ndonors + 1) * sizeof(*grown));

    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->donors = grown;
    memset(&grown[d->ndonors], 0, sizeof(*grown));
    grown[d->ndonors].id = xl_strdup(dn->id);
    grown[d->ndonors].name = xl_strdup(dn->name);
    grown[d->ndonors].type = xl_strdup(dn->type);
    d->oom |= !grown[d->ndonors].id || !grown[d->ndonors].name ||
              !grown[d->ndonors].type;
    d->ndonors++;
    return d->oom;
}

static int got_pledge(void *ctx, const tf_statement_pledge *p)
{
    struct donor_sum *ds = ((struct fund_data *)ctx)->cur;

    ds->pledged += p->booked;
    ds->received += p->received_value;
    ds->outstanding += p->booked - p->relieved;
    if (p->overdue)
        ds->overdue += p->booked - p->relieved;
    ds->pledges += !p->implicit;
    return 0;
}

static int got_receipt(void *ctx, const tf_statement_receipt *r)
{
    ((struct fund_data *)ctx)->cur->received_period += r->value;
    return 0;
}

static int got_request(void *ctx, const tf_request *r)
{
    struct fund_data *d = ctx;
    const xl_session_info *si = xl_session_find(&d->lk, r->session);
    struct session_sum *ss;
    struct req_key *grown;

    if (!si)
        return 0;
    ss = &d->sessions[si - d->lk.sessions];
    ss->requests++;
    if (tf_status_is(r->status, TF_STATUS_FUNDED))
        ss->funded++;
    else if (tf_status_is(r->status, TF_STATUS_DISBURSED))
        ss->disbursed++;
    else if (tf_status_is(r->status, TF_STATUS_WAITLISTED))
        ss->waitlisted++;
    else if (tf_status_is(r->status, TF_STATUS_REJECTED))
        ss->rejected++;
    else if (tf_status_is(r->status, TF_STATUS_CANCELLED))
        ss->cancelled++;
    else
        ss->pending++;
    if (tf_status_is(r->status, TF_STATUS_FUNDED) ||
        tf_status_is(r->status, TF_STATUS_DISBURSED))
        ss->funded_charge += r->charge;
    grown = realloc(d->reqs, (d->nreqs + 1) * sizeof(*grown));
    if (!grown || !(grown[d->nreqs].ref = xl_strdup(r->ref))) {
        if (grown)
            d->reqs = grown;
        d->oom = 1;
        return 1;
    }
    d->reqs = grown;
    d->reqs[d->nreqs++].session = (size_t)(si - d->lk.sessions);
    return 0;
}

static int cmp_req(const void *a, const void *b)
{
    return strcmp(((const struct req_key *)a)->ref,
                  ((const struct req_key *)b)->ref);
}

/* The session of a grant entry (tf_grant_entry_ref); a reversal takes
 * its original's. */
static long entry_session(struct fund_data *d, const tf_entry *e)
{
    char ref[256];
    struct req_key key, *hit;

    if (e->reverses) {
        size_t lo = 0, hi = d->nentries;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (d->entries[mid].id == e->reverses)
                return (long)d->entries[mid].session;
            if (d->entries[mid].id < e->reverses)
                lo = mid + 1;
            else
                hi = mid;
        }
        return -1;
    }
    if (!tf_grant_entry_ref(e, ref, sizeof(ref)))
        return -1;
    key.ref = ref;
    if (!d->nreqs)
        return -1;
    hit = bsearch(&key, d->reqs, d->nreqs, sizeof(*d->reqs), cmp_req);
    return hit ? (long)hit->session : -1;
}

static int got_entry(void *ctx, const tf_entry *e)
{
    struct fund_data *d = ctx;
    long s = entry_session(d, e);
    struct session_sum *ss;
    void *grown;

    if (s < 0)
        return 0;
    ss = &d->sessions[s];
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        const char *key;
        xl_line k = xl_account_line(p->account, &key);
        if (k == XL_BUDGET)
            ss->committed += p->amount;
        else if (k == XL_TRAVEL || k == XL_PSC)
            ss->paid += p->amount;
    }
    grown = realloc(d->entries, (d->nentries + 1) * sizeof(*d->entries));
    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->entries = grown;
    d->entries[d->nentries].id = e->id;
    d->entries[d->nentries++].session = (size_t)s;
    return 0;
}

/* ---- Lines by pool ------------------------------------------------- */

struct line {
    int64_t v[TF_POOL_COUNT];
};

static int line_zero(const struct line *l)
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (l->v[k])
            return 0;
    return 1;
}

static int64_t line_total(const struct line *l)
{
    int64_t t = 0;

    for (int k = 0; k < TF_POOL_COUNT; k++)
        t += l->v[k];
    return t;
}

static void add_line(struct line *to, const struct line *l, int sign)
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        to->v[k] += sign * l->v[k];
}

/* Sums sign x balance of the accounts of kind (and key, when given) in t
 * into l. */
static void sum_kind(const struct tb *t, struct line *l, xl_line kind,
                     const char *key, int sign)
{
    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < t->n; i++) {
        const char *k;
        if (xl_account_line(t->rows[i].account, &k) == kind &&
            (!key || (k && !strcmp(k, key))))
            l->v[t->rows[i].pool] += sign * t->rows[i].balance;
    }
}

/* The same over the period: at the end less before the start. */
static void period_kind(const struct fund_data *d, struct line *l, xl_line kind,
                        const char *key, int sign)
{
    struct line before;

    sum_kind(&d->end, l, kind, key, sign);
    sum_kind(&d->start, &before, kind, key, sign);
    add_line(l, &before, -1);
}

/* Writes a line: label, the pools, and a formula total across them. */
static void write_line(xl_sheet *s, int row, const char *label,
                       const struct line *l, lxw_format *lf)
{
    char f[64], a[16], z[16];

    if (lf)
        xl_text(s, row, 0, label, lf);
    else
        xl_wrap(s, row, 0, label, 60);
    for (int k = 0; k < TF_POOL_COUNT; k++)
        xl_money(s, row, 1 + k, l->v[k], NULL);
    snprintf(f, sizeof(f), "=SUM(%s:%s)", xl_cell(a, row, 1),
             xl_cell(z, row, TF_POOL_COUNT));
    xl_formula(s, row, 1 + TF_POOL_COUNT, f, line_total(l), 1, s->book->money);
}

/* Per pool and total, =SUM of rows first..last, values cached. */
static void write_sum_line(xl_sheet *s, int row, const char *label, int first,
                           int last, const struct line *l)
{
    xl_text(s, row, 0, label, s->book->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++)
        xl_sum(s, row, 1 + k, first, last,
               k < TF_POOL_COUNT ? l->v[k] : line_total(l), 1);
}

/* row = a - b, per pool, as formulas. */
static void write_diff_line(xl_sheet *s, int row, const char *label, int ra,
                            int rb, const struct line *l)
{
    char f[64], a[16], b[16];

    xl_text(s, row, 0, label, s->book->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++) {
        snprintf(f, sizeof(f), "=%s-%s", xl_cell(a, ra, 1 + k),
                 xl_cell(b, rb, 1 + k));
        xl_formula(s, row, 1 + k, f,
                   k < TF_POOL_COUNT ? l->v[k] : line_total(l), 1, NULL);
    }
}

static void pool_header(xl_sheet *s, int row, const char *first)
{
    const char *cols[2 + TF_POOL_COUNT];

    cols[0] = first;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        cols[1 + k] = xl_pool_name(k);
    cols[1 + TF_POOL_COUNT] = "Total";
    xl_header(s, row, cols, 2 + TF_POOL_COUNT, "lrrrrr");
}

/* The pools' figures as a line. */
static void pools_line(const struct fund_data *d, struct line *l, int what)
{
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        const tf_pool_figures *p = &d->pools[k];
        l->v[k] = what == 0   ? p->cash
                  : what == 1 ? p->committed
                  : what == 2 ? p->reserve
                              : p->available;
    }
}

/* ---- Funding status ------------------------------------------------ */

/* The cash movements of the fund from the start to a day (tb and the
 * figures as of it): what came into the bank and what went out. */
struct flows {
    int64_t contributions, interest, travel, prep, psc_paid, bank;
};

static struct flows flows_of(const struct tb *t, const tf_pool_figures *pools,
                             const tf_psc_figures *psc)
{
    struct flows f;
    struct line l;

    memset(&f, 0, sizeof(f));
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        f.contributions += pools[k].receipts;
        f.interest += pools[k].interest;
        f.psc_paid += psc[k].paid;
    }
    sum_kind(t, &l, XL_TRAVEL, NULL, 1);
    f.travel = line_total(&l);
    sum_kind(t, &l, XL_PREP, NULL, 1);
    f.prep = line_total(&l);
    sum_kind(t, &l, XL_CASH, NULL, 1);
    f.bank = line_total(&l);
    return f;
}

/*
 * The fund's cash in the bank as the funding-status reports of UN
 * multi-partner trust funds show it: sources (contributions received,
 * interest earned), uses (travel grants and preparation paid, programme
 * support costs paid to the UN), the change in the cash in the bank and
 * the balance at both ends; for a period, before it, in it and in all.
 */
static void sheet_status(xl_sheet *s, const struct fund_data *d)
{
    xl_book *b = s->book;
    struct flows end = flows_of(&d->end, d->pools, d->psc_end),
                 start = flows_of(&d->start, d->pools_start, d->psc_start);
    struct flows col[3];
    const char *cols[4];
    char before[64], during[96], words[32], words2[32];
    int ncols = d->from ? 3 : 1, row = 0, head, r_src, r_use, r_change, first;

    if (d->from) {
        char opening[TF_DATE_LEN + 1];
        tf_date_add_days(opening, d->from, -1);
        snprintf(before, sizeof(before), "To %s",
                 xl_date_words(words, opening));
        snprintf(during, sizeof(during), "%s to %s",
                 xl_date_words(words, d->from),
                 xl_date_words(words2, d->as_of));
        cols[1] = before;
        cols[2] = during;
        cols[3] = "Total";
        col[0] = start;
        col[1].contributions = end.contributions - start.contributions;
        col[1].interest = end.interest - start.interest;
        col[1].travel = end.travel - start.travel;
        col[1].prep = end.prep - start.prep;
        col[1].psc_paid = end.psc_paid - start.psc_paid;
        col[1].bank = end.bank;
        col[2] = end;
    } else {
        snprintf(during, sizeof(during), "To %s",
                 xl_date_words(words, d->as_of));
        cols[1] = during;
        col[0] = end;
    }
    cols[0] = "";
    row = xl_note(s, row, 0,
                  "Funding status: the fund's cash in the bank, where it came "
                  "from and where it went",
                  b->strong);
    row++;
    xl_header(s, head = row++, cols, ncols + 1, "lrrr");
    xl_text(s, row++, 0, "Sources of funds", b->strong);
    first = row;
    xl_text(s, row, 0, "Contributions from donors", NULL);
    for (int c = 0; c < ncols; c++)
        xl_money(s, row, 1 + c, col[c].contributions, NULL);
    row++;
    xl_text(s, row, 0, "Interest earned on the fund's bank balance", NULL);
    for (int c = 0; c < ncols; c++)
        xl_money(s, row, 1 + c, col[c].interest, NULL);
    row++;
    r_src = row;
    xl_text(s, row, 0, "Total sources of funds", b->total);
    for (int c = 0; c < ncols; c++)
        xl_sum(s, row, 1 + c, first, row - 1,
               col[c].contributions + col[c].interest, 1);
    row++;
    xl_text(s, row++, 0, "Uses of funds", b->strong);
    first = row;
    {
        static const char *const labels[3] = {
            "Travel grants paid to delegates", "Conference preparation",
            "Programme support costs paid to the UN"};
        for (int i = 0; i < 3; i++, row++) {
            xl_text(s, row, 0, labels[i], NULL);
            for (int c = 0; c < ncols; c++)
                xl_money(s, row, 1 + c,
                         i == 0   ? col[c].travel
                         : i == 1 ? col[c].prep
                                  : col[c].psc_paid,
                         NULL);
        }
    }
    r_use = row;
    xl_text(s, row, 0, "Total uses of funds", b->total);
    for (int c = 0; c < ncols; c++)
        xl_sum(s, row, 1 + c, first, row - 1,
               col[c].travel + col[c].prep + col[c].psc_paid, 1);
    row++;
    row++;
    r_change = row;
    xl_text(s, row, 0, "Change in the cash in the bank", NULL);
    for (int c = 0; c < ncols; c++) {
        char f[64], x[16], y[16];
        snprintf(f, sizeof(f), "=%s-%s", xl_cell(x, r_src, 1 + c),
                 xl_cell(y, r_use, 1 + c));
        xl_formula(s, row, 1 + c, f,
                   col[c].contributions + col[c].interest - col[c].travel -
                       col[c].prep - col[c].psc_paid,
                   1, b->money);
    }
    row++;
    xl_text(s, row, 0, "Cash in the bank at the start", NULL);
    for (int c = 0; c < ncols; c++)
        xl_money(s, row, 1 + c, d->from && c == 1 ? start.bank : 0, NULL);
    row++;
    /* Nothing else moves the bank's cash (verify checks each pool's);
     * were anything to, it would show here rather than be hidden. */
    {
        int other = 0;
        int64_t gap[3];
        for (int c = 0; c < ncols; c++) {
            int64_t opening = d->from && c == 1 ? start.bank : 0;
            int64_t closing = d->from && c == 0 ? start.bank : end.bank;
            gap[c] = closing - opening -
                     (col[c].contributions + col[c].interest - col[c].travel -
                      col[c].prep - col[c].psc_paid);
            other |= gap[c] != 0;
        }
        if (other) {
            xl_text(s, row, 0, "Other movements", NULL);
            for (int c = 0; c < ncols; c++)
                xl_money(s, row, 1 + c, gap[c], NULL);
            row++;
        }
    }
    xl_text(s, row, 0, "Cash in the bank at the end", b->total);
    for (int c = 0; c < ncols; c++)
        xl_sum(s, row, 1 + c, r_change, row - 1,
               d->from && c == 0 ? start.bank : end.bank, 1);
    row++;
    xl_filter(s, head, row - 1);
    row++;
    row = xl_note(
        s, row, 0,
        "Contributions: what donors paid in, at the rates of the days it "
        "arrived. Interest: earned on the fund's bank balance and credited "
        "to a pool; it is the fund's own money and shares in that pool's "
        "spending like a donor's contribution.",
        NULL);
    row = xl_note(
        s, row, 0,
        "Programme support costs are charged on every travel grant and "
        "preparation expense and remitted to the UN later: the cash in the "
        "bank holds what is charged and not yet paid (the financial "
        "position shows it as a liability).",
        NULL);
    xl_fit(s);
}

/* ---- Financial position -------------------------------------------- */

static void sheet_position(xl_sheet *s, const struct fund_data *d,
                           struct line *net)
{
    xl_book *b = s->book;
    struct line cash, recv, other_a, assets, psc, refunds, other_l, liab, held,
        gap, l;
    int row = 0, head, r_assets, r_liab, first;
    char label[128], words[32];

    sum_kind(&d->end, &cash, XL_CASH, NULL, 1);
    sum_kind(&d->end, &recv, XL_RECEIVABLE, NULL, 1);
    sum_kind(&d->end, &other_a, XL_OTHER_ASSET, NULL, 1);
    sum_kind(&d->end, &psc, XL_PSC_PAYABLE, NULL, -1);
    sum_kind(&d->end, &refunds, XL_REFUNDS_PAYABLE, NULL, -1);
    sum_kind(&d->end, &other_l, XL_OTHER_LIABILITY, NULL, -1);
    assets = cash;
    add_line(&assets, &recv, 1);
    add_line(&assets, &other_a, 1);
    liab = psc;
    add_line(&liab, &refunds, 1);
    add_line(&liab, &other_l, 1);
    *net = assets;
    add_line(net, &liab, -1);

    snprintf(label, sizeof(label),
             "Statement of financial position by pool, %s",
             xl_date_words(words, d->as_of));
    row = xl_note(s, row, 0, label, b->strong);
    row++;
    pool_header(s, head = row++, "");
    xl_text(s, row++, 0, "Assets", b->strong);
    first = row;
    write_line(s, row++, "Cash in the bank", &cash, NULL);
    write_line(s, row++, "Contributions receivable (pledged, not yet paid)",
               &recv, NULL);
    if (!line_zero(&other_a))
        write_line(s, row++, "Other assets", &other_a, NULL);
    r_assets = row;
    write_sum_line(s, row, "Total assets", first, row - 1, &assets);
    row++;
    xl_text(s, row++, 0, "Liabilities", b->strong);
    first = row;
    write_line(s, row++, "Programme support costs payable to the UN", &psc,
               NULL);
    write_line(s, row++, "Refunds payable to donors", &refunds, NULL);
    if (!line_zero(&other_l))
        write_line(s, row++, "Other liabilities", &other_l, NULL);
    r_liab = row;
    write_sum_line(s, row, "Total liabilities", first, row - 1, &liab);
    row++;
    write_diff_line(s, row++, "Net assets (held for each pool's purpose)",
                    r_assets, r_liab, net);
    row++;

    /* Between the bank and the pools: what the fund owes out of its cash. */
    xl_text(s, row++, 0, "Cash in the bank and what it is held for", b->strong);
    first = row;
    write_line(s, row++, "Cash in the bank", &cash, NULL);
    memset(&l, 0, sizeof(l));
    add_line(&l, &psc, -1);
    write_line(s, row++, "less programme support costs payable to the UN", &l,
               NULL);
    memset(&l, 0, sizeof(l));
    add_line(&l, &refunds, -1);
    write_line(s, row++, "less refunds payable to donors", &l, NULL);
    pools_line(d, &held, 0);
    gap = held;
    add_line(&gap, &cash, -1);
    add_line(&gap, &psc, 1);
    add_line(&gap, &refunds, 1);
    if (!line_zero(&gap))
        write_line(s, row++, "other differences", &gap, NULL);
    write_sum_line(s, row, "Cash held for the pools", first, row - 1, &held);
    row++;
    pools_line(d, &l, 1);
    write_line(s, row++, "of which committed to funded grants", &l, NULL);
    pools_line(d, &l, 2);
    write_line(s, row++, "of which the operating reserve", &l, NULL);
    pools_line(d, &l, 3);
    write_line(s, row++, "of which available for new grants and spending", &l,
               NULL);
    xl_filter(s, head, row - 1);
    row++;
    row = xl_note(
        s, row, 0,
        "Programme support costs are charged on every travel grant and "
        "preparation expense when it is paid, and owed to the UN until "
        "remitted: the cash that pays them stays in the bank until then "
        "but is no longer the pools'.",
        NULL);
    row = xl_note(
        s, row, 0,
        "Net assets are what each pool holds for its purpose: its cash "
        "and what donors still owe on their pledges, less what the pool "
        "owes. Liabilities are shown as positive amounts.",
        NULL);
    xl_cap(s, 0, 50);
    xl_fit(s);
}

/* ---- Financial performance ----------------------------------------- */

static void sheet_performance(xl_sheet *s, const struct fund_data *d,
                              const struct line *net_end)
{
    xl_book *b = s->book;
    struct line l, rev, exp, surplus, transfers, change, start;
    int row = 0, head, first, r_rev, r_exp, r_surplus, r_tr, r_change, r_start;
    char label[512], period[80], f[96], a[16], c[16];

    snprintf(label, sizeof(label),
             "Statement of financial performance by pool, %s",
             xl_period_words(b, period));
    row = xl_note(s, row, 0, label, b->strong);
    row++;
    pool_header(s, head = row++, "");
    xl_text(s, row++, 0, "Revenue", b->strong);
    first = row;
    memset(&rev, 0, sizeof(rev));
    for (size_t i = 0; i < d->ndonors; i++) {
        period_kind(d, &l, XL_CONTRIBUTION, d->donors[i].id, -1);
        if (line_zero(&l))
            continue;
        snprintf(label, sizeof(label), "Contributions from %s",
                 d->donors[i].name);
        write_line(s, row++, label, &l, NULL);
        add_line(&rev, &l, 1);
    }
    {
        static const struct {
            xl_line kind;
            const char *label;
            int always;
        } lines[] = {
            {XL_FX_GAIN, "Exchange gains", 1},
            {XL_INTEREST, "Interest earned on the fund's bank balance", 0},
            {XL_OTHER_REVENUE, "Other revenue", 0},
        };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
            period_kind(d, &l, lines[i].kind, NULL, -1);
            if (!lines[i].always && line_zero(&l))
                continue;
            write_line(s, row++, lines[i].label, &l, NULL);
            add_line(&rev, &l, 1);
        }
    }
    r_rev = row;
    write_sum_line(s, row, "Total revenue", first, row - 1, &rev);
    row++;
    row++;
    xl_text(s, row++, 0, "Expenses", b->strong);
    first = row;
    memset(&exp, 0, sizeof(exp));
    for (size_t i = 0; i < d->lk.nsessions; i++) {
        period_kind(d, &l, XL_TRAVEL, d->lk.sessions[i].id, 1);
        if (line_zero(&l))
            continue;
        snprintf(label, sizeof(label), "Travel grants: %s",
                 d->lk.sessions[i].name);
        write_line(s, row++, label, &l, NULL);
        add_line(&exp, &l, 1);
    }
    {
        static const struct {
            xl_line kind;
            const char *label;
            int always;
        } lines[] = {
            {XL_PSC, "Programme support costs", 1},
            {XL_PREP, "Conference preparation", 1},
            {XL_FX_LOSS, "Exchange losses", 1},
            {XL_REFUNDS, "Refunds to donors", 1},
            {XL_OTHER_EXPENSE, "Other expenses", 0},
        };
        struct line travel_all, travel_shown;
        /* Travel of a session no longer registered still counts. */
        period_kind(d, &travel_all, XL_TRAVEL, NULL, 1);
        travel_shown = exp;
        add_line(&travel_all, &travel_shown, -1);
        if (!line_zero(&travel_all)) {
            write_line(s, row++, "Travel grants: other meetings", &travel_all,
                       NULL);
            add_line(&exp, &travel_all, 1);
        }
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
            period_kind(d, &l, lines[i].kind, NULL, 1);
            if (!lines[i].always && line_zero(&l))
                continue;
            write_line(s, row++, lines[i].label, &l, NULL);
            add_line(&exp, &l, 1);
        }
    }
    r_exp = row;
    write_sum_line(s, row, "Total expenses", first, row - 1, &exp);
    row++;
    row++;
    surplus = rev;
    add_line(&surplus, &exp, -1);
    r_surplus = row;
    write_diff_line(s, row++, "Surplus (deficit) for the period", r_rev, r_exp,
                    &surplus);
    period_kind(d, &transfers, XL_TRANSFER, NULL, -1);
    r_tr = row;
    write_line(s, row++,
               "Transfers between pools: travel money no longer needed, to "
               "conference preparation",
               &transfers, NULL);
    change = surplus;
    add_line(&change, &transfers, 1);
    r_change = row;
    xl_text(s, row, 0, "Change in net assets", b->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++) {
        snprintf(f, sizeof(f), "=%s+%s", xl_cell(a, r_surplus, 1 + k),
                 xl_cell(c, r_tr, 1 + k));
        xl_formula(s, row, 1 + k, f,
                   k < TF_POOL_COUNT ? change.v[k] : line_total(&change), 1,
                   NULL);
    }
    row++;
    start = *net_end;
    add_line(&start, &change, -1);
    r_start = row;
    write_line(s, row++, "Net assets at the start of the period", &start, NULL);
    xl_text(s, row, 0, "Net assets at the end of the period", b->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++) {
        snprintf(f, sizeof(f), "=%s+%s", xl_cell(a, r_start, 1 + k),
                 xl_cell(c, r_change, 1 + k));
        xl_formula(s, row, 1 + k, f,
                   k < TF_POOL_COUNT ? net_end->v[k] : line_total(net_end), 1,
                   NULL);
    }
    xl_filter(s, head, row);
    row += 2;
    row = xl_note(
        s, row, 0,
        "Contributions are recognised as revenue when a pledge is signed "
        "(a payment without a pledge, when it arrives). Transfers move "
        "money between pools and add nothing in total.",
        NULL);
    xl_note(s, row, 0,
            "Net assets at the end equal those of the statement of financial "
            "position.",
            NULL);
    xl_cap(s, 0, 60);
    xl_fit(s);
}

static void sheet_contributions(xl_sheet *s, const struct fund_data *d,
                                int64_t tot[5])
{
    static const char *const cols[] = {
        "Donor",    "Name",        "Type",
        "Pledges",  "Pledged",     "Received in the period",
        "Received", "Outstanding", "of which overdue"};
    int row = 0, head;

    memset(tot, 0, 5 * sizeof(int64_t));
    xl_header(s, head = row++, cols, 9, "lllrrrrrr");
    for (size_t i = 0; i < d->ndonors; i++, row++) {
        const struct donor_sum *ds = &d->donors[i];
        int64_t v[5] = {ds->pledged, ds->received_period, ds->received,
                        ds->outstanding, ds->overdue};
        xl_text(s, row, 0, ds->id, NULL);
        xl_wrap(s, row, 1, ds->name, 40);
        xl_text(s, row, 2, ds->type, NULL);
        xl_int(s, row, 3, ds->pledges, NULL);
        for (int c = 0; c < 5; c++) {
            xl_money(s, row, 4 + c, v[c], NULL);
            tot[c] += v[c];
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 5; c++)
        xl_sum(s, row, 4 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    row = xl_note(
        s, row, 0,
        "Pledged: at the rate of the pledge date (a payment without a "
        "pledge counts as pledged when it arrives); received: at the "
        "rate of the day of payment; outstanding: what the pledges still "
        "carry as receivable.",
        NULL);
    xl_note(s, row, 0,
            "Overdue: outstanding on pledges due before the end of the "
            "period. Pledges: the number of signed pledges.",
            NULL);
    xl_fit(s);
}

static void sheet_pools(xl_sheet *s, const struct fund_data *d)
{
    static const char *const cols[] = {"Pool",      "Receipts",  "Interest",
                                       "Cash held", "Committed", "Reserve",
                                       "Available"};
    int row = 0, head;
    int64_t tot[6] = {0, 0, 0, 0, 0, 0};

    xl_header(s, head = row++, cols, 7, "lrrrrrr");
    for (int k = 0; k < TF_POOL_COUNT; k++, row++) {
        const tf_pool_figures *p = &d->pools[k];
        int64_t v[6] = {p->receipts,  p->interest, p->cash,
                        p->committed, p->reserve,  p->available};
        xl_text(s, row, 0, xl_pool_name(k), NULL);
        for (int c = 0; c < 6; c++) {
            xl_money(s, row, 1 + c, v[c], NULL);
            tot[c] += v[c];
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 6; c++)
        xl_sum(s, row, 1 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    row = xl_note(
        s, row, 0,
        "Receipts: donors' money paid into the pool. Interest: what the "
        "fund earned on its bank balance, credited to the pool (the fund's "
        "own money, on which no reserve is kept). Cash held: receipts, "
        "interest and transfers in, less transfers out, grants and "
        "preparation paid (with PSC) and refunds.",
        NULL);
    xl_note(s, row, 0,
            "Committed: funded grants not yet paid. Available: cash held "
            "less commitments and the operating reserve; only cash is ever "
            "allocated.",
            NULL);
    xl_fit(s);
}

static void sheet_allocations(xl_sheet *s, const struct fund_data *d,
                              int64_t *committed, int64_t *paid)
{
    static const char *const cols[] = {"Session",
                                       "Meeting",
                                       "Start",
                                       "Requests",
                                       "Funded",
                                       "Paid",
                                       "Waitlisted",
                                       "Rejected",
                                       "Cancelled",
                                       "Pending",
                                       "Charge of funded grants",
                                       "Committed",
                                       "Paid with PSC"};
    int row = 0, head;
    long tot[7] = {0, 0, 0, 0, 0, 0, 0};
    int64_t charge = 0;

    *committed = *paid = 0;
    xl_header(s, head = row++, cols, 13, "lllrrrrrrrrrr");
    for (size_t i = 0; i < d->lk.nsessions; i++, row++) {
        const xl_session_info *si = &d->lk.sessions[i];
        const struct session_sum *ss = &d->sessions[i];
        long n[7] = {ss->requests, ss->funded,    ss->disbursed, ss->waitlisted,
                     ss->rejected, ss->cancelled, ss->pending};
        xl_text(s, row, 0, si->id, NULL);
        xl_wrap(s, row, 1, si->name, 44);
        xl_date(s, row, 2, si->start);
        for (int c = 0; c < 7; c++) {
            xl_int(s, row, 3 + c, n[c], NULL);
            tot[c] += n[c];
        }
        xl_money(s, row, 10, ss->funded_charge, NULL);
        xl_money(s, row, 11, ss->committed, NULL);
        xl_money(s, row, 12, ss->paid, NULL);
        charge += ss->funded_charge;
        *committed += ss->committed;
        *paid += ss->paid;
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 7; c++)
        xl_sum(s, row, 3 + c, head + 1, row - 1, tot[c], 0);
    xl_sum(s, row, 10, head + 1, row - 1, charge, 1);
    xl_sum(s, row, 11, head + 1, row - 1, *committed, 1);
    xl_sum(s, row, 12, head + 1, row - 1, *paid, 1);
    row += 2;
    row = xl_note(s, row, 0,
                  "Requests by their decision as it stood at the end of the "
                  "period (funded: not yet paid). Charge of funded grants: the "
                  "estimate (with PSC) on which funded and paid requests were "
                  "approved.",
                  NULL);
    xl_note(s, row, 0,
            "Committed: funded grants not yet paid; paid with PSC: actual "
            "travel costs with their support costs, both from the books.",
            NULL);
    xl_fit(s);
}

static void sheet_trial(xl_sheet *s, const struct fund_data *d)
{
    static const char *const cols[] = {"Account", "Pool", "Debit", "Credit",
                                       "Balance"};
    int row = 0, head;
    int64_t dr = 0, cr = 0;

    xl_header(s, head = row++, cols, 5, "llrrr");
    for (size_t i = 0; i < d->end.n; i++, row++) {
        const struct tb_row *t = &d->end.rows[i];
        xl_text(s, row, 0, t->account, NULL);
        xl_text(s, row, 1, tf_pools[t->pool], NULL);
        if (t->balance > 0) {
            xl_money(s, row, 2, t->balance, NULL);
            dr += t->balance;
        } else {
            xl_money(s, row, 3, -t->balance, NULL);
            cr -= t->balance;
        }
        xl_money(s, row, 4, t->balance, NULL);
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    xl_sum(s, row, 2, head + 1, row - 1, dr, 1);
    xl_sum(s, row, 3, head + 1, row - 1, cr, 1);
    xl_sum(s, row, 4, head + 1, row - 1, dr - cr, 1);
    row += 2;
    xl_note(s, row, 0,
            "Every account's balance in every pool at the end of the period; "
            "debits positive. Debits equal credits in every pool.",
            NULL);
    xl_fit(s);
}

static void cover_money(xl_sheet *s, int *row, const char *label,
                        int64_t amount, const char *note, lxw_format *lf,
                        lxw_format *mf)
{
    xl_text(s, *row, 0, label, lf);
    xl_money(s, *row, 1, amount, mf);
    if (note)
        xl_note(s, *row, 2, note, NULL);
    (*row)++;
}

static void sheet_cover(xl_sheet *s, const struct fund_data *d,
                        const int64_t contrib[5], const struct line *net,
                        int64_t committed, int64_t paid)
{
    xl_book *b = s->book;
    int row, r_bank, r_held;
    long grants = 0, requests = 0;
    int64_t available = 0, held = 0;
    struct line cash, psc, refunds, l, psc_start, psc_charged;
    char rate[64] = "", reserve[64] = "", line[160];
    int64_t psc_paid = 0, interest = 0;

    for (size_t i = 0; i < d->lk.nsessions; i++) {
        grants += d->sessions[i].disbursed;
        requests += d->sessions[i].requests;
    }
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        available += d->pools[k].available;
        held += d->pools[k].cash;
    }
    sum_kind(&d->end, &cash, XL_CASH, NULL, 1);
    sum_kind(&d->end, &psc, XL_PSC_PAYABLE, NULL, -1);
    sum_kind(&d->end, &refunds, XL_REFUNDS_PAYABLE, NULL, -1);
    sum_kind(&d->start, &psc_start, XL_PSC_PAYABLE, NULL, -1);
    period_kind(d, &psc_charged, XL_PSC, NULL, 1);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        psc_paid += d->psc_end[k].paid - d->psc_start[k].paid;
        interest += d->pools[k].interest - d->pools_start[k].interest;
    }
    tf_setting_get(b->fund, "psc_rate", rate, sizeof(rate), NULL);
    tf_setting_get(b->fund, "reserve_rate", reserve, sizeof(reserve), NULL);

    row = xl_cover_top(s, "Fund statement",
                       "Financial position, performance, contributions and "
                       "allocations");
    {
        char words[64];
        xl_rate_words(words, sizeof(words), rate);
        xl_cover_text(s, row++, "Programme support cost rate", words);
        xl_rate_words(words, sizeof(words), reserve);
        xl_cover_text(s, row++, "Operating reserve rate", words);
    }
    xl_widen(s, 0, "less programme support costs payable to the UN..");
    xl_widen(s, 1, "1,234,567.89 USD...");
    xl_widen(s, 2, "1,234,567.89 USD...");
    xl_widen(s, 3, "1,234,567.89 USD...");
    row++;
    xl_text(s, row++, 0, "In the period", b->strong);
    cover_money(s, &row, "Contributions received", contrib[1], NULL, NULL,
                NULL);
    period_kind(d, &l, XL_TRAVEL, NULL, 1);
    cover_money(s, &row, "Travel grants paid", line_total(&l), NULL, NULL,
                NULL);
    period_kind(d, &l, XL_PREP, NULL, 1);
    cover_money(s, &row, "Conference preparation spending", line_total(&l),
                NULL, NULL, NULL);
    cover_money(s, &row, "Programme support costs charged",
                line_total(&psc_charged), NULL, NULL, NULL);
    cover_money(s, &row, "Programme support costs paid to the UN", psc_paid,
                NULL, NULL, NULL);
    cover_money(s, &row, "Interest earned on the fund's bank balance", interest,
                NULL, NULL, NULL);
    row++;
    xl_text(s, row++, 0, "At the end of the period", b->strong);
    cover_money(s, &row, "Pledged by donors", contrib[0], NULL, NULL, NULL);
    cover_money(s, &row, "Received from donors", contrib[2], NULL, NULL, NULL);
    cover_money(s, &row, "Still owed on pledges", contrib[3], NULL, NULL, NULL);
    snprintf(line, sizeof(line), "%ld delegates paid, of %ld requests", grants,
             requests);
    cover_money(s, &row, "Travel grants paid with PSC, since the start", paid,
                line, NULL, NULL);
    cover_money(s, &row, "Committed to funded grants not yet paid", committed,
                NULL, NULL, NULL);
    row++;
    xl_text(s, row++, 0, "Cash", b->strong);
    r_bank = row;
    cover_money(s, &row, "Cash in the bank", line_total(&cash), NULL, NULL,
                NULL);
    cover_money(s, &row, "less programme support costs payable to the UN",
                -line_total(&psc),
                "charged on grants and spending, not yet "
                "remitted to the UN",
                NULL, NULL);
    cover_money(s, &row, "less refunds payable to donors",
                -line_total(&refunds), NULL, NULL, NULL);
    if (held != line_total(&cash) - line_total(&psc) - line_total(&refunds))
        cover_money(s, &row, "other differences",
                    held - line_total(&cash) + line_total(&psc) +
                        line_total(&refunds),
                    NULL, NULL, NULL);
    r_held = row;
    xl_text(s, row, 0, "Cash held for the pools", b->total);
    xl_sum(s, row++, 1, r_bank, r_held - 1, held, 1);
    cover_money(s, &row, "of which available for new grants and spending",
                available, NULL, NULL, NULL);
    row++;
    xl_text(s, row++, 0, "Programme support costs payable to the UN",
            b->strong);
    r_bank = row;
    cover_money(s, &row, "At the start of the period", line_total(&psc_start),
                NULL, NULL, NULL);
    cover_money(s, &row, "Charged in the period", line_total(&psc_charged),
                NULL, NULL, NULL);
    cover_money(s, &row, "Paid to the UN in the period", -psc_paid, NULL, NULL,
                NULL);
    xl_text(s, row, 0, "At the end of the period", b->total);
    xl_sum(s, row, 1, r_bank, row - 1, line_total(&psc), 1);
    row++;
    row++;
    xl_text(s, row, 0, "Net assets", b->strong);
    xl_money(s, row++, 1, line_total(net), b->money_strong);
    row++;
    row = xl_note(s, row, 0,
                  "Sheets: funding status (the cash in the bank, where it came "
                  "from and where it went), financial position, financial "
                  "performance, contributions by donor, pools, allocations by "
                  "session, trial balance.",
                  NULL);
    xl_cap(s, 0, 48);
    xl_fit(s);
}

tf_error tf_report_fund_period(tf_fund *fund, const char *path,
                               const char *from, const char *to, tf_diag *diag)
{
    struct fund_data d;
    xl_book b;
    xl_sheet cover, status, pos, perf, contrib, pools, alloc, trial;
    struct line net;
    int64_t ctot[5], committed, paid;
    char subject[160], opening[TF_DATE_LEN + 1] = "";
    tf_error err;

    memset(&d, 0, sizeof(d));
    if ((err = xl_open(&b, fund, path, to, 0, diag)))
        return err;
    if (from && (tf_date_check(from, diag) ||
                 (strcmp(from, b.as_of) > 0 &&
                  tf_diag_set(diag, TF_ERR_INPUT,
                              "the period starts on %s, after its end %s", from,
                              b.as_of)))) {
        xl_abandon(&b);
        return TF_ERR_INPUT;
    }
    xl_period(&b, from);
    d.as_of = b.as_of;
    d.from = from;
    if (from)
        tf_date_add_days(opening, from, -1);
    err = xl_lookup_init(&d.lk, fund, diag);
    if (!err && !(d.sessions = calloc(d.lk.nsessions + 1, sizeof(*d.sessions))))
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err)
        err = tf_ledger_each_balance(fund, d.as_of, got_balance, &d.end, diag);
    if (!err && from && !d.end.oom)
        err =
            tf_ledger_each_balance(fund, opening, got_balance, &d.start, diag);
    if (!err && (d.end.oom || d.start.oom))
        d.oom = 1;
    if (!err && !d.oom)
        err = tf_ledger_pools(fund, d.as_of, d.pools, diag);
    if (!err && !d.oom && from)
        err = tf_ledger_pools(fund, opening, d.pools_start, diag);
    if (!err && !d.oom)
        err = tf_psc_figures_get(fund, d.as_of, d.psc_end, diag);
    if (!err && !d.oom && from)
        err = tf_psc_figures_get(fund, opening, d.psc_start, diag);
    if (!err && !d.oom)
        err = tf_donor_each(fund, NULL, got_donor, &d, diag);
    for (size_t i = 0; !err && !d.oom && i < d.ndonors; i++) {
        d.cur = &d.donors[i];
        err = tf_statement_pledges(fund, d.cur->id, d.as_of, got_pledge, &d,
                                   diag);
        if (!err)
            err = tf_statement_receipts(fund, d.cur->id, from, d.as_of,
                                        got_receipt, &d, diag);
    }
    if (!err && !d.oom)
        err = tf_request_each_as_of(fund, NULL, d.as_of, got_request, &d, diag);
    if (!err && !d.oom) {
        if (d.nreqs)
            qsort(d.reqs, d.nreqs, sizeof(*d.reqs), cmp_req);
        err = tf_ledger_each_entry(fund, d.as_of, got_entry, &d, diag);
    }
    if (!err && d.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err) {
        fund_release(&d);
        xl_abandon(&b);
        return err;
    }
    snprintf(subject, sizeof(subject), "Fund statement, %s%s%s",
             from ? from : "", from ? " to " : "books as of ", b.as_of);
    xl_properties(&b, "Fund statement", subject);
    xl_page_labels(&b, "Fund statement");
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &status, "Funding status");
    xl_sheet_add(&b, &pos, "Financial position");
    xl_sheet_add(&b, &perf, "Financial performance");
    xl_sheet_add(&b, &contrib, "Contributions");
    xl_sheet_add(&b, &pools, "Pools");
    xl_sheet_add(&b, &alloc, "Allocations");
    xl_sheet_add(&b, &trial, "Trial balance");
    sheet_status(&status, &d);
    sheet_position(&pos, &d, &net);
    sheet_performance(&perf, &d, &net);
    sheet_contributions(&contrib, &d, ctot);
    sheet_pools(&pools, &d);
    sheet_allocations(&alloc, &d, &committed, &paid);
    sheet_trial(&trial, &d);
    sheet_cover(&cover, &d, ctot, &net, committed, paid);
    fund_release(&d);
    return xl_close(&b, diag);
}

tf_error tf_report_fund(tf_fund *fund, const char *path, const char *as_of,
                        tf_diag *diag)
{
    return tf_report_fund_period(fund, path, NULL, as_of, diag);
}
