/* SPDX-License-Identifier: MIT */
/*
 * The travel-grant allocation (DESIGN.md sections 4 and 9): tiers and LDC
 * graduation, quotas, the three orders, the days share, the cap, fit-skip
 * and strict funding, draws across pools, ineligible countries, fares in
 * another currency, disbursement, cancellation, dry runs and determinism.
 *
 * Every test starts from a fund newly created in a temporary file, sets
 * it up through the public API inside one transaction, allocates in
 * another and reads the decisions back with tf_request_each and the pool
 * figures with tf_ledger_pools. The expected figures are worked out by
 * hand in the comments. Every test ends with tf_verify finding nothing.
 *
 * Amounts are USD cents. Unless a test says otherwise a session has no
 * DSA, no terminal allowance and no extra days, so a fare of 1000.00 gives
 * cost 100000, psc = 13% = 13000 and charge 113000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "tfund/tfund.h"

/* ---- Helpers: every call must succeed ------------------------------- */

/* ---- Setting a fund up (in the caller's transaction) ---------------- */

static void add_donor(tf_fund *f)
{
    tf_donor d = {"donor-a", "Donor A", "state", ""};
    int known;

    MUST(tf_donor_add(f, &d, &known, &dg));
}

/* Money into a pool: a pledge and its receipt, in USD, on date. */
static void give(tf_fund *f, const char *ref, const char *date,
                 const char *pool, int64_t cents)
{
    char pref[64];
    tf_pledge p;
    tf_receipt r;
    tf_receipt_field field;
    int known;

    add_donor(f);
    snprintf(pref, sizeof(pref), "P-%s", ref);
    memset(&p, 0, sizeof(p));
    p.ref = pref;
    p.donor = "donor-a";
    p.date = date;
    p.currency = "USD";
    p.pool = pool;
    p.amount = cents;
    MUST(tf_pledge_add(f, &p, &known, &dg));
    memset(&r, 0, sizeof(r));
    r.ref = ref;
    r.date = date;
    r.currency = "USD";
    r.amount = cents;
    r.pledge = pref;
    MUST(tf_receipt_add(f, &r, &known, &field, &dg));
    assert_int_equal(known, 0);
}

static void add_rate(tf_fund *f, const char *currency, const char *date,
                     const char *per_usd)
{
    int known;

    MUST(tf_rate_add(f, currency, date, per_usd, &known, &dg));
}

static void add_session_full(tf_fund *f, const char *id, const char *start,
                             int64_t days, int64_t extra_days, int64_t dsa,
                             int64_t terminal)
{
    tf_session s = {.id = id,
                    .name = "Session",
                    .venue = "Geneva",
                    .start = start,
                    .days = days,
                    .extra_days = extra_days,
                    .dsa = dsa,
                    .terminal = terminal,
                    .travel_budget = -1};
    int known;

    MUST(tf_session_add(f, &s, &known, &dg));
    assert_int_equal(known, 0);
}

/* A session with no DSA, terminal or extra days: charge = fare x 1.13. */
static void add_session(tf_fund *f, const char *id, const char *start,
                        int64_t days)
{
    add_session_full(f, id, start, days, 0, 0, 0);
}

static void add_request(tf_fund *f, const char *ref, const char *session,
                        const char *country, const char *submitted,
                        int64_t fare, const char *currency)
{
    char delegate[128];
    const char *field = NULL;
    tf_request q;
    int known;

    snprintf(delegate, sizeof(delegate), "Delegate %.100s", ref);
    memset(&q, 0, sizeof(q));
    q.ref = ref;
    q.session = session;
    q.country = country;
    q.delegate = delegate;
    q.submitted = submitted;
    q.fare_orig = fare;
    q.fare_currency = currency;
    q.gender = "";
    MUST(tf_request_add(f, &q, &known, &field, &dg));
    assert_int_equal(known, 0);
}

/* ---- Allocating and reading back ------------------------------------ */

static tf_alloc_options options(const char *date)
{
    tf_alloc_options o = {date, TF_ORDER_SUBMITTED, 0, -1, 0, 0};

    return o;
}

/* One allocation run in its own transaction, committed. */
static tf_alloc_result allocate(tf_fund *f, const char *session,
                                const tf_alloc_options *o)
{
    tf_alloc_result res;

    begin(f);
    MUST(tf_allocate(f, session, o, &res, NULL, NULL, &dg));
    commit(f);
    return res;
}

static tf_alloc_result allocate_on(tf_fund *f, const char *session,
                                   const char *date)
{
    tf_alloc_options o = options(date);

    return allocate(f, session, &o);
}

/* A request as tf_request_each reports it, copied. */
struct got {
    int found;
    char status[16], reason[32], region[32], decided[16];
    int tier, has_figures;
    int64_t fare, dsa, terminal, cost, psc, charge;
    char draws[160];
};

static void format_draws(char *buf, size_t size, const tf_request *r)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < r->ndraws && len < size; i++)
        len +=
            (size_t)snprintf(buf + len, size - len, "%s%s:%lld", i ? ";" : "",
                             r->draws[i].pool ? r->draws[i].pool : "?",
                             (long long)r->draws[i].amount);
}

static void copy_request(struct got *g, const tf_request *r)
{
    memset(g, 0, sizeof(*g));
    g->found = 1;
    snprintf(g->status, sizeof(g->status), "%s", r->status);
    snprintf(g->reason, sizeof(g->reason), "%s", r->reason);
    snprintf(g->region, sizeof(g->region), "%s", r->region_group);
    snprintf(g->decided, sizeof(g->decided), "%s",
             r->decided ? r->decided : "");
    g->tier = r->tier;
    g->has_figures = r->has_figures;
    g->fare = r->fare;
    g->dsa = r->dsa;
    g->terminal = r->terminal;
    g->cost = r->cost;
    g->psc = r->psc;
    g->charge = r->charge;
    format_draws(g->draws, sizeof(g->draws), r);
}

static int grab_request(void *ctx, const tf_request *r)
{
    copy_request(ctx, r);
    return 1;
}

static struct got get(tf_fund *f, const char *ref)
{
    struct got g;

    memset(&g, 0, sizeof(g));
    MUST(tf_request_each(f, NULL, ref, grab_request, &g, &dg));
    assert_true(g.found);
    return g;
}

/* Checks a decision: status, reason, tier, charge (-1: not checked) and
 * draws ("pool:amount;pool:amount", "" for none). */
static void expect(tf_fund *f, const char *ref, const char *status,
                   const char *reason, int tier, int64_t charge,
                   const char *draws)
{
    struct got g = get(f, ref);

    if (strcmp(g.status, status))
        fail_msg("%s: status '%s', expected '%s'", ref, g.status, status);
    if (strcmp(g.reason, reason))
        fail_msg("%s: reason '%s', expected '%s'", ref, g.reason, reason);
    if (g.tier != tier)
        fail_msg("%s: tier %d, expected %d", ref, g.tier, tier);
    if (charge >= 0 && (!g.has_figures || g.charge != charge))
        fail_msg("%s: charge %lld, expected %lld", ref, (long long)g.charge,
                 (long long)charge);
    if (strcmp(g.draws, draws))
        fail_msg("%s: draws '%s', expected '%s'", ref, g.draws, draws);
}

static tf_pool_figures pool(tf_fund *f, const char *name)
{
    tf_pool_figures figs[TF_POOL_COUNT];

    MUST(tf_ledger_pools(f, NULL, figs, &dg));
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (!strcmp(figs[k].pool, name))
            return figs[k];
    fail_msg("no pool '%s'", name);
    return figs[0];
}

static int64_t balance(tf_fund *f, const char *account, const char *pool_name)
{
    int64_t v = 0;

    MUST(tf_ledger_balance(f, account, pool_name, NULL, &v, &dg));
    return v;
}

/* Indexes into the result arrays (the order of tf_pools). */
enum { UNRESTRICTED, TRAVEL, LDC_TRAVEL, PREP };

/* ---- Tiers and eligibility ------------------------------------------ */

/* An LDC submitted later is funded before a developing country submitted
 * earlier: tier 1 is walked first. */
static void test_tier_order(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    struct head before;

    begin(f);
    give(f, "R1", "2025-01-05", "travel", 150000);
    add_session(f, "S1", "2025-03-10", 5);
    /* Kenya (developing) first, Ethiopia (LDC) a month later. */
    add_request(f, "r-ken", "S1", "KEN", "2025-01-01T09:00:00Z", 100000, "USD");
    add_request(f, "r-eth", "S1", "ETH", "2025-02-01T09:00:00Z", 100000, "USD");
    commit(f);
    before = head(f);

    res = allocate_on(f, "S1", "2025-03-01");
    /* One session: share 5/5; allow travel = 150000. Ethiopia (tier 1)
     * takes 113000 and leaves 37000, too little for Kenya's 113000. */
    assert_string_equal(res.share, "5/5");
    assert_int_equal(res.allow[TRAVEL], 150000);
    assert_int_equal(res.allow[LDC_TRAVEL], 0);
    assert_int_equal(res.considered, 2);
    assert_int_equal(res.funded, 1);
    assert_int_equal(res.funded_tier[1], 1);
    assert_int_equal(res.funded_tier[2], 0);
    assert_int_equal(res.waitlisted, 1);
    assert_int_equal(res.funded_charge, 113000);
    assert_int_equal(res.drawn[TRAVEL], 113000);
    expect(f, "r-eth", "funded", "", 1, 113000, "travel:113000");
    expect(f, "r-ken", "waitlisted", "insufficient-funds", 2, 113000, "");
    {
        struct got g = get(f, "r-eth");
        assert_string_equal(g.region, "African");
        assert_string_equal(g.decided, "2025-03-01");
        assert_int_equal(g.fare, 100000);
        assert_int_equal(g.cost, 100000);
        assert_int_equal(g.psc, 13000);
    }
    /* One commitment entry; travel: committed 113000, available 37000. */
    assert_int_equal(head(f).count, before.count + 1);
    assert_int_equal(pool(f, "travel").committed, 113000);
    assert_int_equal(pool(f, "travel").available, 37000);
    assert_int_equal(balance(f, "budget:encumbrances", "travel"), 113000);
    assert_verified(f);
}

/* Within a tier, --order submitted: submission time, then reference. The
 * walk order shows in the draws: travel is used up first, then
 * unrestricted. */
static void test_order_submitted_ties(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    struct head before;

    begin(f);
    /* allow travel = 2 x 113000 + 50000 = 276000. */
    give(f, "R1", "2025-01-05", "travel", 276000);
    give(f, "R2", "2025-01-05", "unrestricted", 1000000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "b-2", "S1", "IND", "2025-01-01T10:00:00Z", 100000, "USD");
    add_request(f, "b-1", "S1", "BRA", "2025-01-01T11:00:00Z", 100000, "USD");
    add_request(f, "a-9", "S1", "MEX", "2025-01-01T11:00:00Z", 100000, "USD");
    add_request(f, "a-1", "S1", "KEN", "2025-01-01T12:00:00Z", 100000, "USD");
    commit(f);
    before = head(f);

    res = allocate_on(f, "S1", "2025-03-01");
    /* Order: b-2 (10:00), a-9 and b-1 (11:00, by ref), a-1 (12:00).
     * travel 276000: b-2 113000 -> 163000 left; a-9 113000 -> 50000;
     * b-1 50000 from travel + 63000 from unrestricted; a-1 113000 from
     * unrestricted. */
    assert_int_equal(res.funded, 4);
    assert_int_equal(res.drawn[TRAVEL], 276000);
    assert_int_equal(res.drawn[UNRESTRICTED], 176000);
    expect(f, "b-2", "funded", "", 2, 113000, "travel:113000");
    expect(f, "a-9", "funded", "", 2, 113000, "travel:113000");
    expect(f, "b-1", "funded", "", 2, 113000,
           "travel:50000;unrestricted:63000");
    expect(f, "a-1", "funded", "", 2, 113000, "unrestricted:113000");
    /* 4 grants, 5 draws: 5 commitment entries. */
    assert_int_equal(head(f).count, before.count + 5);
    assert_int_equal(pool(f, "travel").available, 0);
    assert_int_equal(pool(f, "unrestricted").committed, 176000);
    assert_int_equal(pool(f, "unrestricted").available, 824000);
    assert_verified(f);
}

/* Bhutan left the LDC list on 2023-12-13: a session starting the day
 * before sees an LDC (tier 1), one starting on that day a developing
 * country (tier 2). Vanuatu (graduated 2020-12-04) is tier 2 in both. */
static void test_ldc_graduation(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;

    begin(f);
    /* Only ldc-travel has money: tier 2 cannot use it. */
    give(f, "R1", "2023-11-01", "ldc-travel", 500000);
    add_session(f, "pre", "2023-12-12", 1);
    add_session(f, "post", "2023-12-13", 1);
    add_request(f, "btn-pre", "pre", "BTN", "2023-11-02T08:00:00Z", 100000,
                "USD");
    add_request(f, "vut-pre", "pre", "VUT", "2023-11-02T09:00:00Z", 100000,
                "USD");
    add_request(f, "btn-post", "post", "BTN", "2023-11-02T08:00:00Z", 100000,
                "USD");
    commit(f);

    /* pre: share 1/(1+1); allow ldc-travel = floor(500000 / 2) = 250000.
     * BTN is an LDC on 2023-12-12: tier 1, 113000 from ldc-travel. VUT is
     * tier 2, and travel and unrestricted have nothing. */
    res = allocate_on(f, "pre", "2023-11-20");
    assert_string_equal(res.share, "1/2");
    assert_int_equal(res.allow[LDC_TRAVEL], 250000);
    expect(f, "btn-pre", "funded", "", 1, 113000, "ldc-travel:113000");
    expect(f, "vut-pre", "waitlisted", "insufficient-funds", 2, 113000, "");

    /* post: share 1/1; allow ldc-travel = 500000 - 113000 = 387000, but
     * BTN is no longer an LDC on 2023-12-13: tier 2, waitlisted. */
    res = allocate_on(f, "post", "2023-11-20");
    assert_string_equal(res.share, "1/1");
    assert_int_equal(res.allow[LDC_TRAVEL], 387000);
    assert_int_equal(res.funded, 0);
    expect(f, "btn-post", "waitlisted", "insufficient-funds", 2, 113000, "");
    assert_int_equal(pool(f, "ldc-travel").committed, 113000);
    assert_int_equal(pool(f, "ldc-travel").available, 387000);
    assert_verified(f);
}

/* A country that is neither LDC nor developing is rejected; the row keeps
 * the figures of the run with tier 0 and no draws. A re-run leaves it. */
static void test_ineligible_rejected(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    struct got g;

    begin(f);
    give(f, "R1", "2025-01-05", "travel", 1000000);
    /* 5 days + 1 extra at DSA 200.00, terminal 100.00. */
    add_session_full(f, "S1", "2025-03-10", 5, 1, 20000, 10000);
    add_request(f, "fra", "S1", "FRA", "2025-01-01T09:00:00Z", 100000, "USD");
    add_request(f, "ken", "S1", "KEN", "2025-01-02T09:00:00Z", 100000, "USD");
    commit(f);

    /* fare 100000; dsa 20000 x (5 + 1) = 120000; terminal 10000;
     * cost 230000; psc 13% = 29900; charge 259900. */
    res = allocate_on(f, "S1", "2025-03-01");
    assert_int_equal(res.considered, 2);
    assert_int_equal(res.rejected, 1);
    assert_int_equal(res.funded, 1);
    expect(f, "fra", "rejected", "not-eligible", 0, 259900, "");
    expect(f, "ken", "funded", "", 2, 259900, "travel:259900");
    g = get(f, "fra");
    assert_true(g.has_figures);
    assert_string_equal(g.region, "WEOG");
    assert_int_equal(g.fare, 100000);
    assert_int_equal(g.dsa, 120000);
    assert_int_equal(g.terminal, 10000);
    assert_int_equal(g.cost, 230000);
    assert_int_equal(g.psc, 29900);

    /* Nothing left to reconsider: rejected and funded are left alone. */
    res = allocate_on(f, "S1", "2025-03-02");
    assert_int_equal(res.considered, 0);
    expect(f, "fra", "rejected", "not-eligible", 0, 259900, "");
    g = get(f, "fra");
    assert_string_equal(g.decided, "2025-03-01");
    assert_verified(f);
}

/* ---- Quotas --------------------------------------------------------- */

/* Three Ethiopian (LDC, quota 2) and two Kenyan (developing, quota 1)
 * requests with money for all of them. */
static void build_quota(tf_fund *f)
{
    begin(f);
    give(f, "R1", "2025-01-05", "travel", 1000000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "e1", "S1", "ETH", "2025-01-01T09:00:01Z", 100000, "USD");
    add_request(f, "e2", "S1", "ETH", "2025-01-01T09:00:02Z", 100000, "USD");
    add_request(f, "e3", "S1", "ETH", "2025-01-01T09:00:03Z", 100000, "USD");
    add_request(f, "k1", "S1", "KEN", "2025-01-01T09:00:04Z", 100000, "USD");
    add_request(f, "k2", "S1", "KEN", "2025-01-01T09:00:05Z", 100000, "USD");
    commit(f);
}

static void test_quota(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;

    build_quota(f);
    res = allocate_on(f, "S1", "2025-03-01");
    /* e1, e2 funded (quota_ldc 2); e3 over quota. k1 funded; k2 over
     * quota_developing 1. Committed 3 x 113000 = 339000. */
    assert_int_equal(res.funded, 3);
    assert_int_equal(res.waitlisted, 2);
    expect(f, "e1", "funded", "", 1, 113000, "travel:113000");
    expect(f, "e2", "funded", "", 1, 113000, "travel:113000");
    expect(f, "e3", "waitlisted", "quota", 1, 113000, "");
    expect(f, "k1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "k2", "waitlisted", "quota", 2, 113000, "");
    assert_int_equal(pool(f, "travel").committed, 339000);
    assert_int_equal(pool(f, "travel").available, 661000);
    assert_verified(f);
}

/* Cancelling a funded grant frees its quota slot for the next run, which
 * reconsiders only the waitlisted requests. */
static void test_cancel_frees_quota(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    int64_t released = -1;

    build_quota(f);
    allocate_on(f, "S1", "2025-03-01");

    begin(f);
    MUST(tf_cancel(f, "e1", "2025-03-02", &released, &dg));
    commit(f);
    /* e1's 113000 released: committed 226000, available 774000. */
    assert_int_equal(released, 113000);
    assert_int_equal(pool(f, "travel").committed, 226000);
    expect(f, "e1", "cancelled", "", 1, 113000, "travel:113000");

    /* Re-run: e3 and k2 reconsidered. Ethiopia has 1 funded (e2): e3
     * funded. Kenya still has k1: k2 still over quota. allow travel =
     * 774000 (share 5/5). */
    res = allocate_on(f, "S1", "2025-03-03");
    assert_int_equal(res.considered, 2);
    assert_int_equal(res.allow[TRAVEL], 774000);
    assert_int_equal(res.funded, 1);
    assert_int_equal(res.waitlisted, 1);
    expect(f, "e3", "funded", "", 1, 113000, "travel:113000");
    expect(f, "k2", "waitlisted", "quota", 2, 113000, "");
    expect(f, "e1", "cancelled", "", 1, 113000, "travel:113000");
    assert_int_equal(pool(f, "travel").committed, 339000);
    assert_verified(f);
}

/* ---- Orders --------------------------------------------------------- */

/* --order cost: charge, then submission time, then reference. */
static void test_order_cost(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = options("2025-03-01");
    tf_alloc_result res;

    begin(f);
    give(f, "R1", "2025-01-05", "travel", 66500);
    give(f, "R2", "2025-01-05", "unrestricted", 1000000);
    add_session(f, "S1", "2025-03-10", 5);
    /* charges: c-a 56500, c-b/c-c/c-d 33900, c-e 22600. */
    add_request(f, "c-a", "S1", "KEN", "2025-01-03T00:00:00Z", 50000, "USD");
    add_request(f, "c-b", "S1", "IND", "2025-01-02T00:00:00Z", 30000, "USD");
    add_request(f, "c-d", "S1", "MEX", "2025-01-01T00:00:00Z", 30000, "USD");
    add_request(f, "c-c", "S1", "BRA", "2025-01-01T00:00:00Z", 30000, "USD");
    add_request(f, "c-e", "S1", "CHN", "2025-01-04T00:00:00Z", 20000, "USD");
    commit(f);

    o.order = TF_ORDER_COST;
    res = allocate(f, "S1", &o);
    /* Order: c-e (22600); c-c, c-d (33900, 01-01, by ref); c-b (33900,
     * 01-02); c-a (56500). travel 66500: c-e 22600 -> 43900; c-c 33900 ->
     * 10000; c-d 10000 + unrestricted 23900; c-b and c-a unrestricted. */
    assert_int_equal(res.funded, 5);
    expect(f, "c-e", "funded", "", 2, 22600, "travel:22600");
    expect(f, "c-c", "funded", "", 2, 33900, "travel:33900");
    expect(f, "c-d", "funded", "", 2, 33900, "travel:10000;unrestricted:23900");
    expect(f, "c-b", "funded", "", 2, 33900, "unrestricted:33900");
    expect(f, "c-a", "funded", "", 2, 56500, "unrestricted:56500");
    assert_int_equal(res.drawn[UNRESTRICTED], 23900 + 33900 + 56500);
    assert_verified(f);
}

/* --order region: repeatedly the group with the fewest funded delegates
 * of the session (earlier runs and tier 1 included), ties African,
 * Asia-Pacific, Eastern European, GRULAC, WEOG, then others ("" for
 * Palestine, which has no group); a waitlisted pick does not count. */
static void test_order_region(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = options("2025-02-15");
    tf_alloc_result res;

    begin(f);
    /* Run 1 funds w0 (113000); run 2's allow travel = 804000 - 113000 =
     * 691000 = 6 x 113000 + 13000. */
    give(f, "R1", "2025-01-05", "travel", 804000);
    give(f, "R2", "2025-01-05", "unrestricted", 2000000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "w0", "S1", "NGA", "2025-01-01T00:00:00Z", 100000, "USD");
    commit(f);
    res = allocate_on(f, "S1", "2025-02-01");
    assert_int_equal(res.funded, 1);

    begin(f);
    add_request(f, "G1", "S1", "BRA", "2025-01-02T00:00:01Z", 100000, "USD");
    add_request(f, "G2", "S1", "MEX", "2025-01-02T00:00:02Z", 100000, "USD");
    add_request(f, "E1", "S1", "ARM", "2025-01-02T00:00:03Z", 100000, "USD");
    add_request(f, "A1", "S1", "KEN", "2025-01-02T00:00:04Z", 100000, "USD");
    add_request(f, "A2", "S1", "GHA", "2025-01-02T00:00:05Z", 100000, "USD");
    add_request(f, "P1", "S1", "IND", "2025-01-02T00:00:06Z", 100000, "USD");
    add_request(f, "W1", "S1", "TUR", "2025-01-02T00:00:07Z", 100000, "USD");
    add_request(f, "X1", "S1", "PSE", "2025-01-02T00:00:08Z", 100000, "USD");
    add_request(f, "L1", "S1", "ETH", "2025-01-02T00:00:09Z", 100000, "USD");
    add_request(f, "E2", "S1", "ARM", "2025-01-02T00:00:11Z", 100000, "USD");
    add_request(f, "E3", "S1", "AZE", "2025-01-02T00:00:12Z", 100000, "USD");
    commit(f);

    o.order = TF_ORDER_REGION;
    res = allocate(f, "S1", &o);
    /* Counts: African 1 (w0). Tier 1: L1 (African) -> African 2.
     * Tier 2, counts African 2, others 0:
     *   P1 (Asia-Pacific 0 -> 1), E1 (EE 0 -> 1), G1 (GRULAC 0 -> 1),
     *   W1 (WEOG 0 -> 1), X1 ("" 0 -> 1);
     *   EE 1 ties GRULAC 1, EE first: E2 is Armenia again -> quota, EE
     *   stays 1; EE 1 ties GRULAC 1 again: E3 (EE -> 2); G2 (GRULAC -> 2);
     *   only African left: A1, A2.
     * travel 691000: L1, P1, E1, G1, W1, X1 take 6 x 113000 = 678000;
     * E3 13000 + unrestricted 100000; G2, A1, A2 from unrestricted. */
    assert_int_equal(res.considered, 11);
    assert_int_equal(res.funded, 10);
    assert_int_equal(res.allow[TRAVEL], 691000);
    expect(f, "L1", "funded", "", 1, 113000, "travel:113000");
    expect(f, "P1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "E1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "G1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "W1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "X1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "E2", "waitlisted", "quota", 2, 113000, "");
    expect(f, "E3", "funded", "", 2, 113000,
           "travel:13000;unrestricted:100000");
    expect(f, "G2", "funded", "", 2, 113000, "unrestricted:113000");
    expect(f, "A1", "funded", "", 2, 113000, "unrestricted:113000");
    expect(f, "A2", "funded", "", 2, 113000, "unrestricted:113000");
    assert_string_equal(get(f, "X1").region, "");
    assert_string_equal(get(f, "E3").region, "Eastern European");
    assert_verified(f);
}

/* ---- Budget --------------------------------------------------------- */

/* The days share: allow = floor(available x days / days of every session
 * starting on or after this one), computed at the start of each run. */
static void test_days_share(void **state)
{
    tf_fund *f = FUND(state);
    static const char *const c5[] = {"KEN", "IND", "BRA", "MEX", "CHN"};
    tf_alloc_result res;
    char ref[32];

    begin(f);
    give(f, "R1", "2025-01-10", "travel", 1000000);
    add_session(f, "s1", "2025-03-01", 3);
    add_session(f, "s2", "2025-05-01", 5);
    add_session(f, "s3", "2025-07-01", 2);
    for (int i = 0; i < 5; i++) {
        char when[32];
        snprintf(when, sizeof(when), "2025-01-15T00:00:0%dZ", i);
        if (i < 3) {
            snprintf(ref, sizeof(ref), "s1-%d", i);
            add_request(f, ref, "s1", c5[i], when, 100000, "USD");
            snprintf(ref, sizeof(ref), "s3-%d", i);
            add_request(f, ref, "s3", c5[i], when, 100000, "USD");
        }
        snprintf(ref, sizeof(ref), "s2-%d", i);
        add_request(f, ref, "s2", c5[i], when, 100000, "USD");
    }
    commit(f);

    /* s1: share 3/(3+5+2); allow = floor(1000000 x 3/10) = 300000: two
     * grants (226000), the third (339000 > 300000) waitlisted. */
    res = allocate_on(f, "s1", "2025-02-01");
    assert_string_equal(res.share, "3/10");
    assert_int_equal(res.allow[TRAVEL], 300000);
    assert_int_equal(res.funded, 2);
    assert_int_equal(res.drawn[TRAVEL], 226000);
    expect(f, "s1-2", "waitlisted", "insufficient-funds", 2, 113000, "");

    /* s2: available 1000000 - 226000 = 774000; share 5/(5+2);
     * allow = floor(774000 x 5/7) = floor(552857.14) = 552857: four
     * grants (452000), the fifth (565000 > 552857) waitlisted. */
    res = allocate_on(f, "s2", "2025-04-01");
    assert_string_equal(res.share, "5/7");
    assert_int_equal(res.allow[TRAVEL], 552857);
    assert_int_equal(res.funded, 4);
    expect(f, "s2-3", "funded", "", 2, 113000, "travel:113000");
    expect(f, "s2-4", "waitlisted", "insufficient-funds", 2, 113000, "");

    /* s3: available 774000 - 452000 = 322000; share 2/2: two grants,
     * the third waitlisted. */
    res = allocate_on(f, "s3", "2025-06-01");
    assert_string_equal(res.share, "2/2");
    assert_int_equal(res.allow[TRAVEL], 322000);
    assert_int_equal(res.funded, 2);
    expect(f, "s3-2", "waitlisted", "insufficient-funds", 2, 113000, "");
    assert_int_equal(pool(f, "travel").committed, 904000);
    assert_int_equal(pool(f, "travel").available, 96000);
    assert_verified(f);
}

/* --cap limits the run's funded charge; a request that would pass it is
 * waitlisted insufficient-funds and a cheaper one after it still fits.
 * --budget all makes the share 1 although a later session exists. */
static void test_cap(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = options("2025-02-01");
    tf_alloc_result res;

    begin(f);
    give(f, "R1", "2025-01-10", "travel", 1000000);
    add_session(f, "s1", "2025-03-01", 2);
    add_session(f, "s2", "2025-04-01", 2);
    add_request(f, "q1", "s1", "KEN", "2025-01-15T00:00:01Z", 100000, "USD");
    add_request(f, "q2", "s1", "IND", "2025-01-15T00:00:02Z", 100000, "USD");
    add_request(f, "q3", "s1", "BRA", "2025-01-15T00:00:03Z", 100000, "USD");
    add_request(f, "q4", "s1", "MEX", "2025-01-15T00:00:04Z", 10000, "USD");
    commit(f);

    o.budget_all = 1;
    o.cap = 250000;
    res = allocate(f, "s1", &o);
    /* allow travel = 1000000 (share 1/1). q1 + q2 = 226000; q3 would make
     * 339000 > 250000: the pools cover it, the cap does not (cap); q4
     * (charge 11300) makes 237300 <= 250000. */
    assert_string_equal(res.share, "1/1");
    assert_int_equal(res.allow[TRAVEL], 1000000);
    assert_int_equal(res.funded, 3);
    assert_int_equal(res.funded_charge, 237300);
    expect(f, "q1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "q2", "funded", "", 2, 113000, "travel:113000");
    expect(f, "q3", "waitlisted", "cap", 2, 113000, "");
    expect(f, "q4", "funded", "", 2, 11300, "travel:11300");
    assert_verified(f);
}

/* allow travel 150000; f1 and f2 cost 113000, f3 22600, f4 11300 but is
 * Kenya's second request (quota 1). */
static void build_fit(tf_fund *f)
{
    begin(f);
    give(f, "R1", "2025-01-10", "travel", 150000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "f1", "S1", "KEN", "2025-01-15T00:00:01Z", 100000, "USD");
    add_request(f, "f2", "S1", "IND", "2025-01-15T00:00:02Z", 100000, "USD");
    add_request(f, "f3", "S1", "BRA", "2025-01-15T00:00:03Z", 20000, "USD");
    add_request(f, "f4", "S1", "KEN", "2025-01-15T00:00:04Z", 10000, "USD");
    commit(f);
}

/* Without --strict a request that does not fit is skipped and cheaper
 * ones after it are still funded. */
static void test_fit_skip(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;

    build_fit(f);
    res = allocate_on(f, "S1", "2025-03-01");
    /* f1 113000 -> 37000 left; f2 113000 does not fit; f3 22600 -> 14400
     * left; f4 over Kenya's quota (checked before money). */
    assert_int_equal(res.funded, 2);
    assert_int_equal(res.funded_charge, 135600);
    expect(f, "f1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "f2", "waitlisted", "insufficient-funds", 2, 113000, "");
    expect(f, "f3", "funded", "", 2, 22600, "travel:22600");
    expect(f, "f4", "waitlisted", "quota", 2, 11300, "");
    assert_verified(f);
}

/* --strict stops funding at the first that does not fit; the rest are
 * waitlisted insufficient-funds, quota still checked first. */
static void test_strict(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = options("2025-03-01");
    tf_alloc_result res;

    build_fit(f);
    o.strict = 1;
    res = allocate(f, "S1", &o);
    assert_int_equal(res.funded, 1);
    expect(f, "f1", "funded", "", 2, 113000, "travel:113000");
    expect(f, "f2", "waitlisted", "insufficient-funds", 2, 113000, "");
    expect(f, "f3", "waitlisted", "insufficient-funds", 2, 22600, "");
    expect(f, "f4", "waitlisted", "quota", 2, 11300, "");
    assert_verified(f);
}

/* A tier 1 grant draws ldc-travel, then travel; one commitment entry per
 * pool drawn. Tier 2 never draws ldc-travel. */
static void test_draw_spans_pools(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    struct head before;

    begin(f);
    give(f, "R1", "2025-01-10", "ldc-travel", 200000);
    give(f, "R2", "2025-01-10", "travel", 100000);
    add_session(f, "S1", "2025-03-10", 5);
    /* t1: fare 2000.00 -> charge 226000; t2 56500; t3 22600. */
    add_request(f, "t1", "S1", "ETH", "2025-01-15T00:00:03Z", 200000, "USD");
    add_request(f, "t2", "S1", "KEN", "2025-01-15T00:00:01Z", 50000, "USD");
    add_request(f, "t3", "S1", "IND", "2025-01-15T00:00:02Z", 20000, "USD");
    commit(f);
    before = head(f);

    res = allocate_on(f, "S1", "2025-03-01");
    /* t1: ldc-travel 200000 + travel 26000 (travel 74000 left).
     * t2: travel 56500 (17500 left). t3: 22600 > 17500, and ldc-travel
     * is not for tier 2: waitlisted. */
    expect(f, "t1", "funded", "", 1, 226000, "ldc-travel:200000;travel:26000");
    expect(f, "t2", "funded", "", 2, 56500, "travel:56500");
    expect(f, "t3", "waitlisted", "insufficient-funds", 2, 22600, "");
    assert_int_equal(res.drawn[LDC_TRAVEL], 200000);
    assert_int_equal(res.drawn[TRAVEL], 82500);
    assert_int_equal(head(f).count, before.count + 3);
    assert_int_equal(pool(f, "ldc-travel").committed, 200000);
    assert_int_equal(pool(f, "ldc-travel").available, 0);
    assert_int_equal(pool(f, "travel").committed, 82500);
    assert_int_equal(pool(f, "travel").available, 17500);
    assert_verified(f);
}

/* A EUR fare is converted at the run's date; a re-run after a rate change
 * recomputes the waitlisted request's figures at its own date. */
static void test_fare_in_eur(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    struct got g;

    begin(f);
    add_rate(f, "EUR", "2025-01-01", "0.9346");
    add_rate(f, "EUR", "2025-03-01", "0.8");
    give(f, "R1", "2025-01-15", "travel", 100000);
    add_session(f, "S1", "2025-04-01", 5);
    add_request(f, "eur1", "S1", "KEN", "2025-01-20T00:00:00Z", 90000, "EUR");
    commit(f);

    /* 2025-02-15, rate 0.9346: fare = 90000 / 0.9346 = 96297.88 -> 96298;
     * psc = 12518.74 -> 12519; charge 108817 > 100000: waitlisted. */
    res = allocate_on(f, "S1", "2025-02-15");
    assert_int_equal(res.funded, 0);
    expect(f, "eur1", "waitlisted", "insufficient-funds", 2, 108817, "");
    g = get(f, "eur1");
    assert_int_equal(g.fare, 96298);
    assert_int_equal(g.cost, 96298);
    assert_int_equal(g.psc, 12519);

    begin(f);
    give(f, "R2", "2025-03-05", "travel", 100000);
    commit(f);
    /* 2025-03-10, rate 0.8: fare = 90000 / 0.8 = 112500; psc 14625;
     * charge 127125. The envelope the first run fixed (100000) does not
     * grow with R2: the re-run spends what it has left, 100000, and the
     * request still misses. */
    res = allocate_on(f, "S1", "2025-03-10");
    assert_int_equal(res.allow[TRAVEL], 100000);
    assert_string_equal(res.env.basis, "kept");
    expect(f, "eur1", "waitlisted", "insufficient-funds", 2, 127125, "");
    /* --budget all resets it to used + available = 200000: funded. */
    {
        tf_alloc_options o = options("2025-03-10");
        o.budget_all = 1;
        res = allocate(f, "S1", &o);
    }
    assert_string_equal(res.env.basis, "reset");
    assert_int_equal(res.env.envelope[TRAVEL], 200000);
    assert_int_equal(res.allow[TRAVEL], 200000);
    expect(f, "eur1", "funded", "", 2, 127125, "travel:127125");
    g = get(f, "eur1");
    assert_int_equal(g.fare, 112500);
    assert_int_equal(g.psc, 14625);
    assert_string_equal(g.decided, "2025-03-10");
    assert_verified(f);
}

/* ---- Disbursement and cancellation ---------------------------------- */

static tf_error disburse(tf_fund *f, const char *ref, const char *date,
                         const char *currency, int64_t amount,
                         tf_disburse_result *res)
{
    tf_error err;

    begin(f);
    tf_diag_clear(&dg);
    err = tf_disburse(f, ref, date, currency, amount, res, &dg);
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    commit(f);
    return TF_OK;
}

/* Actual cost below the commitment releases the difference; above it the
 * overrun comes from available; beyond available it is refused and
 * nothing is written. */
static void test_disburse(void **state)
{
    tf_fund *f = FUND(state);
    tf_disburse_result res;
    tf_pool_figures t;
    struct head before;
    int known;

    begin(f);
    give(f, "R1", "2025-01-10", "travel", 1000000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "d1", "S1", "KEN", "2025-01-15T00:00:01Z", 100000, "USD");
    add_request(f, "d2", "S1", "IND", "2025-01-15T00:00:02Z", 100000, "USD");
    add_request(f, "d3", "S1", "BRA", "2025-01-15T00:00:03Z", 100000, "USD");
    commit(f);
    allocate_on(f, "S1", "2025-03-01");
    /* committed 339000, available 661000. */
    assert_int_equal(pool(f, "travel").available, 661000);

    /* d1 from its recorded cost: actual 80000, psc 10400, charge 90400;
     * committed 113000, released 22600. travel cash 909600, committed
     * 226000, available 683600. */
    begin(f);
    MUST(tf_cost_add(f, "d1", "2025-03-20", 80000, "USD", &known, &dg));
    commit(f);
    assert_int_equal(disburse(f, "d1", "2025-03-20", NULL, 0, &res), TF_OK);
    assert_int_equal(res.actual, 80000);
    assert_int_equal(res.psc, 10400);
    assert_int_equal(res.charge, 90400);
    assert_int_equal(res.committed, 113000);
    assert_int_equal(res.released, 22600);
    assert_int_equal(res.overrun, 0);
    t = pool(f, "travel");
    assert_int_equal(t.cash, 909600);
    assert_int_equal(t.committed, 226000);
    assert_int_equal(t.available, 683600);
    /* The row keeps the funding decision's figures and draws. */
    expect(f, "d1", "disbursed", "", 2, 113000, "travel:113000");

    /* d2: actual 120000, psc 15600, charge 135600; overrun 22600 from
     * available. cash 909600 - 135600 = 774000, committed 113000,
     * available 661000. */
    assert_int_equal(disburse(f, "d2", "2025-03-21", "USD", 120000, &res),
                     TF_OK);
    assert_int_equal(res.charge, 135600);
    assert_int_equal(res.released, 0);
    assert_int_equal(res.overrun, 22600);
    t = pool(f, "travel");
    assert_int_equal(t.cash, 774000);
    assert_int_equal(t.committed, 113000);
    assert_int_equal(t.available, 661000);
    assert_int_equal(balance(f, "expense:travel:S1", "travel"), 200000);
    assert_int_equal(balance(f, "expense:psc", "travel"), 26000);
    assert_int_equal(balance(f, "liabilities:psc-payable", "travel"), -26000);

    /* d3: actual 1000000, charge 1130000: ten times its commitment, far
     * beyond cost_tolerance (0.5): refused as a slip (TF_ERR_INPUT), and
     * forced, the overrun 1017000 > available 661000 is refused too;
     * nothing written either time. */
    before = head(f);
    assert_int_equal(disburse(f, "d3", "2025-03-22", "USD", 1000000, &res),
                     TF_ERR_INPUT);
    assert_same_head(before, head(f));
    {
        tf_disburse_options o = {"2025-03-22", "USD", 1000000, 1, 0, 0};
        begin(f);
        assert_int_equal(tf_disburse_ex(f, "d3", &o, &res, &dg), TF_ERR_RULE);
        tf_fund_rollback(f);
    }
    before = head(f);
    assert_same_head(before, head(f));
    expect(f, "d3", "funded", "", 2, 113000, "travel:113000");
    t = pool(f, "travel");
    assert_int_equal(t.cash, 774000);
    assert_int_equal(t.committed, 113000);

    /* A disbursed grant is not disbursed twice. */
    assert_int_equal(disburse(f, "d1", "2025-03-23", "USD", 1000, &res),
                     TF_ERR_RULE);
    assert_same_head(before, head(f));
    assert_verified(f);
}

/* An overrun is drawn from the tier's pools in draw order, also from a
 * pool the grant did not draw. */
static void test_disburse_overrun_other_pool(void **state)
{
    tf_fund *f = FUND(state);
    tf_disburse_result res;

    begin(f);
    give(f, "R1", "2025-01-10", "travel", 113000);
    give(f, "R2", "2025-01-10", "unrestricted", 50000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "o1", "S1", "KEN", "2025-01-15T00:00:01Z", 100000, "USD");
    commit(f);
    allocate_on(f, "S1", "2025-03-01");
    expect(f, "o1", "funded", "", 2, 113000, "travel:113000");

    /* actual 110000, psc 14300, charge 124300: travel's draw 113000 then
     * 11300 from unrestricted (travel has 0 available). Expense first:
     * travel expense 110000 + psc 3000; unrestricted psc 11300. */
    assert_int_equal(disburse(f, "o1", "2025-03-20", "USD", 110000, &res),
                     TF_OK);
    assert_int_equal(res.overrun, 11300);
    assert_int_equal(balance(f, "expense:travel:S1", "travel"), 110000);
    assert_int_equal(balance(f, "expense:psc", "travel"), 3000);
    assert_int_equal(balance(f, "expense:psc", "unrestricted"), 11300);
    assert_int_equal(pool(f, "travel").available, 0);
    assert_int_equal(pool(f, "unrestricted").available, 38700);
    assert_verified(f);
}

static tf_error cancel(tf_fund *f, const char *ref, const char *date,
                       int64_t *released)
{
    tf_error err;

    begin(f);
    tf_diag_clear(&dg);
    err = tf_cancel(f, ref, date, released, &dg);
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    commit(f);
    return TF_OK;
}

/* cancel: funded -> released; pending or waitlisted -> no entry;
 * disbursed or cancelled -> refused. */
static void test_cancel(void **state)
{
    tf_fund *f = FUND(state);
    tf_disburse_result dres;
    struct head h;
    int64_t released;

    begin(f);
    give(f, "R1", "2025-01-10", "travel", 1000000);
    add_session(f, "S1", "2025-03-10", 5);
    add_request(f, "x1", "S1", "KEN", "2025-01-15T00:00:01Z", 100000, "USD");
    add_request(f, "x3", "S1", "KEN", "2025-01-15T00:00:02Z", 100000, "USD");
    add_request(f, "x4", "S1", "BRA", "2025-01-15T00:00:03Z", 100000, "USD");
    commit(f);
    allocate_on(f, "S1", "2025-03-01");
    /* x1, x4 funded; x3 over Kenya's quota. x4 disbursed at exactly its
     * commitment. x2 arrives after the run: pending. */
    expect(f, "x3", "waitlisted", "quota", 2, 113000, "");
    assert_int_equal(disburse(f, "x4", "2025-03-20", "USD", 100000, &dres),
                     TF_OK);
    assert_int_equal(dres.released, 0);
    assert_int_equal(dres.overrun, 0);
    begin(f);
    add_request(f, "x2", "S1", "IND", "2025-01-15T00:00:04Z", 100000, "USD");
    commit(f);

    /* Funded: one release entry of 113000; committed back to 0. */
    h = head(f);
    released = -1;
    assert_int_equal(cancel(f, "x1", "2025-03-21", &released), TF_OK);
    assert_int_equal(released, 113000);
    assert_int_equal(head(f).count, h.count + 1);
    assert_int_equal(pool(f, "travel").committed, 0);
    assert_int_equal(pool(f, "travel").available, 1000000 - 113000);
    expect(f, "x1", "cancelled", "", 2, 113000, "travel:113000");

    /* Pending: no entry, no figures. */
    h = head(f);
    released = -1;
    assert_int_equal(cancel(f, "x2", "2025-03-21", &released), TF_OK);
    assert_int_equal(released, 0);
    assert_same_head(h, head(f));
    expect(f, "x2", "cancelled", "", 0, -1, "");
    assert_false(get(f, "x2").has_figures);

    /* Waitlisted: no entry; the waitlist reason goes with the status. */
    released = -1;
    assert_int_equal(cancel(f, "x3", "2025-03-21", &released), TF_OK);
    assert_int_equal(released, 0);
    assert_same_head(h, head(f));
    expect(f, "x3", "cancelled", "", 2, 113000, "");

    /* Disbursed, cancelled, unknown: refused, nothing written. */
    assert_int_equal(cancel(f, "x4", "2025-03-22", &released), TF_ERR_RULE);
    assert_int_equal(cancel(f, "x1", "2025-03-22", &released), TF_ERR_RULE);
    assert_int_equal(cancel(f, "nope", "2025-03-22", &released),
                     TF_ERR_NOTFOUND);
    assert_same_head(h, head(f));
    expect(f, "x4", "disbursed", "", 2, 113000, "travel:113000");

    /* Cancelled requests are not reconsidered (a run on the session's last
     * day); no run may be dated after it. */
    assert_int_equal(allocate_on(f, "S1", "2025-03-14").considered, 0);
    {
        tf_alloc_options o = options("2025-03-15");
        tf_alloc_result r;
        h = head(f);
        begin(f);
        assert_int_equal(tf_allocate(f, "S1", &o, &r, NULL, NULL, &dg),
                         TF_ERR_RULE);
        tf_fund_rollback(f);
        assert_same_head(h, head(f));
    }
    assert_verified(f);
}

/* ---- Dry run and determinism ---------------------------------------- */

struct decisions {
    int n;
    char ref[16][16], status[16][16], reason[16][32];
};

static int note_decision(void *ctx, const tf_request *r)
{
    struct decisions *d = ctx;

    if (d->n < 16) {
        snprintf(d->ref[d->n], sizeof(d->ref[0]), "%s", r->ref);
        snprintf(d->status[d->n], sizeof(d->status[0]), "%s", r->status);
        snprintf(d->reason[d->n], sizeof(d->reason[0]), "%s", r->reason);
    }
    d->n++;
    return 0;
}

static int expect_pending(void *ctx, const tf_request *r)
{
    (void)ctx;
    if (strcmp(r->status, "pending") || r->has_figures || r->ndraws)
        fail_msg("%s: %s after a dry run", r->ref, r->status);
    return 0;
}

/* Allocating and rolling back leaves the journal as it was; the decisions
 * it reported are those a real run then takes. */
static void test_dry_run(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = options("2025-03-01");
    tf_alloc_result res;
    struct decisions d;
    struct head before;

    build_fit(f);
    before = head(f);
    memset(&d, 0, sizeof(d));
    o.dry_run = 1;
    begin(f);
    MUST(tf_allocate(f, "S1", &o, &res, note_decision, &d, &dg));
    tf_fund_rollback(f);
    assert_int_equal(res.run, 0);
    assert_int_equal(res.funded, 2);
    assert_int_equal(d.n, 4);
    assert_same_head(before, head(f));
    MUST(tf_request_each(f, "S1", NULL, expect_pending, NULL, &dg));
    assert_int_equal(pool(f, "travel").committed, 0);

    res = allocate_on(f, "S1", "2025-03-01");
    assert_true(res.run > 0);
    for (int i = 0; i < d.n; i++) {
        struct got g = get(f, d.ref[i]);
        assert_string_equal(g.status, d.status[i]);
        assert_string_equal(g.reason, d.reason[i]);
    }
    assert_verified(f);
}

/* A pseudo-random but fixed fund: 120 requests over countries of every
 * kind, fares in USD and EUR; requests are added forwards or backwards. */
static void build_random(tf_fund *f, int backwards)
{
    static const char *const countries[] = {
        "ETH", "HTI", "NPL", "BGD", "TZA", "SEN", "KEN", "IND", "BRA",
        "MEX", "CHN", "ARM", "TUR", "PSE", "FRA", "USA", "DEU", "GHA",
        "NGA", "PAK", "AFG", "AGO", "PER", "COL", "GEO"};
    const int nc = (int)(sizeof(countries) / sizeof(countries[0]));
    const int n = 120;
    uint32_t seed = 20250101u;
    struct {
        char ref[16], country[4], when[32], cur[4];
        int64_t fare;
    } q[120];

    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        snprintf(q[i].ref, sizeof(q[i].ref), "q%03d", (int)(seed >> 8) % 1000);
        /* make refs unique while keeping them out of submission order */
        snprintf(q[i].ref + 4, sizeof(q[i].ref) - 4, "-%03d", i);
        snprintf(q[i].country, sizeof(q[i].country), "%s",
                 countries[(seed >> 16) % (uint32_t)nc]);
        seed = seed * 1103515245u + 12345u;
        snprintf(q[i].when, sizeof(q[i].when), "2025-01-%02uT%02u:00:00Z",
                 1 + (seed >> 12) % 28, (seed >> 20) % 24);
        snprintf(q[i].cur, sizeof(q[i].cur), "%s",
                 (seed >> 4) % 3 ? "USD" : "EUR");
        q[i].fare = 20000 + (int64_t)((seed >> 9) % 200) * 1000;
    }
    begin(f);
    add_rate(f, "EUR", "2025-01-01", "0.9346");
    add_rate(f, "EUR", "2025-02-20", "0.9012");
    give(f, "R1", "2025-01-02", "ldc-travel", 1500000);
    give(f, "R2", "2025-01-02", "travel", 2500000);
    give(f, "R3", "2025-01-02", "unrestricted", 700000);
    add_session_full(f, "S1", "2025-03-10", 4, 1, 15000, 5000);
    add_session(f, "S2", "2025-06-10", 3);
    for (int k = 0; k < n; k++) {
        int i = backwards ? n - 1 - k : k;
        add_request(f, q[i].ref, "S1", q[i].country, q[i].when, q[i].fare,
                    q[i].cur);
    }
    commit(f);
}

/* Two runs: by region with a cap, then by cost after more money. */
static void run_random(tf_fund *f)
{
    tf_alloc_options o = options("2025-02-01");

    o.order = TF_ORDER_REGION;
    o.cap = 3000000;
    allocate(f, "S1", &o);
    begin(f);
    give(f, "R4", "2025-02-25", "travel", 900000);
    commit(f);
    o = options("2025-03-01");
    o.order = TF_ORDER_COST;
    allocate(f, "S1", &o);
}

struct all {
    int n;
    struct got g[130];
    char ref[130][16];
};

static int grab_all(void *ctx, const tf_request *r)
{
    struct all *a = ctx;

    assert_true(a->n < 130);
    copy_request(&a->g[a->n], r);
    snprintf(a->ref[a->n], sizeof(a->ref[0]), "%s", r->ref);
    a->n++;
    return 0;
}

/* Two funds with the same books and requests (added in opposite orders)
 * take the same decisions and write the same journal. */
static void test_determinism(void **state)
{
    struct fixture *fx = *state;
    tf_fund *a = fx->fund, *b = NULL;
    static struct all ra, rb;
    char path[320];
    long funded = 0, waitlisted = 0, rejected = 0;

    snprintf(path, sizeof(path), "%s/second.db", fx->dir);
    MUST(tf_fund_create(&b, path, &dg));
    build_random(a, 0);
    build_random(b, 1);
    run_random(a);
    run_random(b);

    memset(&ra, 0, sizeof(ra));
    memset(&rb, 0, sizeof(rb));
    MUST(tf_request_each(a, "S1", NULL, grab_all, &ra, &dg));
    MUST(tf_request_each(b, "S1", NULL, grab_all, &rb, &dg));
    assert_int_equal(ra.n, 120);
    assert_int_equal(rb.n, 120);
    for (int i = 0; i < ra.n; i++) {
        assert_string_equal(ra.ref[i], rb.ref[i]);
        assert_int_equal(memcmp(&ra.g[i], &rb.g[i], sizeof(ra.g[i])), 0);
        funded += !strcmp(ra.g[i].status, "funded");
        waitlisted += !strcmp(ra.g[i].status, "waitlisted");
        rejected += !strcmp(ra.g[i].status, "rejected");
    }
    /* The fund is built so that every outcome occurs. */
    assert_true(funded > 0);
    assert_true(waitlisted > 0);
    assert_true(rejected > 0);
    assert_same_head(head(a), head(b));
    assert_verified(a);
    assert_verified(b);
    tf_fund_close(b);
}

/* The request behind a grant's entries, as the reports find it. */
static void test_grant_entry_ref(void **state)
{
    tf_entry e;
    char ref[64];

    (void)state;
    memset(&e, 0, sizeof(e));
    e.kind = "commitment";
    e.ref = "GCM-1@ldc-travel";
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 1);
    assert_string_equal(ref, "GCM-1");
    e.kind = "disbursement";
    e.ref = "GCM-1";
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 1);
    assert_string_equal(ref, "GCM-1");
    e.kind = "release";
    e.ref = "a@b"; /* only a commitment's reference carries a pool */
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 1);
    assert_string_equal(ref, "a@b");
    e.reverses = 7; /* a reversal goes with the entry it reverses */
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 0);
    e.reverses = 0;
    e.kind = "pledge";
    e.ref = "P-1";
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 0);
    e.kind = "commitment";
    e.ref = NULL;
    assert_int_equal(tf_grant_entry_ref(&e, ref, sizeof(ref)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grant_entry_ref),
#define T(name) cmocka_unit_test_setup_teardown(name, fund_setup, fund_teardown)
        T(test_tier_order),
        T(test_order_submitted_ties),
        T(test_ldc_graduation),
        T(test_ineligible_rejected),
        T(test_quota),
        T(test_cancel_frees_quota),
        T(test_order_cost),
        T(test_order_region),
        T(test_days_share),
        T(test_cap),
        T(test_fit_skip),
        T(test_strict),
        T(test_draw_spans_pools),
        T(test_fare_in_eur),
        T(test_disburse),
        T(test_disburse_overrun_other_pool),
        T(test_cancel),
        T(test_dry_run),
        T(test_determinism),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
