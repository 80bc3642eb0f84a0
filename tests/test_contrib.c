/* SPDX-License-Identifier: MIT */
/*
 * Contributions (DESIGN.md sections 2 and 3): exchange rates, donors,
 * pledges converted at their date's rate, receipts with their exchange
 * difference, sessions and settings. Every test starts from a fund newly
 * created in a temporary file; every test that writes ends with tf_verify
 * finding nothing wrong. Figures are worked out by hand in the comments;
 * "->" marks the one rounding, half to even, to the cent.
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

/* ---- Helpers -------------------------------------------------------- */

static tf_diag last_diag;

static int64_t head_count(tf_fund *f)
{
    int64_t count = -1;
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_ledger_head(f, &count, NULL, &diag), TF_OK);
    return count;
}

static int count_receipt(void *ctx, const tf_receipt *r)
{
    (void)r;
    ++*(int *)ctx;
    return 0;
}

static int count_pledge(void *ctx, const tf_pledge *p)
{
    (void)p;
    ++*(int *)ctx;
    return 0;
}

static int count_donor(void *ctx, const tf_donor *d)
{
    (void)d;
    ++*(int *)ctx;
    return 0;
}

/* What a refused write must leave alone: the journal and the records. */
struct snapshot {
    int64_t entries;
    int pledges, receipts;
};

static void snap(tf_fund *f, struct snapshot *s)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    memset(s, 0, sizeof(*s));
    s->entries = head_count(f);
    assert_int_equal(tf_pledge_each(f, NULL, count_pledge, &s->pledges, &diag),
                     TF_OK);
    assert_int_equal(
        tf_receipt_each(f, NULL, count_receipt, &s->receipts, &diag), TF_OK);
}

static void assert_same_snapshot(const struct snapshot *a,
                                 const struct snapshot *b)
{
    assert_int_equal(a->entries, b->entries);
    assert_int_equal(a->pledges, b->pledges);
    assert_int_equal(a->receipts, b->receipts);
}

static int64_t balance(tf_fund *f, const char *account, const char *pool)
{
    int64_t v = 12345;
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_ledger_balance(f, account, pool, NULL, &v, &diag),
                     TF_OK);
    return v;
}

/* Each write runs in its own transaction, rolled back when refused; a
 * refusal must have written nothing even before that rollback. */
static tf_error add_rate(tf_fund *f, const char *currency, const char *date,
                         const char *per_usd, int *known)
{
    int k = -1;
    tf_error err;

    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    err = tf_rate_add(f, currency, date, per_usd, &k, &last_diag);
    if (known)
        *known = k;
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

static void rate_ok(tf_fund *f, const char *currency, const char *date,
                    const char *per_usd)
{
    if (add_rate(f, currency, date, per_usd, NULL))
        fail_msg("rate refused: %s", last_diag.msg);
}

static tf_error add_donor(tf_fund *f, const char *id, const char *name,
                          const char *type, const char *country, int *known)
{
    tf_donor d = {id, name, type, country};
    int k = -1;
    tf_error err;

    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    err = tf_donor_add(f, &d, &k, &last_diag);
    if (known)
        *known = k;
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

static void donor_ok(tf_fund *f, const char *id)
{
    if (add_donor(f, id, id, "state", "", NULL))
        fail_msg("donor refused: %s", last_diag.msg);
}

static tf_error add_pledge(tf_fund *f, const char *ref, const char *donor,
                           const char *date, int64_t amount,
                           const char *currency, const char *pool, int *known)
{
    struct snapshot before, inside;
    tf_pledge p;
    int k = -1;
    tf_error err;

    memset(&p, 0, sizeof(p));
    p.ref = ref;
    p.donor = donor;
    p.date = date;
    p.amount = amount;
    p.currency = currency;
    p.pool = pool;
    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    snap(f, &before);
    err = tf_pledge_add(f, &p, &k, &last_diag);
    if (known)
        *known = k;
    if (err) {
        snap(f, &inside);
        assert_same_snapshot(&before, &inside);
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

static void pledge_ok(tf_fund *f, const char *ref, const char *donor,
                      const char *date, int64_t amount, const char *currency,
                      const char *pool)
{
    if (add_pledge(f, ref, donor, date, amount, currency, pool, NULL))
        fail_msg("pledge refused: %s", last_diag.msg);
}

static tf_error add_receipt(tf_fund *f, const char *ref, const char *date,
                            int64_t amount, const char *currency,
                            const char *pledge, const char *donor,
                            const char *pool, tf_receipt_field *field,
                            int *known)
{
    struct snapshot before, inside;
    tf_receipt r;
    tf_receipt_field fl = TF_RF_NONE;
    int k = -1;
    tf_error err;

    memset(&r, 0, sizeof(r));
    r.ref = ref;
    r.date = date;
    r.amount = amount;
    r.currency = currency;
    r.pledge = pledge;
    r.donor = donor;
    r.pool = pool;
    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    snap(f, &before);
    err = tf_receipt_add(f, &r, &k, &fl, &last_diag);
    if (field)
        *field = fl;
    if (known)
        *known = k;
    if (err) {
        snap(f, &inside);
        assert_same_snapshot(&before, &inside);
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

static void receipt_ok(tf_fund *f, const char *ref, const char *date,
                       int64_t amount, const char *currency, const char *pledge)
{
    if (add_receipt(f, ref, date, amount, currency, pledge, NULL, NULL, NULL,
                    NULL))
        fail_msg("receipt refused: %s", last_diag.msg);
}

/* A receipt that must be refused with err and field, writing nothing. */
static void receipt_refused(tf_fund *f, const char *ref, const char *date,
                            int64_t amount, const char *currency,
                            const char *pledge, const char *donor,
                            const char *pool, tf_error err,
                            tf_receipt_field field, const char *msg_part)
{
    struct snapshot before, after;
    tf_receipt_field got = TF_RF_NONE;

    snap(f, &before);
    assert_int_equal(add_receipt(f, ref, date, amount, currency, pledge, donor,
                                 pool, &got, NULL),
                     err);
    assert_int_equal(got, field);
    if (msg_part && !strstr(last_diag.msg, msg_part))
        fail_msg("message '%s' lacks '%s'", last_diag.msg, msg_part);
    snap(f, &after);
    assert_same_snapshot(&before, &after);
}

static tf_error set_setting(tf_fund *f, const char *key, const char *value)
{
    tf_error err;

    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    err = tf_setting_set(f, key, value, &last_diag);
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

static void setting_is(tf_fund *f, const char *key, const char *want)
{
    char buf[256];
    tf_diag diag;

    tf_diag_clear(&diag);
    assert_int_equal(tf_setting_get(f, key, buf, sizeof(buf), &diag), TF_OK);
    assert_string_equal(buf, want);
}

/* Copies of one pledge or receipt from the listings. */
struct got_pledge {
    const char *ref;
    int found, implicit;
    char donor[64], currency[8], pool[16], rate[32], date[16];
    int64_t amount, base_amount, received, received_base, entry;
};

static int grab_pledge(void *ctx, const tf_pledge *p)
{
    struct got_pledge *g = ctx;

    if (strcmp(p->ref, g->ref))
        return 0;
    g->found = 1;
    g->implicit = p->implicit;
    snprintf(g->donor, sizeof(g->donor), "%s", p->donor);
    snprintf(g->currency, sizeof(g->currency), "%s", p->currency);
    snprintf(g->pool, sizeof(g->pool), "%s", p->pool);
    snprintf(g->rate, sizeof(g->rate), "%s", p->rate);
    snprintf(g->date, sizeof(g->date), "%s", p->date);
    g->amount = p->amount;
    g->base_amount = p->base_amount;
    g->received = p->received;
    g->received_base = p->received_base;
    g->entry = p->entry;
    return 1;
}

static void get_pledge(tf_fund *f, const char *ref, struct got_pledge *g)
{
    tf_diag diag;

    memset(g, 0, sizeof(*g));
    g->ref = ref;
    tf_diag_clear(&diag);
    assert_int_equal(tf_pledge_each(f, NULL, grab_pledge, g, &diag), TF_OK);
    if (!g->found)
        fail_msg("no pledge '%s'", ref);
}

struct got_receipt {
    const char *ref;
    int found;
    char pledge[64], donor[64], pool[16], rate[32];
    int64_t amount, base_amount, relieved, entry;
};

static int grab_receipt(void *ctx, const tf_receipt *r)
{
    struct got_receipt *g = ctx;

    if (strcmp(r->ref, g->ref))
        return 0;
    g->found = 1;
    snprintf(g->pledge, sizeof(g->pledge), "%s", r->pledge);
    snprintf(g->donor, sizeof(g->donor), "%s", r->donor);
    snprintf(g->pool, sizeof(g->pool), "%s", r->pool);
    snprintf(g->rate, sizeof(g->rate), "%s", r->rate);
    g->amount = r->amount;
    g->base_amount = r->base_amount;
    g->relieved = r->relieved;
    g->entry = r->entry;
    return 1;
}

static void get_receipt(tf_fund *f, const char *ref, struct got_receipt *g)
{
    tf_diag diag;

    memset(g, 0, sizeof(*g));
    g->ref = ref;
    tf_diag_clear(&diag);
    assert_int_equal(tf_receipt_each(f, NULL, grab_receipt, g, &diag), TF_OK);
    if (!g->found)
        fail_msg("no receipt '%s'", ref);
}

/* The postings of one entry, as the journal holds them. */
struct got_entry {
    int64_t id;
    int found;
    char kind[32], ref[64];
    size_t n;
    struct {
        char account[80], pool[16], cur[8], rate[32];
        int64_t amount, orig;
    } p[6];
};

static int grab_entry(void *ctx, const tf_entry *e)
{
    struct got_entry *g = ctx;

    if (e->id != g->id)
        return 0;
    g->found = 1;
    snprintf(g->kind, sizeof(g->kind), "%s", e->kind);
    snprintf(g->ref, sizeof(g->ref), "%s", e->ref ? e->ref : "");
    assert_true(e->npostings <= 6);
    g->n = e->npostings;
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        snprintf(g->p[i].account, sizeof(g->p[i].account), "%s", p->account);
        snprintf(g->p[i].pool, sizeof(g->p[i].pool), "%s", p->pool);
        snprintf(g->p[i].cur, sizeof(g->p[i].cur), "%s",
                 p->orig_currency ? p->orig_currency : "");
        snprintf(g->p[i].rate, sizeof(g->p[i].rate), "%s",
                 p->rate ? p->rate : "");
        g->p[i].amount = p->amount;
        g->p[i].orig = p->orig_amount;
    }
    return 1;
}

static void get_entry(tf_fund *f, int64_t id, struct got_entry *g)
{
    tf_diag diag;

    memset(g, 0, sizeof(*g));
    g->id = id;
    tf_diag_clear(&diag);
    assert_int_equal(tf_ledger_each_entry(f, NULL, grab_entry, g, &diag),
                     TF_OK);
    assert_true(g->found);
}

/* The amount posted to account in entry id (0 if none; asserts at most
 * one posting). */
static int64_t posted(tf_fund *f, int64_t id, const char *account)
{
    struct got_entry g;
    int64_t v = 0;
    int n = 0;

    get_entry(f, id, &g);
    for (size_t i = 0; i < g.n && i < sizeof(g.p) / sizeof(g.p[0]); i++)
        if (!strcmp(g.p[i].account, account)) {
            v = g.p[i].amount;
            n++;
        }
    assert_true(n <= 1);
    return v;
}

/* ---- Rates ---------------------------------------------------------- */

static void test_rates(void **state)
{
    tf_fund *f = FUND(state);
    char rate[64];
    int known = -1;
    tf_diag diag;

    assert_int_equal(add_rate(f, "EUR", "2017-01-01", "0.9346", &known), TF_OK);
    assert_int_equal(known, 0);
    /* The same rate again is known; written differently, still the same
     * decimal. */
    assert_int_equal(add_rate(f, "EUR", "2017-01-01", "0.9346", &known), TF_OK);
    assert_int_equal(known, 1);
    assert_int_equal(add_rate(f, "EUR", "2017-01-01", "0.93460", &known),
                     TF_OK);
    assert_int_equal(known, 1);
    /* Another value for a known day is refused: rates never change. */
    assert_int_equal(add_rate(f, "EUR", "2017-01-01", "0.9347", &known),
                     TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "already 0.9346"));
    /* USD needs no rate; unknown currencies and bad figures are refused. */
    assert_int_equal(add_rate(f, "USD", "2017-01-01", "1", NULL), TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "XYZ", "2017-01-01", "1.5", NULL),
                     TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "unknown currency 'XYZ'"));
    assert_int_equal(add_rate(f, "eur", "2017-01-01", "0.9", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "GBP", "2017-13-01", "0.81", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "GBP", "2017-01-01", "0", NULL), TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "GBP", "2017-01-01", "-0.81", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "GBP", "2017-01-01", "8.1e-1", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_rate(f, "GBP", "2017-01-01", ".81", NULL),
                     TF_ERR_INPUT);

    /* None of the refusals left a trace. */
    tf_diag_clear(&diag);
    assert_int_equal(tf_rate_find(f, "EUR", "2017-06-01", rate, &diag), TF_OK);
    assert_string_equal(rate, "0.9346");
    assert_int_equal(tf_rate_find(f, "GBP", "2017-06-01", rate, &diag),
                     TF_ERR_INPUT);
    assert_verified(f);
}

static void test_rate_find(void **state)
{
    tf_fund *f = FUND(state);
    char rate[64];
    int64_t base = 0;
    tf_diag diag;

    /* Added out of order: finding goes by date. */
    rate_ok(f, "EUR", "2017-03-01", "0.9100");
    rate_ok(f, "EUR", "2017-01-01", "0.9346");
    rate_ok(f, "EUR", "2017-02-01", "0.9400");
    rate_ok(f, "GBP", "2017-02-15", "0.81");

    tf_diag_clear(&diag);
#define FIND(cur, date, want)                                                  \
    do {                                                                       \
        assert_int_equal(tf_rate_find(f, cur, date, rate, &diag), TF_OK);      \
        assert_string_equal(rate, want);                                       \
    } while (0)
    FIND("EUR", "2017-01-01", "0.9346");
    FIND("EUR", "2017-01-31", "0.9346");
    FIND("EUR", "2017-02-01", "0.94"); /* stored canonical */
    FIND("EUR", "2017-02-28", "0.94");
    FIND("EUR", "2017-03-01", "0.91");
    FIND("EUR", "2019-12-31", "0.91");
    FIND("GBP", "2017-03-01", "0.81");
    FIND("USD", "2000-01-01", "1");
#undef FIND
    /* Before the first rate: an error, never a guess. */
    assert_int_equal(tf_rate_find(f, "EUR", "2016-12-31", rate, &diag),
                     TF_ERR_INPUT);
    assert_non_null(strstr(diag.msg, "no EUR rate on or before 2016-12-31"));
    assert_int_equal(tf_rate_find(f, "GBP", "2017-02-14", rate, &diag),
                     TF_ERR_INPUT);
    assert_int_equal(tf_rate_find(f, "CHF", "2017-02-14", rate, &diag),
                     TF_ERR_INPUT);

    /* EUR 100,000.00 on 2017-01-15 at 0.9346 = 106,997.646... -> 106,997.65
     * (0.9346 x 107,000 = 100,002.20; 2.20 / 0.9346 = 2.354). */
    assert_int_equal(
        tf_fund_to_base(f, &base, 10000000, "EUR", "2017-01-15", rate, &diag),
        TF_OK);
    assert_int_equal(base, 10699765);
    assert_string_equal(rate, "0.9346");
    assert_int_equal(
        tf_fund_to_base(f, &base, 10000000, "EUR", "2016-12-31", rate, &diag),
        TF_ERR_INPUT);
    assert_int_equal(
        tf_fund_to_base(f, &base, 12345, "USD", "2016-12-31", rate, &diag),
        TF_OK);
    assert_int_equal(base, 12345);
    assert_string_equal(rate, "");
    assert_verified(f);
}

/* ---- Pledges -------------------------------------------------------- */

static void test_pledge_conversion(void **state)
{
    tf_fund *f = FUND(state);
    struct got_pledge g;
    struct got_entry e;
    int known = -1;

    rate_ok(f, "EUR", "2017-01-01", "0.9346");
    rate_ok(f, "EUR", "2017-06-01", "0.8");
    donor_ok(f, "germany");

    /* EUR 100,000.00 at 0.9346 per USD: 100,000 / 0.9346 =
     * 106,997.646051... (0.9346 x 107,000 = 100,002.20, and 2.20 / 0.9346
     * = 2.353948, so 107,000 - 2.353948) -> 106,997.65. */
    pledge_ok(f, "PL-1", "germany", "2017-01-30", 10000000, "EUR", "travel");
    get_pledge(f, "PL-1", &g);
    assert_int_equal(g.amount, 10000000);
    assert_string_equal(g.currency, "EUR");
    assert_string_equal(g.rate, "0.9346");
    assert_int_equal(g.base_amount, 10699765);
    assert_int_equal(g.received, 0);
    assert_int_equal(g.implicit, 0);
    get_entry(f, g.entry, &e);
    assert_string_equal(e.kind, "pledge");
    assert_string_equal(e.ref, "PL-1");
    assert_int_equal(e.n, 2);
    assert_string_equal(e.p[0].account, "assets:receivable:germany");
    assert_string_equal(e.p[0].pool, "travel");
    assert_int_equal(e.p[0].amount, 10699765);
    assert_string_equal(e.p[0].cur, "EUR");
    assert_int_equal(e.p[0].orig, 10000000);
    assert_string_equal(e.p[0].rate, "0.9346");
    assert_string_equal(e.p[1].account, "revenue:contributions:germany");
    assert_int_equal(e.p[1].amount, -10699765);
    assert_int_equal(e.p[1].orig, -10000000);

    /* Exact ties at 0.8 per USD go to the even cent:
     * EUR 1,000.02 / 0.8 = 1,250.025 -> 1,250.02;
     * EUR 1,000.06 / 0.8 = 1,250.075 -> 1,250.08. */
    pledge_ok(f, "PL-2", "germany", "2017-06-10", 100002, "EUR", "prep");
    pledge_ok(f, "PL-3", "germany", "2017-06-10", 100006, "EUR", "prep");
    get_pledge(f, "PL-2", &g);
    assert_string_equal(g.rate, "0.8");
    assert_int_equal(g.base_amount, 125002);
    get_pledge(f, "PL-3", &g);
    assert_int_equal(g.base_amount, 125008);

    /* A USD pledge books its own amount. */
    pledge_ok(f, "PL-4", "germany", "2017-06-11", 5000000, "USD", "travel");
    get_pledge(f, "PL-4", &g);
    assert_int_equal(g.base_amount, 5000000);
    assert_string_equal(g.rate, "1");
    get_entry(f, g.entry, &e);
    assert_string_equal(e.p[0].cur, "");
    assert_string_equal(e.p[0].rate, "");

    assert_int_equal(balance(f, "assets:receivable:germany", "travel"),
                     10699765 + 5000000);
    assert_int_equal(balance(f, "assets:receivable:germany", "prep"),
                     125002 + 125008);
    assert_int_equal(balance(f, "revenue:contributions:germany", NULL),
                     -(10699765 + 5000000 + 125002 + 125008));
    assert_int_equal(head_count(f), 4);

    /* The same pledge again adds nothing; other details are refused. */
    assert_int_equal(add_pledge(f, "PL-1", "germany", "2017-01-30", 10000000,
                                "EUR", "travel", &known),
                     TF_OK);
    assert_int_equal(known, 1);
    assert_int_equal(add_pledge(f, "PL-1", "germany", "2017-01-30", 10000001,
                                "EUR", "travel", &known),
                     TF_ERR_INPUT);
    /* No rate on or before the pledge date: refused, nothing written. */
    assert_int_equal(add_pledge(f, "PL-5", "germany", "2016-12-31", 100, "EUR",
                                "travel", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_pledge(f, "PL-5", "germany", "2017-02-01", 100, "GBP",
                                "travel", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_pledge(f, "PL-5", "nobody", "2017-02-01", 100, "EUR",
                                "travel", NULL),
                     TF_ERR_NOTFOUND);
    assert_int_equal(add_pledge(f, "PL-5", "germany", "2017-02-01", 100, "EUR",
                                "general", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_pledge(f, "PL-5", "germany", "2017-02-01", 0, "EUR",
                                "travel", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_pledge(f, "PL-5", "germany", "2017-02-01", -100, "EUR",
                                "travel", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(
        add_pledge(f, "", "germany", "2017-02-01", 100, "EUR", "travel", NULL),
        TF_ERR_INPUT);
    assert_int_equal(head_count(f), 4);
    assert_verified(f);
}

/* ---- Receipts ------------------------------------------------------- */

/* Donor germany, EUR 0.9346 from 2017-01-01, pledge PL-1 of EUR
 * 100,000.00 on 2017-01-30 to travel: booked at 106,997.65. */
static void pledge_eur_100k(tf_fund *f)
{
    struct got_pledge g;

    rate_ok(f, "EUR", "2017-01-01", "0.9346");
    donor_ok(f, "germany");
    pledge_ok(f, "PL-1", "germany", "2017-01-30", 10000000, "EUR", "travel");
    get_pledge(f, "PL-1", &g);
    assert_int_equal(g.base_amount, 10699765);
}

static void test_receipt_fx_gain(void **state)
{
    tf_fund *f = FUND(state);
    tf_pool_figures figs[TF_POOL_COUNT];
    struct got_receipt r;
    struct got_pledge g;
    struct got_entry e;
    tf_diag diag;

    pledge_eur_100k(f);
    rate_ok(f, "EUR", "2017-03-01", "0.9100");
    /* The full EUR 100,000.00 at 0.9100: 100,000 / 0.91 = 109,890.1098...
     * -> 109,890.11 in the bank. The receivable is relieved of what was
     * booked, 106,997.65; the difference 109,890.11 - 106,997.65 =
     * 2,892.46 is an exchange gain. */
    receipt_ok(f, "RC-1", "2017-03-15", 10000000, "EUR", "PL-1");
    get_receipt(f, "RC-1", &r);
    assert_int_equal(r.base_amount, 10989011);
    assert_int_equal(r.relieved, 10699765);
    assert_string_equal(r.rate, "0.91");
    assert_string_equal(r.pledge, "PL-1");
    assert_string_equal(r.donor, "germany");
    assert_string_equal(r.pool, "travel");

    get_entry(f, r.entry, &e);
    assert_string_equal(e.kind, "receipt");
    assert_int_equal(e.n, 3);
    assert_string_equal(e.p[0].account, "assets:cash");
    assert_int_equal(e.p[0].amount, 10989011);
    assert_string_equal(e.p[0].cur, "EUR");
    assert_int_equal(e.p[0].orig, 10000000);
    assert_string_equal(e.p[0].rate, "0.91");
    assert_string_equal(e.p[1].account, "assets:receivable:germany");
    assert_int_equal(e.p[1].amount, -10699765);
    assert_string_equal(e.p[2].account, "revenue:fx-gain");
    assert_int_equal(e.p[2].amount, -289246);
    assert_int_equal(posted(f, r.entry, "expense:fx-loss"), 0);

    assert_int_equal(balance(f, "assets:receivable:germany", NULL), 0);
    assert_int_equal(balance(f, "assets:cash", "travel"), 10989011);
    assert_int_equal(balance(f, "revenue:fx-gain", "travel"), -289246);
    assert_int_equal(balance(f, "revenue:contributions:germany", "travel"),
                     -10699765);

    get_pledge(f, "PL-1", &g);
    assert_int_equal(g.received, 10000000);
    assert_int_equal(g.received_base, 10989011);

    tf_diag_clear(&diag);
    assert_int_equal(tf_ledger_pools(f, NULL, figs, &diag), TF_OK);
    assert_int_equal(figs[1].receipts, 10989011);
    assert_int_equal(figs[1].cash, 10989011);
    assert_int_equal(figs[1].available, 10989011);
    assert_verified(f);
}

static void test_receipt_fx_loss(void **state)
{
    tf_fund *f = FUND(state);
    struct got_receipt r;

    pledge_eur_100k(f);
    rate_ok(f, "EUR", "2017-03-01", "0.95");
    /* 100,000 / 0.95 = 105,263.1578... -> 105,263.16; the loss is
     * 106,997.65 - 105,263.16 = 1,734.49. */
    receipt_ok(f, "RC-1", "2017-03-15", 10000000, "EUR", "PL-1");
    get_receipt(f, "RC-1", &r);
    assert_int_equal(r.base_amount, 10526316);
    assert_int_equal(r.relieved, 10699765);
    assert_int_equal(posted(f, r.entry, "assets:cash"), 10526316);
    assert_int_equal(posted(f, r.entry, "assets:receivable:germany"),
                     -10699765);
    assert_int_equal(posted(f, r.entry, "expense:fx-loss"), 173449);
    assert_int_equal(posted(f, r.entry, "revenue:fx-gain"), 0);
    assert_int_equal(balance(f, "assets:receivable:germany", NULL), 0);
    assert_int_equal(balance(f, "expense:fx-loss", "travel"), 173449);
    assert_verified(f);
}

static void test_receipt_instalments(void **state)
{
    tf_fund *f = FUND(state);
    struct got_receipt r;
    struct got_pledge g;

    pledge_eur_100k(f);
    rate_ok(f, "EUR", "2017-02-01", "0.94");
    rate_ok(f, "EUR", "2017-03-01", "0.92");
    rate_ok(f, "EUR", "2017-04-01", "0.9346");

    /* 1st: EUR 33,333.33 at 0.94. Relieved: 106,997.65 x 33,333.33 /
     * 100,000 = 35,665.879767 -> 35,665.88. Cash: 33,333.33 / 0.94 =
     * 35,460.989 -> 35,460.99. Loss 35,665.88 - 35,460.99 = 204.89.
     * Still owed on the receivable: 106,997.65 - 35,665.88 = 71,331.77. */
    receipt_ok(f, "RC-1", "2017-02-15", 3333333, "EUR", "PL-1");
    get_receipt(f, "RC-1", &r);
    assert_int_equal(r.relieved, 3566588);
    assert_int_equal(r.base_amount, 3546099);
    assert_int_equal(posted(f, r.entry, "expense:fx-loss"), 20489);
    assert_int_equal(balance(f, "assets:receivable:germany", "travel"),
                     7133177);
    assert_verified(f);

    /* 2nd: EUR 33,333.33 at 0.92. Cumulatively 66,666.66 of 100,000
     * relieves 106,997.65 x 0.6666666 = 71,331.759533 -> 71,331.76, of
     * which 35,665.88 went before: 35,665.88 now. Cash 33,333.33 / 0.92
     * = 36,231.880 -> 36,231.88; gain 566.00. Owed 35,665.89. */
    receipt_ok(f, "RC-2", "2017-03-15", 3333333, "EUR", "PL-1");
    get_receipt(f, "RC-2", &r);
    assert_int_equal(r.relieved, 3566588);
    assert_int_equal(r.base_amount, 3623188);
    assert_int_equal(posted(f, r.entry, "revenue:fx-gain"), -56600);
    assert_int_equal(balance(f, "assets:receivable:germany", "travel"),
                     3566589);
    assert_verified(f);

    /* 3rd: the last EUR 33,333.34 at 0.9346 relieves what is left,
     * 106,997.65 - 71,331.76 = 35,665.89. Cash 33,333.34 / 0.9346 =
     * 35,665.889 -> 35,665.89: no difference, so no fx posting. */
    receipt_ok(f, "RC-3", "2017-04-15", 3333334, "EUR", "PL-1");
    get_receipt(f, "RC-3", &r);
    assert_int_equal(r.relieved, 3566589);
    assert_int_equal(r.base_amount, 3566589);
    assert_int_equal(posted(f, r.entry, "revenue:fx-gain"), 0);
    assert_int_equal(posted(f, r.entry, "expense:fx-loss"), 0);
    {
        struct got_entry e;
        get_entry(f, r.entry, &e);
        assert_int_equal(e.n, 2);
    }

    /* The receivable ends at exactly zero. */
    assert_int_equal(balance(f, "assets:receivable:germany", NULL), 0);
    get_pledge(f, "PL-1", &g);
    assert_int_equal(g.received, 10000000);
    assert_int_equal(g.received_base, 3546099 + 3623188 + 3566589);
    assert_int_equal(balance(f, "assets:cash", "travel"),
                     3546099 + 3623188 + 3566589);
    /* Gain 566.00 less loss 204.89: net 361.11 over the pledge. */
    assert_int_equal(balance(f, "revenue:fx-gain", NULL) +
                         balance(f, "expense:fx-loss", NULL),
                     -56600 + 20489);
    /* Nothing more is owed: a cent more is refused. */
    receipt_refused(f, "RC-4", "2017-04-16", 1, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_AMOUNT, "exceeds");
    assert_verified(f);
}

static void test_receipt_refused(void **state)
{
    tf_fund *f = FUND(state);
    int known = -1;

    pledge_eur_100k(f);
    donor_ok(f, "france");
    rate_ok(f, "GBP", "2017-01-01", "0.81");

    /* More than the pledge. */
    receipt_refused(f, "RC-1", "2017-03-15", 10000001, "EUR", "PL-1", NULL,
                    NULL, TF_ERR_INPUT, TF_RF_AMOUNT,
                    "exceeds the EUR 100000.00 still owed");
    /* More than is still owed after a part payment. */
    receipt_ok(f, "RC-1", "2017-03-15", 6000000, "EUR", "PL-1");
    receipt_refused(f, "RC-2", "2017-03-16", 4000001, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_AMOUNT,
                    "exceeds the EUR 40000.00 still owed");
    /* In another currency than the pledge's. */
    receipt_refused(f, "RC-2", "2017-03-16", 100, "USD", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_CURRENCY, "pledge's currency");
    receipt_refused(f, "RC-2", "2017-03-16", 100, "GBP", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_CURRENCY, NULL);
    /* Dated before the pledge. */
    receipt_refused(f, "RC-2", "2017-01-29", 100, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_DATE, "before its pledge");
    /* For an unknown pledge. */
    receipt_refused(f, "RC-2", "2017-03-16", 100, "EUR", "PL-9", NULL, NULL,
                    TF_ERR_NOTFOUND, TF_RF_PLEDGE, "unknown pledge 'PL-9'");
    /* Naming another donor or pool than the pledge's. */
    receipt_refused(f, "RC-2", "2017-03-16", 100, "EUR", "PL-1", "france", NULL,
                    TF_ERR_INPUT, TF_RF_DONOR, NULL);
    receipt_refused(f, "RC-2", "2017-03-16", 100, "EUR", "PL-1", NULL, "prep",
                    TF_ERR_INPUT, TF_RF_POOL, NULL);
    /* Malformed. */
    receipt_refused(f, "RC-2", "2017-03-16", 0, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_AMOUNT, NULL);
    receipt_refused(f, "RC-2", "2017-03-16", 100, "XYZ", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_CURRENCY, NULL);
    receipt_refused(f, "RC-2", "2017-03-32", 100, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_DATE, NULL);
    receipt_refused(f, "", "2017-03-16", 100, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_REF, NULL);
    /* A known reference: the same receipt is known, another refused. */
    assert_int_equal(add_receipt(f, "RC-1", "2017-03-15", 6000000, "EUR",
                                 "PL-1", NULL, NULL, NULL, &known),
                     TF_OK);
    assert_int_equal(known, 1);
    receipt_refused(f, "RC-1", "2017-03-15", 6000001, "EUR", "PL-1", NULL, NULL,
                    TF_ERR_INPUT, TF_RF_REF, "other details");

    /* Exactly what is owed is accepted. */
    receipt_ok(f, "RC-2", "2017-03-16", 4000000, "EUR", "PL-1");
    assert_int_equal(balance(f, "assets:receivable:germany", NULL), 0);
    assert_int_equal(head_count(f), 3);
    assert_verified(f);
}

static void test_receipt_implicit_pledge(void **state)
{
    tf_fund *f = FUND(state);
    struct got_pledge g;
    struct got_receipt r;
    struct got_entry e;
    int known = -1;

    rate_ok(f, "CHF", "2017-01-01", "1.0092");
    donor_ok(f, "geneva-city");

    /* CHF 5,000.00 with no pledge: 5,000 / 1.0092 = 4,954.419 ->
     * 4,954.42, recorded as a contribution and its receipt at once. */
    assert_int_equal(add_receipt(f, "RC-9", "2017-05-02", 500000, "CHF", NULL,
                                 "geneva-city", NULL, NULL, &known),
                     TF_OK);
    assert_int_equal(known, 0);
    assert_int_equal(head_count(f), 2);
    get_pledge(f, "RC-9", &g);
    assert_int_equal(g.implicit, 1);
    assert_string_equal(g.donor, "geneva-city");
    assert_string_equal(g.pool, "unrestricted"); /* the default pool */
    assert_string_equal(g.date, "2017-05-02");
    assert_string_equal(g.currency, "CHF");
    assert_int_equal(g.amount, 500000);
    assert_int_equal(g.base_amount, 495442);
    assert_int_equal(g.received, 500000);
    get_entry(f, g.entry, &e);
    assert_string_equal(e.kind, "pledge");
    get_receipt(f, "RC-9", &r);
    assert_string_equal(r.pledge, "RC-9");
    assert_int_equal(r.base_amount, 495442);
    assert_int_equal(r.relieved, 495442);
    get_entry(f, r.entry, &e);
    assert_string_equal(e.kind, "receipt");
    assert_int_equal(e.n, 2); /* same day, same rate: no difference */
    assert_int_equal(balance(f, "assets:receivable:geneva-city", NULL), 0);
    assert_int_equal(balance(f, "assets:cash", "unrestricted"), 495442);
    assert_int_equal(balance(f, "revenue:contributions:geneva-city", NULL),
                     -495442);

    /* Again: known, nothing added. */
    assert_int_equal(add_receipt(f, "RC-9", "2017-05-02", 500000, "CHF", NULL,
                                 "geneva-city", NULL, NULL, &known),
                     TF_OK);
    assert_int_equal(known, 1);
    assert_int_equal(head_count(f), 2);

    /* A USD gift to a named pool. */
    assert_int_equal(add_receipt(f, "RC-10", "2017-05-03", 250000, "USD", NULL,
                                 "geneva-city", "ldc-travel", NULL, NULL),
                     TF_OK);
    get_pledge(f, "RC-10", &g);
    assert_string_equal(g.pool, "ldc-travel");
    assert_int_equal(g.base_amount, 250000);
    assert_int_equal(balance(f, "assets:cash", "ldc-travel"), 250000);
    assert_int_equal(head_count(f), 4);

    /* Without a donor, an unknown donor or pool, no rate yet, or a
     * reference that is already a pledge: refused, nothing written. */
    receipt_refused(f, "RC-11", "2017-05-03", 100, "CHF", NULL, NULL, NULL,
                    TF_ERR_INPUT, TF_RF_DONOR, "needs a donor");
    receipt_refused(f, "RC-11", "2017-05-03", 100, "CHF", NULL, "nobody", NULL,
                    TF_ERR_INPUT, TF_RF_DONOR, NULL);
    receipt_refused(f, "RC-11", "2017-05-03", 100, "CHF", NULL, "geneva-city",
                    "general", TF_ERR_INPUT, TF_RF_POOL, NULL);
    receipt_refused(f, "RC-11", "2016-05-03", 100, "CHF", NULL, "geneva-city",
                    NULL, TF_ERR_INPUT, TF_RF_DATE, "no CHF");
    pledge_ok(f, "PL-1", "geneva-city", "2017-05-04", 100, "USD", "prep");
    receipt_refused(f, "PL-1", "2017-05-05", 100, "USD", NULL, "geneva-city",
                    NULL, TF_ERR_INPUT, TF_RF_REF, "already a pledge");
    /* An explicit pledge may not reuse an implicit one's reference. */
    assert_int_equal(add_pledge(f, "RC-9", "geneva-city", "2017-05-02", 500000,
                                "CHF", "unrestricted", NULL),
                     TF_ERR_INPUT);
    assert_verified(f);
}

static void test_receipt_jpy_kwd(void **state)
{
    tf_fund *f = FUND(state);
    struct got_pledge g;
    struct got_receipt r;

    rate_ok(f, "JPY", "2017-01-01", "113.05");
    rate_ok(f, "KWD", "2017-01-01", "0.3052");
    rate_ok(f, "KWD", "2017-06-01", "0.3010");
    donor_ok(f, "japan");
    donor_ok(f, "kuwait");

    /* JPY has no minor unit: JPY 10,000,000 / 113.05 = 88,456.4352 ->
     * 88,456.44. */
    pledge_ok(f, "PL-J", "japan", "2017-02-01", 10000000, "JPY", "travel");
    get_pledge(f, "PL-J", &g);
    assert_int_equal(g.base_amount, 8845644);
    /* JPY 4,000,000 at the same rate: cash 35,382.574 -> 35,382.57, but
     * 4/10 of the booked value is 35,382.576 -> 35,382.58: a loss of one
     * cent from rounding each figure once. */
    receipt_ok(f, "RC-J1", "2017-03-01", 4000000, "JPY", "PL-J");
    get_receipt(f, "RC-J1", &r);
    assert_int_equal(r.base_amount, 3538257);
    assert_int_equal(r.relieved, 3538258);
    assert_int_equal(posted(f, r.entry, "expense:fx-loss"), 1);
    /* The other JPY 6,000,000: cash 53,073.861 -> 53,073.86, exactly the
     * rest of the receivable, 88,456.44 - 35,382.58. */
    receipt_ok(f, "RC-J2", "2017-04-01", 6000000, "JPY", "PL-J");
    get_receipt(f, "RC-J2", &r);
    assert_int_equal(r.base_amount, 5307386);
    assert_int_equal(r.relieved, 5307386);
    assert_int_equal(balance(f, "assets:receivable:japan", NULL), 0);

    /* KWD has three decimals: KWD 30,000.000 / 0.3052 = 98,296.1992 ->
     * 98,296.20. */
    pledge_ok(f, "PL-K", "kuwait", "2017-02-01", 30000000, "KWD",
              "unrestricted");
    get_pledge(f, "PL-K", &g);
    assert_int_equal(g.base_amount, 9829620);
    /* KWD 12,345.678 at 0.3010: cash 41,015.5415 -> 41,015.54; relieved
     * 98,296.20 x 12,345.678 / 30,000 = 40,451.1078 -> 40,451.11; gain
     * 564.43. */
    receipt_ok(f, "RC-K1", "2017-06-15", 12345678, "KWD", "PL-K");
    get_receipt(f, "RC-K1", &r);
    assert_int_equal(r.amount, 12345678);
    assert_int_equal(r.base_amount, 4101554);
    assert_int_equal(r.relieved, 4045111);
    assert_int_equal(posted(f, r.entry, "revenue:fx-gain"), -56443);
    assert_int_equal(balance(f, "assets:receivable:kuwait", NULL),
                     9829620 - 4045111);
    /* What is owed is counted in fils. */
    receipt_refused(f, "RC-K2", "2017-06-16", 17654323, "KWD", "PL-K", NULL,
                    NULL, TF_ERR_INPUT, TF_RF_AMOUNT,
                    "exceeds the KWD 17654.322 still owed");
    receipt_ok(f, "RC-K2", "2017-06-16", 17654322, "KWD", "PL-K");
    assert_int_equal(balance(f, "assets:receivable:kuwait", NULL), 0);
    assert_verified(f);
}

/* ---- Donors and sessions -------------------------------------------- */

static void test_donors(void **state)
{
    tf_fund *f = FUND(state);
    char long_id[70];
    int known = -1, n = 0;
    tf_diag diag;

    assert_int_equal(add_donor(f, "norway", "Norway", "state", "NOR", &known),
                     TF_OK);
    assert_int_equal(known, 0);
    assert_int_equal(add_donor(f, "norway", "Norway", "state", "NOR", &known),
                     TF_OK);
    assert_int_equal(known, 1);
    /* Other details under a known id. */
    assert_int_equal(
        add_donor(f, "norway", "Kingdom of Norway", "state", "NOR", &known),
        TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "other details"));
    assert_int_equal(add_donor(f, "norway", "Norway", "igo", "NOR", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "norway", "Norway", "state", "SWE", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "norway", "Norway", "state", "", NULL),
                     TF_ERR_INPUT);
    /* Ids become account and file names. */
    assert_int_equal(add_donor(f, "../x", "X", "state", "", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "a/b", "X", "state", "", NULL), TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "-x", "X", "state", "", NULL), TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "", "X", "state", "", NULL), TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "a b", "X", "state", "", NULL), TF_ERR_INPUT);
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    assert_int_equal(add_donor(f, long_id, "X", "state", "", NULL),
                     TF_ERR_INPUT);
    long_id[64] = '\0';
    assert_int_equal(add_donor(f, long_id, "X", "private", "", NULL), TF_OK);
    /* Type and country. */
    assert_int_equal(add_donor(f, "x", "X", "government", "", NULL),
                     TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "government"));
    assert_int_equal(add_donor(f, "x", "X", "State", "", NULL), TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "x", "X", "state", "XXX", NULL),
                     TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "XXX"));
    assert_int_equal(add_donor(f, "x", "X", "state", "nor", NULL),
                     TF_ERR_INPUT);
    assert_int_equal(add_donor(f, "x", "", "state", "", NULL), TF_ERR_INPUT);
    /* Every type, with and without a country. */
    assert_int_equal(add_donor(f, "iom", "IOM", "igo", "", NULL), TF_OK);
    assert_int_equal(add_donor(f, "fdn.1", "Fdn", "foundation", "CHE", NULL),
                     TF_OK);
    assert_int_equal(add_donor(f, "Other_2", "Other", "other", "", NULL),
                     TF_OK);

    tf_diag_clear(&diag);
    assert_int_equal(tf_donor_each(f, NULL, count_donor, &n, &diag), TF_OK);
    assert_int_equal(n, 5);
    assert_int_equal(tf_donor_each(f, "x", count_donor, &n, &diag),
                     TF_ERR_NOTFOUND);
    assert_int_equal(head_count(f), 0);
    assert_verified(f);
}

static tf_error add_session(tf_fund *f, const tf_session *s, int *known)
{
    int k = -1;
    tf_error err;

    tf_diag_clear(&last_diag);
    assert_int_equal(tf_fund_begin(f, &last_diag), TF_OK);
    err = tf_session_add(f, s, &k, &last_diag);
    if (known)
        *known = k;
    if (err) {
        tf_fund_rollback(f);
        return err;
    }
    assert_int_equal(tf_fund_commit(f, &last_diag), TF_OK);
    return TF_OK;
}

struct got_session {
    int n;
    int64_t days, extra_days, dsa, terminal, travel_budget;
    char start[16];
};

static int grab_session(void *ctx, const tf_session *s)
{
    struct got_session *g = ctx;

    g->n++;
    g->days = s->days;
    g->extra_days = s->extra_days;
    g->dsa = s->dsa;
    g->terminal = s->terminal;
    g->travel_budget = s->travel_budget;
    snprintf(g->start, sizeof(g->start), "%s", s->start);
    return 0;
}

static void test_sessions(void **state)
{
    tf_fund *f = FUND(state);
    const tf_session good = {"its1",   "Informal thematic session 1",
                             "Geneva", "2017-05-08",
                             2,        1,
                             40200,    11000,
                             -1};
    tf_session s = good;
    struct got_session g;
    int known = -1;
    tf_diag diag;

    assert_int_equal(add_session(f, &s, &known), TF_OK);
    assert_int_equal(known, 0);
    assert_int_equal(add_session(f, &s, &known), TF_OK);
    assert_int_equal(known, 1);
    /* Other details under a known id. */
    s.dsa = 40300;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "other details"));
    s = good;
    s.travel_budget = 0;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s = good;
    s.start = "2017-05-09";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);

    /* Invalid ids and figures. */
    s = good;
    s.id = "../x";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.id = "";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s = good;
    s.id = "its2";
    s.days = 0;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.days = 367;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.days = 2;
    s.extra_days = -1;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.extra_days = 0;
    s.dsa = -1;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.dsa = 0;
    s.terminal = -1;
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.terminal = 0;
    s.start = "2017-02-29";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.start = "2017-05-22";
    s.venue = "";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.venue = "New York";
    s.name = "";
    assert_int_equal(add_session(f, &s, NULL), TF_ERR_INPUT);
    s.name = "Informal thematic session 2";
    s.travel_budget = 5000000;
    assert_int_equal(add_session(f, &s, &known), TF_OK);
    assert_int_equal(known, 0);

    tf_diag_clear(&diag);
    memset(&g, 0, sizeof(g));
    assert_int_equal(tf_session_each(f, "its2", grab_session, &g, &diag),
                     TF_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.days, 2);
    assert_int_equal(g.extra_days, 0);
    assert_int_equal(g.dsa, 0);
    assert_int_equal(g.terminal, 0);
    assert_int_equal(g.travel_budget, 5000000);
    assert_string_equal(g.start, "2017-05-22");
    memset(&g, 0, sizeof(g));
    assert_int_equal(tf_session_each(f, "its1", grab_session, &g, &diag),
                     TF_OK);
    assert_int_equal(g.dsa, 40200);
    assert_int_equal(g.travel_budget, -1);
    memset(&g, 0, sizeof(g));
    assert_int_equal(tf_session_each(f, NULL, grab_session, &g, &diag), TF_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(tf_session_each(f, "its3", grab_session, &g, &diag),
                     TF_ERR_NOTFOUND);
    assert_verified(f);
}

/* ---- Settings ------------------------------------------------------- */

static void test_settings(void **state)
{
    tf_fund *f = FUND(state);

    /* Defaults. */
    setting_is(f, "psc_rate", "0.13");
    setting_is(f, "reserve_rate", "0");
    setting_is(f, "quota_ldc", "2");
    setting_is(f, "quota_developing", "1");
    setting_is(f, "base_currency", "USD");

    /* Rates are stored canonical; 13 (meaning 13%) is a slip. */
    assert_int_equal(set_setting(f, "psc_rate", "0.130"), TF_OK);
    setting_is(f, "psc_rate", "0.13");
    assert_int_equal(set_setting(f, "psc_rate", "00.070"), TF_OK);
    setting_is(f, "psc_rate", "0.07");
    assert_int_equal(set_setting(f, "psc_rate", "13"), TF_ERR_INPUT);
    assert_non_null(strstr(last_diag.msg, "between 0 and 1"));
    assert_int_equal(set_setting(f, "psc_rate", "1.5"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "psc_rate", ".13"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "psc_rate", "-0.13"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "psc_rate", "13%"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "psc_rate", ""), TF_ERR_INPUT);
    setting_is(f, "psc_rate", "0.07");
    assert_int_equal(set_setting(f, "psc_rate", "1.000"), TF_OK);
    setting_is(f, "psc_rate", "1");
    assert_int_equal(set_setting(f, "psc_rate", "0"), TF_OK);
    setting_is(f, "psc_rate", "0");
    assert_int_equal(set_setting(f, "reserve_rate", "0.05"), TF_OK);
    setting_is(f, "reserve_rate", "0.05");
    assert_int_equal(set_setting(f, "reserve_rate", "5"), TF_ERR_INPUT);

    /* Quotas: whole numbers 0-1000. */
    assert_int_equal(set_setting(f, "quota_ldc", "3"), TF_OK);
    setting_is(f, "quota_ldc", "3");
    assert_int_equal(set_setting(f, "quota_ldc", "007"), TF_OK);
    setting_is(f, "quota_ldc", "7");
    assert_int_equal(set_setting(f, "quota_developing", "0"), TF_OK);
    setting_is(f, "quota_developing", "0");
    assert_int_equal(set_setting(f, "quota_ldc", "1000"), TF_OK);
    assert_int_equal(set_setting(f, "quota_ldc", "1001"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "quota_ldc", "-1"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "quota_ldc", "two"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "quota_ldc", "1.5"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "quota_developing", ""), TF_ERR_INPUT);
    setting_is(f, "quota_ldc", "1000");

    /* Names and unknown keys. */
    assert_int_equal(set_setting(f, "fund_name", "GCM Trust Fund"), TF_OK);
    setting_is(f, "fund_name", "GCM Trust Fund");
    assert_int_equal(set_setting(f, "fund_name", ""), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "psc", "0.13"), TF_ERR_USAGE);
    assert_verified(f);
}

static void test_base_currency(void **state)
{
    tf_fund *f = FUND(state);

    /* Before the first entry the base currency may change (and back). */
    assert_int_equal(set_setting(f, "base_currency", "EUR"), TF_OK);
    setting_is(f, "base_currency", "EUR");
    assert_string_equal(tf_fund_base(f)->code, "EUR");
    assert_int_equal(set_setting(f, "base_currency", "eur"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "base_currency", "XYZ"), TF_ERR_INPUT);
    assert_int_equal(set_setting(f, "base_currency", "USD"), TF_OK);
    assert_string_equal(tf_fund_base(f)->code, "USD");

    /* After it, no longer; naming the same one is harmless. */
    donor_ok(f, "norway");
    pledge_ok(f, "PL-1", "norway", "2017-01-10", 100000, "USD", "travel");
    assert_int_equal(set_setting(f, "base_currency", "EUR"), TF_ERR_RULE);
    assert_non_null(strstr(last_diag.msg, "cannot change"));
    setting_is(f, "base_currency", "USD");
    assert_string_equal(tf_fund_base(f)->code, "USD");
    assert_int_equal(set_setting(f, "base_currency", "USD"), TF_OK);
    assert_verified(f);
}

static void test_base_currency_eur(void **state)
{
    tf_fund *f = FUND(state);
    struct got_pledge g;
    struct got_receipt r;

    assert_int_equal(set_setting(f, "base_currency", "EUR"), TF_OK);
    rate_ok(f, "EUR", "2017-01-01", "0.9346");
    rate_ok(f, "EUR", "2017-03-01", "0.95");
    rate_ok(f, "GBP", "2017-01-01", "0.81");
    donor_ok(f, "usa");
    donor_ok(f, "uk");

    /* USD 1,000.00 into EUR at 0.9346 per USD: 934.60 EUR. */
    pledge_ok(f, "PL-1", "usa", "2017-01-10", 100000, "USD", "travel");
    get_pledge(f, "PL-1", &g);
    assert_int_equal(g.base_amount, 93460);
    /* Received on 2017-03-15 at 0.95: 950.00 EUR, a gain of 15.40. */
    receipt_ok(f, "RC-1", "2017-03-15", 100000, "USD", "PL-1");
    get_receipt(f, "RC-1", &r);
    assert_int_equal(r.base_amount, 95000);
    assert_int_equal(posted(f, r.entry, "revenue:fx-gain"), -1540);
    /* GBP 1,000.00 through USD: 1,000 / 0.81 x 0.9346 = 1,153.827 ->
     * 1,153.83 EUR. */
    pledge_ok(f, "PL-2", "uk", "2017-01-10", 100000, "GBP", "prep");
    get_pledge(f, "PL-2", &g);
    assert_int_equal(g.base_amount, 115383);
    /* EUR itself needs no conversion. */
    pledge_ok(f, "PL-3", "uk", "2017-01-10", 123456, "EUR", "prep");
    get_pledge(f, "PL-3", &g);
    assert_int_equal(g.base_amount, 123456);
    assert_verified(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fund_setup, fund_teardown)
        T(test_rates),
        T(test_rate_find),
        T(test_pledge_conversion),
        T(test_receipt_fx_gain),
        T(test_receipt_fx_loss),
        T(test_receipt_instalments),
        T(test_receipt_refused),
        T(test_receipt_implicit_pledge),
        T(test_receipt_jpy_kwd),
        T(test_donors),
        T(test_sessions),
        T(test_settings),
        T(test_base_currency),
        T(test_base_currency_eur),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
