/* SPDX-License-Identifier: MIT */
/*
 * The session allocation report: every request of one session with its
 * decision and figures, totals by tier, region, gender and status, and
 * what the pools have left. Requests are streamed (constant memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/report.h"
#include "xl.h"

/* Money the books hold for one request of the session, as of the date. */
struct req_money {
    char *ref;
    int64_t committed, paid;
};

/* One row of the totals: a dimension's value and its counts. */
struct group {
    int dim; /* 0 tier, 1 region, 2 gender, 3 status */
    char value[64];
    long n[7]; /* requests, funded+paid, paid, waitlisted, rejected,
                  cancelled, pending */
    int64_t charge;
};

struct session_data {
    xl_book *book;
    const xl_session_info *si;
    xl_lookup lk;
    struct req_money *reqs; /* in reference order */
    size_t nreqs;
    struct {
        int64_t id;
        size_t req;
    } * entries;
    size_t nentries;
    struct group *groups;
    size_t ngroups;
    int64_t drawn[TF_POOL_COUNT];
    int64_t charge, committed, paid;
    xl_sheet *sheet;
    int row;
    int oom;
};

static void session_release(struct session_data *d)
{
    for (size_t i = 0; i < d->nreqs; i++)
        free(d->reqs[i].ref);
    free(d->reqs);
    free(d->entries);
    free(d->groups);
    xl_lookup_release(&d->lk);
}

static int collect_ref(void *ctx, const tf_request *r)
{
    struct session_data *d = ctx;
    struct req_money *grown = realloc(d->reqs, (d->nreqs + 1) * sizeof(*grown));

    if (!grown || !(grown[d->nreqs].ref = xl_strdup(r->ref))) {
        if (grown)
            d->reqs = grown;
        d->oom = 1;
        return 1;
    }
    d->reqs = grown;
    d->reqs[d->nreqs].committed = d->reqs[d->nreqs].paid = 0;
    d->nreqs++;
    return 0;
}

static long req_find(const struct session_data *d, const char *ref)
{
    size_t lo = 0, hi = d->nreqs;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(d->reqs[mid].ref, ref);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The request of a grant entry ("REF@pool" for commitments, "REF" for
 * disbursements and releases; a reversal takes its original's). */
static long entry_request(const struct session_data *d, const tf_entry *e)
{
    char ref[256];

    if (e->reverses) {
        size_t lo = 0, hi = d->nentries;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (d->entries[mid].id == e->reverses)
                return (long)d->entries[mid].req;
            if (d->entries[mid].id < e->reverses)
                lo = mid + 1;
            else
                hi = mid;
        }
        return -1;
    }
    if (!tf_grant_entry_ref(e, ref, sizeof(ref)))
        return -1;
    return req_find(d, ref);
}

static int got_entry(void *ctx, const tf_entry *e)
{
    struct session_data *d = ctx;
    long r = entry_request(d, e);
    void *grown;

    if (r < 0)
        return 0;
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        int a = tf_account_find(p->account, NULL);
        if (a == TF_ACCT_ENCUMBRANCES)
            d->reqs[r].committed += p->amount;
        else if (a == TF_ACCT_TRAVEL || a == TF_ACCT_PSC)
            d->reqs[r].paid += p->amount;
    }
    grown = realloc(d->entries, (d->nentries + 1) * sizeof(*d->entries));
    if (!grown) {
        d->oom = 1;
        return 1;
    }
    d->entries = grown;
    d->entries[d->nentries].id = e->id;
    d->entries[d->nentries++].req = (size_t)r;
    return 0;
}

/* The UN regional groups in the order the allocation breaks ties. */
static int region_rank(const char *region)
{
    static const char *const order[] = {"African", "Asia-Pacific",
                                        "Eastern European", "GRULAC", "WEOG"};

    for (int i = 0; i < 5; i++)
        if (!strcmp(region, order[i]))
            return i;
    return *region ? 5 : 6;
}

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    if (x->dim != y->dim)
        return x->dim - y->dim;
    if (x->dim == 1 && region_rank(x->value) != region_rank(y->value))
        return region_rank(x->value) - region_rank(y->value);
    return strcmp(x->value, y->value);
}

static int count(struct session_data *d, int dim, const char *value,
                 const tf_request *r)
{
    struct group *g = NULL;
    int st;

    for (size_t i = 0; i < d->ngroups; i++)
        if (d->groups[i].dim == dim && !strcmp(d->groups[i].value, value)) {
            g = &d->groups[i];
            break;
        }
    if (!g) {
        struct group *grown =
            realloc(d->groups, (d->ngroups + 1) * sizeof(*grown));
        if (!grown)
            return -1;
        d->groups = grown;
        g = &d->groups[d->ngroups++];
        memset(g, 0, sizeof(*g));
        g->dim = dim;
        snprintf(g->value, sizeof(g->value), "%s", value);
    }
    g->n[0]++;
    st = tf_status_is(r->status, TF_STATUS_FUNDED)       ? 1
         : tf_status_is(r->status, TF_STATUS_DISBURSED)  ? 2
         : tf_status_is(r->status, TF_STATUS_WAITLISTED) ? 3
         : tf_status_is(r->status, TF_STATUS_REJECTED)   ? 4
         : tf_status_is(r->status, TF_STATUS_CANCELLED)  ? 5
                                                         : 6;
    if (st <= 2) {
        g->n[1]++;
        g->charge += r->charge;
    }
    if (st >= 2)
        g->n[st]++;
    return 0;
}

static int write_request(void *ctx, const tf_request *r)
{
    struct session_data *d = ctx;
    xl_sheet *s = d->sheet;
    const xl_country_info *ci = xl_country_find(&d->lk, r->country);
    long k = req_find(d, r->ref);
    int row = d->row++;
    char draws[256] = "", tier[8];
    int64_t by_pool[TF_POOL_COUNT] = {0};

    if (!ci) {
        d->oom = 1;
        return 1;
    }
    xl_text(s, row, 0, r->ref, NULL);
    xl_text(s, row, 1, r->submitted, NULL);
    xl_text(s, row, 2, r->delegate, NULL);
    xl_text(s, row, 3, r->country, NULL);
    xl_text(s, row, 4, ci->name, NULL);
    xl_text(s, row, 5,
            r->region_group && *r->region_group ? r->region_group : ci->region,
            NULL);
    if (r->tier)
        xl_int(s, row, 6, r->tier, NULL);
    xl_text(s, row, 7, r->gender, NULL);
    xl_text(s, row, 8, r->status, NULL);
    xl_text(s, row, 9, r->reason, NULL);
    xl_date(s, row, 10, r->decided);
    xl_text(s, row, 11, r->fare_currency, NULL);
    xl_money_in(s, row, 12, r->fare_orig, r->fare_currency);
    if (r->has_figures) {
        xl_money(s, row, 13, r->fare, NULL);
        xl_money(s, row, 14, r->dsa, NULL);
        xl_money(s, row, 15, r->terminal, NULL);
        xl_money(s, row, 16, r->cost, NULL);
        xl_money(s, row, 17, r->psc, NULL);
        xl_money(s, row, 18, r->charge, NULL);
    }
    for (int i = 0; i < r->ndraws; i++) {
        char amt[TF_AMOUNT_BUFSZ];
        int p = tf_pool_find(r->draws[i].pool);
        size_t used = strlen(draws);
        tf_amount_format(amt, sizeof(amt), r->draws[i].amount,
                         d->book->base->minor, 0);
        snprintf(draws + used, sizeof(draws) - used, "%s%s:%s", i ? ";" : "",
                 r->draws[i].pool, amt);
        if (p >= 0)
            by_pool[p] += r->draws[i].amount;
    }
    xl_text(s, row, 19, draws, NULL);
    for (int p = 0; p < 3; p++)
        if (by_pool[p])
            xl_money(s, row, 20 + p, by_pool[p], NULL);
    if (k >= 0) {
        xl_money(s, row, 23, d->reqs[k].committed, NULL);
        xl_money(s, row, 24, d->reqs[k].paid, NULL);
        d->committed += d->reqs[k].committed;
        d->paid += d->reqs[k].paid;
    }
    if (tf_status_is(r->status, TF_STATUS_FUNDED) ||
        tf_status_is(r->status, TF_STATUS_DISBURSED)) {
        d->charge += r->charge;
        for (int p = 0; p < TF_POOL_COUNT; p++)
            d->drawn[p] += by_pool[p];
    }
    snprintf(tier, sizeof(tier), "%d", r->tier);
    if (count(d, 0, r->tier ? tier : "none", r) ||
        count(d, 1,
              r->region_group && *r->region_group ? r->region_group
                                                  : ci->region,
              r) ||
        count(d, 2, *r->gender ? r->gender : "not given", r) ||
        count(d, 3, r->status, r)) {
        d->oom = 1;
        return 1;
    }
    return 0;
}

static tf_error sheet_requests(xl_sheet *s, struct session_data *d,
                               tf_diag *diag)
{
    const char *const cols[] = {"Request",
                                "Submitted",
                                "Delegate",
                                "Country",
                                "Country name",
                                "Region",
                                "Tier",
                                "Gender",
                                "Status",
                                "Reason",
                                "Decided",
                                "Fare currency",
                                "Fare quoted",
                                "Fare",
                                "DSA",
                                "Terminal",
                                "Cost",
                                "PSC",
                                "Charge",
                                "Draws",
                                tf_pools[TF_POOL_UNRESTRICTED],
                                tf_pools[TF_POOL_TRAVEL],
                                tf_pools[TF_POOL_LDC_TRAVEL],
                                "Committed",
                                "Paid"};
    const int n = (int)(sizeof(cols) / sizeof(cols[0]));
    tf_error err;

    xl_header(s, 0, cols, n);
    d->sheet = s;
    d->row = 1;
    err =
        tf_request_each(s->book->fund, d->si->id, NULL, write_request, d, diag);
    if (!err && d->oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        return err;
    xl_filter(s, 0, d->row - 1);
    xl_text(s, d->row, 0, "Total funded and paid", s->book->total);
    /* What was granted: the charge and draws of funded and disbursed
     * requests. Other rows keep figures that were never granted (a
     * cancelled grant keeps its draws), so these are conditional sums. */
    for (int c = 18; c <= 22; c++) {
        char f[256], a[16], z[16], sa[16], sz[16];
        int64_t v = c == 18 ? d->charge : c >= 20 ? d->drawn[c - 20] : 0;
        if (c == 19)
            continue;
        xl_cell(a, 1, c);
        xl_cell(z, d->row - 1, c);
        xl_cell(sa, 1, 8);
        xl_cell(sz, d->row - 1, 8);
        if (d->row > 1)
            snprintf(f, sizeof(f),
                     "=SUMIF(%s:%s,\"funded\",%s:%s)+SUMIF(%s:%s,"
                     "\"disbursed\",%s:%s)",
                     sa, sz, a, z, sa, sz, a, z);
        else
            snprintf(f, sizeof(f), "=0");
        xl_formula(s, d->row, c, f, v, 1, NULL);
    }
    xl_sum(s, d->row, 23, 1, d->row - 1, d->committed, 1);
    xl_sum(s, d->row, 24, 1, d->row - 1, d->paid, 1);
    xl_note(s, d->row + 2, 0,
            "Fare, DSA (daily rate x days), terminal, cost, PSC and charge in "
            "the base currency, from the run that decided the request. "
            "Committed and Paid come from the books as of the report date.",
            NULL);
    xl_cap(s, 4, 30);
    xl_fit(s);
    return TF_OK;
}

/* The totals sheet; *region_first and *region_last get the rows of the
 * regions (for the chart). */
static void sheet_totals(xl_sheet *s, struct session_data *d, int *region_first,
                         int *region_last)
{
    static const char *const cols[] = {
        "By",         "Value",    "Requests",  "Funded",  "of which paid",
        "Waitlisted", "Rejected", "Cancelled", "Pending", "Charge funded"};
    static const char *const dims[] = {"tier", "region", "gender", "status"};
    int row = 0, head, tier_first = -1, tier_last = -1;
    long all[7] = {0, 0, 0, 0, 0, 0, 0};
    int64_t charge = 0;

    *region_first = *region_last = -1;
    if (d->ngroups)
        qsort(d->groups, d->ngroups, sizeof(*d->groups), cmp_group);
    xl_header(s, head = row++, cols, 10);
    for (size_t i = 0; i < d->ngroups; i++, row++) {
        const struct group *g = &d->groups[i];
        xl_text(s, row, 0, dims[g->dim], NULL);
        xl_text(s, row, 1, *g->value ? g->value : "none", NULL);
        for (int c = 0; c < 7; c++)
            xl_int(s, row, 2 + c, g->n[c], NULL);
        xl_money(s, row, 9, g->charge, NULL);
        if (g->dim == 0) {
            if (tier_first < 0)
                tier_first = row;
            tier_last = row;
            for (int c = 0; c < 7; c++)
                all[c] += g->n[c];
            charge += g->charge;
        }
        if (g->dim == 1) {
            if (*region_first < 0)
                *region_first = row;
            *region_last = row;
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    xl_text(s, row, 1, "all requests", s->book->total);
    if (tier_first < 0) /* no requests: an empty range */
        tier_first = tier_last + 1;
    for (int c = 0; c < 7; c++)
        xl_sum(s, row, 2 + c, tier_first, tier_last, all[c], 0);
    xl_sum(s, row, 9, tier_first, tier_last, charge, 1);
    xl_note(s, row + 2, 0,
            "Each request counts once in each dimension; the total sums the "
            "tier rows. Funded includes those already paid; charge funded is "
            "the approved charge (with PSC) of funded and paid requests.",
            NULL);
    xl_fit(s);
}

static void sheet_pools(xl_sheet *s, struct session_data *d,
                        const tf_pool_figures figs[TF_POOL_COUNT], int64_t days,
                        int64_t later_days)
{
    static const char *const cols[] = {"Pool",
                                       "Receipts",
                                       "Cash",
                                       "Committed",
                                       "Reserve",
                                       "Available",
                                       "Drawn by this session",
                                       "Allowance at the days share"};
    int row = 0, head;
    int64_t tot[7] = {0, 0, 0, 0, 0, 0, 0};

    xl_header(s, head = row++, cols, 8);
    for (int k = 0; k < TF_POOL_COUNT; k++, row++) {
        const tf_pool_figures *p = &figs[k];
        int64_t v[6] = {p->receipts, p->cash,      p->committed,
                        p->reserve,  p->available, d->drawn[k]};
        int64_t allow = 0;
        xl_text(s, row, 0, tf_pools[k], NULL);
        for (int c = 0; c < 6; c++) {
            xl_money(s, row, 1 + c, v[c], NULL);
            tot[c] += v[c];
        }
        /* What a run of this session on the report date could spend from
         * a travel pool (DESIGN.md 9.4). */
        if (k != TF_POOL_PREP && later_days > 0 && p->available > 0 &&
            !tf_money_mul_ratio(&allow, p->available, days, later_days,
                                TF_ROUND_FLOOR)) {
            xl_money(s, row, 7, allow, NULL);
            tot[6] += allow;
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < 7; c++)
        xl_sum(s, row, 1 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    {
        char line[256];
        snprintf(line, sizeof(line),
                 "Days share: this session's %lld days of the %lld days of "
                 "the sessions starting on or after it.",
                 (long long)days, (long long)later_days);
        xl_note(s, row++, 0, line, NULL);
    }
    xl_note(s, row, 0,
            "Available: cash less commitments and the operating reserve, as "
            "of the report date. Drawn: the draws of this session's funded "
            "and paid grants.",
            NULL);
    xl_fit(s);
}

static void sheet_cover(xl_sheet *s, struct session_data *d, int64_t days,
                        int64_t later_days, int region_first, int region_last,
                        const char *totals_name)
{
    xl_book *b = s->book;
    const xl_session_info *si = d->si;
    char title[512], buf[TF_AMOUNT_BUFSZ + 16], line[256];
    long n[7] = {0, 0, 0, 0, 0, 0, 0};
    int row;
    static const char *const labels[] = {"Requests",
                                         "Funded (including paid)",
                                         "Paid",
                                         "Waitlisted",
                                         "Rejected (not eligible)",
                                         "Cancelled",
                                         "Pending (not yet decided)"};

    for (size_t i = 0; i < d->ngroups; i++)
        if (d->groups[i].dim == 0)
            for (int c = 0; c < 7; c++)
                n[c] += d->groups[i].n[c];
    snprintf(title, sizeof(title), "Allocation report: %s", si->id);
    row = xl_cover_top(s, title, si->name);
    xl_cover_text(s, row++, "Session", si->id);
    xl_cover_text(s, row++, "Venue", si->venue);
    xl_cover_text(s, row++, "Starts", si->start);
    snprintf(line, sizeof(line), "%lld (DSA paid for %lld)",
             (long long)si->days, (long long)(si->days + si->extra_days));
    xl_cover_text(s, row++, "Days", line);
    snprintf(buf, sizeof(buf), "%s %s", xl_fmt(b, line, si->dsa),
             b->base->code);
    xl_cover_text(s, row++, "DSA per day", buf);
    snprintf(buf, sizeof(buf), "%s %s", xl_fmt(b, line, si->terminal),
             b->base->code);
    xl_cover_text(s, row++, "Terminal expenses", buf);
    snprintf(line, sizeof(line), "%lld/%lld", (long long)days,
             (long long)later_days);
    xl_cover_text(s, row++, "Days share", line);
    row++;
    xl_text(s, row++, 0, "Requests", b->strong);
    for (int c = 0; c < 7; c++) {
        xl_text(s, row, 0, labels[c], NULL);
        xl_int(s, row++, 1, n[c], NULL);
    }
    row++;
    xl_text(s, row++, 0, "Money", b->strong);
    xl_text(s, row, 0, "Charge of funded grants", NULL);
    xl_money(s, row++, 1, d->charge, NULL);
    xl_text(s, row, 0, "Still committed", NULL);
    xl_money(s, row++, 1, d->committed, NULL);
    xl_text(s, row, 0, "Paid (actual cost with PSC)", NULL);
    xl_money(s, row++, 1, d->paid, NULL);
    row++;
    xl_note(s, row++, 0,
            "Decisions are as recorded; money is from the books as of the "
            "report date.",
            NULL);
    xl_fit(s);
    if (region_first >= 0) {
        lxw_chart *chart = workbook_add_chart(b->wb, LXW_CHART_COLUMN);
        lxw_chart_options opt;
        static const struct {
            int col;
            const char *name;
        } series[] = {{3, "Funded"}, {5, "Waitlisted"}, {6, "Rejected"}};
        if (!chart)
            return;
        for (size_t i = 0; i < 3; i++) {
            lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
            chart_series_set_categories(cs, totals_name,
                                        (lxw_row_t)region_first, 1,
                                        (lxw_row_t)region_last, 1);
            chart_series_set_values(cs, totals_name, (lxw_row_t)region_first,
                                    (lxw_col_t)series[i].col,
                                    (lxw_row_t)region_last,
                                    (lxw_col_t)series[i].col);
            chart_series_set_name(cs, series[i].name);
        }
        chart_title_set_name(chart, "Requests by regional group");
        chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
        memset(&opt, 0, sizeof(opt));
        opt.x_scale = 1.2;
        opt.y_scale = 1.1;
        worksheet_insert_chart_opt(s->ws, (lxw_row_t)(row + 1), 0, chart, &opt);
    }
}

tf_error tf_report_session(tf_fund *fund, const char *session_id,
                           const char *path, const char *as_of, tf_diag *diag)
{
    struct session_data d;
    tf_pool_figures figs[TF_POOL_COUNT];
    xl_book b;
    xl_sheet cover, requests, totals, pools;
    int64_t later_days = 0;
    int rfirst, rlast;
    char title[256], subject[128];
    tf_error err;

    memset(&d, 0, sizeof(d));
    if ((err = xl_lookup_init(&d.lk, fund, diag))) {
        session_release(&d);
        return err;
    }
    d.si = xl_session_find(&d.lk, session_id);
    if (!d.si) {
        session_release(&d);
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown session '%s'",
                           session_id);
    }
    for (size_t i = 0; i < d.lk.nsessions; i++)
        if (strcmp(d.lk.sessions[i].start, d.si->start) >= 0)
            later_days += d.lk.sessions[i].days;
    if ((err = xl_open(&b, fund, path, as_of, 1, diag))) {
        session_release(&d);
        return err;
    }
    d.book = &b;
    err = tf_request_each(fund, d.si->id, NULL, collect_ref, &d, diag);
    if (!err && !d.oom)
        err = tf_ledger_each_entry(fund, b.as_of, got_entry, &d, diag);
    if (!err && !d.oom)
        err = tf_ledger_pools(fund, b.as_of, figs, diag);
    if (!err && d.oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        goto fail;
    snprintf(title, sizeof(title), "Allocation report: %s", d.si->id);
    snprintf(subject, sizeof(subject),
             "Travel requests and decisions, books as of %s", b.as_of);
    xl_properties(&b, title, subject);
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &requests, "Requests");
    xl_sheet_add(&b, &totals, "Totals");
    xl_sheet_add(&b, &pools, "Pools");
    if ((err = sheet_requests(&requests, &d, diag)))
        goto fail;
    sheet_totals(&totals, &d, &rfirst, &rlast);
    sheet_pools(&pools, &d, figs, d.si->days, later_days);
    sheet_cover(&cover, &d, d.si->days, later_days, rfirst, rlast, totals.name);
    session_release(&d);
    return xl_close(&b, diag);
fail:
    session_release(&d);
    xl_abandon(&b);
    return err;
}
