/* SPDX-License-Identifier: MIT */
/*
 * Surplus routed to conference preparation, preparation spending,
 * attribution of outflows to donors and closing the fund (DESIGN.md
 * sections 3, 5 and 9.8-9.11).
 *
 * Every test starts from a fund newly created in a temporary file, sets
 * it up through the public API (each step in its own transaction) and
 * ends with tf_verify finding nothing wrong. The expected figures are
 * worked out by hand in the comments; "->" marks the one rounding, half
 * to even, to the cent; "LR" a largest-remainder split (each part
 * floored, the units left over to the largest remainders, ties to the
 * lower donor id). Amounts are USD cents; psc_rate is the default 0.13.
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

/* ---- Helpers: every step in its own transaction ---------------------- */

static void add_rate(tf_fund *f, const char *currency, const char *date,
                     const char *per_usd)
{
    int known;

    begin(f);
    MUST(tf_rate_add(f, currency, date, per_usd, &known, &dg));
    commit(f);
}

/* A session; travel_budget -1 when none. */
static void add_session(tf_fund *f, const char *id, const char *start,
                        int64_t days, int64_t extra_days, int64_t dsa,
                        int64_t terminal, int64_t travel_budget)
{
    tf_session s = {.id = id,
                    .name = "Session",
                    .venue = "Geneva",
                    .start = start,
                    .days = days,
                    .extra_days = extra_days,
                    .dsa = dsa,
                    .terminal = terminal,
                    .travel_budget = travel_budget};
    int known;

    begin(f);
    MUST(tf_session_add(f, &s, &known, &dg));
    assert_int_equal(known, 0);
    commit(f);
}

static tf_error try_request(tf_fund *f, const char *ref, const char *session,
                            const char *country, const char *submitted,
                            int64_t fare, const char *currency)
{
    const char *field = NULL;
    tf_request q;
    tf_error err;
    int known;

    memset(&q, 0, sizeof(q));
    q.ref = ref;
    q.session = session;
    q.country = country;
    q.delegate = ref;
    q.submitted = submitted;
    q.fare_orig = fare;
    q.fare_currency = currency;
    q.gender = "";
    begin(f);
    tf_diag_clear(&dg);
    err = tf_request_add(f, &q, &known, &field, &dg);
    if (err)
        tf_fund_rollback(f);
    else
        commit(f);
    return err;
}

static void add_request(tf_fund *f, const char *ref, const char *session,
                        const char *country, const char *submitted,
                        int64_t fare, const char *currency)
{
    MUST(try_request(f, ref, session, country, submitted, fare, currency));
}

/* An allocation run with --budget all, committed. */
static tf_alloc_result allocate(tf_fund *f, const char *session,
                                const char *date)
{
    tf_alloc_options o = {date, TF_ORDER_SUBMITTED, 1, -1, 0, 0};
    tf_alloc_result res;

    begin(f);
    MUST(tf_allocate(f, session, &o, &res, NULL, NULL, &dg));
    commit(f);
    return res;
}

static tf_disburse_result disburse(tf_fund *f, const char *ref,
                                   const char *date, int64_t cents)
{
    tf_disburse_result res;

    begin(f);
    MUST(tf_disburse(f, ref, date, "USD", cents, &res, &dg));
    commit(f);
    return res;
}

/* Pool figures as of date (NULL: now), in tf_pools order. */
enum { UNRESTRICTED, TRAVEL, LDC_TRAVEL, PREP };

static tf_pool_figures pool_at(tf_fund *f, int k, const char *as_of)
{
    tf_pool_figures figs[TF_POOL_COUNT];

    MUST(tf_ledger_pools(f, as_of, figs, &dg));
    return figs[k];
}

static void expect_pool(tf_fund *f, int k, const char *as_of, int64_t receipts,
                        int64_t cash, int64_t committed, int64_t available)
{
    tf_pool_figures p = pool_at(f, k, as_of);

    if (p.receipts != receipts || p.cash != cash || p.committed != committed ||
        p.available != available)
        fail_msg("pool %s as of %s: receipts %lld cash %lld committed %lld "
                 "available %lld, expected %lld %lld %lld %lld",
                 tf_pools[k], as_of ? as_of : "now", (long long)p.receipts,
                 (long long)p.cash, (long long)p.committed,
                 (long long)p.available, (long long)receipts, (long long)cash,
                 (long long)committed, (long long)available);
}

/* One surplus run in its own transaction: committed unless dry_run (a
 * dry run is committed too, to show that it wrote nothing itself). */
static tf_surplus_result surplus(tf_fund *f, const char *date, int dry_run)
{
    tf_surplus_result res;

    begin(f);
    MUST(tf_surplus(f, date, dry_run, &res, NULL, NULL, &dg));
    commit(f);
    return res;
}

/* ---- Reading entries back ------------------------------------------- */

/* An entry's kind, date and postings, as sorted "account pool amount"
 * lines, so that a test does not depend on the order of postings. */
struct entry_text {
    int64_t id;
    int found;
    char kind[32], date[16];
    char text[2048];
};

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int grab_entry(void *ctx, const tf_entry *e)
{
    struct entry_text *t = ctx;
    char lines[16][160];
    const char *order[16];
    size_t n = e->npostings < 16 ? e->npostings : 16, len = 0;

    if (e->id != t->id)
        return 0;
    t->found = 1;
    snprintf(t->kind, sizeof(t->kind), "%s", e->kind);
    snprintf(t->date, sizeof(t->date), "%s", e->date);
    for (size_t i = 0; i < n; i++) {
        snprintf(lines[i], sizeof(lines[i]), "%s %s %lld",
                 e->postings[i].account, e->postings[i].pool,
                 (long long)e->postings[i].amount);
        order[i] = lines[i];
    }
    qsort(order, n, sizeof(order[0]), cmp_line);
    t->text[0] = '\0';
    for (size_t i = 0; i < n && len < sizeof(t->text); i++)
        len += (size_t)snprintf(t->text + len, sizeof(t->text) - len, "%s\n",
                                order[i]);
    return 1;
}

static void expect_entry(tf_fund *f, int64_t id, const char *kind,
                         const char *date, const char *postings)
{
    struct entry_text t;

    memset(&t, 0, sizeof(t));
    t.id = id;
    MUST(tf_ledger_each_entry(f, NULL, grab_entry, &t, &dg));
    assert_true(t.found);
    assert_string_equal(t.kind, kind);
    assert_string_equal(t.date, date);
    assert_string_equal(t.text, postings);
}

/* The ids of the entries of a kind, in id order. */
struct kind_ids {
    const char *kind;
    int n;
    int64_t id[16];
    char date[16][16];
};

static int grab_kind(void *ctx, const tf_entry *e)
{
    struct kind_ids *k = ctx;

    if (!strcmp(e->kind, k->kind) && k->n < 16) {
        snprintf(k->date[k->n], sizeof(k->date[0]), "%s", e->date);
        k->id[k->n++] = e->id;
    }
    return 0;
}

static struct kind_ids entries_of_kind(tf_fund *f, const char *kind)
{
    struct kind_ids k;

    memset(&k, 0, sizeof(k));
    k.kind = kind;
    MUST(tf_ledger_each_entry(f, NULL, grab_kind, &k, &dg));
    return k;
}

/* ---- Attribution rows ----------------------------------------------- */

struct arow {
    char donor[32], pool[16];
    int64_t receipts, carried, outflows, balance;
};

struct arows {
    int n;
    struct arow row[32];
};

static int grab_arow(void *ctx, const tf_attribution *a)
{
    struct arows *r = ctx;

    assert_true(r->n < 32);
    snprintf(r->row[r->n].donor, sizeof(r->row[0].donor), "%s", a->donor);
    snprintf(r->row[r->n].pool, sizeof(r->row[0].pool), "%s", a->pool);
    r->row[r->n].receipts = a->receipts;
    r->row[r->n].carried = a->carried;
    r->row[r->n].outflows = a->outflows;
    r->row[r->n].balance = a->balance;
    r->n++;
    return 0;
}

static struct arows attribution(tf_fund *f, const char *as_of)
{
    struct arows r;

    memset(&r, 0, sizeof(r));
    MUST(tf_attribution_each(f, as_of, NULL, grab_arow, &r, &dg));
    return r;
}

/* Row i must be (pool, donor, receipts, carried, outflows, balance). */
static void expect_arow(const struct arows *r, int i, const char *pool,
                        const char *donor, int64_t receipts, int64_t carried,
                        int64_t outflows, int64_t balance)
{
    const struct arow *a;

    assert_true(i < r->n);
    a = &r->row[i];
    if (strcmp(a->pool, pool) || strcmp(a->donor, donor) ||
        a->receipts != receipts || a->carried != carried ||
        a->outflows != outflows || a->balance != balance)
        fail_msg("row %d: %s/%s %lld %lld %lld %lld, expected %s/%s %lld "
                 "%lld %lld %lld",
                 i, a->pool, a->donor, (long long)a->receipts,
                 (long long)a->carried, (long long)a->outflows,
                 (long long)a->balance, pool, donor, (long long)receipts,
                 (long long)carried, (long long)outflows, (long long)balance);
}

/* ---- Surplus -------------------------------------------------------- */

struct needs {
    int n;
    struct {
        char session[16];
        long waitlisted, pending;
        int64_t charges, travel_budget;
    } s[8];
};

static int grab_need(void *ctx, const tf_need *n)
{
    struct needs *c = ctx;

    assert_true(c->n < 8);
    snprintf(c->s[c->n].session, sizeof(c->s[0].session), "%s", n->session);
    c->s[c->n].waitlisted = n->waitlisted;
    c->s[c->n].pending = n->pending;
    c->s[c->n].charges = n->charges;
    c->s[c->n].travel_budget = n->travel_budget;
    c->n++;
    return 0;
}

/*
 * The need, the surplus and its transfer, worked out by hand.
 *
 * Receipts on 2025-01-10 from one donor: unrestricted 1,000,000, travel
 * 800,000, ldc-travel 500,000; another 200,000 into unrestricted dated
 * 2025-08-01, after the surplus date D = 2025-06-15. EUR per USD: 0.8
 * from 2025-01-01, 0.9 from 2025-06-01, 0.5 from 2025-07-01.
 *
 * Sessions (start; the need counts those starting on or after D):
 *   S0  2025-05-01  travel_budget 99,900, no requests: before D, ignored
 *   S00 2025-06-14  a pending ETH request: before D, ignored
 *   S1  2025-06-15  (= D, counted) days 3 + 1 extra, DSA 10,000 a day,
 *                   terminal 5,000: DSA total 10,000 x 4 = 40,000
 *   S2  2025-09-01  travel_budget 300,000 and no requests: counted
 *   S3  2025-10-01  travel_budget 700,000 but one (ineligible) request:
 *                   its budget is not counted, nor the request
 *
 * S1 is allocated on 2025-03-01 (EUR 0.8, budget all):
 *   k1 KEN fare EUR 800.00: 80,000 / 0.8 = 100,000; cost 100,000 + 40,000
 *      + 5,000 = 145,000; psc 18,850; charge 163,850: funded from travel
 *   k2 KEN fare EUR 400.00: 40,000 / 0.8 = 50,000; cost 95,000; psc
 *      12,350; charge 107,350: waitlisted (quota, one per developing
 *      country)
 * then, never allocated (pending):
 *   e1 ETH (LDC) fare EUR 300.00, at D's rate 0.9: 30,000 / 0.9 =
 *      33,333.33 -> 33,333; cost 33,333 + 40,000 + 5,000 = 78,333; psc
 *      10,183.29 -> 10,183; charge 88,516
 *   f1 FRA (not developing) fare 500.00: not counted
 *
 * need = 107,350 (k2's last charge) + 88,516 (e1) + 300,000 (S2) = 495,866
 * available at D: unrestricted 1,000,000; travel 800,000 - 163,850 =
 * 636,150; ldc-travel is not counted.
 * surplus = 1,000,000 + 636,150 - 495,866 = 1,140,284: 1,000,000 from
 * unrestricted, then 140,284 from travel.
 */
static void test_surplus_need_and_move(void **state)
{
    tf_fund *f = FUND(state);
    tf_surplus_result res, dry;
    struct head before;
    struct needs needs;

    add_state_donor(f, "donor-a");
    add_rate(f, "EUR", "2025-01-01", "0.8");
    add_rate(f, "EUR", "2025-06-01", "0.9");
    add_rate(f, "EUR", "2025-07-01", "0.5");
    give_usd(f, "donor-a", "R-U", "2025-01-10", "unrestricted", 1000000);
    give_usd(f, "donor-a", "R-T", "2025-01-10", "travel", 800000);
    give_usd(f, "donor-a", "R-L", "2025-01-10", "ldc-travel", 500000);
    give_usd(f, "donor-a", "R-U2", "2025-08-01", "unrestricted", 200000);
    add_session(f, "S0", "2025-05-01", 2, 0, 0, 0, 99900);
    add_session(f, "S00", "2025-06-14", 2, 0, 0, 0, -1);
    add_session(f, "S1", "2025-06-15", 3, 1, 10000, 5000, -1);
    add_session(f, "S2", "2025-09-01", 2, 0, 0, 0, 300000);
    add_session(f, "S3", "2025-10-01", 2, 0, 0, 0, 700000);
    add_request(f, "x1", "S00", "ETH", "2025-02-01T09:00:00Z", 100000, "USD");
    add_request(f, "k1", "S1", "KEN", "2025-02-01T09:00:00Z", 80000, "EUR");
    add_request(f, "k2", "S1", "KEN", "2025-02-02T09:00:00Z", 40000, "EUR");
    {
        tf_alloc_result a = allocate(f, "S1", "2025-03-01");
        assert_int_equal(a.funded, 1);
        assert_int_equal(a.waitlisted, 1);
        assert_int_equal(a.funded_charge, 163850);
    }
    add_request(f, "e1", "S1", "ETH", "2025-04-01T09:00:00Z", 30000, "EUR");
    add_request(f, "f1", "S1", "FRA", "2025-04-02T09:00:00Z", 50000, "USD");
    add_request(f, "f3", "S3", "FRA", "2025-04-02T09:00:00Z", 50000, "USD");
    expect_pool(f, TRAVEL, "2025-06-15", 800000, 800000, 163850, 636150);

    /* A dry run shows the figures and writes nothing. */
    before = head(f);
    memset(&needs, 0, sizeof(needs));
    begin(f);
    MUST(tf_surplus(f, "2025-06-15", 1, &dry, grab_need, &needs, &dg));
    commit(f);
    assert_same_head(before, head(f));
    assert_int_equal(dry.need, 495866);
    assert_int_equal(dry.available_unrestricted, 1000000);
    assert_int_equal(dry.available_travel, 636150);
    assert_int_equal(dry.surplus, 1140284);
    assert_int_equal(dry.moved_unrestricted, 1000000);
    assert_int_equal(dry.moved_travel, 140284);
    assert_int_equal(dry.entry, 0);
    /* The need, session by session (S0 and S00 start before D). */
    assert_int_equal(needs.n, 3);
    assert_string_equal(needs.s[0].session, "S1");
    assert_int_equal(needs.s[0].waitlisted, 1);
    assert_int_equal(needs.s[0].pending, 1);
    assert_int_equal(needs.s[0].charges, 107350 + 88516);
    assert_int_equal(needs.s[0].travel_budget, 0);
    assert_string_equal(needs.s[1].session, "S2");
    assert_int_equal(needs.s[1].charges, 0);
    assert_int_equal(needs.s[1].travel_budget, 300000);
    assert_string_equal(needs.s[2].session, "S3");
    assert_int_equal(needs.s[2].pending, 0);
    assert_int_equal(needs.s[2].charges, 0);
    assert_int_equal(needs.s[2].travel_budget, 0);

    /* The real run: the same figures, one transfer entry dated D. */
    res = surplus(f, "2025-06-15", 0);
    assert_int_equal(res.need, 495866);
    assert_int_equal(res.surplus, 1140284);
    assert_int_equal(res.moved_unrestricted, 1000000);
    assert_int_equal(res.moved_travel, 140284);
    assert_int_equal(head(f).count, before.count + 1);
    assert_int_equal(res.entry, head(f).count);
    expect_entry(f, res.entry, "transfer", "2025-06-15",
                 "assets:cash prep 1140284\n"
                 "assets:cash travel -140284\n"
                 "assets:cash unrestricted -1000000\n"
                 "transfers:in prep -1140284\n"
                 "transfers:out travel 140284\n"
                 "transfers:out unrestricted 1000000\n");
    assert_int_equal(entries_of_kind(f, "transfer").n, 1);

    /* Pools at D after the move: prep up by the surplus, the others down
     * by what they gave; ldc-travel untouched. travel: cash 800,000 -
     * 140,284 = 659,716, committed 163,850, available 495,866 (= need). */
    expect_pool(f, UNRESTRICTED, "2025-06-15", 1000000, 0, 0, 0);
    expect_pool(f, TRAVEL, "2025-06-15", 800000, 659716, 163850, 495866);
    expect_pool(f, LDC_TRAVEL, "2025-06-15", 500000, 500000, 0, 500000);
    expect_pool(f, PREP, "2025-06-15", 0, 1140284, 0, 1140284);
    /* Now, with the receipt of 2025-08-01 that D did not see. */
    expect_pool(f, UNRESTRICTED, NULL, 1200000, 200000, 0, 200000);

    /* Twice on the same date: nothing left to move, no entry. */
    before = head(f);
    res = surplus(f, "2025-06-15", 0);
    assert_int_equal(res.need, 495866);
    assert_int_equal(res.available_unrestricted, 0);
    assert_int_equal(res.available_travel, 495866);
    assert_int_equal(res.surplus, 0);
    assert_int_equal(res.moved_unrestricted, 0);
    assert_int_equal(res.moved_travel, 0);
    assert_int_equal(res.entry, 0);
    assert_same_head(before, head(f));

    /* On 2025-08-02 S1 has started (its requests no longer count), the
     * receipt of 2025-08-01 is in: need = S2's 300,000; available 200,000
     * + 495,866; surplus 395,866: 200,000 from unrestricted, 195,866 from
     * travel, leaving travel available at 300,000. */
    res = surplus(f, "2025-08-02", 0);
    assert_int_equal(res.need, 300000);
    assert_int_equal(res.surplus, 395866);
    assert_int_equal(res.moved_unrestricted, 200000);
    assert_int_equal(res.moved_travel, 195866);
    expect_pool(f, TRAVEL, NULL, 800000, 463850, 163850, 300000);
    expect_pool(f, PREP, NULL, 0, 1536150, 0, 1536150);
    expect_pool(f, LDC_TRAVEL, NULL, 500000, 500000, 0, 500000);
    assert_int_equal(entries_of_kind(f, "transfer").n, 2);
    assert_verified(f);
}

/* A surplus of 0 posts no entry: the need (a session's travel budget of
 * 600,000) exceeds what unrestricted (100,000) and travel (400,000) have;
 * ldc-travel's 900,000 is never counted. */
static void test_surplus_zero_posts_nothing(void **state)
{
    tf_fund *f = FUND(state);
    tf_surplus_result res;
    struct head before;

    add_state_donor(f, "donor-a");
    give_usd(f, "donor-a", "R-U", "2025-01-10", "unrestricted", 100000);
    give_usd(f, "donor-a", "R-T", "2025-01-10", "travel", 400000);
    give_usd(f, "donor-a", "R-L", "2025-01-10", "ldc-travel", 900000);
    add_session(f, "S1", "2025-05-01", 2, 0, 0, 0, 600000);
    before = head(f);
    res = surplus(f, "2025-02-01", 0);
    assert_int_equal(res.need, 600000);
    assert_int_equal(res.available_unrestricted, 100000);
    assert_int_equal(res.available_travel, 400000);
    assert_int_equal(res.surplus, 0);
    assert_int_equal(res.entry, 0);
    assert_same_head(before, head(f));
    /* After the session started, all 500,000 is surplus; ldc-travel
     * still keeps its 900,000. */
    res = surplus(f, "2025-05-01", 0);
    assert_int_equal(res.need, 600000); /* S1 starts on the date */
    assert_int_equal(res.surplus, 0);
    res = surplus(f, "2025-05-02", 0);
    assert_int_equal(res.need, 0);
    assert_int_equal(res.surplus, 500000);
    expect_pool(f, PREP, NULL, 0, 500000, 0, 500000);
    expect_pool(f, LDC_TRAVEL, NULL, 900000, 900000, 0, 900000);
    /* A bad date is bad input. */
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_surplus(f, "2025-02-30", 0, &res, NULL, NULL, &dg),
                     TF_ERR_INPUT);
    tf_fund_rollback(f);
    assert_verified(f);
}

/*
 * A surplus dated before a commitment: on 2025-02-01 travel has 100,000
 * available and nothing is needed (the only request was funded on
 * 2025-03-01, its commitment of 56,500 is not seen on 2025-02-01 and a
 * funded request is not part of the need). Moving the 100,000 would leave
 * travel at 0 - 56,500 available today: refused, nothing written (the
 * rule of every back-dated command, README "More choices").
 */
static void test_surplus_back_dated_refused(void **state)
{
    tf_fund *f = FUND(state);
    tf_surplus_result res;
    struct head before;
    tf_error err;

    add_state_donor(f, "donor-a");
    give_usd(f, "donor-a", "R-T", "2025-01-10", "travel", 100000);
    add_session(f, "S1", "2025-04-01", 2, 0, 0, 0, -1);
    add_request(f, "k1", "S1", "KEN", "2025-01-15T09:00:00Z", 50000, "USD");
    allocate(f, "S1", "2025-03-01");
    expect_pool(f, TRAVEL, NULL, 100000, 100000, 56500, 43500);
    before = head(f);
    begin(f);
    tf_diag_clear(&dg);
    err = tf_surplus(f, "2025-02-01", 0, &res, NULL, NULL, &dg);
    tf_fund_rollback(f);
    assert_int_equal(err, TF_ERR_RULE);
    assert_same_head(before, head(f));
    /* A dry run says the same, and still reports what the date saw. */
    begin(f);
    tf_diag_clear(&dg);
    err = tf_surplus(f, "2025-02-01", 1, &res, NULL, NULL, &dg);
    tf_fund_rollback(f);
    assert_int_equal(err, TF_ERR_RULE);
    assert_int_equal(res.surplus, 100000);
    assert_same_head(before, head(f));
    /* Dated after the commitment, only the 43,500 left moves. */
    res = surplus(f, "2025-03-01", 0);
    assert_int_equal(res.surplus, 43500);
    expect_pool(f, TRAVEL, NULL, 100000, 56500, 56500, 0);
    assert_verified(f);
}

/* ---- Preparation spending ------------------------------------------- */

static tf_error try_spend(tf_fund *f, const char *ref, const char *date,
                          int64_t amount, const char *currency,
                          const char *memo, int *known)
{
    tf_spend s = {ref, date, currency, memo, amount, 0, 0};
    struct head before = head(f);
    tf_error err;
    int k = -1;

    begin(f);
    tf_diag_clear(&dg);
    err = tf_spend_add(f, &s, &k, &dg);
    if (known)
        *known = k;
    /* Nothing was written, even before the rollback. */
    return end_step(f, before, err);
}

struct spends {
    int n;
    struct {
        char ref[16];
        int64_t amount, base, psc;
    } s[8];
};

static int grab_spend(void *ctx, const tf_spend *s)
{
    struct spends *c = ctx;

    assert_true(c->n < 8);
    snprintf(c->s[c->n].ref, sizeof(c->s[0].ref), "%s", s->ref);
    c->s[c->n].amount = s->amount;
    c->s[c->n].base = s->base_amount;
    c->s[c->n].psc = s->psc;
    c->n++;
    return 0;
}

static struct spends spends(tf_fund *f)
{
    struct spends c;

    memset(&c, 0, sizeof(c));
    MUST(tf_spend_each(f, NULL, grab_spend, &c, &dg));
    return c;
}

/*
 * prep receives 2,000.00 on 2025-01-10.
 * SP-1 on 2025-02-01, 1,234.50: psc = 123,450 x 0.13 = 16,048.5 -> 16,048
 * (half to even: 160.485 -> 160.48); charge 139,498; prep cash 200,000 -
 * 139,498 = 60,502.
 * SP-2 on 2025-03-01, EUR 100.00 at 0.9346 (from 2025-02-15; 0.8 before):
 * 10,000 / 0.9346 = 10,699.76 -> 10,700; psc 1,391; charge 12,091; prep
 * cash 60,502 - 12,091 = 48,411.
 * Then 428.43 is refused (psc 5,569.59 -> 5,570, charge 48,413 > 48,411)
 * and 428.42 takes exactly what is left (psc 5,569.46 -> 5,569, charge
 * 48,411).
 */
static void test_spend(void **state)
{
    tf_fund *f = FUND(state);
    struct head before;
    struct spends sp;
    int known;

    add_state_donor(f, "donor-a");
    add_rate(f, "EUR", "2025-01-01", "0.8");
    add_rate(f, "EUR", "2025-02-15", "0.9346");
    give_usd(f, "donor-a", "R-P", "2025-01-10", "prep", 200000);

    /* Before the receipt prep has nothing: refused on its date. */
    assert_int_equal(
        try_spend(f, "SP-0", "2025-01-09", 100, "USD", "early", NULL),
        TF_ERR_RULE);

    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 123450, "USD",
                               "translation", &known),
                     TF_OK);
    assert_int_equal(known, 0);
    {
        struct kind_ids k = entries_of_kind(f, "spend");
        assert_int_equal(k.n, 1);
        expect_entry(f, k.id[0], "spend", "2025-02-01",
                     "assets:cash prep -123450\n"
                     "expense:prep prep 123450\n"
                     "expense:psc prep 16048\n"
                     "liabilities:psc-payable prep -16048\n");
    }
    expect_pool(f, PREP, NULL, 200000, 60502, 0, 60502);

    assert_int_equal(
        try_spend(f, "SP-2", "2025-03-01", 10000, "EUR", "venue", NULL), TF_OK);
    {
        struct kind_ids k = entries_of_kind(f, "spend");
        assert_int_equal(k.n, 2);
        expect_entry(f, k.id[1], "spend", "2025-03-01",
                     "assets:cash prep -10700\n"
                     "expense:prep prep 10700\n"
                     "expense:psc prep 1391\n"
                     "liabilities:psc-payable prep -1391\n");
    }
    expect_pool(f, PREP, NULL, 200000, 48411, 0, 48411);

    /* One cent beyond what prep has: refused, nothing written. */
    assert_int_equal(try_spend(f, "SP-3", "2025-03-02", 42843, "USD", "", NULL),
                     TF_ERR_RULE);
    assert_int_equal(try_spend(f, "SP-3", "2025-03-02", 42842, "USD", "", NULL),
                     TF_OK);
    expect_pool(f, PREP, NULL, 200000, 0, 0, 0);

    /* The same spending again is known and adds nothing; other details
     * under the same reference are refused. */
    before = head(f);
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 123450, "USD",
                               "translation", &known),
                     TF_OK);
    assert_int_equal(known, 1);
    assert_same_head(before, head(f));
    assert_int_equal(
        try_spend(f, "SP-1", "2025-02-01", 123451, "USD", "translation", NULL),
        TF_ERR_INPUT);
    assert_int_equal(
        try_spend(f, "SP-1", "2025-02-02", 123450, "USD", "translation", NULL),
        TF_ERR_INPUT);
    assert_int_equal(
        try_spend(f, "SP-1", "2025-02-01", 123450, "USD", "other memo", NULL),
        TF_ERR_INPUT);
    assert_same_head(before, head(f));

    sp = spends(f);
    assert_int_equal(sp.n, 3);
    assert_string_equal(sp.s[0].ref, "SP-1");
    assert_int_equal(sp.s[0].base, 123450);
    assert_int_equal(sp.s[0].psc, 16048);
    assert_string_equal(sp.s[1].ref, "SP-2");
    assert_int_equal(sp.s[1].amount, 10000);
    assert_int_equal(sp.s[1].base, 10700);
    assert_int_equal(sp.s[1].psc, 1391);
    assert_string_equal(sp.s[2].ref, "SP-3");
    assert_int_equal(sp.s[2].psc, 5569);
    assert_verified(f);
}

/* Bad input: unknown currency, a non-positive amount, an empty ref. */
static void test_spend_bad_input(void **state)
{
    tf_fund *f = FUND(state);

    add_state_donor(f, "donor-a");
    give_usd(f, "donor-a", "R-P", "2025-01-10", "prep", 200000);
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 100, "XXX", "", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 0, "USD", "", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(try_spend(f, "", "2025-02-01", 100, "USD", "", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(try_spend(f, "SP-1", "2025-13-01", 100, "USD", "", NULL),
                     TF_ERR_INPUT);
    /* A currency with no rate on the date: an error, never a guess. */
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 100, "EUR", "", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(spends(f).n, 0);
    assert_verified(f);
}

/*
 * A spending dated before another: prep has 1,000.00; SP-2 on 2025-03-01
 * spends 800.00 + 104.00 PSC = 904.00. SP-1 dated 2025-02-01 for the
 * same 904.00 sees 1,000.00 available on its date, but would leave prep
 * at 1,000.00 - 1,808.00 today: refused, nothing written.
 */
static void test_spend_back_dated_refused(void **state)
{
    tf_fund *f = FUND(state);

    add_state_donor(f, "donor-a");
    give_usd(f, "donor-a", "R-P", "2025-01-10", "prep", 100000);
    assert_int_equal(try_spend(f, "SP-2", "2025-03-01", 80000, "USD", "", NULL),
                     TF_OK);
    expect_pool(f, PREP, NULL, 100000, 9600, 0, 9600);
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 80000, "USD", "", NULL),
                     TF_ERR_RULE);
    /* What still fits today is accepted on the earlier date. */
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 8000, "USD", "", NULL),
                     TF_OK);
    expect_pool(f, PREP, NULL, 100000, 560, 0, 560);
    assert_verified(f);
}

/* ---- Attribution ---------------------------------------------------- */

/*
 * The fund of the attribution and closing tests.
 *
 * Receipts on 2025-01-10:
 *   unrestricted  a-one 1,000
 *   travel        a-one 10,000   b-two 20,000   c-three 10,000  (1:2:1)
 *   prep          b-two 3,000    d-four 5,000
 * S1 starts 2025-03-01 (2 days, no DSA or terminal); S2 starts 2025-06-01
 * with a travel budget of 5,001 and no requests.
 * S1 allocated on 2025-02-01: q2 ETH (tier 1) fare 50.00, charge 5,650;
 * q1 KEN (tier 2) fare 100.00, charge 11,300; both from travel.
 * Disbursed on 2025-03-10:
 *   q1 actual 100.01: psc 1,300.13 -> 1,300, charge 11,301 (overrun of 1
 *      from travel's available)
 *   q2 actual 49.98: psc 649.74 -> 650, charge 5,648 (2 released)
 * travel paid 16,949: cash 40,000 - 16,949 = 23,051.
 * Surplus on 2025-04-01: need = S2's 5,001; available 1,000 + 23,051;
 * surplus 19,050: unrestricted 1,000, travel 18,050.
 * SP-1 on 2025-04-15: 100.00, psc 13.00: prep pays 11,300.
 */
static void build_fund(tf_fund *f)
{
    tf_surplus_result s;
    tf_disburse_result d;
    tf_alloc_result a;

    add_state_donor(f, "d-four");
    add_state_donor(f, "c-three");
    add_state_donor(f, "b-two");
    add_state_donor(f, "a-one");
    give_usd(f, "a-one", "R-U-a", "2025-01-10", "unrestricted", 1000);
    give_usd(f, "a-one", "R-T-a", "2025-01-10", "travel", 10000);
    give_usd(f, "b-two", "R-T-b", "2025-01-10", "travel", 20000);
    give_usd(f, "c-three", "R-T-c", "2025-01-10", "travel", 10000);
    give_usd(f, "b-two", "R-P-b", "2025-01-10", "prep", 3000);
    give_usd(f, "d-four", "R-P-d", "2025-01-10", "prep", 5000);
    add_session(f, "S1", "2025-03-01", 2, 0, 0, 0, -1);
    add_session(f, "S2", "2025-06-01", 2, 0, 0, 0, 5001);
    add_request(f, "q1", "S1", "KEN", "2025-01-15T09:00:00Z", 10000, "USD");
    add_request(f, "q2", "S1", "ETH", "2025-01-16T09:00:00Z", 5000, "USD");
    a = allocate(f, "S1", "2025-02-01");
    assert_int_equal(a.funded, 2);
    assert_int_equal(a.drawn[TRAVEL], 16950);
    d = disburse(f, "q1", "2025-03-10", 10001);
    assert_int_equal(d.charge, 11301);
    assert_int_equal(d.overrun, 1);
    d = disburse(f, "q2", "2025-03-10", 4998);
    assert_int_equal(d.charge, 5648);
    assert_int_equal(d.released, 2);
    s = surplus(f, "2025-04-01", 0);
    assert_int_equal(s.need, 5001);
    assert_int_equal(s.moved_unrestricted, 1000);
    assert_int_equal(s.moved_travel, 18050);
    assert_int_equal(try_spend(f, "SP-1", "2025-04-15", 10000, "USD", "", NULL),
                     TF_OK);
    expect_pool(f, TRAVEL, NULL, 40000, 5001, 0, 5001);
    expect_pool(f, PREP, NULL, 8000, 15750, 0, 15750);
}

/*
 * unrestricted: a-one alone: receipts 1,000, the transfer out 1,000,
 * balance 0. The leg carries 1,000 into prep for a-one.
 *
 * travel, weights 10,000 : 20,000 : 10,000 (1:2:1):
 *   transfer leg 18,050, LR on its own: 4,512.5 / 9,025 / 4,512.5 ->
 *   floors 4,512 + 9,025 + 4,512 = 18,049; one unit left, a-one and
 *   c-three tie at .5: to a-one (lower id). Carried: a 4,513, b 9,025,
 *   c 4,512.
 *   outflows 16,949 paid + 18,050 moved = 34,999, LR: 8,749.75 /
 *   17,499.5 / 8,749.75 -> floors sum 34,997; two units to the .75s (a
 *   and c): a 8,750, b 17,499, c 8,750; balances 1,250, 2,501, 1,250
 *   (= travel's cash 5,001).
 *
 * prep, weights = own receipts + carried:
 *   a-one 0 + 1,000 + 4,513 = 5,513; b-two 3,000 + 9,025 = 12,025;
 *   c-three 4,512; d-four 5,000; total 27,050 = 8,000 + 19,050.
 *   outflows 11,300 (SP-1), LR over 27,050:
 *     a 62,296,900 / 27,050 = 2,303.03
 *     b 135,882,500 / 27,050 = 5,023.38
 *     c 50,985,600 / 27,050 = 1,884.87
 *     d 56,500,000 / 27,050 = 2,088.72
 *   floors 11,298; two units to c (.87) and d (.72): 2,303, 5,023, 1,885,
 *   2,089; balances 3,210, 7,002, 2,627, 2,911 (= prep's cash 15,750).
 */
static void test_attribution_by_hand(void **state)
{
    tf_fund *f = FUND(state);
    struct arows r;

    build_fund(f);
    r = attribution(f, NULL);
    assert_int_equal(r.n, 8);
    expect_arow(&r, 0, "unrestricted", "a-one", 1000, 0, 1000, 0);
    expect_arow(&r, 1, "travel", "a-one", 10000, 0, 8750, 1250);
    expect_arow(&r, 2, "travel", "b-two", 20000, 0, 17499, 2501);
    expect_arow(&r, 3, "travel", "c-three", 10000, 0, 8750, 1250);
    expect_arow(&r, 4, "prep", "a-one", 5513, 5513, 2303, 3210);
    expect_arow(&r, 5, "prep", "b-two", 12025, 9025, 5023, 7002);
    expect_arow(&r, 6, "prep", "c-three", 4512, 4512, 1885, 2627);
    expect_arow(&r, 7, "prep", "d-four", 5000, 0, 2089, 2911);

    /* As of 2025-03-31 (paid, not yet moved): travel outflows 16,949, LR
     * 4,237.25 / 8,474.5 / 4,237.25 -> floors 16,948, one unit to b-two:
     * 4,237, 8,475, 4,237. Nothing carried into prep yet. */
    r = attribution(f, "2025-03-31");
    assert_int_equal(r.n, 6);
    expect_arow(&r, 0, "unrestricted", "a-one", 1000, 0, 0, 1000);
    expect_arow(&r, 1, "travel", "a-one", 10000, 0, 4237, 5763);
    expect_arow(&r, 2, "travel", "b-two", 20000, 0, 8475, 11525);
    expect_arow(&r, 3, "travel", "c-three", 10000, 0, 4237, 5763);
    expect_arow(&r, 4, "prep", "b-two", 3000, 0, 0, 3000);
    expect_arow(&r, 5, "prep", "d-four", 5000, 0, 0, 5000);

    /* One donor only. */
    {
        struct arows one;
        memset(&one, 0, sizeof(one));
        MUST(tf_attribution_each(f, NULL, "b-two", grab_arow, &one, &dg));
        assert_int_equal(one.n, 2);
        expect_arow(&one, 0, "travel", "b-two", 20000, 0, 17499, 2501);
        expect_arow(&one, 1, "prep", "b-two", 12025, 9025, 5023, 7002);
    }
    assert_verified(f);
}

struct uses {
    int n;
    struct {
        char donor[32], pool[16], category[24], session[16];
        int64_t amount;
    } u[64];
};

static int grab_use(void *ctx, const tf_use *u)
{
    struct uses *c = ctx;

    assert_true(c->n < 64);
    snprintf(c->u[c->n].donor, sizeof(c->u[0].donor), "%s", u->donor);
    snprintf(c->u[c->n].pool, sizeof(c->u[0].pool), "%s", u->pool);
    snprintf(c->u[c->n].category, sizeof(c->u[0].category), "%s", u->category);
    snprintf(c->u[c->n].session, sizeof(c->u[0].session), "%s",
             u->session ? u->session : "");
    c->u[c->n].amount = u->amount;
    c->n++;
    return 0;
}

/* The amount of donor's use of pool in category (0 when none). */
static int64_t use_of(const struct uses *c, const char *donor, const char *pool,
                      const char *category)
{
    int64_t sum = 0;

    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->u[i].donor, donor) && !strcmp(c->u[i].pool, pool) &&
            !strcmp(c->u[i].category, category))
            sum += c->u[i].amount;
    return sum;
}

/* Every donor's uses of every pool sum exactly to its outflows. */
static void check_uses_sum(tf_fund *f, const char *as_of)
{
    struct arows r = attribution(f, as_of);
    struct uses u;

    memset(&u, 0, sizeof(u));
    MUST(tf_attribution_uses(f, as_of, NULL, grab_use, &u, &dg));
    for (int i = 0; i < r.n; i++) {
        int64_t sum = 0;
        for (int j = 0; j < u.n; j++)
            if (!strcmp(u.u[j].donor, r.row[i].donor) &&
                !strcmp(u.u[j].pool, r.row[i].pool))
                sum += u.u[j].amount;
        if (sum != r.row[i].outflows)
            fail_msg("%s/%s: uses sum to %lld, outflows %lld", r.row[i].donor,
                     r.row[i].pool, (long long)sum,
                     (long long)r.row[i].outflows);
    }
}

struct shares {
    int n;
    struct {
        char ref[16], pool[16], donor[32];
        int64_t charge, share;
    } g[32];
};

static int grab_share(void *ctx, const tf_grant_share *g)
{
    struct shares *c = ctx;

    assert_true(c->n < 32);
    snprintf(c->g[c->n].ref, sizeof(c->g[0].ref), "%s", g->ref);
    snprintf(c->g[c->n].pool, sizeof(c->g[0].pool), "%s", g->pool);
    snprintf(c->g[c->n].donor, sizeof(c->g[0].donor), "%s", g->donor);
    c->g[c->n].charge = g->charge;
    c->g[c->n].share = g->share;
    c->n++;
    return 0;
}

/*
 * What the donors' outflows were used for. Category totals by pool:
 *   unrestricted: surplus-routed 1,000.
 *   travel (accounts in order): expense:psc 1,300 + 650 = 1,950;
 *     expense:travel:S1 10,001 + 4,998 = 14,999; transfers:out 18,050.
 *     a-one's 8,750, LR over 1,950 : 14,999 : 18,050 (of 34,999):
 *       487.51 / 3,749.86 / 4,512.63 -> floors 8,748; units to travel
 *       (.86) and routed (.63): psc 487, travel 3,750, routed 4,513.
 *     b-two's 17,499: 974.97 / 7,499.29 / 9,024.74 -> floors 17,497;
 *       units to psc (.97) and routed (.74): 975, 7,499, 9,025.
 *     c-three as a-one: 487, 3,750, 4,513.
 *   prep: expense:prep 10,000, expense:psc 1,300 (of 11,300):
 *     a-one 2,303: 2,038.05 / 264.95 -> 2,038 + 265
 *     b-two 5,023: 4,445.13 / 577.87 -> 4,445 + 578
 *     c-three 1,885: 1,668.14 / 216.86 -> 1,668 + 217
 *     d-four 2,089: 1,848.67 / 240.33 -> 1,849 + 240
 *
 * Grant shares over travel's weights 1:2:1:
 *   q1 11,301: 2,825.25 / 5,650.5 / 2,825.25 -> 2,825, 5,651, 2,825
 *   q2 5,648: 1,412 / 2,824 / 1,412 exactly.
 */
static void test_attribution_uses_and_shares(void **state)
{
    tf_fund *f = FUND(state);
    struct uses u;
    struct shares s;

    build_fund(f);
    memset(&u, 0, sizeof(u));
    MUST(tf_attribution_uses(f, NULL, NULL, grab_use, &u, &dg));
    assert_int_equal(use_of(&u, "a-one", "unrestricted", "surplus-routed"),
                     1000);
    assert_int_equal(use_of(&u, "a-one", "travel", "psc"), 487);
    assert_int_equal(use_of(&u, "a-one", "travel", "travel"), 3750);
    assert_int_equal(use_of(&u, "a-one", "travel", "surplus-routed"), 4513);
    assert_int_equal(use_of(&u, "b-two", "travel", "psc"), 975);
    assert_int_equal(use_of(&u, "b-two", "travel", "travel"), 7499);
    assert_int_equal(use_of(&u, "b-two", "travel", "surplus-routed"), 9025);
    assert_int_equal(use_of(&u, "c-three", "travel", "psc"), 487);
    assert_int_equal(use_of(&u, "c-three", "travel", "travel"), 3750);
    assert_int_equal(use_of(&u, "c-three", "travel", "surplus-routed"), 4513);
    assert_int_equal(use_of(&u, "a-one", "prep", "prep"), 2038);
    assert_int_equal(use_of(&u, "a-one", "prep", "psc"), 265);
    assert_int_equal(use_of(&u, "b-two", "prep", "prep"), 4445);
    assert_int_equal(use_of(&u, "b-two", "prep", "psc"), 578);
    assert_int_equal(use_of(&u, "c-three", "prep", "prep"), 1668);
    assert_int_equal(use_of(&u, "c-three", "prep", "psc"), 217);
    assert_int_equal(use_of(&u, "d-four", "prep", "prep"), 1849);
    assert_int_equal(use_of(&u, "d-four", "prep", "psc"), 240);
    assert_int_equal(use_of(&u, "d-four", "travel", "travel"), 0);
    for (int i = 0; i < u.n; i++)
        if (!strcmp(u.u[i].category, "travel"))
            assert_string_equal(u.u[i].session, "S1");
    check_uses_sum(f, NULL);
    check_uses_sum(f, "2025-03-31");

    memset(&s, 0, sizeof(s));
    MUST(tf_grant_shares(f, NULL, NULL, grab_share, &s, &dg));
    assert_int_equal(s.n, 6);
    {
        static const struct {
            const char *ref, *donor;
            int64_t charge, share;
        } want[] = {
            {"q1", "a-one", 11301, 2825},   {"q1", "b-two", 11301, 5651},
            {"q1", "c-three", 11301, 2825}, {"q2", "a-one", 5648, 1412},
            {"q2", "b-two", 5648, 2824},    {"q2", "c-three", 5648, 1412}};
        int64_t sum[2] = {0, 0};
        for (int i = 0; i < 6; i++) {
            assert_string_equal(s.g[i].ref, want[i].ref);
            assert_string_equal(s.g[i].donor, want[i].donor);
            assert_string_equal(s.g[i].pool, "travel");
            assert_int_equal(s.g[i].charge, want[i].charge);
            assert_int_equal(s.g[i].share, want[i].share);
            sum[i / 3] += s.g[i].share;
        }
        assert_int_equal(sum[0], 11301);
        assert_int_equal(sum[1], 5648);
    }
    /* One donor only. */
    memset(&s, 0, sizeof(s));
    MUST(tf_grant_shares(f, NULL, "b-two", grab_share, &s, &dg));
    assert_int_equal(s.n, 2);
    assert_int_equal(s.g[0].share + s.g[1].share, 5651 + 2824);
    /* Before the disbursements there is no grant to share. */
    memset(&s, 0, sizeof(s));
    MUST(tf_grant_shares(f, "2025-03-09", NULL, grab_share, &s, &dg));
    assert_int_equal(s.n, 0);
    assert_verified(f);
}

/* ---- Closing -------------------------------------------------------- */

static tf_error try_close(tf_fund *f, const char *date,
                          int (*fn)(void *ctx, const char *pool,
                                    const char *donor, int64_t amount),
                          void *ctx)
{
    struct head before = head(f);
    tf_error err;

    begin(f);
    tf_diag_clear(&dg);
    err = tf_close(f, date, fn, ctx, &dg);
    return end_step(f, before, err);
}

/* A funded grant's commitment is outstanding: closing is refused and
 * writes nothing, and the fund stays open. Once the grant is cancelled
 * the fund closes, though not on a date before the cancellation. */
static void test_close_refused(void **state)
{
    tf_fund *f = FUND(state);
    struct head before;
    int64_t released;

    add_state_donor(f, "donor-a");
    give_usd(f, "donor-a", "R-T", "2025-01-10", "travel", 100000);
    add_session(f, "S1", "2025-04-01", 2, 0, 0, 0, -1);
    add_request(f, "k1", "S1", "KEN", "2025-01-15T09:00:00Z", 50000, "USD");
    allocate(f, "S1", "2025-03-01");
    before = head(f);
    assert_int_equal(try_close(f, "2025-03-02", NULL, NULL), TF_ERR_RULE);
    assert_same_head(before, head(f));
    MUST(tf_fund_check_open(f, &dg));
    give_usd(f, "donor-a", "R-T2", "2025-03-03", "travel", 100);

    begin(f);
    MUST(tf_cancel(f, "k1", "2025-03-05", &released, &dg));
    commit(f);
    assert_int_equal(released, 56500);
    /* Entries dated after the closing date: refused. */
    before = head(f);
    assert_int_equal(try_close(f, "2025-03-04", NULL, NULL), TF_ERR_RULE);
    assert_same_head(before, head(f));
    MUST(tf_fund_check_open(f, &dg));
    /* A bad date is bad input. */
    assert_int_equal(try_close(f, "2025-03-32", NULL, NULL), TF_ERR_INPUT);
    /* Now it closes: the one donor gets all of travel's 100,100 back. */
    assert_int_equal(try_close(f, "2025-03-05", NULL, NULL), TF_OK);
    expect_pool(f, TRAVEL, NULL, 100100, 0, 0, 0);
    {
        struct kind_ids k = entries_of_kind(f, "refund");
        assert_int_equal(k.n, 1);
        expect_entry(f, k.id[0], "refund", "2025-03-05",
                     "expense:refunds travel 100100\n"
                     "liabilities:refunds-payable:donor-a travel -100100\n");
    }
    assert_verified(f);
}

/*
 * Closing with an operating reserve (reserve_rate 0.05): travel receives
 * 100,000 from a-one and 50,001 from b-two, reserve half-even(7,500.05)
 * = 7,500, available 142,501; prep receives 20,000, spends 10,000 + 1,300
 * PSC: cash 8,700, reserve 1,000, available 7,700. Closing refunds all
 * the cash, the reserve included (travel 100,000 and 50,001; prep 8,700
 * to a-one), so the reserve is released: afterwards no pool has a
 * reserve or a negative available.
 */
static void test_close_releases_reserve(void **state)
{
    tf_fund *f = FUND(state);
    char rate[64];

    begin(f);
    MUST(tf_setting_set(f, "reserve_rate", "0.05", &dg));
    commit(f);
    add_state_donor(f, "a-one");
    add_state_donor(f, "b-two");
    give_usd(f, "a-one", "R-T-a", "2025-01-10", "travel", 100000);
    give_usd(f, "b-two", "R-T-b", "2025-01-10", "travel", 50001);
    give_usd(f, "a-one", "R-P-a", "2025-01-10", "prep", 20000);
    assert_int_equal(try_spend(f, "SP-1", "2025-02-01", 10000, "USD", "", NULL),
                     TF_OK);
    {
        tf_pool_figures t = pool_at(f, TRAVEL, NULL);
        assert_int_equal(t.reserve, 7500);
        assert_int_equal(t.available, 142501);
    }
    expect_pool(f, PREP, NULL, 20000, 8700, 0, 7700);
    assert_int_equal(try_close(f, "2025-03-01", NULL, NULL), TF_OK);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        tf_pool_figures p = pool_at(f, k, NULL);
        assert_int_equal(p.cash, 0);
        assert_int_equal(p.reserve, 0);
        assert_int_equal(p.available, 0);
    }
    {
        struct arows r = attribution(f, NULL);
        assert_int_equal(r.n, 3);
        expect_arow(&r, 0, "travel", "a-one", 100000, 0, 100000, 0);
        expect_arow(&r, 1, "travel", "b-two", 50001, 0, 50001, 0);
        expect_arow(&r, 2, "prep", "a-one", 20000, 0, 20000, 0);
    }
    /* The setting itself is untouched, and the days before the closing
     * keep their reserve. */
    MUST(tf_setting_get(f, "reserve_rate", rate, sizeof(rate), &dg));
    assert_string_equal(rate, "0.05");
    assert_int_equal(pool_at(f, TRAVEL, "2025-02-28").reserve, 7500);
    assert_verified(f);
}

/*
 * Closing the fund of build_fund on 2025-05-01 (not on 2025-04-10: SP-1
 * is dated after it). Remaining (cash): unrestricted 0 (no entry),
 * travel 5,001, ldc-travel 0, prep 15,750, split over the attribution
 * weights:
 *   travel 5,001 over 1:2:1: 1,250.25 / 2,500.5 / 1,250.25 -> floors
 *     5,000, one unit to b-two: a 1,250, b 2,501, c 1,250.
 *   prep 15,750 over 5,513 : 12,025 : 4,512 : 5,000 (of 27,050):
 *     a 86,829,750 / 27,050 = 3,209.97; b 189,393,750 / 27,050 = 7,001.62;
 *     c 71,064,000 / 27,050 = 2,627.13; d 78,750,000 / 27,050 = 2,911.28;
 *     floors 15,748, units to a (.97) and b (.62): 3,210, 7,002, 2,627,
 *     2,911.
 * Afterwards each pool's outflows equal its donors' weights: every
 * balance is 0 and every pool's cash is 0.
 */
static void test_close_refunds(void **state)
{
    tf_fund *f = FUND(state);
    struct refunds got;
    struct arows r;
    tf_surplus_result sres;
    tf_alloc_result ares;
    tf_alloc_options o = {"2025-06-01", TF_ORDER_SUBMITTED, 1, -1, 0, 0};
    tf_pledge p;
    tf_receipt rc;
    tf_receipt_field field;
    int known;

    build_fund(f);
    assert_int_equal(try_close(f, "2025-04-10", NULL, NULL), TF_ERR_RULE);
    MUST(tf_fund_check_open(f, &dg));

    memset(&got, 0, sizeof(got));
    assert_int_equal(try_close(f, "2025-05-01", keep_refund, &got), TF_OK);
    assert_int_equal(got.n, 7);
    {
        static const struct {
            const char *pool, *donor;
            int64_t amount;
        } want[] = {{"travel", "a-one", 1250},   {"travel", "b-two", 2501},
                    {"travel", "c-three", 1250}, {"prep", "a-one", 3210},
                    {"prep", "b-two", 7002},     {"prep", "c-three", 2627},
                    {"prep", "d-four", 2911}};
        int64_t travel = 0, prep = 0;
        for (int i = 0; i < 7; i++) {
            assert_string_equal(got.r[i].pool, want[i].pool);
            assert_string_equal(got.r[i].donor, want[i].donor);
            assert_int_equal(got.r[i].amount, want[i].amount);
            *(i < 3 ? &travel : &prep) += got.r[i].amount;
        }
        assert_int_equal(travel, 5001);
        assert_int_equal(prep, 15750);
    }
    {
        struct kind_ids k = entries_of_kind(f, "refund");
        assert_int_equal(k.n, 2);
        assert_string_equal(k.date[0], "2025-05-01");
        expect_entry(f, k.id[0], "refund", "2025-05-01",
                     "expense:refunds travel 5001\n"
                     "liabilities:refunds-payable:a-one travel -1250\n"
                     "liabilities:refunds-payable:b-two travel -2501\n"
                     "liabilities:refunds-payable:c-three travel -1250\n");
        expect_entry(f, k.id[1], "refund", "2025-05-01",
                     "expense:refunds prep 15750\n"
                     "liabilities:refunds-payable:a-one prep -3210\n"
                     "liabilities:refunds-payable:b-two prep -7002\n"
                     "liabilities:refunds-payable:c-three prep -2627\n"
                     "liabilities:refunds-payable:d-four prep -2911\n");
    }
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        tf_pool_figures p2 = pool_at(f, k, NULL);
        assert_int_equal(p2.cash, 0);
        assert_int_equal(p2.available, 0);
    }
    r = attribution(f, NULL);
    assert_int_equal(r.n, 8);
    for (int i = 0; i < r.n; i++) {
        assert_int_equal(r.row[i].balance, 0);
        assert_int_equal(r.row[i].outflows, r.row[i].receipts);
    }
    check_uses_sum(f, NULL);
    {
        struct uses u;
        memset(&u, 0, sizeof(u));
        MUST(tf_attribution_uses(f, NULL, "d-four", grab_use, &u, &dg));
        /* d-four's outflows of prep are now its 5,000, split over
         * expense:prep 10,000, expense:psc 1,300 and expense:refunds
         * 15,750 (of 27,050): 1,848.43 / 240.30 / 2,911.28 -> floors
         * 4,999, the unit to prep (.43): 1,849, 240, 2,911. */
        assert_int_equal(use_of(&u, "d-four", "prep", "prep"), 1849);
        assert_int_equal(use_of(&u, "d-four", "prep", "psc"), 240);
        assert_int_equal(use_of(&u, "d-four", "prep", "refunds"), 2911);
    }
    assert_verified(f);

    /* A closed fund accepts no new activity. */
    tf_diag_clear(&dg);
    assert_int_equal(tf_fund_check_open(f, &dg), TF_ERR_RULE);
    memset(&p, 0, sizeof(p));
    p.ref = "P-late";
    p.donor = "a-one";
    p.date = "2025-06-01";
    p.currency = "USD";
    p.pool = "travel";
    p.amount = 100;
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_pledge_add(f, &p, &known, &dg), TF_ERR_RULE);
    tf_fund_rollback(f);
    memset(&rc, 0, sizeof(rc));
    rc.ref = "R-late";
    rc.date = "2025-06-01";
    rc.currency = "USD";
    rc.amount = 100;
    rc.donor = "a-one";
    rc.pool = "travel";
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_receipt_add(f, &rc, &known, &field, &dg), TF_ERR_RULE);
    tf_fund_rollback(f);
    assert_int_equal(
        try_request(f, "q9", "S2", "KEN", "2025-05-02T09:00:00Z", 10000, "USD"),
        TF_ERR_RULE);
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_allocate(f, "S2", &o, &ares, NULL, NULL, &dg),
                     TF_ERR_RULE);
    tf_fund_rollback(f);
    assert_int_equal(try_spend(f, "SP-9", "2025-06-01", 100, "USD", "", NULL),
                     TF_ERR_RULE);
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_surplus(f, "2025-06-01", 0, &sres, NULL, NULL, &dg),
                     TF_ERR_RULE);
    tf_fund_rollback(f);
    assert_int_equal(try_close(f, "2025-06-01", NULL, NULL), TF_ERR_RULE);
    assert_int_equal(entries_of_kind(f, "refund").n, 2);
    assert_verified(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fund_setup, fund_teardown)
        T(test_surplus_need_and_move),
        T(test_surplus_zero_posts_nothing),
        T(test_surplus_back_dated_refused),
        T(test_spend),
        T(test_spend_bad_input),
        T(test_spend_back_dated_refused),
        T(test_attribution_by_hand),
        T(test_attribution_uses_and_shares),
        T(test_close_refused),
        T(test_close_refunds),
        T(test_close_releases_reserve),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
