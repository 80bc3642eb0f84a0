/*
 * The storage limit for the ingest benchmark: N bare posting rows (entry,
 * account, pool, amount) inserted into a new SQLite file with one
 * prepared statement in one transaction, under the pragmas tfund opens
 * its funds with (WAL, synchronous=FULL, the page cache src/db.c gives a
 * write transaction).
 * No index, no trigger, no hash, no check: what the disk and SQLite's
 * B-tree cost on their own. The rows look like tfund's (a pledge's two
 * postings: a receivable and a contribution of one of 200 donors).
 *
 * usage: bare_insert DB N [PAGE_SIZE]
 *
 * Prints the rows inserted and the seconds from BEGIN to the end of
 * COMMIT (the open and the table's creation are not counted; the runner
 * times the whole process as well).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

static const char *const pools[] = {"unrestricted", "travel", "ldc-travel",
                                    "prep"};

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bare_insert: %s: %s\n", what, sqlite3_errmsg(db));
    return 1;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char sql[128], account[64];
    long n, page = 0;
    double t0;

    if (argc < 3 || argc > 4 || (n = atol(argv[2])) <= 0 ||
        (argc == 4 && (page = atol(argv[3])) <= 0)) {
        fprintf(stderr, "usage: bare_insert DB N [PAGE_SIZE]\n");
        return 2;
    }
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return fail(db, "open");
    if (page) {
        snprintf(sql, sizeof(sql), "PRAGMA page_size = %ld", page);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "page_size");
    }
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA cache_size = -65536;"
                     "CREATE TABLE postings (id INTEGER PRIMARY KEY, "
                     "entry INTEGER NOT NULL, account TEXT NOT NULL, "
                     "pool TEXT NOT NULL, amount INTEGER NOT NULL) STRICT;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "schema");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO postings (entry, account, pool, "
                           "amount) VALUES (?1, ?2, ?3, ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, "prepare");

    t0 = now();
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "begin");
    for (long i = 0; i < n; i++) {
        long entry = i / 2 + 1, donor = entry % 200 + 1;
        long long amount = 100000 + (entry * 7919) % 99900000;
        snprintf(account, sizeof(account), "%s:D%04ld",
                 i % 2 ? "revenue:contributions" : "assets:receivable", donor);
        sqlite3_bind_int64(st, 1, entry);
        sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, pools[entry % 4], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, i % 2 ? -amount : amount);
        if (sqlite3_step(st) != SQLITE_DONE)
            return fail(db, "insert");
        sqlite3_reset(st);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "commit");
    printf("%ld rows %.6f s\n", n, now() - t0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
