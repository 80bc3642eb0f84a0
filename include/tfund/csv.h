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
 * returns TF_ERR_INPUT for a file that is not there or may not be read
 * (a path named wrong), TF_ERR_IO (or NOMEM) otherwise, with a message in
 * diag, and sets *out to NULL; a directory is refused (TF_ERR_INPUT) at
 * the first read.
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
 * outside quotes in mid-line; TF_ERR_IO on a read error. A record whose
 * field count is wrong or one of whose fields is not text (invalid UTF-8,
 * a byte of no character in the file's encoding, a NUL byte) is read to
 * its end and refused, and the next call reads on from the next record;
 * after any other error the reader is spent (tf_csv_spent) and later calls
 * fail again.
 */
tf_error tf_csv_next(tf_csv *csv, int *has_row, tf_diag *diag);

/* Nonzero once an error has ended reading (see tf_csv_next). */
int tf_csv_spent(const tf_csv *csv);

/*
 * How the file is written, set before the header is read. The separator
 * is ',' unless set here; 0 chooses it from the header row: the one of
 * ',', ';' and TAB found most often outside quotes (',' on a tie).
 */
void tf_csv_set_delimiter(tf_csv *csv, char delim);

/* The separator in use (once the header is read, the one chosen). */
char tf_csv_delimiter(const tf_csv *csv);

/* Nonzero when the separator was chosen from the header row and is not
 * ','. */
int tf_csv_delimiter_detected(const tf_csv *csv);

/*
 * The file's encoding: "utf-8" (the default), "windows-1252" or
 * "iso-8859-1" (any case), converted to UTF-8 with iconv as it is read,
 * so that every field comes out as UTF-8. A byte with no character in
 * windows-1252 is refused like invalid UTF-8, at its line and column. A
 * file in another encoding that begins with a UTF-8 byte order mark is
 * refused. TF_ERR_USAGE for another name.
 */
tf_error tf_csv_set_encoding(tf_csv *csv, const char *name, tf_diag *diag);

/* The current row's field for the caller's column index col (an index
 * into the cols given to tf_csv_header): "" for an empty field, NULL when
 * the file has no such column or there is no current row. Spaces are kept
 * as in the file. Valid until the next tf_csv_next. */
const char *tf_csv_get(const tf_csv *csv, size_t col);

/* Replaces the current row's field for the caller's column col with value
 * (copied), as tf_csv_get will return it: how an importer puts a field
 * into the form the books keep (a date, an amount). Pointers returned by
 * tf_csv_get before are no longer valid. TF_ERR_USAGE when the file has
 * no such column or there is no current row. */
tf_error tf_csv_set(tf_csv *csv, size_t col, const char *value, tf_diag *diag);

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
