/* SPDX-License-Identifier: MIT */
/*
 * Who acts (DESIGN.md section 10): the operating-system login of the
 * process, and in a team fund the fund user mapped to it. No environment
 * variable or option of tfund chooses the actor.
 */
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "books/fund_internal.h"
#include "tfund/audit.h"

/* The login the tests act as (tf_actor_login_override_for_tests). */
static char login_override[128];
static int login_overridden;

void tf_actor_login_override_for_tests(const char *login)
{
    login_overridden = login != NULL;
    snprintf(login_override, sizeof(login_override), "%s", login ? login : "");
}

const char *tf_actor_login(char *buf, size_t size)
{
    struct passwd pw, *found = NULL;
    char scratch[4096];
    uid_t uid = geteuid();

    if (login_overridden) {
        snprintf(buf, size, "%s", login_override);
        return buf;
    }
    if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found &&
        found->pw_name && *found->pw_name)
        snprintf(buf, size, "%s", found->pw_name);
    else
        snprintf(buf, size, "uid %lu", (unsigned long)uid);
    return buf;
}

/*
 * A fund without users (sql/005_users.sql; a fund written before that
 * version may lack the table) is a single-user fund: the login acts. In a
 * team fund the actor is the active user mapped to login (its id), and a
 * login mapped to none may not write (TF_ERR_RULE naming the login). The
 * users module (src/records/users.c) keeps the table; this reads it only.
 */
tf_error tf_actor_for_login(tf_fund *fund, const char *login, char *actor,
                            size_t size, tf_diag *diag)
{
    static const char has_table[] =
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' "
        "AND name = 'users')";
    static const char mapped[] =
        "SELECT (SELECT count(*) FROM users), (SELECT id FROM users_current "
        "WHERE login = ?1 AND disabled = 0)";
    tf_stmt *st;
    int rc, team;

    if (!(st = tf_db_prepare(fund->db, has_table, diag)))
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    team = rc > 0 && tf_col_int(st, 0);
    tf_stmt_reset(st);
    if (team) {
        if (!(st = tf_db_prepare(fund->db, mapped, diag)))
            return TF_ERR_DB;
        tf_stmt_text(st, 1, login);
        rc = tf_stmt_step(st);
        if (rc < 0)
            return tf_stmt_error(st, diag);
        team = rc > 0 && tf_col_int(st, 0) > 0;
        if (team && !tf_col_null(st, 1)) {
            snprintf(actor, size, "%s", tf_col_text(st, 1));
            tf_stmt_reset(st);
            return TF_OK;
        }
        tf_stmt_reset(st);
    }
    if (team)
        return tf_diag_set(diag, TF_ERR_RULE,
                           "login '%s' is mapped to no active user of this "
                           "fund",
                           login);
    snprintf(actor, size, "%s", login);
    return TF_OK;
}
