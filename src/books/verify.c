/* SPDX-License-Identifier: MIT */
/*
 * tfund verify: the auditor's checks of DESIGN.md section 3, run against
 * the file as it is, trusting nothing the program keeps on the side.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/audit_internal.h"
#include "books/chart_sql.h"
#include "books/fund_internal.h"

struct verify {
    tf_fund *fund;
    void (*fn)(void *ctx, int64_t entry, const char *what);
    void *ctx;
    long failures;
    int64_t prev_id;
    char prev_hash[TF_HASH_BUFSZ];
    tf_error err;
    tf_diag *diag;
};

static void fail(struct verify *v, int64_t entry, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct verify *v, int64_t entry, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->failures++;
    if (v->fn)
        v->fn(v->ctx, entry, msg);
}

/* The date whose rates e's conversions used: a reversal negates the
 * postings of the entry it reverses, at that entry's rates. */
static const char *conversion_date(struct verify *v, const tf_entry *e,
                                   char *buf, size_t size)
{
    static const char sql[] = "SELECT date FROM entries WHERE id = ?1";
    tf_stmt *st;

    if (!e->reverses)
        return e->date;
    st = tf_db_prepare(v->fund->db, sql, NULL);
    if (!st)
        return e->date;
    tf_stmt_int(st, 1, e->reverses);
    if (tf_stmt_step(st) > 0)
        snprintf(buf, size, "%s", tf_col_text(st, 0));
    else
        snprintf(buf, size, "%s", e->date);
    tf_stmt_reset(st);
    return buf;
}

/* Is the converted amount of posting p what its rate gives? */
static void check_conversion(struct verify *v, const tf_entry *e,
                             const tf_posting *p)
{
    const tf_currency *from = tf_currency_find(p->orig_currency);
    const tf_currency *base = tf_fund_base(v->fund);
    char in_force[64], base_rate[64], datebuf[16];
    const char *date = conversion_date(v, e, datebuf, sizeof(datebuf));
    int64_t expect;
    tf_diag sub;

    if (!from) {
        fail(v, e->id, "posting to %s has unknown currency '%s'", p->account,
             p->orig_currency);
        return;
    }
    tf_diag_clear(&sub);
    if (tf_rate_find(v->fund, p->orig_currency, date, in_force, &sub) ||
        tf_rate_find(v->fund, base->code, date, base_rate, &sub)) {
        fail(v, e->id, "posting to %s: %s", p->account, sub.msg);
        return;
    }
    if (strcmp(in_force, p->rate)) {
        fail(v, e->id,
             "posting to %s was converted at %s %s per USD but the rate "
             "table now says %s for %s",
             p->account, p->rate, p->orig_currency, in_force, date);
        return;
    }
    if (tf_money_convert(&expect, p->orig_amount, from, p->rate, base,
                         base_rate) ||
        expect != p->amount)
        fail(v, e->id,
             "posting to %s: %s %" PRId64 " at %s does not give %" PRId64,
             p->account, p->orig_currency, p->orig_amount, p->rate, p->amount);
}

static int check_entry(void *ctx, const tf_entry *e)
{
    struct verify *v = ctx;
    int64_t sums[TF_POOL_COUNT] = {0};
    char hash[TF_HASH_BUFSZ];

    if (e->id != v->prev_id + 1)
        fail(v, e->id,
             "entry %" PRId64 " follows entry %" PRId64
             ": entries are missing or out of order",
             e->id, v->prev_id);
    if (strcmp(e->prev_hash, v->prev_hash))
        fail(v, e->id,
             "the previous-hash link is broken (an entry before it "
             "was removed, inserted or changed)");
    tf_ledger_hash(e, e->prev_hash, hash);
    if (strcmp(hash, e->hash)) {
        /* The rows it could be: the entry's and its postings'. */
        static const char sql[] =
            "SELECT min(id), max(id) FROM postings WHERE entry = ?1";
        tf_stmt *st = tf_db_prepare(v->fund->db, sql, NULL);
        char rows[96] = "";
        if (st) {
            tf_stmt_int(st, 1, e->id);
            if (tf_stmt_step(st) > 0 && !tf_col_null(st, 0))
                snprintf(rows, sizeof(rows),
                         " or postings rows %" PRId64 "-%" PRId64,
                         tf_col_int(st, 0), tf_col_int(st, 1));
            tf_stmt_reset(st);
        }
        fail(v, e->id,
             "content does not match its hash (entries row %" PRId64
             "%s changed after it was posted)",
             e->id, rows);
    }
    if (e->npostings < 2)
        fail(v, e->id, "has %zu posting(s); an entry needs two or more",
             e->npostings);
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        int k = tf_pool_find(p->pool);
        if (k < 0) {
            fail(v, e->id, "posting to %s has unknown pool '%s'", p->account,
                 p->pool);
            continue;
        }
        sums[k] += p->amount;
        if (p->rate && p->orig_currency)
            check_conversion(v, e, p);
    }
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (sums[k]) {
            char buf[TF_AMOUNT_BUFSZ];
            fail(v, e->id, "does not balance in pool '%s' (off by %s)",
                 tf_pools[k], tf_fund_fmt(v->fund, buf, sums[k], 0));
        }
    v->prev_id = e->id;
    snprintf(v->prev_hash, sizeof(v->prev_hash), "%s", e->hash);
    return 0;
}

/* Runs a query whose rows are (entry, message) failures. */
static tf_error query_failures(struct verify *v, const char *sql)
{
    tf_stmt *st = tf_db_prepare(v->fund->db, sql, v->diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0)
        fail(v, tf_col_int(st, 0), "%s", tf_col_text(st, 1));
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    tf_stmt_reset(st);
    return TF_OK;
}

/* The checks that are queries: each row names an entry (0 when none) and
 * what is wrong with it. */
static const char *const record_checks[] = {
    /* 2. Postings pointing at no entry. */
    "SELECT p.entry, 'posting ' || p.id || ' belongs to no entry' "
    "FROM postings p LEFT JOIN entries e ON e.id = p.entry "
    "WHERE e.id IS NULL",
    /* 3. Running balances against the sum of their postings. */
    "SELECT coalesce((SELECT max(p2.entry) FROM postings p2 WHERE "
    "p2.account = x.account AND p2.pool = x.pool), 0), "
    "'running balance of ' || x.account || ' in ' || x.pool || ' is "
    "' || x.stored || ' but its postings sum to ' || x.summed "
    "FROM (SELECT account, pool, sum(stored) AS stored, sum(summed) "
    "AS summed FROM (SELECT account, pool, balance AS stored, 0 AS "
    "summed FROM balances UNION ALL SELECT account, pool, 0, amount "
    "FROM postings) GROUP BY account, pool) x "
    "WHERE x.stored <> x.summed",
    /* 4. Each pledge's receivable: booked value less what receipts
     * relieved, per donor and pool, against the account (named by the
     * last entry that posted to it). */
    "SELECT coalesce((SELECT max(p2.entry) FROM postings p2 WHERE "
    "p2.account = " TF_SQL_RECEIVABLE_ " || d.donor AND p2.pool = "
    "d.pool), 0), 'receivable of ' || d.donor || ' in ' || d.pool || "
    "' is ' || coalesce(b.balance, 0) || ' but its pledges less "
    "receipts come to ' || d.owed FROM (SELECT p.donor, p.pool, "
    "sum(p.base_amount - coalesce((SELECT sum(r.relieved) FROM "
    "receipts r WHERE r.pledge = p.ref AND NOT EXISTS (SELECT 1 FROM "
    "entries x WHERE x.reverses = r.entry)), 0)) AS owed FROM "
    "pledges p WHERE NOT EXISTS (SELECT 1 FROM entries x WHERE "
    "x.reverses = p.entry) GROUP BY p.donor, p.pool) d LEFT JOIN "
    "balances b ON b.account = " TF_SQL_RECEIVABLE_ " || d.donor AND "
    "b.pool = d.pool WHERE coalesce(b.balance, 0) <> d.owed",
    "SELECT p.entry, 'pledge ' || p.ref || ' points at entry ' || "
    "p.entry || ' which is not its pledge entry' FROM pledges p "
    "LEFT JOIN entries e ON e.id = p.entry WHERE e.id IS NULL OR "
    "e.kind <> " TF_SQL_KIND_PLEDGE " OR e.ref IS NOT p.ref",
    "SELECT r.entry, 'receipt ' || r.ref || ' points at entry ' || "
    "r.entry || ' which is not its receipt entry' FROM receipts r "
    "LEFT JOIN entries e ON e.id = r.entry WHERE e.id IS NULL OR "
    "e.kind <> " TF_SQL_KIND_RECEIPT " OR e.ref IS NOT r.ref",
    /* And the other way: a pledge or receipt entry whose record is gone
     * (the receivable would no longer add up, but only this names it).
     * NOT IN over an uncorrelated list is built once; a correlated NOT
     * EXISTS would scan pledges (no index on entry) for every entry. */
    "SELECT e.id, e.kind || ' entry ' || e.id || ' (' || "
    "coalesce(e.ref, '') || ') has no ' || e.kind || ' record' FROM "
    "entries e WHERE (e.kind = " TF_SQL_KIND_PLEDGE " AND e.id NOT IN (SELECT "
    "p.entry FROM pledges p WHERE p.entry IS NOT NULL)) OR (e.kind "
    "= " TF_SQL_KIND_RECEIPT
    " AND e.id NOT IN (SELECT r.entry FROM receipts r WHERE "
    "r.entry IS NOT NULL))",
    /* 5. Outstanding commitments equal the funded, undisbursed grants. */
    "SELECT 0, 'outstanding commitments in ' || x.pool || ' are ' || "
    "sum(x.booked) || ' but funded grants not yet disbursed drew ' "
    "|| sum(x.drawn) FROM (SELECT pool, balance AS booked, 0 AS "
    "drawn FROM balances WHERE account = " TF_SQL_ENCUMBRANCES " UNION "
    "ALL SELECT d.pool, 0, d.amount FROM draws d JOIN requests q ON "
    "q.ref = d.request WHERE q.status = " TF_SQL_FUNDED
    " AND " TF_SQL_CURRENT_DRAW("d",
                                "q") ") x GROUP BY x.pool "
                                     "HAVING sum(x.booked) <> sum(x.drawn)",
    "SELECT d.entry, 'draw of ' || d.request || ' points at entry ' "
    "|| d.entry || ' which is not its commitment' FROM draws d LEFT "
    "JOIN entries e ON e.id = d.entry WHERE e.id IS NULL OR e.kind "
    "<> " TF_SQL_KIND_COMMITMENT
    " OR e.ref IS NOT (d.request || '@' || d.pool)",
    /* 6. Transfers: each entry's legs match its postings in both pools. */
    "SELECT x.entry, 'transfer legs of entry ' || x.entry || ' do "
    "not match its postings in ' || x.pool FROM (SELECT t.entry, "
    "t.from_pool AS pool, t.amount AS legs, 0 AS posted FROM "
    "transfers t UNION ALL SELECT t.entry, t.to_pool, -t.amount, 0 "
    "FROM transfers t UNION ALL SELECT p.entry, p.pool, 0, p.amount "
    "FROM postings p JOIN entries e ON e.id = p.entry WHERE e.kind "
    "= " TF_SQL_KIND_TRANSFER " AND p.account IN (" TF_SQL_TRANSFERS_OUT
    ", " TF_SQL_TRANSFERS_IN ")) "
    "x GROUP BY x.entry, x.pool HAVING sum(x.legs) <> sum(x.posted)",
    /* 7. A closed fund has no activity after its closing. */
    "SELECT e.id, 'entry dated ' || e.date || ' (' || e.kind || ') "
    "after the fund was closed on ' || s.value FROM entries e JOIN "
    "settings s ON s.key = 'closed_on' WHERE e.date > s.value",
    /* 8. The PSC payable of each pool: the PSC charged on grants and
     * spending less what was remitted to the UN, and never more
     * remitted than charged. */
    "SELECT 0, 'PSC payable in ' || x.pool || ' is ' || -sum(x.owed) || "
    "' but the PSC charged less the PSC paid to the UN come to ' || "
    "(sum(x.charged) - sum(x.paid)) FROM (SELECT pool, balance AS owed, "
    "0 AS charged, 0 AS paid FROM balances WHERE account = "
    "" TF_SQL_PSC_PAYABLE " UNION ALL SELECT pool, 0, balance, 0 FROM "
    "balances WHERE account = " TF_SQL_PSC " UNION ALL SELECT p.pool, 0, "
    "0, p.amount FROM entries e JOIN postings p ON p.entry = e.id LEFT "
    "JOIN entries o ON o.id = e.reverses WHERE p.account = "
    "" TF_SQL_PSC_PAYABLE " AND (e.kind = " TF_SQL_KIND_PSC_PAYMENT " OR "
    "o.kind = " TF_SQL_KIND_PSC_PAYMENT ")) x GROUP BY x.pool HAVING "
    "-sum(x.owed) <> sum(x.charged) - sum(x.paid)",
    "SELECT coalesce((SELECT max(p2.entry) FROM postings p2 WHERE "
    "p2.account = b.account AND p2.pool = b.pool), 0), 'PSC payable in ' "
    "|| b.pool || ' is a debit of ' || b.balance || ': more was paid to "
    "the UN than was charged' FROM balances b WHERE b.account = "
    "" TF_SQL_PSC_PAYABLE " AND b.balance > 0",
    /* A remittance of PSC moves PSC payable to cash, and interest cash to
     * interest revenue, nothing else. */
    "SELECT e.id, e.kind || ' entry ' || e.id || ' posts to ' || "
    "p.account || ', which is not one of its accounts' FROM entries e "
    "JOIN postings p ON p.entry = e.id WHERE (e.kind = "
    "" TF_SQL_KIND_PSC_PAYMENT " AND p.account NOT IN (" TF_SQL_PSC_PAYABLE
    ", " TF_SQL_CASH ")) OR (e.kind = " TF_SQL_KIND_INTEREST " AND "
    "p.account NOT IN (" TF_SQL_CASH ", " TF_SQL_INTEREST "))",
    /* The fund's own interest is no donor. */
    "SELECT 0, 'donor ' || id || ' takes the id of the fund''s own "
    "interest in the attribution' FROM donors WHERE id = "
    "" TF_SQL_FUND_INTEREST,
};

static void coverage_failure(void *ctx, int64_t entry, const char *what)
{
    fail(ctx, entry, "%s", what);
}

static tf_error verify_books(tf_fund *fund,
                             void (*fn)(void *ctx, int64_t entry,
                                        const char *what),
                             void *ctx, long *failures, tf_diag *diag)
{
    struct verify v;
    tf_pool_figures figs[TF_POOL_COUNT];
    int64_t head_id;
    char head_hash[TF_HASH_BUFSZ];
    tf_error err;

    memset(&v, 0, sizeof(v));
    v.fund = fund;
    v.fn = fn;
    v.ctx = ctx;
    v.diag = diag;

    if ((err = tf_ledger_flush(fund, diag)))
        return err;

    /* 1. Every entry: order, hash chain, balance per pool, conversions. */
    if ((err = tf_ledger_each_entry(fund, NULL, check_entry, &v, diag)))
        return err;
    if ((err = tf_ledger_head(fund, &head_id, head_hash, diag)))
        return err;
    if (head_id != v.prev_id || strcmp(head_hash, v.prev_hash))
        fail(&v, head_id,
             "the journal ends at entry %" PRId64 " but the chain head "
             "records entry %" PRId64 " (entries removed from the end?)",
             v.prev_id, head_id);

    /* 2-8. The records against the journal (record_checks). */
    for (size_t i = 0; i < sizeof(record_checks) / sizeof(record_checks[0]);
         i++)
        if ((err = query_failures(&v, record_checks[i])))
            return err;

    /* 9. No pool's available is negative. */
    if ((err = tf_ledger_pools(fund, NULL, figs, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (figs[k].available < 0) {
            char buf[TF_AMOUNT_BUFSZ];
            fail(&v, 0, "pool '%s' has negative available (%s)", figs[k].pool,
                 tf_fund_fmt(fund, buf, figs[k].available, 0));
        }

    /* 10. The event log and every covered table (books/audit_verify.c). */
    if ((err = tf_audit_verify(fund, coverage_failure, &v, diag)))
        return err;

    *failures = v.failures;
    return TF_OK;
}

tf_error tf_verify(tf_fund *fund,
                   void (*fn)(void *ctx, int64_t entry, const char *what),
                   void *ctx, long *failures, tf_diag *diag)
{
    tf_error err;
    int own;

    /* One snapshot for every check: a writer committing between two of
     * them would otherwise look like entries cut off or balances off. */
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    err = verify_books(fund, fn, ctx, failures, diag);
    tf_db_read_end(fund->db, own);
    return err;
}
