/* SPDX-License-Identifier: MIT */
/*
 * Importing CSV files. An import is one transaction: one bad row and
 * nothing is written, each error naming file:line:column.
 * Rows whose reference is already in the books, with the same details,
 * are counted as known and add nothing.
 */
#ifndef TFUND_IMPORT_H
#define TFUND_IMPORT_H

#include "tfund/csv.h"
#include "tfund/fund.h"

#include "tfund/date.h"

typedef struct tf_import_result {
    long rows;      /* data rows read */
    long added;     /* rows that added something */
    long known;     /* rows already in the books, unchanged */
    long updated;   /* reference rows replaced (countries only) */
    long errors;    /* errors reported (then nothing is written) */
    int stopped;    /* 1: reading stopped at max_errors; 2: at an error after
                       which the file cannot be read on */
    char delimiter; /* the field separator read */
    int delimiter_detected; /* chosen from the header row, and not ',' */
} tf_import_result;

/* The kinds tf_import_file accepts, NULL-terminated. */
extern const char *const tf_import_kinds[];

/* A kind of file, from the importer's own table: its name, its columns
 * (required or optional), a line about it and an example row. */
typedef struct tf_import_kind {
    const char *name;
    const tf_csv_column *cols;
    size_t ncols;
    const char *about;
    const char *example;
} tf_import_kind;

/* TF_OK when kind is one of tf_import_kinds, else TF_ERR_USAGE with a
 * message naming them. */
tf_error tf_import_check_kind(const char *kind, tf_diag *diag);

/* The i-th kind into *out: 0, or -1 past the last. */
int tf_import_kind_info(size_t i, tf_import_kind *out);

/*
 * How a file is written and how its errors are told. Set the defaults
 * with tf_import_options_init: ',' between fields, UTF-8, dates
 * YYYY-MM-DD, amounts with a decimal point, stop at the first error.
 */
typedef struct tf_import_options {
    char delimiter;         /* ',', ';', '\t', ...; 0 chooses it from the
                               header row (tf_csv_set_delimiter) */
    const char *encoding;   /* NULL, "utf-8", "windows-1252", "iso-8859-1" */
    tf_date_form date_form; /* how dates and the dates of times are written */
    int decimal_comma;      /* amounts written 1.234,56 or 1234,56 */
    /* Called for each error of a row or of the file's text, with its
     * position in diag. With a report, the import reads on after an error
     * of a row until max_errors are reported (nothing is written all the
     * same), and then returns TF_ERR_INPUT (TF_ERR_RULE when every error
     * was a rule refusing a row) with a count in diag. Without one, it
     * stops at the first error, which diag holds. It is also called with
     * TF_OK for a note: the separator, when it was chosen from the header
     * row and is not ','. */
    void (*report)(void *ctx, tf_error err, const tf_diag *diag);
    void *report_ctx;
    long max_errors;
} tf_import_options;

void tf_import_options_init(tf_import_options *opt);

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

/* As tf_import_file and tf_import_csv, the file written as opt says
 * (NULL: the defaults). Times are read as YYYY-MM-DDTHH:MM:SSZ, or as a
 * date in opt's form, a space and HH:MM[:SS], taken as UTC. */
tf_error tf_import_file_with(tf_fund *fund, const char *kind, const char *path,
                             const tf_import_options *opt,
                             tf_import_result *res, tf_import_progress progress,
                             void *ctx, tf_diag *diag);
tf_error tf_import_csv_with(tf_fund *fund, const char *kind, tf_csv *csv,
                            const tf_import_options *opt, tf_import_result *res,
                            tf_import_progress progress, void *ctx,
                            tf_diag *diag);

#endif
