/* SPDX-License-Identifier: MIT */
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
 *        bare_insert --schema SQLDIR DB N
 *
 * With --schema, the database gets tfund's own schema (the migrations
 * SQLDIR/0*.sql, run in order: every table, index, trigger and reference)
 * and the N postings go in as tfund books N/2 USD pledges: per pledge an
 * entry (with two hashes' worth of text), its two postings and the pledge
 * row, four prepared statements, still no tfund code (no checks, no
 * hashing, no running balances): what tfund's tables cost on their own.
 *
 * Prints the rows inserted and the seconds from BEGIN to the end of
 * COMMIT (the open and the table's creation are not counted; the runner
 * times the whole process as well).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int numbered_sql(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] == '0' && n > 4 && !strcmp(d->d_name + n - 4, ".sql");
}

/* Runs SQLDIR's migrations in order; nonzero on failure. */
static int load_schema(sqlite3 *db, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, numbered_sql, by_name);

    if (n <= 0) {
        fprintf(stderr, "bare_insert: no migrations in %s\n", dir);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        FILE *f;
        long size;
        char *sql;
        int rc;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) ||
            (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
            !(sql = calloc(1, (size_t)size + 1)) ||
            fread(sql, 1, (size_t)size, f) != (size_t)size) {
            fprintf(stderr, "bare_insert: cannot read %s\n", path);
            return 1;
        }
        fclose(f);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        free(sql);
        if (rc != SQLITE_OK)
            return fail(db, path);
        free(names[i]);
    }
    free(names);
    return 0;
}

/* N postings as N/2 pledges through tfund's schema. */
static int schema_rows(sqlite3 *db, long n)
{
    static const char hash[] =
        "5f2b1e0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
    sqlite3_stmt *entry, *posting, *pledge, *donor;
    char ref[32], memo[64], account[64], date[16];

    if (sqlite3_prepare_v2(db,
                           "INSERT INTO donors (id, name, type) VALUES "
                           "(?1, ?1, 'state')",
                           -1, &donor, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR ROLLBACK INTO entries (id, date, kind, "
                           "memo, ref, reverses, prev_hash, hash) VALUES (?1, "
                           "?2, 'pledge', ?3, ?4, NULL, ?5, ?5)",
                           -1, &entry, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR ROLLBACK INTO postings (entry, account, "
                           "pool, amount) VALUES (?1, ?2, ?3, ?4), (?1, "
                           "'revenue:contributions', ?3, -?4)",
                           -1, &posting, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO pledges (ref, donor, date, amount, "
                           "currency, pool, due, rate, base_amount, implicit, "
                           "entry) VALUES (?1, ?2, ?3, ?4, 'USD', ?5, NULL, "
                           "'1', ?4, 0, ?6)",
                           -1, &pledge, NULL) != SQLITE_OK)
        return fail(db, "prepare");
    for (long d = 1; d <= 200; d++) {
        snprintf(account, sizeof(account), "D%04ld", d);
        sqlite3_bind_text(donor, 1, account, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(donor) != SQLITE_DONE)
            return fail(db, "donor");
        sqlite3_reset(donor);
    }
    for (long i = 1; i <= n / 2; i++) {
        long d = i % 200 + 1;
        long long amount = 100000 + (i * 7919) % 99900000;
        const char *pool = pools[i % 4];
        char donor_id[16];
        snprintf(ref, sizeof(ref), "P%07ld", i);
        snprintf(memo, sizeof(memo), "pledge %s of D%04ld", ref, d);
        snprintf(donor_id, sizeof(donor_id), "D%04ld", d);
        snprintf(account, sizeof(account), "assets:receivable:%s", donor_id);
        snprintf(date, sizeof(date), "2017-%02d-%02d",
                 (int)(i * 12 / (n / 2 + 1)) % 12 + 1, (int)(i % 28) + 1);
        sqlite3_bind_int64(entry, 1, i);
        sqlite3_bind_text(entry, 2, date, -1, SQLITE_STATIC);
        sqlite3_bind_text(entry, 3, memo, -1, SQLITE_STATIC);
        sqlite3_bind_text(entry, 4, ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(entry, 5, hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(posting, 1, i);
        sqlite3_bind_text(posting, 2, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(posting, 3, pool, -1, SQLITE_STATIC);
        sqlite3_bind_int64(posting, 4, amount);
        sqlite3_bind_text(pledge, 1, ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(pledge, 2, donor_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(pledge, 3, date, -1, SQLITE_STATIC);
        sqlite3_bind_int64(pledge, 4, amount);
        sqlite3_bind_text(pledge, 5, pool, -1, SQLITE_STATIC);
        sqlite3_bind_int64(pledge, 6, i);
        if (sqlite3_step(entry) != SQLITE_DONE ||
            sqlite3_step(posting) != SQLITE_DONE ||
            sqlite3_step(pledge) != SQLITE_DONE)
            return fail(db, "insert");
        sqlite3_reset(entry);
        sqlite3_reset(posting);
        sqlite3_reset(pledge);
    }
    sqlite3_finalize(donor);
    sqlite3_finalize(entry);
    sqlite3_finalize(posting);
    sqlite3_finalize(pledge);
    return 0;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char sql[128], account[64];
    const char *schema = NULL;
    long n, page = 0;
    double t0;

    if (argc > 2 && !strcmp(argv[1], "--schema")) {
        schema = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 3 || argc > 4 || (n = atol(argv[2])) <= 0 ||
        (argc == 4 && (page = atol(argv[3])) <= 0)) {
        fprintf(stderr, "usage: bare_insert DB N [PAGE_SIZE]\n"
                        "       bare_insert --schema SQLDIR DB N\n");
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
                     "PRAGMA cache_size = -65536;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "pragmas");
    if (schema) {
        if (load_schema(db, schema) ||
            sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL))
            return 1;
        t0 = now();
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "begin");
        if (schema_rows(db, n))
            return 1;
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            return fail(db, "commit");
        printf("%ld rows %.6f s\n", n, now() - t0);
        sqlite3_close(db);
        return 0;
    }
    if (sqlite3_exec(db,
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
