/* SPDX-License-Identifier: MIT */
/*
 * A map from keys (a string and a small number: an account and its pool,
 * say) to a value the caller chooses, by open addressing on the FNV-1a
 * hash of the key. The map keeps its own copy of each key, so a key's text
 * stays where it is for the map's life (until tf_strmap_clear) while the
 * table grows. Not public: the core's own tool for the sets and counts it
 * keeps in memory.
 */
#ifndef TF_STRMAP_H
#define TF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct tf_strmap_slot {
    char *key; /* NULL: empty */
    int tag;
    uint64_t hash;
    size_t value;
};

typedef struct tf_strmap {
    struct tf_strmap_slot *slots;
    size_t cap, n; /* cap is 0 or a power of two above 2n */
} tf_strmap;

/* The FNV-1a hash of s, mixed with tag. */
uint64_t tf_strmap_hash(const char *s, int tag);

/* The value of (key, tag), or NULL when the map does not hold it. */
size_t *tf_strmap_get(const tf_strmap *m, const char *key, int tag);

/* The value of (key, tag), added with value 0 (*added set to 1) when the
 * map does not hold it yet. NULL when out of memory. The pointer holds
 * until the next tf_strmap_put. */
size_t *tf_strmap_put(tf_strmap *m, const char *key, int tag, int *added);

/* The map's own copy of a key it holds (stable until cleared), or NULL. */
const char *tf_strmap_key(const tf_strmap *m, const char *key, int tag);

/* Empties the map, keeping its table; tf_strmap_release frees it all. */
void tf_strmap_clear(tf_strmap *m);
void tf_strmap_release(tf_strmap *m);

#endif
