/* SPDX-License-Identifier: MIT */
/*
 * Reading the event log: the events, the rows each wrote, the history of
 * one record, and the versions of the settings.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "books/audit_internal.h"
#include "books/chart_sql.h"

/* ---- The map from rows to events ------------------------------------ */

static const char map_sql_checks[] =
    "SELECT seq, at, actor, command, summary, wrote, hash, prev_hash, digest, "
    "checks FROM events ORDER BY seq";
static const char map_sql[] =
    "SELECT seq, at, actor, command, summary, wrote, hash, prev_hash, digest "
    "FROM events ORDER BY seq";

static int add_range(struct tf_event_map *map, int t, int64_t first,
                     int64_t last, size_t event, size_t check)
{
    struct tf_event_range *r;

    if (map->tables[t].n == map->tables[t].cap) {
        size_t cap = map->tables[t].cap ? 2 * map->tables[t].cap : 16;
        r = realloc(map->tables[t].r, cap * sizeof(*r));
        if (!r)
            return -1;
        map->tables[t].r = r;
        map->tables[t].cap = cap;
    }
    r = &map->tables[t].r[map->tables[t].n++];
    r->first = first;
    r->last = last;
    r->event = event;
    r->check = check;
    return 0;
}

/* Parses "table:a-b,c-d;table:..." into ranges; -1 out of memory, 1 when
 * it does not parse (the event is then reported by verify). */
static int parse_wrote(struct tf_event_map *map, size_t event,
                       const char *wrote, size_t *checked_rows)
{
    const char *p = wrote;
    size_t check = 0;

    while (*p) {
        const char *colon = strchr(p, ':');
        int t;
        if (!colon || (t = tf_covered_find(p, (size_t)(colon - p))) < 0)
            return 1;
        p = colon + 1;
        for (;;) {
            char *end;
            long long a, b;
            a = strtoll(p, &end, 10);
            if (end == p || *end != '-')
                return 1;
            p = end + 1;
            b = strtoll(p, &end, 10);
            if (end == p || b < a || a < 1)
                return 1;
            p = end;
            if (add_range(map, t, a, b, event, check))
                return -1;
            if (tf_covered[t].checked)
                check += (size_t)(b - a + 1);
            if (*p == ',') {
                p++;
                continue;
            }
            break;
        }
        if (*p == ';')
            p++;
        else if (*p)
            return 1;
    }
    *checked_rows = check;
    return 0;
}

static int cmp_range(const void *pa, const void *pb)
{
    const struct tf_event_range *a = pa, *b = pb;

    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return a->event < b->event ? -1 : a->event > b->event;
}

/* Copies the strings of the current row into one block for e. */
static char *keep_event(tf_stmt *st, tf_event *e)
{
    size_t len[7], total = 0;
    const char *src[7];
    char *block, *p;

    for (int i = 0; i < 7; i++) {
        src[i] = tf_col_text(st, i + 1);
        if (!src[i])
            src[i] = "";
        len[i] = strlen(src[i]) + 1;
        total += len[i];
    }
    if (!(block = malloc(total)))
        return NULL;
    p = block;
    for (int i = 0; i < 7; i++) {
        memcpy(p, src[i], len[i]);
        src[i] = p;
        p += len[i];
    }
    e->seq = tf_col_int(st, 0);
    e->at = src[0];
    e->actor = src[1];
    e->command = src[2];
    e->summary = src[3];
    e->wrote = src[4];
    e->hash = src[5];
    e->prev_hash = src[6];
    return block;
}

tf_error tf_event_map_load(tf_db *db, struct tf_event_map *map, int with_checks,
                           tf_diag *diag)
{
    tf_stmt *st;
    size_t cap = 0;
    int rc;

    memset(map, 0, sizeof(*map));
    st = tf_db_prepare(db, with_checks ? map_sql_checks : map_sql, diag);
    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0) {
        struct tf_event_info *ev;
        int bad;
        if (map->n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            struct tf_event_info *grown =
                realloc(map->events, ncap * sizeof(*grown));
            if (!grown)
                goto oom;
            map->events = grown;
            cap = ncap;
        }
        ev = &map->events[map->n];
        memset(ev, 0, sizeof(*ev));
        if (!(ev->text = keep_event(st, &ev->e)))
            goto oom;
        map->n++;
        snprintf(ev->digest, sizeof(ev->digest), "%s",
                 tf_col_text(st, 8) ? tf_col_text(st, 8) : "");
        if (with_checks) {
            int n = tf_col_bytes(st, 9);
            if (n > 0) {
                if (!(ev->checks = malloc((size_t)n)))
                    goto oom;
                memcpy(ev->checks, tf_col_blob(st, 9), (size_t)n);
            }
            ev->nchecks = n > 0 ? (size_t)n : 0;
        }
        bad = parse_wrote(map, map->n - 1, ev->e.wrote, &ev->checked_rows);
        if (bad < 0)
            goto oom;
        ev->bad_wrote = bad;
    }
    if (rc < 0) {
        tf_error err = tf_stmt_error(st, diag);
        tf_event_map_release(map);
        return err;
    }
    tf_stmt_reset(st);
    for (int t = 0; t < TF_COVERED_COUNT; t++)
        if (map->tables[t].n > 1)
            qsort(map->tables[t].r, map->tables[t].n,
                  sizeof(struct tf_event_range), cmp_range);
    return TF_OK;
oom:
    tf_stmt_reset(st);
    tf_event_map_release(map);
    return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
}

void tf_event_map_release(struct tf_event_map *map)
{
    for (size_t i = 0; i < map->n; i++) {
        free(map->events[i].text);
        free(map->events[i].checks);
    }
    free(map->events);
    for (int t = 0; t < TF_COVERED_COUNT; t++)
        free(map->tables[t].r);
    memset(map, 0, sizeof(*map));
}

const tf_event *tf_event_map_find(const struct tf_event_map *map, int t,
                                  int64_t rowid)
{
    const struct tf_event_range *r = map->tables[t].r;
    size_t lo = 0, hi = map->tables[t].n;

    /* The last range starting at or before rowid. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].first <= rowid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || r[lo - 1].last < rowid)
        return NULL;
    return &map->events[r[lo - 1].event].e;
}

int64_t tf_event_map_upto(const struct tf_event_map *map, int t, int64_t seq)
{
    int64_t max = 0;

    for (size_t i = 0; i < map->tables[t].n; i++) {
        const struct tf_event_range *r = &map->tables[t].r[i];
        if (map->events[r->event].e.seq <= seq && r->last > max)
            max = r->last;
    }
    return max;
}

/* ---- The log -------------------------------------------------------- */

tf_error tf_event_head(tf_fund *fund, int64_t *count, char *hash, tf_diag *diag)
{
    static const char sql[] =
        "SELECT last_event, last_event_hash FROM chain WHERE id = 1";
    tf_stmt *st = tf_db_prepare(fund->db, sql, diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (count)
        *count = rc > 0 ? tf_col_int(st, 0) : 0;
    if (hash)
        snprintf(hash, TF_HASH_BUFSZ, "%s",
                 rc > 0 && tf_col_text(st, 1) ? tf_col_text(st, 1) : "");
    tf_stmt_reset(st);
    return TF_OK;
}

/* The sequence numbers of the events that touched ref. */
struct seqs {
    int64_t *v;
    size_t n, cap;
    int oom;
};

static int collect_seq(void *ctx, const tf_history_item *h)
{
    struct seqs *s = ctx;

    if (s->n && s->v[s->n - 1] == h->event->seq)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 32;
        int64_t *grown = realloc(s->v, cap * sizeof(*grown));
        if (!grown) {
            s->oom = 1;
            return 1;
        }
        s->v = grown;
        s->cap = cap;
    }
    s->v[s->n++] = h->event->seq;
    return 0;
}

static int has_seq(const struct seqs *s, int64_t seq)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] == seq)
            return 1;
        if (s->v[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static tf_error event_walk(tf_fund *fund, const tf_event_filter *f,
                           const struct seqs *only,
                           int (*fn)(void *ctx, const tf_event *e), void *ctx,
                           tf_diag *diag)
{
    static const char sql[] =
        "SELECT seq, at, actor, command, summary, wrote, hash, prev_hash "
        "FROM events WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR actor "
        "= ?2) ORDER BY seq";
    tf_stmt *st = tf_db_prepare(fund->db, sql, diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, f ? f->since : NULL);
    tf_stmt_text(st, 2, f ? f->actor : NULL);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_event e;
        e.seq = tf_col_int(st, 0);
        if (only && !has_seq(only, e.seq))
            continue;
        e.at = tf_col_text(st, 1);
        e.actor = tf_col_text(st, 2);
        e.command = tf_col_text(st, 3);
        e.summary = tf_col_text(st, 4);
        e.wrote = tf_col_text(st, 5);
        e.hash = tf_col_text(st, 6);
        e.prev_hash = tf_col_text(st, 7);
        if (fn(ctx, &e))
            break;
    }
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_event_each(tf_fund *fund, const tf_event_filter *filter,
                       int (*fn)(void *ctx, const tf_event *e), void *ctx,
                       tf_diag *diag)
{
    struct seqs s = {0};
    tf_error err;
    long found = 0;
    int own;

    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if (filter && filter->ref) {
        err = tf_history(fund, filter->ref, collect_seq, &s, &found, diag);
        if (!err && s.oom)
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    if (!err)
        err = event_walk(fund, filter, filter && filter->ref ? &s : NULL, fn,
                         ctx, diag);
    tf_db_read_end(fund->db, own);
    free(s.v);
    return err;
}

/* ---- History of one record ------------------------------------------ */

struct item {
    const tf_event *event;
    int table;
    int64_t row;
    int group; /* rows of one kind and event shown as one line */
    char *what;
};

struct items {
    tf_fund *fund;
    struct item *v;
    size_t n, cap;
    int oom;
};

static void add_item(struct items *it, int table, int64_t row, int group,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add_item(struct items *it, int table, int64_t row, int group,
                     const char *fmt, ...)
{
    char text[768];
    va_list ap;

    if (it->oom)
        return;
    if (it->n == it->cap) {
        size_t cap = it->cap ? 2 * it->cap : 32;
        struct item *grown = realloc(it->v, cap * sizeof(*grown));
        if (!grown) {
            it->oom = 1;
            return;
        }
        it->v = grown;
        it->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    it->v[it->n].table = table;
    it->v[it->n].row = row;
    it->v[it->n].group = group;
    it->v[it->n].event = NULL;
    if (!(it->v[it->n].what = strdup(text))) {
        it->oom = 1;
        return;
    }
    it->n++;
}

/* An amount of currency (minor units) for people. */
static const char *money(char *buf, int64_t amount, const char *currency)
{
    const tf_currency *c = tf_currency_find(currency ? currency : "");
    char a[TF_AMOUNT_BUFSZ];

    tf_amount_format(a, sizeof(a), amount, c ? c->minor : 2, 1);
    snprintf(buf, TF_AMOUNT_BUFSZ + 8, "%s %s", a, currency ? currency : "");
    return buf;
}

static const char *base_money(struct items *it, char *buf, int64_t amount)
{
    return money(buf, amount, tf_fund_base(it->fund)->code);
}

static const char *col(tf_stmt *st, int i)
{
    const char *s = tf_col_text(st, i);
    return s ? s : "";
}

#define T_DONORS     2
#define T_PLEDGES    3
#define T_RECEIPTS   4
#define T_SESSIONS   5
#define T_REQUESTS   6
#define T_COSTS      7
#define T_SETTINGS   8
#define T_RUNS       10
#define T_DECISIONS  11
#define T_REFUNDS    15
#define T_ENTRIES    16
#define T_RUN_STEPS  19
#define T_AMENDMENTS 20
#define T_PROPOSALS  21
#define T_PAYMENTS   22
#define T_PAY_STEPS  23

/* Each query takes the reference as ?1 and gives the rowid first. */
typedef void (*item_fn)(struct items *it, tf_stmt *st);

static void item_request(struct items *it, tf_stmt *st)
{
    char fare[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_REQUESTS, tf_col_int(st, 0), 0,
             "request %s recorded: session %s, %s, %s, submitted %s, fare %s",
             col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5),
             money(fare, tf_col_int(st, 6), col(st, 7)));
}

static void item_session_request(struct items *it, tf_stmt *st)
{
    add_item(it, T_REQUESTS, tf_col_int(st, 0), 1, "%s", col(st, 1));
}

static void item_decision(struct items *it, tf_stmt *st)
{
    char charge[TF_AMOUNT_BUFSZ + 8] = "", text[640];
    const char *status = col(st, 4), *reason = col(st, 5);
    int n;

    if (!tf_col_null(st, 6))
        base_money(it, charge, tf_col_int(st, 6));
    if (!tf_col_null(st, 2)) {
        /* A run's decision: its reason, tier and charge. */
        n = snprintf(text, sizeof(text),
                     "%s: %s by allocation run %" PRId64 " on %s", col(st, 1),
                     status, tf_col_int(st, 2), col(st, 3));
        if (*reason && n > 0 && (size_t)n < sizeof(text))
            n += snprintf(text + n, sizeof(text) - (size_t)n, " (%s)", reason);
        if (!tf_col_null(st, 7) && n > 0 && (size_t)n < sizeof(text))
            n += snprintf(text + n, sizeof(text) - (size_t)n, ", tier %s",
                          col(st, 7));
        if (*charge && strcmp(status, TF_N_REJECTED) && n > 0 &&
            (size_t)n < sizeof(text))
            snprintf(text + n, sizeof(text) - (size_t)n, ", charge %s", charge);
    } else {
        /* A decision of its own: cancellation, disbursement, a run undone,
         * a reinstatement, ... with its note. */
        n = snprintf(text, sizeof(text), "%s: %s on %s", col(st, 1), status,
                     col(st, 3));
        if (*charge && n > 0 && (size_t)n < sizeof(text))
            n += snprintf(text + n, sizeof(text) - (size_t)n, ", charge %s",
                          charge);
        if (*col(st, 8) && n > 0 && (size_t)n < sizeof(text))
            snprintf(text + n, sizeof(text) - (size_t)n, " (%s)", col(st, 8));
    }
    add_item(it, T_DECISIONS, tf_col_int(st, 0), 0, "%s", text);
}

static void item_amendment(struct items *it, tf_stmt *st)
{
    char fare[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_AMENDMENTS, tf_col_int(st, 0), 0,
             "%s amended: delegate %s, fare %s, gender '%s'", col(st, 1),
             col(st, 2), money(fare, tf_col_int(st, 3), col(st, 4)),
             col(st, 5));
}

static void item_run_step(struct items *it, tf_stmt *st)
{
    add_item(it, T_RUN_STEPS, tf_col_int(st, 0), 0,
             "allocation run %" PRId64 " %s on %s by %s%s%s", tf_col_int(st, 1),
             col(st, 2), col(st, 3), col(st, 4), *col(st, 5) ? ": " : "",
             col(st, 5));
}

static void item_proposal(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];
    const char *status = col(st, 3);

    if (strcmp(status, TF_N_FUNDED))
        add_item(it, T_PROPOSALS, tf_col_int(st, 0), 0,
                 "%s: proposed %s by allocation run %" PRId64 "%s%s",
                 col(st, 1), status, tf_col_int(st, 2), *col(st, 4) ? ", " : "",
                 col(st, 4));
    else
        add_item(it, T_PROPOSALS, tf_col_int(st, 0), 0,
                 "%s: proposed funded by allocation run %" PRId64
                 ", tier %" PRId64 ", charge %s",
                 col(st, 1), tf_col_int(st, 2), tf_col_int(st, 5),
                 base_money(it, amt, tf_col_int(st, 6)));
}

static void item_payment(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    if (tf_col_null(st, 3))
        add_item(it, T_PAYMENTS, tf_col_int(st, 0), 0,
                 "payment request %" PRId64
                 " for %s by %s: its recorded cost%s",
                 tf_col_int(st, 0), col(st, 1), col(st, 5),
                 tf_col_int(st, 6) ? " (a correction)" : "");
    else
        add_item(it, T_PAYMENTS, tf_col_int(st, 0), 0,
                 "payment request %" PRId64 " for %s by %s: %s on %s%s",
                 tf_col_int(st, 0), col(st, 1), col(st, 5),
                 money(amt, tf_col_int(st, 3), col(st, 4)), col(st, 2),
                 tf_col_int(st, 6) ? " (a correction)" : "");
}

static void item_payment_step(struct items *it, tf_stmt *st)
{
    add_item(it, T_PAY_STEPS, tf_col_int(st, 0), 0,
             "payment request %" PRId64 " %s on %s by %s%s%s",
             tf_col_int(st, 1), col(st, 2), col(st, 3), col(st, 4),
             *col(st, 5) ? ": " : "", col(st, 5));
}

static void item_cost(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_COSTS, tf_col_int(st, 0), 0,
             "%s: actual cost recorded: %s on %s", col(st, 1),
             money(amt, tf_col_int(st, 3), col(st, 4)), col(st, 2));
}

static void item_entry(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_ENTRIES, tf_col_int(st, 0), 0,
             "entry %" PRId64 " (%s, %s): %s%s%s", tf_col_int(st, 0),
             col(st, 1), col(st, 2), col(st, 3), tf_col_null(st, 4) ? "" : ", ",
             tf_col_null(st, 4) ? "" : base_money(it, amt, tf_col_int(st, 4)));
}

static void item_pledge(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_PLEDGES, tf_col_int(st, 0), 0,
             "pledge %s recorded%s: donor %s, %s, %s to %s", col(st, 1),
             tf_col_int(st, 7) ? " (with its receipt)" : "", col(st, 2),
             col(st, 3), money(amt, tf_col_int(st, 4), col(st, 5)), col(st, 6));
}

static void item_receipt(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_RECEIPTS, tf_col_int(st, 0), 0,
             "receipt %s recorded: pledge %s, %s, %s", col(st, 1), col(st, 2),
             col(st, 3), money(amt, tf_col_int(st, 4), col(st, 5)));
}

static void item_donor(struct items *it, tf_stmt *st)
{
    add_item(it, T_DONORS, tf_col_int(st, 0), 0,
             "donor %s recorded: %s (%s%s%s)", col(st, 1), col(st, 2),
             col(st, 3), *col(st, 4) ? ", " : "", col(st, 4));
}

static void item_refund(struct items *it, tf_stmt *st)
{
    char amt[TF_AMOUNT_BUFSZ + 8];

    add_item(it, T_REFUNDS, tf_col_int(st, 0), 0,
             "refund of %s from %s to %s at closing (entry %" PRId64 ")",
             base_money(it, amt, tf_col_int(st, 3)), col(st, 2), col(st, 1),
             tf_col_int(st, 4));
}

static void item_session(struct items *it, tf_stmt *st)
{
    add_item(it, T_SESSIONS, tf_col_int(st, 0), 0,
             "session %s recorded: %s, %s, from %s for %" PRId64 " day(s)",
             col(st, 1), col(st, 2), col(st, 3), col(st, 4), tf_col_int(st, 5));
}

static void item_run(struct items *it, tf_stmt *st)
{
    add_item(it, T_RUNS, tf_col_int(st, 0), 0,
             "allocation run %" PRId64 " of %s on %s (%s, share %s): %" PRId64
             " funded, %" PRId64 " waitlisted, %" PRId64 " rejected",
             tf_col_int(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4),
             tf_col_int(st, 5), tf_col_int(st, 6), tf_col_int(st, 7));
}

/* The entry's amount: what its postings debit, outside the budget
 * accounts unless it has no other (a commitment or a release). */
#define ENTRY_COLS                                                             \
    "e.id, e.kind, e.date, e.memo, coalesce((SELECT sum(p.amount) FROM "       \
    "postings p WHERE p.entry = e.id AND p.amount > 0 AND p.account NOT "      \
    "LIKE " TF_SQL_Q(                                                          \
        TF_N_BUDGET ":%") "), (SELECT sum(p.amount) FROM "                     \
                          "postings p WHERE p.entry = e.id AND p.amount > 0))"

static const struct hquery {
    const char *sql;
    item_fn fn;
} hqueries[] = {
    /* A request: its recording, every decision, its cost, its entries. */
    {"SELECT rowid, ref, session, country, delegate, submitted, fare, "
     "fare_currency FROM requests WHERE ref = ?1",
     item_request},
    {"SELECT id, request, run, date, status, reason, charge, tier, note "
     "FROM decisions WHERE request = ?1",
     item_decision},
    {"SELECT id, request, delegate, fare, fare_currency, gender FROM "
     "amendments WHERE request = ?1",
     item_amendment},
    /* The runs that proposed a decision for it, and each run's steps
     * (proposed, certified, approved, rejected, undone). */
    {"SELECT id, request, run, status, reason, tier, charge FROM proposals "
     "WHERE request = ?1",
     item_proposal},
    {"SELECT s.id, s.run, s.step, s.date, s.actor, s.note FROM run_steps s "
     "WHERE s.run IN (SELECT run FROM proposals WHERE request = ?1 UNION "
     "SELECT run FROM decisions WHERE request = ?1 AND run IS NOT NULL)",
     item_run_step},
    /* Its payment requests and their steps. */
    {"SELECT id, request, date, amount, currency, actor, correct FROM "
     "payments WHERE request = ?1",
     item_payment},
    {"SELECT s.id, s.payment, s.step, s.date, s.actor, s.note FROM "
     "payment_steps s JOIN payments p ON p.id = s.payment WHERE p.request "
     "= ?1",
     item_payment_step},
    /* The reversal of a disbursement (corrected or undone). */
    {"SELECT " ENTRY_COLS " FROM entries e WHERE e.reverses IN (SELECT x.id "
     "FROM entries x WHERE x.kind = " TF_SQL_KIND_DISBURSEMENT
     " AND x.ref = ?1)",
     item_entry},
    {"SELECT rowid, ref, date, amount, currency FROM costs WHERE ref = ?1",
     item_cost},
    {"SELECT " ENTRY_COLS
     " FROM entries e WHERE (e.kind = " TF_SQL_KIND_COMMITMENT
     " AND e.ref >= ?1 || '@' AND e.ref < ?1 || 'A') "
     "OR ((e.kind = " TF_SQL_Q(
         TF_N_KIND_RELEASE) " OR e.kind = " TF_SQL_KIND_DISBURSEMENT
                            ") AND e.ref = ?1)",
     item_entry},
    /* A pledge: its recording, its receipts, their entries' reversals. */
    {"SELECT rowid, ref, donor, date, amount, currency, pool, implicit FROM "
     "pledges WHERE ref = ?1",
     item_pledge},
    {"SELECT rowid, ref, pledge, date, amount, currency FROM receipts WHERE "
     "pledge = ?1 OR ref = ?1",
     item_receipt},
    {"SELECT " ENTRY_COLS " FROM entries e WHERE e.reverses IN (SELECT entry "
     "FROM pledges WHERE ref = ?1 UNION ALL SELECT entry FROM receipts WHERE "
     "pledge = ?1 OR ref = ?1)",
     item_entry},
    /* A donor: its recording, pledges, receipts, reversals, refunds. */
    {"SELECT rowid, id, name, type, country FROM donors WHERE id = ?1",
     item_donor},
    {"SELECT rowid, ref, donor, date, amount, currency, pool, implicit FROM "
     "pledges WHERE donor = ?1",
     item_pledge},
    {"SELECT r.rowid, r.ref, r.pledge, r.date, r.amount, r.currency FROM "
     "receipts r JOIN pledges p ON p.ref = r.pledge WHERE p.donor = ?1",
     item_receipt},
    {"SELECT " ENTRY_COLS " FROM entries e WHERE e.reverses IN (SELECT entry "
     "FROM pledges WHERE donor = ?1 UNION ALL SELECT r.entry FROM receipts r "
     "JOIN pledges p ON p.ref = r.pledge WHERE p.donor = ?1)",
     item_entry},
    {"SELECT rowid, donor, pool, amount, entry FROM refunds WHERE donor = ?1",
     item_refund},
    /* A session: its recording, its requests, its allocation runs. */
    {"SELECT rowid, id, name, venue, start, days FROM sessions WHERE id = ?1",
     item_session},
    {"SELECT rowid, ref FROM requests WHERE session = ?1",
     item_session_request},
    {"SELECT r.id, r.session, r.date, r.options, r.share, (SELECT count(*) "
     "FROM decisions d WHERE d.run = r.id AND d.status = " TF_SQL_FUNDED
     "), (SELECT count(*) FROM decisions d WHERE d.run = r.id AND d.status "
     "= " TF_SQL_WAITLISTED
     "), (SELECT count(*) FROM decisions d WHERE d.run = "
     "r.id AND d.status = " TF_SQL_Q(TF_N_REJECTED) ") FROM runs r WHERE "
                                                    "r.session = ?1",
     item_run},
    {"SELECT s.id, s.run, s.step, s.date, s.actor, s.note FROM run_steps s "
     "JOIN runs r ON r.id = s.run WHERE r.session = ?1",
     item_run_step},
};

static int cmp_item(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;

    if (a->event->seq != b->event->seq)
        return a->event->seq < b->event->seq ? -1 : 1;
    if (a->table != b->table)
        return a->table < b->table ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static const char *const table_names[TF_COVERED_COUNT] = {
    "countries",  "rates",     "donors",   "pledges",      "receipts",
    "sessions",   "requests",  "costs",    "settings",     "users",
    "runs",       "decisions", "draws",    "spends",       "transfers",
    "refunds",    "entries",   "postings", "envelopes",    "run_steps",
    "amendments", "proposals", "payments", "payment_steps"};

tf_error tf_history(tf_fund *fund, const char *ref,
                    int (*fn)(void *ctx, const tf_history_item *h), void *ctx,
                    long *found, tf_diag *diag)
{
    struct tf_event_map map;
    struct items it;
    tf_error err = TF_OK;
    size_t kept = 0;
    int own;

    *found = 0;
    memset(&it, 0, sizeof(it));
    it.fund = fund;
    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if ((err = tf_event_map_load(fund->db, &map, 0, diag))) {
        tf_db_read_end(fund->db, own);
        return err;
    }
    for (size_t q = 0; q < sizeof(hqueries) / sizeof(hqueries[0]); q++) {
        tf_stmt *st = tf_db_prepare(fund->db, hqueries[q].sql, diag);
        int rc;
        if (!st) {
            err = TF_ERR_DB;
            goto done;
        }
        tf_stmt_text(st, 1, ref);
        while ((rc = tf_stmt_step(st)) > 0)
            hqueries[q].fn(&it, st);
        if (rc < 0) {
            err = tf_stmt_error(st, diag);
            goto done;
        }
        tf_stmt_reset(st);
    }
    if (it.oom) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* Each row in the event that wrote it (a row no event wrote is for
     * verify to name, not for the history). Queries overlap (a receipt
     * of a pledge is also a receipt by its own reference): one line each. */
    for (size_t i = 0; i < it.n; i++) {
        it.v[i].event = tf_event_map_find(&map, it.v[i].table, it.v[i].row);
        if (it.v[i].event)
            it.v[kept++] = it.v[i];
        else
            free(it.v[i].what);
    }
    it.n = kept;
    if (it.n > 1)
        qsort(it.v, it.n, sizeof(*it.v), cmp_item);
    for (size_t i = 0; i < it.n;) {
        tf_history_item h;
        char text[768];
        size_t j = i + 1;
        if (i > 0 && it.v[i].table == it.v[i - 1].table &&
            it.v[i].row == it.v[i - 1].row) {
            i++;
            continue;
        }
        h.event = it.v[i].event;
        h.table = table_names[it.v[i].table];
        h.row = it.v[i].row;
        h.what = it.v[i].what;
        if (it.v[i].group) {
            while (j < it.n && it.v[j].group &&
                   it.v[j].event == it.v[i].event &&
                   it.v[j].table == it.v[i].table)
                j++;
            if (j - i > 1)
                snprintf(text, sizeof(text), "%zu %s recorded: %s to %s", j - i,
                         h.table, it.v[i].what, it.v[j - 1].what);
            else
                snprintf(text, sizeof(text), "1 of %s recorded: %s", h.table,
                         it.v[i].what);
            h.what = text;
        }
        (*found)++;
        if (fn(ctx, &h))
            break;
        i = j;
    }
done:
    for (size_t i = 0; i < it.n; i++)
        free(it.v[i].what);
    free(it.v);
    tf_event_map_release(&map);
    tf_db_read_end(fund->db, own);
    return err;
}

/* ---- Settings, version by version ----------------------------------- */

tf_error tf_setting_history(tf_fund *fund, const char *key,
                            int (*fn)(void *ctx, const tf_setting_version *v),
                            void *ctx, tf_diag *diag)
{
    static const char sql[] = "SELECT id, key, value FROM setting_versions "
                              "WHERE ?1 IS NULL OR key = ?1 ORDER BY id";
    static const tf_event none = {0, "", "", "", "", "", "", ""};
    struct tf_event_map map;
    tf_stmt *st;
    tf_error err;
    int rc, own;

    if ((err = tf_db_read_begin(fund->db, &own, diag)))
        return err;
    if ((err = tf_event_map_load(fund->db, &map, 0, diag)))
        goto done;
    if (!(st = tf_db_prepare(fund->db, sql, diag))) {
        err = TF_ERR_DB;
        goto done;
    }
    tf_stmt_text(st, 1, key);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_setting_version v;
        v.key = col(st, 1);
        v.value = col(st, 2);
        v.event = tf_event_map_find(&map, T_SETTINGS, tf_col_int(st, 0));
        if (!v.event)
            v.event = &none;
        if (fn(ctx, &v))
            break;
    }
    err = rc < 0 ? tf_stmt_error(st, diag) : TF_OK;
    tf_stmt_reset(st);
done:
    tf_event_map_release(&map);
    tf_db_read_end(fund->db, own);
    return err;
}
