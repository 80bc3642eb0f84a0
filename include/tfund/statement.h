/* SPDX-License-Identifier: MIT */
/*
 * Statements: a donor's money over a period (docs/statements.md).
 *
 * A donor statement covers the days from..to (from NULL: since the first
 * entry; to NULL: today). Per pool, in the base currency:
 *
 *   opening + received - moved - used - reshared = closing
 *   closing = committed + free
 *
 * opening    the donor's attributed balance (tf_attribution_each) on the
 *            day before from (0 without from);
 * received   its own receipts into the pool dated in the period, net of
 *            reversals dated in the period (for the fund's own interest,
 *            the interest credited to the pool in the period);
 * moved      its part of the transfers of the period out of the pool
 *            (negative: into it), the same part the attribution carries
 *            into the receiving pool, so that the parts sum to 0 over the
 *            pools;
 * used       its share of what the pool spent in the period (travel by
 *            session, preparation, PSC, refunds): the pool's spending of
 *            the period split over the donors' weights at the end of the
 *            period, then over the categories (largest remainder);
 * reshared   the change in its share of what the pool had spent before
 *            the period, which moves when donors pay in (every outflow is
 *            shared over cumulative receipts): 0 without from;
 * closing    its attributed balance at the end of the period;
 * committed  its part of the pool's outstanding commitments (grants
 *            funded, not yet paid), split over the donors' closing
 *            balances in the pool (largest remainder; a balance below
 *            zero takes no part), so that 0 <= committed <= closing;
 *            free = closing - committed.
 */
#ifndef TFUND_STATEMENT_H
#define TFUND_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/allocate.h"
#include "tfund/date.h"
#include "tfund/fund.h"

/* The category of the outflows no account of the chart records (none
 * today: kept apart so that a pool still adds up). */
#define TF_STATEMENT_OTHER "other"

/* One use of the donor's money: its share per pool and what each pool
 * spent on it in the period. */
typedef struct tf_statement_use {
    tf_outflow outflow;   /* TF_OUTFLOW_NONE for the other outflows */
    const char *category; /* tf_outflow_name (travel, prep, psc, refunds),
                             or TF_STATEMENT_OTHER */
    char *session;        /* travel: the session id; else NULL */
    int64_t share[TF_POOL_COUNT];
    int64_t spent[TF_POOL_COUNT];
} tf_statement_use;

/* What the donor pledged and paid in one currency, in its minor units. */
typedef struct tf_statement_currency {
    char code[8];
    int64_t pledged;       /* its pledges made by the end of the period */
    int64_t paid;          /* received on those pledges by then */
    int64_t outstanding;   /* pledged - paid */
    int64_t overdue;       /* outstanding on pledges due before the end */
    int64_t unpledged;     /* received without a pledge by then */
    int64_t received;      /* received in the period (net of reversals) */
    int64_t received_base; /* the same at the rates of the receipts */
} tf_statement_currency;

typedef struct tf_statement {
    char from[TF_DATE_LEN + 1];    /* "" when since the first entry */
    char to[TF_DATE_LEN + 1];      /* the last day of the period */
    char opening[TF_DATE_LEN + 1]; /* the day before from, or "" */
    int in_pool[TF_POOL_COUNT];    /* the donor had money in the pool */
    int64_t opening_balance[TF_POOL_COUNT];
    int64_t received[TF_POOL_COUNT];
    int64_t moved[TF_POOL_COUNT];
    int64_t reshared[TF_POOL_COUNT];
    int64_t closing[TF_POOL_COUNT];
    int64_t committed[TF_POOL_COUNT];
    int64_t free[TF_POOL_COUNT];
    /* The weights the pools' spending is shared over at the end of the
     * period (receipts and what transfers carried in): the donor's, all
     * parties' together, and that of the fund's own interest among them. */
    int64_t weight[TF_POOL_COUNT];
    int64_t pool_weight[TF_POOL_COUNT];
    int64_t pool_interest[TF_POOL_COUNT];
    /* Uses in the order of a statement: travel by session start, then
     * preparation, PSC, refunds and other outflows. */
    tf_statement_use *uses;
    size_t nuses;
    tf_statement_currency *currencies; /* in order of first pledge */
    size_t ncurrencies;
} tf_statement;

/*
 * Fills st with donor's statement for from..to (see above); donor may be
 * the fund's own interest (tf_interest_party), whose "received" is the
 * interest the fund earned. Errors:
 * TF_ERR_NOTFOUND (unknown donor), TF_ERR_INPUT (a bad date, from after
 * to), TF_ERR_NOMEM, and those of the queries. st is released by
 * tf_statement_release, also after an error.
 */
tf_error tf_statement_donor(tf_fund *fund, const char *donor, const char *from,
                            const char *to, tf_statement *st, tf_diag *diag);

void tf_statement_release(tf_statement *st);

/* The sum of a per-pool line. */
int64_t tf_statement_total(const int64_t line[TF_POOL_COUNT]);

/* A pledge of the donor as it stood at the end of a period. */
typedef struct tf_statement_pledge {
    const char *ref, *date, *due, *pool, *currency, *rate; /* due "" */
    int64_t amount, received; /* in currency's minor units */
    int64_t booked;           /* the pledge at the rate of its date */
    int64_t received_value;   /* the receipts at their own rates */
    int64_t relieved;         /* booked value the receipts settled */
    int implicit;             /* recorded by a receipt without pledge */
    int overdue;              /* outstanding and due before the end */
} tf_statement_pledge;

/* Walks the donor's pledges made by `to` and not reversed by then, with
 * what had been received on them by then, in date, ref order. */
tf_error tf_statement_pledges(tf_fund *fund, const char *donor, const char *to,
                              int (*fn)(void *ctx,
                                        const tf_statement_pledge *p),
                              void *ctx, tf_diag *diag);

/* A receipt of the period, or the reversal in the period of a receipt
 * (reverses set, amounts negated, dated on the reversal). */
typedef struct tf_statement_receipt {
    const char *ref, *date, *pledge, *pool, *currency, *rate;
    const char *reverses;  /* the receipt's ref for a reversal, else NULL */
    int64_t amount, value; /* currency's minor units; base currency */
    int implicit;          /* paid without a pledge */
} tf_statement_receipt;

/* Walks the donor's receipts dated from..to (from NULL: since the first)
 * and the reversals of its receipts dated in the period, by date. */
tf_error tf_statement_receipts(tf_fund *fund, const char *donor,
                               const char *from, const char *to,
                               int (*fn)(void *ctx,
                                         const tf_statement_receipt *r),
                               void *ctx, tf_diag *diag);

#endif
