/* SPDX-License-Identifier: MIT */
/*
 * The fund's own cash movements (tfund/treasury.h): PSC remitted to the UN
 * and interest earned on the bank balance, worked out by hand.
 *
 * The fund of every test (build_fund): alpha gives 10,000.00 and beta
 * 5,000.00 to prep, alpha 2,000.00 and beta 1,000.00 to unrestricted, all
 * on 2025-01-10. Preparation spending of 3,000.00 on 2025-02-01 charges
 * PSC 13% = 390.00 to prep. Session S1 (2025-04-01, 2 days + 1 extra, DSA
 * 100.00, terminal 50.00) funds one request from Ethiopia (an LDC), fare
 * 1,000.00: cost = 1,000.00 + 3 x 100.00 + 50.00 = 1,350.00, PSC 175.50,
 * charge 1,525.50, drawn from unrestricted (the only travel money) on
 * 2025-03-01 and paid at its cost on 2025-04-05. PSC payable: unrestricted
 * 175.50, prep 390.00, 565.50 in all. Amounts are USD cents; "LR" is a
 * largest-remainder split (parts floored, the units left to the largest
 * remainders, ties to the first).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "books/fund_internal.h"
#include "testutil.h"
#include "tfund/tfund.h"
#include "tfund/treasury.h"

enum { UNRESTRICTED, TRAVEL, LDC_TRAVEL, PREP };

/* The message of the last refused step (dg is reused by the checks). */
static char refused[512];

/* ---- Helpers: every step in its own transaction ---------------------- */

static void build_fund(tf_fund *f)
{
    tf_session s = {.id = "S1",
                    .name = "Session",
                    .venue = "Geneva",
                    .start = "2025-04-01",
                    .days = 2,
                    .extra_days = 1,
                    .dsa = 10000,
                    .terminal = 5000,
                    .travel_budget = -1};
    tf_spend sp = {"SP-1", "2025-02-01", "USD", "translation", 300000, 0, 0};
    tf_alloc_options o = {"2025-03-01", TF_ORDER_SUBMITTED, 1, -1, 0, 0};
    tf_alloc_result ar;
    tf_disburse_result dr;
    tf_request q;
    const char *field = NULL;
    int known;

    add_state_donor(f, "alpha");
    add_state_donor(f, "beta");
    give_usd(f, "alpha", "R1", "2025-01-10", "prep", 1000000);
    give_usd(f, "beta", "R2", "2025-01-10", "prep", 500000);
    give_usd(f, "alpha", "R3", "2025-01-10", "unrestricted", 200000);
    give_usd(f, "beta", "R4", "2025-01-10", "unrestricted", 100000);
    begin(f);
    MUST(tf_spend_add(f, &sp, &known, &dg));
    MUST(tf_session_add(f, &s, &known, &dg));
    memset(&q, 0, sizeof(q));
    q.ref = "Q1";
    q.session = "S1";
    q.country = "ETH";
    q.delegate = "Q1";
    q.submitted = "2025-02-01T00:00:00Z";
    q.fare_orig = 100000;
    q.fare_currency = "USD";
    q.gender = "F";
    MUST(tf_request_add(f, &q, &known, &field, &dg));
    commit(f);
    begin(f);
    MUST(tf_allocate(f, "S1", &o, &ar, NULL, NULL, &dg));
    commit(f);
    assert_int_equal(ar.funded, 1);
    begin(f);
    MUST(tf_disburse(f, "Q1", "2025-04-05", "USD", 135000, &dr, &dg));
    commit(f);
}

static tf_error try_pay(tf_fund *f, const char *date, int64_t amount,
                        const char *ref, tf_psc_payment *p, int *known)
{
    struct head before = head(f);
    tf_error err;

    memset(p, 0, sizeof(*p));
    p->date = date;
    p->amount = amount;
    p->ref = ref;
    begin(f);
    tf_diag_clear(&dg);
    err = tf_psc_pay(f, p, known, &dg);
    snprintf(refused, sizeof(refused), "%s", dg.msg);
    return end_step(f, before, err);
}

static tf_error try_interest(tf_fund *f, const char *date, int64_t amount,
                             const char *pool, const char *ref, tf_interest *i,
                             int *known)
{
    struct head before = head(f);
    tf_error err;

    memset(i, 0, sizeof(*i));
    i->date = date;
    i->amount = amount;
    i->pool = pool;
    i->ref = ref;
    begin(f);
    tf_diag_clear(&dg);
    err = tf_interest_add(f, i, known, &dg);
    snprintf(refused, sizeof(refused), "%s", dg.msg);
    return end_step(f, before, err);
}

static void expect_psc(tf_fund *f, const char *as_of, int k, int64_t charged,
                       int64_t paid, int64_t payable)
{
    tf_psc_figures figs[TF_POOL_COUNT];

    MUST(tf_psc_figures_get(f, as_of, figs, &dg));
    if (figs[k].charged != charged || figs[k].paid != paid ||
        figs[k].payable != payable)
        fail_msg("PSC of %s as of %s: charged %lld paid %lld payable %lld, "
                 "expected %lld %lld %lld",
                 tf_pools[k], as_of ? as_of : "now", (long long)figs[k].charged,
                 (long long)figs[k].paid, (long long)figs[k].payable,
                 (long long)charged, (long long)paid, (long long)payable);
}

static tf_pool_figures pool_at(tf_fund *f, int k, const char *as_of)
{
    tf_pool_figures figs[TF_POOL_COUNT];

    MUST(tf_ledger_pools(f, as_of, figs, &dg));
    return figs[k];
}

/* The bank's cash of pool k (assets:cash, not net of what it owes). */
static int64_t bank(tf_fund *f, int k)
{
    char cash[TF_ACCOUNT_BUFSZ];
    int64_t balance;

    tf_account_name(cash, sizeof(cash), TF_ACCT_CASH, NULL);
    MUST(tf_ledger_balance(f, cash, tf_pools[k], NULL, &balance, &dg));
    return balance;
}

/* ---- PSC ------------------------------------------------------------ */

/* 300.00 of the 565.50 owed on 2025-05-01, LR over what each pool owes:
 * unrestricted 30000 x 17550 / 56550 = 9310.34, prep 30000 x 39000 /
 * 56550 = 20689.66: floors 9310 + 20689 = 29999, the unit left to prep
 * (.66 > .34): 93.10 and 206.90. The pools' cash and available do not
 * move; the bank's cash goes down by each part. Then 265.51 is more than
 * the 265.50 left (refused, exit 1), 265.50 clears both pools exactly. */
static void test_psc_pay_split(void **state)
{
    tf_fund *f = FUND(state);
    tf_pool_figures u0, p0, u1, p1;
    tf_psc_payment p;
    int64_t bank_u, bank_p;
    int known;

    build_fund(f);
    expect_psc(f, NULL, UNRESTRICTED, 17550, 0, 17550);
    expect_psc(f, NULL, PREP, 39000, 0, 39000);
    expect_psc(f, "2025-03-31", UNRESTRICTED, 0, 0, 0);
    u0 = pool_at(f, UNRESTRICTED, NULL);
    p0 = pool_at(f, PREP, NULL);
    bank_u = bank(f, UNRESTRICTED);
    bank_p = bank(f, PREP);
    assert_int_equal(bank_u, 300000 - 135000);
    assert_int_equal(u0.cash, 300000 - 152550);

    MUST(try_pay(f, "2025-05-01", 30000, "UN-1", &p, &known));
    assert_int_equal(known, 0);
    assert_true(p.entry > 0);
    assert_int_equal(p.part[UNRESTRICTED], 9310);
    assert_int_equal(p.part[PREP], 20690);
    assert_int_equal(p.part[TRAVEL] + p.part[LDC_TRAVEL], 0);
    expect_psc(f, NULL, UNRESTRICTED, 17550, 9310, 8240);
    expect_psc(f, NULL, PREP, 39000, 20690, 18310);
    /* As of the day before, nothing was paid. */
    expect_psc(f, "2025-04-30", PREP, 39000, 0, 39000);
    u1 = pool_at(f, UNRESTRICTED, NULL);
    p1 = pool_at(f, PREP, NULL);
    assert_int_equal(u1.cash, u0.cash);
    assert_int_equal(u1.available, u0.available);
    assert_int_equal(p1.cash, p0.cash);
    assert_int_equal(p1.available, p0.available);
    assert_int_equal(bank(f, UNRESTRICTED), bank_u - 9310);
    assert_int_equal(bank(f, PREP), bank_p - 20690);

    /* The same reference again adds nothing; with another amount it is
     * refused as bad input. */
    MUST(try_pay(f, "2025-05-01", 30000, "UN-1", &p, &known));
    assert_int_equal(known, 1);
    assert_int_equal(try_pay(f, "2025-05-01", 30001, "UN-1", &p, &known),
                     TF_ERR_INPUT);

    assert_int_equal(try_pay(f, "2025-06-01", 26551, NULL, &p, &known),
                     TF_ERR_RULE);
    assert_non_null(strstr(refused, "265.50"));
    MUST(try_pay(f, "2025-06-01", 26550, NULL, &p, &known));
    assert_int_equal(p.part[UNRESTRICTED], 8240);
    assert_int_equal(p.part[PREP], 18310);
    expect_psc(f, NULL, UNRESTRICTED, 17550, 17550, 0);
    expect_psc(f, NULL, PREP, 39000, 39000, 0);
    assert_int_equal(try_pay(f, "2025-06-02", 1, NULL, &p, &known),
                     TF_ERR_RULE);
    assert_verified(f);
}

/* A remittance dated before later ones: on 2025-03-15 prep owed 390.00
 * (unrestricted nothing yet), but everything has been paid since, so a
 * remittance dated then would leave prep's PSC payable below zero today:
 * refused. Before anything was charged nothing is owed: refused. */
static void test_psc_pay_back_dated(void **state)
{
    tf_fund *f = FUND(state);
    tf_psc_payment p;
    int known;

    build_fund(f);
    MUST(try_pay(f, "2025-05-01", 56550, NULL, &p, &known));
    assert_int_equal(p.part[UNRESTRICTED], 17550);
    assert_int_equal(p.part[PREP], 39000);
    expect_psc(f, "2025-03-15", PREP, 39000, 0, 39000);
    assert_int_equal(try_pay(f, "2025-03-15", 10000, NULL, &p, &known),
                     TF_ERR_RULE);
    assert_non_null(strstr(refused, "after that date"));
    assert_int_equal(try_pay(f, "2025-01-31", 100, NULL, &p, &known),
                     TF_ERR_RULE);
    /* Bad input: nothing, a bad date, a bad reference. */
    assert_int_equal(try_pay(f, "2025-06-01", 0, NULL, &p, &known),
                     TF_ERR_INPUT);
    assert_int_equal(try_pay(f, "2025-02-30", 100, NULL, &p, &known),
                     TF_ERR_INPUT);
    assert_int_equal(try_pay(f, "2025-06-01", 100, "a\nb", &p, &known),
                     TF_ERR_INPUT);
    assert_verified(f);
}

/* A mistaken remittance is reversed: the PSC is owed again. */
static void test_psc_pay_reversed(void **state)
{
    tf_fund *f = FUND(state);
    tf_psc_payment p;
    int64_t rev;
    int known;

    build_fund(f);
    MUST(try_pay(f, "2025-05-01", 10000, NULL, &p, &known));
    begin(f);
    MUST(
        tf_ledger_reverse(f, p.entry, "2025-05-02", "wrong amount", &rev, &dg));
    commit(f);
    expect_psc(f, NULL, UNRESTRICTED, 17550, 0, 17550);
    expect_psc(f, NULL, PREP, 39000, 0, 39000);
    expect_psc(f, "2025-05-01", PREP, 39000, 10000 - 3103, 39000 - 6897);
    assert_verified(f);
}

/* ---- Interest ----------------------------------------------------- */

struct arow {
    char donor[32];
    int pool;
    int64_t receipts, outflows, balance;
};

struct arows {
    int n;
    struct arow r[16];
};

static int grab_arow(void *ctx, const tf_attribution *a)
{
    struct arows *r = ctx;

    assert_true(r->n < 16);
    snprintf(r->r[r->n].donor, sizeof(r->r[0].donor), "%s", a->donor);
    r->r[r->n].pool = tf_pool_find(a->pool);
    r->r[r->n].receipts = a->receipts;
    r->r[r->n].outflows = a->outflows;
    r->r[r->n].balance = a->balance;
    r->n++;
    return 0;
}

static const struct arow *arow_of(const struct arows *r, const char *donor,
                                  int pool)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->r[i].donor, donor) && r->r[i].pool == pool)
            return &r->r[i];
    fail_msg("no attribution row for %s in %s", donor, tf_pools[pool]);
    return NULL;
}

static void expect_arow(const struct arows *r, const char *donor, int pool,
                        int64_t receipts, int64_t outflows, int64_t balance)
{
    const struct arow *a = arow_of(r, donor, pool);

    if (a->receipts != receipts || a->outflows != outflows ||
        a->balance != balance)
        fail_msg("%s/%s: receipts %lld outflows %lld balance %lld, expected "
                 "%lld %lld %lld",
                 donor, tf_pools[pool], (long long)a->receipts,
                 (long long)a->outflows, (long long)a->balance,
                 (long long)receipts, (long long)outflows, (long long)balance);
}

/*
 * 50.00 of interest into unrestricted on 2025-06-30. The pool's cash and
 * available go up by 50.00, its receipts (the donors') do not. The
 * attribution gives the fund's interest a row of its own, weight 50.00
 * beside alpha's 2,000.00 and beta's 1,000.00 (305,000 cents in all);
 * the outflow 1,525.50 splits LR:
 *   alpha         152550 x 200000 / 305000 = 100032.79
 *   beta          152550 x 100000 / 305000 =  50016.39
 *   fund-interest 152550 x   5000 / 305000 =   2500.82
 * floors 152548, the two units left to fund-interest (.82) and alpha
 * (.79): 100033, 50016, 2501; balances 99967, 49984, 2499 (152,450 = the
 * pool's cash 300,000 - 152,550 + 5,000).
 *
 * Closing on 2025-07-01 splits the 152,450 left LR over the same weights:
 * 99967.21, 49983.61, 2499.18 -> floors 152449, the unit to beta (.61):
 * 99967, 49984, 2499; the interest's 2,499 goes to the donors over their
 * weights 2:1, exactly 1,666 and 833. Refunds: alpha 1,016.33, beta
 * 508.17. Prep (no interest): 11,610.00 over 2:1, 7,740.00 and 3,870.00.
 */
static void test_interest_attribution_and_closing(void **state)
{
    tf_fund *f = FUND(state);
    tf_pool_figures before, after;
    struct arows rows;
    struct refunds refunds;
    tf_interest i;
    tf_psc_payment p;
    int known;

    build_fund(f);
    before = pool_at(f, UNRESTRICTED, NULL);
    MUST(try_interest(f, "2025-06-30", 5000, NULL, "BANK-Q2", &i, &known));
    assert_int_equal(known, 0);
    assert_string_equal(i.pool, "unrestricted");
    after = pool_at(f, UNRESTRICTED, NULL);
    assert_int_equal(after.cash, before.cash + 5000);
    assert_int_equal(after.available, before.available + 5000);
    assert_int_equal(after.receipts, before.receipts);
    assert_int_equal(after.reserve, before.reserve);
    assert_int_equal(after.interest, 5000);
    assert_int_equal(pool_at(f, UNRESTRICTED, "2025-06-29").interest, 0);

    memset(&rows, 0, sizeof(rows));
    MUST(tf_attribution_each(f, NULL, NULL, grab_arow, &rows, &dg));
    expect_arow(&rows, "alpha", UNRESTRICTED, 200000, 100033, 99967);
    expect_arow(&rows, "beta", UNRESTRICTED, 100000, 50016, 49984);
    expect_arow(&rows, "fund-interest", UNRESTRICTED, 5000, 2501, 2499);
    /* As of the day before, no interest row. */
    memset(&rows, 0, sizeof(rows));
    MUST(tf_attribution_each(f, "2025-06-29", "fund-interest", grab_arow, &rows,
                             &dg));
    assert_int_equal(rows.n, 0);

    /* The same reference again adds nothing; another pool is refused. */
    MUST(try_interest(f, "2025-06-30", 5000, "unrestricted", "BANK-Q2", &i,
                      &known));
    assert_int_equal(known, 1);
    assert_int_equal(
        try_interest(f, "2025-06-30", 5000, "prep", "BANK-Q2", &i, &known),
        TF_ERR_INPUT);

    /* PSC is remitted before the fund closes. */
    MUST(try_pay(f, "2025-06-30", 56550, NULL, &p, &known));
    memset(&refunds, 0, sizeof(refunds));
    begin(f);
    MUST(tf_close(f, "2025-07-01", keep_refund, &refunds, &dg));
    commit(f);
    assert_int_equal(refunds.n, 4);
    for (int k = 0; k < refunds.n; k++) {
        const char *pool = refunds.r[k].pool, *donor = refunds.r[k].donor;
        int64_t want = !strcmp(pool, "unrestricted")
                           ? (!strcmp(donor, "alpha") ? 101633 : 50817)
                           : (!strcmp(donor, "alpha") ? 774000 : 387000);
        assert_string_not_equal(donor, "fund-interest");
        if (refunds.r[k].amount != want)
            fail_msg("refund of %s in %s: %lld, expected %lld", donor, pool,
                     (long long)refunds.r[k].amount, (long long)want);
    }
    assert_int_equal(pool_at(f, UNRESTRICTED, NULL).cash, 0);
    memset(&rows, 0, sizeof(rows));
    MUST(tf_attribution_each(f, NULL, NULL, grab_arow, &rows, &dg));
    for (int k = 0; k < rows.n; k++)
        assert_int_equal(rows.r[k].balance, 0);
    assert_verified(f);
}

/* Interest needs a donor's money in its pool: none in ldc-travel, none in
 * unrestricted before 2025-01-10. An unknown pool or a bad amount is bad
 * input; a donor may not take the interest's id. */
static void test_interest_refused(void **state)
{
    tf_fund *f = FUND(state);
    tf_donor d = {"fund-interest", "Interest", "state", ""};
    tf_interest i;
    int known;

    build_fund(f);
    assert_int_equal(
        try_interest(f, "2025-06-30", 100, "ldc-travel", NULL, &i, &known),
        TF_ERR_RULE);
    assert_non_null(strstr(refused, "ldc-travel"));
    assert_int_equal(try_interest(f, "2025-01-09", 100, NULL, NULL, &i, &known),
                     TF_ERR_RULE);
    assert_int_equal(
        try_interest(f, "2025-06-30", 100, "bank", NULL, &i, &known),
        TF_ERR_INPUT);
    assert_int_equal(
        try_interest(f, "2025-06-30", -100, NULL, NULL, &i, &known),
        TF_ERR_INPUT);
    begin(f);
    tf_diag_clear(&dg);
    assert_int_equal(tf_donor_add(f, &d, &known, &dg), TF_ERR_INPUT);
    tf_fund_rollback(f);
    assert_verified(f);
}

/* The fund's interest has a statement of its own: received 50.00 in its
 * period, its share of the pool's spending since the start (the grant
 * and its PSC, 25.01), closing 24.99. A reversal of the interest takes
 * it back out. */
static void test_interest_statement_and_reversal(void **state)
{
    tf_fund *f = FUND(state);
    tf_statement st;
    tf_interest i;
    int64_t rev, used = 0;
    int known;

    build_fund(f);
    MUST(try_interest(f, "2025-06-30", 5000, NULL, NULL, &i, &known));
    MUST(tf_statement_donor(f, "fund-interest", "2025-06-01", "2025-06-30", &st,
                            &dg));
    assert_int_equal(st.opening_balance[UNRESTRICTED], 0);
    assert_int_equal(st.received[UNRESTRICTED], 5000);
    assert_int_equal(st.closing[UNRESTRICTED], 2499);
    for (size_t u = 0; u < st.nuses; u++)
        used += st.uses[u].share[UNRESTRICTED];
    assert_int_equal(st.opening_balance[UNRESTRICTED] +
                         st.received[UNRESTRICTED] - st.moved[UNRESTRICTED] -
                         used - st.reshared[UNRESTRICTED],
                     st.closing[UNRESTRICTED]);
    assert_int_equal(st.ncurrencies, 0);
    tf_statement_release(&st);

    begin(f);
    MUST(tf_ledger_reverse(f, i.entry, "2025-07-01", NULL, &rev, &dg));
    commit(f);
    assert_int_equal(pool_at(f, UNRESTRICTED, NULL).interest, 0);
    assert_int_equal(pool_at(f, UNRESTRICTED, "2025-06-30").interest, 5000);
    assert_verified(f);
}

/* ---- What verify names --------------------------------------------- */

struct failures {
    int n;
    char what[8][256];
};

static void grab_failure(void *ctx, int64_t entry, const char *what)
{
    struct failures *f = ctx;

    (void)entry;
    if (f->n < 8)
        snprintf(f->what[f->n++], sizeof(f->what[0]), "%s", what);
}

static int named(const struct failures *f, const char *text)
{
    for (int i = 0; i < f->n; i++)
        if (strstr(f->what[i], text))
            return 1;
    return 0;
}

/* Entries the commands never write, posted through the ledger itself: a
 * remittance that also posts to an expense, PSC paid back beyond what
 * was charged, a donor that takes the interest's id. verify names each;
 * each posting balances, so nothing else is wrong. */
static void test_verify_names_psc_errors(void **state)
{
    tf_fund *f = FUND(state);
    const tf_posting odd[] = {
        {"liabilities:psc-payable", "prep", 10000, NULL, 0, NULL},
        {"expense:prep", "prep", -10000, NULL, 0, NULL}};
    tf_entry e = {0, "2025-05-01", "psc-payment", "odd", NULL,
                  0, NULL,         NULL,          2,     odd};
    struct failures fails;
    int64_t id;
    long n = -1;

    build_fund(f);
    begin(f);
    MUST(tf_ledger_post(f, &e, &id, &dg));
    commit(f);
    memset(&fails, 0, sizeof(fails));
    MUST(tf_verify(f, grab_failure, &fails, &n, &dg));
    assert_true(named(&fails, "which is not one of its accounts"));
    /* prep owed 390.00, 100.00 of it paid by the odd remittance: payable
     * 290.00 agrees with charged less paid, so only the shape is wrong. */
    assert_int_equal(n, 1);

    {
        const tf_posting over[] = {
            {"liabilities:psc-payable", "unrestricted", 20000, NULL, 0, NULL},
            {"assets:cash", "unrestricted", -20000, NULL, 0, NULL}};
        tf_entry o = {0, "2025-05-02", "adjustment", "over", NULL,
                      0, NULL,         NULL,         2,      over};
        begin(f);
        MUST(tf_ledger_post(f, &o, &id, &dg));
        /* The commit's guard refuses this entry (more PSC remitted than
         * charged); it is written past the guard, as a tamperer with the
         * file would, so that verify's own check is what finds it. */
        f->guard_armed = 0;
        commit(f);
    }
    memset(&fails, 0, sizeof(fails));
    MUST(tf_verify(f, grab_failure, &fails, &n, &dg));
    /* unrestricted owed 175.50: 200.00 taken off it makes it a debit of
     * 24.50, and not a remittance, so charged less paid disagrees. */
    assert_true(named(&fails, "is a debit of 2450"));
    assert_true(named(&fails, "PSC payable in unrestricted is -2450"));
    assert_int_equal(n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fund_setup, fund_teardown)
        T(test_psc_pay_split),
        T(test_psc_pay_back_dated),
        T(test_psc_pay_reversed),
        T(test_interest_attribution_and_closing),
        T(test_interest_refused),
        T(test_interest_statement_and_reversal),
        T(test_verify_names_psc_errors),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
