/* SPDX-License-Identifier: MIT */
/*
 * Users, roles and who is acting (include/tfund/users.h). Each change to
 * a user is a new version row (sql/005_users.sql); the current state is
 * the latest version. Passwords are hashed with libsodium's Argon2id.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "books/fund_internal.h"
#include "tfund/audit.h"
#include "tfund/date.h"
#include "tfund/users.h"

static const char *const role_names[TF_ROLE_COUNT] = {
    "admin",     "recorder", "programme", "certifying",
    "approving", "auditor",  "donor"};

const char *tf_role_name(unsigned role)
{
    for (int i = 0; i < TF_ROLE_COUNT; i++)
        if (role == 1u << i)
            return role_names[i];
    return NULL;
}

tf_error tf_roles_parse(const char *text, unsigned *roles, tf_diag *diag)
{
    const char *p = text;

    *roles = 0;
    if (!text || !*text)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "no role given (one or more "
                           "of admin, recorder, "
                           "programme, certifying, "
                           "approving, auditor, donor)");
    for (;;) {
        size_t n = strcspn(p, ",");
        int i;
        for (i = 0; i < TF_ROLE_COUNT; i++)
            if (strlen(role_names[i]) == n && !strncmp(p, role_names[i], n))
                break;
        if (i == TF_ROLE_COUNT)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "unknown role '%.*s' (admin, recorder, "
                               "programme, certifying, approving, auditor, "
                               "donor)",
                               (int)(n > 64 ? 64 : n), p);
        if (*roles & (1u << i))
            return tf_diag_set(diag, TF_ERR_INPUT, "role '%s' given twice",
                               role_names[i]);
        *roles |= 1u << i;
        if (!p[n])
            break;
        p += n + 1;
    }
    return TF_OK;
}

char *tf_roles_format(unsigned roles, char *buf, size_t size)
{
    size_t len = 0;

    if (size)
        buf[0] = '\0';
    for (int i = 0; i < TF_ROLE_COUNT; i++)
        if (roles & (1u << i)) {
            int n = snprintf(buf + len, size > len ? size - len : 0, "%s%s",
                             len ? "," : "", role_names[i]);
            if (n > 0)
                len += (size_t)n;
        }
    return buf;
}

/* ---- Validation ------------------------------------------------------ */

/* Nonzero if s is valid UTF-8 without control characters (C0, DEL, C1). */
static int text_valid(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        unsigned c = *u;
        int n;
        unsigned cp;
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c < 0x80) {
            u++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3, cp = c & 0x07;
        else
            return 0;
        for (int k = 1; k <= n; k++) {
            if ((u[k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (u[k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            (cp >= 0x80 && cp <= 0x9f))
            return 0;
        u += n + 1;
    }
    return 1;
}

/* An operating-system login: 1-64 of [A-Za-z0-9._@$-], not starting with
 * '-' (the names useradd accepts, and a little more). */
static int login_valid(const char *s)
{
    size_t n = 0;

    if (!s || !*s || *s == '-')
        return 0;
    for (; *s; s++, n++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr("._@$-", *s)))
            return 0;
    return n <= 64;
}

/* ---- Reading --------------------------------------------------------- */

#define USER_COLS                                                              \
    "id, version, name, roles, login, donor, password, disabled, at, "         \
    "created"

static tf_error user_row(tf_stmt *st, tf_user *u, const char **hash,
                         tf_diag *diag)
{
    const char *roles = tf_col_text(st, 3);

    memset(u, 0, sizeof(*u));
    u->id = tf_col_text(st, 0);
    u->version = (long)tf_col_int(st, 1);
    u->name = tf_col_text(st, 2);
    u->login = tf_col_text(st, 4);
    u->donor = tf_col_text(st, 5);
    u->has_password = !tf_col_null(st, 6);
    if (hash)
        *hash = tf_col_text(st, 6);
    u->disabled = (int)tf_col_int(st, 7);
    u->changed = tf_col_text(st, 8);
    u->created = tf_col_text(st, 9);
    if (tf_roles_parse(roles, &u->roles, NULL))
        return tf_diag_set(diag, TF_ERR_DB, "user '%s' has unknown roles '%s'",
                           u->id, roles ? roles : "");
    return TF_OK;
}

tf_error tf_users_count(tf_fund *fund, long *count, tf_diag *diag)
{
    tf_stmt *st =
        tf_db_prepare(fund->db, "SELECT count(DISTINCT id) FROM users", diag);
    int rc;

    *count = 0;
    if (!st)
        return TF_ERR_DB;
    rc = tf_stmt_step(st);
    if (rc > 0)
        *count = (long)tf_col_int(st, 0);
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_user_each(tf_fund *fund, const char *id,
                      int (*fn)(void *ctx, const tf_user *u), void *ctx,
                      tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT " USER_COLS " FROM users_current "
                                "WHERE ?1 IS NULL OR id = ?1 ORDER BY id",
                                diag);
    tf_error err = TF_OK;
    int rc, n = 0;

    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    while ((rc = tf_stmt_step(st)) > 0) {
        tf_user u;
        n++;
        if ((err = user_row(st, &u, NULL, diag)))
            break;
        if (fn && fn(ctx, &u))
            break;
    }
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    if (!err && id && n == 0)
        err = tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown user '%s'", id);
    return err;
}

/* The current version of user id, copied: NULL fields when unknown. */
struct current {
    int found;
    long version;
    char *name, *roles, *login, *donor, *password;
    int disabled;
};

static void current_release(struct current *c)
{
    free(c->name);
    free(c->roles);
    free(c->login);
    free(c->donor);
    if (c->password)
        sodium_memzero(c->password, strlen(c->password));
    free(c->password);
    memset(c, 0, sizeof(*c));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static tf_error current_get(tf_fund *fund, const char *id, struct current *c,
                            tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT version, name, roles, login, donor, "
                                "password, disabled FROM users_current "
                                "WHERE id = ?1",
                                diag);
    int rc;

    memset(c, 0, sizeof(*c));
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0) {
        c->found = 1;
        c->version = (long)tf_col_int(st, 0);
        c->name = dup_or_null(tf_col_text(st, 1));
        c->roles = dup_or_null(tf_col_text(st, 2));
        c->login = dup_or_null(tf_col_text(st, 3));
        c->donor = dup_or_null(tf_col_text(st, 4));
        c->password = dup_or_null(tf_col_text(st, 5));
        c->disabled = (int)tf_col_int(st, 6);
        if (!c->name || !c->roles) {
            tf_stmt_reset(st);
            current_release(c);
            return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        }
    }
    tf_stmt_reset(st);
    return TF_OK;
}

/* ---- Writing --------------------------------------------------------- */

static tf_error insert_version(tf_fund *fund, const char *id, long version,
                               const struct current *c, const char *change,
                               const char *actor, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "INSERT INTO users (id, version, name, roles, login, donor, "
        "password, disabled, change, at, actor) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        diag);
    char now[TF_TIME_LEN + 1];

    if (!st)
        return TF_ERR_DB;
    tf_time_now(now);
    tf_stmt_text(st, 1, id);
    tf_stmt_int(st, 2, version);
    tf_stmt_text(st, 3, c->name);
    tf_stmt_text(st, 4, c->roles);
    tf_stmt_text(st, 5, c->login);
    tf_stmt_text(st, 6, c->donor);
    tf_stmt_text(st, 7, c->password);
    tf_stmt_int(st, 8, c->disabled);
    tf_stmt_text(st, 9, change);
    tf_stmt_text(st, 10, now);
    tf_stmt_text(st, 11, actor && *actor ? actor : "?");
    return tf_stmt_run(st, diag);
}

static int found_one(void *ctx, const tf_donor *d)
{
    (void)d;
    *(int *)ctx = 1;
    return 1;
}

/* The id of the active user mapped to login other than id, into *other
 * (a copy, NULL when none). */
static tf_error login_holder(tf_fund *fund, const char *login, const char *id,
                             char **other, tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(fund->db,
                                "SELECT id FROM users_current WHERE login = ?1 "
                                "AND disabled = 0 AND id <> ?2 LIMIT 1",
                                diag);
    int rc;

    *other = NULL;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, login);
    tf_stmt_text(st, 2, id);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0 && !(*other = strdup(tf_col_text(st, 0)))) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_user_add(tf_fund *fund, const tf_user *u, const char *actor,
                     tf_diag *diag)
{
    struct current known, c;
    char roles[128], *other = NULL;
    long count = 0;
    tf_error err;

    memset(&c, 0, sizeof(c));
    if (!tf_id_valid(u->id))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user id '%s' is not 1-64 letters, digits, '.', "
                           "'_' or '-' starting with a letter or digit",
                           u->id ? u->id : "");
    if (!u->name || !*u->name || !text_valid(u->name) || strlen(u->name) > 200)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user '%s': the name must be 1-200 bytes of "
                           "UTF-8 text without control characters",
                           u->id);
    if (!u->roles || (u->roles & ~((1u << TF_ROLE_COUNT) - 1)))
        return tf_diag_set(diag, TF_ERR_INPUT, "user '%s': no valid role",
                           u->id);
    if ((u->roles & TF_ROLE_DONOR) && u->roles != TF_ROLE_DONOR)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user '%s': the donor role cannot be held with "
                           "another role",
                           u->id);
    if ((u->roles & TF_ROLE_DONOR) && (!u->donor || !*u->donor))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user '%s': the donor role needs --donor", u->id);
    if (!(u->roles & TF_ROLE_DONOR) && u->donor && *u->donor)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user '%s': --donor is only for the donor role",
                           u->id);
    if (u->login && *u->login && !login_valid(u->login))
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "user '%s': login '%s' is not a login name", u->id,
                           u->login);

    if ((err = tf_users_count(fund, &count, diag)))
        return err;
    if (count == 0 && !(u->roles & TF_ROLE_ADMIN))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the first user of a fund must be an admin "
                           "(--role admin)");
    /* Users are administered from the command line: the fund's first
     * admin must be reachable there. */
    if (count == 0 && (!u->login || !*u->login))
        return tf_diag_set(diag, TF_ERR_RULE,
                           "the first user of a fund must have a login "
                           "(--login)");
    if ((err = current_get(fund, u->id, &known, diag)))
        return err;
    if (known.found) {
        current_release(&known);
        return tf_diag_set(diag, TF_ERR_RULE, "user '%s' already exists",
                           u->id);
    }
    if (u->roles & TF_ROLE_DONOR) {
        int found = 0;
        err = tf_donor_each(fund, u->donor, found_one, &found, NULL);
        if (err == TF_ERR_NOTFOUND || (!err && !found))
            return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown donor '%s'",
                               u->donor);
        if (err)
            return tf_diag_set(diag, err, "cannot look up donor '%s'",
                               u->donor);
    }
    if (u->login && *u->login) {
        if ((err = login_holder(fund, u->login, u->id, &other, diag)))
            return err;
        if (other) {
            err = tf_diag_set(diag, TF_ERR_RULE,
                              "login '%s' is already mapped to user '%s'",
                              u->login, other);
            free(other);
            return err;
        }
    }
    c.name = (char *)u->name;
    c.roles = tf_roles_format(u->roles, roles, sizeof(roles));
    c.login = (char *)(u->login && *u->login ? u->login : NULL);
    c.donor = (char *)(u->roles & TF_ROLE_DONOR ? u->donor : NULL);
    c.password = NULL;
    c.disabled = 0;
    return insert_version(fund, u->id, 1, &c, "add", actor, diag);
}

/* Active admins with a login, other than id. */
static tf_error other_admins(tf_fund *fund, const char *id, long *n,
                             tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(
        fund->db,
        "SELECT count(*) FROM users_current WHERE disabled = 0 AND id <> ?1 "
        "AND login IS NOT NULL AND instr(',' || roles || ',', ',admin,') > 0",
        diag);
    int rc;

    *n = 0;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    rc = tf_stmt_step(st);
    if (rc > 0)
        *n = (long)tf_col_int(st, 0);
    return tf_stmt_done(st, rc, diag);
}

tf_error tf_user_disable(tf_fund *fund, const char *id, const char *actor,
                         tf_diag *diag)
{
    struct current c;
    unsigned roles = 0;
    long admins = 0;
    tf_error err;

    if ((err = current_get(fund, id, &c, diag)))
        return err;
    if (!c.found)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown user '%s'", id);
    if (c.disabled) {
        err =
            tf_diag_set(diag, TF_ERR_RULE, "user '%s' is already disabled", id);
        goto done;
    }
    tf_roles_parse(c.roles, &roles, NULL);
    if ((roles & TF_ROLE_ADMIN) && c.login) {
        if ((err = other_admins(fund, id, &admins, diag)))
            goto done;
        if (admins == 0) {
            err = tf_diag_set(diag, TF_ERR_RULE,
                              "user '%s' is the last active admin with a "
                              "login: add another one first",
                              id);
            goto done;
        }
    }
    c.disabled = 1;
    err = insert_version(fund, id, c.version + 1, &c, "disable", actor, diag);
done:
    current_release(&c);
    return err;
}

static int sodium_ready(void)
{
    return sodium_init() >= 0;
}

tf_error tf_password_hash(char *out, const char *password, tf_diag *diag)
{
    if (!sodium_ready())
        return tf_diag_set(diag, TF_ERR_NOMEM, "cannot start libsodium");
    if (crypto_pwhash_str_alg(out, password, strlen(password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return tf_diag_set(diag, TF_ERR_NOMEM,
                           "not enough memory to hash the password");
    return TF_OK;
}

int tf_password_check(const char *hash, const char *password)
{
    if (!sodium_ready() || !hash || strncmp(hash, "$argon2id$", 10))
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

tf_error tf_user_set_password(tf_fund *fund, const char *id,
                              const char *password, const char *actor,
                              tf_diag *diag)
{
    char hash[TF_PWHASH_BUFSZ];
    struct current c;
    size_t len = password ? strlen(password) : 0;
    tf_error err;

    if (len < TF_PASSWORD_MIN)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "the password is shorter than %d characters",
                           TF_PASSWORD_MIN);
    if (len > TF_PASSWORD_MAX)
        return tf_diag_set(diag, TF_ERR_INPUT,
                           "the password is longer than %d bytes",
                           TF_PASSWORD_MAX);
    if ((err = current_get(fund, id, &c, diag)))
        return err;
    if (!c.found)
        return tf_diag_set(diag, TF_ERR_NOTFOUND, "unknown user '%s'", id);
    if (c.disabled) {
        err = tf_diag_set(diag, TF_ERR_RULE, "user '%s' is disabled", id);
        goto done;
    }
    if ((err = tf_password_hash(hash, password, diag)))
        goto done;
    if (c.password)
        sodium_memzero(c.password, strlen(c.password));
    free(c.password);
    c.password = hash;
    err = insert_version(fund, id, c.version + 1, &c, "password", actor, diag);
    c.password = NULL;
    sodium_memzero(hash, sizeof(hash));
done:
    current_release(&c);
    return err;
}

/* A hash to check wrong attempts against, so that an unknown user costs
 * what a known one does. */
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;
static char decoy_hash[TF_PWHASH_BUFSZ];

static void make_decoy(void)
{
    unsigned char secret[32];
    char text[65];

    if (!sodium_ready())
        return;
    randombytes_buf(secret, sizeof(secret));
    sodium_bin2hex(text, sizeof(text), secret, sizeof(secret));
    if (tf_password_hash(decoy_hash, text, NULL))
        decoy_hash[0] = '\0';
    sodium_memzero(text, sizeof(text));
}

tf_error tf_user_authenticate(tf_fund *fund, const char *id,
                              const char *password,
                              int (*fn)(void *ctx, const tf_user *u), void *ctx,
                              tf_diag *diag)
{
    tf_stmt *st;
    const char *hash = NULL;
    char *copy = NULL;
    tf_user u;
    int rc, ok = 0;
    tf_error err = TF_OK;

    if (!id || !password || strlen(password) > TF_PASSWORD_MAX)
        return tf_diag_set(diag, TF_ERR_RULE, "unknown user or wrong password");
    st = tf_db_prepare(fund->db,
                       "SELECT " USER_COLS " FROM users_current WHERE id = ?1",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, id);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0 && !(err = user_row(st, &u, &hash, diag)) && !u.disabled &&
        hash) {
        copy = strdup(hash);
        if (!copy)
            err = tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    if (!err && copy) {
        /* The statement stays on its row, so u's strings stay valid. */
        ok = tf_password_check(copy, password);
        if (ok && fn)
            fn(ctx, &u);
    } else if (!err) {
        pthread_once(&decoy_once, make_decoy);
        tf_password_check(decoy_hash, password);
    }
    tf_stmt_reset(st);
    if (copy) {
        sodium_memzero(copy, strlen(copy));
        free(copy);
    }
    if (err)
        return err;
    return ok ? TF_OK
              : tf_diag_set(diag, TF_ERR_RULE,
                            "unknown user or wrong password");
}

/* ---- Who is acting --------------------------------------------------- */

tf_error tf_actor_resolve(tf_fund *fund, int *team,
                          int (*fn)(void *ctx, const tf_user *u), void *ctx,
                          tf_diag *diag)
{
    char login[128];
    long count = 0;
    tf_stmt *st;
    tf_error err;
    int rc;

    *team = 0;
    tf_actor_login(login, sizeof(login));
    if ((err = tf_users_count(fund, &count, diag)))
        return err;
    if (count == 0) {
        tf_user u;
        memset(&u, 0, sizeof(u));
        u.id = login;
        u.name = login;
        u.login = login;
        u.roles = TF_ROLES_STAFF;
        if (fn)
            fn(ctx, &u);
        return TF_OK;
    }
    *team = 1;
    st = tf_db_prepare(fund->db,
                       "SELECT " USER_COLS " FROM users_current "
                       "WHERE login = ?1 AND disabled = 0",
                       diag);
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, login);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc == 0) {
        tf_stmt_reset(st);
        return tf_diag_set(diag, TF_ERR_RULE,
                           "login '%s' is mapped to no active user of this "
                           "fund",
                           login);
    }
    {
        tf_user u;
        if (!(err = user_row(st, &u, NULL, diag)) && fn)
            fn(ctx, &u);
    }
    tf_stmt_reset(st);
    return err;
}
