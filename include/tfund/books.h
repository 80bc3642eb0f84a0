/* SPDX-License-Identifier: MIT */
/*
 * The books' vocabulary: the chart of accounts, the pools, the kinds of
 * entries and the states of a travel request, each an enum with its text
 * form, and the recipes that turn each event of the fund (a pledge, a
 * receipt, a commitment, a disbursement, a release, a transfer, a refund,
 * a spending, PSC remitted to the UN, interest earned) into a balanced
 * entry.
 *
 * This is where the rules of the books (double entry in self-balancing
 * pools, which account each event debits and credits) are written down.
 * The modules that record events decide whether an event happens and how
 * much it is; the recipes here decide which accounts it touches. No other
 * file spells an account, pool or status name.
 */
#ifndef TFUND_BOOKS_H
#define TFUND_BOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/error.h"

/* ---- Entries and postings ------------------------------------------- */

typedef struct tf_posting {
    const char *account;
    const char *pool;
    int64_t amount;            /* base currency, debits positive */
    const char *orig_currency; /* NULL unless converted from another */
    int64_t orig_amount;       /* in orig_currency's minor units */
    const char *rate;          /* per USD; NULL when not a conversion */
} tf_posting;

typedef struct tf_entry {
    int64_t id; /* set by tf_ledger_post; 0 before */
    const char *date, *kind, *memo;
    const char *ref;  /* external reference, unique per kind; may be NULL */
    int64_t reverses; /* the entry this one reverses, or 0 */
    const char *hash, *prev_hash; /* filled when listing */
    size_t npostings;
    const tf_posting *postings;
} tf_entry;

/* ---- Pools ---------------------------------------------------------- */

/* The self-balancing funds every posting belongs to. */
typedef enum tf_pool {
    TF_POOL_UNRESTRICTED, /* travel of eligible delegates; surplus to prep */
    TF_POOL_TRAVEL,       /* travel of eligible delegates; surplus to prep */
    TF_POOL_LDC_TRAVEL,   /* travel of LDC delegates only, never routed */
    TF_POOL_PREP,         /* activities preparing the conference */
    TF_POOL_COUNT
} tf_pool;

/* The pools' names, in enum order: "unrestricted", "travel",
 * "ldc-travel", "prep". */
extern const char *const tf_pools[TF_POOL_COUNT];

/* The pool named name (exact), or -1 if none is. name may be NULL. */
int tf_pool_find(const char *name);

/* "unrestricted, travel, ldc-travel, prep": for messages. */
const char *tf_pool_list(void);

/* ---- The chart of accounts ------------------------------------------ */

typedef enum tf_category {
    TF_CAT_ASSETS,
    TF_CAT_LIABILITIES,
    TF_CAT_REVENUE,
    TF_CAT_EXPENSE,
    TF_CAT_TRANSFERS, /* between pools */
    TF_CAT_BUDGET,    /* budget control: commitments */
    TF_CATEGORY_COUNT
} tf_category;

/* The side an account's balance normally sits on: debits are positive. */
typedef enum tf_side { TF_CREDIT = -1, TF_DEBIT = 1 } tf_side;

/* What a pool's outflow paid for, from the account it was debited to (the
 * attribution of outflows to donors). */
typedef enum tf_outflow {
    TF_OUTFLOW_NONE = -1, /* not an outflow account */
    TF_OUTFLOW_TRAVEL,    /* "travel": travel grants, by session */
    TF_OUTFLOW_PSC,       /* "psc": programme support costs */
    TF_OUTFLOW_PREP,      /* "prep": conference preparation */
    TF_OUTFLOW_SURPLUS,   /* "surplus-routed": transfers out */
    TF_OUTFLOW_REFUNDS,   /* "refunds": refunds to donors at closing */
    TF_OUTFLOW_COUNT
} tf_outflow;

/* Who an account is kept for: per-party accounts are named
 * "<name>:<party>" (a donor id or a session id). */
typedef enum tf_party {
    TF_PARTY_NONE,
    TF_PARTY_DONOR,
    TF_PARTY_SESSION
} tf_party;

typedef enum tf_account {
    TF_ACCT_CASH,            /* assets:cash */
    TF_ACCT_RECEIVABLE,      /* assets:receivable:<donor> */
    TF_ACCT_PSC_PAYABLE,     /* liabilities:psc-payable */
    TF_ACCT_REFUNDS_PAYABLE, /* liabilities:refunds-payable:<donor> */
    TF_ACCT_CONTRIBUTIONS,   /* revenue:contributions:<donor> */
    TF_ACCT_FX_GAIN,         /* revenue:fx-gain */
    TF_ACCT_INTEREST,        /* revenue:interest */
    TF_ACCT_FX_LOSS,         /* expense:fx-loss */
    TF_ACCT_TRAVEL,          /* expense:travel:<session> */
    TF_ACCT_PSC,             /* expense:psc */
    TF_ACCT_PREP,            /* expense:prep */
    TF_ACCT_REFUNDS,         /* expense:refunds */
    TF_ACCT_TRANSFERS_IN,    /* transfers:in */
    TF_ACCT_TRANSFERS_OUT,   /* transfers:out */
    TF_ACCT_ENCUMBRANCES,    /* budget:encumbrances */
    TF_ACCT_RESERVED,        /* budget:reserved */
    TF_ACCOUNT_COUNT
} tf_account;

/* One account of the chart. */
typedef struct tf_account_def {
    const char *name; /* full name, or the stem before ":<party>" */
    tf_category category;
    tf_side normal;
    tf_party party;
    tf_outflow outflow;
} tf_account_def;

/* The chart's row of account a (a valid tf_account). Never NULL. */
const tf_account_def *tf_account_info(tf_account a);

/* Classifies an account name: the chart's account it is, or -1 for a name
 * the chart does not have. For a per-party account *party (may be NULL)
 * points at the party within name, else it is set to NULL. */
int tf_account_find(const char *name, const char **party);

/* The full name of account a for party (ignored, and may be NULL, for an
 * account that is not kept per party), written into buf; returns buf. A
 * name longer than size is cut. */
char *tf_account_name(char *buf, size_t size, tf_account a, const char *party);

/* Room for any account name the recipes write (ids are at most 64). */
#define TF_ACCOUNT_BUFSZ 160

/* "assets", "liabilities", "revenue", "expense", "transfers", "budget". */
const char *tf_category_name(tf_category c);

/* The category of an account name (the part before its first ':'), or -1
 * when it is none of the chart's. */
int tf_category_of(const char *account);

/* "travel", "psc", "prep", "surplus-routed", "refunds". */
const char *tf_outflow_name(tf_outflow o);

/* The outflow named name, or -1. name may be NULL. */
int tf_outflow_find(const char *name);

/* ---- Kinds of entries ------------------------------------------------ */

typedef enum tf_kind {
    TF_KIND_PLEDGE,
    TF_KIND_RECEIPT,
    TF_KIND_COMMITMENT,
    TF_KIND_RELEASE,
    TF_KIND_DISBURSEMENT,
    TF_KIND_TRANSFER,
    TF_KIND_SPEND,
    TF_KIND_REFUND,
    TF_KIND_REVERSAL,
    TF_KIND_ADJUSTMENT,
    TF_KIND_PSC_PAYMENT, /* PSC remitted to the UN */
    TF_KIND_INTEREST,    /* interest earned on the fund's bank balance */
    TF_KIND_COUNT
} tf_kind;

/* "pledge", "receipt", "commitment", "release", "disbursement",
 * "transfer", "spend", "refund", "reversal", "adjustment", "psc-payment",
 * "interest". */
const char *tf_kind_name(tf_kind k);

/* The kind named name, or -1. name may be NULL. */
int tf_kind_find(const char *name);

/* ---- The fund's own interest ----------------------------------------- */

/* "fund-interest": the party under which the attribution keeps the
 * interest the fund earned, beside the donors (it is no donor's money,
 * and no donor may take this id). */
const char *tf_interest_party(void);

/* Nonzero if id names that party. id may be NULL. */
int tf_is_interest_party(const char *id);

/* ---- States of a travel request ------------------------------------- */

typedef enum tf_status {
    TF_STATUS_PENDING,
    TF_STATUS_FUNDED,
    TF_STATUS_WAITLISTED,
    TF_STATUS_REJECTED,
    TF_STATUS_DISBURSED,
    TF_STATUS_CANCELLED,
    TF_STATUS_COUNT
} tf_status;

/* "pending", "funded", "waitlisted", "rejected", "disbursed",
 * "cancelled". */
const char *tf_status_name(tf_status s);

/* The status named name, or -1. name may be NULL. */
int tf_status_find(const char *name);

/* Nonzero if name is the text of status s. */
int tf_status_is(const char *name, tf_status s);

/* Why an allocation run did not fund a request (empty when it did). */
typedef enum tf_reason {
    TF_REASON_NOT_ELIGIBLE,       /* rejected: not an eligible country */
    TF_REASON_QUOTA,              /* waitlisted: the country's quota */
    TF_REASON_INSUFFICIENT_FUNDS, /* waitlisted: not enough money */
    TF_REASON_CAP,                /* waitlisted: the run's cap or budget */
    TF_REASON_COUNT
} tf_reason;

/* "not-eligible", "quota", "insufficient-funds", "cap". */
const char *tf_reason_name(tf_reason r);

/* The reason named name, or -1. name may be NULL. */
int tf_reason_find(const char *name);

/* ---- Words for a reader ---------------------------------------------- */

/* How a page a person reads (a report, a statement) names the books'
 * codes, where a code would not do: */

/* "Unrestricted", "Travel", "LDC travel", "Conference preparation". */
const char *tf_pool_label(tf_pool k);

/* "Travel grants", "Programme support costs", "Conference preparation",
 * "Surplus routed to conference preparation", "Refunds to donors". */
const char *tf_outflow_label(tf_outflow o);

/* "pending", "funded", "waitlisted", "rejected", "paid", "cancelled". */
const char *tf_status_label(tf_status s);

/* "not an eligible country", "country quota reached", "not enough
 * money", "over the run's cap or the session's budget". */
const char *tf_reason_label(tf_reason r);

/* A request's tier in words: 1 "LDC", 2 "other developing", else "". */
const char *tf_tier_label(int tier);

/* ---- Recipes --------------------------------------------------------- */

/* Postings and per-party account names a draft holds before it needs
 * memory of its own. */
#define TF_DRAFT_INLINE 8
#define TF_DRAFT_NAMES  2

/*
 * An entry being written by the recipes: tf_draft_start sets its date,
 * kind, memo and reference (borrowed), the recipes add its postings, and
 * entry is then what tf_ledger_post takes. Names of per-party accounts
 * are kept by the draft; tf_draft_release frees what it allocated.
 */
typedef struct tf_draft {
    tf_entry entry;
    tf_posting *post; /* entry.postings */
    size_t cap;
    tf_posting inline_post[TF_DRAFT_INLINE];
    char inline_name[TF_DRAFT_NAMES][TF_ACCOUNT_BUFSZ];
    size_t nnames;
    char **heap_names;
    int oom;
} tf_draft;

/* An amount converted from another currency, as the postings keep it. */
typedef struct tf_orig {
    const char *currency; /* NULL: not converted */
    int64_t amount;       /* in currency's minor units */
    const char *rate;     /* the rate used (units per USD) */
} tf_orig;

void tf_draft_start(tf_draft *d, const char *date, tf_kind kind,
                    const char *memo, const char *ref);
/* TF_ERR_NOMEM if a recipe ran out of memory (with a message in diag). */
tf_error tf_draft_check(const tf_draft *d, tf_diag *diag);
void tf_draft_release(tf_draft *d);

/* Pledge (revenue recognised on signature): receivable / contribution
 * revenue of donor, base in pool; orig (may be NULL) the pledge's own
 * currency. */
void tf_recipe_pledge(tf_draft *d, const char *donor, tf_pool pool,
                      int64_t base, const tf_orig *orig);

/* Receipt: cash / the donor's receivable relieved by `relieved`; the
 * difference cash - relieved is an exchange gain or loss. orig (may be
 * NULL) is the amount received in its own currency. */
void tf_recipe_receipt(tf_draft *d, const char *donor, tf_pool pool,
                       int64_t cash, int64_t relieved, const tf_orig *orig);

/* Commitment of a grant's draw on pool: encumbrances / reserved. */
void tf_recipe_commitment(tf_draft *d, tf_pool pool, int64_t amount);

/* Release of a commitment (a cancelled grant's draw): reserved /
 * encumbrances. */
void tf_recipe_release(tf_draft *d, tf_pool pool, int64_t amount);

/* Disbursement of a travel grant of session, per pool in pool order: the
 * travel expense paid in cash, the PSC owed to the UN, and the commitment
 * liquidated (each may be 0). */
void tf_recipe_disbursement(tf_draft *d, const char *session,
                            const int64_t expense[TF_POOL_COUNT],
                            const int64_t psc[TF_POOL_COUNT],
                            const int64_t liquidated[TF_POOL_COUNT]);

/* Transfer of out[k] from each pool k (in pool order, zeros skipped) to
 * pool to: transfers out / cash in each source, cash / transfers in in
 * the receiving pool. */
void tf_recipe_transfer(tf_draft *d, const int64_t out[TF_POOL_COUNT],
                        tf_pool to);

/* Refund at closing of pool's remaining cash, total, payable to donors[i]
 * amounts[i] (which sum to total): refunds expense / refunds payable. */
void tf_recipe_refund(tf_draft *d, tf_pool pool, int64_t total,
                      const char *const *donors, const int64_t *amounts,
                      size_t n);

/* Remittance of PSC to the UN: per pool (in pool order, zeros skipped)
 * the PSC payable cleared by paid[k] in cash. */
void tf_recipe_psc_payment(tf_draft *d, const int64_t paid[TF_POOL_COUNT]);

/* Interest earned on the fund's bank balance, credited to pool: cash /
 * interest revenue. */
void tf_recipe_interest(tf_draft *d, tf_pool pool, int64_t amount);

/* Spending from pool: the expense of `account` (an expense account kept
 * for no party) paid in cash, orig (may be NULL) its own currency, and
 * its PSC owed to the UN (none when psc is 0). */
void tf_recipe_spending(tf_draft *d, tf_account account, tf_pool pool,
                        int64_t base, const tf_orig *orig, int64_t psc);

#endif
