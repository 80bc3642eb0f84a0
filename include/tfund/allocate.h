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

/* What an amendment changes of a request (NULL: keeps it); the fare
 * only with its currency, fare in that currency's minor units. */
typedef struct tf_request_amendment {
    const char *ref;
    const char *delegate, *gender, *fare_currency;
    int64_t fare;
} tf_request_amendment;

/*
 * Amends a pending or waitlisted request's details (DESIGN.md section
 * 10): a new version of them, the old ones staying as they were recorded
 * (TF_ERR_RULE in another state). The duplicate guard applies to a new
 * delegate. *changed is 0 when nothing differs (nothing written).
 */
tf_error tf_request_amend(tf_fund *fund, const tf_request_amendment *a,
                          int *changed, tf_diag *diag);

/* Walks the requests of session (all sessions when NULL) in reference
 * order, with their current details; ref limits it to one request. */
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
    int budget_all; /* --budget all: share 1, or on a re-run a reset */
    int64_t cap;    /* limit on the run's total charge; -1: none */
    int strict;     /* stop funding at the first that does not fit */
    int dry_run;    /* decide and report, write nothing */
} tf_alloc_options;

/*
 * A session's envelope (DESIGN.md 9.4) and what a run of it dated date
 * starts from, per pool (indexed like tf_pools; prep is always 0):
 * - envelope: the one stored by the session's runs (fixed by the first
 *   that wrote, kept by re-runs, reset by a re-run given --budget all), or
 *   what a first run would fix, floor(available x share);
 * - used: the funding draws of the session's funded and disbursed grants;
 * - available: the pool's available as of date;
 * - allowance: max(0, min(available, envelope - used)), what the run may
 *   spend (0 when date is after the session's last day).
 */
typedef struct tf_envelope {
    int64_t run;       /* the run whose envelope is in force; 0: none yet */
    char basis[8];     /* how a run dated date comes by its envelope:
                          "fixed", "kept" or "reset" */
    char share[64];    /* the share of the run's --budget, "days/total" */
    char last_day[16]; /* the session's last day */
    int after_last;    /* date is after it: no run may be dated so */
    int has_runs;      /* the session has had a run */
    int64_t envelope[TF_POOL_COUNT], used[TF_POOL_COUNT];
    int64_t available[TF_POOL_COUNT], allowance[TF_POOL_COUNT];
    int64_t travel_budget; /* the session's travel_budget; 0: no cap */
    int64_t budget_used;   /* the funding charges of its grants */
} tf_envelope;

/* The envelope figures a run of session dated date would start from,
 * with the default --budget days. */
tf_error tf_envelope_get(tf_fund *fund, const char *session, const char *date,
                         tf_envelope *out, tf_diag *diag);

/* What a run decided, for its summary. */
typedef struct tf_alloc_result {
    int64_t run; /* the run's id (0 for a dry run) */
    long considered, funded, waitlisted, rejected;
    long funded_tier[3];
    int64_t funded_charge;
    char share[64];               /* the share of its --budget, "a/b" */
    int64_t allow[TF_POOL_COUNT]; /* allowance per pool (tf_pools order) */
    int64_t drawn[TF_POOL_COUNT]; /* what the run drew per pool */
    tf_envelope env;              /* the envelope it started from */
    int proposed; /* approvals on: the run awaits its approval */
} tf_alloc_result;

/*
 * Runs the allocation batch of session: eligibility, cost, order, quota,
 * envelope and allowance, caps, funding and commitment entries,
 * reconsidering only the pending and waitlisted requests submitted by the
 * run's date. Refused (TF_ERR_RULE) after the session's last day or in a
 * closed period. A run that writes does so in the caller's transaction; a
 * dry run writes nothing (it only reads, so the fund may be read-only).
 * fn (may be NULL) receives each decision taken, in reference order.
 */
tf_error tf_allocate(tf_fund *fund, const char *session,
                     const tf_alloc_options *opt, tf_alloc_result *res,
                     int (*fn)(void *ctx, const tf_request *r), void *ctx,
                     tf_diag *diag);

/*
 * The approval of a proposed run (DESIGN.md section 11; the setting
 * approvals). With approvals on, tf_allocate records a run that writes as
 * proposed: its decisions visible (tf_proposal_each), nothing committed,
 * its requests where they were. Then, each by another actor than the one
 * who proposed it:
 * - certify (certify-approve only): the funds are available and the
 *   purpose is the fund's;
 * - approve (after the certification, with certify-approve; not by the
 *   certifier): its decisions are written and its commitments posted on
 *   date, provided its figures still hold then (none of its requests
 *   decided or amended since, its draws within the envelope left and what
 *   the pools have, the travel_budget and the quotas); otherwise refused
 *   (TF_ERR_RULE): reject it and propose a run again;
 * - reject, with a reason (by anyone): the run is void.
 * A second run of the session is refused while one awaits approval.
 */
tf_error tf_allocation_certify(tf_fund *fund, int64_t run, const char *date,
                               tf_diag *diag);
tf_error tf_allocation_approve(tf_fund *fund, int64_t run, const char *date,
                               tf_alloc_result *res, tf_diag *diag);
tf_error tf_allocation_reject(tf_fund *fund, int64_t run, const char *date,
                              const char *reason, tf_diag *diag);

/* One waitlisted request as the next run would see it. */
typedef struct tf_waitlist_row {
    const char *session;
    long position; /* 1, 2, ... in the order the run considers them */
    /* Its figures at the date; status and reason are what the run would
     * decide (funded: reason ""). */
    const tf_request *request;
    /* What keeps it out: 0 when the run would fund it; its charge less
     * the allowance its tier's pools have left when the walk reaches it
     * (insufficient-funds) or less what the travel_budget has left (cap);
     * -1 for quota (no amount). */
    int64_t shortfall;
} tf_waitlist_row;

/*
 * The waitlist (DESIGN.md 9.4; tests/reference/README.md rule 12): for
 * every session whose last day is on or after date (or session alone;
 * TF_ERR_RULE if it is over), by start date then id, the waitlisted
 * requests submitted by date, in the order a run of that session dated
 * date with the default options would consider them, and what that run
 * would decide. Writes nothing.
 */
tf_error tf_waitlist(tf_fund *fund, const char *session, const char *date,
                     int (*fn)(void *ctx, const tf_waitlist_row *w), void *ctx,
                     tf_diag *diag);

/* What a session still to come can spend: its envelope figures and, per
 * tier, what that buys. */
typedef struct tf_headroom {
    const char *session;
    const tf_envelope *env;
    struct {
        /* The allowance of the tier's pools, within what the
         * travel_budget has left. */
        int64_t room;
        long requests;  /* pending and waitlisted, submitted by date */
        int64_t median; /* their median charge at date (-1: none) */
        long covers;    /* how many requests of that charge room pays */
    } tier[3];          /* [1] LDC, [2] other developing */
} tf_headroom;

/* For every session whose last day is on or after date (or session
 * alone), by start date then id: its headroom as of date. Writes
 * nothing. */
tf_error tf_headroom_each(tf_fund *fund, const char *session, const char *date,
                          int (*fn)(void *ctx, const tf_headroom *h), void *ctx,
                          tf_diag *diag);

/* One allocation run, as tf_run_each lists it. */
typedef struct tf_run_info {
    int64_t id; /* runs are numbered per fund */
    const char *session, *date, *actor, *options, *share;
    const char *basis;     /* "fixed", "kept", "reset" ("" before envelopes) */
    const char *last_step; /* "" or "STEP DATE ACTOR" of its latest step
                              (undone, proposed, certified, approved,
                              rejected) */
    int has_envelope;
    int64_t envelope[TF_POOL_COUNT];
    long considered, funded, waitlisted, rejected;
    int64_t funded_charge;
} tf_run_info;

/* Walks the runs of session (all when NULL; TF_ERR_NOTFOUND for an
 * unknown one) in order. */
tf_error tf_run_each(tf_fund *fund, const char *session,
                     int (*fn)(void *ctx, const tf_run_info *r), void *ctx,
                     tf_diag *diag);

/* The decisions run took, in reference order: those it proposed (the
 * table proposals) while it awaits its approval or was rejected, the
 * decisions it wrote otherwise. Each as a tf_request with the run's
 * figures and draws; its other fields are the request's as recorded.
 * TF_ERR_NOTFOUND for an unknown run. */
tf_error tf_run_decisions(tf_fund *fund, int64_t run,
                          int (*fn)(void *ctx, const tf_request *r), void *ctx,
                          tf_diag *diag);

/* One step of a run's approval (DESIGN.md section 11): proposed,
 * certified, approved, rejected (note: the reason) or undone, with its
 * date and actor. Strings borrowed for the call. */
typedef struct tf_run_step {
    const char *step, *date, *actor, *note;
} tf_run_step;

/* Walks the steps of run in the order they were taken (none for a run
 * made with approvals off). TF_ERR_NOTFOUND for an unknown run. */
tf_error tf_run_steps(tf_fund *fund, int64_t run,
                      int (*fn)(void *ctx, const tf_run_step *s), void *ctx,
                      tf_diag *diag);

/* What an undo did. */
typedef struct tf_undo_result {
    char session[80];
    long funded;      /* grants back to pending, commitments released */
    long other;       /* waitlisted and rejected back to pending */
    int64_t released; /* the commitments released */
} tf_undo_result;

/*
 * Undoes allocation run (DESIGN.md section 10) on date: every request
 * whose state is still that run's decision goes back to pending, a funded
 * one with its commitments released (one release entry each); a request
 * cancelled since stays so, one decided by a later run is left alone.
 * Refused (TF_ERR_RULE), naming them, if any of its grants has since been
 * disbursed; and for a run not in force, a date before the run's or in a
 * closed period. The run's envelope is no longer the session's.
 */
tf_error tf_allocation_undo(tf_fund *fund, int64_t run, const char *date,
                            tf_undo_result *res, tf_diag *diag);

/* Records a request's actual cost after travel (as imported in costs).
 * amount is in currency's minor units. */
tf_error tf_cost_add(tf_fund *fund, const char *ref, const char *date,
                     int64_t amount, const char *currency, int *known,
                     tf_diag *diag);

/* What a disbursement booked. */
typedef struct tf_disburse_result {
    int64_t actual, psc, charge, committed, released, overrun;
    char date[16];    /* the date it was booked on */
    int64_t entry;    /* the disbursement entry (0: none) */
    int64_t reversed; /* the reversal of the one it replaced (0: none) */
    int64_t payment;  /* approvals on: the payment request recorded */
} tf_disburse_result;

typedef struct tf_disburse_options {
    /* The disbursement's date; NULL: the cost row's date (DESIGN.md
     * section 10) with the recorded cost, today with an amount. */
    const char *date;
    /* NULL: the recorded cost row (TF_ERR_NOTFOUND if none); else amount
     * in currency's minor units, converted at the date. */
    const char *currency;
    int64_t amount;
    /* Accept an actual charge above the committed by more than the
     * setting cost_tolerance (0.5 = 50% by default; TF_ERR_INPUT
     * otherwise). */
    int force;
    /* Replace the disbursement of a disbursed grant: its entry reversed,
     * the new actual cost posted (needs currency and amount). */
    int correct;
    /* Set by tf_payment_approve: the payment request being posted (with
     * approvals on, a disbursement otherwise only records one). */
    int64_t payment;
} tf_disburse_options;

/*
 * Pays a funded grant its actual cost (or, with correct, replaces a
 * disbursed grant's). Refused (TF_ERR_RULE) for a request in another
 * state, dated before the funding (or the disbursement it corrects) or in
 * a closed period, or an overrun the pools cannot cover.
 */
tf_error tf_disburse_ex(tf_fund *fund, const char *ref,
                        const tf_disburse_options *o, tf_disburse_result *res,
                        tf_diag *diag);

/* A payment request (approvals on: what disburse records). */
typedef struct tf_payment {
    int64_t id;
    const char *request, *date, *currency, *actor;
    int64_t amount; /* in currency; none (imported cost) when currency
                       is NULL */
    int force, correct;
    const char *state; /* requested, certified, approved, rejected */
    const char *step_date, *step_actor, *note;
    int64_t entry; /* approved: the disbursement posted */
} tf_payment;

/* Walks the payment requests (of request ref, all when NULL) in order. */
tf_error tf_payment_each(tf_fund *fund, const char *ref,
                         int (*fn)(void *ctx, const tf_payment *p), void *ctx,
                         tf_diag *diag);

/*
 * A payment request's steps, as an allocation run's (tf_allocation_certify
 * and the rest): certified (certify-approve only), approved (posted on
 * date as tf_disburse_ex would, refused if that is refused now), or
 * rejected with a reason; none by the actor who requested it, and the
 * approval not by its certifier.
 */
tf_error tf_payment_certify(tf_fund *fund, int64_t id, const char *date,
                            tf_diag *diag);
tf_error tf_payment_approve(tf_fund *fund, int64_t id, const char *date,
                            tf_disburse_result *res, tf_diag *diag);
tf_error tf_payment_reject(tf_fund *fund, int64_t id, const char *date,
                           const char *reason, tf_diag *diag);

/* tf_disburse_ex with date (may be NULL), currency and amount. */
tf_error tf_disburse(tf_fund *fund, const char *ref, const char *date,
                     const char *currency, int64_t amount,
                     tf_disburse_result *res, tf_diag *diag);

/* A disbursed grant back to funded: its disbursement reversed on date,
 * which re-establishes the commitment (res->committed); refused
 * (TF_ERR_RULE) when the pools cannot hold it on that date or today. */
tf_error tf_undisburse(tf_fund *fund, const char *ref, const char *date,
                       tf_disburse_result *res, tf_diag *diag);

/* Cancels a request: a funded one releases its commitments; a pending or
 * waitlisted one is just marked. Others are refused (TF_ERR_RULE), and so
 * is a date in a closed period. */
tf_error tf_cancel(tf_fund *fund, const char *ref, const char *date,
                   int64_t *released, tf_diag *diag);

/* A cancelled request back to pending (no figures), on date. */
tf_error tf_reinstate(tf_fund *fund, const char *ref, const char *date,
                      tf_diag *diag);

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
