/* SPDX-License-Identifier: MIT */
/*
 * The books' names, each spelled once: chart.c builds the tables of
 * include/tfund/books.h from them, and the queries of the core name
 * accounts, pools, kinds and statuses through the SQL fragments below, so
 * that a literal in a query is still the chart's own and the statement
 * stays a constant (SQLite then uses the partial indexes the schema
 * declares on these values). Not a public header.
 */
#ifndef TF_CHART_SQL_H
#define TF_CHART_SQL_H

/* ---- Names ---------------------------------------------------------- */

#define TF_N_CASH            "assets:cash"
#define TF_N_RECEIVABLE      "assets:receivable"
#define TF_N_PSC_PAYABLE     "liabilities:psc-payable"
#define TF_N_REFUNDS_PAYABLE "liabilities:refunds-payable"
#define TF_N_CONTRIBUTIONS   "revenue:contributions"
#define TF_N_FX_GAIN         "revenue:fx-gain"
#define TF_N_INTEREST        "revenue:interest"
#define TF_N_FX_LOSS         "expense:fx-loss"
#define TF_N_TRAVEL          "expense:travel"
#define TF_N_PSC             "expense:psc"
#define TF_N_PREP            "expense:prep"
#define TF_N_REFUNDS         "expense:refunds"
#define TF_N_TRANSFERS_IN    "transfers:in"
#define TF_N_TRANSFERS_OUT   "transfers:out"
#define TF_N_ENCUMBRANCES    "budget:encumbrances"
#define TF_N_RESERVED        "budget:reserved"

#define TF_N_ASSETS      "assets"
#define TF_N_LIABILITIES "liabilities"
#define TF_N_REVENUE     "revenue"
#define TF_N_EXPENSE     "expense"
#define TF_N_TRANSFERS   "transfers"
#define TF_N_BUDGET      "budget"

#define TF_N_POOL_UNRESTRICTED "unrestricted"
#define TF_N_POOL_TRAVEL       "travel"
#define TF_N_POOL_LDC_TRAVEL   "ldc-travel"
#define TF_N_POOL_PREP         "prep"

#define TF_N_PENDING    "pending"
#define TF_N_FUNDED     "funded"
#define TF_N_WAITLISTED "waitlisted"
#define TF_N_REJECTED   "rejected"
#define TF_N_DISBURSED  "disbursed"
#define TF_N_CANCELLED  "cancelled"

#define TF_N_KIND_PLEDGE       "pledge"
#define TF_N_KIND_RECEIPT      "receipt"
#define TF_N_KIND_COMMITMENT   "commitment"
#define TF_N_KIND_RELEASE      "release"
#define TF_N_KIND_DISBURSEMENT "disbursement"
#define TF_N_KIND_TRANSFER     "transfer"
#define TF_N_KIND_SPEND        "spend"
#define TF_N_KIND_REFUND       "refund"
#define TF_N_KIND_REVERSAL     "reversal"
#define TF_N_KIND_ADJUSTMENT   "adjustment"
#define TF_N_KIND_PSC_PAYMENT  "psc-payment"
#define TF_N_KIND_INTEREST     "interest"

/* The party the attribution keeps the fund's own interest under, beside
 * the donors (no donor may take this id). */
#define TF_N_FUND_INTEREST "fund-interest"

/* ---- SQL ------------------------------------------------------------ */

/* A name as an SQL string literal. */
#define TF_SQL_Q(name) "'" name "'"

#define TF_SQL_CASH          TF_SQL_Q(TF_N_CASH)
#define TF_SQL_INTEREST      TF_SQL_Q(TF_N_INTEREST)
#define TF_SQL_PSC           TF_SQL_Q(TF_N_PSC)
#define TF_SQL_PSC_PAYABLE   TF_SQL_Q(TF_N_PSC_PAYABLE)
#define TF_SQL_FUND_INTEREST TF_SQL_Q(TF_N_FUND_INTEREST)
#define TF_SQL_ENCUMBRANCES  TF_SQL_Q(TF_N_ENCUMBRANCES)
#define TF_SQL_RECEIVABLE_   TF_SQL_Q(TF_N_RECEIVABLE ":") /* || donor */
#define TF_SQL_TRANSFERS_IN  TF_SQL_Q(TF_N_TRANSFERS_IN)
#define TF_SQL_TRANSFERS_OUT TF_SQL_Q(TF_N_TRANSFERS_OUT)

#define TF_SQL_PREP TF_SQL_Q(TF_N_POOL_PREP)

#define TF_SQL_PENDING    TF_SQL_Q(TF_N_PENDING)
#define TF_SQL_FUNDED     TF_SQL_Q(TF_N_FUNDED)
#define TF_SQL_WAITLISTED TF_SQL_Q(TF_N_WAITLISTED)
#define TF_SQL_DISBURSED  TF_SQL_Q(TF_N_DISBURSED)

#define TF_SQL_KIND_PLEDGE       TF_SQL_Q(TF_N_KIND_PLEDGE)
#define TF_SQL_KIND_RECEIPT      TF_SQL_Q(TF_N_KIND_RECEIPT)
#define TF_SQL_KIND_COMMITMENT   TF_SQL_Q(TF_N_KIND_COMMITMENT)
#define TF_SQL_KIND_DISBURSEMENT TF_SQL_Q(TF_N_KIND_DISBURSEMENT)
#define TF_SQL_KIND_TRANSFER     TF_SQL_Q(TF_N_KIND_TRANSFER)
#define TF_SQL_KIND_PSC_PAYMENT  TF_SQL_Q(TF_N_KIND_PSC_PAYMENT)
#define TF_SQL_KIND_INTEREST     TF_SQL_Q(TF_N_KIND_INTEREST)

/* True for the accounts a pool's cash is counted on (pool figures): cash
 * net of what the pool owes, PSC to the UN and refunds to donors. col is
 * the account column. */
#define TF_SQL_NET_CASH(col)                                                   \
    "(" col " = " TF_SQL_CASH " OR " col                                       \
    " LIKE " TF_SQL_Q(TF_N_LIABILITIES ":%") ")"

/* True for the outflow accounts (tf_outflow): travel by session, PSC,
 * preparation, transfers out and refunds. */
#define TF_SQL_TRAVEL_ANY TF_SQL_Q(TF_N_TRAVEL ":%")
#define TF_SQL_OUTFLOW_NAMED                                                   \
    TF_SQL_Q(TF_N_PSC)                                                         \
    ", " TF_SQL_Q(TF_N_PREP) ", " TF_SQL_Q(TF_N_TRANSFERS_OUT) ", " TF_SQL_Q(  \
        TF_N_REFUNDS)
#define TF_SQL_OUTFLOW(col)                                                    \
    "(" col " LIKE " TF_SQL_TRAVEL_ANY " OR " col " IN (" TF_SQL_OUTFLOW_NAMED \
    "))"

/* ---- Query fragments the layers share ------------------------------ */

/*
 * A draw d (of table draws) of request q (of table requests) that belongs
 * to q's current funding: one of the run that funded it (q.run). Draws
 * written before draws named their run (run NULL) belong to the request's
 * only funding of that time, so they count when it has no draws of a
 * later run. A request funded again after an undo or a reinstatement has
 * the draws of each funding; only the last are its own.
 */
#define TF_SQL_CURRENT_DRAW(d, q)                                              \
    "(" q ".run IS NOT NULL AND (" d ".run = " q ".run OR (" d                 \
    ".run IS NULL AND NOT EXISTS (SELECT 1 FROM draws x WHERE x.request = " q  \
    ".ref AND x.run IS NOT NULL))))"

/*
 * The latest amendment a of request q, joined (a's columns NULL when it
 * has none): a request's current delegate, fare, fare_currency and gender
 * are coalesce(a.x, q.x).
 */
#define TF_SQL_AMENDMENT(a, q)                                                 \
    " LEFT JOIN amendments " a " ON " a ".id = (SELECT max(x.id) FROM "        \
    "amendments x WHERE x.request = " q ".ref) "

#endif
