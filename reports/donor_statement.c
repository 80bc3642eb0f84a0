/* SPDX-License-Identifier: MIT */
/*
 * The donor statement (docs/statements.md): a donor's money in the fund
 * over a period, from tf_statement_donor, in the donor's terms. Written in
 * constant-memory mode, so every sheet is filled top to bottom; the cover,
 * which needs the figures of the others, is filled last (sheets are
 * independent streams).
 *
 * Sheets: Cover (the balance at both ends of the period and the
 * movements between them, what is still owed in the donor's currencies);
 * Balance by pool (the same per pool); Sources and uses (since the start,
 * adding up to what the donor paid in); Shares of spending (each pool's
 * spending beside the donor's share of it); Receipts (of the period);
 * Pledges (in their currencies); Pledges in <base> (their values and
 * exchange differences); Delegates funded (by the donor's pools, with its
 * share of each grant).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tfund/report.h"
#include "tfund/statement.h"
#include "tfund/treasury.h"
#include "xl.h"

struct pledge_row {
    char *ref, *date, *due, *pool, *currency, *rate;
    int64_t amount, received, booked, received_value, relieved;
    int overdue;
};

struct receipt_row {
    char *ref, *date, *pledge, *pool, *currency, *rate;
    int64_t amount, value;
    int implicit, reversal;
};

struct donor_data {
    char *id, *name, *type, *country;
    tf_statement period; /* from..to */
    tf_statement all;    /* since the start, to the same end */
    struct pledge_row *pledges;
    size_t npledges;
    struct receipt_row *receipts;
    size_t nreceipts;
    /* The fund's PSC at the end of the period: charged, paid to the UN. */
    int64_t psc_charged, psc_paid;
    int oom;
};

static void data_release(struct donor_data *d)
{
    free(d->id);
    free(d->name);
    free(d->type);
    free(d->country);
    tf_statement_release(&d->period);
    tf_statement_release(&d->all);
    for (size_t i = 0; i < d->npledges; i++) {
        struct pledge_row *p = &d->pledges[i];
        free(p->ref);
        free(p->date);
        free(p->due);
        free(p->pool);
        free(p->currency);
        free(p->rate);
    }
    free(d->pledges);
    for (size_t i = 0; i < d->nreceipts; i++) {
        struct receipt_row *r = &d->receipts[i];
        free(r->ref);
        free(r->date);
        free(r->pledge);
        free(r->pool);
        free(r->currency);
        free(r->rate);
    }
    free(d->receipts);
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

static int got_pledge(void *ctx, const tf_statement_pledge *p)
{
    struct donor_data *d = ctx;
    struct pledge_row *grown, *q;

    /* A receipt without a pledge is shown as the receipt it is. */
    if (p->implicit)
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
    q->due = xl_strdup(p->due);
    q->pool = xl_strdup(p->pool);
    q->currency = xl_strdup(p->currency);
    q->rate = xl_strdup(p->rate);
    q->amount = p->amount;
    q->received = p->received;
    q->booked = p->booked;
    q->received_value = p->received_value;
    q->relieved = p->relieved;
    q->overdue = p->overdue;
    d->oom |=
        !q->ref || !q->date || !q->due || !q->pool || !q->currency || !q->rate;
    return d->oom;
}

static int got_receipt(void *ctx, const tf_statement_receipt *r)
{
    struct donor_data *d = ctx;
    struct receipt_row *grown, *q;

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
    q->value = r->value;
    q->implicit = r->implicit;
    q->reversal = r->reverses != NULL;
    d->oom |= !q->ref || !q->date || !q->pledge || !q->pool || !q->currency ||
              !q->rate;
    return d->oom;
}

/* "Travel grants: <meeting>" or the use's name, into buf (512 bytes). */
static const char *use_label(char *buf, const tf_statement_use *u,
                             xl_lookup *lk)
{
    if (u->session) {
        const xl_session_info *si = xl_session_find(lk, u->session);
        snprintf(buf, 512, "%s: %s", xl_use_name(u->category),
                 si ? si->name : u->session);
    } else
        snprintf(buf, 512, "%s", xl_use_name(u->category));
    return buf;
}

static int any(const int64_t v[TF_POOL_COUNT])
{
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (v[k])
            return 1;
    return 0;
}

/* ---- A statement by pool ------------------------------------------- */

/* The pools a table shows: those the donor had money in. */
struct cols {
    int pool[TF_POOL_COUNT];
    int n;
};

static void pick_pools(struct cols *c, const struct donor_data *d)
{
    c->n = 0;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (d->period.in_pool[k] || d->all.in_pool[k])
            c->pool[c->n++] = k;
}

static void pool_header(xl_sheet *s, int row, const struct cols *c,
                        const char *first)
{
    const char *names[TF_POOL_COUNT + 2];
    char align[TF_POOL_COUNT + 3] = "l";
    int n = 0;

    names[n++] = first;
    for (int i = 0; i < c->n; i++)
        names[n++] = xl_pool_name(c->pool[i]);
    names[n++] = "Total";
    memset(align + 1, 'r', (size_t)n - 1);
    align[n] = '\0';
    xl_header(s, row, names, n, align);
}

/* A line: label, sign x v per pool shown, and their total as a formula. */
static void pool_line(xl_sheet *s, int row, const struct cols *c,
                      const char *label, const int64_t v[TF_POOL_COUNT],
                      int sign, lxw_format *lf)
{
    char f[64], a[16], z[16];
    int64_t total = 0;

    if (lf)
        xl_text(s, row, 0, label, lf);
    else
        xl_wrap(s, row, 0, label, 58);
    for (int i = 0; i < c->n; i++) {
        xl_money(s, row, 1 + i, sign * v[c->pool[i]], NULL);
        total += sign * v[c->pool[i]];
    }
    if (c->n)
        snprintf(f, sizeof(f), "=SUM(%s:%s)", xl_cell(a, row, 1),
                 xl_cell(z, row, c->n));
    else
        snprintf(f, sizeof(f), "=0");
    xl_formula(s, row, 1 + c->n, f, total, 1, s->book->money);
}

/* A total line: per column =SUM(first..last), values cached. */
static void pool_sum(xl_sheet *s, int row, const struct cols *c,
                     const char *label, int first, int last,
                     const int64_t v[TF_POOL_COUNT])
{
    int64_t total = 0;

    xl_text(s, row, 0, label, s->book->total);
    for (int i = 0; i <= c->n; i++) {
        int64_t x = i < c->n ? v[c->pool[i]] : total;
        if (i < c->n)
            total += x;
        xl_sum(s, row, 1 + i, first, last, x, 1);
    }
}

/* The period's movements by pool: each column adds up to the closing
 * balance. */
static void sheet_balance(xl_sheet *s, const struct donor_data *d,
                          const struct cols *c, xl_lookup *lk)
{
    const tf_statement *st = &d->period;
    xl_book *b = s->book;
    char label[512], words[32], f[96], a[16], z[16];
    int row = 0, head, first, r_close;

    row =
        xl_note(s, row, 0,
                "Your money in each pool over the period: each column adds up "
                "to the closing balance.",
                b->strong);
    row++;
    pool_header(s, head = row++, c, "");
    first = row;
    if (*st->opening)
        snprintf(label, sizeof(label), "Opening balance on %s",
                 xl_date_words(words, st->opening));
    else
        snprintf(label, sizeof(label), "Opening balance");
    pool_line(s, row++, c, label, st->opening_balance, 1, NULL);
    pool_line(s, row++, c, "Received from you", st->received, 1, NULL);
    if (any(st->moved))
        pool_line(s, row++, c,
                  "Moved between pools: travel money no longer needed, to "
                  "conference preparation",
                  st->moved, -1, NULL);
    for (size_t i = 0; i < st->nuses; i++)
        pool_line(s, row++, c, use_label(label, &st->uses[i], lk),
                  st->uses[i].share, -1, NULL);
    if (any(st->reshared))
        pool_line(s, row++, c,
                  "Change in your share of spending before the period",
                  st->reshared, -1, NULL);
    r_close = row;
    snprintf(label, sizeof(label), "Closing balance on %s",
             xl_date_words(words, st->to));
    pool_sum(s, row++, c, label, first, r_close - 1, st->closing);
    pool_line(s, row++, c, "of which committed to delegates already funded",
              st->committed, 1, NULL);
    xl_text(s, row, 0, "of which free", b->total);
    for (int i = 0; i <= c->n; i++) {
        int64_t v =
            i < c->n ? st->free[c->pool[i]] : tf_statement_total(st->free);
        snprintf(f, sizeof(f), "=%s-%s", xl_cell(a, r_close, 1 + i),
                 xl_cell(z, r_close + 1, 1 + i));
        xl_formula(s, row, 1 + i, f, v, 1, NULL);
    }
    xl_filter(s, head, row);
    row += 2;
    row = xl_note(
        s, row, 0,
        "Amounts taken from your balance are shown negative. Your share "
        "of each pool's spending is in proportion to what you had paid "
        "into the pool by the end of the period.",
        NULL);
    if (any(st->moved))
        row = xl_note(
            s, row, 0,
            "Moved between pools: travel money no longer needed was "
            "moved to conference preparation, as the resolution allows; "
            "it leaves one pool and arrives in the other, so the line "
            "adds to nothing in the total.",
            NULL);
    if (any(st->reshared))
        row = xl_note(
            s, row, 0,
            "Change in your share of spending before the period: when "
            "donors pay into a pool, the spending it had already done is "
            "shared again over everyone's payments, so your share of it "
            "moves (down when others paid in, up when you did).",
            NULL);
    xl_note(s, row, 0,
            "Committed: your part of the pool's grants to delegates already "
            "funded and not yet paid, in proportion to what each donor has "
            "in the pool; free: the rest of your balance.",
            NULL);
    xl_fit(s);
}

/* Since the start: what the donor paid in and every use of it. */
static void sheet_sources(xl_sheet *s, const struct donor_data *d,
                          const struct cols *c, xl_lookup *lk)
{
    const tf_statement *st = &d->all;
    xl_book *b = s->book;
    char label[512], words[32];
    int row = 0, head, first;
    int64_t uses[TF_POOL_COUNT];

    snprintf(label, sizeof(label),
             "Sources and uses of your money, from the start of the fund to "
             "%s",
             xl_date_words(words, st->to));
    row = xl_note(s, row, 0, label, b->strong);
    row++;
    pool_header(s, head = row++, c, "");
    xl_text(s, row++, 0, "Sources", b->strong);
    pool_line(s, row++, c, "Paid in by you", st->received, 1, NULL);
    row++;
    xl_text(s, row++, 0, "Uses", b->strong);
    first = row;
    if (any(st->moved))
        pool_line(s, row++, c,
                  "Moved to (from) another pool: travel money no longer "
                  "needed, to conference preparation",
                  st->moved, 1, NULL);
    for (size_t i = 0; i < st->nuses; i++)
        pool_line(s, row++, c, use_label(label, &st->uses[i], lk),
                  st->uses[i].share, 1, NULL);
    if (any(st->reshared)) /* 0 since the start; kept should it not be */
        pool_line(s, row++, c, "Change in your share of earlier spending",
                  st->reshared, 1, NULL);
    pool_line(s, row++, c,
              "Still in the fund, committed to delegates already funded",
              st->committed, 1, NULL);
    pool_line(s, row++, c, "Still in the fund, free", st->free, 1, NULL);
    for (int k = 0; k < TF_POOL_COUNT; k++)
        uses[k] = st->received[k];
    pool_sum(s, row, c, "Total uses: what you paid in", first, row - 1, uses);
    xl_filter(s, head, row);
    row += 2;
    row = xl_note(
        s, row, 0,
        "Every line is a use of your money, shared with the other donors "
        "of each pool in proportion to what each paid in; the uses add "
        "up to what you paid in, pool by pool.",
        NULL);
    if (any(st->moved))
        row = xl_note(
            s, row, 0,
            "Travel money no longer needed was moved to conference "
            "preparation (it leaves the travel pools and arrives in the "
            "preparation pool, hence the negative amount there): what "
            "preparation paid with it is in the preparation column.",
            NULL);
    xl_note(s, row, 0,
            "Programme support costs: the share of travel and preparation "
            "costs owed to the United Nations for administering the fund.",
            NULL);
    xl_fit(s);
}

/* Each pool's spending since the start beside the donor's share. */
static void sheet_shares(xl_sheet *s, const struct donor_data *d, xl_lookup *lk)
{
    static const char *const cols[] = {"Pool", "Use", "Spent by the pool",
                                       "Your share", "Your part"};
    const tf_statement *st = &d->all;
    int row = 0, head;
    int64_t spent = 0, share = 0;
    char label[512];

    xl_header(s, head = row++, cols, 5, "llrrr");
    for (int k = 0; k < TF_POOL_COUNT; k++)
        for (size_t i = 0; i < st->nuses; i++) {
            const tf_statement_use *u = &st->uses[i];
            if (!st->in_pool[k] || (!u->spent[k] && !u->share[k]))
                continue;
            xl_text(s, row, 0, xl_pool_name(k), NULL);
            xl_wrap(s, row, 1, use_label(label, u, lk), 60);
            xl_money(s, row, 2, u->spent[k], NULL);
            xl_money(s, row, 3, u->share[k], NULL);
            if (u->spent[k] > 0)
                xl_percent(s, row, 4,
                           (double)u->share[k] / (double)u->spent[k]);
            spent += u->spent[k];
            share += u->share[k];
            row++;
        }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    xl_sum(s, row, 2, head + 1, row - 1, spent, 1);
    xl_sum(s, row, 3, head + 1, row - 1, share, 1);
    row += 2;
    row = xl_note(
        s, row, 0,
        "What each pool you paid into spent from the start of the fund, "
        "and your share of it: the pool's spending is shared among its "
        "donors in proportion to what each paid in.",
        NULL);
    row = xl_note(s, row, 0,
                  "Money moved between pools is not spending and is not "
                  "listed; the preparation pool's spending includes what it "
                  "paid with travel money moved to it.",
                  NULL);
    row++;
    /* Who shares each pool's spending: the donors, and the fund itself
     * for the interest it earned. */
    {
        static const char *const wcols[] = {
            "Pool", "Paid in by you", "Paid in by all donors",
            "Interest earned by the fund", "Your part"};
        int any = 0;
        for (int k = 0; k < TF_POOL_COUNT; k++)
            any |= st->in_pool[k] && st->pool_interest[k] != 0;
        if (!any) {
            xl_fit(s);
            return;
        }
        xl_subheader(s, row++, wcols, 5, "lrrrr");
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            if (!st->in_pool[k])
                continue;
            xl_text(s, row, 0, xl_pool_name(k), NULL);
            xl_money(s, row, 1, st->weight[k], NULL);
            xl_money(s, row, 2, st->pool_weight[k] - st->pool_interest[k],
                     NULL);
            xl_money(s, row, 3, st->pool_interest[k], NULL);
            if (st->pool_weight[k] > 0)
                xl_percent(s, row, 4,
                           (double)st->weight[k] / (double)st->pool_weight[k]);
            row++;
        }
        row++;
        xl_note(s, row, 0,
                "Interest the fund earned on its bank balance is the fund's "
                "own money, credited to a pool: it takes its share of the "
                "pool's spending beside the donors' contributions, so your "
                "part is what you paid in over all that was paid in, "
                "interest included.",
                NULL);
    }
    xl_fit(s);
}

/* The receipts of the period, then their totals by currency. */
static void sheet_receipts(xl_sheet *s, const struct donor_data *d)
{
    char value[32], f[256], a[16], z[16], ca[16], cz[16];
    const char *cols[] = {"Receipt",  "Date",   "Pledge",       "Pool",
                          "Currency", "Amount", "Rate per USD", value};
    xl_book *b = s->book;
    int row = 0, head, last;
    int64_t total = 0;

    snprintf(value, sizeof(value), "Value (%s)", b->base->code);
    xl_header(s, head = row++, cols, 8, "llllrrrr");
    for (size_t i = 0; i < d->nreceipts; i++, row++) {
        const struct receipt_row *r = &d->receipts[i];
        char ref[160];
        snprintf(ref, sizeof(ref), "%s%s", r->ref,
                 r->reversal ? " (reversed)" : "");
        xl_text(s, row, 0, ref, NULL);
        xl_date(s, row, 1, r->date);
        xl_text(s, row, 2,
                r->implicit ? "none: paid without a pledge" : r->pledge, NULL);
        xl_text(s, row, 3, xl_pool_name(tf_pool_find(r->pool)), NULL);
        xl_text(s, row, 4, r->currency, NULL);
        xl_money_in(s, row, 5, r->amount, r->currency);
        xl_decimal(s, row, 6, r->rate);
        xl_money(s, row, 7, r->value, NULL);
        total += r->value;
    }
    last = row - 1;
    xl_filter(s, head, last);
    xl_text(s, row, 0, "Total", b->total);
    xl_sum(s, row, 7, head + 1, last, total, 1);
    row += 2;
    xl_text(s, row++, 0, "Received in the period, by currency", b->strong);
    for (size_t i = 0; i < d->period.ncurrencies; i++) {
        const tf_statement_currency *c = &d->period.currencies[i];
        if (!c->received && !c->received_base)
            continue;
        xl_text(s, row, 4, c->code, NULL);
        xl_cell(ca, head + 1, 4);
        xl_cell(cz, last < head + 1 ? head + 1 : last, 4);
        xl_cell(a, head + 1, 5);
        xl_cell(z, last < head + 1 ? head + 1 : last, 5);
        snprintf(f, sizeof(f), "=SUMIF(%s:%s,\"%s\",%s:%s)", ca, cz, c->code, a,
                 z);
        xl_formula_in(s, row, 5, f, c->received, c->code);
        xl_cell(a, head + 1, 7);
        xl_cell(z, last < head + 1 ? head + 1 : last, 7);
        snprintf(f, sizeof(f), "=SUMIF(%s:%s,\"%s\",%s:%s)", ca, cz, c->code, a,
                 z);
        xl_formula(s, row, 7, f, c->received_base, 1, b->money);
        row++;
    }
    xl_fit(s);
}

/* The pledges in their currencies, then their totals by currency. */
static void sheet_pledges(xl_sheet *s, const struct donor_data *d)
{
    static const char *const cols[] = {"Pledge",   "Date",        "Pool",
                                       "Due",      "Currency",    "Pledged",
                                       "Received", "Outstanding", "Overdue"};
    xl_book *b = s->book;
    int row = 0, head, last;

    xl_header(s, head = row++, cols, 9, "lllllrrrr");
    for (size_t i = 0; i < d->npledges; i++, row++) {
        const struct pledge_row *p = &d->pledges[i];
        xl_text(s, row, 0, p->ref, NULL);
        xl_date(s, row, 1, p->date);
        xl_text(s, row, 2, xl_pool_name(tf_pool_find(p->pool)), NULL);
        if (*p->due)
            xl_date(s, row, 3, p->due);
        xl_text(s, row, 4, p->currency, NULL);
        xl_money_in(s, row, 5, p->amount, p->currency);
        xl_money_in(s, row, 6, p->received, p->currency);
        xl_money_in(s, row, 7, p->amount - p->received, p->currency);
        if (p->overdue)
            xl_money_in(s, row, 8, p->amount - p->received, p->currency);
    }
    last = row - 1;
    xl_filter(s, head, last);
    row++;
    xl_text(s, row++, 0, "By currency", b->strong);
    for (size_t i = 0; i < d->period.ncurrencies; i++) {
        const tf_statement_currency *c = &d->period.currencies[i];
        int64_t v[4] = {c->pledged, c->paid, c->outstanding, c->overdue};
        char f[256], ca[16], cz[16], a[16], z[16];
        if (!c->pledged)
            continue;
        xl_text(s, row, 4, c->code, b->total);
        xl_cell(ca, head + 1, 4);
        xl_cell(cz, last, 4);
        for (int j = 0; j < 4; j++) {
            xl_cell(a, head + 1, 5 + j);
            xl_cell(z, last, 5 + j);
            snprintf(f, sizeof(f), "=SUMIF(%s:%s,\"%s\",%s:%s)", ca, cz,
                     c->code, a, z);
            xl_formula_in(s, row, 5 + j, f, v[j], c->code);
        }
        row++;
    }
    if (!d->npledges)
        row = xl_note(s, row, 0,
                      "No pledge: your contributions were received without a "
                      "prior pledge (sheet Receipts).",
                      NULL);
    row++;
    row = xl_note(
        s, row, 0,
        "Amounts in the pledge's currency. Received: paid on the pledge "
        "by the end of the period; outstanding: still owed; overdue: "
        "outstanding on a pledge due before the end of the period.",
        NULL);
    xl_fit(s);
}

/* The pledges' values in the base currency and the exchange differences
 * that reconcile them. */
static void sheet_values(xl_sheet *s, const struct donor_data *d)
{
    static const char *const cols[] = {
        "Pledge",           "Currency",       "Rate per USD",
        "Booked value",     "Received value", "Exchange difference",
        "Outstanding value"};
    xl_book *b = s->book;
    int row = 0, head;
    int64_t tot[4] = {0, 0, 0, 0};
    char line[256];

    xl_header(s, head = row++, cols, 7, "llrrrrr");
    for (size_t i = 0; i < d->npledges; i++, row++) {
        const struct pledge_row *p = &d->pledges[i];
        int64_t v[4] = {p->booked, p->received_value,
                        p->received_value - p->relieved,
                        p->booked - p->relieved};
        xl_text(s, row, 0, p->ref, NULL);
        xl_text(s, row, 1, p->currency, NULL);
        xl_decimal(s, row, 2, p->rate);
        for (int j = 0; j < 4; j++) {
            xl_money(s, row, 3 + j, v[j], NULL);
            tot[j] += v[j];
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", b->total);
    for (int j = 0; j < 4; j++)
        xl_sum(s, row, 3 + j, head + 1, row - 1, tot[j], 1);
    row += 2;
    snprintf(line, sizeof(line),
             "Values in %s: booked at the rate of the pledge's date, "
             "received at the rate of the day the money arrived.",
             b->base->code);
    row = xl_note(s, row, 0, line, NULL);
    xl_note(s, row, 0,
            "Booked value - received value + exchange difference = "
            "outstanding value: the exchange difference is what the "
            "payments gained (positive) or lost against the booked value "
            "they settled.",
            NULL);
    xl_fit(s);
}

/* ---- Delegates funded by the donor's pools (streamed) -------------- */

struct grants_ctx {
    xl_sheet *s;
    xl_lookup *lk;
    int row;
    int64_t total;
    int oom;
};

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
    xl_wrap(s, row, 0, si ? si->name : g->session, 50);
    if (si)
        xl_date(s, row, 1, si->start);
    xl_wrap(s, row, 2, *ci->name ? ci->name : g->country, 24);
    xl_text(s, row, 3, xl_tier_name(g->tier), NULL);
    xl_wrap(s, row, 4, g->delegate, 28);
    xl_text(s, row, 5, g->ref, NULL);
    xl_text(s, row, 6, xl_pool_name(tf_pool_find(g->pool)), NULL);
    xl_money(s, row, 7, g->charge, NULL);
    xl_money(s, row, 8, g->share, NULL);
    c->total += g->share;
    return 0;
}

static tf_error sheet_delegates(xl_sheet *s, const struct donor_data *d,
                                xl_lookup *lk, tf_diag *diag)
{
    static const char *const cols[] = {
        "Meeting", "Start", "Country",          "Tier",      "Delegate",
        "Grant",   "Pool",  "Paid by the pool", "Your share"};
    struct grants_ctx c;
    tf_error err;

    memset(&c, 0, sizeof(c));
    c.s = s;
    c.lk = lk;
    xl_header(s, 0, cols, 9, "lllllllrr");
    c.row = 1;
    err = tf_grant_shares(s->book->fund, d->period.to, d->id, got_share, &c,
                          diag);
    if (!err && c.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        return err;
    xl_filter(s, 0, c.row - 1);
    xl_text(s, c.row, 0, "Total", s->book->total);
    xl_sum(s, c.row, 8, 1, c.row - 1, c.total, 1);
    xl_note(s, c.row + 2, 0,
            "Every grant paid from a pool you contributed to, from the start "
            "of the fund to the end of the period: what the pool paid "
            "(travel and support costs) and your share of it.",
            NULL);
    xl_note(s, c.row + 3, 0,
            "Your share is in proportion to what you paid into the pool; "
            "each is rounded to the cent on its own, so the total may differ "
            "by a few cents from the exact figures of the other sheets.",
            NULL);
    xl_fit(s);
    return TF_OK;
}

/* ---- Cover --------------------------------------------------------- */

/* "EUR 11,000.00" into buf (TF_AMOUNT_BUFSZ + 8 bytes). */
static const char *in_currency(char *buf, const char *code, int64_t amount)
{
    const tf_currency *cur = tf_currency_find(code);
    char a[TF_AMOUNT_BUFSZ];

    tf_amount_format(a, sizeof(a), amount, cur ? cur->minor : 2, 1);
    snprintf(buf, TF_AMOUNT_BUFSZ + 8, "%s %s", code, a);
    return buf;
}

/* Sums a use over the pools (TF_OUTFLOW_NONE: the other outflows). */
static int64_t use_total(const tf_statement *st, tf_outflow outflow)
{
    int64_t t = 0;

    for (size_t i = 0; i < st->nuses; i++)
        if (st->uses[i].outflow == outflow)
            t += tf_statement_total(st->uses[i].share);
    return t;
}

/* The sentences at the top of the cover. */
static int cover_story(xl_sheet *s, int row, const struct donor_data *d)
{
    const tf_statement *st = &d->period;
    xl_book *b = s->book;
    char line[1024], a[TF_AMOUNT_BUFSZ], z[TF_AMOUNT_BUFSZ],
        c[TF_AMOUNT_BUFSZ + 8];
    size_t n = 0;
    int paid = 0;
    const char *only = "";

    n = (size_t)snprintf(line, sizeof(line), "%s %s paid in ",
                         *st->from ? "In this period"
                                   : "Since the start of "
                                     "the fund,",
                         d->name);
    for (size_t i = 0; i < st->ncurrencies && n < sizeof(line) - 64; i++)
        if (st->currencies[i].received) {
            only = st->currencies[i].code;
            n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
                                  paid ? " and " : "",
                                  in_currency(c, st->currencies[i].code,
                                              st->currencies[i].received));
            paid++;
        }
    if (paid > 1 || (paid == 1 && strcmp(only, b->base->code)))
        snprintf(line + n, sizeof(line) - n, " (%s %s).", b->base->code,
                 xl_fmt(b, a, tf_statement_total(st->received)));
    else if (paid)
        snprintf(line + n, sizeof(line) - n, ".");
    else
        snprintf(line, sizeof(line), "%s paid nothing into the fund %s.",
                 d->name, *st->from ? "in this period" : "yet");
    row = xl_note(s, row, 0, line, b->strong);
    if (!*st->from) {
        char fr[TF_AMOUNT_BUFSZ], day[32];
        snprintf(line, sizeof(line),
                 "Its balance in the fund on %s is %s %s; of that, %s %s is "
                 "committed to delegates already funded and %s %s is free.",
                 xl_date_words(day, st->to), b->base->code,
                 xl_fmt(b, z, tf_statement_total(st->closing)), b->base->code,
                 xl_fmt(b, c, tf_statement_total(st->committed)), b->base->code,
                 xl_fmt(b, fr, tf_statement_total(st->free)));
    } else {
        char fr[TF_AMOUNT_BUFSZ];
        snprintf(line, sizeof(line),
                 "Its balance in the fund went from %s %s to %s %s; of that, "
                 "%s %s is committed to delegates already funded and %s %s "
                 "is free.",
                 b->base->code,
                 xl_fmt(b, a, tf_statement_total(st->opening_balance)),
                 b->base->code, xl_fmt(b, z, tf_statement_total(st->closing)),
                 b->base->code, xl_fmt(b, c, tf_statement_total(st->committed)),
                 b->base->code, xl_fmt(b, fr, tf_statement_total(st->free)));
    }
    row = xl_note(s, row, 0, line, b->strong);
    n = 0;
    for (size_t i = 0; i < st->ncurrencies && n < sizeof(line) - 96; i++) {
        const tf_statement_currency *cu = &st->currencies[i];
        if (!cu->outstanding)
            continue;
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
                              n ? "; " : "It still owes ",
                              in_currency(c, cu->code, cu->outstanding));
        if (cu->overdue)
            n += (size_t)snprintf(line + n, sizeof(line) - n,
                                  " (%s of it overdue)",
                                  in_currency(c, cu->code, cu->overdue));
    }
    if (n) {
        snprintf(line + n, sizeof(line) - n, " on its pledges.");
        row = xl_note(s, row, 0, line, b->strong);
    }
    return row;
}

static void sheet_cover(xl_sheet *s, const struct donor_data *d)
{
    const tf_statement *st = &d->period, *all = &d->all;
    xl_book *b = s->book;
    char title[512], line[512], words[32], psc[64], rate[64] = "0.13";
    int row, first, r_close, r_first_all, r_last_all, np = 0;
    lxw_chart *chart;
    lxw_chart_series *series;
    lxw_chart_options opt;

    snprintf(title, sizeof(title), "Statement for %s", d->name);
    b->who_label = "Donor";
    b->who = d->name;
    row = xl_cover_top(s, title, "Contributions to the fund and their use");
    b->who = NULL;
    /* The cover's columns: labels, then four of amounts, which the page
     * shows whole and the sentences below fill. */
    xl_widen(s, 0, "Change in your share of earlier spending....");
    for (int col = 1; col <= 4; col++)
        xl_widen(s, col, "1,234,567.89 USD..");
    row = cover_story(s, row, d);
    row++;

    tf_setting_get(b->fund, "psc_rate", rate, sizeof(rate), NULL);
    xl_rate_words(psc, sizeof(psc), rate);
    xl_text(s, row++, 0, "Your balance in the fund", b->strong);
    first = row;
    if (*st->opening)
        snprintf(line, sizeof(line), "Opening balance on %s",
                 xl_date_words(words, st->opening));
    else
        snprintf(line, sizeof(line), "Opening balance");
    xl_text(s, row, 0, line, NULL);
    xl_money(s, row++, 1, tf_statement_total(st->opening_balance), NULL);
    xl_text(s, row, 0,
            *st->from ? "Received from you in the period" : "Received from you",
            NULL);
    xl_money(s, row, 1, tf_statement_total(st->received), NULL);
    xl_note(s, row++, 2, "sheet Receipts", NULL);
    {
        static const struct {
            tf_outflow outflow;
            const char *label, *note;
        } uses[] = {
            {TF_OUTFLOW_TRAVEL, "Your share of travel grants",
             "delegates' fares, allowances and terminal costs"},
            {TF_OUTFLOW_PREP, "Your share of conference preparation",
             "activities preparing the conference"},
            {TF_OUTFLOW_PSC, "Your share of programme support costs", NULL},
            {TF_OUTFLOW_REFUNDS, "Your share of refunds",
             "returned to the donors"},
            {TF_OUTFLOW_NONE, "Your share of other outflows", NULL},
        };
        for (size_t i = 0; i < sizeof(uses) / sizeof(uses[0]); i++) {
            int64_t v = use_total(st, uses[i].outflow);
            if (!v && i >= 3)
                continue;
            xl_text(s, row, 0, uses[i].label, NULL);
            xl_money(s, row, 1, -v, NULL);
            if (i == 2) {
                snprintf(line, sizeof(line),
                         "%s of travel and preparation costs, owed to the UN",
                         psc);
                xl_note(s, row, 2, line, NULL);
            } else if (uses[i].note)
                xl_note(s, row, 2, uses[i].note, NULL);
            row++;
        }
    }
    if (tf_statement_total(st->reshared)) {
        xl_text(s, row, 0, "Change in your share of earlier spending", NULL);
        xl_money(s, row, 1, -tf_statement_total(st->reshared), NULL);
        xl_note(s, row++, 2, "as donors paid in (sheet Balance by pool)", NULL);
    }
    r_close = row;
    snprintf(line, sizeof(line), "Closing balance on %s",
             xl_date_words(words, st->to));
    xl_text(s, row, 0, line, b->total);
    xl_sum(s, row++, 1, first, r_close - 1, tf_statement_total(st->closing), 1);
    xl_text(s, row, 0, "of which committed to delegates already funded", NULL);
    xl_money(s, row, 1, tf_statement_total(st->committed), NULL);
    xl_note(s, row++, 2, "grants funded, to be paid after travel", NULL);
    xl_text(s, row, 0, "of which free", NULL);
    {
        char f[64], a[16], z[16];
        snprintf(f, sizeof(f), "=%s-%s", xl_cell(a, r_close, 1),
                 xl_cell(z, r_close + 1, 1));
        xl_formula(s, row, 1, f, tf_statement_total(st->free), 1, b->money);
    }
    xl_note(s, row++, 2, "for new grants and preparation", NULL);
    row++;

    /* What the donor still owes, in its own currencies. */
    xl_text(s, row++, 0, "Your pledges, in your currencies", b->strong);
    {
        int any_pledge = 0, r_head = row;
        for (size_t i = 0; i < st->ncurrencies; i++)
            any_pledge |= st->currencies[i].pledged != 0;
        if (any_pledge) {
            static const char *const heads[] = {"Currency", "Pledged",
                                                "Received", "Outstanding",
                                                "of which overdue"};
            for (int j = 0; j < 5; j++)
                xl_text(s, r_head, j, heads[j], j ? b->head_num : b->head);
            row++;
            for (size_t i = 0; i < st->ncurrencies; i++) {
                const tf_statement_currency *c = &st->currencies[i];
                if (!c->pledged)
                    continue;
                xl_text(s, row, 0, c->code, NULL);
                xl_money_in(s, row, 1, c->pledged, c->code);
                xl_money_in(s, row, 2, c->paid, c->code);
                xl_money_in(s, row, 3, c->outstanding, c->code);
                xl_money_in(s, row, 4, c->overdue, c->code);
                row++;
            }
            for (size_t i = 0; i < d->npledges; i++) {
                const struct pledge_row *p = &d->pledges[i];
                char due[32], owed[TF_AMOUNT_BUFSZ + 8];
                if (!p->overdue)
                    continue;
                snprintf(
                    line, sizeof(line),
                    "Overdue: pledge %s, due %s, %s still owed", p->ref,
                    xl_date_words(due, p->due),
                    in_currency(owed, p->currency, p->amount - p->received));
                row = xl_note(s, row, 0, line, NULL);
            }
        } else {
            row =
                xl_note(s, row, 0,
                        "No pledge: your contributions were received without a "
                        "prior pledge.",
                        NULL);
        }
        for (size_t i = 0; i < st->ncurrencies; i++)
            if (st->currencies[i].unpledged) {
                char c[TF_AMOUNT_BUFSZ + 8];
                snprintf(line, sizeof(line),
                         "Received without a pledge by %s: %s",
                         xl_date_words(words, st->to),
                         in_currency(c, st->currencies[i].code,
                                     st->currencies[i].unpledged));
                row = xl_note(s, row, 0, line, NULL);
            }
    }
    row++;

    /* Since the start: where the money went (the chart's data). */
    snprintf(line, sizeof(line),
             "Where your money went, from the start of the fund to %s",
             xl_date_words(words, st->to));
    xl_text(s, row++, 0, line, b->strong);
    xl_text(s, row, 0, "Paid in by you", NULL);
    xl_money(s, row, 1, tf_statement_total(all->received), NULL);
    xl_note(s, row++, 2, "sheet Sources and uses", NULL);
    r_first_all = row;
    {
        int64_t v[6] = {use_total(all, TF_OUTFLOW_TRAVEL),
                        use_total(all, TF_OUTFLOW_PREP),
                        use_total(all, TF_OUTFLOW_PSC),
                        use_total(all, TF_OUTFLOW_REFUNDS) +
                            use_total(all, TF_OUTFLOW_NONE),
                        tf_statement_total(all->committed),
                        tf_statement_total(all->free)};
        static const char *const labels[6] = {
            "Travel grants",
            "Conference preparation",
            "Programme support costs",
            "Refunds and other",
            "Committed to delegates already funded",
            "Free"};
        for (int j = 0; j < 6; j++) {
            if (j == 3 && !v[j])
                continue;
            xl_text(s, row, 0, labels[j], NULL);
            xl_money(s, row++, 1, v[j], NULL);
            np++;
        }
    }
    r_last_all = row - 1;
    xl_text(s, row, 0, "Total: what you paid in", b->total);
    xl_sum(s, row++, 1, r_first_all, r_last_all,
           tf_statement_total(all->received), 1);
    row++;
    row = xl_note(
        s, row, 0,
        "Your money is pooled with other donors' money: each pool's "
        "spending is shared among its donors in proportion to what each "
        "paid in.",
        NULL);
    row = xl_note(s, row, 0,
                  "The delegates whose travel your pools paid are listed, with "
                  "your share of each grant, on the sheet Delegates funded.",
                  NULL);
    if (d->psc_charged) {
        char a[TF_AMOUNT_BUFSZ], c[TF_AMOUNT_BUFSZ];
        snprintf(line, sizeof(line),
                 "Programme support costs: by %s the fund had paid the UN "
                 "%s %s of the %s %s charged on travel and preparation since "
                 "the start; the rest is owed to the UN and kept in the "
                 "bank until paid.",
                 xl_date_words(words, st->to), b->base->code,
                 xl_fmt(b, a, d->psc_paid), b->base->code,
                 xl_fmt(b, c, d->psc_charged));
        row = xl_note(s, row, 0, line, NULL);
    }
    xl_cap(s, 0, 46);
    xl_fit(s);

    chart = workbook_add_chart(b->wb, LXW_CHART_BAR);
    if (!chart || np == 0)
        return;
    series = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(series, s->name, (lxw_row_t)r_first_all, 0,
                                (lxw_row_t)r_last_all, 0);
    chart_series_set_values(series, s->name, (lxw_row_t)r_first_all, 1,
                            (lxw_row_t)r_last_all, 1);
    chart_series_set_labels(series);
    chart_series_set_labels_num_format(series, "#,##0");
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

tf_error tf_report_donor_period(tf_fund *fund, const char *donor_id,
                                const char *path, const char *from,
                                const char *to, tf_diag *diag)
{
    struct donor_data d;
    struct cols c;
    xl_lookup lk;
    xl_book b;
    xl_sheet cover, balance, sources, shares, receipts, pledges, values,
        delegates;
    char title[512], subject[160], sheet[32];
    tf_error err;

    memset(&d, 0, sizeof(d));
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
    if ((err = xl_open(&b, fund, path, to, 1, diag))) {
        data_release(&d);
        return err;
    }
    if (from && (tf_date_check(from, diag) ||
                 (strcmp(from, b.as_of) > 0 &&
                  tf_diag_set(diag, TF_ERR_INPUT,
                              "the period starts on %s, after its end %s", from,
                              b.as_of)))) {
        err = TF_ERR_INPUT;
        goto fail;
    }
    xl_period(&b, from);
    err = xl_lookup_init(&lk, fund, diag);
    if (!err)
        err = tf_statement_donor(fund, d.id, from, b.as_of, &d.period, diag);
    if (!err)
        err = tf_statement_donor(fund, d.id, NULL, b.as_of, &d.all, diag);
    if (!err)
        err = tf_statement_pledges(fund, d.id, b.as_of, got_pledge, &d, diag);
    if (!err && !d.oom)
        err = tf_statement_receipts(fund, d.id, from, b.as_of, got_receipt, &d,
                                    diag);
    if (!err && !d.oom) {
        tf_psc_figures psc[TF_POOL_COUNT];
        if (!(err = tf_psc_figures_get(fund, b.as_of, psc, diag)))
            for (int k = 0; k < TF_POOL_COUNT; k++) {
                d.psc_charged += psc[k].charged;
                d.psc_paid += psc[k].paid;
            }
    }
    if (!err && d.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        goto fail;

    snprintf(title, sizeof(title), "Donor statement: %s", d.name);
    snprintf(subject, sizeof(subject), "Contributions and their use, %s%s%s",
             from ? from : "", from ? " to " : "books as of ", b.as_of);
    xl_properties(&b, title, subject);
    snprintf(title, sizeof(title), "Statement for %s", d.name);
    xl_page_labels(&b, title);
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &balance, "Balance by pool");
    xl_sheet_add(&b, &sources, "Sources and uses");
    xl_sheet_add(&b, &shares, "Shares of spending");
    xl_sheet_add(&b, &receipts, "Receipts");
    xl_sheet_add(&b, &pledges, "Pledges");
    snprintf(sheet, sizeof(sheet), "Pledges in %s", b.base->code);
    xl_sheet_add(&b, &values, sheet);
    xl_sheet_add(&b, &delegates, "Delegates funded");

    pick_pools(&c, &d);
    sheet_balance(&balance, &d, &c, &lk);
    sheet_sources(&sources, &d, &c, &lk);
    sheet_shares(&shares, &d, &lk);
    sheet_receipts(&receipts, &d);
    sheet_pledges(&pledges, &d);
    sheet_values(&values, &d);
    if ((err = sheet_delegates(&delegates, &d, &lk, diag)))
        goto fail;
    sheet_cover(&cover, &d);
    xl_lookup_release(&lk);
    data_release(&d);
    return xl_close(&b, diag);
fail:
    xl_lookup_release(&lk);
    data_release(&d);
    xl_abandon(&b);
    return err;
}

tf_error tf_report_donor(tf_fund *fund, const char *donor_id, const char *path,
                         const char *as_of, tf_diag *diag)
{
    return tf_report_donor_period(fund, donor_id, path, NULL, as_of, diag);
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

/* Creates dir (and its parents) when missing. */
static tf_error make_dir(const char *dir, tf_diag *diag)
{
    struct stat st;
    char *path;
    tf_error err = TF_OK;

    if (!stat(dir, &st))
        return S_ISDIR(st.st_mode) ? TF_OK
                                   : tf_diag_set(diag, TF_ERR_INPUT,
                                                 "'%s' is not a folder", dir);
    if (!(path = xl_strdup(dir)))
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    for (char *p = path + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) && errno != EEXIST) {
            err = tf_diag_set(diag, TF_ERR_IO, "cannot create folder '%s': %s",
                              path, strerror(errno));
            break;
        }
        *p = c;
        if (!c)
            break;
    }
    free(path);
    if (!err && (stat(dir, &st) || !S_ISDIR(st.st_mode)))
        err = tf_diag_set(diag, TF_ERR_INPUT, "'%s' is not a folder", dir);
    return err;
}

tf_error tf_report_donors_period(tf_fund *fund, const char *dir,
                                 const char *from, const char *to, long *count,
                                 void (*progress)(void *ctx, long done,
                                                  long total),
                                 void *ctx, tf_diag *diag)
{
    struct donors_ctx c = {NULL, 0, 0};
    tf_error err;
    char *path = NULL;

    if (count)
        *count = 0;
    if (to && tf_date_check(to, diag))
        return TF_ERR_INPUT;
    if (from && tf_date_check(from, diag))
        return TF_ERR_INPUT;
    err = tf_donor_each(fund, NULL, got_id, &c, diag);
    if (!err && c.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!err)
        err = make_dir(dir, diag);
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
        err = tf_report_donor_period(fund, c.ids[i], path, from, to, diag);
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

tf_error tf_report_donors(tf_fund *fund, const char *dir, const char *as_of,
                          long *count,
                          void (*progress)(void *ctx, long done, long total),
                          void *ctx, tf_diag *diag)
{
    return tf_report_donors_period(fund, dir, NULL, as_of, count, progress, ctx,
                                   diag);
}
