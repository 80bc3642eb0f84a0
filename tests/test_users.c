/* SPDX-License-Identifier: MIT */
/*
 * Users and roles (DESIGN.md section 11): role names, the first-user
 * rule, logins mapped to one active user, donor users, disabling, Argon2id
 * password hashes, logins checked with the same answer whatever is wrong,
 * the actor of a single-user and of a team fund, and users kept as
 * versions that no UPDATE or DELETE can touch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "books/fund_internal.h"
#include "testutil.h"
#include "tfund/audit.h"
#include "tfund/tfund.h"
#include "tfund/users.h"

/* ---- Helpers -------------------------------------------------------- */

static tf_error add(tf_fund *f, const char *id, const char *roles,
                    const char *login, const char *donor)
{
    tf_user u;
    tf_error err;

    memset(&u, 0, sizeof(u));
    u.id = id;
    u.name = "A user";
    u.login = login;
    u.donor = donor;
    tf_diag_clear(&dg);
    if ((err = tf_roles_parse(roles, &u.roles, &dg)))
        return err;
    begin(f);
    err = tf_user_add(f, &u, "tester", &dg);
    if (err)
        tf_fund_rollback(f);
    else
        commit(f);
    return err;
}

static tf_error in_tx(tf_fund *f, tf_error err)
{
    if (err)
        tf_fund_rollback(f);
    else
        commit(f);
    return err;
}

struct seen {
    char id[64], roles[128], login[64], donor[64];
    int disabled, has_password, n;
    long version;
};

static int see(void *ctx, const tf_user *u)
{
    struct seen *s = ctx;

    snprintf(s->id, sizeof(s->id), "%s", u->id);
    tf_roles_format(u->roles, s->roles, sizeof(s->roles));
    snprintf(s->login, sizeof(s->login), "%s", u->login ? u->login : "");
    snprintf(s->donor, sizeof(s->donor), "%s", u->donor ? u->donor : "");
    s->disabled = u->disabled;
    s->has_password = u->has_password;
    s->version = u->version;
    s->n++;
    return 0;
}

static struct seen user(tf_fund *f, const char *id)
{
    struct seen s;

    memset(&s, 0, sizeof(s));
    MUST(tf_user_each(f, id, see, &s, &dg));
    return s;
}

static long count_rows(tf_fund *f, const char *sql)
{
    tf_stmt *st = tf_db_prepare(f->db, sql, &dg);
    long n;

    assert_non_null(st);
    assert_int_equal(tf_stmt_step(st), 1);
    n = (long)tf_col_int(st, 0);
    tf_stmt_reset(st);
    return n;
}

static void add_donor(tf_fund *f, const char *id)
{
    tf_donor d = {id, "Donor", "state", ""};
    int known = 0;

    begin(f);
    MUST(tf_donor_add(f, &d, &known, &dg));
    commit(f);
}

/* ---- Roles ---------------------------------------------------------- */

static void test_roles_parse(void **state)
{
    unsigned roles = 0;
    char buf[128];

    (void)state;
    assert_int_equal(tf_roles_parse("auditor,admin", &roles, &dg), TF_OK);
    assert_int_equal(roles, TF_ROLE_ADMIN | TF_ROLE_AUDITOR);
    /* Written back in the canonical order. */
    assert_string_equal(tf_roles_format(roles, buf, sizeof(buf)),
                        "admin,auditor");
    assert_int_equal(tf_roles_parse("admin,recorder,programme,certifying,"
                                    "approving,auditor",
                                    &roles, &dg),
                     TF_OK);
    assert_int_equal(roles, TF_ROLES_STAFF);
    assert_int_equal(tf_roles_parse("donor", &roles, &dg), TF_OK);
    assert_int_equal(roles, TF_ROLE_DONOR);

    assert_int_equal(tf_roles_parse("root", &roles, &dg), TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "unknown role 'root'"));
    assert_int_equal(tf_roles_parse("admin,admin", &roles, &dg), TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "'admin' given twice"));
    assert_int_equal(tf_roles_parse("", &roles, &dg), TF_ERR_INPUT);
    assert_int_equal(tf_roles_parse("admin,", &roles, &dg), TF_ERR_INPUT);
    assert_int_equal(tf_roles_parse("Admin", &roles, &dg), TF_ERR_INPUT);
    assert_int_equal(tf_roles_parse("admin recorder", &roles, &dg),
                     TF_ERR_INPUT);
    for (int i = 0; i < TF_ROLE_COUNT; i++)
        assert_non_null(tf_role_name(1u << i));
    assert_null(tf_role_name(1u << TF_ROLE_COUNT));
    assert_null(tf_role_name(TF_ROLE_ADMIN | TF_ROLE_DONOR));
}

/* ---- Adding users --------------------------------------------------- */

static void test_first_user_must_be_admin(void **state)
{
    tf_fund *f = FUND(state);
    long n = -1;

    MUST(tf_users_count(f, &n, &dg));
    assert_int_equal(n, 0);
    assert_int_equal(add(f, "rec", "recorder", NULL, NULL), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "first user of a fund must be an admin"));
    assert_int_equal(add(f, "rec", "recorder,auditor", NULL, NULL),
                     TF_ERR_RULE);
    /* An admin nobody can act as from the command line would leave the
     * users out of reach. */
    assert_int_equal(add(f, "boss", "admin", NULL, NULL), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "must have a login"));
    MUST(tf_users_count(f, &n, &dg));
    assert_int_equal(n, 0);
    /* An admin may hold other roles too. */
    assert_int_equal(add(f, "boss", "admin,auditor", "alice", NULL), TF_OK);
    assert_int_equal(add(f, "rec", "recorder", "bob", NULL), TF_OK);
    MUST(tf_users_count(f, &n, &dg));
    assert_int_equal(n, 2);
    assert_string_equal(user(f, "boss").roles, "admin,auditor");
    assert_string_equal(user(f, "rec").login, "bob");
    assert_int_equal(user(f, "rec").version, 1);
    assert_verified(f);
}

static void test_first_admin_rule_in_the_database(void **state)
{
    tf_fund *f = FUND(state);

    /* Whoever writes to the file: the schema refuses it as well. */
    assert_int_not_equal(
        tf_db_exec(f->db,
                   "INSERT INTO users (id, version, name, roles, login, "
                   "disabled, change, at, actor) VALUES ('x', 1, 'X', "
                   "'recorder', 'x', 0, 'add', '2017-01-01T00:00:00Z', 'me')",
                   &dg),
        TF_OK);
    assert_non_null(strstr(dg.msg, "must be an admin"));
    assert_int_equal(count_rows(f, "SELECT count(*) FROM users"), 0);
}

static void test_add_refusals(void **state)
{
    tf_fund *f = FUND(state);

    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    /* The same id again. */
    assert_int_equal(add(f, "boss", "admin", NULL, NULL), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "'boss' already exists"));
    /* A login already mapped to an active user. */
    assert_int_equal(add(f, "other", "recorder", "alice", NULL), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "login 'alice' is already mapped to "
                                   "user 'boss'"));
    /* Malformed ids, logins and names. */
    assert_int_equal(add(f, "../x", "recorder", NULL, NULL), TF_ERR_INPUT);
    assert_int_equal(add(f, "", "recorder", NULL, NULL), TF_ERR_INPUT);
    assert_int_equal(add(f, "ok", "recorder", "bad login", NULL), TF_ERR_INPUT);
    assert_int_equal(add(f, "ok", "recorder", "-rf", NULL), TF_ERR_INPUT);
    {
        tf_user u;
        memset(&u, 0, sizeof(u));
        u.id = "ok";
        u.roles = TF_ROLE_RECORDER;
        u.name = "line\nbreak";
        begin(f);
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_ERR_INPUT);
        u.name = "";
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_ERR_INPUT);
        u.name = "bad \xc3\x28 utf-8";
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_ERR_INPUT);
        u.name = "C1 \xc2\x85 control";
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_ERR_INPUT);
        u.name = "Zoë Ng";
        u.roles = 0;
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_ERR_INPUT);
        u.roles = TF_ROLE_RECORDER;
        assert_int_equal(tf_user_add(f, &u, "t", &dg), TF_OK);
        commit(f);
    }
    assert_int_equal(count_rows(f, "SELECT count(*) FROM users"), 2);
}

static void test_donor_users(void **state)
{
    tf_fund *f = FUND(state);

    add_donor(f, "norway");
    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    /* The donor role needs a known donor, and only it takes one. */
    assert_int_equal(add(f, "d", "donor", NULL, NULL), TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "needs --donor"));
    assert_int_equal(add(f, "d", "donor", NULL, "sweden"), TF_ERR_NOTFOUND);
    assert_non_null(strstr(dg.msg, "unknown donor 'sweden'"));
    assert_int_equal(add(f, "d", "recorder", NULL, "norway"), TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "only for the donor role"));
    /* A donor user holds no other role: it would see all the books. */
    assert_int_equal(add(f, "d", "donor,auditor", NULL, "norway"),
                     TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "cannot be held with another role"));
    assert_int_equal(add(f, "d", "donor", NULL, "norway"), TF_OK);
    assert_string_equal(user(f, "d").donor, "norway");
    assert_string_equal(user(f, "d").roles, "donor");
}

static void test_unknown_user(void **state)
{
    tf_fund *f = FUND(state);
    struct seen s;

    memset(&s, 0, sizeof(s));
    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_equal(tf_user_each(f, "nobody", see, &s, &dg), TF_ERR_NOTFOUND);
    assert_int_equal(s.n, 0);
    begin(f);
    assert_int_equal(tf_user_disable(f, "nobody", "t", &dg), TF_ERR_NOTFOUND);
    assert_int_equal(tf_user_set_password(f, "nobody", "long enough", "t", &dg),
                     TF_ERR_NOTFOUND);
    tf_fund_rollback(f);
}

/* ---- Disabling ------------------------------------------------------ */

static void test_disable(void **state)
{
    tf_fund *f = FUND(state);

    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_equal(add(f, "rec", "recorder", "bob", NULL), TF_OK);
    /* The last active admin stays. */
    begin(f);
    assert_int_equal(tf_user_disable(f, "boss", "t", &dg), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "last active admin"));
    tf_fund_rollback(f);

    begin(f);
    assert_int_equal(in_tx(f, tf_user_disable(f, "rec", "boss", &dg)), TF_OK);
    assert_int_equal(user(f, "rec").disabled, 1);
    assert_int_equal(user(f, "rec").version, 2);
    begin(f);
    assert_int_equal(tf_user_disable(f, "rec", "t", &dg), TF_ERR_RULE);
    assert_non_null(strstr(dg.msg, "already disabled"));
    tf_fund_rollback(f);
    /* A disabled user's login may go to someone else. */
    assert_int_equal(add(f, "rec2", "recorder", "bob", NULL), TF_OK);
    /* An admin without a login does not keep the fund administered. */
    assert_int_equal(add(f, "web-admin", "admin", NULL, NULL), TF_OK);
    begin(f);
    assert_int_equal(tf_user_disable(f, "boss", "t", &dg), TF_ERR_RULE);
    tf_fund_rollback(f);
    /* Two admins with logins: either may now go. */
    assert_int_equal(add(f, "boss2", "admin", "carol", NULL), TF_OK);
    begin(f);
    assert_int_equal(in_tx(f, tf_user_disable(f, "boss", "boss2", &dg)), TF_OK);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM users"), 7);
}

/* ---- Passwords ------------------------------------------------------ */

static int got_user(void *ctx, const tf_user *u)
{
    snprintf(ctx, 64, "%s", u->id);
    return 0;
}

static void test_passwords(void **state)
{
    tf_fund *f = FUND(state);
    char who[64] = "";
    tf_stmt *st;

    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_equal(user(f, "boss").has_password, 0);
    /* No password yet: nobody logs in. */
    assert_int_equal(tf_user_authenticate(f, "boss", "", NULL, NULL, &dg),
                     TF_ERR_RULE);

    begin(f);
    assert_int_equal(tf_user_set_password(f, "boss", "short", "t", &dg),
                     TF_ERR_INPUT);
    assert_non_null(strstr(dg.msg, "shorter than 8"));
    assert_int_equal(
        in_tx(f, tf_user_set_password(f, "boss", "correct horse", "t", &dg)),
        TF_OK);
    assert_int_equal(user(f, "boss").has_password, 1);
    assert_int_equal(user(f, "boss").version, 2);

    /* Stored as an Argon2id hash, never as the password. */
    st = tf_db_prepare(f->db,
                       "SELECT password FROM users WHERE id = 'boss' AND "
                       "version = 2",
                       &dg);
    assert_non_null(st);
    assert_int_equal(tf_stmt_step(st), 1);
    assert_memory_equal(tf_col_text(st, 0), "$argon2id$v=19$", 15);
    assert_null(strstr(tf_col_text(st, 0), "correct horse"));
    tf_stmt_reset(st);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM users WHERE "
                                   "instr(coalesce(password, ''), "
                                   "'horse') > 0"),
                     0);

    assert_int_equal(
        tf_user_authenticate(f, "boss", "correct horse", got_user, who, &dg),
        TF_OK);
    assert_string_equal(who, "boss");
    /* Every failure reads the same. */
    assert_int_equal(
        tf_user_authenticate(f, "boss", "correct horsE", NULL, NULL, &dg),
        TF_ERR_RULE);
    assert_string_equal(dg.msg, "unknown user or wrong password");
    assert_int_equal(
        tf_user_authenticate(f, "ghost", "correct horse", NULL, NULL, &dg),
        TF_ERR_RULE);
    assert_string_equal(dg.msg, "unknown user or wrong password");

    /* A new password replaces the old one; the old version stays. */
    begin(f);
    assert_int_equal(
        in_tx(f, tf_user_set_password(f, "boss", "battery staple", "t", &dg)),
        TF_OK);
    assert_int_equal(
        tf_user_authenticate(f, "boss", "correct horse", NULL, NULL, &dg),
        TF_ERR_RULE);
    assert_int_equal(
        tf_user_authenticate(f, "boss", "battery staple", NULL, NULL, &dg),
        TF_OK);
    assert_int_equal(count_rows(f, "SELECT count(*) FROM users"), 3);
}

static void test_disabled_user_cannot_log_in(void **state)
{
    tf_fund *f = FUND(state);

    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_equal(add(f, "rec", "recorder", NULL, NULL), TF_OK);
    begin(f);
    assert_int_equal(
        in_tx(f, tf_user_set_password(f, "rec", "password one", "boss", &dg)),
        TF_OK);
    assert_int_equal(
        tf_user_authenticate(f, "rec", "password one", NULL, NULL, &dg), TF_OK);
    begin(f);
    assert_int_equal(in_tx(f, tf_user_disable(f, "rec", "boss", &dg)), TF_OK);
    assert_int_equal(
        tf_user_authenticate(f, "rec", "password one", NULL, NULL, &dg),
        TF_ERR_RULE);
    assert_string_equal(dg.msg, "unknown user or wrong password");
    begin(f);
    assert_int_equal(
        tf_user_set_password(f, "rec", "password two", "boss", &dg),
        TF_ERR_RULE);
    tf_fund_rollback(f);
}

static void test_password_hash_and_check(void **state)
{
    char a[TF_PWHASH_BUFSZ], b[TF_PWHASH_BUFSZ];

    (void)state;
    MUST(tf_password_hash(a, "same password", &dg));
    MUST(tf_password_hash(b, "same password", &dg));
    assert_memory_equal(a, "$argon2id$", 10);
    /* Salted: the same password never hashes alike. */
    assert_string_not_equal(a, b);
    assert_true(tf_password_check(a, "same password"));
    assert_true(tf_password_check(b, "same password"));
    assert_false(tf_password_check(a, "same passworD"));
    assert_false(tf_password_check(a, ""));
    assert_false(tf_password_check(NULL, "same password"));
    /* Only Argon2id hashes are accepted. */
    assert_false(tf_password_check("$argon2i$v=19$m=4096,t=3,p=1$abc$def",
                                   "same password"));
}

/* ---- Append-only ---------------------------------------------------- */

static void test_users_append_only(void **state)
{
    tf_fund *f = FUND(state);

    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_not_equal(
        tf_db_exec(f->db, "UPDATE users SET roles = 'admin,recorder'", &dg),
        TF_OK);
    assert_non_null(strstr(dg.msg, "append-only"));
    assert_int_not_equal(tf_db_exec(f->db, "DELETE FROM users", &dg), TF_OK);
    /* Versions follow one another. */
    assert_int_not_equal(
        tf_db_exec(f->db,
                   "INSERT INTO users (id, version, name, roles, disabled, "
                   "change, at, actor) VALUES ('boss', 5, 'B', 'admin', 1, "
                   "'disable', '2017-01-01T00:00:00Z', 'me')",
                   &dg),
        TF_OK);
    /* Only an Argon2id hash may stand for a password. */
    assert_int_not_equal(
        tf_db_exec(f->db,
                   "INSERT INTO users (id, version, name, roles, password, "
                   "disabled, change, at, actor) VALUES ('boss', 2, 'B', "
                   "'admin', 'plaintext', 0, 'password', "
                   "'2017-01-01T00:00:00Z', 'me')",
                   &dg),
        TF_OK);
    assert_string_equal(user(f, "boss").roles, "admin");
    assert_int_equal(user(f, "boss").version, 1);
}

/* ---- The actor ------------------------------------------------------ */

struct actor {
    char id[64];
    unsigned roles;
};

static int got_actor(void *ctx, const tf_user *u)
{
    struct actor *a = ctx;

    snprintf(a->id, sizeof(a->id), "%s", u->id);
    a->roles = u->roles;
    return 0;
}

static void test_actor(void **state)
{
    tf_fund *f = FUND(state);
    struct actor a;
    char login[64];
    int team = -1;

    /* A single-user fund: the login, with every role but donor. */
    tf_actor_login_override_for_tests("alice");
    assert_string_equal(tf_actor_login(login, sizeof(login)), "alice");
    memset(&a, 0, sizeof(a));
    MUST(tf_actor_resolve(f, &team, got_actor, &a, &dg));
    assert_int_equal(team, 0);
    assert_string_equal(a.id, "alice");
    assert_int_equal(a.roles, TF_ROLES_STAFF);

    /* A team fund: the active user mapped to the login. */
    assert_int_equal(add(f, "boss", "admin", "alice", NULL), TF_OK);
    assert_int_equal(add(f, "rec", "recorder", "bob", NULL), TF_OK);
    memset(&a, 0, sizeof(a));
    MUST(tf_actor_resolve(f, &team, got_actor, &a, &dg));
    assert_int_equal(team, 1);
    assert_string_equal(a.id, "boss");
    assert_int_equal(a.roles, TF_ROLE_ADMIN);

    tf_actor_login_override_for_tests("bob");
    MUST(tf_actor_resolve(f, &team, got_actor, &a, &dg));
    assert_string_equal(a.id, "rec");
    assert_int_equal(a.roles, TF_ROLE_RECORDER);

    /* A login mapped to nobody acts as nobody. */
    tf_actor_login_override_for_tests("mallory");
    assert_int_equal(tf_actor_resolve(f, &team, got_actor, &a, &dg),
                     TF_ERR_RULE);
    assert_int_equal(team, 1);
    assert_non_null(strstr(dg.msg, "login 'mallory' is mapped to no active "
                                   "user"));

    /* Nor does a disabled user's login. */
    begin(f);
    assert_int_equal(in_tx(f, tf_user_disable(f, "rec", "boss", &dg)), TF_OK);
    tf_actor_login_override_for_tests("bob");
    assert_int_equal(tf_actor_resolve(f, &team, got_actor, &a, &dg),
                     TF_ERR_RULE);

    tf_actor_login_override_for_tests(NULL);
    assert_string_not_equal(tf_actor_login(login, sizeof(login)), "bob");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fund_setup, fund_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_parse),
        T(test_first_user_must_be_admin),
        T(test_first_admin_rule_in_the_database),
        T(test_add_refusals),
        T(test_donor_users),
        T(test_unknown_user),
        T(test_disable),
        T(test_passwords),
        T(test_disabled_user_cannot_log_in),
        cmocka_unit_test(test_password_hash_and_check),
        T(test_users_append_only),
        T(test_actor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
