/* SPDX-License-Identifier: MIT */
/* The core's hash map (strmap.h). */
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

uint64_t tf_strmap_hash(const char *s, int tag)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)tag;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* The slot of (key, tag): its own, or the empty one where it would go. */
static struct tf_strmap_slot *find(const tf_strmap *m, const char *key, int tag,
                                   uint64_t h)
{
    size_t mask = m->cap - 1;

    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct tf_strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->tag == tag && !strcmp(s->key, key)))
            return s;
    }
}

static int grow(tf_strmap *m)
{
    size_t cap = m->cap ? 2 * m->cap : 64;
    struct tf_strmap_slot *slots = calloc(cap, sizeof(*slots));

    if (!slots)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        const struct tf_strmap_slot *s = &m->slots[i];
        size_t j = s->hash & (cap - 1);
        if (!s->key)
            continue;
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

size_t *tf_strmap_get(const tf_strmap *m, const char *key, int tag)
{
    struct tf_strmap_slot *s;

    if (!m->n)
        return NULL;
    s = find(m, key, tag, tf_strmap_hash(key, tag));
    return s->key ? &s->value : NULL;
}

const char *tf_strmap_key(const tf_strmap *m, const char *key, int tag)
{
    struct tf_strmap_slot *s;

    if (!m->n)
        return NULL;
    s = find(m, key, tag, tf_strmap_hash(key, tag));
    return s->key;
}

size_t *tf_strmap_put(tf_strmap *m, const char *key, int tag, int *added)
{
    uint64_t h = tf_strmap_hash(key, tag);
    struct tf_strmap_slot *s;

    *added = 0;
    if (2 * (m->n + 1) > m->cap && grow(m))
        return NULL;
    s = find(m, key, tag, h);
    if (s->key)
        return &s->value;
    if (!(s->key = strdup(key)))
        return NULL;
    s->tag = tag;
    s->hash = h;
    s->value = 0;
    m->n++;
    *added = 1;
    return &s->value;
}

void tf_strmap_clear(tf_strmap *m)
{
    if (!m->n)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    memset(m->slots, 0, m->cap * sizeof(*m->slots));
    m->n = 0;
}

void tf_strmap_release(tf_strmap *m)
{
    tf_strmap_clear(m);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}
