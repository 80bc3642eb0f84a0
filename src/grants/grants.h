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
 * later commitments could spend money those already hold: the commit's
 * rule (tf_pools_guard: TF_ERR_RULE when a pool ends below zero today and
 * below where it was), applied at once, with what and date naming the
 * step in the message (kept for the commit's check).
 */
tf_error tf_pools_check_today(tf_fund *fund, const char *what, const char *date,
                              tf_diag *diag);

/* A trip's figures (DESIGN.md 9.2): cost = fare + dsa x (days +
 * extra_days) + terminal; psc = half-even(cost x psc_rate); charge = cost +
 * psc. fare is already in the base currency. TF_ERR_INPUT on overflow. */
tf_error tf_trip_charge(const tf_session *s, int64_t fare, const char *psc_rate,
                        int64_t *dsa, int64_t *cost, int64_t *psc,
                        int64_t *charge);

/* A request's decision, one row of the decisions table (run 0: a
 * decision of its own; charge -1: none). */
tf_error tf_grant_decision(tf_fund *fund, int64_t run, const char *ref,
                           const char *date, tf_status status,
                           const char *reason, int64_t charge, const char *note,
                           tf_diag *diag);

/* The request's cached state: a new status with no reason (figures
 * kept), or back to pending with no figures. */
tf_error tf_grant_set_status(tf_fund *fund, const char *ref, tf_status status,
                             tf_diag *diag);
tf_error tf_grant_set_pending(tf_fund *fund, const char *ref, tf_diag *diag);

/* Releases a funded grant's commitments (its current draws) in one
 * release entry dated date; *released gets the total. */
tf_error tf_grant_release(tf_fund *fund, const char *ref, const char *date,
                          const char *memo, int64_t *released, tf_diag *diag);

/* The step that voids a proposed run or a payment request: the word of
 * the status a rejected request has (the books spell it). */
#define TF_STEP_REJECTED tf_status_name(TF_STATUS_REJECTED)

/*
 * Who may reject what awaits a step (DESIGN.md section 11): in a team
 * fund, a run or payment request that awaits its certification is
 * rejected by a user with the certifying role, one that awaits its
 * approval by a user with the approving role; in a fund of one person,
 * by its user. what names it in the message ("run 3", "payment request
 * 2"); TF_ERR_RULE otherwise.
 */
tf_error tf_grant_may_reject(tf_fund *fund, const char *what,
                             int awaits_approval, tf_diag *diag);

#endif
