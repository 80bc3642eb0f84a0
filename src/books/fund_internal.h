/* SPDX-License-Identifier: MIT */
/* The fund handle and helpers shared by the core modules (not public). */
#ifndef TF_FUND_INTERNAL_H
#define TF_FUND_INTERNAL_H

#include "base/strmap.h"
#include "base/text.h"
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
    /* The event log's state of this handle (books/audit.c). */
    struct tf_audit *audit;
    /* The duplicate guards overridden (--allow-duplicate), and how many
     * duplicates were recorded so. */
    int allow_duplicates;
    long duplicates;
    /* Each pool's available before the open transaction first changed
     * what the pools hold (tf_pools_guard_arm), and what is changing it,
     * for the check at commit (tf_pools_guard). */
    int guard_armed;
    int64_t guard_before[TF_POOL_COUNT];
    /* Each pool's PSC owed to the UN then (the credit balance of its PSC
     * payable), which may not end below zero either. */
    int64_t guard_owed[TF_POOL_COUNT];
    char guard_what[160];
};

/* Steps st, a query for a record that the one being written would
 * duplicate (the other's reference in column 0), and resets it. *found
 * is 0 when there is none, or when the handle allows duplicates (the
 * duplicate then counted); else 1, with the other's reference in other
 * (size bytes). */
tf_error tf_fund_duplicate(tf_fund *fund, tf_stmt *st, char *other, size_t size,
                           int *found, tf_diag *diag);

/* Writes the pending running balances and chain head of the open
 * transaction to the database; called before reading them and at
 * commit. */
tf_error tf_ledger_flush(tf_fund *fund, tf_diag *diag);

/* Forgets what the open transaction held in memory (at rollback). */
void tf_ledger_forget(tf_fund *fund);

/*
 * No command may leave a pool's available negative as of today (DESIGN.md
 * section 10): a change dated in the past sees the books of its date, and
 * a reversed receipt or a higher reserve_rate can take what commitments
 * already hold. tf_pools_guard_arm, called before the open transaction
 * first changes the pools (posting an entry, setting reserve_rate), notes
 * each pool's available; tf_pools_guard, called by tf_fund_commit, refuses
 * (TF_ERR_RULE) when a pool ends below zero and below where it was, so
 * that a fund already short can still be given money, or when a pool
 * ends owing the UN less than nothing in PSC (more remitted than charged:
 * a disbursement corrected or undone, or spending reversed, after its
 * PSC was remitted) and less than it owed before. tf_pools_guard_what
 * names the change in the message ("reversing entry 37"); the last name
 * given before the commit is used.
 */
tf_error tf_pools_guard_arm(tf_fund *fund, tf_diag *diag);
tf_error tf_pools_guard(tf_fund *fund, tf_diag *diag);
void tf_pools_guard_what(tf_fund *fund, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

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

/* Creating a fund, in three steps so that the layers above can fill it
 * before its first commit (tf_fund_create, with the shipped reference
 * data): makes the file with the schema and the default settings and
 * leaves the write transaction open; commits it and reads the base
 * currency; or closes the fund and removes the file. */
tf_error tf_fund_create_begin(tf_fund **out, const char *path, tf_diag *diag);
tf_error tf_fund_create_end(tf_fund *fund, tf_diag *diag);
void tf_fund_create_abandon(tf_fund *fund, const char *path);

/* Nonzero if entry id has been reversed. */
int tf_ledger_is_reversed(tf_fund *fund, int64_t id);

/* Reverses a grant's entry (a disbursement) as tf_ledger_reverse does a
 * pledge's: the corrections of the grants module (a disbursement
 * corrected or undone) call it; no command reverses one directly. */
tf_error tf_ledger_reverse_grant(tf_fund *fund, int64_t id, const char *date,
                                 const char *memo, int64_t *new_id,
                                 tf_diag *diag);

#endif
