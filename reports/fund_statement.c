/* SPDX-License-Identifier: MIT */
/*
 * The fund statement: financial position and performance by pool (from
 * the trial balance), the contributions of every donor, the pools,
 * allocations by session and the trial balance itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/report.h"
#include "xl.h"

struct tb_row {
    char *account;
    int pool;
    int64_t balance;
};

struct donor_sum {
    char *id, *name, *type;
    int64_t pledged, received, outstanding;
    long pledges, receipts;
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
    const char *as_of;
    xl_lookup lk;
    struct tb_row *tb;
    size_t ntb;
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
    int oom;
};

static void fund_release(struct fund_data *d)
{
    for (size_t i = 0; i < d->ntb; i++)
        free(d->tb[i].account);
    free(d->tb);
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

/* ---- Gathering ----------------------------------------------------- */

static int got_balance(void *ctx, const char *account, const char *pool,
                       int64_t balance)
{
    struct fund_data *d = ctx;
    struct tb_row *grown = realloc(d->tb, (d->ntb + 1) * sizeof(*grown));

    if (!grown || tf_pool_find(pool) < 0) {
        d->oom |= !grown;
        if (grown)
            d->tb = grown;
        return !grown;
    }
    d->tb = grown;
    d->tb[d->ntb].account = xl_strdup(account);
    d->tb[d->ntb].pool = tf_pool_find(pool);
    d->tb[d->ntb].balance = balance;
    if (!d->tb[d->ntb++].account)
        d->oom = 1;
    return d->oom;
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

static struct donor_sum *donor_find(struct fund_data *d, const char *id)
{
    for (size_t i = 0; i < d->ndonors; i++)
        if (!strcmp(d->donors[i].id, id))
            return &d->donors[i];
    return NULL;
}

static int got_pledge(void *ctx, const tf_pledge *p)
{
    struct fund_data *d = ctx;
    struct donor_sum *ds = donor_find(d, p->donor);

    if (ds && strcmp(p->date, d->as_of) <= 0) {
        ds->pledged += p->base_amount;
        ds->outstanding += p->base_amount;
        ds->pledges++;
    }
    return 0;
}

static int got_receipt(void *ctx, const tf_receipt *r)
{
    struct fund_data *d = ctx;
    struct donor_sum *ds = donor_find(d, r->donor ? r->donor : "");

    if (ds && strcmp(r->date, d->as_of) <= 0) {
        ds->received += r->base_amount;
        ds->outstanding -= r->relieved;
        ds->receipts++;
    }
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

/* The session of a grant entry: commitments are referenced "REF@pool",
 * disbursements and releases "REF"; a reversal takes its original's. */
static long entry_session(struct fund_data *d, const tf_entry *e)
{
    char ref[256];
    struct req_key key, *hit;

    if (tf_kind_find(e->kind) == TF_KIND_REVERSAL || e->reverses) {
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

    if (s < 0)
        return 0;
    ss = &d->sessions[s];
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        int a = tf_account_find(p->account, NULL);
        if (a == TF_ACCT_ENCUMBRANCES)
            ss->committed += p->amount;
        else if (a == TF_ACCT_TRAVEL || a == TF_ACCT_PSC)
            ss->paid += p->amount;
    }
    {
        void *grown =
            realloc(d->entries, (d->nentries + 1) * sizeof(*d->entries));
        if (!grown) {
            d->oom = 1;
            return 1;
        }
        d->entries = grown;
        d->entries[d->nentries].id = e->id;
        d->entries[d->nentries++].session = (size_t)s;
    }
    return 0;
}

/* ---- Statements by pool -------------------------------------------- */

/* One line of a statement by pool: a sum of trial-balance rows. */
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

/* Sums sign x balance of account a into l: of party, or of every party
 * when party is NULL. */
static void line_of(const struct fund_data *d, struct line *l, tf_account a,
                    const char *party, int sign)
{
    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < d->ntb; i++) {
        const char *of;
        if (tf_account_find(d->tb[i].account, &of) == (int)a &&
            (!party || (of && !strcmp(of, party))))
            l->v[d->tb[i].pool] += sign * d->tb[i].balance;
    }
}

/* Sums sign x balance of every account of category c into l. */
static void line_of_category(const struct fund_data *d, struct line *l,
                             tf_category c, int sign)
{
    memset(l, 0, sizeof(*l));
    for (size_t i = 0; i < d->ntb; i++)
        if (tf_category_of(d->tb[i].account) == (int)c)
            l->v[d->tb[i].pool] += sign * d->tb[i].balance;
}

/* The name shown for account a: "NAME" or, kept per party, "NAME:*". */
static const char *shown(char *buf, size_t size, tf_account a)
{
    return tf_account_name(buf, size, a, "*");
}

/* The name shown for a whole category: "CATEGORY:*". */
static const char *shown_category(char *buf, size_t size, tf_category c)
{
    snprintf(buf, size, "%s:*", tf_category_name(c));
    return buf;
}

/* Writes a line: label, the pools, and a formula total across them. */
static void write_line(xl_sheet *s, int row, const char *label,
                       const char *account, const struct line *l,
                       lxw_format *lf)
{
    char f[64], a[16], z[16];

    xl_text(s, row, 0, label, lf);
    xl_text(s, row, 1, account, NULL);
    for (int k = 0; k < TF_POOL_COUNT; k++)
        xl_money(s, row, 2 + k, l->v[k], NULL);
    snprintf(f, sizeof(f), "=SUM(%s:%s)", xl_cell(a, row, 2),
             xl_cell(z, row, 1 + TF_POOL_COUNT));
    xl_formula(s, row, 2 + TF_POOL_COUNT, f, line_total(l), 1, s->book->money);
}

/* A formula line: per pool, =SUM of rows first..last (or the given
 * combination), values cached. */
static void write_sum_line(xl_sheet *s, int row, const char *label, int first,
                           int last, const struct line *l)
{
    xl_text(s, row, 0, label, s->book->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++)
        xl_sum(s, row, 2 + k, first, last,
               k < TF_POOL_COUNT ? l->v[k] : line_total(l), 1);
}

/* row = a - b, per pool, as formulas. */
static void write_diff_line(xl_sheet *s, int row, const char *label, int ra,
                            int rb, const struct line *l)
{
    char f[64], a[16], b[16];

    xl_text(s, row, 0, label, s->book->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++) {
        snprintf(f, sizeof(f), "=%s-%s", xl_cell(a, ra, 2 + k),
                 xl_cell(b, rb, 2 + k));
        xl_formula(s, row, 2 + k, f,
                   k < TF_POOL_COUNT ? l->v[k] : line_total(l), 1, NULL);
    }
}

static void add_line(struct line *to, const struct line *l, int sign)
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        to->v[k] += sign * l->v[k];
}

static void pool_header(xl_sheet *s, int row, const char *first)
{
    const char *cols[3 + TF_POOL_COUNT];

    cols[0] = first;
    cols[1] = "Account";
    for (int k = 0; k < TF_POOL_COUNT; k++)
        cols[2 + k] = tf_pools[k];
    cols[2 + TF_POOL_COUNT] = "Total";
    xl_header(s, row, cols, 3 + TF_POOL_COUNT);
}

static void sheet_position(xl_sheet *s, const struct fund_data *d,
                           struct line *net)
{
    struct line cash, recv, other_a, assets, psc, refunds, other_l, liab;
    int row = 0, head, r_assets, r_liab, first;
    char name[TF_ACCOUNT_BUFSZ];

    line_of(d, &cash, TF_ACCT_CASH, NULL, 1);
    line_of(d, &recv, TF_ACCT_RECEIVABLE, NULL, 1);
    line_of_category(d, &assets, TF_CAT_ASSETS, 1);
    other_a = assets;
    add_line(&other_a, &cash, -1);
    add_line(&other_a, &recv, -1);
    line_of(d, &psc, TF_ACCT_PSC_PAYABLE, NULL, -1);
    line_of(d, &refunds, TF_ACCT_REFUNDS_PAYABLE, NULL, -1);
    line_of_category(d, &liab, TF_CAT_LIABILITIES, -1);
    other_l = liab;
    add_line(&other_l, &psc, -1);
    add_line(&other_l, &refunds, -1);
    *net = assets;
    add_line(net, &liab, -1);

    xl_note(s, row++, 0, "Statement of financial position by pool",
            s->book->strong);
    row++;
    pool_header(s, head = row++, "Line");
    first = row;
    write_line(s, row++, "Cash", shown(name, sizeof(name), TF_ACCT_CASH), &cash,
               NULL);
    write_line(s, row++, "Contributions receivable",
               shown(name, sizeof(name), TF_ACCT_RECEIVABLE), &recv, NULL);
    if (!line_zero(&other_a))
        write_line(s, row++, "Other assets",
                   shown_category(name, sizeof(name), TF_CAT_ASSETS), &other_a,
                   NULL);
    r_assets = row;
    write_sum_line(s, row, "Total assets", first, row - 1, &assets);
    row++;
    first = row;
    write_line(s, row++, "Programme support costs payable",
               shown(name, sizeof(name), TF_ACCT_PSC_PAYABLE), &psc, NULL);
    write_line(s, row++, "Refunds payable to donors",
               shown(name, sizeof(name), TF_ACCT_REFUNDS_PAYABLE), &refunds,
               NULL);
    if (!line_zero(&other_l))
        write_line(s, row++, "Other liabilities",
                   shown_category(name, sizeof(name), TF_CAT_LIABILITIES),
                   &other_l, NULL);
    r_liab = row;
    write_sum_line(s, row, "Total liabilities", first, row - 1, &liab);
    row++;
    write_diff_line(s, row++, "Net assets", r_assets, r_liab, net);
    xl_filter(s, head, row - 1);
    row++;
    {
        struct line enc;
        line_of(d, &enc, TF_ACCT_ENCUMBRANCES, NULL, 1);
        write_line(s, row++, "Memo: commitments to funded grants",
                   shown(name, sizeof(name), TF_ACCT_ENCUMBRANCES), &enc,
                   s->book->note);
    }
    row++;
    xl_note(s, row++, 0,
            "Liabilities are shown as positive amounts. Net assets are what "
            "each pool holds for its purpose; the commitments to funded "
            "grants are part of them.",
            NULL);
    xl_cap(s, 0, 40);
    xl_fit(s);
}

static void sheet_performance(xl_sheet *s, const struct fund_data *d)
{
    struct line l, rev, exp, tin, tout, surplus, change;
    int row = 0, head, first, r_rev, r_exp, r_surplus;
    char f[96], a[16], b[16], c[16], name[TF_ACCOUNT_BUFSZ];

    xl_note(s, row++, 0,
            "Statement of financial performance by pool, from the start of "
            "the fund",
            s->book->strong);
    row++;
    pool_header(s, head = row++, "Line");
    xl_text(s, row++, 0, "Revenue", s->book->strong);
    first = row;
    memset(&rev, 0, sizeof(rev));
    for (size_t i = 0; i < d->ndonors; i++) {
        char account[160], label[400];
        tf_account_name(account, sizeof(account), TF_ACCT_CONTRIBUTIONS,
                        d->donors[i].id);
        line_of(d, &l, TF_ACCT_CONTRIBUTIONS, d->donors[i].id, -1);
        if (line_zero(&l))
            continue;
        snprintf(label, sizeof(label), "Contributions: %s", d->donors[i].name);
        write_line(s, row++, label, account, &l, NULL);
        add_line(&rev, &l, 1);
    }
    line_of(d, &l, TF_ACCT_FX_GAIN, NULL, -1);
    write_line(s, row++, "Exchange gains",
               shown(name, sizeof(name), TF_ACCT_FX_GAIN), &l, NULL);
    add_line(&rev, &l, 1);
    {
        struct line all;
        line_of_category(d, &all, TF_CAT_REVENUE, -1);
        l = all;
        add_line(&l, &rev, -1);
        if (!line_zero(&l))
            write_line(s, row++, "Other revenue",
                       shown_category(name, sizeof(name), TF_CAT_REVENUE), &l,
                       NULL);
        rev = all;
    }
    r_rev = row;
    write_sum_line(s, row, "Total revenue", first, row - 1, &rev);
    row++;
    row++;
    xl_text(s, row++, 0, "Expenses", s->book->strong);
    first = row;
    memset(&exp, 0, sizeof(exp));
    for (size_t i = 0; i < d->lk.nsessions; i++) {
        char account[160], label[400];
        tf_account_name(account, sizeof(account), TF_ACCT_TRAVEL,
                        d->lk.sessions[i].id);
        line_of(d, &l, TF_ACCT_TRAVEL, d->lk.sessions[i].id, 1);
        if (line_zero(&l))
            continue;
        snprintf(label, sizeof(label), "Travel grants: %s",
                 d->lk.sessions[i].id);
        write_line(s, row++, label, account, &l, NULL);
        add_line(&exp, &l, 1);
    }
    {
        static const struct {
            const char *label;
            tf_account account;
        } lines[] = {{"Programme support costs", TF_ACCT_PSC},
                     {"Conference preparation", TF_ACCT_PREP},
                     {"Exchange losses", TF_ACCT_FX_LOSS},
                     {"Refunds to donors", TF_ACCT_REFUNDS}};
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
            line_of(d, &l, lines[i].account, NULL, 1);
            write_line(s, row++, lines[i].label,
                       shown(name, sizeof(name), lines[i].account), &l, NULL);
            add_line(&exp, &l, 1);
        }
    }
    {
        struct line all;
        line_of_category(d, &all, TF_CAT_EXPENSE, 1);
        l = all;
        add_line(&l, &exp, -1);
        if (!line_zero(&l))
            write_line(s, row++, "Other expenses",
                       shown_category(name, sizeof(name), TF_CAT_EXPENSE), &l,
                       NULL);
        exp = all;
    }
    r_exp = row;
    write_sum_line(s, row, "Total expenses", first, row - 1, &exp);
    row++;
    row++;
    surplus = rev;
    add_line(&surplus, &exp, -1);
    r_surplus = row;
    write_diff_line(s, row++, "Surplus (deficit)", r_rev, r_exp, &surplus);
    line_of(d, &tin, TF_ACCT_TRANSFERS_IN, NULL, -1);
    write_line(s, row++, "Transfers in",
               shown(name, sizeof(name), TF_ACCT_TRANSFERS_IN), &tin, NULL);
    line_of(d, &tout, TF_ACCT_TRANSFERS_OUT, NULL, -1);
    write_line(s, row++, "Transfers out",
               shown(name, sizeof(name), TF_ACCT_TRANSFERS_OUT), &tout, NULL);
    change = surplus;
    add_line(&change, &tin, 1);
    add_line(&change, &tout, 1);
    xl_text(s, row, 0, "Change in net assets", s->book->total);
    for (int k = 0; k <= TF_POOL_COUNT; k++) {
        snprintf(f, sizeof(f), "=%s+%s+%s", xl_cell(a, r_surplus, 2 + k),
                 xl_cell(b, r_surplus + 1, 2 + k),
                 xl_cell(c, r_surplus + 2, 2 + k));
        xl_formula(s, row, 2 + k, f,
                   k < TF_POOL_COUNT ? change.v[k] : line_total(&change), 1,
                   NULL);
    }
    xl_filter(s, head, row);
    row += 2;
    xl_note(s, row++, 0,
            "Revenue is recognised when a pledge is signed. Transfers move "
            "surplus travel money to conference preparation. The change in "
            "net assets since the start equals the net assets on the "
            "financial position.",
            NULL);
    xl_cap(s, 0, 48);
    xl_fit(s);
}

static void sheet_contributions(xl_sheet *s, const struct fund_data *d,
                                int64_t tot[3])
{
    static const char *const cols[] = {"Donor",      "Name",    "Type",
                                       "Pledges",    "Pledged", "Received",
                                       "Outstanding"};
    int row = 0, head;

    memset(tot, 0, 3 * sizeof(int64_t));
    xl_header(s, head = row++, cols, 7);
    for (size_t i = 0; i < d->ndonors; i++, row++) {
        const struct donor_sum *ds = &d->donors[i];
        xl_text(s, row, 0, ds->id, NULL);
        xl_text(s, row, 1, ds->name, NULL);
        xl_text(s, row, 2, ds->type, NULL);
        xl_int(s, row, 3, ds->pledges, NULL);
        xl_money(s, row, 4, ds->pledged, NULL);
        xl_money(s, row, 5, ds->received, NULL);
        xl_money(s, row, 6, ds->outstanding, NULL);
        tot[0] += ds->pledged;
        tot[1] += ds->received;
        tot[2] += ds->outstanding;
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 3; c++)
        xl_sum(s, row, 4 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    xl_note(s, row, 0,
            "Pledged at the rate of the pledge date; received at the rate of "
            "the day of payment; outstanding is what the pledges still "
            "carry as receivable.",
            NULL);
    xl_cap(s, 1, 50);
    xl_fit(s);
}

static void sheet_pools(xl_sheet *s, const struct fund_data *d)
{
    static const char *const cols[] = {"Pool",      "Receipts", "Cash",
                                       "Committed", "Reserve",  "Available"};
    int row = 0, head;
    int64_t tot[5] = {0, 0, 0, 0, 0};

    xl_header(s, head = row++, cols, 6);
    for (int k = 0; k < TF_POOL_COUNT; k++, row++) {
        const tf_pool_figures *p = &d->pools[k];
        int64_t v[5] = {p->receipts, p->cash, p->committed, p->reserve,
                        p->available};
        xl_text(s, row, 0, tf_pools[k], NULL);
        for (int c = 0; c < 5; c++) {
            xl_money(s, row, 1 + c, v[c], NULL);
            tot[c] += v[c];
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 5; c++)
        xl_sum(s, row, 1 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    xl_note(s, row++, 0,
            "Receipts: donors' money paid into the pool. Cash: receipts and "
            "transfers in, less transfers out, grants and preparation paid "
            "(with PSC) and refunds.",
            NULL);
    xl_note(s, row, 0,
            "Committed: funded grants not yet paid. Available: cash less "
            "commitments and the operating reserve; only cash is ever "
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
                                       "Disbursed",
                                       "Waitlisted",
                                       "Rejected",
                                       "Cancelled",
                                       "Pending",
                                       "Charge of funded grants",
                                       "Committed",
                                       "Paid"};
    int row = 0, head;
    long tot[7] = {0, 0, 0, 0, 0, 0, 0};
    int64_t charge = 0;

    *committed = *paid = 0;
    xl_header(s, head = row++, cols, 13);
    for (size_t i = 0; i < d->lk.nsessions; i++, row++) {
        const xl_session_info *si = &d->lk.sessions[i];
        const struct session_sum *ss = &d->sessions[i];
        long n[7] = {ss->requests, ss->funded,    ss->disbursed, ss->waitlisted,
                     ss->rejected, ss->cancelled, ss->pending};
        xl_text(s, row, 0, si->id, NULL);
        xl_text(s, row, 1, si->name, NULL);
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
    xl_note(s, row++, 0,
            "Counts are the requests' decisions as recorded. Charge of "
            "funded grants: the estimate (with PSC) on which funded and "
            "disbursed requests were approved.",
            NULL);
    xl_note(s, row, 0,
            "Committed: funded grants not yet paid, and Paid: actual travel "
            "costs with PSC, both from the books as of the statement date.",
            NULL);
    xl_cap(s, 1, 50);
    xl_fit(s);
}

static void sheet_trial(xl_sheet *s, const struct fund_data *d)
{
    static const char *const cols[] = {"Account", "Pool", "Debit", "Credit",
                                       "Balance"};
    int row = 0, head;
    int64_t dr = 0, cr = 0;

    xl_header(s, head = row++, cols, 5);
    for (size_t i = 0; i < d->ntb; i++, row++) {
        const struct tb_row *t = &d->tb[i];
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
            "Every account's balance in every pool; debits positive. Debits "
            "equal credits in every pool.",
            NULL);
    xl_fit(s);
}

static void sheet_cover(xl_sheet *s, const struct fund_data *d,
                        const int64_t contrib[3], const struct line *net,
                        int64_t committed, int64_t paid)
{
    xl_book *b = s->book;
    int row;
    long grants = 0, requests = 0;
    int64_t available = 0, cash = 0;
    struct line prep, psc;
    char rate[64] = "", reserve[64] = "";

    for (size_t i = 0; i < d->lk.nsessions; i++) {
        grants += d->sessions[i].disbursed;
        requests += d->sessions[i].requests;
    }
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        available += d->pools[k].available;
        cash += d->pools[k].cash;
    }
    line_of(d, &prep, TF_ACCT_PREP, NULL, 1);
    line_of(d, &psc, TF_ACCT_PSC, NULL, 1);
    tf_setting_get(b->fund, "psc_rate", rate, sizeof(rate), NULL);
    tf_setting_get(b->fund, "reserve_rate", reserve, sizeof(reserve), NULL);

    row = xl_cover_top(s, "Fund statement",
                       "Financial position, performance, contributions and "
                       "allocations");
    xl_cover_text(s, row++, "PSC rate", rate);
    xl_cover_text(s, row++, "Operating reserve rate", reserve);
    row++;
    xl_text(s, row++, 0, "Headline figures", b->strong);
    xl_text(s, row, 0, "Pledged by donors", NULL);
    xl_money(s, row++, 1, contrib[0], NULL);
    xl_text(s, row, 0, "Received from donors", NULL);
    xl_money(s, row++, 1, contrib[1], NULL);
    xl_text(s, row, 0, "Still owed on pledges", NULL);
    xl_money(s, row++, 1, contrib[2], NULL);
    xl_text(s, row, 0, "Travel grants paid, with PSC", NULL);
    xl_money(s, row, 1, paid, NULL);
    {
        char line[160];
        snprintf(line, sizeof(line), "%ld delegates paid, of %ld requests",
                 grants, requests);
        xl_note(s, row++, 2, line, NULL);
    }
    xl_text(s, row, 0, "Committed to funded grants not yet paid", NULL);
    xl_money(s, row++, 1, committed, NULL);
    xl_text(s, row, 0, "Conference preparation spending", NULL);
    xl_money(s, row++, 1, line_total(&prep), NULL);
    xl_text(s, row, 0, "Programme support costs", NULL);
    xl_money(s, row++, 1, line_total(&psc), NULL);
    xl_text(s, row, 0, "Cash held in the pools", NULL);
    xl_money(s, row++, 1, cash, NULL);
    xl_text(s, row, 0, "Available for new grants and spending", NULL);
    xl_money(s, row++, 1, available, NULL);
    xl_text(s, row, 0, "Net assets", b->strong);
    xl_money(s, row++, 1, line_total(net), b->money_strong);
    row++;
    xl_note(s, row++, 0,
            "Sheets: financial position, financial performance, "
            "contributions by donor, pools, allocations by session, trial "
            "balance.",
            NULL);
    xl_fit(s);
}

tf_error tf_report_fund(tf_fund *fund, const char *path, const char *as_of,
                        tf_diag *diag)
{
    struct fund_data d;
    xl_book b;
    xl_sheet cover, pos, perf, contrib, pools, alloc, trial;
    struct line net;
    int64_t ctot[3], committed, paid;
    char subject[128];
    tf_error err;

    memset(&d, 0, sizeof(d));
    if ((err = xl_open(&b, fund, path, as_of, 0, diag)))
        return err;
    d.as_of = b.as_of;
    err = xl_lookup_init(&d.lk, fund, diag);
    if (!err && !(d.sessions = calloc(d.lk.nsessions + 1, sizeof(*d.sessions))))
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err)
        err = tf_ledger_each_balance(fund, d.as_of, got_balance, &d, diag);
    if (!err && !d.oom)
        err = tf_ledger_pools(fund, d.as_of, d.pools, diag);
    if (!err && !d.oom)
        err = tf_donor_each(fund, NULL, got_donor, &d, diag);
    if (!err && !d.oom)
        err = tf_pledge_each(fund, NULL, got_pledge, &d, diag);
    if (!err && !d.oom)
        err = tf_receipt_each(fund, NULL, got_receipt, &d, diag);
    if (!err && !d.oom)
        err = tf_request_each(fund, NULL, NULL, got_request, &d, diag);
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
    snprintf(subject, sizeof(subject), "Fund statement, books as of %s",
             b.as_of);
    xl_properties(&b, "Fund statement", subject);
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &pos, "Financial position");
    xl_sheet_add(&b, &perf, "Financial performance");
    xl_sheet_add(&b, &contrib, "Contributions");
    xl_sheet_add(&b, &pools, "Pools");
    xl_sheet_add(&b, &alloc, "Allocations");
    xl_sheet_add(&b, &trial, "Trial balance");
    sheet_position(&pos, &d, &net);
    sheet_performance(&perf, &d);
    sheet_contributions(&contrib, &d, ctot);
    sheet_pools(&pools, &d);
    sheet_allocations(&alloc, &d, &committed, &paid);
    sheet_trial(&trial, &d);
    sheet_cover(&cover, &d, ctot, &net, committed, paid);
    fund_release(&d);
    return xl_close(&b, diag);
}
