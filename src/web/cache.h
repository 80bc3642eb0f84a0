/* SPDX-License-Identifier: MIT */
/*
 * Parts of pages kept while the books stay as they were (cache.c). Every
 * write to a fund appends an event, so the head of the event log (its
 * sequence number and hash) names the state of the books: a part rendered
 * in one state is served again, byte for byte, until the head moves, by
 * any writer (this server, another, the command line). The date is part
 * of the state too (the dashboard's next sessions). Shared by the
 * workers, behind a lock; bounded in entries and bytes.
 */
#ifndef TF_WEB_CACHE_H
#define TF_WEB_CACHE_H

#include <stddef.h>
#include <stdio.h>

struct web_request;
typedef struct web_cache web_cache;

/* A cache of at most max_entries parts of at most max_bytes in all, or
 * NULL when out of memory. */
web_cache *web_cache_new(size_t max_entries, size_t max_bytes);
void web_cache_free(web_cache *c);

/* Counts of lookups answered from the cache and not (for tests). */
void web_cache_stats(web_cache *c, long *hits, long *misses);

/*
 * Writes the part named key (what the part shows depends on nothing but
 * key and the books: the route, its query, the class of user it is
 * for) to out: the copy kept for the books' present state, else what
 * render writes (into memory first, then kept). render returns 0, or
 * nonzero when it failed, which is then returned and nothing is kept.
 * Without a cache (c NULL) render writes straight to out.
 */
int web_cache_part(web_cache *c, struct web_request *rq, FILE *out,
                   const char *key,
                   int (*render)(struct web_request *rq, FILE *out, void *ctx),
                   void *ctx);

#endif
