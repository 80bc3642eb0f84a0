/* SPDX-License-Identifier: MIT */
/* What closing the fund asks of the attribution (not public). */
#ifndef TF_CLOSE_ATTRIBUTION_H
#define TF_CLOSE_ATTRIBUTION_H

#include <stdint.h>

#include "tfund/fund.h"

/* Splits pool k's remaining balance as of as_of over its donors' weights
 * (the attribution's own), handing fn each donor's part in donor order;
 * fn returns nonzero to stop. The part of the fund's own interest goes to
 * the donors, pro-rata to their weights (TF_ERR_RULE when the pool has
 * none). */
tf_error tf_attribution_refunds(tf_fund *fund, const char *as_of, int k,
                                int64_t remaining,
                                int (*fn)(void *ctx, const char *donor,
                                          int64_t amount),
                                void *ctx, tf_diag *diag);

/* One transfer's leg out of a pool as the attribution splits it: over
 * the source pool's weights at that point (own receipts, interest, and
 * what earlier legs carried in), parts[i] for parties[i] (the donors and
 * the interest's party, sorted by id), all carried into pool `to`. */
typedef struct tf_attribution_leg {
    const char *date;
    int from, to;
    int64_t amount;
    size_t nparties;
    const char *const *parties;
    const int64_t *parts;
} tf_attribution_leg;

/* Walks the transfers' legs as of as_of (NULL: all) in entry order, as
 * tf_attribution_each carries them; fn returns nonzero to stop. */
tf_error tf_attribution_legs(tf_fund *fund, const char *as_of,
                             int (*fn)(void *ctx, const tf_attribution_leg *l),
                             void *ctx, tf_diag *diag);

#endif
