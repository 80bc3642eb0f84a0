/* SPDX-License-Identifier: MIT */
/*
 * The books: a double-entry, append-only journal of entries whose postings
 * each belong to a pool and sum to zero within every pool. Each entry
 * carries the SHA-256 of its content and of the previous entry's hash.
 * Running balances per account and pool are kept beside the journal.
 */
#ifndef TFUND_LEDGER_H
#define TFUND_LEDGER_H

#include <stdint.h>
#include <stdio.h>

#include "tfund/fund.h"

/* Entries and postings (tf_entry, tf_posting) are defined with the
 * chart of accounts in tfund/books.h. */

/* Hex SHA-256 length plus NUL. */
#define TF_HASH_BUFSZ 65

/*
 * Posts an entry inside the caller's transaction: checks that it has two
 * or more postings, that each pool sums to zero, that pools are known and
 * that the date is not in a closed period (TF_ERR_RULE otherwise); writes
 * it with its hash and updates the running balances. *id receives the new
 * entry's id (may be NULL).
 */
tf_error tf_ledger_post(tf_fund *fund, const tf_entry *e, int64_t *id,
                        tf_diag *diag);

/*
 * Posts entries[0..n) in order, as n calls of tf_ledger_post would, with
 * the same checks, ids and hashes, but written many rows a statement.
 * Each entries[i].id receives the new entry's id (the other fields are
 * left pointing at the caller's strings). tf_ledger_post is this with
 * n = 1.
 */
tf_error tf_ledger_post_many(tf_fund *fund, tf_entry *entries, size_t n,
                             tf_diag *diag);

/* Posts the reversal of entry id dated date: the same postings negated,
 * pointing back at it. Refused for an entry already reversed or itself a
 * reversal, and for a pledge that still has receipts. */
tf_error tf_ledger_reverse(tf_fund *fund, int64_t id, const char *date,
                           const char *memo, int64_t *new_id, tf_diag *diag);

/*
 * Reverses, dated date, what is recorded under ref: a pledge, a receipt
 * or a spending (kinds keep references apart, so a receipt recorded
 * without a pledge and the pledge it recorded for itself share one: both
 * are reversed, the receipt first). reversed[0..*n) get the entries
 * reversed and reversals[] their reversals (at most two). TF_ERR_NOTFOUND
 * for an unknown reference; TF_ERR_RULE for one already reversed or of a
 * travel grant (corrected by cancel and disburse); TF_ERR_INPUT when the
 * reference names two unrelated records; the refusals of
 * tf_ledger_reverse.
 */
tf_error tf_ledger_reverse_ref(tf_fund *fund, const char *ref, const char *date,
                               const char *memo, int64_t reversed[2],
                               int64_t reversals[2], size_t *n, tf_diag *diag);

/* The entries of the pledge, receipt (with the pledge it recorded for
 * itself) or spending recorded under the reference ref, in id
 * order: fn gets each one's id, kind and the id of the entry reversing it
 * (0 when none); a nonzero return stops the walk. What 'add' commands
 * print, and lists mark. */
tf_error tf_ledger_ref_entries(tf_fund *fund, const char *ref,
                               int (*fn)(void *ctx, int64_t id,
                                         const char *kind, int64_t reversed_by),
                               void *ctx, tf_diag *diag);

/* Closes the books through date: no entry dated on or before it is
 * accepted afterwards. Refused if not after the current closing date. */
tf_error tf_ledger_close_period(tf_fund *fund, const char *date, tf_diag *diag);

/* TF_ERR_RULE, naming what ("an allocation", "a cancellation"), when
 * date lies in the closed period: a step dated there is refused even when
 * it would post no entry. */
tf_error tf_ledger_check_date(tf_fund *fund, const char *date, const char *what,
                              tf_diag *diag);

/* The balance of account in pool (pool NULL: all pools) as of date (NULL:
 * now, from the running balances). */
tf_error tf_ledger_balance(tf_fund *fund, const char *account, const char *pool,
                           const char *as_of, int64_t *out, tf_diag *diag);

/* Walks the trial balance: each nonzero account and pool balance as of
 * date (NULL: now), ordered by account then pool. */
tf_error tf_ledger_each_balance(tf_fund *fund, const char *as_of,
                                int (*fn)(void *ctx, const char *account,
                                          const char *pool, int64_t balance),
                                void *ctx, tf_diag *diag);

/* Walks the journal in id order (entries dated on or before as_of when
 * given), each entry with its postings. */
tf_error tf_ledger_each_entry(tf_fund *fund, const char *as_of,
                              int (*fn)(void *ctx, const tf_entry *e),
                              void *ctx, tf_diag *diag);

/* The number of entries and the hash of the last one (the journal's
 * fingerprint): hash needs TF_HASH_BUFSZ bytes. */
tf_error tf_ledger_head(tf_fund *fund, int64_t *count, char *hash,
                        tf_diag *diag);

/* Figures of a pool (DESIGN.md section 9.8) as of a date. */
typedef struct tf_pool_figures {
    const char *pool;
    int64_t receipts;  /* donors' receipts into the pool */
    int64_t cash;      /* receipts + interest + transfers in - out - charges
                          - refunds */
    int64_t committed; /* outstanding commitments */
    int64_t reserve;   /* half-even(reserve_rate x receipts) */
    int64_t available; /* cash - committed - reserve */
    int64_t interest;  /* interest the fund earned, credited to the pool
                          (not a receipt: no reserve is kept on it) */
} tf_pool_figures;

/* Fills figs[TF_POOL_COUNT] in the order of tf_pools, as of date (NULL:
 * now). */
tf_error tf_ledger_pools(tf_fund *fund, const char *as_of,
                         tf_pool_figures figs[TF_POOL_COUNT], tf_diag *diag);

/*
 * Checks the books (DESIGN.md section 3): every entry balances per pool;
 * the hash chain is unbroken up to the recorded head; every running
 * balance equals the sum of its postings; converted postings match their
 * rate; no pool's available is negative; each pledge's receivable equals
 * pledge - receipts. Each failure is passed to fn with the entry id it
 * concerns (0 when none). *failures gets the count; TF_OK is returned
 * even when failures were found (TF_ERR_* only when checking failed).
 */
tf_error tf_verify(tf_fund *fund,
                   void (*fn)(void *ctx, int64_t entry, const char *what),
                   void *ctx, long *failures, tf_diag *diag);

/* Writes the journal for ledger-cli and hledger: one transaction per
 * entry, amounts in the base currency, the pool as a posting tag. */
tf_error tf_export_ledger(tf_fund *fund, FILE *out, const char *as_of,
                          tf_diag *diag);

#endif
