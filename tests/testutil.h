/* SPDX-License-Identifier: MIT */
/*
 * What the unit tests share: a new fund in a temporary directory per
 * test, calls that must succeed, and the checks every test ends with
 * (tf_verify finds nothing, the head did or did not move). Linked into
 * every tests/test_*.c executable.
 */
#ifndef TF_TESTUTIL_H
#define TF_TESTUTIL_H

#include <stdint.h>

#include "tfund/tfund.h"

/* ---- Fixture: a new fund in a temporary directory ------------------- */

struct fixture {
    char dir[256];
    char path[300]; /* dir/fund.db */
    tf_fund *fund;
};

/* cmocka setup and teardown: a fund created in a new directory under
 * $TMPDIR (or /tmp); teardown closes it and removes the directory with
 * every file a test left in it. */
int fund_setup(void **state);
int fund_teardown(void **state);

#define FUND(state) (((struct fixture *)*(state))->fund)

/* Makes a new directory from a template ending in XXXXXX under $TMPDIR
 * (or /tmp) into dir; 0 on success. */
int make_temp_dir(char *dir, size_t size, const char *name);
/* Removes every file in dir, then dir. */
void remove_temp_dir(const char *dir);
/* Removes a fund file and its -wal, -shm and -journal. */
void remove_db(const char *path);

/* ---- Calls that must succeed ---------------------------------------- */

/* The diagnostics of the last MUST call. */
extern tf_diag dg;

/* Fails the test with the call's text and dg's message unless TF_OK. */
void must(tf_error err, const char *what);

#define MUST(call) must((tf_diag_clear(&dg), (call)), #call)

void begin(tf_fund *f);
void commit(tf_fund *f);

/* ---- Building a fund: every step in its own transaction ------------ */

/* A donor of type "state" named by its id. */
void add_state_donor(tf_fund *f, const char *id);

/* Money into a pool: a pledge P-<ref> of donor and its full receipt
 * <ref>, in USD, on date; neither may be known already. */
void give_usd(tf_fund *f, const char *donor, const char *ref, const char *date,
              const char *pool, int64_t cents);

/* The refunds tf_close reports, in order (keep_refund is its callback;
 * at most 16). */
struct refunds {
    int n;
    struct {
        char pool[16], donor[32];
        int64_t amount;
    } r[16];
};

int keep_refund(void *ctx, const char *pool, const char *donor, int64_t amount);

/* ---- Checks --------------------------------------------------------- */

/* A tf_verify callback that prints each failure. */
void print_failure(void *ctx, int64_t entry, const char *what);

/* tf_verify must find nothing wrong. */
void assert_verified(tf_fund *f);

/* The journal's head: entry count and last hash. */
struct head {
    int64_t count;
    char hash[TF_HASH_BUFSZ];
};

struct head head(tf_fund *f);
void assert_same_head(struct head a, struct head b);

/* Ends a step begun with begin(f) whose call returned err: when refused
 * (err not TF_OK) nothing may have been written (the head is still
 * before) and the step is rolled back, else it is committed. Returns
 * err. */
tf_error end_step(tf_fund *f, struct head before, tf_error err);

#endif
