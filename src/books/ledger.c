/* SPDX-License-Identifier: MIT */
/*
 * The journal: posting entries with their hash chain and running
 * balances, reversals, closed periods, and the queries over them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "books/chart_sql.h"
#include "books/fund_internal.h"
#include "tfund/date.h"

/* ---- Hashing -------------------------------------------------------- */

/* Writes v in decimal at the end of buf[0..24) and returns where it
 * starts: what "%" PRIu64 would print, without the cost of printf. */
static char *fmt_u64(char buf[24], uint64_t v)
{
    char *p = buf + 24;

    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}

/* Fields are length-prefixed so that no choice of memo or account text can
 * make two different entries hash alike: "LEN:TEXT,", "-," for none. */
static void hash_bytes(struct sha256_ctx *ctx, const char *s, size_t n)
{
    char buf[25];
    const char *len;

    buf[24] = ':';
    len = fmt_u64(buf, n);
    sha256_update(ctx, (size_t)(buf + 25 - len), (const uint8_t *)len);
    sha256_update(ctx, n, (const uint8_t *)s);
    sha256_update(ctx, 1, (const uint8_t *)",");
}

static void hash_text(struct sha256_ctx *ctx, const char *s)
{
    if (!s) {
        sha256_update(ctx, 2, (const uint8_t *)"-,");
        return;
    }
    hash_bytes(ctx, s, strlen(s));
}

static void hash_int(struct sha256_ctx *ctx, int64_t v)
{
    char buf[25], *p;

    /* Unsigned negation, so that INT64_MIN needs no special case. */
    p = fmt_u64(buf + 1, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    hash_bytes(ctx, p, (size_t)(buf + 25 - p));
}

/* The hash of an entry: its content, its postings in order, and the
 * previous entry's hash. Written as lowercase hex into out. */
void tf_ledger_hash(const tf_entry *e, const char *prev_hash, char *out)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];

    sha256_init(&ctx);
    hash_text(&ctx, "tfund-entry-v1");
    hash_int(&ctx, e->id);
    hash_text(&ctx, e->date);
    hash_text(&ctx, e->kind);
    hash_text(&ctx, e->memo);
    hash_text(&ctx, e->ref);
    hash_int(&ctx, e->reverses);
    hash_text(&ctx, prev_hash);
    hash_int(&ctx, (int64_t)e->npostings);
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        hash_text(&ctx, p->account);
        hash_text(&ctx, p->pool);
        hash_int(&ctx, p->amount);
        hash_text(&ctx, p->orig_currency);
        if (p->orig_currency)
            hash_int(&ctx, p->orig_amount);
        hash_text(&ctx, p->rate);
    }
    sha256_digest(&ctx, sizeof(digest), digest);
    for (size_t i = 0; i < sizeof(digest); i++) {
        out[2 * i] = "0123456789abcdef"[digest[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
    }
    out[2 * sizeof(digest)] = '\0';
}

/* ---- Posting -------------------------------------------------------- */

static tf_error load_head(tf_fund *fund, tf_diag *diag)
{
    tf_diag sub;
    tf_stmt *st;
    int rc;

    if (fund->head_loaded)
        return TF_OK;
    st = tf_db_prepare(
        fund->db, "SELECT last_entry, last_hash FROM chain WHERE id = 1", diag);
    if (!st)
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_DB, "the chain head is missing");
    }
    fund->last_id = tf_col_int(st, 0);
    snprintf(fund->last_hash, sizeof(fund->last_hash), "%s",
             tf_col_text(st, 1));
    tf_stmt_reset(st);
    /* The closed period, cached with the head. A failed read is not an
     * open period. */
    tf_diag_clear(&sub);
    fund->closed_through[0] = '\0';
    rc = tf_setting_get(fund, "closed_through", fund->closed_through,
                        sizeof(fund->closed_through), &sub);
    if (rc != TF_OK && rc != TF_ERR_NOTFOUND)
        return tf_diag_set(diag, (tf_error)rc, "%s", sub.msg);
    /* Kept only inside a transaction: outside one, others may write. */
    fund->head_loaded = tf_db_in_tx(fund->db);
    return TF_OK;
}

void tf_ledger_forget(tf_fund *fund)
{
    fund->ndeltas = 0;
    tf_strmap_clear(&fund->delta_index);
    fund->head_loaded = 0;
    fund->head_dirty = 0;
    fund->open_checked = 0;
    tf_strmap_clear(&fund->donors_known);
    fund->guard_armed = 0;
    fund->guard_what[0] = '\0';
}

/* Adds delta to the pending running balance of account in pool (an index
 * into tf_pools). One import can touch thousands of donors' accounts, so
 * they are found by hash, not by a walk. */
static tf_error add_delta(tf_fund *fund, const char *account, int pool,
                          int64_t delta, tf_diag *diag)
{
    struct tf_balance_delta *d;
    size_t *at;
    int added;

    /* Balances are keyed as "pool\naccount" in 256 bytes at most. */
    if (strlen(tf_pools[pool]) + 1 + strlen(account) >= 256)
        return tf_diag_set(diag, TF_ERR_INPUT, "account name too long");
    if (fund->ndeltas == fund->deltacap) {
        size_t cap = fund->deltacap ? 2 * fund->deltacap : 32;
        struct tf_balance_delta *grown =
            realloc(fund->deltas, cap * sizeof(*grown));
        if (!grown)
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        fund->deltas = grown;
        fund->deltacap = cap;
    }
    if (!(at = tf_strmap_put(&fund->delta_index, account, pool, &added)))
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (!added) {
        d = &fund->deltas[*at];
        if (tf_money_add(&d->delta, d->delta, delta))
            return tf_diag_set(diag, TF_ERR_INPUT, "balance of %s overflows",
                               account);
        return TF_OK;
    }
    *at = fund->ndeltas;
    d = &fund->deltas[fund->ndeltas++];
    d->account = tf_strmap_key(&fund->delta_index, account, pool);
    d->pool = pool;
    d->delta = delta;
    return TF_OK;
}

tf_error tf_ledger_flush(tf_fund *fund, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;

    for (size_t i = 0; i < fund->ndeltas; i++) {
        if (!fund->deltas[i].delta)
            continue;
        st = tf_db_prepare(fund->db,
                           "INSERT INTO balances (account, pool, balance) "
                           "VALUES (?1, ?2, ?3) ON CONFLICT (account, pool) "
                           "DO UPDATE SET balance = balance + excluded.balance",
                           diag);
        if (!st)
            return TF_ERR_DB;
        tf_stmt_text(st, 1, fund->deltas[i].account);
        tf_stmt_text(st, 2, tf_pools[fund->deltas[i].pool]);
        tf_stmt_int(st, 3, fund->deltas[i].delta);
        if ((err = tf_stmt_run(st, diag)))
            return err;
        fund->deltas[i].delta = 0;
    }
    if (fund->head_dirty) {
        st = tf_db_prepare(fund->db,
                           "UPDATE chain SET last_entry = ?1, last_hash = ?2 "
                           "WHERE id = 1",
                           diag);
        if (!st)
            return TF_ERR_DB;
        tf_stmt_int(st, 1, fund->last_id);
        tf_stmt_text(st, 2, fund->last_hash);
        if ((err = tf_stmt_run(st, diag)))
            return err;
        fund->head_dirty = 0;
    }
    return TF_OK;
}

tf_error tf_ledger_head(tf_fund *fund, int64_t *count, char *hash,
                        tf_diag *diag)
{
    tf_error err;

    if (!tf_db_in_tx(fund->db))
        fund->head_loaded = 0;
    if ((err = load_head(fund, diag)))
        return err;
    if (count)
        *count = fund->last_id;
    if (hash)
        snprintf(hash, TF_HASH_BUFSZ, "%s", fund->last_hash);
    return TF_OK;
}

static tf_error check_entry(tf_fund *fund, const tf_entry *e, tf_diag *diag)
{
    int64_t sums[TF_POOL_COUNT] = {0};

    if (tf_date_check(e->date, diag))
        return TF_ERR_INPUT;
    if (!e->kind || !*e->kind)
        return tf_diag_set(diag, TF_ERR_INPUT, "an entry needs a kind");
    if (e->npostings < 2)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "an entry needs two or more postings");
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        int pool = tf_pool_find(p->pool);
        if (pool < 0)
            return tf_diag_set(diag, TF_ERR_RULE, "unknown pool '%s'",
                               p->pool ? p->pool : "");
        if (!p->account || !*p->account)
            return tf_diag_set(diag, TF_ERR_RULE, "a posting needs an account");
        if (tf_money_add(&sums[pool], sums[pool], p->amount))
            return tf_diag_set(diag, TF_ERR_RULE,
                               "the postings of the entry overflow");
    }
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (sums[k] != 0) {
            char buf[TF_AMOUNT_BUFSZ];
            return tf_diag_set(diag, TF_ERR_RULE,
                               "entry does not balance in pool '%s' "
                               "(off by %s)",
                               tf_pools[k], tf_fund_fmt(fund, buf, sums[k], 0));
        }
    if (fund->closed_through[0] && strcmp(e->date, fund->closed_through) <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the books are closed through %s: an entry dated "
                           "%s is refused",
                           fund->closed_through, e->date);
    return TF_OK;
}

/*
 * The ledger's writes are OR ROLLBACK: a failed one ends the transaction
 * at once, which the command then reports, where the default (ABORT) would
 * undo just the statement. Every failure already ends the command, and
 * SQLite then keeps no statement journal, whose copies of every page a
 * statement touches were most of the cost of the writes.
 */
#define ENTRIES_INSERT                                                         \
    "INSERT OR ROLLBACK INTO entries (id, date, kind, memo, ref, reverses, "   \
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
#define ENTRIES_ROW ", (?, ?, ?, ?, ?, ?, ?, ?)"
#define POSTINGS_INSERT                                                        \
    "INSERT OR ROLLBACK INTO postings (entry, account, pool, amount, "         \
    "orig_amount, orig_currency, rate) VALUES (?, ?, ?, ?, ?, ?, ?)"
#define POSTINGS_ROW ", (?, ?, ?, ?, ?, ?, ?)"

/* An entry a statement, or TF_DB_BATCH. */
static const char entries_one[] = ENTRIES_INSERT;
static const char entries_batch[] = ENTRIES_INSERT TF_DB_MORE_ROWS(ENTRIES_ROW);
/* One to four postings a statement (most entries have two), or
 * TF_DB_BATCH. */
static const char *const postings_insert[4] = {
    POSTINGS_INSERT,
    POSTINGS_INSERT POSTINGS_ROW,
    POSTINGS_INSERT POSTINGS_ROW POSTINGS_ROW,
    POSTINGS_INSERT POSTINGS_ROW POSTINGS_ROW POSTINGS_ROW,
};
static const char postings_batch[] =
    POSTINGS_INSERT TF_DB_MORE_ROWS(POSTINGS_ROW);

/* Checks e and gives it in copy the id after prev_id and in hash its hash
 * chained to prev_hash. */
static tf_error next_entry(tf_fund *fund, const tf_entry *e, int64_t prev_id,
                           const char *prev_hash, tf_entry *copy, char *hash,
                           tf_diag *diag)
{
    tf_error err = check_entry(fund, e, diag);

    if (err)
        return err;
    *copy = *e;
    copy->id = prev_id + 1;
    /* Hash the memo as it is stored (a missing one as ""), or verify,
     * which reads it back, would see a changed entry. */
    copy->memo = e->memo ? e->memo : "";
    tf_ledger_hash(copy, prev_hash, hash);
    return TF_OK;
}

/* Binds entry e (with its previous hash and hash) as row k of st. */
static void bind_entry(tf_stmt *st, int k, const tf_entry *e,
                       const char *prev_hash, const char *hash)
{
    int c = k * 8;

    tf_stmt_int(st, c + 1, e->id);
    tf_stmt_text_ref(st, c + 2, e->date);
    tf_stmt_text_ref(st, c + 3, e->kind);
    tf_stmt_text_ref(st, c + 4, e->memo);
    tf_stmt_text_ref(st, c + 5, e->ref);
    if (e->reverses)
        tf_stmt_int(st, c + 6, e->reverses);
    else
        tf_stmt_null(st, c + 6);
    tf_stmt_text_ref(st, c + 7, prev_hash);
    tf_stmt_text_ref(st, c + 8, hash);
}

/* Binds posting p of entry id as row k of st. */
static void bind_posting(tf_stmt *st, int k, int64_t id, const tf_posting *p)
{
    int c = k * 7;

    tf_stmt_int(st, c + 1, id);
    tf_stmt_text_ref(st, c + 2, p->account);
    tf_stmt_text_ref(st, c + 3, p->pool);
    tf_stmt_int(st, c + 4, p->amount);
    if (p->orig_currency)
        tf_stmt_int(st, c + 5, p->orig_amount);
    else
        tf_stmt_null(st, c + 5);
    tf_stmt_text_ref(st, c + 6, p->orig_currency);
    tf_stmt_text_ref(st, c + 7, p->rate);
}

/* Writes entries[0..n) (ids, prev_hash and hashes given), TF_DB_BATCH a
 * statement and the rest one by one. */
struct entry_rows {
    const tf_entry *entries;
    const char *prev_hash;
    char (*hashes)[TF_HASH_BUFSZ];
};

static void bind_entry_row(void *ctx, tf_stmt *st, int k, size_t i)
{
    const struct entry_rows *w = ctx;

    bind_entry(st, k, &w->entries[i], i ? w->hashes[i - 1] : w->prev_hash,
               w->hashes[i]);
}

static tf_error write_entries(tf_fund *fund, const tf_entry *entries, size_t n,
                              const char *prev_hash,
                              char (*hashes)[TF_HASH_BUFSZ], tf_diag *diag)
{
    struct entry_rows w = {entries, prev_hash, hashes};

    return tf_db_write_rows(fund->db, n, entries_batch, entries_one,
                            bind_entry_row, &w, diag);
}

/* Writes the postings of entries[0..n) (ids given), TF_DB_BATCH a
 * statement, the rest up to four a statement. */
static tf_error write_postings(tf_fund *fund, const tf_entry *entries, size_t n,
                               tf_diag *diag)
{
    size_t total = 0, done = 0, e = 0, p = 0;
    tf_error err;

    for (size_t i = 0; i < n; i++)
        total += entries[i].npostings;
    while (done < total) {
        size_t left = total - done;
        int k = left >= TF_DB_BATCH ? TF_DB_BATCH : left < 4 ? (int)left : 4;
        tf_stmt *st = tf_db_prepare(
            fund->db,
            k == TF_DB_BATCH ? postings_batch : postings_insert[k - 1], diag);
        if (!st)
            return TF_ERR_DB;
        for (int j = 0; j < k; j++) {
            while (p == entries[e].npostings) {
                e++;
                p = 0;
            }
            bind_posting(st, j, entries[e].id, &entries[e].postings[p++]);
        }
        if ((err = tf_stmt_run(st, diag)))
            return err;
        done += (size_t)k;
    }
    return TF_OK;
}

tf_error tf_ledger_post(tf_fund *fund, const tf_entry *e, int64_t *id,
                        tf_diag *diag)
{
    tf_entry copy = *e;
    tf_error err = tf_ledger_post_many(fund, &copy, 1, diag);

    if (!err && id)
        *id = copy.id;
    return err;
}

tf_error tf_ledger_post_many(tf_fund *fund, tf_entry *entries, size_t n,
                             tf_diag *diag)
{
    char one[1][TF_HASH_BUFSZ], (*hashes)[TF_HASH_BUFSZ] = one;
    int64_t id;
    tf_error err;

    if (n == 0)
        return TF_OK;
    if ((err = tf_pools_guard_arm(fund, diag)) || (err = load_head(fund, diag)))
        return err;
    if (n > 1 && !(hashes = malloc(n * sizeof(*hashes))))
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    /* Ids and hashes in order, as one by one; the head moves only once
     * everything is written. */
    id = fund->last_id;
    for (size_t i = 0; i < n && !err; i++) {
        tf_entry copy;
        if (!(err = next_entry(fund, &entries[i], id,
                               i ? hashes[i - 1] : fund->last_hash, &copy,
                               hashes[i], diag))) {
            entries[i] = copy;
            id = copy.id;
        }
    }
    if (!err)
        err = write_entries(fund, entries, n, fund->last_hash, hashes, diag);
    if (!err)
        err = write_postings(fund, entries, n, diag);
    for (size_t i = 0; i < n && !err; i++)
        for (size_t j = 0; j < entries[i].npostings && !err; j++) {
            const tf_posting *p = &entries[i].postings[j];
            err = add_delta(fund, p->account, tf_pool_find(p->pool), p->amount,
                            diag);
        }
    if (!err) {
        fund->head_dirty = 1;
        fund->last_id = id;
        memcpy(fund->last_hash, hashes[n - 1], TF_HASH_BUFSZ);
    }
    if (hashes != one)
        free(hashes);
    return err;
}

int tf_ledger_is_reversed(tf_fund *fund, int64_t id)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, "SELECT 1 FROM entries WHERE reverses = ?1", NULL);
    int rc;

    if (!st)
        return 0;
    tf_stmt_int(st, 1, id);
    rc = tf_stmt_step(st);
    tf_stmt_reset(st);
    return rc > 0;
}

/* ---- Walking the journal -------------------------------------------- */

/* Copies of one entry's strings, kept while its postings are gathered. */
struct entry_buf {
    tf_entry e;
    tf_posting *postings;
    size_t cap;
    char *text;
    size_t len, size;
    /* Offsets into text, resolved into pointers once the entry is whole. */
    size_t *offs;
    size_t noffs, offcap;
};

static size_t buf_str(struct entry_buf *b, const char *s, int *oom)
{
    size_t n, at;

    if (!s)
        return SIZE_MAX;
    n = strlen(s) + 1;
    if (b->len + n > b->size) {
        size_t size = b->size ? b->size : 256;
        char *t;
        while (b->len + n > size)
            size *= 2;
        t = realloc(b->text, size);
        if (!t) {
            *oom = 1;
            return SIZE_MAX;
        }
        b->text = t;
        b->size = size;
    }
    at = b->len;
    memcpy(b->text + at, s, n);
    b->len += n;
    return at;
}

static const char *buf_ptr(const struct entry_buf *b, size_t off)
{
    return off == SIZE_MAX ? NULL : b->text + off;
}

#define ENTRY_COLUMNS                                                          \
    "SELECT e.id, e.date, e.kind, e.memo, e.ref, e.reverses, "                 \
    "e.prev_hash, e.hash, p.account, p.pool, p.amount, p.orig_amount, "        \
    "p.orig_currency, p.rate, p.id IS NOT NULL "                               \
    "FROM entries e LEFT JOIN postings p ON p.entry = e.id "

/* Resolves the offsets of the entry gathered in b into its strings (eo:
 * the entry's own, po: each posting's) and hands it to fn. */
static int hand_over(struct entry_buf *b, const size_t eo[6], size_t (*po)[4],
                     int (*fn)(void *ctx, const tf_entry *e), void *ctx)
{
    b->e.date = buf_ptr(b, eo[0]);
    b->e.kind = buf_ptr(b, eo[1]);
    b->e.memo = buf_ptr(b, eo[2]);
    b->e.ref = buf_ptr(b, eo[3]);
    b->e.prev_hash = buf_ptr(b, eo[4]);
    b->e.hash = buf_ptr(b, eo[5]);
    for (size_t i = 0; i < b->e.npostings; i++) {
        b->postings[i].account = buf_ptr(b, po[i][0]);
        b->postings[i].pool = buf_ptr(b, po[i][1]);
        b->postings[i].orig_currency = buf_ptr(b, po[i][2]);
        b->postings[i].rate = buf_ptr(b, po[i][3]);
    }
    b->e.postings = b->postings;
    return fn(ctx, &b->e);
}

/* Starts gathering the entry of the row st stands on. */
static void start_entry(struct entry_buf *b, size_t eo[6], tf_stmt *st,
                        int *oom)
{
    b->len = 0;
    memset(&b->e, 0, sizeof(b->e));
    b->e.id = tf_col_int(st, 0);
    b->e.reverses = tf_col_null(st, 5) ? 0 : tf_col_int(st, 5);
    for (int i = 0; i < 4; i++)
        eo[i] = buf_str(b, tf_col_text(st, 1 + i), oom);
    eo[4] = buf_str(b, tf_col_text(st, 6), oom);
    eo[5] = buf_str(b, tf_col_text(st, 7), oom);
}

/* Adds the posting of the row st stands on to the entry gathered in b,
 * its strings' offsets into (*po)[n]. */
static void add_posting(struct entry_buf *b, size_t (**po)[4], tf_stmt *st,
                        int *oom)
{
    size_t n = b->e.npostings;
    tf_posting *p;

    if (n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8;
        tf_posting *np = realloc(b->postings, cap * sizeof(*np));
        size_t(*npo)[4] = np ? realloc(*po, cap * sizeof(**po)) : NULL;
        if (np)
            b->postings = np;
        if (!np || !npo) {
            *oom = 1;
            return;
        }
        *po = npo;
        b->cap = cap;
    }
    p = &b->postings[n];
    memset(p, 0, sizeof(*p));
    (*po)[n][0] = buf_str(b, tf_col_text(st, 8), oom);
    (*po)[n][1] = buf_str(b, tf_col_text(st, 9), oom);
    p->amount = tf_col_int(st, 10);
    p->orig_amount = tf_col_null(st, 11) ? 0 : tf_col_int(st, 11);
    (*po)[n][2] = buf_str(b, tf_col_text(st, 12), oom);
    (*po)[n][3] = buf_str(b, tf_col_text(st, 13), oom);
    b->e.npostings = n + 1;
}

/* Hands fn each entry, with its postings, of the rows st returns (ordered
 * by entry id, then posting id). */
static tf_error walk_entries(tf_stmt *st,
                             int (*fn)(void *ctx, const tf_entry *e), void *ctx,
                             tf_diag *diag)
{
    struct entry_buf b;
    /* Offsets of the entry's own strings and of each posting's. */
    size_t eo[6], (*po)[4] = NULL;
    int64_t cur = -1;
    tf_error err = TF_OK;
    int rc, oom = 0;

    memset(&b, 0, sizeof(b));
    for (;;) {
        rc = tf_stmt_step(st);
        if (rc < 0) {
            err = tf_stmt_error(st, diag);
            break;
        }
        /* The entry is whole when the rows move on to the next. */
        if (cur >= 0 && (rc == 0 || tf_col_int(st, 0) != cur) &&
            hand_over(&b, eo, po, fn, ctx))
            break;
        if (rc == 0)
            break;
        if (tf_col_int(st, 0) != cur) {
            cur = tf_col_int(st, 0);
            start_entry(&b, eo, st, &oom);
        }
        if (tf_col_int(st, 14))
            add_posting(&b, &po, st, &oom);
        if (oom) {
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
            break;
        }
    }
    tf_stmt_reset(st);
    free(b.postings);
    free(b.text);
    free(po);
    return err;
}

tf_error tf_ledger_each_entry(tf_fund *fund, const char *as_of,
                              int (*fn)(void *ctx, const tf_entry *e),
                              void *ctx, tf_diag *diag)
{
    tf_stmt *st;

    if (as_of) {
        st = tf_db_prepare(fund->db,
                           ENTRY_COLUMNS "WHERE e.date <= ?1 ORDER BY e.id, "
                                         "p.id",
                           diag);
        if (st)
            tf_stmt_text(st, 1, as_of);
    } else {
        st = tf_db_prepare(fund->db, ENTRY_COLUMNS "ORDER BY e.id, p.id", diag);
    }
    if (!st)
        return TF_ERR_DB;
    return walk_entries(st, fn, ctx, diag);
}

/* Hands fn the entry id alone. */
static tf_error ledger_entry(tf_fund *fund, int64_t id,
                             int (*fn)(void *ctx, const tf_entry *e), void *ctx,
                             tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, ENTRY_COLUMNS "WHERE e.id = ?1 ORDER BY p.id", diag);

    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, id);
    return walk_entries(st, fn, ctx, diag);
}

/* ---- Reversal and closing ------------------------------------------- */

struct reverse_ctx {
    tf_entry src;
    tf_posting *postings;
    int found, oom;
};

static char *keep(struct reverse_ctx *rc, const char *s)
{
    char *copy;

    if (!s)
        return NULL;
    copy = strdup(s);
    if (!copy) {
        rc->oom = 1;
        return NULL;
    }
    return copy;
}

static int find_entry_cb(void *ctx, const tf_entry *e)
{
    struct reverse_ctx *rc = ctx;

    rc->found = 1;
    rc->src.kind = keep(rc, e->kind);
    rc->src.ref = keep(rc, e->ref);
    rc->src.reverses = e->reverses;
    rc->postings =
        calloc(e->npostings ? e->npostings : 1, sizeof(*rc->postings));
    if (!rc->postings) {
        rc->oom = 1;
        return 1;
    }
    for (size_t i = 0; i < e->npostings; i++) {
        tf_posting *p = &rc->postings[i];
        p->account = keep(rc, e->postings[i].account);
        p->pool = keep(rc, e->postings[i].pool);
        p->amount = -e->postings[i].amount;
        p->orig_currency = keep(rc, e->postings[i].orig_currency);
        p->orig_amount = -e->postings[i].orig_amount;
        p->rate = keep(rc, e->postings[i].rate);
    }
    rc->src.npostings = e->npostings;
    return 1;
}

/* Only a pledge, a receipt, a spending, an adjustment, a remittance of
 * PSC or interest is corrected by its reversal, once, and a pledge only once no
 * receipt is booked on it; a reversal is not itself reversed. */
static tf_error reversible(tf_fund *fund, int64_t id, const tf_entry *src,
                           int grant, tf_diag *diag)
{
    int kind = tf_kind_find(src->kind);
    tf_stmt *st;
    int64_t n;

    if (src->reverses)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "entry %" PRId64 " is itself a reversal", id);
    if (tf_ledger_is_reversed(fund, id))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "entry %" PRId64 " is already reversed", id);
    if (grant)
        return kind == TF_KIND_DISBURSEMENT
                   ? TF_OK
                   : tf_diag_set(diag, TF_ERR_RULE,
                                 "entry %" PRId64 " is not a disbursement", id);
    if (kind != TF_KIND_PLEDGE && kind != TF_KIND_RECEIPT &&
        kind != TF_KIND_SPEND && kind != TF_KIND_ADJUSTMENT &&
        kind != TF_KIND_PSC_PAYMENT && kind != TF_KIND_INTEREST)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "a %s entry is corrected by its own command, not "
                           "by a reversal",
                           src->kind);
    if (kind != TF_KIND_PLEDGE)
        return TF_OK;
    /* A pledge with money still booked against it cannot vanish. */
    st = tf_db_prepare(fund->db,
                       "SELECT count(*) FROM receipts r JOIN pledges p ON "
                       "p.ref = r.pledge WHERE p.entry = ?1 AND NOT EXISTS "
                       "(SELECT 1 FROM entries x WHERE x.reverses = r.entry)",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_int(st, 1, id);
    if (tf_stmt_step(st) < 0)
        return tf_stmt_error(st, diag);
    n = tf_col_int(st, 0);
    tf_stmt_reset(st);
    if (n > 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "pledge entry %" PRId64 " has %" PRId64
                           " receipt%s: reverse %s first",
                           id, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
    return TF_OK;
}

static tf_error reverse(tf_fund *fund, int64_t id, const char *date,
                        const char *memo, int grant, int64_t *new_id,
                        tf_diag *diag)
{
    struct reverse_ctx rc;
    tf_entry rev;
    tf_error err;
    char defmemo[96];

    memset(&rc, 0, sizeof(rc));
    rc.src.id = id;
    if (memo && (err = tf_text_check("memo", memo, 500, 1, diag)))
        return err;
    err = ledger_entry(fund, id, find_entry_cb, &rc, diag);
    if (err)
        goto done;
    if (rc.oom) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!rc.found) {
        err = tf_diag_set(diag, TF_ERR_NOTFOUND, "no entry %" PRId64, id);
        goto done;
    }
    if ((err = reversible(fund, id, &rc.src, grant, diag)))
        goto done;
    tf_pools_guard_what(fund, "reversing entry %" PRId64 " (%s%s%s)", id,
                        rc.src.kind, rc.src.ref ? " " : "",
                        rc.src.ref ? rc.src.ref : "");
    snprintf(defmemo, sizeof(defmemo), "reversal of entry %" PRId64, id);
    memset(&rev, 0, sizeof(rev));
    rev.date = date;
    rev.kind = tf_kind_name(TF_KIND_REVERSAL);
    rev.memo = memo && *memo ? memo : defmemo;
    rev.reverses = id;
    rev.npostings = rc.src.npostings;
    rev.postings = rc.postings;
    err = tf_ledger_post(fund, &rev, new_id, diag);
done:
    if (rc.postings) {
        for (size_t i = 0; i < rc.src.npostings; i++) {
            free((char *)rc.postings[i].account);
            free((char *)rc.postings[i].pool);
            free((char *)rc.postings[i].orig_currency);
            free((char *)rc.postings[i].rate);
        }
        free(rc.postings);
    }
    free((char *)rc.src.kind);
    free((char *)rc.src.ref);
    return err;
}

tf_error tf_ledger_reverse(tf_fund *fund, int64_t id, const char *date,
                           const char *memo, int64_t *new_id, tf_diag *diag)
{
    return reverse(fund, id, date, memo, 0, new_id, diag);
}

tf_error tf_ledger_reverse_grant(tf_fund *fund, int64_t id, const char *date,
                                 const char *memo, int64_t *new_id,
                                 tf_diag *diag)
{
    return reverse(fund, id, date, memo, 1, new_id, diag);
}

/* The entry of kind recorded under ref, or 0. */
static tf_error entry_by_ref(tf_fund *fund, tf_kind kind, const char *ref,
                             int64_t *id, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT id FROM entries WHERE kind = ?1 AND "
                                "ref = ?2 AND reverses IS NULL",
                                diag);
    int rc;

    *id = 0;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, tf_kind_name(kind));
    tf_stmt_text(st, 2, ref);
    rc = tf_stmt_step(st);
    if (rc > 0)
        *id = tf_col_int(st, 0);
    return tf_stmt_done(st, rc, diag);
}

/* Nonzero when ref names the pledge a receipt without one recorded. */
static int implicit_pledge(tf_fund *fund, const char *ref)
{
    tf_stmt *st = tf_db_prepare(
        fund->db, "SELECT implicit FROM pledges WHERE ref = ?1", NULL);
    int yes = 0;

    if (!st)
        return 0;
    tf_stmt_text(st, 1, ref);
    if (tf_stmt_step(st) > 0)
        yes = tf_col_int(st, 0) != 0;
    tf_stmt_reset(st);
    return yes;
}

tf_error tf_ledger_reverse_ref(tf_fund *fund, const char *ref, const char *date,
                               const char *memo, int64_t reversed[2],
                               int64_t reversals[2], size_t *n, tf_diag *diag)
{
    /* A receipt before its implicit pledge: a pledge with receipts
     * cannot be reversed. */
    static const tf_kind kinds[] = {TF_KIND_RECEIPT, TF_KIND_SPEND,
                                    TF_KIND_PLEDGE, TF_KIND_ADJUSTMENT};
    int64_t found[4], id;
    size_t nfound = 0, live = 0;
    const char *kind = "";
    tf_error err;

    *n = 0;
    for (size_t i = 0; i < 4; i++) {
        if ((err = entry_by_ref(fund, kinds[i], ref, &found[i], diag)))
            return err;
        nfound += found[i] != 0;
        live += found[i] && !tf_ledger_is_reversed(fund, found[i]);
    }
    if (nfound == 0) {
        tf_stmt *st = tf_db_prepare(fund->db,
                                    "SELECT 1 FROM entries WHERE ref = ?1 OR "
                                    "substr(ref, 1, length(?1) + 1) "
                                    "= ?1 || '@' "
                                    "LIMIT 1",
                                    diag);
        int rc;
        if (!st)
            return TF_ERR_DB;
        tf_stmt_text(st, 1, ref);
        rc = tf_stmt_step(st);
        tf_stmt_reset(st);
        if (rc > 0)
            return tf_diag_set(diag, TF_ERR_RULE,
                               "'%s' is a travel grant: it is corrected by "
                               "its own commands (cancel, disburse), not by "
                               "a reversal",
                               ref);
        return tf_diag_set(diag, TF_ERR_NOTFOUND,
                           "no pledge, receipt or spending is recorded under "
                           "reference '%s'",
                           ref);
    }
    if (live == 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "what is recorded under reference '%s' is already "
                           "reversed",
                           ref);
    /* One record, or a receipt with the pledge it recorded for itself. */
    if (live > 1 &&
        !(live == 2 && found[0] && found[2] &&
          !tf_ledger_is_reversed(fund, found[0]) && implicit_pledge(fund, ref)))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "reference '%s' names more than one record (a "
                           "pledge and a receipt, say): reverse each by its "
                           "entry id ('tfund journal' shows them)",
                           ref);
    for (size_t i = 0; i < 4; i++) {
        if (!found[i] || tf_ledger_is_reversed(fund, found[i]))
            continue;
        if ((err = tf_ledger_reverse(fund, found[i], date, memo, &id, diag)))
            return err;
        kind = tf_kind_name(kinds[i]);
        reversed[*n] = found[i];
        reversals[*n] = id;
        (*n)++;
    }
    tf_pools_guard_what(fund, "reversing %s '%s'",
                        *n > 1 ? "receipt and pledge" : kind, ref);
    return TF_OK;
}

tf_error tf_ledger_close_period(tf_fund *fund, const char *date, tf_diag *diag)
{
    char closed[32];
    tf_diag sub;
    tf_stmt *st;

    if (tf_date_check(date, diag))
        return TF_ERR_INPUT;
    tf_diag_clear(&sub);
    if (tf_setting_get(fund, "closed_through", closed, sizeof(closed), &sub) ==
            TF_OK &&
        strcmp(date, closed) <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the books are already closed through %s", closed);
    st = tf_db_prepare(fund->db,
                       "INSERT INTO settings (key, value) VALUES "
                       "('closed_through', ?1) ON CONFLICT (key) DO UPDATE "
                       "SET value = excluded.value",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, date);
    snprintf(fund->closed_through, sizeof(fund->closed_through), "%s", date);
    return tf_stmt_run(st, diag);
}

tf_error tf_ledger_check_date(tf_fund *fund, const char *date, const char *what,
                              tf_diag *diag)
{
    char closed[32];
    tf_diag sub;
    tf_error err;

    tf_diag_clear(&sub);
    err = tf_setting_get(fund, "closed_through", closed, sizeof(closed), &sub);
    if (err == TF_ERR_NOTFOUND)
        return TF_OK;
    if (err) /* a failed read is not an open period */
        return tf_diag_set(diag, err, "%s", sub.msg);
    if (strcmp(date, closed) <= 0)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the books are closed through %s: %s dated %s is "
                           "refused",
                           closed, what, date);
    return TF_OK;
}

/* ---- Balances ------------------------------------------------------- */

tf_error tf_ledger_as_of(tf_fund *fund, const char **as_of, tf_diag *diag)
{
    tf_error err = tf_ledger_flush(fund, diag);
    tf_stmt *st;
    int rc;

    if (err || !*as_of)
        return err;
    st = tf_db_prepare(fund->db,
                       "SELECT 1 FROM entries WHERE date > ?1 LIMIT 1", diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, *as_of);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (rc == 0)
        *as_of = NULL;
    return TF_OK;
}

tf_error tf_ledger_balance(tf_fund *fund, const char *account, const char *pool,
                           const char *as_of, int64_t *out, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int rc;

    if ((err = tf_ledger_as_of(fund, &as_of, diag)))
        return err;
    if (!as_of)
        st = tf_db_prepare(fund->db,
                           "SELECT coalesce(sum(balance), 0) FROM balances "
                           "WHERE account = ?1 AND (?2 IS NULL OR pool = ?2)",
                           diag);
    else
        st = tf_db_prepare(fund->db,
                           "SELECT coalesce(sum(p.amount), 0) FROM postings p "
                           "JOIN entries e ON e.id = p.entry WHERE p.account "
                           "= ?1 AND (?2 IS NULL OR p.pool = ?2) AND e.date "
                           "<= ?3",
                           diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, account);
    tf_stmt_text(st, 2, pool);
    if (as_of)
        tf_stmt_text(st, 3, as_of);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    *out = tf_col_int(st, 0);
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_ledger_each_balance(tf_fund *fund, const char *as_of,
                                int (*fn)(void *ctx, const char *account,
                                          const char *pool, int64_t balance),
                                void *ctx, tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int rc;

    if ((err = tf_ledger_as_of(fund, &as_of, diag)))
        return err;
    if (!as_of)
        st = tf_db_prepare(fund->db,
                           "SELECT account, pool, balance FROM balances "
                           "WHERE balance <> 0 ORDER BY account, pool",
                           diag);
    else
        st = tf_db_prepare(fund->db,
                           "SELECT p.account, p.pool, sum(p.amount) FROM "
                           "postings p JOIN entries e ON e.id = p.entry "
                           "WHERE e.date <= ?1 GROUP BY p.account, p.pool "
                           "HAVING sum(p.amount) <> 0 ORDER BY 1, 2",
                           diag);
    if (!st)
        return TF_ERR_DB;
    if (as_of)
        tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0)
        if (fn(ctx, tf_col_text(st, 0), tf_col_text(st, 1), tf_col_int(st, 2)))
            break;
    return tf_stmt_done(st, rc, diag);
}

/* ---- Pool figures --------------------------------------------------- */

/* Adds per-pool sums of a query returning (pool, amount[, amount2])
 * into sums (and sums2, when not NULL). */
static tf_error add_pool_sums2(tf_fund *fund, const char *sql,
                               const char *as_of, int64_t *sums, int64_t *sums2,
                               tf_diag *diag);

static tf_error add_pool_sums(tf_fund *fund, const char *sql, const char *as_of,
                              int64_t *sums, tf_diag *diag)
{
    return add_pool_sums2(fund, sql, as_of, sums, NULL, diag);
}

static tf_error add_pool_sums2(tf_fund *fund, const char *sql,
                               const char *as_of, int64_t *sums, int64_t *sums2,
                               tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db, sql, diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, as_of);
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0) {
            sums[k] += tf_col_int(st, 1);
            if (sums2)
                sums2[k] += tf_col_int(st, 2);
        }
    }
    return tf_stmt_done(st, rc, diag);
}

/* The reserve rate in force on date (NULL: now). Closing refunds the
 * reserve with the rest of the cash: from the closing date on, a pool
 * holds none; earlier dates keep theirs. */
static tf_error reserve_rate_on(tf_fund *fund, const char *date, char *rate,
                                size_t size, tf_diag *diag)
{
    char closed[32];
    tf_diag sub;
    tf_error err;

    if ((err = tf_setting_get(fund, "reserve_rate", rate, size, diag)))
        return err;
    tf_diag_clear(&sub);
    err = tf_setting_get(fund, "closed_on", closed, sizeof(closed), &sub);
    if (err && err != TF_ERR_NOTFOUND)
        return tf_diag_set(diag, err, "%s", sub.msg);
    if (!err && (!date || strcmp(date, closed) >= 0))
        snprintf(rate, size, "0");
    return TF_OK;
}

/* The figures of every pool as of as_of (NULL: now). With available_only,
 * the receipts are left out (as zero) when no reserve is kept on them,
 * since available does not depend on them then: the check of every
 * commit (tf_pools_guard) needs only the pools' available, and the
 * receipts are the one figure that a pass over many rows gives. */
static tf_error pool_figures(tf_fund *fund, const char *as_of,
                             tf_pool_figures figs[TF_POOL_COUNT],
                             int available_only, tf_diag *diag)
{
    /* Receipts: the cash of receipt entries, net of their reversals.
     * Reached from the receipt entries (every one has a reference) and
     * from the reversals, not from the cash postings: every grant paid
     * adds one of those, and each disbursement asks for these figures. */
    static const char receipts_sql[] =
        "SELECT p.pool, sum(p.amount) "
        "FROM entries e INDEXED BY entries_kind_ref "
        "JOIN postings p ON p.entry = e.id "
        "WHERE e.kind = " TF_SQL_KIND_RECEIPT " AND e.ref IS NOT NULL "
        "AND +p.account = " TF_SQL_CASH " "
        "AND (?1 IS NULL OR e.date <= ?1) GROUP BY p.pool "
        "UNION ALL "
        "SELECT p.pool, sum(p.amount) "
        "FROM entries e INDEXED BY entries_reverses "
        "CROSS JOIN entries o ON o.id = e.reverses "
        "JOIN postings p ON p.entry = e.id "
        "WHERE e.reverses > 0 AND o.kind = " TF_SQL_KIND_RECEIPT " "
        "AND +p.account = " TF_SQL_CASH " "
        "AND (?1 IS NULL OR e.date <= ?1) GROUP BY p.pool";
    /* Cash net of what the pool owes (PSC to the UN, refunds to donors),
     * and beside it the interest the pool earned (a credit), from the
     * same rows. */
    static const char cash_now_sql[] =
        "SELECT pool, sum(CASE WHEN account = " TF_SQL_INTEREST " THEN 0 "
        "ELSE balance END), sum(CASE WHEN account = " TF_SQL_INTEREST " "
        "THEN -balance ELSE 0 END) FROM balances "
        "WHERE (" TF_SQL_NET_CASH("account") " OR account = " TF_SQL_INTEREST
                                             ") AND ?1 IS NULL GROUP BY pool";
    static const char cash_asof_sql[] =
        "SELECT p.pool, sum(CASE WHEN p.account = " TF_SQL_INTEREST " THEN 0 "
        "ELSE p.amount END), sum(CASE WHEN p.account = " TF_SQL_INTEREST " "
        "THEN -p.amount ELSE 0 END) FROM postings p "
        "JOIN entries e ON e.id = p.entry "
        "WHERE (" TF_SQL_NET_CASH(
            "p.account") " OR p.account = " TF_SQL_INTEREST
                         ") AND e.date <= ?1 GROUP BY p.pool";
    static const char committed_now_sql[] =
        "SELECT pool, sum(balance) FROM balances "
        "WHERE account = " TF_SQL_ENCUMBRANCES " AND ?1 IS NULL GROUP BY pool";
    static const char committed_asof_sql[] =
        "SELECT p.pool, sum(p.amount) FROM postings p "
        "JOIN entries e ON e.id = p.entry "
        "WHERE p.account = " TF_SQL_ENCUMBRANCES " AND e.date <= ?1 "
        "GROUP BY p.pool";
    int64_t receipts[TF_POOL_COUNT] = {0}, cash[TF_POOL_COUNT] = {0};
    int64_t interest[TF_POOL_COUNT] = {0};
    int64_t committed[TF_POOL_COUNT] = {0};
    const char *date = as_of; /* as asked, for the closing below */
    char reserve_rate[64];
    tf_error err;

    /* Figures as of a date past the last entry are those of now, in the
     * running balances. */
    if ((err = tf_ledger_as_of(fund, &as_of, diag)))
        return err;
    if ((err = reserve_rate_on(fund, date, reserve_rate, sizeof(reserve_rate),
                               diag)))
        return err;
    if ((!available_only || strcmp(reserve_rate, "0")) &&
        (err = add_pool_sums(fund, receipts_sql, as_of, receipts, diag)))
        return err;
    if ((err = add_pool_sums2(fund, as_of ? cash_asof_sql : cash_now_sql, as_of,
                              cash, interest, diag)))
        return err;
    if ((err =
             add_pool_sums(fund, as_of ? committed_asof_sql : committed_now_sql,
                           as_of, committed, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        figs[k].pool = tf_pools[k];
        figs[k].receipts = receipts[k];
        figs[k].cash = cash[k];
        figs[k].interest = interest[k];
        figs[k].committed = committed[k];
        err = tf_money_mul_decimal(&figs[k].reserve, receipts[k], reserve_rate,
                                   TF_ROUND_HALF_EVEN);
        if (err)
            return tf_diag_set(diag, err, "reserve of pool '%s' overflows",
                               tf_pools[k]);
        figs[k].available = cash[k] - committed[k] - figs[k].reserve;
    }
    return TF_OK;
}

tf_error tf_ledger_pools(tf_fund *fund, const char *as_of,
                         tf_pool_figures figs[TF_POOL_COUNT], tf_diag *diag)
{
    tf_error err;
    int own;

    /* Receipts, cash and commitments from one snapshot, or a commit in
     * between could show an available that never was. */
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    err = pool_figures(fund, as_of, figs, 0, diag);
    tf_db_read_end(fund->db, own);
    return err;
}

/* ---- No pool below zero today ----------------------------------------- */

/* What each pool owes the UN in PSC now: the credit balance of its PSC
 * payable. */
static tf_error psc_owed(tf_fund *fund, int64_t owed[TF_POOL_COUNT],
                         tf_diag *diag)
{
    tf_stmt *st;
    tf_error err;
    int rc;

    memset(owed, 0, TF_POOL_COUNT * sizeof(*owed));
    if ((err = tf_ledger_flush(fund, diag)))
        return err;
    if (!(st = tf_db_prepare(fund->db,
                             "SELECT pool, balance FROM balances WHERE "
                             "account = " TF_SQL_PSC_PAYABLE,
                             diag)))
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0) {
        int k = tf_pool_find(tf_col_text(st, 0));
        if (k >= 0)
            owed[k] = -tf_col_int(st, 1);
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_pools_guard_arm(tf_fund *fund, tf_diag *diag)
{
    tf_pool_figures figs[TF_POOL_COUNT];
    tf_error err;

    if (fund->guard_armed || !tf_db_in_tx(fund->db))
        return TF_OK;
    if ((err = pool_figures(fund, NULL, figs, 1, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        fund->guard_before[k] = figs[k].available;
    if ((err = psc_owed(fund, fund->guard_owed, diag)))
        return err;
    fund->guard_armed = 1;
    return TF_OK;
}

void tf_pools_guard_what(tf_fund *fund, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(fund->guard_what, sizeof(fund->guard_what), fmt, ap);
    va_end(ap);
}

tf_error tf_pools_guard(tf_fund *fund, tf_diag *diag)
{
    tf_pool_figures now[TF_POOL_COUNT];
    char a[TF_AMOUNT_BUFSZ], c[TF_AMOUNT_BUFSZ], m[TF_AMOUNT_BUFSZ],
        r[TF_AMOUNT_BUFSZ];
    int64_t owed[TF_POOL_COUNT];
    tf_error err;

    if (!fund->guard_armed)
        return TF_OK;
    if ((err = psc_owed(fund, owed, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (owed[k] >= 0 || owed[k] >= fund->guard_owed[k])
            continue;
        return tf_diag_set(
            diag, TF_ERR_RULE,
            "%s would leave pool '%s' with %s more PSC remitted to the UN "
            "than charged (the PSC of what it takes back was already "
            "remitted): refused, nothing was written",
            fund->guard_what[0] ? fund->guard_what : "this change", tf_pools[k],
            tf_fund_fmt(fund, a, -owed[k], 1));
    }
    if ((err = pool_figures(fund, NULL, now, 1, diag)))
        return err;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (now[k].available >= 0 || now[k].available >= fund->guard_before[k])
            continue;
        return tf_diag_set(
            diag, TF_ERR_RULE,
            "%s would leave pool '%s' at %s available today (cash %s less "
            "%s committed and %s reserve): refused, nothing was written",
            fund->guard_what[0] ? fund->guard_what : "this change", tf_pools[k],
            tf_fund_fmt(fund, a, now[k].available, 1),
            tf_fund_fmt(fund, c, now[k].cash, 1),
            tf_fund_fmt(fund, m, now[k].committed, 1),
            tf_fund_fmt(fund, r, now[k].reserve, 1));
    }
    return TF_OK;
}

tf_error tf_ledger_ref_entries(tf_fund *fund, const char *ref,
                               int (*fn)(void *ctx, int64_t id,
                                         const char *kind, int64_t reversed_by),
                               void *ctx, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT e.id, e.kind, coalesce((SELECT x.id FROM entries x WHERE "
        "x.reverses = e.id), 0) FROM entries e WHERE e.kind IN "
        "(" TF_SQL_KIND_PLEDGE ", " TF_SQL_KIND_RECEIPT
        ", " TF_SQL_Q(TF_N_KIND_SPEND) ") AND e.ref = ?1 ORDER BY e.id",
        diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, ref);
    while ((rc = tf_stmt_step(st)) > 0)
        if (fn(ctx, tf_col_int(st, 0), tf_col_text(st, 1), tf_col_int(st, 2)))
            break;
    return tf_stmt_done(st, rc, diag);
}
