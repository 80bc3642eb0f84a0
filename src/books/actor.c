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

const char *tf_actor_login(char *buf, size_t size)
{
    struct passwd pw, *found = NULL;
    char scratch[4096];
    uid_t uid = geteuid();

    if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found &&
        found->pw_name && *found->pw_name)
        snprintf(buf, size, "%s", found->pw_name);
    else
        snprintf(buf, size, "uid %lu", (unsigned long)uid);
    return buf;
}

/*
 * The hook of team funds. A fund without users (the only kind before the
 * users table, sql/005_users.sql) is a single-user fund: the login acts.
 * The users module fills in the team case here: the active user mapped to
 * login (its id into actor), or TF_ERR_RULE naming the login when none is.
 */
tf_error tf_actor_for_login(tf_fund *fund, const char *login, char *actor,
                            size_t size, tf_diag *diag)
{
    (void)fund;
    (void)diag;
    snprintf(actor, size, "%s", login);
    return TF_OK;
}
