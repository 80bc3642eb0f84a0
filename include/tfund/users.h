/* SPDX-License-Identifier: MIT */
/*
 * The users of a team fund and their roles (DESIGN.md section 11).
 *
 * A fund with no users is a single-user fund: whoever can run tfund on
 * the file may do everything, and the actor is the operating-system login
 * of the process. The first user added must be an admin; from then on
 * the fund is a team fund, and every command needs an active user mapped
 * to the login that runs it (the command line) or logged in (tfund
 * serve), holding the role the command needs.
 *
 * A user is never changed in place: adding, disabling and setting a
 * password each write the user's next version. Passwords are kept only
 * as Argon2id hashes (libsodium's crypto_pwhash_str).
 */
#ifndef TFUND_USERS_H
#define TFUND_USERS_H

#include <stddef.h>

#include "tfund/fund.h"

/* Roles, as bits of a set. */
typedef enum tf_role {
    TF_ROLE_ADMIN = 1u << 0,      /* users and settings; no money */
    TF_ROLE_RECORDER = 1u << 1,   /* rates, donors, pledges, receipts, ... */
    TF_ROLE_PROGRAMME = 1u << 2,  /* allocation runs, cancellations, ... */
    TF_ROLE_CERTIFYING = 1u << 3, /* certifies runs and disbursements */
    TF_ROLE_APPROVING = 1u << 4,  /* approves them; surplus, closing */
    TF_ROLE_AUDITOR = 1u << 5,    /* reads everything, writes nothing */
    TF_ROLE_DONOR = 1u << 6       /* reads its own donor's pages only */
} tf_role;

#define TF_ROLE_COUNT 7
/* Every role but donor: the fund's own staff, who read all the books. */
#define TF_ROLES_STAFF                                                         \
    (TF_ROLE_ADMIN | TF_ROLE_RECORDER | TF_ROLE_PROGRAMME |                    \
     TF_ROLE_CERTIFYING | TF_ROLE_APPROVING | TF_ROLE_AUDITOR)

/* The name of one role ("admin", ...), or NULL if role is not one. */
const char *tf_role_name(unsigned role);

/* Parses "R[,R...]" (names as tf_role_name gives them, each once) into a
 * set. TF_ERR_INPUT naming the unknown or repeated role. */
tf_error tf_roles_parse(const char *text, unsigned *roles, tf_diag *diag);

/* Writes the set as "R,R" in the canonical order into buf; returns buf
 * (empty string for no role). */
char *tf_roles_format(unsigned roles, char *buf, size_t size);

/* A user's current state, as handed to callbacks (strings borrowed, valid
 * during the call). login and donor are NULL when not set. */
typedef struct tf_user {
    const char *id, *name, *login, *donor;
    unsigned roles;
    int disabled;
    int has_password;
    const char *created; /* when added, YYYY-MM-DDTHH:MM:SSZ */
    const char *changed; /* when the latest version was written */
    long version;
} tf_user;

/* The number of users ever added (0: a single-user fund) into *count. */
tf_error tf_users_count(tf_fund *fund, long *count, tf_diag *diag);

/*
 * Adds a user, inside the caller's transaction, as actor (who is adding
 * it). u->id must be a valid id (tf_id_valid), u->name non-empty text,
 * u->roles a non-empty set; the donor role needs u->donor (a known donor)
 * and excludes every other role; u->login, when given, a login name not
 * mapped to another active user. The fund's first user must be an admin
 * with a login (so that the fund stays administered from the command
 * line). u->disabled, has_password, created, changed and version are ignored.
 * Errors: TF_ERR_INPUT (malformed), TF_ERR_NOTFOUND (unknown donor),
 * TF_ERR_RULE (a known id, a login in use, a first user not an admin).
 */
tf_error tf_user_add(tf_fund *fund, const tf_user *u, const char *actor,
                     tf_diag *diag);

/* Walks the users (one id, or all when NULL) in id order. An unknown id
 * is TF_ERR_NOTFOUND. */
tf_error tf_user_each(tf_fund *fund, const char *id,
                      int (*fn)(void *ctx, const tf_user *u), void *ctx,
                      tf_diag *diag);

/* Disables a user (in the caller's transaction). Refused (TF_ERR_RULE)
 * for a user already disabled and for the last active admin with a
 * login. */
tf_error tf_user_disable(tf_fund *fund, const char *id, const char *actor,
                         tf_diag *diag);

/* The length limits of a password, in bytes. */
#define TF_PASSWORD_MIN 8
#define TF_PASSWORD_MAX 1024

/* Sets a user's password (in the caller's transaction): stores its
 * Argon2id hash as the user's next version. TF_ERR_INPUT for a password
 * shorter or longer than the limits; TF_ERR_RULE for a disabled user. */
tf_error tf_user_set_password(tf_fund *fund, const char *id,
                              const char *password, const char *actor,
                              tf_diag *diag);

/*
 * Checks a login attempt: TF_OK when id names an active user with a
 * password and password is it; else TF_ERR_RULE with the same message
 * whatever the reason (unknown user, disabled, no password, wrong
 * password), after the same work, so that an answer tells nothing about
 * which users exist. fn (may be NULL) receives the user on success.
 */
tf_error tf_user_authenticate(tf_fund *fund, const char *id,
                              const char *password,
                              int (*fn)(void *ctx, const tf_user *u), void *ctx,
                              tf_diag *diag);

/* Hashes password with Argon2id into out (at least TF_PWHASH_BUFSZ
 * bytes), in libsodium's "$argon2id$..." string form. */
#define TF_PWHASH_BUFSZ 128
tf_error tf_password_hash(char *out, const char *password, tf_diag *diag);

/* Nonzero if password matches hash (constant work for a given hash). */
int tf_password_check(const char *hash, const char *password);

/* ---- Who is acting ---------------------------------------------------- */

/*
 * Who acts for the process: in a single-user fund (*team = 0) the OS
 * login (tf_actor_login), with every role; in a team fund (*team = 1)
 * the active user mapped to that login, whose id, roles and donor fn
 * receives. A team fund with no active user mapped to the login gives
 * TF_ERR_RULE naming the login. fn may be NULL. (The event log's actor,
 * tf_actor_for_login, is the same user's id.)
 */
tf_error tf_actor_resolve(tf_fund *fund, int *team,
                          int (*fn)(void *ctx, const tf_user *u), void *ctx,
                          tf_diag *diag);

#endif
