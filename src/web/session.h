/* SPDX-License-Identifier: MIT */
/*
 * Sessions of tfund serve, kept in the server's memory: a session id is
 * 256 random bits (64 hex digits), given to the browser in the cookie
 * tfund_session; each session has its own CSRF token, which every form
 * carries; a session ends after 30 idle minutes. A session made for the
 * login form (anonymous) is never promoted: logging in makes a new one,
 * so an id set before login is never kept (session fixation).
 *
 * The store also counts failed logins: five in a row lock the user id
 * for a minute.
 *
 * Every function is safe to call from several threads. Times are passed
 * in (seconds), so that the tests can move the clock.
 */
#ifndef TF_WEB_SESSION_H
#define TF_WEB_SESSION_H

#include <stddef.h>
#include <time.h>

#define WEB_TOKEN_HEX  64 /* 32 random bytes in hex */
#define WEB_IDLE_SECS  (30 * 60)
#define WEB_LOCK_FAILS 5
#define WEB_LOCK_SECS  60
#define WEB_USER_MAX   64
#define WEB_FLASH_MAX  512

/* What a request learns of its session (a copy). */
typedef struct web_session {
    char id[WEB_TOKEN_HEX + 1];
    char csrf[WEB_TOKEN_HEX + 1];
    char user[WEB_USER_MAX + 1]; /* "" for an anonymous session */
    char flash[WEB_FLASH_MAX];   /* a message for the next page, taken */
} web_session;

typedef struct web_sessions web_sessions;

/* A store of at most max sessions (the oldest go first when full). */
web_sessions *web_sessions_new(size_t max);
void web_sessions_free(web_sessions *store);

/* Writes a new random token (64 hex digits) into out (65 bytes). */
void web_token_new(char *out);

/* Makes a session for user (NULL or "": anonymous) with new id and CSRF
 * token; *out gets a copy. Returns 0, or -1 when out of memory. */
int web_session_create(web_sessions *store, const char *user, time_t now,
                       web_session *out);

/* Finds the session id that has not been idle for WEB_IDLE_SECS, marks it
 * used at now, copies it into *out and takes its flash message. Returns 0,
 * or -1 for an unknown, malformed or expired id (an expired one is
 * removed). */
int web_session_find(web_sessions *store, const char *id, time_t now,
                     web_session *out);

/* Ends a session (unknown ids are ignored). */
void web_session_destroy(web_sessions *store, const char *id);

/* Ends every session of user (when it is disabled). */
void web_session_destroy_user(web_sessions *store, const char *user);

/* Leaves a message for the session's next page. */
void web_session_flash(web_sessions *store, const char *id, const char *msg);

/* Nonzero if token is the session's CSRF token (compared in constant
 * time). NULL or a token of another length never matches. */
int web_csrf_ok(const web_session *s, const char *token);

/* The number of sessions held (for the tests). */
size_t web_sessions_count(web_sessions *store);

/* ---- Failed logins ---------------------------------------------------- */

/* Seconds left of user's lock at now, 0 when it may try. */
int web_login_locked(web_sessions *store, const char *user, time_t now);

/* Counts a failed login of user at now; the WEB_LOCK_FAILS-th in a row
 * locks it for WEB_LOCK_SECS. Returns the seconds of the lock it starts,
 * or 0. */
int web_login_failed(web_sessions *store, const char *user, time_t now);

/* Forgets user's failures (after a good login). */
void web_login_succeeded(web_sessions *store, const char *user);

#endif
