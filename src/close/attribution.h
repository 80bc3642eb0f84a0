/* SPDX-License-Identifier: MIT */
/* What closing the fund asks of the attribution (not public). */
#ifndef TF_CLOSE_ATTRIBUTION_H
#define TF_CLOSE_ATTRIBUTION_H

#include <stdint.h>

#include "tfund/fund.h"

/* Splits pool k's remaining balance as of as_of over its donors' weights
 * (the attribution's own), handing fn each donor's part in donor order;
 * fn returns nonzero to stop. */
tf_error tf_attribution_refunds(tf_fund *fund, const char *as_of, int k,
                                int64_t remaining,
                                int (*fn)(void *ctx, const char *donor,
                                          int64_t amount),
                                void *ctx, tf_diag *diag);

#endif
