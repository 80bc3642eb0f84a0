/* SPDX-License-Identifier: MIT */
/*
 * Accountability (DESIGN.md section 10): who did what, and when, and
 * whether anything was changed behind tfund's back.
 *
 * Every transaction that inserts a row into a covered table (the tables
 * whose content decides an outcome or a figure: countries, rates, donors,
 * pledges, receipts, sessions, requests, costs, settings, users, runs,
 * decisions, draws, spends, transfers, refunds, entries, postings) appends
 * one event just before its commit: sequence number, time (UTC), actor,
 * the command as given, a one-line summary, and what it wrote (the rows,
 * each with a check value). tf_fund_commit does it, so that nothing can
 * write to the books without leaving an event; a dry run rolled back, a
 * refused command and a command that inserted nothing append none.
 *
 * What a caller does: the command line sets the process's command once
 * (tf_audit_set_process_command) and, before each commit, the summary
 * (tf_audit_summary). The web server sets the actor (the user logged in)
 * and the command of each request on its fund handle. The actor defaults
 * to the operating-system login, mapped to a fund user in a team fund
 * (tf_actor_for_login). docs/accountability.md describes the encodings.
 */
#ifndef TFUND_AUDIT_H
#define TFUND_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/fund.h"

/* ---- Who acts, and what they run ----------------------------------- */

/* The operating-system login of the process (the name of its effective
 * uid, or "uid N" when it has none) into buf; returns buf. */
const char *tf_actor_login(char *buf, size_t size);

/*
 * For tests only: makes tf_actor_login answer login instead of asking the
 * system (NULL restores the system's answer). No option, environment
 * variable or file of tfund calls it; it is there so that unit tests can
 * act as several logins in one process.
 */
void tf_actor_login_override_for_tests(const char *login);

/*
 * The actor for login in fund, into actor (size bytes): in a fund with no
 * users (a single-user fund, DESIGN.md section 11) the login itself; in a
 * team fund (one with users, sql/005_users.sql) the id of the active user
 * mapped to it (TF_ERR_RULE naming the login when none is); nothing else
 * chooses the actor (no environment variable, no option).
 */
tf_error tf_actor_for_login(tf_fund *fund, const char *login, char *actor,
                            size_t size, tf_diag *diag);

/*
 * The canonical text of a command: "tfund" and the arguments, each quoted
 * for a POSIX shell where it needs it (control characters as $'\n'); the
 * value of any option named in secret (NULL-terminated, "--password"
 * style; may be NULL) is written as '***'. A newly allocated string the
 * caller frees, or NULL when out of memory.
 */
char *tf_audit_command_line(int argc, char *const *argv,
                            const char *const *secret);

/* The command every fund handle of this process records its writes
 * under (copied), until tf_audit_set_command says otherwise for one
 * handle. NULL forgets it. */
void tf_audit_set_process_command(const char *command);

/* The command of one fund handle (copied; a web request's action, say). */
tf_error tf_audit_set_command(tf_fund *fund, const char *command,
                              tf_diag *diag);

/* The actor of one fund handle (copied): the web server's user logged in.
 * Without it, the login of the process, mapped by tf_actor_for_login at
 * the first transaction. */
tf_error tf_audit_set_actor(tf_fund *fund, const char *actor, tf_diag *diag);

/* The actor of the open write transaction (resolved when it began), or
 * NULL outside one. Valid until the transaction ends. */
const char *tf_audit_actor(tf_fund *fund);

/* The one-line summary of the open transaction (printf-style; the last
 * call wins; control characters become spaces). Without one, the event
 * says how many rows it wrote in which tables. */
void tf_audit_summary(tf_fund *fund, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- The event log -------------------------------------------------- */

typedef struct tf_event {
    int64_t seq;
    const char *at; /* YYYY-MM-DDTHH:MM:SSZ */
    const char *actor, *command, *summary;
    const char *wrote; /* "table:first-last[,first-last];..." */
    const char *hash, *prev_hash;
} tf_event;

/* Which events tf_event_each walks: each field NULL for any. */
typedef struct tf_event_filter {
    const char *since; /* events at or after this date (YYYY-MM-DD) */
    const char *actor; /* this actor only */
    const char *ref;   /* events that touched this donor, pledge, receipt,
                          session or request (tf_history) */
} tf_event_filter;

/* Walks the events in sequence order (filter may be NULL). */
tf_error tf_event_each(tf_fund *fund, const tf_event_filter *filter,
                       int (*fn)(void *ctx, const tf_event *e), void *ctx,
                       tf_diag *diag);

/* The number of events and the hash of the last (hash: TF_HASH_BUFSZ
 * bytes, "" when there is none; may be NULL). */
tf_error tf_event_head(tf_fund *fund, int64_t *count, char *hash,
                       tf_diag *diag);

/* One thing that happened to a record, in the event that did it. */
typedef struct tf_history_item {
    const tf_event *event;
    const char *table; /* the table of the row ("requests", "decisions") */
    int64_t row;       /* its rowid */
    const char *what;  /* one line for people */
} tf_history_item;

/*
 * Everything that happened to the donor, pledge, receipt, session or
 * request named ref (every kind the name is), in event order: its
 * recording, each allocation run that decided it, its cancellation,
 * disbursement and so on, and the entries booked for it. *found is set to
 * the number of items (0: nothing is named ref).
 */
tf_error tf_history(tf_fund *fund, const char *ref,
                    int (*fn)(void *ctx, const tf_history_item *h), void *ctx,
                    long *found, tf_diag *diag);

/* One value a setting has had, and the event that set it. */
typedef struct tf_setting_version {
    const char *key, *value;
    const tf_event *event;
} tf_setting_version;

/* Walks every version of every setting (of key, when not NULL) in the
 * order they were set. */
tf_error tf_setting_history(tf_fund *fund, const char *key,
                            int (*fn)(void *ctx, const tf_setting_version *v),
                            void *ctx, tf_diag *diag);

#endif
