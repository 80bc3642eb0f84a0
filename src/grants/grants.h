/* SPDX-License-Identifier: MIT */
/* What the allocation run (allocate.c) and the grant's life (grant.c)
 * share, and the trip's cost the surplus also needs (not public). */
#ifndef TF_GRANTS_H
#define TF_GRANTS_H

#include <stdint.h>

#include "tfund/fund.h"

/* The pools that may pay for a tier (1: LDC, 2: other developing), in
 * draw order, ending with -1. */
const int *tf_tier_pools(int tier);

/*
 * A dated command sees the books as of its date, so one dated before
 * later commitments could spend money those already hold: TF_ERR_RULE if
 * any pool k with touched[k] has a negative available today. what and
 * date name the command in the message.
 */
tf_error tf_pools_check_today(tf_fund *fund, const int *touched,
                              const char *what, const char *date,
                              tf_diag *diag);

/* A trip's figures (DESIGN.md 9.2): cost = fare + dsa x (days +
 * extra_days) + terminal; psc = half-even(cost x psc_rate); charge = cost +
 * psc. fare is already in the base currency. TF_ERR_INPUT on overflow. */
tf_error tf_trip_charge(const tf_session *s, int64_t fare, const char *psc_rate,
                        int64_t *dsa, int64_t *cost, int64_t *psc,
                        int64_t *charge);

#endif
