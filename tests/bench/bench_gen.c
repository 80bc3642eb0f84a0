/* SPDX-License-Identifier: MIT */
/*
 * Builds a fund with many disbursed travel grants for the report
 * benchmark, through the public core API in batches (one transaction per
 * session) instead of one tfund process per grant.
 *
 * usage: bench_gen DB SESSIONS REQUESTS_PER_SESSION
 *
 * Five donors pay into ldc-travel; every request comes from an LDC, so
 * each grant is drawn from ldc-travel and every donor holds a share of
 * every grant. Each grant is disbursed at its estimated cost.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfund/tfund.h"

static const char *const ldcs[] = {
    "AFG", "BGD", "BEN", "BFA", "BDI", "KHM", "CAF", "TCD", "COM", "COD", "DJI",
    "ERI", "ETH", "GMB", "GIN", "GNB", "HTI", "KIR", "LAO", "LSO", "LBR", "MDG",
    "MWI", "MLI", "MRT", "MOZ", "MMR", "NPL", "NER", "RWA", "SEN", "SLE", "SLB",
    "SOM", "SSD", "SDN", "TLS", "TGO", "UGA", "TZA", "YEM", "ZMB"};
#define NLDC (sizeof(ldcs) / sizeof(ldcs[0]))

static int die(const char *what, const tf_diag *d)
{
    fprintf(stderr, "bench_gen: %s: %s\n", what, d->msg);
    return 1;
}

struct funded {
    char (*refs)[32];
    int64_t *cost;
    size_t n, cap;
};

static int keep_funded(void *ctx, const tf_request *r)
{
    struct funded *f = ctx;

    if (strcmp(r->status, "funded"))
        return 0;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 1024;
        void *grown = realloc(f->refs, cap * sizeof(*f->refs));
        if (!grown)
            return 1;
        f->refs = grown;
        grown = realloc(f->cost, cap * sizeof(*f->cost));
        if (!grown)
            return 1;
        f->cost = grown;
        f->cap = cap;
    }
    f->cost[f->n] = r->cost; /* the estimate is the actual cost */
    snprintf(f->refs[f->n++], sizeof(f->refs[0]), "%s", r->ref);
    return 0;
}

int main(int argc, char **argv)
{
    tf_fund *fund;
    tf_diag d;
    struct funded f = {NULL, NULL, 0, 0};
    long nsessions, per;
    int known, rc = 0;

    if (argc != 4 || (nsessions = atol(argv[2])) <= 0 ||
        (per = atol(argv[3])) <= 0) {
        fprintf(stderr, "usage: bench_gen DB SESSIONS REQUESTS\n");
        return 2;
    }
    tf_diag_clear(&d);
    if (tf_fund_create(&fund, argv[1], &d))
        return die("create", &d);
    if (tf_fund_begin(fund, &d) ||
        tf_setting_set(fund, "fund_name", "Benchmark trust fund", &d) ||
        tf_setting_set(fund, "quota_ldc", "1000", &d))
        return die("settings", &d);
    for (int i = 0; i < 5; i++) {
        char id[16], name[32], ref[16];
        tf_donor dn = {id, name, "state", ""};
        tf_receipt r;
        tf_receipt_field field;
        snprintf(id, sizeof(id), "donor-%d", i + 1);
        snprintf(name, sizeof(name), "Donor %d", i + 1);
        snprintf(ref, sizeof(ref), "RC-%d", i + 1);
        memset(&r, 0, sizeof(r));
        r.ref = ref;
        r.date = "2016-12-01";
        r.currency = "USD";
        /* Enough for every grant: at most 4,000 USD each with PSC. */
        r.amount = (int64_t)nsessions * per * 400000 / 5 + 1000000;
        r.donor = id;
        r.pool = "ldc-travel";
        if (tf_donor_add(fund, &dn, &known, &d) ||
            tf_receipt_add(fund, &r, &known, &field, &d))
            return die("donors", &d);
    }
    if (tf_fund_commit(fund, &d))
        return die("commit", &d);

    for (long s = 0; s < nsessions && !rc; s++) {
        char sid[16], start[TF_DATE_LEN + 1], alloc[TF_DATE_LEN + 1],
            paid[TF_DATE_LEN + 1], submitted[TF_TIME_LEN + 1];
        tf_session ss;
        tf_alloc_options opt;
        tf_alloc_result res;

        snprintf(sid, sizeof(sid), "s%04ld", s + 1);
        tf_date_add_days(start, "2017-01-02", (int)s);
        tf_date_add_days(alloc, start, -1);
        tf_date_add_days(paid, start, 10);
        snprintf(submitted, sizeof(submitted), "%.10sT09:00:00Z", alloc);
        memset(&ss, 0, sizeof(ss));
        ss.id = sid;
        ss.name = sid;
        ss.venue = "Geneva";
        ss.start = start;
        ss.days = 2;
        ss.extra_days = 1;
        ss.dsa = 30000;
        ss.terminal = 10000;
        ss.travel_budget = -1;
        if (tf_fund_begin(fund, &d) || tf_session_add(fund, &ss, &known, &d)) {
            rc = die("session", &d);
            break;
        }
        for (long i = 0; i < per; i++) {
            char ref[32], delegate[32];
            const char *field = NULL;
            tf_request q;
            memset(&q, 0, sizeof(q));
            snprintf(ref, sizeof(ref), "R-%s-%05ld", sid, i + 1);
            snprintf(delegate, sizeof(delegate), "Delegate %ld", i + 1);
            q.ref = ref;
            q.session = sid;
            q.country = ldcs[(size_t)(s + i) % NLDC];
            q.delegate = delegate;
            q.submitted = submitted;
            q.fare_currency = "USD";
            q.gender = i % 2 ? "F" : "M";
            q.fare_orig = 80000 + (i * 7919) % 150000;
            if (tf_request_add(fund, &q, &known, &field, &d)) {
                rc = die("request", &d);
                break;
            }
        }
        memset(&opt, 0, sizeof(opt));
        opt.date = alloc;
        opt.order = TF_ORDER_SUBMITTED;
        opt.budget_all = 1;
        opt.cap = -1;
        f.n = 0;
        if (!rc && (tf_allocate(fund, sid, &opt, &res, NULL, NULL, &d) ||
                    tf_request_each(fund, sid, NULL, keep_funded, &f, &d)))
            rc = die("allocate", &d);
        for (size_t i = 0; !rc && i < f.n; i++) {
            tf_disburse_result dr;
            if (tf_disburse(fund, f.refs[i], paid, "USD", f.cost[i], &dr, &d))
                rc = die("disburse", &d);
        }
        if (!rc && tf_fund_commit(fund, &d))
            rc = die("commit", &d);
        if (!rc && (s + 1) % 10 == 0)
            fprintf(stderr, "bench_gen: %ld of %ld sessions\n", s + 1,
                    nsessions);
    }
    free(f.refs);
    free(f.cost);
    tf_fund_close(fund);
    return rc;
}
