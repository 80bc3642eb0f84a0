/* SPDX-License-Identifier: MIT */
/* Strings in large blocks (arena.h). */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define ARENA_BLOCK (1u << 20)

char *tf_arena_dup(tf_arena *a, const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d;

    if (n > a->left) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        char *block;
        if (a->nblocks == a->capblocks) {
            size_t cap = a->capblocks ? 2 * a->capblocks : 16;
            char **grown = realloc(a->blocks, cap * sizeof(*grown));
            if (!grown)
                return NULL;
            a->blocks = grown;
            a->capblocks = cap;
        }
        if (!(block = malloc(size)))
            return NULL;
        a->blocks[a->nblocks++] = block;
        a->cur = block;
        a->left = size;
    }
    d = a->cur;
    memcpy(d, s ? s : "", n);
    a->cur += n;
    a->left -= n;
    return d;
}

void tf_arena_release(tf_arena *a)
{
    for (size_t i = 0; i < a->nblocks; i++)
        free(a->blocks[i]);
    free(a->blocks);
    memset(a, 0, sizeof(*a));
}
