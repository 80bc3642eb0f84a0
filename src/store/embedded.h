/* SPDX-License-Identifier: MIT */
/*
 * Files compiled into the program by cmake/embed.cmake: the schema
 * migrations (sql/NNN_*.sql, in order) and the country classification.
 */
#ifndef TF_EMBEDDED_H
#define TF_EMBEDDED_H

#include <stddef.h>

struct tf_embedded {
    const char *name;
    const char *data; /* NUL-terminated */
    size_t size;
};

/* Terminated by an entry whose name is NULL. */
extern const struct tf_embedded tf_embedded_files[];

#endif
