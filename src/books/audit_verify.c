/* SPDX-License-Identifier: MIT */
/*
 * What tfund verify checks of the event log and of every covered table:
 * the events' hash chain up to the recorded head; that every row of every
 * covered table was written by exactly one event (a row no event wrote
 * was inserted outside tfund; a row an event wrote and that is gone was
 * deleted); that every checked row still has the check its event
 * recorded (else it was changed) and every event's digest holds; and that
 * the caches kept in place equal what they are derived from: the current
 * settings and countries (their latest versions) and each request's
 * state (its decisions). Each failure names the table and the row.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "books/audit_internal.h"
#include "books/chart_sql.h"

/* Rows listed one by one per table and kind of failure; the rest are
 * counted. */
#define LIST_MAX 20

struct av {
    tf_fund *fund;
    void (*fail)(void *ctx, int64_t entry, const char *what);
    void *ctx;
    tf_diag *diag;
    struct tf_event_map map;
    struct sha256_ctx *digests; /* one per event */
    char *row_failed;           /* per event: a row of it already failed */
};

static void report(struct av *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(struct av *v, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->fail(v->ctx, 0, msg);
}

/* What names row rowid of table t for people, into buf. */
static const char *row_key(struct av *v, int t, int64_t rowid, char *buf,
                           size_t size)
{
    tf_stmt *st = tf_db_prepare(v->fund->db, tf_covered[t].key_sql, NULL);

    buf[0] = '\0';
    if (!st)
        return buf;
    tf_stmt_int(st, 1, rowid);
    if (tf_stmt_step(st) > 0 && tf_col_text(st, 0))
        snprintf(buf, size, "%s", tf_col_text(st, 0));
    tf_stmt_reset(st);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return buf;
}

/* ---- The events themselves ------------------------------------------ */

static tf_error check_events(struct av *v)
{
    const char *prev = "";
    int64_t head = 0, last;
    char head_hash[TF_HASH_BUFSZ], hash[TF_HASH_BUFSZ];
    tf_error err;

    for (size_t i = 0; i < v->map.n; i++) {
        struct tf_event_info *ev = &v->map.events[i];
        int64_t want = i ? v->map.events[i - 1].e.seq + 1 : 1;
        if (ev->e.seq > want)
            report(v,
                   "events rows %" PRId64 "-%" PRId64
                   ": removed (event %" PRId64 " follows event %" PRId64 ")",
                   want, ev->e.seq - 1, ev->e.seq, want - 1);
        else if (ev->e.seq < want)
            report(v, "events row %" PRId64 ": out of order", ev->e.seq);
        if (strcmp(ev->e.prev_hash, prev))
            report(v,
                   "events row %" PRId64 ": the previous-hash link is broken "
                   "(an event before it was removed, inserted or changed)",
                   ev->e.seq);
        tf_audit_event_hash(&ev->e, ev->checks, ev->nchecks, ev->digest, hash);
        if (strcmp(hash, ev->e.hash))
            report(v,
                   "events row %" PRId64 ": content does not match its hash "
                   "(changed after it was written)",
                   ev->e.seq);
        if (ev->bad_wrote)
            report(v,
                   "events row %" PRId64 ": its list of rows written ('%.80s') "
                   "does not parse",
                   ev->e.seq, ev->e.wrote);
        else if (ev->nchecks != ev->checked_rows * TF_ROW_CHECK_SIZE)
            report(v,
                   "events row %" PRId64 ": holds %zu check bytes for %zu "
                   "rows",
                   ev->e.seq, ev->nchecks, ev->checked_rows);
        prev = ev->e.hash;
    }
    if ((err = tf_event_head(v->fund, &head, head_hash, v->diag)))
        return err;
    last = v->map.n ? v->map.events[v->map.n - 1].e.seq : 0;
    if (head > last)
        report(v,
               "events rows %" PRId64 "-%" PRId64 ": removed from the end (the "
               "chain head records event %" PRId64 ")",
               last + 1, head, head);
    else if (head != last || strcmp(head_hash, prev))
        report(v,
               "events row %" PRId64 ": not the head the chain records (event "
               "%" PRId64 "): written outside tfund",
               last, head);
    return TF_OK;
}

/* ---- Every row of every covered table ------------------------------- */

struct scan {
    struct av *v;
    int t;
    long listed[3], more[3]; /* inserted, removed, changed */
};

static void row_inserted(struct scan *s, int64_t rowid)
{
    char key[256];

    if (s->listed[0]++ >= LIST_MAX) {
        s->more[0]++;
        return;
    }
    report(s->v,
           "%s row %" PRId64 " (%s): not written by tfund (no event wrote "
           "it)",
           tf_covered[s->t].table, rowid,
           row_key(s->v, s->t, rowid, key, sizeof(key)));
}

static void rows_removed(struct scan *s, int64_t a, int64_t b, size_t event)
{
    const tf_event *e = &s->v->map.events[event].e;

    s->v->row_failed[event] = 1;
    if (s->listed[1]++ >= LIST_MAX) {
        s->more[1] += b - a + 1;
        return;
    }
    if (a == b)
        report(s->v, "%s row %" PRId64 ": removed (event %" PRId64 " wrote it)",
               tf_covered[s->t].table, a, e->seq);
    else
        report(s->v,
               "%s rows %" PRId64 "-%" PRId64 ": removed (event %" PRId64
               " wrote them)",
               tf_covered[s->t].table, a, b, e->seq);
}

static void row_changed(struct scan *s, int64_t rowid, size_t event)
{
    char key[256];

    s->v->row_failed[event] = 1;
    if (s->listed[2]++ >= LIST_MAX) {
        s->more[2]++;
        return;
    }
    report(s->v,
           "%s row %" PRId64 " (%s): changed after event %" PRId64 " wrote it",
           tf_covered[s->t].table, rowid,
           row_key(s->v, s->t, rowid, key, sizeof(key)),
           s->v->map.events[event].e.seq);
}

static tf_error scan_table(struct av *v, int t)
{
    static const char *const kinds[3] = {"inserted outside tfund", "removed",
                                         "changed"};
    const struct tf_event_range *r = v->map.tables[t].r;
    size_t nr = v->map.tables[t].n, ri = 0;
    struct scan s;
    int64_t next = nr ? r[0].first : 0;
    tf_stmt *st;
    tf_error err;
    int rc, present;

    memset(&s, 0, sizeof(s));
    s.v = v;
    s.t = t;
    /* Ranges claimed by two events (an honest log never has any). */
    for (size_t i = 1; i < nr; i++)
        if (r[i].first <= r[i - 1].last)
            report(v,
                   "%s rows %" PRId64 "-%" PRId64 ": claimed by events %" PRId64
                   " and %" PRId64,
                   tf_covered[t].table, r[i].first,
                   r[i].last < r[i - 1].last ? r[i].last : r[i - 1].last,
                   v->map.events[r[i - 1].event].e.seq,
                   v->map.events[r[i].event].e.seq);
    if ((err = tf_covered_present(v->fund->db, t, &present, v->diag)))
        return err;
    if (!present) {
        if (nr)
            report(v, "%s: the table is missing, but events wrote rows to it",
                   tf_covered[t].table);
        return TF_OK;
    }
    if (!(st = tf_db_prepare(v->fund->db, tf_covered[t].rows_sql, v->diag)))
        return TF_ERR_DB;
    tf_stmt_int(st, 1, 0);
    while ((rc = tf_stmt_step(st)) > 0) {
        int64_t rowid = tf_col_int(st, 0);
        /* Ranges wholly before this row: whatever of them was not seen
         * was removed. */
        while (ri < nr && r[ri].last < rowid) {
            if (next <= r[ri].last)
                rows_removed(&s, next > r[ri].first ? next : r[ri].first,
                             r[ri].last, r[ri].event);
            ri++;
            next = ri < nr ? r[ri].first : 0;
        }
        if (ri < nr && r[ri].first <= rowid) {
            struct tf_event_info *ev = &v->map.events[r[ri].event];
            if (next < rowid && next >= r[ri].first)
                rows_removed(&s, next, rowid - 1, r[ri].event);
            next = rowid + 1;
            if (tf_covered[t].checked) {
                uint8_t h[TF_ROW_HASH_SIZE];
                size_t at = (r[ri].check + (size_t)(rowid - r[ri].first)) *
                            TF_ROW_CHECK_SIZE;
                tf_audit_row_hash(tf_covered[t].table, st, h);
                if (at + TF_ROW_CHECK_SIZE > ev->nchecks ||
                    memcmp(ev->checks + at, h, TF_ROW_CHECK_SIZE))
                    row_changed(&s, rowid, r[ri].event);
                sha256_update(&v->digests[r[ri].event], sizeof(h), h);
            }
        } else {
            row_inserted(&s, rowid);
        }
    }
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    tf_stmt_reset(st);
    for (; ri < nr; ri++) {
        if (next < r[ri].first || next > r[ri].last + 1)
            next = r[ri].first;
        if (next <= r[ri].last)
            rows_removed(&s, next, r[ri].last, r[ri].event);
        next = ri + 1 < nr ? r[ri + 1].first : 0;
    }
    for (int k = 0; k < 3; k++)
        if (s.more[k])
            report(v, "%s: and %ld more row(s) %s, not listed",
                   tf_covered[t].table, s.more[k], kinds[k]);
    return TF_OK;
}

/* ---- Caches ---------------------------------------------------------- */

static const char *text_or_null(tf_stmt *st, int i, char *buf, size_t size)
{
    if (tf_col_null(st, i))
        return "NULL";
    snprintf(buf, size, "'%s'", tf_col_text(st, i));
    return buf;
}

/* Columns a and b of st differ (NULL is a value). */
static int differ(tf_stmt *st, int a, int b)
{
    if (tf_col_null(st, a) || tf_col_null(st, b))
        return tf_col_null(st, a) != tf_col_null(st, b);
    return strcmp(tf_col_text(st, a), tf_col_text(st, b)) != 0;
}

/* Runs sql, whose rows are (cache rowid, key, version id, then pairs of
 * cache and derived values named by names), reporting each difference. */
static tf_error compare_cache(struct av *v, const char *sql, const char *table,
                              const char *source, const char *const *names)
{
    tf_stmt *st = tf_db_prepare(v->fund->db, sql, v->diag);
    long listed = 0;
    int rc;

    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0) {
        char a[128], b[128];
        int i;
        if (listed++ >= LIST_MAX)
            continue;
        if (tf_col_null(st, 2)) {
            report(v,
                   "%s row %" PRId64 " (%s): has no %s (written outside "
                   "tfund)",
                   table, tf_col_int(st, 0), tf_col_text(st, 1), source);
            continue;
        }
        for (i = 0; names[i] && !differ(st, 3 + 2 * i, 4 + 2 * i); i++)
            ;
        if (!names[i])
            continue;
        if (tf_col_int(st, 2) == 0)
            report(v, "%s row %" PRId64 " (%s): %s is %s but it has no %s",
                   table, tf_col_int(st, 0), tf_col_text(st, 1), names[i],
                   text_or_null(st, 3 + 2 * i, a, sizeof(a)), source);
        else
            report(v,
                   "%s row %" PRId64 " (%s): %s is %s but %s row %" PRId64
                   " gives %s",
                   table, tf_col_int(st, 0), tf_col_text(st, 1), names[i],
                   text_or_null(st, 3 + 2 * i, a, sizeof(a)), source,
                   tf_col_int(st, 2),
                   text_or_null(st, 4 + 2 * i, b, sizeof(b)));
    }
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    tf_stmt_reset(st);
    if (listed > LIST_MAX)
        report(v, "%s: and %ld more row(s) that differ from %s, not listed",
               table, listed - LIST_MAX, source);
    return TF_OK;
}

/* Runs sql, whose rows are (key, version id) of versions with no cache
 * row. */
static tf_error missing_cache(struct av *v, const char *sql, const char *table,
                              const char *source)
{
    tf_stmt *st = tf_db_prepare(v->fund->db, sql, v->diag);
    int rc;

    if (!st)
        return TF_ERR_DB;
    while ((rc = tf_stmt_step(st)) > 0)
        report(v,
               "%s row for %s: removed (its latest version is %s row %" PRId64
               ")",
               table, tf_col_text(st, 0), source, tf_col_int(st, 1));
    if (rc < 0)
        return tf_stmt_error(st, v->diag);
    tf_stmt_reset(st);
    return TF_OK;
}

static tf_error check_caches(struct av *v)
{
    static const char *const setting_cols[] = {"value", NULL};
    static const char *const country_cols[] = {
        "m49",       "name", "un_status", "region_group", "ldc_from",
        "ldc_until", "sids", "lldc",      "developing",   NULL};
    static const char *const request_cols[] = {
        "status", "reason",   "tier", "run", "decided", "fare_base",
        "dsa",    "terminal", "cost", "psc", "charge",  NULL};
#define PAIR(c) ", c." #c ", v." #c
    static const char settings_sql[] = "SELECT c.rowid, c.key, v.id" PAIR(
        value) " FROM settings c LEFT JOIN setting_versions v ON v.id = "
               "(SELECT "
               "max(x.id) FROM setting_versions x WHERE x.key = c.key) WHERE "
               "v.id IS "
               "NULL OR v.value IS NOT c.value ORDER BY c.rowid";
    static const char settings_missing[] =
        "SELECT v.key, max(v.id) FROM setting_versions v WHERE NOT EXISTS "
        "(SELECT 1 FROM settings c WHERE c.key = v.key) GROUP BY v.key";
    static const char countries_sql[] = "SELECT c.rowid, c.iso3, v.id" PAIR(m49)
        PAIR(name) PAIR(un_status) PAIR(region_group) PAIR(ldc_from)
            PAIR(ldc_until) PAIR(sids) PAIR(lldc) PAIR(
                developing) " FROM countries c LEFT JOIN country_versions v ON "
                            "v.id = (SELECT "
                            "max(x.id) FROM country_versions x WHERE x.iso3 = "
                            "c.iso3) WHERE v.id "
                            "IS NULL OR c.m49 IS NOT v.m49 OR c.name IS NOT "
                            "v.name OR "
                            "c.un_status IS NOT v.un_status OR c.region_group "
                            "IS NOT "
                            "v.region_group OR c.ldc_from IS NOT v.ldc_from OR "
                            "c.ldc_until IS NOT "
                            "v.ldc_until OR c.sids IS NOT v.sids OR c.lldc IS "
                            "NOT v.lldc OR "
                            "c.developing IS NOT v.developing ORDER BY c.rowid";
    static const char countries_missing[] =
        "SELECT v.iso3, max(v.id) FROM country_versions v WHERE NOT EXISTS "
        "(SELECT 1 FROM countries c WHERE c.iso3 = v.iso3) GROUP BY v.iso3";
#undef PAIR
    /* A request's state: status and reason of its latest decision; tier,
     * run, date and figures of its latest decision by a run since it was
     * last back to pending (an undone run, a reinstatement: a decision
     * 'pending'), none otherwise. Compared with IS NOT, so NULLs count;
     * the first decision id that differs is named. */
    static const char requests_sql[] =
        "SELECT q.rowid, q.ref, coalesce(l.id, r.id, 0), q.status, "
        "coalesce(l.status, " TF_SQL_PENDING
        "), q.reason, coalesce(l.reason, ''), "
        "q.tier, r.tier, q.run, r.run, q.decided, r.date, q.fare_base, "
        "r.fare_base, q.dsa, r.dsa, q.terminal, r.terminal, q.cost, r.cost, "
        "q.psc, r.psc, q.charge, r.charge FROM requests q LEFT JOIN decisions "
        "l ON l.id = (SELECT max(x.id) FROM decisions x WHERE x.request = "
        "q.ref) LEFT JOIN decisions r ON r.id = (SELECT max(x.id) FROM "
        "decisions x WHERE x.request = q.ref AND x.run IS NOT NULL AND x.id > "
        "coalesce((SELECT max(y.id) FROM decisions y WHERE y.request = q.ref "
        "AND y.status = " TF_SQL_PENDING "), 0)) WHERE "
        "q.status IS NOT coalesce(l.status, " TF_SQL_PENDING
        ") OR q.reason IS NOT "
        "coalesce(l.reason, '') OR q.tier IS NOT r.tier OR q.run IS NOT "
        "r.run OR q.decided IS NOT r.date OR q.fare_base IS NOT r.fare_base "
        "OR q.dsa IS NOT r.dsa OR q.terminal IS NOT r.terminal OR q.cost IS "
        "NOT r.cost OR q.psc IS NOT r.psc OR q.charge IS NOT r.charge ORDER "
        "BY q.rowid";
    tf_error err;

    if ((err = compare_cache(v, settings_sql, "settings", "setting_versions",
                             setting_cols)) ||
        (err = missing_cache(v, settings_missing, "settings",
                             "setting_versions")) ||
        (err = compare_cache(v, countries_sql, "countries", "country_versions",
                             country_cols)) ||
        (err = missing_cache(v, countries_missing, "countries",
                             "country_versions")))
        return err;
    return compare_cache(v, requests_sql, "requests", "decisions",
                         request_cols);
}

tf_error tf_audit_verify(tf_fund *fund,
                         void (*fail)(void *ctx, int64_t entry,
                                      const char *what),
                         void *ctx, tf_diag *diag)
{
    struct av v;
    tf_error err;

    memset(&v, 0, sizeof(v));
    v.fund = fund;
    v.fail = fail;
    v.ctx = ctx;
    v.diag = diag;
    if ((err = tf_event_map_load(fund->db, &v.map, 1, diag)))
        return err;
    v.digests = calloc(v.map.n ? v.map.n : 1, sizeof(*v.digests));
    v.row_failed = calloc(v.map.n ? v.map.n : 1, 1);
    if (!v.digests || !v.row_failed) {
        err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < v.map.n; i++)
        sha256_init(&v.digests[i]);
    if ((err = check_events(&v)))
        goto done;
    for (int t = 0; t < TF_COVERED_COUNT; t++)
        if ((err = scan_table(&v, t)))
            goto done;
    /* A digest that fails with no row of its event named: a row was
     * changed so that its 8-byte check still matched. */
    for (size_t i = 0; i < v.map.n; i++) {
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[TF_HASH_BUFSZ];
        sha256_digest(&v.digests[i], sizeof(d), d);
        for (size_t k = 0; k < sizeof(d); k++)
            snprintf(hex + 2 * k, 3, "%02x", d[k]);
        if (!v.row_failed[i] && strcmp(hex, v.map.events[i].digest))
            report(&v,
                   "events row %" PRId64 ": the rows it wrote do not give its "
                   "digest (one of them was changed)",
                   v.map.events[i].e.seq);
    }
    err = check_caches(&v);
done:
    free(v.digests);
    free(v.row_failed);
    tf_event_map_release(&v.map);
    return err;
}
