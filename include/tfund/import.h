/* SPDX-License-Identifier: MIT */
/*
 * Importing CSV files (DESIGN.md section 6). An import is one transaction:
 * one bad row and nothing is written, the error naming file:line:column.
 * Rows whose reference is already in the books, with the same details,
 * are counted as known and add nothing.
 */
#ifndef TFUND_IMPORT_H
#define TFUND_IMPORT_H

#include "tfund/csv.h"
#include "tfund/fund.h"

typedef struct tf_import_result {
    long rows;    /* data rows read */
    long added;   /* rows that added something */
    long known;   /* rows already in the books, unchanged */
    long updated; /* reference rows replaced (countries only) */
} tf_import_result;

/* The kinds tf_import_file accepts, NULL-terminated. */
extern const char *const tf_import_kinds[];

/* Called every few thousand rows with the count so far (may be NULL). */
typedef void (*tf_import_progress)(void *ctx, long rows);

/* Imports the file at path ("-" for standard input) as kind, in its own
 * transaction. */
tf_error tf_import_file(tf_fund *fund, const char *kind, const char *path,
                        tf_import_result *res, tf_import_progress progress,
                        void *ctx, tf_diag *diag);

/* Imports from an open CSV reader inside the caller's transaction. */
tf_error tf_import_csv(tf_fund *fund, const char *kind, tf_csv *csv,
                       tf_import_result *res, tf_import_progress progress,
                       void *ctx, tf_diag *diag);

#endif
