/* SPDX-License-Identifier: MIT */
/*
 * The event log: which tables it covers, how a row and an event are
 * hashed, and the event each write transaction appends just before its
 * commit (tf_fund_commit calls tf_audit_append), with the genesis event
 * of a fund written before the log existed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha2.h>

#include "books/audit_internal.h"

/* ---- Covered tables ------------------------------------------------- */

#define COVER(t, checked, optional, cols, key)                                 \
    {                                                                          \
        t, checked, optional, "SELECT max(rowid) FROM " t,                     \
            "SELECT rowid" cols " FROM " t " WHERE rowid > ?1 ORDER BY rowid", \
            "SELECT " key " FROM " t " WHERE rowid = ?1"                       \
    }

/* A request's identity is covered; its state is a cache of its decisions
 * (verify re-derives it). The journal's rows are covered by the journal's
 * own hashes, so only which rows each event wrote is recorded. */
const struct tf_covered tf_covered[TF_COVERED_COUNT] = {
    COVER("country_versions", 1, 0, ", *", "iso3"),
    COVER("rates", 1, 0, ", *", "currency || ' ' || date"),
    COVER("donors", 1, 0, ", *", "id"),
    COVER("pledges", 1, 0, ", *", "ref"),
    COVER("receipts", 1, 0, ", *", "ref"),
    COVER("sessions", 1, 0, ", *", "id"),
    COVER("requests", 1, 0,
          ", ref, session, country, delegate, submitted, fare, "
          "fare_currency, gender",
          "ref"),
    COVER("costs", 1, 0, ", *", "ref"),
    COVER("setting_versions", 1, 0, ", *", "key || ' = ' || value"),
    COVER("users", 1, 1, ", *", "id"),
    COVER("runs", 1, 0, ", *", "'run ' || id || ' of ' || session"),
    COVER("decisions", 1, 0, ", *", "request || ' ' || status"),
    COVER("draws", 1, 0, ", *", "request || ' from ' || pool"),
    COVER("spends", 1, 0, ", *", "ref"),
    COVER("transfers", 1, 0, ", *",
          "'entry ' || entry || ' ' || from_pool || ' to ' || to_pool"),
    COVER("refunds", 1, 0, ", *", "'entry ' || entry || ' to ' || donor"),
    COVER("entries", 0, 0, "", "'entry ' || id || ' ' || kind"),
    COVER("postings", 0, 0, "", "'entry ' || entry || ' ' || account"),
    COVER("envelopes", 1, 0, ", *", "'run ' || run || ' ' || pool"),
    COVER("run_steps", 1, 0, ", *", "'run ' || run || ' ' || step"),
    COVER("amendments", 1, 0, ", *", "request"),
    COVER("proposals", 1, 0, ", *", "'run ' || run || ' ' || request"),
    COVER("payments", 1, 0, ", *", "'payment ' || id || ' of ' || request"),
    COVER("payment_steps", 1, 0, ", *", "'payment ' || payment || ' ' || step"),
};

int tf_covered_find(const char *table, size_t len)
{
    for (int i = 0; i < TF_COVERED_COUNT; i++)
        if (strlen(tf_covered[i].table) == len &&
            !memcmp(tf_covered[i].table, table, len))
            return i;
    return -1;
}

tf_error tf_covered_present(tf_db *db, int index, int *present, tf_diag *diag)
{
    static const char sql[] =
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1";
    tf_stmt *st;
    int rc;

    *present = 1;
    if (!tf_covered[index].optional)
        return TF_OK;
    if (!(st = tf_db_prepare(db, sql, diag)))
        return TF_ERR_DB;
    tf_stmt_text(st, 1, tf_covered[index].table);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    *present = rc > 0;
    return TF_OK;
}

/* ---- Hashing -------------------------------------------------------- */

/* "LEN:" then the bytes then ",": no choice of text can make two
 * different sequences of fields encode alike. prefix (may be 0) is a
 * class letter counted in the length. */
static void put_field(struct sha256_ctx *ctx, char prefix, const void *data,
                      size_t n)
{
    char len[32];
    int k = snprintf(len, sizeof(len), "%zu:", n + (prefix ? 1 : 0));

    sha256_update(ctx, (size_t)k, (const uint8_t *)len);
    if (prefix)
        sha256_update(ctx, 1, (const uint8_t *)&prefix);
    if (n)
        sha256_update(ctx, n, (const uint8_t *)data);
    sha256_update(ctx, 1, (const uint8_t *)",");
}

static void put_text(struct sha256_ctx *ctx, const char *s)
{
    put_field(ctx, 0, s ? s : "", s ? strlen(s) : 0);
}

static void put_int(struct sha256_ctx *ctx, int64_t v)
{
    char buf[32];
    int k = snprintf(buf, sizeof(buf), "%" PRId64, v);

    put_field(ctx, 0, buf, (size_t)k);
}

static void to_hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = "0123456789abcdef"[d[i] >> 4];
        out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The encoding of a row is gathered in a buffer and hashed in one go: a
 * row is a few hundred bytes, and hashing it field by field, with the
 * length of each printed on its own, took most of what an event costs. */
struct rowbuf {
    struct sha256_ctx ctx;
    size_t n;
    uint8_t b[1024];
};

static void rb_put(struct rowbuf *rb, const void *data, size_t n)
{
    if (!n)
        return;
    if (rb->n + n > sizeof(rb->b)) {
        sha256_update(&rb->ctx, rb->n, rb->b);
        rb->n = 0;
        if (n > sizeof(rb->b)) {
            sha256_update(&rb->ctx, n, data);
            return;
        }
    }
    memcpy(rb->b + rb->n, data, n);
    rb->n += n;
}

/* Writes v in decimal at the end of buf[0..24) and returns where it
 * starts. */
static char *fmt_u64(char buf[24], uint64_t v)
{
    char *p = buf + 24;

    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}

/* One field: "LEN:" [prefix] bytes "," as put_field writes it. */
static void rb_field(struct rowbuf *rb, char prefix, const void *data, size_t n)
{
    char len[25], *p;

    len[24] = ':';
    p = fmt_u64(len, n + (prefix ? 1 : 0));
    rb_put(rb, p, (size_t)(len + 25 - p));
    if (prefix)
        rb_put(rb, &prefix, 1);
    rb_put(rb, data, n);
    rb_put(rb, ",", 1);
}

static void rb_int(struct rowbuf *rb, char prefix, int64_t v)
{
    char buf[25], *p;

    /* Unsigned negation, so that INT64_MIN needs no special case. */
    p = fmt_u64(buf + 1, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    rb_field(rb, prefix, p, (size_t)(buf + 25 - p));
}

void tf_audit_row_hash(const char *table, tf_stmt *st, uint8_t *out)
{
    static const char letter[] = {'i', 'r', 't', 'b', 'n'};
    struct rowbuf rb;
    int ncols = tf_col_count(st), last = 0;
    tf_col_class cls[TF_ROW_MAX_COLS];

    if (ncols > TF_ROW_MAX_COLS)
        ncols = TF_ROW_MAX_COLS;
    /* Columns added to a table later are NULL in its older rows: leaving
     * out trailing NULLs keeps those rows' checks. */
    for (int i = 1; i < ncols; i++)
        if ((cls[i] = tf_col_type(st, i)) != TF_COL_NULL)
            last = i;
    sha256_init(&rb.ctx);
    rb.n = 0;
    rb_field(&rb, 0, "tfund-row-v1", 12);
    rb_field(&rb, 0, table, strlen(table));
    rb_int(&rb, 0, tf_col_int(st, 0));
    rb_int(&rb, 0, last);
    for (int i = 1; i <= last; i++) {
        if (cls[i] == TF_COL_NULL)
            rb_field(&rb, 'n', NULL, 0);
        else if (cls[i] == TF_COL_INT)
            rb_int(&rb, 'i', tf_col_int(st, i));
        else
            rb_field(&rb, letter[cls[i]], tf_col_blob(st, i),
                     (size_t)tf_col_bytes(st, i));
    }
    sha256_update(&rb.ctx, rb.n, rb.b);
    sha256_digest(&rb.ctx, TF_ROW_HASH_SIZE, out);
}

void tf_audit_event_hash(const tf_event *e, const void *checks, size_t nchecks,
                         const char *digest, char *out)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];

    sha256_init(&ctx);
    put_text(&ctx, "tfund-event-v1");
    put_int(&ctx, e->seq);
    put_text(&ctx, e->at);
    put_text(&ctx, e->actor);
    put_text(&ctx, e->command);
    put_text(&ctx, e->summary);
    put_text(&ctx, e->wrote);
    put_field(&ctx, 0, checks, nchecks);
    put_text(&ctx, digest);
    put_text(&ctx, e->prev_hash);
    sha256_digest(&ctx, sizeof(d), d);
    to_hex(d, sizeof(d), out);
}

/* ---- Growing buffers ------------------------------------------------ */

struct buf {
    char *p;
    size_t n, cap;
    int oom;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;
        while (cap < b->n + n + 1)
            cap *= 2;
        if (!(grown = realloc(b->p, cap))) {
            b->oom = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_fmt(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void buf_fmt(struct buf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (k > 0)
        buf_put(b, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

/* ---- The command line ----------------------------------------------- */

static int plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c) || c >= 0x80;
}

/* Appends arg quoted as a POSIX shell would need it. */
static void quote_arg(struct buf *b, const char *arg)
{
    int plain = *arg != '\0', ctl = 0;

    for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
        if (!plain_char(*p))
            plain = 0;
        if (*p < 0x20 || *p == 0x7f)
            ctl = 1;
    }
    if (plain) {
        buf_str(b, arg);
    } else if (!ctl) {
        buf_put(b, "'", 1);
        for (const char *p = arg; *p; p++)
            if (*p == '\'')
                buf_str(b, "'\\''");
            else
                buf_put(b, p, 1);
        buf_put(b, "'", 1);
    } else {
        /* Control characters as escapes, so the command stays one line. */
        buf_str(b, "$'");
        for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
            if (*p == '\n')
                buf_str(b, "\\n");
            else if (*p == '\t')
                buf_str(b, "\\t");
            else if (*p == '\r')
                buf_str(b, "\\r");
            else if (*p == '\\' || *p == '\'')
                buf_fmt(b, "\\%c", *p);
            else if (*p < 0x20 || *p == 0x7f)
                buf_fmt(b, "\\x%02x", *p);
            else
                buf_put(b, p, 1);
        }
        buf_put(b, "'", 1);
    }
}

char *tf_audit_command_line(int argc, char *const *argv,
                            const char *const *secret)
{
    struct buf b = {0};
    int hide_next = 0;

    buf_str(&b, "tfund");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *const *s;
        buf_put(&b, " ", 1);
        if (hide_next) {
            buf_str(&b, "'***'");
            hide_next = 0;
            continue;
        }
        for (s = secret; s && *s; s++) {
            size_t n = strlen(*s);
            if (!strcmp(a, *s)) {
                hide_next = 1;
                break;
            }
            if (!strncmp(a, *s, n) && a[n] == '=')
                break;
        }
        if (s && *s && !hide_next) {
            buf_put(&b, a, strlen(*s));
            buf_str(&b, "='***'");
            continue;
        }
        quote_arg(&b, a);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- The state of a fund handle ------------------------------------- */

struct tf_audit {
    char *actor, *command, *summary;
    int marked;
    int present[TF_COVERED_COUNT];
    int64_t mark[TF_COVERED_COUNT];
};

static char *process_command;

void tf_audit_set_process_command(const char *command)
{
    free(process_command);
    process_command = command ? strdup(command) : NULL;
}

static struct tf_audit *audit_of(tf_fund *fund)
{
    if (!fund->audit)
        fund->audit = calloc(1, sizeof(*fund->audit));
    return fund->audit;
}

static tf_error set_string(char **slot, const char *value, tf_diag *diag)
{
    char *copy = value ? strdup(value) : NULL;

    if (value && !copy)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    free(*slot);
    *slot = copy;
    return TF_OK;
}

tf_error tf_audit_set_command(tf_fund *fund, const char *command, tf_diag *diag)
{
    struct tf_audit *a = audit_of(fund);

    if (!a)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return set_string(&a->command, command, diag);
}

tf_error tf_audit_set_actor(tf_fund *fund, const char *actor, tf_diag *diag)
{
    struct tf_audit *a = audit_of(fund);

    if (!a)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    if (actor && !*actor)
        return tf_diag_set(diag, TF_ERR_INPUT, "an actor needs a name");
    return set_string(&a->actor, actor, diag);
}

const char *tf_audit_actor(tf_fund *fund)
{
    return fund->audit && fund->audit->marked ? fund->audit->actor : NULL;
}

void tf_audit_summary(tf_fund *fund, const char *fmt, ...)
{
    struct tf_audit *a = audit_of(fund);
    char text[1024];
    va_list ap;

    if (!a)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    set_string(&a->summary, text, NULL);
}

tf_error tf_audit_mark(tf_fund *fund, tf_diag *diag)
{
    struct tf_audit *a = audit_of(fund);

    if (!a)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    a->marked = 0;
    set_string(&a->summary, NULL, NULL);
    if (!a->actor) {
        char login[128], actor[256];
        tf_error err;
        tf_actor_login(login, sizeof(login));
        if ((err =
                 tf_actor_for_login(fund, login, actor, sizeof(actor), diag)) ||
            (err = set_string(&a->actor, actor, diag)))
            return err;
    }
    for (int i = 0; i < TF_COVERED_COUNT; i++) {
        tf_stmt *st;
        int rc;
        tf_error err;
        a->mark[i] = 0;
        if ((err = tf_covered_present(fund->db, i, &a->present[i], diag)))
            return err;
        if (!a->present[i])
            continue;
        if (!(st = tf_db_prepare(fund->db, tf_covered[i].max_sql, diag)))
            return TF_ERR_DB;
        rc = tf_stmt_step(st);
        if (rc < 0)
            return tf_stmt_error(st, diag);
        a->mark[i] = rc > 0 ? tf_col_int(st, 0) : 0;
        tf_stmt_reset(st);
    }
    a->marked = 1;
    return TF_OK;
}

void tf_audit_forget(tf_fund *fund)
{
    if (!fund->audit)
        return;
    fund->audit->marked = 0;
    set_string(&fund->audit->summary, NULL, NULL);
}

void tf_audit_free(tf_fund *fund)
{
    struct tf_audit *a = fund->audit;

    if (!a)
        return;
    free(a->actor);
    free(a->command);
    free(a->summary);
    free(a);
    fund->audit = NULL;
}

/* ---- Writing an event ----------------------------------------------- */

/* What a transaction inserted: the ranges of rowids per table, the
 * checks of the checked rows and the digest of their full hashes. */
struct collected {
    struct buf wrote, checks, counts;
    long rows;
    struct sha256_ctx digest;
};

/* Reads back the rows of table i above mark. */
static tf_error collect_table(tf_db *db, int i, int64_t mark,
                              struct collected *c, tf_diag *diag)
{
    const struct tf_covered *t = &tf_covered[i];
    tf_stmt *st;
    int64_t first = -1, prev = -1;
    long n = 0;
    int rc;

    if (!(st = tf_db_prepare(db, t->max_sql, diag)))
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0 || tf_col_null(st, 0) || tf_col_int(st, 0) <= mark) {
        tf_stmt_reset(st);
        return TF_OK;
    }
    tf_stmt_reset(st);
    if (!(st = tf_db_prepare(db, t->rows_sql, diag)))
        return TF_ERR_DB;
    tf_stmt_int(st, 1, mark);
    buf_str(&c->wrote, c->wrote.n ? ";" : "");
    buf_str(&c->wrote, t->table);
    buf_put(&c->wrote, ":", 1);
    while ((rc = tf_stmt_step(st)) > 0) {
        int64_t rowid = tf_col_int(st, 0);
        if (first < 0) {
            first = rowid;
        } else if (rowid != prev + 1) {
            buf_fmt(&c->wrote, "%" PRId64 "-%" PRId64 ",", first, prev);
            first = rowid;
        }
        prev = rowid;
        if (t->checked) {
            uint8_t h[TF_ROW_HASH_SIZE];
            tf_audit_row_hash(t->table, st, h);
            buf_put(&c->checks, h, TF_ROW_CHECK_SIZE);
            sha256_update(&c->digest, sizeof(h), h);
        }
        n++;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    buf_fmt(&c->wrote, "%" PRId64 "-%" PRId64, first, prev);
    buf_fmt(&c->counts, "%s%ld %s", c->counts.n ? ", " : "", n, t->table);
    c->rows += n;
    return TF_OK;
}

static tf_error collect(tf_db *db, const int64_t *marks, const int *present,
                        struct collected *c, tf_diag *diag)
{
    tf_error err;

    sha256_init(&c->digest);
    for (int i = 0; i < TF_COVERED_COUNT; i++) {
        if (!present[i])
            continue;
        if ((err = collect_table(db, i, marks[i], c, diag)))
            return err;
    }
    if (c->wrote.oom || c->checks.oom || c->counts.oom)
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    return TF_OK;
}

static void collected_release(struct collected *c)
{
    free(c->wrote.p);
    free(c->checks.p);
    free(c->counts.p);
}

static void now_utc(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Appends the event of c, chained to the head, and moves the head. */
static tf_error write_event(tf_db *db, const char *actor, const char *command,
                            const char *summary, struct collected *c,
                            int64_t *seq_out, tf_diag *diag)
{
    static const char head_sql[] =
        "SELECT last_event, last_event_hash FROM chain WHERE id = 1";
    static const char insert_sql[] =
        "INSERT INTO events (seq, at, actor, command, summary, wrote, checks, "
        "digest, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10)";
    static const char move_sql[] = "UPDATE chain SET last_event = ?1, "
                                   "last_event_hash = ?2 WHERE id = 1";
    char at[32], prev[TF_HASH_BUFSZ], hash[TF_HASH_BUFSZ];
    char digest[TF_HASH_BUFSZ];
    uint8_t d[SHA256_DIGEST_SIZE];
    tf_event e;
    tf_stmt *st;
    tf_error err;
    int rc;

    if (!(st = tf_db_prepare(db, head_sql, diag)))
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc <= 0) {
        if (rc < 0)
            return tf_stmt_error(st, diag);
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_DB, "the chain head is missing");
    }
    memset(&e, 0, sizeof(e));
    e.seq = tf_col_int(st, 0) + 1;
    snprintf(prev, sizeof(prev), "%s", tf_col_text(st, 1));
    tf_stmt_reset(st);

    sha256_digest(&c->digest, sizeof(d), d);
    to_hex(d, sizeof(d), digest);
    now_utc(at, sizeof(at));
    e.at = at;
    e.actor = actor;
    e.command = command;
    e.summary = summary;
    e.wrote = c->wrote.p;
    e.prev_hash = prev;
    tf_audit_event_hash(&e, c->checks.p, c->checks.n, digest, hash);

    if (!(st = tf_db_prepare(db, insert_sql, diag)))
        return TF_ERR_DB;
    tf_stmt_int(st, 1, e.seq);
    tf_stmt_text(st, 2, e.at);
    tf_stmt_text(st, 3, e.actor);
    tf_stmt_text(st, 4, e.command);
    tf_stmt_text(st, 5, e.summary);
    tf_stmt_text(st, 6, e.wrote);
    tf_stmt_blob(st, 7, c->checks.p, c->checks.n);
    tf_stmt_text(st, 8, digest);
    tf_stmt_text(st, 9, prev);
    tf_stmt_text(st, 10, hash);
    if ((err = tf_stmt_run(st, diag)))
        return err;
    if (!(st = tf_db_prepare(db, move_sql, diag)))
        return TF_ERR_DB;
    tf_stmt_int(st, 1, e.seq);
    tf_stmt_text(st, 2, hash);
    if ((err = tf_stmt_run(st, diag)))
        return err;
    if (seq_out)
        *seq_out = e.seq;
    return TF_OK;
}

tf_error tf_audit_append(tf_fund *fund, tf_diag *diag)
{
    struct tf_audit *a = fund->audit;
    struct collected c;
    char summary[1100];
    const char *command;
    tf_error err;

    if (!a || !a->marked)
        return TF_OK;
    memset(&c, 0, sizeof(c));
    err = collect(fund->db, a->mark, a->present, &c, diag);
    if (err || c.rows == 0)
        goto done;
    if (a->summary)
        snprintf(summary, sizeof(summary), "%s", a->summary);
    else
        snprintf(summary, sizeof(summary), "wrote %s", c.counts.p);
    command = a->command        ? a->command
              : process_command ? process_command
                                : "tfund";
    err = write_event(fund->db, a->actor ? a->actor : "?", command, summary, &c,
                      NULL, diag);
done:
    collected_release(&c);
    a->marked = 0;
    return err;
}

/* ---- Genesis -------------------------------------------------------- */

tf_error tf_audit_migrated(tf_db *db, int from, int to, tf_diag *diag)
{
    int64_t marks[TF_COVERED_COUNT] = {0};
    int present[TF_COVERED_COUNT];
    struct collected c;
    char command[64];
    tf_error err;

    /* A new file has no rows yet (its creation is an event of its own);
     * a fund already at schema 6 or later has its events. */
    if (from == 0 || from >= 6)
        return TF_OK;
    for (int i = 0; i < TF_COVERED_COUNT; i++)
        if ((err = tf_covered_present(db, i, &present[i], diag)))
            return err;
    memset(&c, 0, sizeof(c));
    err = collect(db, marks, present, &c, diag);
    if (!err && c.rows > 0) {
        char summary[1100];
        snprintf(command, sizeof(command), "migrate from schema %d to %d", from,
                 to);
        snprintf(summary, sizeof(summary),
                 "genesis: the rows written before the event log: %s",
                 c.counts.p);
        err = write_event(db, "migration", command, summary, &c, NULL, diag);
    }
    collected_release(&c);
    return err;
}
