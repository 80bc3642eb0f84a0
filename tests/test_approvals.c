/* SPDX-License-Identifier: MIT */
/*
 * Approvals (DESIGN.md section 11): a run proposed, certified and approved
 * by three different actors, and a payment request likewise, with every
 * forbidden combination refused and nothing written by a refusal. The
 * actors are injected on the fund handle (tf_audit_set_actor, as the web
 * server sets the user logged in), so the separation of duties is tested
 * on actor names alone; the roles that say who may take each step come
 * with the users of a team fund.
 *
 * Amounts are USD cents; a session without DSA or terminal: a fare of
 * 1000.00 gives a charge of 113000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tfund/audit.h"
#include "tfund/tfund.h"

static void act(tf_fund *f, const char *actor)
{
    MUST(tf_audit_set_actor(f, actor, &dg));
}

static void setting(tf_fund *f, const char *key, const char *value)
{
    begin(f);
    MUST(tf_setting_set(f, key, value, &dg));
    commit(f);
}

static void give(tf_fund *f, const char *ref, int64_t cents)
{
    char pref[64];
    tf_donor d = {"donor-a", "Donor A", "state", ""};
    tf_pledge p;
    tf_receipt r;
    tf_receipt_field field;
    int known;

    MUST(tf_donor_add(f, &d, &known, &dg));
    snprintf(pref, sizeof(pref), "P-%s", ref);
    memset(&p, 0, sizeof(p));
    p.ref = pref;
    p.donor = "donor-a";
    p.date = "2025-01-10";
    p.currency = "USD";
    p.pool = "travel";
    p.amount = cents;
    MUST(tf_pledge_add(f, &p, &known, &dg));
    memset(&r, 0, sizeof(r));
    r.ref = ref;
    r.date = "2025-01-10";
    r.currency = "USD";
    r.amount = cents;
    r.pledge = pref;
    MUST(tf_receipt_add(f, &r, &known, &field, &dg));
}

static void add_session(tf_fund *f, const char *id, const char *start)
{
    tf_session s = {.id = id,
                    .name = "Session",
                    .venue = "Geneva",
                    .start = start,
                    .days = 5,
                    .travel_budget = -1};
    int known;

    MUST(tf_session_add(f, &s, &known, &dg));
}

static void add_request(tf_fund *f, const char *ref, const char *session,
                        const char *country, int64_t fare)
{
    const char *field = NULL;
    tf_request q;
    int known;

    memset(&q, 0, sizeof(q));
    q.ref = ref;
    q.session = session;
    q.country = country;
    q.delegate = ref;
    q.submitted = "2025-01-15T10:00:00Z";
    q.fare_orig = fare;
    q.fare_currency = "USD";
    q.gender = "";
    MUST(tf_request_add(f, &q, &known, &field, &dg));
}

/* travel 500000; s1 (5 days) and s2 (5 days): s1's envelope 250000. */
static void build(tf_fund *f)
{
    begin(f);
    give(f, "R1", 500000);
    add_session(f, "s1", "2025-03-10");
    add_session(f, "s2", "2025-04-10");
    add_request(f, "a1", "s1", "KEN", 100000); /* 113000 */
    add_request(f, "a2", "s1", "IND", 100000); /* 113000 */
    add_request(f, "a3", "s1", "BRA", 100000); /* 113000: does not fit */
    add_request(f, "b1", "s2", "KEN", 100000);
    commit(f);
}

struct got {
    char status[16];
    int64_t charge;
};

static int grab(void *ctx, const tf_request *r)
{
    struct got *g = ctx;

    snprintf(g->status, sizeof(g->status), "%s", r->status);
    g->charge = r->has_figures ? r->charge : -1;
    return 1;
}

static struct got get(tf_fund *f, const char *ref)
{
    struct got g;

    memset(&g, 0, sizeof(g));
    MUST(tf_request_each(f, NULL, ref, grab, &g, &dg));
    return g;
}

static int64_t committed(tf_fund *f)
{
    tf_pool_figures figs[TF_POOL_COUNT];

    MUST(tf_ledger_pools(f, NULL, figs, &dg));
    return figs[TF_POOL_TRAVEL].committed;
}

/* A step that the rules must refuse (TF_ERR_RULE), leaving the journal
 * and the event log as they were. */
#define REFUSED(f, call)                                                       \
    do {                                                                       \
        struct head h_ = head(f);                                              \
        int64_t events_ = 0;                                                   \
        MUST(tf_event_head(f, &events_, NULL, &dg));                           \
        begin(f);                                                              \
        tf_diag_clear(&dg);                                                    \
        if ((call) != TF_ERR_RULE)                                             \
            fail_msg("%s: not refused by a rule (%s)", #call, dg.msg);         \
        tf_fund_rollback(f);                                                   \
        assert_same_head(h_, head(f));                                         \
        {                                                                      \
            int64_t after_ = 0;                                                \
            MUST(tf_event_head(f, &after_, NULL, &dg));                        \
            assert_int_equal(after_, events_);                                 \
        }                                                                      \
    } while (0)

#define DONE(f, call)                                                          \
    do {                                                                       \
        begin(f);                                                              \
        MUST(call);                                                            \
        commit(f);                                                             \
    } while (0)

static int64_t propose(tf_fund *f, const char *session, const char *date)
{
    tf_alloc_options o = {date, TF_ORDER_SUBMITTED, 0, -1, 0, 0};
    tf_alloc_result res;

    DONE(f, tf_allocate(f, session, &o, &res, NULL, NULL, &dg));
    assert_true(res.proposed);
    return res.run;
}

/* certify-approve: ana proposes, ben certifies, carla approves; every
 * other combination is refused. */
static void test_run_walk(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_options o = {"2025-03-01", TF_ORDER_SUBMITTED, 0, -1, 0, 0};
    tf_alloc_result res;
    tf_envelope env;
    int64_t run;

    build(f);
    setting(f, "approvals", "certify-approve");
    act(f, "ana");
    run = propose(f, "s1", "2025-03-01");
    /* Proposed: the decisions are visible, nothing is committed, the
     * requests are where they were, the envelope not yet the session's. */
    assert_string_equal(get(f, "a1").status, "pending");
    assert_int_equal(committed(f), 0);
    MUST(tf_envelope_get(f, "s1", "2025-03-01", &env, &dg));
    assert_int_equal(env.run, 0);
    /* No second run of the session while this one waits. */
    REFUSED(f, tf_allocate(f, "s1", &o, &res, NULL, NULL, &dg));
    /* Nobody certifies or approves what they proposed; nothing is
     * approved before its certification. */
    REFUSED(f, tf_allocation_certify(f, run, "2025-03-02", &dg));
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-02", &res, &dg));
    act(f, "carla");
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-02", &res, &dg));
    act(f, "ben");
    REFUSED(f, tf_allocation_certify(f, run, "2025-02-28", &dg)); /* early */
    DONE(f, tf_allocation_certify(f, run, "2025-03-02", &dg));
    REFUSED(f, tf_allocation_certify(f, run, "2025-03-02", &dg)); /* again */
    /* Nor approves what they certified; the proposer still may not. */
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-03", &res, &dg));
    act(f, "ana");
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-03", &res, &dg));
    act(f, "carla");
    DONE(f, tf_allocation_approve(f, run, "2025-03-03", &res, &dg));
    /* Posted: 250000 of envelope: a1 and a2 funded (226000), a3 waits. */
    assert_int_equal(res.funded, 2);
    assert_int_equal(res.funded_charge, 226000);
    assert_string_equal(get(f, "a1").status, "funded");
    assert_string_equal(get(f, "a3").status, "waitlisted");
    assert_int_equal(committed(f), 226000);
    MUST(tf_envelope_get(f, "s1", "2025-03-03", &env, &dg));
    assert_int_equal(env.run, run);
    assert_int_equal(env.envelope[TF_POOL_TRAVEL], 250000);
    /* Approved once: no step after it, and the session may run again. */
    REFUSED(f, tf_allocation_reject(f, run, "2025-03-04", "late", &dg));
    act(f, "ana");
    run = propose(f, "s1", "2025-03-04");
    assert_true(run > 0);
    assert_verified(f);
}

/* A proposal whose figures no longer hold is refused at its approval;
 * rejected, it leaves nothing, and the session may be proposed again. */
static void test_run_stale(void **state)
{
    tf_fund *f = FUND(state);
    tf_alloc_result res;
    tf_envelope env;
    int64_t run, released;

    build(f);
    setting(f, "approvals", "approve");
    act(f, "ana");
    run = propose(f, "s1", "2025-03-01");
    /* approve: no certification in this mode. */
    act(f, "ben");
    REFUSED(f, tf_allocation_certify(f, run, "2025-03-02", &dg));
    /* a2 is cancelled meanwhile: the run decided it, so its figures no
     * longer hold. */
    DONE(f, tf_cancel(f, "a2", "2025-03-02", &released, &dg));
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-03", &res, &dg));
    /* A rejection needs a reason; anyone may reject. */
    begin(f);
    assert_int_equal(tf_allocation_reject(f, run, "2025-03-03", "", &dg),
                     TF_ERR_USAGE);
    tf_fund_rollback(f);
    DONE(f, tf_allocation_reject(f, run, "2025-03-03", "a2 withdrew", &dg));
    REFUSED(f, tf_allocation_approve(f, run, "2025-03-03", &res, &dg));
    MUST(tf_envelope_get(f, "s1", "2025-03-03", &env, &dg));
    assert_int_equal(env.run, 0); /* a rejected run fixed nothing */
    assert_string_equal(get(f, "a1").status, "pending");
    assert_int_equal(committed(f), 0);
    /* Proposed again and approved by another: a1 and a3 funded. */
    act(f, "ana");
    run = propose(f, "s1", "2025-03-04");
    act(f, "ben");
    DONE(f, tf_allocation_approve(f, run, "2025-03-04", &res, &dg));
    assert_int_equal(res.funded, 2);
    assert_string_equal(get(f, "a3").status, "funded");
    assert_int_equal(committed(f), 226000);
    assert_verified(f);
}

static int64_t request_payment(tf_fund *f, const char *ref, int64_t amount)
{
    tf_disburse_options o;
    tf_disburse_result res;

    memset(&o, 0, sizeof(o));
    o.date = "2025-03-20";
    o.currency = "USD";
    o.amount = amount;
    DONE(f, tf_disburse_ex(f, ref, &o, &res, &dg));
    assert_true(res.payment > 0);
    assert_int_equal(res.entry, 0);
    return res.payment;
}

/* A payment request walked through by three actors. */
static void test_payment_walk(void **state)
{
    tf_fund *f = FUND(state);
    tf_disburse_result res;
    tf_alloc_result ares;
    int64_t run, pay, pay2;

    build(f);
    setting(f, "approvals", "certify-approve");
    act(f, "ana");
    run = propose(f, "s1", "2025-03-01");
    act(f, "ben");
    DONE(f, tf_allocation_certify(f, run, "2025-03-01", &dg));
    act(f, "carla");
    DONE(f, tf_allocation_approve(f, run, "2025-03-01", &ares, &dg));

    /* ana asks to pay a1 900.00: 101700 against 113000 committed. Nothing
     * is paid yet; a second request for a1 waits for this one. */
    act(f, "ana");
    pay = request_payment(f, "a1", 90000);
    assert_string_equal(get(f, "a1").status, "funded");
    assert_int_equal(committed(f), 226000);
    {
        tf_disburse_options o;
        memset(&o, 0, sizeof(o));
        o.date = "2025-03-20";
        o.currency = "USD";
        o.amount = 1;
        REFUSED(f, tf_disburse_ex(f, "a1", &o, &res, &dg));
    }
    REFUSED(f, tf_payment_certify(f, pay, "2025-03-21", &dg));
    REFUSED(f, tf_payment_approve(f, pay, "2025-03-21", &res, &dg));
    act(f, "carla");
    REFUSED(f, tf_payment_approve(f, pay, "2025-03-21", &res, &dg));
    act(f, "ben");
    DONE(f, tf_payment_certify(f, pay, "2025-03-21", &dg));
    REFUSED(f, tf_payment_certify(f, pay, "2025-03-21", &dg));
    REFUSED(f, tf_payment_approve(f, pay, "2025-03-21", &res, &dg));
    act(f, "carla");
    DONE(f, tf_payment_approve(f, pay, "2025-03-22", &res, &dg));
    /* Paid on the approval's date: 90000 + 11700 = 101700, 11300
     * released. */
    assert_int_equal(res.charge, 101700);
    assert_int_equal(res.released, 11300);
    assert_true(res.entry > 0);
    assert_string_equal(get(f, "a1").status, "disbursed");
    assert_int_equal(committed(f), 113000);
    REFUSED(f, tf_payment_reject(f, pay, "2025-03-23", "late", &dg));

    /* A request rejected: void, nothing paid; a2 may be asked again. */
    act(f, "ana");
    pay2 = request_payment(f, "a2", 100000);
    act(f, "ben");
    DONE(f, tf_payment_reject(f, pay2, "2025-03-21", "no receipt", &dg));
    act(f, "carla");
    REFUSED(f, tf_payment_approve(f, pay2, "2025-03-21", &res, &dg));
    assert_string_equal(get(f, "a2").status, "funded");
    act(f, "ana");
    assert_true(request_payment(f, "a2", 100000) > pay2);
    assert_verified(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fund_setup, fund_teardown)
        T(test_run_walk),
        T(test_run_stale),
        T(test_payment_walk),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
