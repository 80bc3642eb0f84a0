/* SPDX-License-Identifier: MIT */
/* The fund handle and helpers shared by the core modules (not public). */
#ifndef TF_FUND_INTERNAL_H
#define TF_FUND_INTERNAL_H

#include "base/strmap.h"
#include "store/db.h"
#include "tfund/fund.h"
#include "tfund/ledger.h"

/* Running-balance changes of the open transaction, by account and pool,
 * written once at commit (or before anything reads balances). */
struct tf_balance_delta {
    const char *account; /* the key's copy in tf_fund.delta_index */
    int pool;            /* index into tf_pools */
    int64_t delta;
};

struct tf_fund {
    tf_db *db;
    const tf_currency *base;
    /* The chain head, read at the start of each transaction and written
     * back at its commit. */
    int head_loaded, head_dirty;
    int64_t last_id;
    char last_hash[TF_HASH_BUFSZ];
    char closed_through[16]; /* "" when no period is closed */
    struct tf_balance_delta *deltas;
    size_t ndeltas, deltacap;
    /* (account, pool) -> index into deltas: one import can touch
     * thousands of donors' accounts. */
    tf_strmap delta_index;
    /* What the open write transaction has found already: that the fund
     * is not closed, and donors that exist. Neither can stop being true
     * before the transaction ends (closing clears the first; donors are
     * never deleted), and another process cannot write meanwhile. */
    int open_checked;
    tf_strmap donors_known;
};

/* Writes the pending running balances and chain head of the open
 * transaction to the database; called before reading them and at
 * commit. */
tf_error tf_ledger_flush(tf_fund *fund, tf_diag *diag);

/* Forgets what the open transaction held in memory (at rollback). */
void tf_ledger_forget(tf_fund *fund);

/* Readies the books to be read as of *as_of (NULL: now): writes the open
 * transaction's pending running balances, and sets *as_of to NULL when no
 * entry is dated after it, since the books as of that date are then the
 * books now, which the running balances hold: a report as of its usual
 * date (today, the end of a year) needs no pass over the journal. */
tf_error tf_ledger_as_of(tf_fund *fund, const char **as_of, tf_diag *diag);

/* The hash of an entry: its content, its postings in order, and the
 * previous entry's hash, as lowercase hex into out (TF_HASH_BUFSZ). */
void tf_ledger_hash(const tf_entry *e, const char *prev_hash, char *out);

/* Reads the integer setting key (TF_ERR_DB if missing or malformed). */
tf_error tf_setting_int(tf_fund *fund, const char *key, int64_t *out,
                        tf_diag *diag);

/* Loads the embedded country classification (at create). */
tf_error tf_country_load_shipped(tf_fund *fund, tf_diag *diag);

/* Strict non-negative integer of at most 9 digits; -1 if not. */
long tf_parse_count(const char *text);

/* Nonzero if entry id has been reversed. */
int tf_ledger_is_reversed(tf_fund *fund, int64_t id);

/* A trip's figures (DESIGN.md 9.2): cost = fare + dsa x (days +
 * extra_days) + terminal; psc = half-even(cost x psc_rate); charge = cost +
 * psc. fare is already in the base currency. */
tf_error tf_trip_charge(const tf_session *s, int64_t fare, const char *psc_rate,
                        int64_t *dsa, int64_t *cost, int64_t *psc,
                        int64_t *charge);

#endif
