/* SPDX-License-Identifier: MIT */
/*
 * Travel-grant allocation (DESIGN.md sections 4 and 9): requests, the
 * allocation batch of a session, disbursement of actual costs and
 * cancellation.
 */
#ifndef TFUND_ALLOCATE_H
#define TFUND_ALLOCATE_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/fund.h"
#include "tfund/ledger.h"

/* A travel request and its current decision. Figures are in the base
 * currency; has_figures is 0 for a request never allocated. */
typedef struct tf_request {
    const char *ref, *session, *country, *delegate, *submitted;
    const char *fare_currency, *gender;
    int64_t fare_orig; /* in fare_currency's minor units */
    const char *status, *reason, *region_group, *decided;
    int tier; /* 1, 2, or 0 when none */
    int has_figures;
    int64_t fare, dsa, terminal, cost, psc, charge;
    /* Draws in draw order. */
    int ndraws;
    struct {
        const char *pool;
        int64_t amount;
    } draws[TF_POOL_COUNT];
} tf_request;

/* Records a travel request (DESIGN.md section 6): the session and country
 * must be known, submitted a time, fare_orig >= 0 in fare_currency, for
 * which some rate must exist. Same ref again: *known; different: refused.
 * Which field an input error concerns is named in *field (a column name,
 * or NULL). */
tf_error tf_request_add(tf_fund *fund, const tf_request *r, int *known,
                        const char **field, tf_diag *diag);

/* Walks the requests of session (all sessions when NULL) in reference
 * order; ref limits it to one request. */
tf_error tf_request_each(tf_fund *fund, const char *session, const char *ref,
                         int (*fn)(void *ctx, const tf_request *r), void *ctx,
                         tf_diag *diag);

/*
 * Walks the requests of session (all when NULL) in reference order as
 * they stood at the end of as_of (NULL: now): each with the last decision
 * dated on or before it (pending, with no tier and no figures, when none),
 * the figures of the run that took that decision and the draws of the
 * commitments dated by then. A decision of an earlier run of a request
 * reconsidered since has its figures recomputed from that run's date (the
 * charge must match the one recorded; otherwise only the decision shows).
 */
tf_error tf_request_each_as_of(tf_fund *fund, const char *session,
                               const char *as_of,
                               int (*fn)(void *ctx, const tf_request *r),
                               void *ctx, tf_diag *diag);

typedef enum tf_order {
    TF_ORDER_SUBMITTED,
    TF_ORDER_COST,
    TF_ORDER_REGION
} tf_order;

typedef struct tf_alloc_options {
    const char *date; /* the run's date: books and rates as of it */
    tf_order order;
    int budget_all; /* share 1 instead of the days share */
    int64_t cap;    /* limit on the run's total charge; -1: none */
    int strict;     /* stop funding at the first that does not fit */
    int dry_run;    /* decide and report, write nothing */
} tf_alloc_options;

/* What a run decided, for its summary. */
typedef struct tf_alloc_result {
    int64_t run; /* the run's id (0 for a dry run) */
    long considered, funded, waitlisted, rejected;
    long funded_tier[3];
    int64_t funded_charge;
    char share[64];               /* the days share as a fraction "a/b" */
    int64_t allow[TF_POOL_COUNT]; /* allowance per pool (tf_pools order) */
    int64_t drawn[TF_POOL_COUNT]; /* what the run drew per pool */
} tf_alloc_result;

/*
 * Runs the allocation batch of session in the caller's transaction:
 * eligibility, cost, order, quota, budget, funding and commitment entries,
 * reconsidering only pending and waitlisted requests. With dry_run the
 * caller rolls back. fn (may be NULL) receives each decision taken.
 */
tf_error tf_allocate(tf_fund *fund, const char *session,
                     const tf_alloc_options *opt, tf_alloc_result *res,
                     int (*fn)(void *ctx, const tf_request *r), void *ctx,
                     tf_diag *diag);

/* Records a request's actual cost after travel (as imported in costs).
 * amount is in currency's minor units. */
tf_error tf_cost_add(tf_fund *fund, const char *ref, const char *date,
                     int64_t amount, const char *currency, int *known,
                     tf_diag *diag);

/* What a disbursement booked. */
typedef struct tf_disburse_result {
    int64_t actual, psc, charge, committed, released, overrun;
} tf_disburse_result;

/*
 * Pays a funded grant its actual cost: date is the disbursement's date;
 * with currency NULL the recorded cost row is used (TF_ERR_NOTFOUND if
 * none), else amount in currency converted at date. Refused (TF_ERR_RULE)
 * for a request not funded, or an overrun the pools cannot cover.
 */
tf_error tf_disburse(tf_fund *fund, const char *ref, const char *date,
                     const char *currency, int64_t amount,
                     tf_disburse_result *res, tf_diag *diag);

/* Cancels a request: a funded one releases its commitments; a pending or
 * waitlisted one is just marked. Others are refused (TF_ERR_RULE). */
tf_error tf_cancel(tf_fund *fund, const char *ref, const char *date,
                   int64_t *released, tf_diag *diag);

/*
 * The checks of verify that concern allocation runs (DESIGN.md section
 * 10: an allocation uses the values in force when it ran): the settings
 * each run recorded were the versions in force, its budget share follows
 * from the sessions then registered, and each of its decisions has the
 * tier of the country's classification then in force and figures that
 * follow from its fare, the session and the run's psc_rate. Each failure
 * goes to fn (entry 0); *failures gets their number. tfund verify runs
 * them after tf_verify.
 */
tf_error tf_verify_runs(tf_fund *fund,
                        void (*fn)(void *ctx, int64_t entry, const char *what),
                        void *ctx, long *failures, tf_diag *diag);

/* If e is a grant's own entry (a commitment, "REF@pool", or a
 * disbursement or release, "REF"), writes the request's reference REF
 * into ref (size bytes) and returns 1; otherwise 0. A reversal is not:
 * it belongs to the grant of the entry it reverses. */
int tf_grant_entry_ref(const tf_entry *e, char *ref, size_t size);

#endif
