/* SPDX-License-Identifier: MIT */
/*
 * Strings copied into large blocks, freed all at once: many small copies
 * (the text of every request of a big session) cost one allocation a
 * megabyte instead of one each. Not public.
 */
#ifndef TF_ARENA_H
#define TF_ARENA_H

#include <stddef.h>

typedef struct tf_arena {
    char **blocks;
    size_t nblocks, capblocks;
    char *cur;
    size_t left;
} tf_arena;

/* A copy of s (NULL as "") in a; NULL when out of memory. It stays until
 * tf_arena_release. */
char *tf_arena_dup(tf_arena *a, const char *s);

/* Frees every copy; a is empty again. */
void tf_arena_release(tf_arena *a);

#endif
