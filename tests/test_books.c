/* SPDX-License-Identifier: MIT */
/*
 * The books' vocabulary and recipes (tfund/books.h): every table in step
 * with its enum, names that read back to what they name, and every recipe
 * an entry that balances in each pool and touches the accounts the chart
 * of accounts gives its event.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tfund/books.h"
#include "tfund/text.h"

/* Each pool's postings of d sum to zero; returns the number of postings. */
static size_t balanced(const tf_draft *d)
{
    int64_t sum[TF_POOL_COUNT] = {0};

    assert_int_equal(d->oom, 0);
    assert_ptr_equal(d->entry.postings, d->post);
    for (size_t i = 0; i < d->entry.npostings; i++) {
        int k = tf_pool_find(d->entry.postings[i].pool);
        assert_true(k >= 0);
        assert_true(tf_account_find(d->entry.postings[i].account, NULL) >= 0);
        sum[k] += d->entry.postings[i].amount;
    }
    for (int k = 0; k < TF_POOL_COUNT; k++)
        assert_int_equal(sum[k], 0);
    return d->entry.npostings;
}

/* The account of posting i of d, and its party (or NULL). */
static int account_of(const tf_draft *d, size_t i, const char **party)
{
    return tf_account_find(d->entry.postings[i].account, party);
}

static void tables_match_enums(void **state)
{
    (void)state;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        assert_int_equal(tf_pool_find(tf_pools[k]), k);
    for (int s = 0; s < TF_STATUS_COUNT; s++) {
        assert_int_equal(tf_status_find(tf_status_name((tf_status)s)), s);
        assert_true(tf_status_is(tf_status_name((tf_status)s), (tf_status)s));
    }
    for (int k = 0; k < TF_KIND_COUNT; k++)
        assert_int_equal(tf_kind_find(tf_kind_name((tf_kind)k)), k);
    for (int o = 0; o < TF_OUTFLOW_COUNT; o++)
        assert_int_equal(tf_outflow_find(tf_outflow_name((tf_outflow)o)), o);
    for (int r = 0; r < TF_REASON_COUNT; r++)
        assert_int_equal(tf_reason_find(tf_reason_name((tf_reason)r)), r);
    assert_int_equal(tf_reason_find("Quota"), -1);
    assert_int_equal(tf_reason_find(NULL), -1);
    assert_int_equal(tf_pool_find("nowhere"), -1);
    assert_int_equal(tf_pool_find(NULL), -1);
    assert_int_equal(tf_status_find("Funded"), -1);
    assert_int_equal(tf_kind_find(""), -1);
}

/* Every code has words for a reader, none empty and no two alike within
 * a table (a reader could not tell them apart). */
static void words_for_a_reader(void **state)
{
    const char *seen[16];
    int n;

    (void)state;
    n = 0;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        seen[n++] = tf_pool_label((tf_pool)k);
    for (int i = 0; i < n; i++) {
        assert_true(*seen[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    n = 0;
    for (int s = 0; s < TF_STATUS_COUNT; s++)
        seen[n++] = tf_status_label((tf_status)s);
    for (int i = 0; i < n; i++) {
        assert_true(*seen[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    n = 0;
    for (int o = 0; o < TF_OUTFLOW_COUNT; o++)
        seen[n++] = tf_outflow_label((tf_outflow)o);
    for (int r = 0; r < TF_REASON_COUNT; r++)
        seen[n++] = tf_reason_label((tf_reason)r);
    for (int i = 0; i < n; i++) {
        assert_true(*seen[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    /* A few by name: the words the statements print. */
    assert_string_equal(tf_pool_label(TF_POOL_LDC_TRAVEL), "LDC travel");
    assert_string_equal(tf_status_label(TF_STATUS_DISBURSED), "paid");
    assert_string_equal(tf_outflow_label(TF_OUTFLOW_PSC),
                        "Programme support costs");
    assert_string_equal(tf_tier_label(1), "LDC");
    assert_string_equal(tf_tier_label(2), "other developing");
    assert_string_equal(tf_tier_label(0), "");
}

static void accounts_read_back(void **state)
{
    char name[TF_ACCOUNT_BUFSZ];
    const char *party;

    (void)state;
    for (int a = 0; a < TF_ACCOUNT_COUNT; a++) {
        const tf_account_def *d = tf_account_info((tf_account)a);
        int withparty = d->party != TF_PARTY_NONE;
        tf_account_name(name, sizeof(name), (tf_account)a, "x-1");
        assert_int_equal(tf_account_find(name, &party), a);
        if (withparty)
            assert_string_equal(party, "x-1");
        else
            assert_null(party);
        assert_int_equal(tf_category_of(name), d->category);
        assert_true(d->normal == TF_DEBIT || d->normal == TF_CREDIT);
        /* A per-party account needs its party; a plain one takes none. */
        if (withparty)
            assert_int_equal(tf_account_find(d->name, NULL), -1);
        for (int b = 0; b < a; b++)
            assert_string_not_equal(d->name,
                                    tf_account_info((tf_account)b)->name);
    }
    assert_int_equal(tf_account_find("assets:receivable:", NULL), -1);
    assert_int_equal(tf_account_find("assets:cashbox", NULL), -1);
    assert_int_equal(tf_category_of("nothing:here"), -1);
    assert_int_equal(tf_category_of("assets"), -1);
    assert_int_equal(tf_account_info(TF_ACCT_TRAVEL)->outflow,
                     TF_OUTFLOW_TRAVEL);
    assert_int_equal(tf_account_info(TF_ACCT_CASH)->outflow, TF_OUTFLOW_NONE);
}

static void pledge_and_receipt(void **state)
{
    tf_orig nok = {"NOK", 150000, "8.5"};
    const char *party;
    tf_draft d;

    (void)state;
    tf_draft_start(&d, "2017-01-16", TF_KIND_PLEDGE, "memo", "P-1");
    tf_recipe_pledge(&d, "norway", TF_POOL_TRAVEL, 17647, &nok);
    assert_int_equal(balanced(&d), 2);
    assert_string_equal(d.entry.kind, tf_kind_name(TF_KIND_PLEDGE));
    assert_int_equal(account_of(&d, 0, &party), TF_ACCT_RECEIVABLE);
    assert_string_equal(party, "norway");
    assert_int_equal(account_of(&d, 1, &party), TF_ACCT_CONTRIBUTIONS);
    assert_int_equal(d.post[0].orig_amount, 150000);
    assert_int_equal(d.post[1].orig_amount, -150000);
    assert_string_equal(d.post[1].rate, "8.5");
    tf_draft_release(&d);

    /* Cash above the receivable relieved: an exchange gain. */
    tf_draft_start(&d, "2017-02-20", TF_KIND_RECEIPT, "memo", "R-1");
    tf_recipe_receipt(&d, "norway", TF_POOL_TRAVEL, 18000, 17647, &nok);
    assert_int_equal(balanced(&d), 3);
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_CASH);
    assert_int_equal(account_of(&d, 1, NULL), TF_ACCT_RECEIVABLE);
    assert_null(d.post[1].rate);
    assert_int_equal(account_of(&d, 2, NULL), TF_ACCT_FX_GAIN);
    tf_draft_release(&d);

    tf_draft_start(&d, "2017-02-20", TF_KIND_RECEIPT, "memo", "R-2");
    tf_recipe_receipt(&d, "norway", TF_POOL_TRAVEL, 17000, 17647, NULL);
    assert_int_equal(balanced(&d), 3);
    assert_int_equal(account_of(&d, 2, NULL), TF_ACCT_FX_LOSS);
    assert_null(d.post[0].orig_currency);
    tf_draft_release(&d);

    tf_draft_start(&d, "2017-02-20", TF_KIND_RECEIPT, "memo", "R-3");
    tf_recipe_receipt(&d, "norway", TF_POOL_TRAVEL, 500, 500, NULL);
    assert_int_equal(balanced(&d), 2);
    tf_draft_release(&d);
}

static void grant_life(void **state)
{
    int64_t expense[TF_POOL_COUNT] = {100, 50, 0, 0};
    int64_t psc[TF_POOL_COUNT] = {13, 7, 0, 0};
    int64_t liquid[TF_POOL_COUNT] = {120, 0, 40, 0};
    const char *party;
    tf_draft d;

    (void)state;
    tf_draft_start(&d, "2017-05-01", TF_KIND_COMMITMENT, "memo", "Q@travel");
    tf_recipe_commitment(&d, TF_POOL_TRAVEL, 500);
    assert_int_equal(balanced(&d), 2);
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_ENCUMBRANCES);
    assert_int_equal(d.post[0].amount, 500);
    tf_draft_release(&d);

    tf_draft_start(&d, "2017-05-20", TF_KIND_DISBURSEMENT, "memo", "Q");
    tf_recipe_disbursement(&d, "its1", expense, psc, liquid);
    /* unrestricted: expense, PSC, liquidation; travel: expense, PSC;
     * ldc-travel: liquidation. Two postings each. */
    assert_int_equal(balanced(&d), 12);
    assert_int_equal(account_of(&d, 0, &party), TF_ACCT_TRAVEL);
    assert_string_equal(party, "its1");
    assert_ptr_equal(d.post[0].account, d.post[6].account);
    assert_int_equal(account_of(&d, 2, NULL), TF_ACCT_PSC);
    assert_int_equal(account_of(&d, 3, NULL), TF_ACCT_PSC_PAYABLE);
    assert_int_equal(account_of(&d, 4, NULL), TF_ACCT_RESERVED);
    assert_string_equal(d.post[11].pool, tf_pools[TF_POOL_LDC_TRAVEL]);
    tf_draft_release(&d);

    tf_draft_start(&d, "2017-05-18", TF_KIND_RELEASE, "memo", "Q");
    tf_recipe_release(&d, TF_POOL_LDC_TRAVEL, 40);
    tf_recipe_release(&d, TF_POOL_TRAVEL, 60);
    assert_int_equal(balanced(&d), 4);
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_RESERVED);
    assert_int_equal(account_of(&d, 1, NULL), TF_ACCT_ENCUMBRANCES);
    tf_draft_release(&d);
}

static void transfer_refund_spending(void **state)
{
    int64_t out[TF_POOL_COUNT] = {0, 35, 0, 0};
    const char *donors[12];
    int64_t amounts[12];
    tf_orig eur = {"EUR", 1000, "0.9"};
    char names[12][16];
    tf_draft d;

    (void)state;
    tf_draft_start(&d, "2018-12-31", TF_KIND_TRANSFER, "memo", NULL);
    tf_recipe_transfer(&d, out, TF_POOL_PREP);
    assert_int_equal(balanced(&d), 4);
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_TRANSFERS_OUT);
    assert_int_equal(account_of(&d, 3, NULL), TF_ACCT_TRANSFERS_IN);
    assert_string_equal(d.post[2].pool, tf_pools[TF_POOL_PREP]);
    tf_draft_release(&d);

    /* More donors than a draft holds without allocating. */
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof(names[i]), "donor-%d", i);
        donors[i] = names[i];
        amounts[i] = i + 1;
    }
    tf_draft_start(&d, "2019-01-01", TF_KIND_REFUND, "memo", "close:travel");
    tf_recipe_refund(&d, TF_POOL_TRAVEL, 78, donors, amounts, 12);
    assert_int_equal(balanced(&d), 13);
    for (int i = 0; i < 12; i++) {
        const char *party;
        assert_int_equal(account_of(&d, 1 + (size_t)i, &party),
                         TF_ACCT_REFUNDS_PAYABLE);
        assert_string_equal(party, names[i]);
    }
    tf_draft_release(&d);

    tf_draft_start(&d, "2018-02-26", TF_KIND_SPEND, "memo", "SP-1");
    tf_recipe_spending(&d, TF_ACCT_PREP, TF_POOL_PREP, 1111, &eur, 144);
    assert_int_equal(balanced(&d), 4);
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_PREP);
    assert_string_equal(d.post[1].orig_currency, "EUR");
    tf_draft_release(&d);

    tf_draft_start(&d, "2018-02-26", TF_KIND_SPEND, "memo", "SP-2");
    tf_recipe_spending(&d, TF_ACCT_PREP, TF_POOL_PREP, 1111, NULL, 0);
    assert_int_equal(balanced(&d), 2);
    tf_draft_release(&d);
}

/* A remittance of PSC: in each pool that pays, PSC payable debited and
 * cash credited; interest: cash debited, interest revenue credited. The
 * fund's interest has a party name no donor id may take. */
static void psc_payment_and_interest(void **state)
{
    int64_t paid[TF_POOL_COUNT] = {9310, 0, 0, 20690};
    tf_draft d;

    (void)state;
    tf_draft_start(&d, "2025-05-01", TF_KIND_PSC_PAYMENT, "memo", "UN-1");
    tf_recipe_psc_payment(&d, paid);
    assert_int_equal(balanced(&d), 4);
    assert_string_equal(d.entry.kind, "psc-payment");
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_PSC_PAYABLE);
    assert_int_equal(d.post[0].amount, 9310);
    assert_int_equal(account_of(&d, 1, NULL), TF_ACCT_CASH);
    assert_int_equal(d.post[1].amount, -9310);
    assert_string_equal(d.post[2].pool, tf_pools[TF_POOL_PREP]);
    assert_int_equal(d.post[2].amount, 20690);
    tf_draft_release(&d);

    tf_draft_start(&d, "2025-06-30", TF_KIND_INTEREST, "memo", NULL);
    tf_recipe_interest(&d, TF_POOL_UNRESTRICTED, 5000);
    assert_int_equal(balanced(&d), 2);
    assert_string_equal(d.entry.kind, "interest");
    assert_int_equal(account_of(&d, 0, NULL), TF_ACCT_CASH);
    assert_int_equal(d.post[0].amount, 5000);
    assert_int_equal(account_of(&d, 1, NULL), TF_ACCT_INTEREST);
    assert_int_equal(d.post[1].amount, -5000);
    assert_int_equal(tf_account_info(TF_ACCT_INTEREST)->category,
                     TF_CAT_REVENUE);
    assert_int_equal(tf_account_info(TF_ACCT_INTEREST)->outflow,
                     TF_OUTFLOW_NONE);
    tf_draft_release(&d);

    assert_true(tf_is_interest_party(tf_interest_party()));
    assert_false(tf_is_interest_party("fund"));
    assert_false(tf_is_interest_party(NULL));
    assert_true(tf_id_valid(tf_interest_party()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_match_enums),
        cmocka_unit_test(words_for_a_reader),
        cmocka_unit_test(accounts_read_back),
        cmocka_unit_test(pledge_and_receipt),
        cmocka_unit_test(grant_life),
        cmocka_unit_test(transfer_refund_spending),
        cmocka_unit_test(psc_payment_and_interest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
