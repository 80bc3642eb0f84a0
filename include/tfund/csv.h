/*
 * Reading and writing CSV files (RFC 4180, UTF-8, a header row). Reading
 * streams the file through libcsv one physical line at a time, so memory
 * stays bounded by the longest record, and every row knows the line it
 * starts on for error messages.
 */
#ifndef TFUND_CSV_H
#define TFUND_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "tfund/error.h"

typedef struct tf_csv tf_csv;

/* A column an import accepts. */
typedef struct tf_csv_column {
    const char *name;
    int required;
} tf_csv_column;

/* Longest field accepted, in bytes. */
#define TF_CSV_FIELD_MAX (1024 * 1024)

/*
 * Opens path for reading ("-" is standard input). The name used in
 * messages is path as given. On failure returns TF_ERR_IO (or NOMEM) with
 * a message in diag and sets *out to NULL.
 */
tf_error tf_csv_open(tf_csv **out, const char *path, tf_diag *diag);

/*
 * Reads the header row and maps it onto the ncols columns the caller
 * accepts (columns by name in any order). A UTF-8 byte order mark is
 * skipped. Errors (TF_ERR_INPUT, with file:line:col in diag): an empty
 * file, an unknown column (col = its position), a column named twice, a
 * required column missing.
 */
tf_error tf_csv_header(tf_csv *csv, const tf_csv_column *cols, size_t ncols,
                       tf_diag *diag);

/*
 * Reads the next record. *has_row is 1 when a row is ready and 0 at the
 * end of the file. Blank lines are skipped. Errors (TF_ERR_INPUT with
 * file:line:col): malformed quoting, a record whose field count differs
 * from the header's, invalid UTF-8 or a NUL byte (col = the field), a
 * field longer than TF_CSV_FIELD_MAX; TF_ERR_IO on a read error.
 */
tf_error tf_csv_next(tf_csv *csv, int *has_row, tf_diag *diag);

/* The current row's field for the caller's column index col (an index
 * into the cols given to tf_csv_header): "" for an empty field, NULL when
 * the file has no such column. Valid until the next tf_csv_next. */
const char *tf_csv_get(const tf_csv *csv, size_t col);

/* The 1-based position in the file of the caller's column col, or 0 if
 * the file lacks it: what error messages call the column. */
int tf_csv_colno(const tf_csv *csv, size_t col);

/* The line on which the current record starts (1 is the header). */
long tf_csv_line(const tf_csv *csv);

/* The path as given to tf_csv_open. */
const char *tf_csv_path(const tf_csv *csv);

/* Records an input error at the current row and column col into diag and
 * returns TF_ERR_INPUT: "path:line:colno: column 'name': <message>". */
tf_error tf_csv_error(const tf_csv *csv, size_t col, tf_diag *diag,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Closes the file and frees csv. NULL is safe. */
void tf_csv_free(tf_csv *csv);

/* Writes one field with RFC 4180 quoting (quoted when it holds a comma,
 * quote, CR or LF). Text fields whose first character is = + - @ TAB or
 * CR get a leading apostrophe (OWASP CSV-injection advice) when
 * neutralise is nonzero; numbers are written with neutralise = 0. */
void tf_csv_put(FILE *fp, const char *field, int neutralise);

#endif
