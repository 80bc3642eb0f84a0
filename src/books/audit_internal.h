/* SPDX-License-Identifier: MIT */
/*
 * The event log and coverage, as the books layer uses them (not public):
 * the covered tables, the row and event hashes, the hooks of
 * tf_fund_begin/commit/rollback/close, the migration's genesis event, and
 * the map from rows to the events that wrote them.
 */
#ifndef TF_AUDIT_INTERNAL_H
#define TF_AUDIT_INTERNAL_H

#include <stdint.h>

#include "books/fund_internal.h"
#include "tfund/audit.h"

/* ---- Covered tables ------------------------------------------------- */

struct tf_covered {
    const char *table; /* its name in the file (and in events' "wrote") */
    /* Nonzero: each row has a check value in its event. Zero (entries,
     * postings): the journal's own hash chain checks their content, and
     * the event records only which rows it wrote. */
    int checked;
    int optional;        /* may be absent (users, before that schema) */
    const char *max_sql; /* SELECT max(rowid) */
    /* SELECT rowid, <the columns a check covers> ... WHERE rowid > ?1
     * ORDER BY rowid */
    const char *rows_sql;
    const char *key_sql; /* what names row ?1 for people */
};

#define TF_COVERED_COUNT 24
/* In the order of every event's "wrote" (part of the format). */
extern const struct tf_covered tf_covered[TF_COVERED_COUNT];

/* The index of table in tf_covered, or -1. */
int tf_covered_find(const char *table, size_t len);

/* Sets *present to 1 if covered table index exists in db (an optional
 * one may not), else 0. */
tf_error tf_covered_present(tf_db *db, int index, int *present, tf_diag *diag);

/* A row's check: its SHA-256 (full hash in out) over "tfund-row-v1", the
 * table, the rowid and each column value from column 1 of st on (column 0
 * is the rowid) up to the last that is not NULL, each as "LEN:" + class
 * letter + bytes + ",". */
#define TF_ROW_HASH_SIZE  32
#define TF_ROW_CHECK_SIZE 8
#define TF_ROW_MAX_COLS   64 /* the columns a check covers, rowid included */
void tf_audit_row_hash(const char *table, tf_stmt *st, uint8_t *out);

/* The hash of an event (hex into out, TF_HASH_BUFSZ bytes). */
void tf_audit_event_hash(const tf_event *e, const void *checks, size_t nchecks,
                         const char *digest, char *out);

/* ---- Hooks of the fund's transactions -------------------------------- */

/* After BEGIN: notes the last rowid of every covered table; resolves the
 * actor if not yet known. */
tf_error tf_audit_mark(tf_fund *fund, tf_diag *diag);
/* Before COMMIT: appends the event of what the transaction inserted (none
 * when it inserted nothing). */
tf_error tf_audit_append(tf_fund *fund, tf_diag *diag);
/* At rollback: forgets the marks and the summary. */
void tf_audit_forget(tf_fund *fund);
/* At close: frees what the handle holds. */
void tf_audit_free(tf_fund *fund);

/* The migration hook (tf_db_set_migration_hook): a fund written before
 * the event log gets the genesis event, covering every row it holds. */
tf_error tf_audit_migrated(tf_db *db, int from, int to, tf_diag *diag);

/* The coverage checks of tf_verify (each failure to fail, entry 0). */
tf_error tf_audit_verify(tf_fund *fund,
                         void (*fail)(void *ctx, int64_t entry,
                                      const char *what),
                         void *ctx, tf_diag *diag);

/* ---- From rows to events ------------------------------------------- */

struct tf_event_range {
    int64_t first, last;
    size_t event; /* index into the map's events */
    size_t check; /* index of its first row's check in the event */
};

struct tf_event_map {
    size_t n;
    struct tf_event_info {
        tf_event e;
        char *text;      /* holds the strings of e */
        uint8_t *checks; /* NULL unless loaded with checks */
        size_t nchecks;  /* bytes */
        char digest[TF_HASH_BUFSZ];
        size_t checked_rows; /* rows of checked tables it wrote */
        int bad_wrote;       /* its "wrote" did not parse */
    } * events;
    struct {
        struct tf_event_range *r; /* by first rowid */
        size_t n, cap;
    } tables[TF_COVERED_COUNT];
};

/* Loads every event (with their check values when with_checks) and the
 * ranges of rows they wrote, sorted. tf_event_map_release frees it. */
tf_error tf_event_map_load(tf_db *db, struct tf_event_map *map, int with_checks,
                           tf_diag *diag);
void tf_event_map_release(struct tf_event_map *map);

/* The event that wrote row rowid of covered table t, or NULL. */
const tf_event *tf_event_map_find(const struct tf_event_map *map, int t,
                                  int64_t rowid);

/* The highest rowid of table t written by the events up to seq (0 when
 * none): what that table held when event seq was written. */
int64_t tf_event_map_upto(const struct tf_event_map *map, int t, int64_t seq);

#endif
