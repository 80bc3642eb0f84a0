/* SPDX-License-Identifier: MIT */
/*
 * Surplus to conference preparation, preparation spending, attribution of
 * outflows to donors, and closing the fund (DESIGN.md sections 5 and 9).
 */
#ifndef TFUND_SURPLUS_H
#define TFUND_SURPLUS_H

#include <stdint.h>

#include "tfund/fund.h"

/* What the travel of one session still needs (for the surplus). */
typedef struct tf_need {
    const char *session, *start;
    long waitlisted, pending;
    int64_t charges;       /* waitlisted + eligible pending charges */
    int64_t travel_budget; /* for a session with no requests, else 0 */
} tf_need;

typedef struct tf_surplus_result {
    int64_t need;
    int64_t available_unrestricted, available_travel;
    int64_t surplus;
    int64_t moved_unrestricted, moved_travel;
    int64_t entry; /* the transfer entry, 0 when nothing moved */
} tf_surplus_result;

/*
 * Computes the surplus at date and, unless dry_run, moves it to prep in
 * one transfer entry (unrestricted first, then travel), in the caller's
 * transaction. fn (may be NULL) receives the need of each session.
 */
tf_error tf_surplus(tf_fund *fund, const char *date, int dry_run,
                    tf_surplus_result *res,
                    int (*fn)(void *ctx, const tf_need *n), void *ctx,
                    tf_diag *diag);

/*
 * Why a surplus of res at date may be premature (issue of the safeguard,
 * README "Surplus"): no session starts after date; pledges to the travel
 * pools are still unpaid; the move would leave unrestricted and travel at
 * zero available while requests of sessions not yet over are waitlisted.
 * fn (may be NULL) receives each as one line; *count their number (none
 * when nothing would move).
 */
tf_error tf_surplus_warnings(tf_fund *fund, const char *date,
                             const tf_surplus_result *res,
                             int (*fn)(void *ctx, const char *warning),
                             void *ctx, long *count, tf_diag *diag);

/* Conference-preparation spending from prep, with PSC. amount is in
 * currency's minor units, converted at date. Refused (TF_ERR_RULE) beyond
 * what prep has available on that date. Known identical ref: *known. */
typedef struct tf_spend {
    const char *ref, *date, *currency, *memo;
    int64_t amount;
    /* Filled when listing: */
    int64_t base_amount, psc;
} tf_spend;

tf_error tf_spend_add(tf_fund *fund, const tf_spend *s, int *known,
                      tf_diag *diag);
tf_error tf_spend_each(tf_fund *fund, const char *as_of,
                       int (*fn)(void *ctx, const tf_spend *s), void *ctx,
                       tf_diag *diag);
/* Every spending recorded, reversed ones too, by date and reference: fn
 * also gets its entry and the entry reversing it (0 when none). */
tf_error tf_spend_list(tf_fund *fund,
                       int (*fn)(void *ctx, const tf_spend *s, int64_t entry,
                                 int64_t reversed_by),
                       void *ctx, tf_diag *diag);

/* One donor's share of one pool. */
typedef struct tf_attribution {
    const char *donor, *pool;
    int64_t receipts; /* own receipts + what transfers carried in */
    int64_t carried;  /* the part of receipts carried by transfers */
    int64_t outflows; /* attributed outflows */
    int64_t balance;  /* receipts - outflows */
} tf_attribution;

/*
 * Attributes every outflow of every pool to the donors as of date (NULL:
 * all), pro-rata to their receipts into the pool (transfers carrying their
 * attribution into the receiving pool). fn gets the rows with nonzero
 * receipts, by pool (tf_pools order) then donor; donor limits them.
 */
tf_error tf_attribution_each(tf_fund *fund, const char *as_of,
                             const char *donor,
                             int (*fn)(void *ctx, const tf_attribution *a),
                             void *ctx, tf_diag *diag);

/* What a donor's attributed outflows of a pool were used for: the pool's
 * outflows by category, the donor's outflow split over them pro-rata to
 * the category totals (largest remainder, categories in account order),
 * so that a donor's uses of a pool sum exactly to its attributed
 * outflows. category: "travel" (session set), "psc", "prep",
 * "surplus-routed" (transfers out), "refunds". */
typedef struct tf_use {
    const char *donor, *pool, *category, *session; /* session or NULL */
    tf_outflow outflow; /* the category as the chart names it */
    int64_t amount;
} tf_use;

tf_error tf_attribution_uses(tf_fund *fund, const char *as_of,
                             const char *donor,
                             int (*fn)(void *ctx, const tf_use *u), void *ctx,
                             tf_diag *diag);

/* One donor's share of one disbursed grant's charge in one pool. */
typedef struct tf_grant_share {
    const char *ref, *session, *country, *delegate, *pool, *donor;
    int tier;
    int64_t charge; /* what the grant took from the pool */
    int64_t share;  /* the donor's part of it */
} tf_grant_share;

/* Walks the disbursed grants as of date with each donor's share of each
 * pool's part (pro-rata over the pool's weights); donor limits the rows. */
tf_error tf_grant_shares(tf_fund *fund, const char *as_of, const char *donor,
                         int (*fn)(void *ctx, const tf_grant_share *g),
                         void *ctx, tf_diag *diag);

/*
 * Closes the fund at date: refused while commitments are outstanding;
 * otherwise each pool's remaining balance becomes refunds payable to its
 * donors pro-rata (one entry per pool), passed to fn (may be NULL), and
 * the fund accepts no new pledges, receipts, requests or allocations.
 */
tf_error tf_close(tf_fund *fund, const char *date,
                  int (*fn)(void *ctx, const char *pool, const char *donor,
                            int64_t amount),
                  void *ctx, tf_diag *diag);

#endif
