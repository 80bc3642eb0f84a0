/* SPDX-License-Identifier: MIT */
/*
 * The session allocation report, as the session stood on a date: the
 * grants (funded or paid) with their draws on the pools, the other
 * requests with their decisions and figures, totals by tier, region,
 * gender and status, and what the pools have left. Requests are streamed
 * into both sheets at once (constant memory); each sheet's totals add up
 * every row it lists.
 */
#include "tfund/statement.h"
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
    /* The grants sheet and the other requests' sheet, and the sums of
     * their money columns. */
    xl_sheet *grants, *others;
    int grow, orow;
    int64_t gsum[10], osum[6];
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
        const char *key;
        xl_line line = xl_account_line(p->account, &key);
        if (line == XL_BUDGET)
            d->reqs[r].committed += p->amount;
        else if (line == XL_TRAVEL || line == XL_PSC)
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

/* Tiers in their order: LDC, other developing, none. */
static int tier_rank(const char *tier)
{
    return !strcmp(tier, xl_tier_name(1))   ? 0
           : !strcmp(tier, xl_tier_name(2)) ? 1
                                            : 2;
}

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    if (x->dim != y->dim)
        return x->dim - y->dim;
    if (x->dim == 0 && tier_rank(x->value) != tier_rank(y->value))
        return tier_rank(x->value) - tier_rank(y->value);
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

/* The pools a grant draws on, as the grants sheet shows them. */
static const int draw_cols[3] = {2, 1,
                                 0}; /* ldc-travel, travel, unrestricted */

static int write_request(void *ctx, const tf_request *r)
{
    struct session_data *d = ctx;
    const xl_country_info *ci = xl_country_find(&d->lk, r->country);
    long k = req_find(d, r->ref);
    int64_t by_pool[TF_POOL_COUNT] = {0};
    int granted = tf_status_is(r->status, TF_STATUS_FUNDED) ||
                  tf_status_is(r->status, TF_STATUS_DISBURSED);
    const char *region;

    if (!ci) {
        d->oom = 1;
        return 1;
    }
    region = r->region_group && *r->region_group ? r->region_group : ci->region;
    for (int i = 0; i < r->ndraws; i++) {
        int p = tf_pool_find(r->draws[i].pool);
        if (p >= 0)
            by_pool[p] += r->draws[i].amount;
    }
    if (granted) {
        xl_sheet *s = d->grants;
        int row = d->grow++;
        int64_t v[10] = {r->fare,
                         r->dsa,
                         r->terminal,
                         r->psc,
                         r->charge,
                         by_pool[draw_cols[0]],
                         by_pool[draw_cols[1]],
                         by_pool[draw_cols[2]],
                         k >= 0 ? d->reqs[k].committed : 0,
                         k >= 0 ? d->reqs[k].paid : 0};
        xl_text(s, row, 0, r->ref, NULL);
        xl_wrap(s, row, 1, r->delegate, 26);
        xl_wrap(s, row, 2, *ci->name ? ci->name : r->country, 22);
        xl_wrap(s, row, 3, region, 16);
        xl_text(s, row, 4, xl_tier_name(r->tier), NULL);
        xl_text(s, row, 5, r->gender, NULL);
        xl_text(s, row, 6, xl_status_name(r->status), NULL);
        xl_date(s, row, 7, r->decided);
        for (int c = 0; c < 10; c++) {
            xl_money(s, row, 8 + c, v[c], NULL);
            d->gsum[c] += v[c];
        }
        d->charge += r->charge;
        for (int p = 0; p < TF_POOL_COUNT; p++)
            d->drawn[p] += by_pool[p];
    } else {
        xl_sheet *s = d->others;
        int row = d->orow++;
        xl_text(s, row, 0, r->ref, NULL);
        xl_datetime(s, row, 1, r->submitted);
        xl_wrap(s, row, 2, r->delegate, 26);
        xl_wrap(s, row, 3, *ci->name ? ci->name : r->country, 22);
        xl_wrap(s, row, 4, region, 16);
        if (!tf_status_is(r->status, TF_STATUS_REJECTED))
            xl_text(s, row, 5, xl_tier_name(r->tier), NULL);
        xl_text(s, row, 6, r->gender, NULL);
        xl_text(s, row, 7, xl_status_name(r->status), NULL);
        xl_wrap(s, row, 8, xl_reason_name(r->reason), 24);
        xl_date(s, row, 9, r->decided);
        xl_money_in(s, row, 10, r->fare_orig, r->fare_currency);
        if (r->has_figures) {
            int64_t v[5] = {r->fare, r->dsa, r->terminal, r->psc, r->charge};
            for (int c = 0; c < 5; c++) {
                xl_money(s, row, 11 + c, v[c], NULL);
                d->osum[c] += v[c];
            }
        }
    }
    if (k >= 0) {
        d->committed += d->reqs[k].committed;
        d->paid += d->reqs[k].paid;
    }
    {
        char tier[8];
        snprintf(tier, sizeof(tier), "%d", r->tier);
        if (count(d, 0, r->tier ? xl_tier_name(r->tier) : "none", r) ||
            count(d, 1, region, r) ||
            count(d, 2, *r->gender ? r->gender : "not given", r) ||
            count(d, 3, xl_status_name(r->status), r)) {
            d->oom = 1;
            return 1;
        }
    }
    return 0;
}

/* The totals of a sheet's money columns first..first+n-1 on row: sums of
 * every row listed. */
static void sheet_sums(xl_sheet *s, int row, int first, int n,
                       const int64_t *sums, const char *label)
{
    xl_text(s, row, 0, label, s->book->total);
    for (int c = 0; c < n; c++)
        xl_sum(s, row, first + c, 1, row - 1, sums[c], 1);
}

static tf_error sheet_requests(xl_sheet *grants, xl_sheet *others,
                               struct session_data *d, tf_diag *diag)
{
    static const char *const gcols[] = {"Request",     "Delegate",
                                        "Country",     "Region",
                                        "Tier",        "Gender",
                                        "Status",      "Decided",
                                        "Fare",        "DSA",
                                        "Terminal",    "PSC",
                                        "Charge",      "From LDC travel",
                                        "From travel", "From unrestricted",
                                        "Committed",   "Paid"};
    static const char *const ocols[] = {
        "Request", "Submitted", "Delegate", "Country", "Region",      "Tier",
        "Gender",  "Status",    "Reason",   "Decided", "Fare quoted", "Fare",
        "DSA",     "Terminal",  "PSC",      "Charge"};
    tf_error err;

    xl_header(grants, 0, gcols, 18, "llllllllrrrrrrrrrr");
    xl_header(others, 0, ocols, 16, "llllllllllrrrrrr");
    d->grants = grants;
    d->others = others;
    d->grow = d->orow = 1;
    err = tf_request_each_as_of(grants->book->fund, d->si->id,
                                grants->book->as_of, write_request, d, diag);
    if (!err && d->oom)
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (err)
        return err;
    xl_filter(grants, 0, d->grow - 1);
    sheet_sums(grants, d->grow, 8, 10, d->gsum, "Total");
    xl_note(grants, d->grow + 2, 0,
            "Requests funded (not yet paid) or paid. Fare, DSA (daily rate x "
            "days), terminal, PSC and charge from the run that funded each; "
            "the draws on the pools; committed and paid from the books.",
            NULL);
    xl_fit(grants);
    xl_filter(others, 0, d->orow - 1);
    sheet_sums(others, d->orow, 11, 5, d->osum, "Total");
    xl_note(others, d->orow + 2, 0,
            "Requests pending, waitlisted, rejected or cancelled, with the "
            "figures of the run that decided them: estimates, none of them "
            "granted (a cancelled grant's commitment was released).",
            NULL);
    xl_fit(others);
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
    xl_header(s, head = row++, cols, 10, "llrrrrrrrr");
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

/* Nonzero when a run of the session could still be held on as_of (no
 * run is dated after the session's last day). */
static int still_open(const xl_session_info *si, const char *as_of)
{
    char last[TF_DATE_LEN + 1];

    tf_date_add_days(last, si->start, (int)si->days - 1);
    return strcmp(as_of, last) <= 0;
}

static void sheet_pools(xl_sheet *s, struct session_data *d,
                        const tf_pool_figures figs[TF_POOL_COUNT], int64_t days,
                        int64_t later_days)
{
    char allowance[96], words[32];
    const char *cols[] = {"Pool",
                          "Receipts",
                          "Cash",
                          "Committed",
                          "Reserve",
                          "Available",
                          "Drawn by this session",
                          allowance};
    int open = still_open(d->si, s->book->as_of);
    int ncols = open ? 8 : 7;
    int row = 0, head;
    int64_t tot[7] = {0, 0, 0, 0, 0, 0, 0};

    snprintf(allowance, sizeof(allowance), "A run on %s could spend",
             xl_date_words(words, s->book->as_of));
    xl_header(s, head = row++, cols, ncols, "lrrrrrrr");
    for (int k = 0; k < TF_POOL_COUNT; k++, row++) {
        const tf_pool_figures *p = &figs[k];
        int64_t v[6] = {p->receipts, p->cash,      p->committed,
                        p->reserve,  p->available, d->drawn[k]};
        int64_t allow = 0;
        xl_text(s, row, 0, xl_pool_name(k), NULL);
        for (int c = 0; c < 6; c++) {
            xl_money(s, row, 1 + c, v[c], NULL);
            tot[c] += v[c];
        }
        /* What a run of this session on the report date could spend from
         * a travel pool (DESIGN.md 9.4), while one can still be run. */
        if (open && k != TF_POOL_PREP && later_days > 0 && p->available > 0 &&
            !tf_money_mul_ratio(&allow, p->available, days, later_days,
                                TF_ROUND_FLOOR)) {
            xl_money(s, row, 7, allow, NULL);
            tot[6] += allow;
        }
    }
    xl_filter(s, head, row - 1);
    xl_text(s, row, 0, "Total", s->book->total);
    for (int c = 0; c < ncols - 1; c++)
        xl_sum(s, row, 1 + c, head + 1, row - 1, tot[c], 1);
    row += 2;
    if (open) {
        char line[256];
        snprintf(line, sizeof(line),
                 "A run could spend the session's days share of what is "
                 "available: its %lld days of the %lld days of the sessions "
                 "starting on or after it.",
                 (long long)days, (long long)later_days);
        row = xl_note(s, row, 0, line, NULL);
    } else
        row =
            xl_note(s, row, 0,
                    "The session is over: no allocation run can be dated after "
                    "its last day.",
                    NULL);
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
    char title[512], buf[TF_AMOUNT_BUFSZ + 16], line[256], words[32];
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
    b->who_label = "Session";
    b->who = si->id;
    row = xl_cover_top(s, title, "");
    b->who = NULL;
    xl_widen(s, 1, "Funded (including paid)......");
    xl_widen(s, 2, "1,234,567.89 USD..");
    xl_widen(s, 3, "1,234,567.89 USD..");
    row = xl_note(s, row, 0, si->name, b->strong);
    row++;
    xl_cover_text(s, row++, "Venue", si->venue);
    xl_cover_text(s, row++, "Starts", xl_date_words(words, si->start));
    snprintf(line, sizeof(line), "%lld (DSA paid for %lld)",
             (long long)si->days, (long long)(si->days + si->extra_days));
    xl_cover_text(s, row++, "Days", line);
    snprintf(buf, sizeof(buf), "%s %s", xl_fmt(b, line, si->dsa),
             b->base->code);
    xl_cover_text(s, row++, "DSA per day", buf);
    snprintf(buf, sizeof(buf), "%s %s", xl_fmt(b, line, si->terminal),
             b->base->code);
    xl_cover_text(s, row++, "Terminal expenses", buf);
    if (still_open(si, b->as_of)) {
        snprintf(line, sizeof(line), "%lld of %lld days", (long long)days,
                 (long long)later_days);
        xl_cover_text(s, row++, "Days share", line);
    }
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
    {
        char day[32];
        snprintf(line, sizeof(line),
                 "Decisions as they stood on %s; money from the books as of "
                 "that day.",
                 xl_date_words(day, b->as_of));
        row = xl_note(s, row, 0, line, NULL);
    }
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
    xl_sheet cover, grants, others, totals, pools;
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
    xl_page_labels(&b, title);
    xl_sheet_add(&b, &cover, "Cover");
    xl_sheet_add(&b, &grants, "Grants");
    xl_sheet_add(&b, &others, "Other requests");
    xl_sheet_add(&b, &totals, "Totals");
    xl_sheet_add(&b, &pools, "Pools");
    if ((err = sheet_requests(&grants, &others, &d, diag)))
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
