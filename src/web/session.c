/* SPDX-License-Identifier: MIT */
/* Sessions and failed logins of tfund serve (session.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session.h"

#define BUCKETS      1024 /* power of two */
#define LOCKOUTS_MAX 1024

struct node {
    struct node *next;
    web_session s;
    time_t last_seen;
};

struct lockout {
    char user[WEB_USER_MAX + 1];
    int fails;
    time_t locked_until, last;
};

struct web_sessions {
    pthread_mutex_t lock;
    struct node *buckets[BUCKETS];
    size_t count, max;
    struct lockout lockouts[LOCKOUTS_MAX];
    size_t nlockouts;
};

web_sessions *web_sessions_new(size_t max)
{
    web_sessions *store;

    if (sodium_init() < 0)
        return NULL;
    store = calloc(1, sizeof(*store));
    if (!store)
        return NULL;
    pthread_mutex_init(&store->lock, NULL);
    store->max = max ? max : 1;
    return store;
}

static void wipe(struct node *n)
{
    sodium_memzero(&n->s, sizeof(n->s));
    free(n);
}

void web_sessions_free(web_sessions *store)
{
    if (!store)
        return;
    for (size_t b = 0; b < BUCKETS; b++)
        for (struct node *n = store->buckets[b], *next; n; n = next) {
            next = n->next;
            wipe(n);
        }
    pthread_mutex_destroy(&store->lock);
    free(store);
}

void web_token_new(char *out)
{
    unsigned char bytes[WEB_TOKEN_HEX / 2];

    randombytes_buf(bytes, sizeof(bytes));
    sodium_bin2hex(out, WEB_TOKEN_HEX + 1, bytes, sizeof(bytes));
    sodium_memzero(bytes, sizeof(bytes));
}

/* Nonzero if id is 64 lowercase hex digits, as web_token_new makes. */
static int token_valid(const char *id)
{
    size_t n = 0;

    if (!id)
        return 0;
    for (; id[n]; n++)
        if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
            return 0;
    return n == WEB_TOKEN_HEX;
}

static size_t bucket_of(const char *id)
{
    size_t h = 0;

    /* The id is random: its first digits spread the buckets evenly. */
    for (int i = 0; i < 8; i++)
        h = h * 16 + (size_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return h & (BUCKETS - 1);
}

static void unlink_node(web_sessions *store, struct node **link)
{
    struct node *n = *link;

    *link = n->next;
    wipe(n);
    store->count--;
}

/* Removes expired sessions, then the least recently used while the store
 * is full. Called with the lock held. */
static void make_room(web_sessions *store, time_t now)
{
    for (size_t b = 0; b < BUCKETS; b++)
        for (struct node **link = &store->buckets[b]; *link;) {
            if (now - (*link)->last_seen >= WEB_IDLE_SECS)
                unlink_node(store, link);
            else
                link = &(*link)->next;
        }
    /* Then the least recently used, the sessions of the login form
     * first: a flood of login forms cannot push out those logged in. */
    while (store->count >= store->max) {
        struct node **oldest = NULL;
        for (size_t b = 0; b < BUCKETS; b++)
            for (struct node **link = &store->buckets[b]; *link;
                 link = &(*link)->next) {
                int anon = !(*link)->s.user[0];
                int oldest_anon = oldest && !(*oldest)->s.user[0];
                if (!oldest || (anon && !oldest_anon) ||
                    (anon == oldest_anon &&
                     (*link)->last_seen < (*oldest)->last_seen))
                    oldest = link;
            }
        if (!oldest)
            break;
        unlink_node(store, oldest);
    }
}

int web_session_create(web_sessions *store, const char *user, time_t now,
                       web_session *out)
{
    struct node *n = calloc(1, sizeof(*n));
    size_t b;

    if (!n)
        return -1;
    web_token_new(n->s.id);
    web_token_new(n->s.csrf);
    snprintf(n->s.user, sizeof(n->s.user), "%s", user ? user : "");
    n->last_seen = now;
    b = bucket_of(n->s.id);
    pthread_mutex_lock(&store->lock);
    make_room(store, now);
    n->next = store->buckets[b];
    store->buckets[b] = n;
    store->count++;
    *out = n->s;
    pthread_mutex_unlock(&store->lock);
    return 0;
}

/* The link to the node of id, or NULL. Called with the lock held. */
static struct node **find_link(web_sessions *store, const char *id)
{
    for (struct node **link = &store->buckets[bucket_of(id)]; *link;
         link = &(*link)->next)
        if (!strcmp((*link)->s.id, id))
            return link;
    return NULL;
}

int web_session_find(web_sessions *store, const char *id, time_t now,
                     web_session *out)
{
    struct node **link;
    int rc = -1;

    if (!token_valid(id))
        return -1;
    pthread_mutex_lock(&store->lock);
    link = find_link(store, id);
    if (link && now - (*link)->last_seen >= WEB_IDLE_SECS) {
        unlink_node(store, link);
    } else if (link) {
        (*link)->last_seen = now;
        *out = (*link)->s;
        (*link)->s.flash[0] = '\0';
        rc = 0;
    }
    pthread_mutex_unlock(&store->lock);
    return rc;
}

void web_session_destroy(web_sessions *store, const char *id)
{
    struct node **link;

    if (!token_valid(id))
        return;
    pthread_mutex_lock(&store->lock);
    if ((link = find_link(store, id)))
        unlink_node(store, link);
    pthread_mutex_unlock(&store->lock);
}

void web_session_destroy_user(web_sessions *store, const char *user)
{
    pthread_mutex_lock(&store->lock);
    for (size_t b = 0; b < BUCKETS; b++)
        for (struct node **link = &store->buckets[b]; *link;) {
            if ((*link)->s.user[0] && !strcmp((*link)->s.user, user))
                unlink_node(store, link);
            else
                link = &(*link)->next;
        }
    pthread_mutex_unlock(&store->lock);
}

void web_session_flash(web_sessions *store, const char *id, const char *msg)
{
    struct node **link;

    if (!token_valid(id))
        return;
    pthread_mutex_lock(&store->lock);
    if ((link = find_link(store, id)))
        snprintf((*link)->s.flash, sizeof((*link)->s.flash), "%s", msg);
    pthread_mutex_unlock(&store->lock);
}

int web_csrf_ok(const web_session *s, const char *token)
{
    if (!s || !token || strlen(token) != WEB_TOKEN_HEX ||
        strlen(s->csrf) != WEB_TOKEN_HEX)
        return 0;
    return sodium_memcmp(s->csrf, token, WEB_TOKEN_HEX) == 0;
}

size_t web_sessions_count(web_sessions *store)
{
    size_t n;

    pthread_mutex_lock(&store->lock);
    n = store->count;
    pthread_mutex_unlock(&store->lock);
    return n;
}

/* ---- Failed logins ---------------------------------------------------- */

/* The record of user, made when create is set (evicting the oldest when
 * full); NULL if none. Called with the lock held. */
static struct lockout *lockout_of(web_sessions *store, const char *user,
                                  int create, time_t now)
{
    struct lockout *oldest = NULL;

    /* When full, the oldest record that holds no lock makes room, so
     * that failures under many names cannot lift a lock. */
    for (size_t i = 0; i < store->nlockouts; i++) {
        struct lockout *l = &store->lockouts[i];
        int locked = l->locked_until > now;
        if (!strcmp(l->user, user))
            return l;
        if (!oldest || (!locked && oldest->locked_until > now) ||
            ((locked == (oldest->locked_until > now)) &&
             l->last < oldest->last))
            oldest = l;
    }
    if (!create)
        return NULL;
    if (store->nlockouts < LOCKOUTS_MAX)
        oldest = &store->lockouts[store->nlockouts++];
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->user, sizeof(oldest->user), "%s", user);
    oldest->last = now;
    return oldest;
}

int web_login_locked(web_sessions *store, const char *user, time_t now)
{
    struct lockout *l;
    int left = 0;

    pthread_mutex_lock(&store->lock);
    l = lockout_of(store, user, 0, now);
    if (l && l->locked_until > now) {
        left = (int)(l->locked_until - now);
    } else if (l && l->locked_until) {
        /* The lock has run out: the count starts again. */
        l->locked_until = 0;
        l->fails = 0;
    }
    pthread_mutex_unlock(&store->lock);
    return left;
}

int web_login_failed(web_sessions *store, const char *user, time_t now)
{
    struct lockout *l;
    int locked = 0;

    pthread_mutex_lock(&store->lock);
    l = lockout_of(store, user, 1, now);
    if (l->locked_until && l->locked_until <= now) {
        /* A lock that has run out starts the count again. */
        l->locked_until = 0;
        l->fails = 0;
    }
    l->last = now;
    if (++l->fails >= WEB_LOCK_FAILS && !l->locked_until) {
        l->locked_until = now + WEB_LOCK_SECS;
        locked = WEB_LOCK_SECS;
    }
    pthread_mutex_unlock(&store->lock);
    return locked;
}

void web_login_succeeded(web_sessions *store, const char *user)
{
    struct lockout *l;

    pthread_mutex_lock(&store->lock);
    if ((l = lockout_of(store, user, 0, 0))) {
        l->fails = 0;
        l->locked_until = 0;
    }
    pthread_mutex_unlock(&store->lock);
}
