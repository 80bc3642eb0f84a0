/* SPDX-License-Identifier: MIT */
/*
 * The fund's own cash movements beside the donors' (docs/treasury.md):
 * the programme support costs remitted to the UN, and interest earned on
 * the fund's bank balance.
 *
 * PSC is charged on every grant paid and every preparation spending
 * (psc_rate x the direct cost) and owed to the UN: it stays in the bank,
 * in liabilities:psc-payable of the pool that paid the cost, until the
 * fund remits it. A remittance clears the liability with cash: the bank
 * balance goes down, what each pool holds for its purpose (its cash net
 * of what it owes, its available) does not change.
 *
 * Interest is revenue of the pool it is credited to (unrestricted unless
 * said otherwise): cash and available go up by it; the pool's receipts
 * (the donors') and its reserve do not. The attribution counts it as the
 * fund's own receipt, under the party tf_interest_party ("fund-interest"),
 * a weight in the pool's pro-rata like a donor's receipts.
 */
#ifndef TFUND_TREASURY_H
#define TFUND_TREASURY_H

#include <stdint.h>

#include "tfund/books.h"
#include "tfund/fund.h"

/* The PSC of one pool as of a date, in the base currency. */
typedef struct tf_psc_figures {
    const char *pool;
    int64_t charged; /* PSC charged on grants and spending (net of
                        reversals) */
    int64_t paid;    /* remitted to the UN (net of reversals) */
    int64_t payable; /* still owed: charged - paid */
} tf_psc_figures;

/* Fills figs[TF_POOL_COUNT], in tf_pools order, as of as_of (NULL:
 * now). */
tf_error tf_psc_figures_get(tf_fund *fund, const char *as_of,
                            tf_psc_figures figs[TF_POOL_COUNT], tf_diag *diag);

/*
 * A remittance of PSC to the UN: amount (base currency, > 0) paid on
 * date, ref (may be NULL: none; else unique among remittances) and memo
 * (may be NULL). It is split over the pools pro-rata to what each owes
 * as of date (largest remainder, ties to the pool first in tf_pools
 * order), so that paying all that is owed clears every pool. Refused
 * (TF_ERR_RULE) beyond the PSC payable as of date, or when a pool's part
 * exceeds what it owes today (remittances dated after date). part[] and
 * entry are filled.
 */
typedef struct tf_psc_payment {
    const char *date, *ref, *memo;
    int64_t amount;
    int64_t part[TF_POOL_COUNT];
    int64_t entry;
    int64_t reversed_by; /* when listing: the reversal's entry, or 0 */
} tf_psc_payment;

/* Books p in the caller's transaction. A known ref with the same date
 * and amount sets *known and books nothing; with other details it is
 * refused (TF_ERR_INPUT). */
tf_error tf_psc_pay(tf_fund *fund, tf_psc_payment *p, int *known,
                    tf_diag *diag);

/* Walks the remittances dated on or before as_of (NULL: all), by date. */
tf_error tf_psc_payment_each(tf_fund *fund, const char *as_of,
                             int (*fn)(void *ctx, const tf_psc_payment *p),
                             void *ctx, tf_diag *diag);

/*
 * Interest earned on the fund's bank balance: amount (base currency,
 * > 0) credited on date to pool (NULL: unrestricted), ref and memo as
 * above. Refused (TF_ERR_RULE) into a pool no donor's money is in as of
 * date (the interest would have no one to share a pool's spending and
 * its remaining balance with).
 */
typedef struct tf_interest {
    const char *date, *pool, *ref, *memo;
    int64_t amount;
    int64_t entry;
    int64_t reversed_by; /* when listing */
} tf_interest;

tf_error tf_interest_add(tf_fund *fund, tf_interest *i, int *known,
                         tf_diag *diag);

tf_error tf_interest_each(tf_fund *fund, const char *as_of,
                          int (*fn)(void *ctx, const tf_interest *i), void *ctx,
                          tf_diag *diag);

#endif
