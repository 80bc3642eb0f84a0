/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing CSV files (RFC 4180, UTF-8, a header row). Reading
 * streams the file through libcsv in pieces of at most 64 KiB that end at
 * line ends, so memory stays bounded by the limits below whatever the
 * length of a line, and every row knows the line it starts on for error
 * messages.
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

/* Longest record accepted, in bytes (its physical lines together): a
 * line of many short fields is stopped here, not read to its end. */
#define TF_CSV_RECORD_MAX (16 * 1024 * 1024)

/*
 * Opens path for reading ("-" is standard input, left open by
 * tf_csv_free). The name used in messages is path as given; it is
 * borrowed, so it must outlive csv and any diag that names it. On failure
 * returns TF_ERR_IO (or NOMEM) with a message in diag and sets *out to
 * NULL.
 */
tf_error tf_csv_open(tf_csv **out, const char *path, tf_diag *diag);

/* As tf_csv_open, reading an already open stream (for example fmemopen of
 * data compiled into the program); name is used (borrowed) in messages.
 * The stream is taken in every case: closed by tf_csv_free, or at once if
 * this fails. A NULL fp gives TF_ERR_IO, so a failed fmemopen can be
 * passed straight in. */
tf_error tf_csv_open_stream(tf_csv **out, FILE *fp, const char *name,
                            tf_diag *diag);

/*
 * Reads the header row and maps it onto the ncols columns the caller
 * accepts (columns by name in any order, names exact and case-sensitive).
 * cols is borrowed and must outlive csv. A UTF-8 byte order mark is
 * skipped. Errors (TF_ERR_INPUT, with file:line:col in diag): an empty
 * file (line 1), an unknown column or a column named twice (col = its
 * position), a required column missing (col 0), and the field errors of
 * tf_csv_next.
 */
tf_error tf_csv_header(tf_csv *csv, const tf_csv_column *cols, size_t ncols,
                       tf_diag *diag);

/*
 * Reads the next record. *has_row is 1 when a row is ready and 0 at the
 * end of the file. Lines are numbered as physical lines; lines holding
 * only CR/LF between records are skipped (but counted). Errors
 * (TF_ERR_INPUT with file:line:col): malformed quoting (line where it is
 * found, or where an unclosed quoted field opened; col = the field), a
 * record whose field count differs from the header's (col = the first
 * extra or missing field), invalid UTF-8, a NUL byte or a field longer
 * than TF_CSV_FIELD_MAX (the record's line, col = the field), a record
 * longer than TF_CSV_RECORD_MAX (the record's line, no column), a CR
 * outside quotes in mid-line; TF_ERR_IO on a read error. After any error
 * the reader is spent: later calls fail again.
 */
tf_error tf_csv_next(tf_csv *csv, int *has_row, tf_diag *diag);

/* The current row's field for the caller's column index col (an index
 * into the cols given to tf_csv_header): "" for an empty field, NULL when
 * the file has no such column or there is no current row. Spaces are kept
 * as in the file. Valid until the next tf_csv_next. */
const char *tf_csv_get(const tf_csv *csv, size_t col);

/* The 1-based position in the file of the caller's column col, or 0 if
 * the file lacks it: what error messages call the column. */
int tf_csv_colno(const tf_csv *csv, size_t col);

/* The line on which the current record starts (1 is the header). */
long tf_csv_line(const tf_csv *csv);

/* The path given to tf_csv_open, or the name given to tf_csv_open_stream. */
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
