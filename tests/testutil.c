/* SPDX-License-Identifier: MIT */
/* What the unit tests share (testutil.h). */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

tf_diag dg;

int make_temp_dir(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, size, "%s/tfund-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
    return mkdtemp(dir) ? 0 : -1;
}

void remove_temp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char file[512];

    if (d) {
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
                unlink(file);
            }
        closedir(d);
    }
    rmdir(dir);
}

void remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char file[512];

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
        unlink(file);
    }
}

int fund_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    tf_diag diag;

    if (!fx)
        return -1;
    if (make_temp_dir(fx->dir, sizeof(fx->dir), "test")) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/fund.db", fx->dir);
    tf_diag_clear(&diag);
    if (tf_fund_create(&fx->fund, fx->path, &diag) != TF_OK) {
        fprintf(stderr, "cannot create a fund: %s\n", diag.msg);
        remove_temp_dir(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

int fund_teardown(void **state)
{
    struct fixture *fx = *state;

    tf_fund_close(fx->fund);
    remove_temp_dir(fx->dir);
    free(fx);
    return 0;
}

void must(tf_error err, const char *what)
{
    if (err != TF_OK)
        fail_msg("%s: %s: %s", what, tf_strerror(err), dg.msg);
}

void begin(tf_fund *f)
{
    MUST(tf_fund_begin(f, &dg));
}

void commit(tf_fund *f)
{
    MUST(tf_fund_commit(f, &dg));
}

void print_failure(void *ctx, int64_t entry, const char *what)
{
    (void)ctx;
    printf("verify: entry %lld: %s\n", (long long)entry, what);
}

void assert_verified(tf_fund *f)
{
    long failures = -1;

    MUST(tf_verify(f, print_failure, NULL, &failures, &dg));
    assert_int_equal(failures, 0);
    MUST(tf_verify_runs(f, print_failure, NULL, &failures, &dg));
    assert_int_equal(failures, 0);
}

struct head head(tf_fund *f)
{
    struct head h;

    memset(&h, 0, sizeof(h));
    MUST(tf_ledger_head(f, &h.count, h.hash, &dg));
    return h;
}

void assert_same_head(struct head a, struct head b)
{
    assert_int_equal(a.count, b.count);
    assert_string_equal(a.hash, b.hash);
}

void add_state_donor(tf_fund *f, const char *id)
{
    tf_donor d = {id, id, "state", ""};
    int known;

    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    commit(f);
}

void give_usd(tf_fund *f, const char *donor, const char *ref, const char *date,
              const char *pool, int64_t cents)
{
    char pref[64];
    tf_pledge p;
    tf_receipt r;
    tf_receipt_field field;
    int known;

    snprintf(pref, sizeof(pref), "P-%s", ref);
    memset(&p, 0, sizeof(p));
    p.ref = pref;
    p.donor = donor;
    p.date = date;
    p.currency = "USD";
    p.pool = pool;
    p.amount = cents;
    memset(&r, 0, sizeof(r));
    r.ref = ref;
    r.date = date;
    r.currency = "USD";
    r.amount = cents;
    r.pledge = pref;
    begin(f);
    MUST(tf_pledge_add(f, &p, &known, &dg));
    MUST(tf_receipt_add(f, &r, &known, &field, &dg));
    assert_int_equal(known, 0);
    commit(f);
}

int keep_refund(void *ctx, const char *pool, const char *donor, int64_t amount)
{
    struct refunds *c = ctx;

    assert_true(c->n < 16);
    snprintf(c->r[c->n].pool, sizeof(c->r[0].pool), "%s", pool);
    snprintf(c->r[c->n].donor, sizeof(c->r[0].donor), "%s", donor);
    c->r[c->n].amount = amount;
    c->n++;
    return 0;
}

tf_error end_step(tf_fund *f, struct head before, tf_error err)
{
    if (err) {
        assert_same_head(before, head(f));
        tf_fund_rollback(f);
        return err;
    }
    commit(f);
    return TF_OK;
}
