/* SPDX-License-Identifier: MIT */
/*
 * tfund error codes. Every fallible function returns a tf_error; TF_OK is 0.
 * tf_strerror() gives a short description; the detailed message of the
 * failure (with file:line:column where it came from input) is kept in the
 * tf_diag passed along, or in the fund handle (tf_fund_errmsg()).
 */
#ifndef TFUND_ERROR_H
#define TFUND_ERROR_H

#include <stddef.h>

typedef enum tf_error {
    TF_OK = 0,
    TF_ERR_NOMEM,    /* out of memory */
    TF_ERR_IO,       /* a file could not be read or written */
    TF_ERR_DB,       /* the database reported an error */
    TF_ERR_BUSY,     /* the database stayed locked by another process */
    TF_ERR_FULL,     /* the disk or database is full */
    TF_ERR_INPUT,    /* malformed input: bad amount, date, column, ... */
    TF_ERR_NOTFOUND, /* an unknown donor, session, request, ... */
    TF_ERR_RULE,     /* a rule of the books refused the step */
    TF_ERR_NODB,     /* no fund database at the path */
    TF_ERR_NEWER,    /* the database was written by a newer tfund */
    TF_ERR_VERIFY,   /* tfund verify found a failure */
    TF_ERR_USAGE,    /* bad command-line usage */
    TF_ERROR_MAX     /* sentinel: keep last */
} tf_error;

/* A static, lowercase description of err; never NULL. */
const char *tf_strerror(tf_error err);

/* The exit status for err: 0 for TF_OK, 1 for a refused rule or a failed
 * verification, 2 for bad usage or input, 3 for a system failure. */
int tf_exit_status(tf_error err);

/*
 * Where an error came from and what it was. Filled by the function that
 * detected it; file is a borrowed pointer, line and col are 1-based and 0
 * when they do not apply.
 */
typedef struct tf_diag {
    const char *file;
    long line;
    int col;
    char msg[512];
} tf_diag;

/* Clears diag. */
void tf_diag_clear(tf_diag *diag);

/* Formats into diag->msg and returns err, so that callers can write
 * `return tf_diag_set(d, TF_ERR_INPUT, "...", ...)`. diag may be NULL. */
tf_error tf_diag_set(tf_diag *diag, tf_error err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As tf_diag_set, also recording the input position. */
tf_error tf_diag_at(tf_diag *diag, tf_error err, const char *file, long line,
                    int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Writes "file:line:col: msg" (the parts that are set) into buf. */
void tf_diag_format(const tf_diag *diag, char *buf, size_t size);

#endif
