/* SPDX-License-Identifier: MIT */
/*
 * The event log and coverage (books/audit.c, books/audit_verify.c,
 * books/events.c, grants/audit_runs.c): one event per transaction that
 * inserts something and none otherwise, the chain, the canonical command
 * line, and every kind of failure verify names: a row inserted, changed
 * or removed outside tfund, an event changed or cut off, a row changed
 * so that its short check still matched (only the digest tells), caches
 * that differ from what they are derived from, and a run that used
 * settings other than those in force. Each tampering is done with SQL on
 * the fund's own connection, as someone with the file could.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "books/audit_internal.h"
#include "testutil.h"
#include "tfund/tfund.h"

/* ---- Helpers -------------------------------------------------------- */

static void exec(tf_fund *f, const char *sql)
{
    MUST(tf_db_exec(f->db, sql, &dg));
}

static int64_t events(tf_fund *f)
{
    int64_t n = -1;

    MUST(tf_event_head(f, &n, NULL, &dg));
    return n;
}

static void add_donor(tf_fund *f, const char *id)
{
    tf_donor d = {id, "A donor", "state", ""};
    int known;

    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    commit(f);
}

/* Every failure verify reports, gathered. */
struct failures {
    char text[8192];
    long n;
};

static void gather(void *ctx, int64_t entry, const char *what)
{
    struct failures *fl = ctx;
    size_t len = strlen(fl->text);

    (void)entry;
    fl->n++;
    snprintf(fl->text + len, sizeof(fl->text) - len, "%s\n", what);
}

/* verify must fail with a message containing want. */
static void assert_named(tf_fund *f, const char *want)
{
    struct failures fl;
    long n = 0, runs = 0;

    memset(&fl, 0, sizeof(fl));
    MUST(tf_verify(f, gather, &fl, &n, &dg));
    MUST(tf_verify_runs(f, gather, &fl, &runs, &dg));
    if (!strstr(fl.text, want))
        fail_msg("verify did not say '%s'; it said:\n%s", want, fl.text);
    assert_true(n + runs > 0);
}

struct last_event {
    tf_event e;
    char actor[128], command[256], summary[256], wrote[256];
    char at[32], prev_hash[TF_HASH_BUFSZ];
};

static int keep_last(void *ctx, const tf_event *e)
{
    struct last_event *l = ctx;

    l->e = *e;
    snprintf(l->actor, sizeof(l->actor), "%s", e->actor);
    snprintf(l->command, sizeof(l->command), "%s", e->command);
    snprintf(l->summary, sizeof(l->summary), "%s", e->summary);
    snprintf(l->wrote, sizeof(l->wrote), "%s", e->wrote);
    snprintf(l->at, sizeof(l->at), "%s", e->at);
    snprintf(l->prev_hash, sizeof(l->prev_hash), "%s", e->prev_hash);
    /* The event's strings are the walk's: keep the copies. */
    l->e.at = l->at;
    l->e.actor = l->actor;
    l->e.command = l->command;
    l->e.summary = l->summary;
    l->e.wrote = l->wrote;
    l->e.prev_hash = l->prev_hash;
    l->e.hash = NULL;
    return 0;
}

static struct last_event last_event(tf_fund *f)
{
    struct last_event l;

    memset(&l, 0, sizeof(l));
    MUST(tf_event_each(f, NULL, keep_last, &l, &dg));
    return l;
}

/* ---- Events --------------------------------------------------------- */

/* Creating a fund is one event; each transaction that inserts appends
 * one; a transaction rolled back, or that inserts nothing, none. */
static void test_one_event_per_write(void **state)
{
    tf_fund *f = FUND(state);
    tf_donor d = {"norway", "Norway", "state", "NOR"};
    struct last_event l;
    char login[128];
    int known;

    assert_int_equal(events(f), 1);
    l = last_event(f);
    assert_string_equal(l.actor, tf_actor_login(login, sizeof(login)));
    assert_non_null(strstr(l.wrote, "country_versions:1-"));

    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    tf_audit_summary(f, "norway: %s", "recorded");
    commit(f);
    assert_int_equal(events(f), 2);
    l = last_event(f);
    assert_string_equal(l.summary, "norway: recorded");
    assert_string_equal(l.wrote, "donors:1-1");

    /* The same again adds nothing: no event. */
    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    assert_int_equal(known, 1);
    commit(f);
    assert_int_equal(events(f), 2);

    /* Rolled back: no event. */
    d.id = "sweden";
    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    tf_fund_rollback(f);
    assert_int_equal(events(f), 2);

    /* Without a summary the event says what it wrote; the actor and the
     * command are the handle's when set. */
    MUST(tf_audit_set_actor(f, "web:alice", &dg));
    MUST(tf_audit_set_command(f, "POST /donors", &dg));
    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    commit(f);
    l = last_event(f);
    assert_int_equal(l.e.seq, 3);
    assert_string_equal(l.actor, "web:alice");
    assert_string_equal(l.command, "POST /donors");
    assert_string_equal(l.summary, "wrote 1 donors");
    assert_string_equal(l.wrote, "donors:2-2");
    assert_verified(f);
}

static int check_chain(void *ctx, const tf_event *e)
{
    char *prev = ctx;

    assert_string_equal(e->prev_hash, prev);
    assert_int_equal(strlen(e->hash), 64);
    snprintf(prev, TF_HASH_BUFSZ, "%s", e->hash);
    return 0;
}

/* Each event links to the one before; the head is the last. */
static void test_chain(void **state)
{
    tf_fund *f = FUND(state);
    char prev[TF_HASH_BUFSZ] = "", head[TF_HASH_BUFSZ];
    int64_t n;

    add_donor(f, "a");
    add_donor(f, "b");
    MUST(tf_event_each(f, NULL, check_chain, prev, &dg));
    MUST(tf_event_head(f, &n, head, &dg));
    assert_int_equal(n, 3);
    assert_string_equal(head, prev);
    assert_verified(f);
}

static void test_command_line(void **state)
{
    char *argv[] = {"import",       "pledges",  "my file.csv", "--memo",
                    "it's",         "a\nb\x01", "--password",  "hunter2",
                    "--password=x", ""};
    const char *secret[] = {"--password", NULL};
    char *s = tf_audit_command_line(10, argv, secret);

    (void)state;
    assert_non_null(s);
    assert_string_equal(s, "tfund import pledges 'my file.csv' --memo "
                           "'it'\\''s' $'a\\nb\\x01' --password '***' "
                           "--password='***' ''");
    free(s);
}

/* ---- Coverage: each kind of failure --------------------------------- */

static void test_row_inserted(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "a");
    exec(f, "INSERT INTO donors (id, name, type) VALUES ('z', 'Z', 'other')");
    assert_named(f, "donors row 2 (z): not written by tfund");
}

static void test_row_changed(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "a");
    add_donor(f, "b");
    exec(f, "DROP TRIGGER donors_no_update;"
            "UPDATE donors SET name = 'Someone' WHERE id = 'a'");
    assert_named(f, "donors row 1 (a): changed after event 2 wrote it");
}

static void test_row_removed(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "a");
    add_donor(f, "b");
    add_donor(f, "c");
    exec(f, "DROP TRIGGER donors_no_delete;"
            "DELETE FROM donors WHERE id IN ('b', 'c')");
    assert_named(f, "donors row 2: removed (event 3 wrote it)");
    assert_named(f, "donors row 3: removed (event 4 wrote it)");
}

static void test_event_changed(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "a");
    exec(f, "DROP TRIGGER events_no_update;"
            "UPDATE events SET actor = 'someone' WHERE seq = 2");
    assert_named(f, "events row 2: content does not match its hash");
}

static void test_events_cut(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "a");
    add_donor(f, "b");
    exec(f, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 3");
    assert_named(f, "events rows 3-3: removed from the end");
    assert_named(f, "donors row 2 (b): not written by tfund");
}

/* A row changed and its 8-byte check and the event (and the chain after
 * it) recomputed to match, as a forger who finds a 64-bit collision
 * would: the digest over the rows' full hashes still tells. */
static void test_digest_only(void **state)
{
    tf_fund *f = FUND(state);
    uint8_t h[TF_ROW_HASH_SIZE], checks[64];
    char hash[TF_HASH_BUFSZ], digest[TF_HASH_BUFSZ];
    struct last_event l;
    tf_stmt *st;
    size_t n;

    add_donor(f, "a");
    exec(f, "DROP TRIGGER donors_no_update; DROP TRIGGER events_no_update;"
            "UPDATE donors SET name = 'Someone' WHERE id = 'a'");
    /* The new check, in place of the old one in the event's blob. */
    st = tf_db_prepare(f->db, "SELECT rowid, * FROM donors WHERE rowid = 1",
                       &dg);
    assert_non_null(st);
    assert_int_equal(tf_stmt_step(st), 1);
    tf_audit_row_hash("donors", st, h);
    tf_stmt_reset(st);
    l = last_event(f);
    st = tf_db_prepare(f->db, "SELECT checks, digest FROM events WHERE seq = 2",
                       &dg);
    assert_non_null(st);
    assert_int_equal(tf_stmt_step(st), 1);
    n = (size_t)tf_col_bytes(st, 0);
    assert_int_equal(n, TF_ROW_CHECK_SIZE);
    memcpy(checks, h, TF_ROW_CHECK_SIZE);
    snprintf(digest, sizeof(digest), "%s", tf_col_text(st, 1));
    tf_stmt_reset(st);
    l.e.at = l.at;
    l.e.actor = l.actor;
    l.e.command = l.command;
    l.e.summary = l.summary;
    l.e.wrote = l.wrote;
    l.e.prev_hash = l.prev_hash;
    tf_audit_event_hash(&l.e, checks, n, digest, hash);
    st = tf_db_prepare(
        f->db, "UPDATE events SET checks = ?1, hash = ?2 WHERE seq = 2", &dg);
    assert_non_null(st);
    tf_stmt_blob(st, 1, checks, n);
    tf_stmt_text(st, 2, hash);
    MUST(tf_stmt_run(st, &dg));
    st = tf_db_prepare(f->db, "UPDATE chain SET last_event_hash = ?1", &dg);
    assert_non_null(st);
    tf_stmt_text(st, 1, hash);
    MUST(tf_stmt_run(st, &dg));
    assert_named(f, "events row 2: the rows it wrote do not give its digest");
}

static void test_settings_cache(void **state)
{
    tf_fund *f = FUND(state);

    /* With the triggers, the value becomes a version no event wrote. */
    exec(f, "UPDATE settings SET value = '0.08' WHERE key = 'psc_rate'");
    assert_named(f, "setting_versions row 8 (psc_rate = 0.08): not written "
                    "by tfund");
    /* Without them, the cache differs from the latest version. */
    exec(f, "DROP TRIGGER setting_versions_no_delete;"
            "DELETE FROM setting_versions WHERE id = 8;"
            "DROP TRIGGER settings_version_update;"
            "UPDATE settings SET value = '0.09' WHERE key = 'psc_rate'");
    assert_named(f, "settings row 3 (psc_rate): value is '0.09' but "
                    "setting_versions row 3 gives '0.13'");
}

static void test_countries_cache(void **state)
{
    tf_fund *f = FUND(state);

    exec(f, "DROP TRIGGER countries_no_delete;"
            "DELETE FROM countries WHERE iso3 = 'FRA'");
    assert_named(f, "countries row for FRA: removed (its latest version is "
                    "country_versions row");
}

/* A setting the allocation reads, a session and a request: the request
 * state's cache, and the settings a run used. */
static void allocated_fund(tf_fund *f)
{
    tf_session s = {.id = "s1",
                    .name = "Session",
                    .venue = "Geneva",
                    .start = "2025-03-10",
                    .days = 2,
                    .extra_days = 1,
                    .dsa = 10000,
                    .terminal = 5000,
                    .travel_budget = -1};
    tf_pledge p = {.ref = "P1",
                   .donor = "d",
                   .date = "2025-01-10",
                   .currency = "USD",
                   .pool = "travel",
                   .amount = 10000000};
    tf_receipt r = {.ref = "R1",
                    .date = "2025-01-20",
                    .currency = "USD",
                    .amount = 10000000,
                    .pledge = "P1"};
    tf_request q;
    tf_alloc_options o = {"2025-02-20", TF_ORDER_SUBMITTED, 0, -1, 0, 0};
    tf_alloc_result res;
    tf_receipt_field field;
    const char *col = NULL;
    int known;

    add_donor(f, "d");
    begin(f);
    MUST(tf_session_add(f, &s, &known, &dg));
    MUST(tf_pledge_add(f, &p, &known, &dg));
    MUST(tf_receipt_add(f, &r, &known, &field, &dg));
    memset(&q, 0, sizeof(q));
    q.ref = "Q1";
    q.session = "s1";
    q.country = "NPL";
    q.delegate = "Sita Rai";
    q.submitted = "2025-02-01T09:00:00Z";
    q.fare_orig = 145000;
    q.fare_currency = "USD";
    q.gender = "F";
    MUST(tf_request_add(f, &q, &known, &col, &dg));
    commit(f);
    begin(f);
    MUST(tf_allocate(f, "s1", &o, &res, NULL, NULL, &dg));
    commit(f);
    assert_int_equal(res.funded, 1);
}

static void test_request_state(void **state)
{
    tf_fund *f = FUND(state);

    allocated_fund(f);
    assert_verified(f);
    exec(f, "UPDATE requests SET status = 'waitlisted' WHERE ref = 'Q1'");
    assert_named(f, "requests row 1 (Q1): status is 'waitlisted' but "
                    "decisions row 1 gives 'funded'");
}

static void test_run_settings(void **state)
{
    tf_fund *f = FUND(state);

    /* psc_rate changed for the run and back, behind tfund's back. */
    exec(f, "DROP TRIGGER settings_version_update;"
            "UPDATE settings SET value = '0.2' WHERE key = 'psc_rate'");
    allocated_fund(f);
    exec(f, "UPDATE settings SET value = '0.13' WHERE key = 'psc_rate'");
    assert_named(f, "runs row 1 (run 1 of s1): it used psc_rate '0.2' but "
                    "setting_versions row 3 in force then says '0.13'");
}

/* ---- History -------------------------------------------------------- */

struct lines {
    char text[4096];
};

static int gather_history(void *ctx, const tf_history_item *h)
{
    struct lines *l = ctx;
    size_t len = strlen(l->text);

    snprintf(l->text + len, sizeof(l->text) - len, "%lld %s\n",
             (long long)h->event->seq, h->what);
    return 0;
}

static void test_history(void **state)
{
    tf_fund *f = FUND(state);
    struct lines l;
    int64_t released;
    long found = 0;

    allocated_fund(f);
    begin(f);
    MUST(tf_cancel(f, "Q1", "2025-02-25", &released, &dg));
    commit(f);
    memset(&l, 0, sizeof(l));
    MUST(tf_history(f, "Q1", gather_history, &l, &found, &dg));
    assert_int_equal(found, 5);
    assert_non_null(strstr(l.text, "3 request Q1 recorded: session s1, NPL, "
                                   "Sita Rai, submitted 2025-02-01T09:00:00Z, "
                                   "fare 1,450.00 USD\n"));
    assert_non_null(strstr(l.text, "4 Q1: funded by allocation run 1 on "
                                   "2025-02-20, tier 1, charge "));
    assert_non_null(strstr(l.text, "4 entry 3 (commitment, 2025-02-20)"));
    assert_non_null(strstr(l.text, "5 Q1: cancelled on 2025-02-25\n"));
    assert_non_null(strstr(l.text, "5 entry 4 (release, 2025-02-25)"));
    MUST(tf_history(f, "nothing", gather_history, &l, &found, &dg));
    assert_int_equal(found, 0);
    assert_verified(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_event_per_write, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_chain, fund_setup, fund_teardown),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test_setup_teardown(test_row_inserted, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_row_changed, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_row_removed, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_event_changed, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_events_cut, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_digest_only, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_settings_cache, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_countries_cache, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_request_state, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_run_settings, fund_setup,
                                        fund_teardown),
        cmocka_unit_test_setup_teardown(test_history, fund_setup,
                                        fund_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
