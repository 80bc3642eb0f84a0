/* SPDX-License-Identifier: MIT */
/* Parts of pages kept while the books stay as they were (cache.h). */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "tfund/audit.h"
#include "tfund/date.h"
#include "web.h"

/* "SEQ:HASH:DATE": the head of the event log and today's date. */
#define STATE_MAX (24 + TF_HASH_BUFSZ + TF_DATE_LEN + 4)

struct entry {
    char *key;
    char state[STATE_MAX];
    char *data;
    size_t len;
    unsigned long used; /* when last served, for eviction */
};

struct web_cache {
    pthread_mutex_t lock;
    struct entry *entries;
    size_t n, max_entries, bytes, max_bytes;
    unsigned long clock;
    long hits, misses;
};

web_cache *web_cache_new(size_t max_entries, size_t max_bytes)
{
    web_cache *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->entries = calloc(max_entries ? max_entries : 1, sizeof(*c->entries));
    if (!c->entries || pthread_mutex_init(&c->lock, NULL)) {
        free(c->entries);
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    return c;
}

static void drop(web_cache *c, size_t i)
{
    c->bytes -= c->entries[i].len;
    free(c->entries[i].key);
    free(c->entries[i].data);
    c->entries[i] = c->entries[--c->n];
}

void web_cache_free(web_cache *c)
{
    if (!c)
        return;
    while (c->n)
        drop(c, c->n - 1);
    pthread_mutex_destroy(&c->lock);
    free(c->entries);
    free(c);
}

void web_cache_stats(web_cache *c, long *hits, long *misses)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}

/* The state of the books as this request's connection sees them now; -1
 * when it cannot be read (then nothing is served from, or kept in, the
 * cache). */
static int books_state(struct web_request *rq, char *state)
{
    char hash[TF_HASH_BUFSZ], today[TF_DATE_LEN + 1];
    int64_t seq = 0;
    tf_diag diag;

    tf_diag_clear(&diag);
    if (tf_event_head(rq->fund, &seq, hash, &diag))
        return -1;
    tf_date_today(today);
    snprintf(state, STATE_MAX, "%" PRId64 ":%s:%s", seq, hash, today);
    return 0;
}

/* Writes the copy of key kept for state to out: 1 if there was one. */
static int serve_kept(web_cache *c, const char *key, const char *state,
                      FILE *out)
{
    int found = 0;

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++) {
        struct entry *e = &c->entries[i];
        if (strcmp(e->key, key) || strcmp(e->state, state))
            continue;
        fwrite(e->data, 1, e->len, out);
        e->used = ++c->clock;
        found = 1;
        break;
    }
    if (found)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->lock);
    return found;
}

/* Keeps data (taken) as key's copy for state, making room. */
static void keep(web_cache *c, const char *key, const char *state, char *data,
                 size_t len)
{
    char *k = strdup(key);
    struct entry *e;

    if (!k || len > c->max_bytes || !c->max_entries) {
        free(k);
        free(data);
        return;
    }
    pthread_mutex_lock(&c->lock);
    /* What was kept for another state is served no more; nor is another
     * copy of this key. */
    for (size_t i = c->n; i-- > 0;)
        if (strcmp(c->entries[i].state, state) || !strcmp(c->entries[i].key, k))
            drop(c, i);
    while (c->n && (c->n == c->max_entries || c->bytes + len > c->max_bytes)) {
        size_t oldest = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->entries[i].used < c->entries[oldest].used)
                oldest = i;
        drop(c, oldest);
    }
    e = &c->entries[c->n++];
    e->key = k;
    snprintf(e->state, sizeof(e->state), "%s", state);
    e->data = data;
    e->len = len;
    e->used = ++c->clock;
    c->bytes += len;
    pthread_mutex_unlock(&c->lock);
}

int web_cache_part(web_cache *c, struct web_request *rq, FILE *out,
                   const char *key,
                   int (*render)(struct web_request *rq, FILE *out, void *ctx),
                   void *ctx)
{
    char state[STATE_MAX], *data = NULL;
    size_t len = 0;
    FILE *mem;
    int rc;

    /* The state is read before the part is rendered: a write that lands
     * in between makes the part newer than its state, never older, and it
     * is simply rendered again at the next request. */
    if (!c || books_state(rq, state))
        return render(rq, out, ctx);
    if (serve_kept(c, key, state, out))
        return 0;
    if (!(mem = open_memstream(&data, &len)))
        return render(rq, out, ctx);
    rc = render(rq, mem, ctx);
    if (fclose(mem) || !data) {
        free(data);
        return rc ? rc : render(rq, out, ctx);
    }
    fwrite(data, 1, len, out);
    if (rc)
        free(data);
    else
        keep(c, key, state, data, len);
    return rc;
}
