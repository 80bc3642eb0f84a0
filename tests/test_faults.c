/* SPDX-License-Identifier: MIT */
/*
 * Faults during writes: a full disk or an I/O error in the middle of an
 * allocation, an import, a disbursement or a cancellation must leave the
 * books exactly as they were once the transaction is rolled back.
 *
 * Two ways of failing:
 *  - sqlite3_step is wrapped (-Wl,--wrap=sqlite3_step): the k-th step
 *    taken by tfund after the trigger point returns SQLITE_FULL or
 *    SQLITE_IOERR instead of running. The steps of each operation, its
 *    commit included, are counted first on a backup copy of the fund, and
 *    k walks through them. SQLite's own internal steps (BEGIN and COMMIT
 *    run through sqlite3_exec) are not reached this way, and as the
 *    failed step never reaches SQLite, the connection's error code, which
 *    tfund reports, stays clear: these failures come back as TF_ERR_DB.
 *  - a VFS shim makes the k-th write or sync of the write-ahead log fail,
 *    so that COMMIT itself meets a real SQLITE_FULL or SQLITE_IOERR, which
 *    must come back as TF_ERR_FULL or TF_ERR_IO.
 *
 * After every failure: the journal head (count and hash) is unchanged,
 * the requests are as before (tf_request_each) and tf_verify finds
 * nothing wrong. The number of injection points tried is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testutil.h"
#include "tfund/tfund.h"

/* ---- The wrapped sqlite3_step --------------------------------------- */

int __wrap_sqlite3_step(sqlite3_stmt *st);
int __real_sqlite3_step(sqlite3_stmt *st);

static struct {
    int armed;
    long count;   /* steps taken since armed */
    long fail_at; /* the step that fails (1-based), 0: none */
    int rc;       /* what it returns */
    long fired;
    char sql[200]; /* the statement that was failed */
} inj;

int __wrap_sqlite3_step(sqlite3_stmt *st)
{
    if (inj.armed) {
        inj.count++;
        if (inj.count == inj.fail_at) {
            const char *sql = sqlite3_sql(st);
            inj.fired++;
            snprintf(inj.sql, sizeof(inj.sql), "%s", sql ? sql : "?");
            return inj.rc;
        }
    }
    return __real_sqlite3_step(st);
}

static void arm(long fail_at, int rc)
{
    inj.armed = 1;
    inj.count = 0;
    inj.fail_at = fail_at;
    inj.rc = rc;
    inj.fired = 0;
    inj.sql[0] = '\0';
}

static long disarm(void)
{
    inj.armed = 0;
    return inj.count;
}

/* ---- A VFS that fails writes and syncs of the write-ahead log -------- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

static struct {
    int armed;
    long count, fail_at, fired;
    int rc;
} io;

struct shim_file {
    sqlite3_file base;
    int wal;
    sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct shim_file *)(f))->real)

static int io_fail(sqlite3_file *f, int rc_if_failed)
{
    if (!io.armed || !((struct shim_file *)f)->wal)
        return SQLITE_OK;
    io.count++;
    if (io.count != io.fail_at)
        return SQLITE_OK;
    io.fired++;
    return rc_if_failed;
}

static int shim_close(sqlite3_file *f)
{
    return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int shim_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int shim_write(sqlite3_file *f, const void *buf, int n,
                      sqlite3_int64 off)
{
    int rc =
        io_fail(f, io.rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE);

    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
    int rc =
        io_fail(f, io.rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC);

    return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int shim_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int shim_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int shim_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
                        void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, out);
}

static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static const sqlite3_io_methods shim_methods = {
    2, /* no xFetch/xUnfetch: every page goes through xRead */
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_size,
    shim_lock,
    shim_unlock,
    shim_check_lock,
    shim_control,
    shim_sector,
    shim_device,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    NULL,
    NULL};

static int shim_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
                     int flags, int *out_flags)
{
    struct shim_file *sf = (struct shim_file *)f;
    int rc;

    (void)vfs;
    memset(sf, 0, sizeof(*sf));
    sf->real = (sqlite3_file *)(sf + 1);
    sf->wal = (flags & SQLITE_OPEN_WAL) != 0;
    rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
    /* SQLite calls xClose even when xOpen fails if pMethods is set. */
    sf->base.pMethods = sf->real->pMethods ? &shim_methods : NULL;
    return rc;
}

static int shim_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync);
}

static int shim_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int shim_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int shim_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int shim_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int shim_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int shim_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int shim_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int install_shim(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return -1;
    memset(&shim_vfs, 0, sizeof(shim_vfs));
    shim_vfs.iVersion = 2;
    shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
    shim_vfs.mxPathname = real_vfs->mxPathname;
    shim_vfs.zName = "tfund-faults";
    shim_vfs.xOpen = shim_open;
    shim_vfs.xDelete = shim_delete;
    shim_vfs.xAccess = shim_access;
    shim_vfs.xFullPathname = shim_full_path;
    shim_vfs.xRandomness = shim_randomness;
    shim_vfs.xSleep = shim_sleep;
    shim_vfs.xCurrentTime = shim_time;
    shim_vfs.xGetLastError = shim_last_error;
    shim_vfs.xCurrentTimeInt64 = shim_time64;
    return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1;
}

/* ---- Fixture -------------------------------------------------------- */

struct fault_fixture {
    char dir[256], path[300], csv[300];
    tf_fund *fund;
};

#define NREQ 200

static const char *const countries[] = {
    /* LDCs */
    "ETH", "HTI", "NPL", "BGD", "TZA", "SEN", "AFG", "AGO", "SLB",
    /* other developing */
    "KEN", "IND", "BRA", "MEX", "CHN", "ARM", "TUR", "PSE", "GHA", "NGA", "PAK",
    "PER", "COL", "GEO", "EGY", "ZAF", "IDN", "THA", "ARG", "CHL",
    /* not eligible */
    "FRA", "USA", "DEU", "POL", "UKR", "ALB"};
#define NCOUNTRIES (sizeof(countries) / sizeof(countries[0]))

/* The i-th request of a session, the same in the books and in a CSV. */
static void request_fields(int i, char *ref, size_t refsz, char *when,
                           size_t whensz, int64_t *fare, const char **cur,
                           const char **country, const char *prefix)
{
    snprintf(ref, refsz, "%s-%03d", prefix, i);
    snprintf(when, whensz, "2025-01-%02dT%02d:%02d:00Z", 1 + i % 28,
             (i * 7) % 24, (i * 13) % 60);
    *fare = 30000 + (int64_t)((i * 7919) % 170) * 1000;
    *cur = i % 4 == 0 ? "EUR" : "USD";
    *country = countries[(size_t)(i * 11) % NCOUNTRIES];
}

static void give(tf_fund *f, const char *ref, const char *pool, int64_t cents)
{
    tf_receipt r;
    tf_receipt_field field;
    int known;

    memset(&r, 0, sizeof(r));
    r.ref = ref;
    r.date = "2025-01-05";
    r.currency = "USD";
    r.amount = cents;
    r.donor = "donor-a";
    r.pool = pool;
    MUST(tf_receipt_add(f, &r, &known, &field, &dg));
}

static int faults_setup(void **state)
{
    struct fault_fixture *fx = calloc(1, sizeof(*fx));
    tf_donor d = {"donor-a", "Donor A", "state", ""};
    tf_session s1 = {"S1",  "First", "Geneva", "2025-03-10", 5, 1,
                     15000, 6000,    -1};
    tf_session s2 = {"S2",  "Second", "New York", "2025-06-10", 4, 1,
                     18000, 6000,     -1};
    int known;

    if (!fx)
        return -1;
    if (make_temp_dir(fx->dir, sizeof(fx->dir), "faults")) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/fund.db", fx->dir);
    snprintf(fx->csv, sizeof(fx->csv), "%s/requests.csv", fx->dir);
    MUST(tf_fund_create(&fx->fund, fx->path, &dg));
    *state = fx;

    /* 200 requests for S1 with money for about half of them; the quotas
     * are raised so that many are funded (and many commitments written). */
    MUST(tf_fund_begin(fx->fund, &dg));
    MUST(tf_setting_set(fx->fund, "quota_ldc", "12", &dg));
    MUST(tf_setting_set(fx->fund, "quota_developing", "6", &dg));
    MUST(tf_rate_add(fx->fund, "EUR", "2025-01-01", "0.9346", &known, &dg));
    MUST(tf_donor_add(fx->fund, &d, &known, &dg));
    give(fx->fund, "R-ldc", "ldc-travel", 12000000);
    give(fx->fund, "R-travel", "travel", 20000000);
    give(fx->fund, "R-unr", "unrestricted", 3000000);
    MUST(tf_session_add(fx->fund, &s1, &known, &dg));
    MUST(tf_session_add(fx->fund, &s2, &known, &dg));
    for (int i = 0; i < NREQ; i++) {
        char ref[32], when[32], delegate[64];
        const char *cur, *country, *field;
        tf_request q;
        memset(&q, 0, sizeof(q));
        request_fields(i, ref, sizeof(ref), when, sizeof(when), &q.fare_orig,
                       &cur, &country, "S1");
        snprintf(delegate, sizeof(delegate), "Delegate %d", i);
        q.ref = ref;
        q.session = "S1";
        q.country = country;
        q.delegate = delegate;
        q.submitted = when;
        q.fare_currency = cur;
        q.gender = i % 2 ? "F" : "M";
        MUST(tf_request_add(fx->fund, &q, &known, &field, &dg));
    }
    MUST(tf_fund_commit(fx->fund, &dg));
    return 0;
}

static int faults_teardown(void **state)
{
    struct fault_fixture *fx = *state;

    tf_fund_close(fx->fund);
    remove_temp_dir(fx->dir);
    free(fx);
    return 0;
}

/* ---- The state that must survive a failure -------------------------- */

struct snapshot {
    int64_t count;
    char hash[TF_HASH_BUFSZ];
    tf_pool_figures pools[TF_POOL_COUNT];
    long requests;
    /* A digest of every request's status, reason, figures and draws. */
    uint64_t digest;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static int digest_request(void *ctx, const tf_request *r)
{
    struct snapshot *s = ctx;
    int64_t figs[6] = {r->fare, r->dsa, r->terminal,
                       r->cost, r->psc, r->charge};

    s->requests++;
    s->digest = mix(s->digest, r->ref, strlen(r->ref) + 1);
    s->digest = mix(s->digest, r->status, strlen(r->status) + 1);
    s->digest = mix(s->digest, r->reason, strlen(r->reason) + 1);
    s->digest = mix(s->digest, &r->tier, sizeof(r->tier));
    s->digest = mix(s->digest, &r->has_figures, sizeof(r->has_figures));
    if (r->has_figures)
        s->digest = mix(s->digest, figs, sizeof(figs));
    for (int i = 0; i < r->ndraws; i++) {
        s->digest = mix(s->digest, r->draws[i].pool, strlen(r->draws[i].pool));
        s->digest =
            mix(s->digest, &r->draws[i].amount, sizeof(r->draws[i].amount));
    }
    return 0;
}

static struct snapshot snap(tf_fund *f)
{
    struct snapshot s;

    memset(&s, 0, sizeof(s));
    s.digest = 1469598103934665603ULL;
    MUST(tf_ledger_head(f, &s.count, s.hash, &dg));
    MUST(tf_ledger_pools(f, NULL, s.pools, &dg));
    MUST(tf_request_each(f, NULL, NULL, digest_request, &s, &dg));
    return s;
}

/* The books must be as in before, and verify must find nothing. */
static void assert_unchanged(tf_fund *f, const struct snapshot *before,
                             const char *what, long k)
{
    struct snapshot now = snap(f);
    long failures = -1;

    if (now.count != before->count || strcmp(now.hash, before->hash))
        fail_msg("%s, step %ld: journal head moved from %lld to %lld", what, k,
                 (long long)before->count, (long long)now.count);
    if (memcmp(now.pools, before->pools, sizeof(now.pools)))
        fail_msg("%s, step %ld: pool figures changed", what, k);
    if (now.requests != before->requests || now.digest != before->digest)
        fail_msg("%s, step %ld: requests changed", what, k);
    MUST(tf_verify(f, print_failure, NULL, &failures, &dg));
    if (failures)
        fail_msg("%s, step %ld: verify found %ld failure(s)", what, k,
                 failures);
}

static int count_pending(void *ctx, const tf_request *r)
{
    long *n = ctx;

    if (!strcmp(r->status, "pending") && !r->has_figures && !r->ndraws)
        (*n)++;
    return 0;
}

static long pending(tf_fund *f, const char *session)
{
    long n = 0;

    MUST(tf_request_each(f, session, NULL, count_pending, &n, &dg));
    return n;
}

/* How an injected failure came back. */
struct tally {
    long points, full, io, db;
};

static void check_error(tf_error err, const char *what, long k, struct tally *t)
{
    switch (err) {
    case TF_ERR_FULL:
        t->full++;
        break;
    case TF_ERR_IO:
        t->io++;
        break;
    case TF_ERR_DB:
        t->db++;
        break;
    case TF_OK:
        fail_msg("%s: the failure injected at step %ld (%s) was ignored: "
                 "the call succeeded",
                 what, k, inj.sql);
        break;
    default:
        fail_msg("%s: the failure injected at step %ld (%s) came back as "
                 "'%s' (%s)",
                 what, k, inj.sql, tf_strerror(err), dg.msg);
    }
    t->points++;
}

/* The points tried: every stride-th step from 1, and the last. */
static long next_point(long k, long stride, long total)
{
    if (k >= total)
        return total + 1;
    return k + stride > total ? total : k + stride;
}

static long total_points;

static void report(const char *what, const char *code, const struct tally *t,
                   long steps)
{
    printf("%-28s %-12s %4ld points of %5ld steps: %ld full, %ld io, %ld "
           "db\n",
           what, code, t->points, steps, t->full, t->io, t->db);
    total_points += t->points;
}

/* ---- Operations, each in its own transaction ----------------------- */

static tf_alloc_options alloc_options(void)
{
    tf_alloc_options o = {"2025-02-20", TF_ORDER_REGION, 0, -1, 0, 0};

    return o;
}

static tf_alloc_result last_alloc;

static tf_error op_allocate(tf_fund *f, const char *session)
{
    tf_alloc_options o = alloc_options();
    tf_error err;

    /* The second session is allocated after the first one's trips were
     * paid (2025-03-20): a run dated before them would be refused as
     * over-committing what those payments used. */
    if (!strcmp(session, "S2"))
        o.date = "2025-04-01";
    /* Beginning takes steps too (the event log notes where each table
     * ends), and a failure there is the operation's. */
    tf_diag_clear(&dg);
    if ((err = tf_fund_begin(f, &dg)))
        return err;
    err = tf_allocate(f, session, &o, &last_alloc, NULL, NULL, &dg);
    if (!err)
        err = tf_fund_commit(f, &dg);
    return err;
}

static tf_error op_import(tf_fund *f, const char *path)
{
    tf_import_result res;

    tf_diag_clear(&dg);
    return tf_import_file(f, "requests", path, &res, NULL, NULL, &dg);
}

/* An actual cost above the commitment, so that the overrun path (pool
 * figures as of the date) is taken too. */
static tf_error op_disburse_over(tf_fund *f, const char *ref)
{
    tf_disburse_result res;
    tf_error err;

    /* Beginning takes steps too (the event log notes where each table
     * ends), and a failure there is the operation's. */
    tf_diag_clear(&dg);
    if ((err = tf_fund_begin(f, &dg)))
        return err;
    {
        /* Beyond cost_tolerance too: --force. */
        tf_disburse_options o = {"2025-03-20", "EUR", 250000, 1, 0, 0};
        err = tf_disburse_ex(f, ref, &o, &res, &dg);
    }
    if (!err)
        err = tf_fund_commit(f, &dg);
    return err;
}

static tf_error op_disburse_under(tf_fund *f, const char *ref)
{
    tf_disburse_result res;
    tf_error err;

    /* Beginning takes steps too (the event log notes where each table
     * ends), and a failure there is the operation's. */
    tf_diag_clear(&dg);
    if ((err = tf_fund_begin(f, &dg)))
        return err;
    err = tf_disburse(f, ref, "2025-03-20", "USD", 1000, &res, &dg);
    if (!err)
        err = tf_fund_commit(f, &dg);
    return err;
}

static tf_error op_cancel(tf_fund *f, const char *ref)
{
    int64_t released;
    tf_error err;

    /* Beginning takes steps too (the event log notes where each table
     * ends), and a failure there is the operation's. */
    tf_diag_clear(&dg);
    if ((err = tf_fund_begin(f, &dg)))
        return err;
    err = tf_cancel(f, ref, "2025-03-21", &released, &dg);
    if (!err)
        err = tf_fund_commit(f, &dg);
    return err;
}

typedef tf_error (*op_fn)(tf_fund *f, const char *arg);

/* The steps op takes, commit included, counted on a copy of the fund so
 * that the fund itself is left as it is. */
static long measure(struct fault_fixture *fx, op_fn op, const char *arg)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char path[320], file[340];
    tf_fund *copy = NULL;
    long steps;

    snprintf(path, sizeof(path), "%s/copy.db", fx->dir);
    MUST(tf_fund_backup(fx->fund, path, &dg));
    MUST(tf_fund_open(&copy, path, &dg));
    /* A handle finds out who acts at its first write (in a team fund,
     * from the users table), as the fixture's handle already has. */
    MUST(tf_fund_begin(copy, &dg));
    tf_fund_rollback(copy);
    arm(0, 0);
    must(op(copy, arg), "the operation on a copy");
    steps = disarm();
    tf_fund_close(copy);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
        unlink(file);
    }
    return steps;
}

/* Fails the k-th step of op for k = 1, 1 + stride, ... and the last step,
 * with SQLITE_FULL and then SQLITE_IOERR: each time op must fail and,
 * once rolled back, the books must be as before. Then op runs for real
 * and must take the measured number of steps. */
static void fault_pass(struct fault_fixture *fx, const char *what, op_fn op,
                       const char *arg, long stride)
{
    static const int codes[] = {SQLITE_FULL, SQLITE_IOERR};
    static const char *const names[] = {"SQLITE_FULL", "SQLITE_IOERR"};
    tf_fund *f = fx->fund;
    struct snapshot before = snap(f);
    long total = measure(fx, op, arg);

    assert_true(total > 0);
    for (int c = 0; c < 2; c++) {
        struct tally t = {0, 0, 0, 0};
        for (long k = 1; k <= total; k = next_point(k, stride, total)) {
            tf_error err;
            arm(k, codes[c]);
            err = op(f, arg);
            disarm();
            if (inj.fired != 1)
                fail_msg("%s: step %ld of %ld was never reached", what, k,
                         total);
            check_error(err, what, k, &t);
            tf_fund_rollback(f);
            assert_unchanged(f, &before, what, k);
        }
        report(what, names[c], &t, total);
    }
    arm(0, 0);
    must(op(f, arg), what);
    assert_int_equal(disarm(), total);
}

/* ---- Allocation ----------------------------------------------------- */

static void test_allocate_faults(void **state)
{
    struct fault_fixture *fx = *state;

    assert_int_equal(pending(fx->fund, "S1"), NREQ);
    fault_pass(fx, "allocate + commit", op_allocate, "S1", 7);
    printf("allocation of %d requests: %ld funded, %ld waitlisted, %ld "
           "rejected\n",
           NREQ, last_alloc.funded, last_alloc.waitlisted, last_alloc.rejected);
    /* The fund is built so that the run writes plenty. */
    assert_true(last_alloc.funded >= 60);
    assert_true(last_alloc.waitlisted > 0 && last_alloc.rejected > 0);
    assert_int_equal(pending(fx->fund, "S1"), 0);
}

/* ---- Import --------------------------------------------------------- */

static void write_requests_csv(const char *path)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fprintf(fp, "ref,session,country,delegate,submitted,fare,fare_currency,"
                "gender\n");
    for (int i = 0; i < NREQ; i++) {
        char ref[32], when[32];
        const char *cur, *country;
        int64_t fare;
        request_fields(i, ref, sizeof(ref), when, sizeof(when), &fare, &cur,
                       &country, "S2");
        fprintf(fp, "%s,S2,%s,\"Delegate %d, jr\",%s,%lld.%02lld,%s,%s\n", ref,
                country, i, when, (long long)(fare / 100),
                (long long)(fare % 100), cur, i % 3 ? "F" : "");
    }
    assert_int_equal(fclose(fp), 0);
}

static void test_import_faults(void **state)
{
    struct fault_fixture *fx = *state;

    write_requests_csv(fx->csv);
    fault_pass(fx, "import requests", op_import, fx->csv, 7);
    assert_int_equal(pending(fx->fund, "S2"), NREQ);
}

/* ---- Disbursement and cancellation ---------------------------------- */

struct pick {
    char funded[3][32];
    int n;
};

static int pick_funded(void *ctx, const tf_request *r)
{
    struct pick *p = ctx;

    if (!strcmp(r->status, "funded") && p->n < 3)
        snprintf(p->funded[p->n++], sizeof(p->funded[0]), "%s", r->ref);
    return p->n == 3;
}

/* These are short: every step is failed in turn. */
static void test_disburse_faults(void **state)
{
    struct fault_fixture *fx = *state;
    struct pick p;

    MUST(op_allocate(fx->fund, "S1"));
    memset(&p, 0, sizeof(p));
    MUST(tf_request_each(fx->fund, "S1", NULL, pick_funded, &p, &dg));
    assert_int_equal(p.n, 3);

    fault_pass(fx, "disburse (overrun)", op_disburse_over, p.funded[0], 1);
    fault_pass(fx, "disburse (release)", op_disburse_under, p.funded[1], 1);
    fault_pass(fx, "cancel (funded)", op_cancel, p.funded[2], 1);
}

/* ---- COMMIT meeting a full disk or an I/O error --------------------- */

/* Fails the k-th write or sync of the log, k = 1, 2, ..., until k is past
 * the end of the transaction: that run commits, each one before must fail
 * with the error the code stands for and change nothing. */
static void commit_faults(tf_fund *f, const char *what, int code,
                          const char *name, tf_error expected, op_fn op,
                          const char *arg)
{
    struct snapshot before = snap(f);
    struct tally t = {0, 0, 0, 0};
    long writes = 0;

    for (long k = 1;; k++) {
        tf_error err;
        io.armed = 1;
        io.count = 0;
        io.fail_at = k;
        io.fired = 0;
        io.rc = code;
        err = op(f, arg);
        io.armed = 0;
        writes = io.count;
        /* Not reached, or reached by a checkpoint after the commit was
         * durable (which SQLite does not report): the run went through. */
        if (!io.fired || err == TF_OK) {
            must(err, what);
            break;
        }
        if (err != expected)
            fail_msg("%s, write %ld: came back as '%s' (%s)", what, k,
                     tf_strerror(err), dg.msg);
        t.points++;
        t.full += err == TF_ERR_FULL;
        t.io += err == TF_ERR_IO;
        tf_fund_rollback(f);
        assert_unchanged(f, &before, what, k);
    }
    report(what, name, &t, writes);
    assert_true(t.points > 0);
}

static void test_commit_io_faults(void **state)
{
    struct fault_fixture *fx = *state;
    tf_fund *f = fx->fund;
    struct pick p;

    commit_faults(f, "commit of allocate (VFS)", SQLITE_FULL, "SQLITE_FULL",
                  TF_ERR_FULL, op_allocate, "S1");
    assert_int_equal(pending(f, "S1"), 0);

    memset(&p, 0, sizeof(p));
    MUST(tf_request_each(f, "S1", NULL, pick_funded, &p, &dg));
    assert_int_equal(p.n, 3);
    commit_faults(f, "commit of disburse (VFS)", SQLITE_IOERR, "SQLITE_IOERR",
                  TF_ERR_IO, op_disburse_over, p.funded[0]);

    write_requests_csv(fx->csv);
    commit_faults(f, "commit of import (VFS)", SQLITE_IOERR, "SQLITE_IOERR",
                  TF_ERR_IO, op_import, fx->csv);
    assert_int_equal(pending(f, "S2"), NREQ);

    commit_faults(f, "commit of allocate (VFS)", SQLITE_IOERR, "SQLITE_IOERR",
                  TF_ERR_IO, op_allocate, "S2");
    assert_int_equal(pending(f, "S2"), 0);
}

static int print_total(void **state)
{
    (void)state;
    printf("injection points tried: %ld\n", total_points);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, faults_setup, faults_teardown)
        T(test_allocate_faults),
        T(test_import_faults),
        T(test_disburse_faults),
        T(test_commit_io_faults),
#undef T
    };

    if (install_shim()) {
        fprintf(stderr, "cannot install the fault VFS\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, print_total);
}
