/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tfund/error.h"

static const char *const error_strings[] = {
    [TF_OK] = "no error",
    [TF_ERR_NOMEM] = "out of memory",
    [TF_ERR_IO] = "input/output error",
    [TF_ERR_DB] = "database error",
    [TF_ERR_BUSY] = "database is locked by another process",
    [TF_ERR_FULL] = "disk or database full",
    [TF_ERR_INPUT] = "invalid input",
    [TF_ERR_NOTFOUND] = "not found",
    [TF_ERR_RULE] = "refused by the rules of the fund",
    [TF_ERR_NODB] = "no fund database",
    [TF_ERR_NEWER] = "database written by a newer tfund",
    [TF_ERR_VERIFY] = "verification failed",
    [TF_ERR_USAGE] = "invalid usage",
};

_Static_assert(sizeof(error_strings) / sizeof(error_strings[0]) == TF_ERROR_MAX,
               "error_strings must have one entry per tf_error");

const char *tf_strerror(tf_error err)
{
    if ((int)err < 0 || err >= TF_ERROR_MAX || !error_strings[err])
        return "unknown error";
    return error_strings[err];
}

int tf_exit_status(tf_error err)
{
    switch (err) {
    case TF_OK:
        return 0;
    case TF_ERR_RULE:
    case TF_ERR_VERIFY:
        return 1;
    case TF_ERR_INPUT:
    case TF_ERR_NOTFOUND:
    case TF_ERR_USAGE:
    case TF_ERR_NODB:
    case TF_ERR_NEWER:
        return 2;
    default:
        return 3;
    }
}

void tf_diag_clear(tf_diag *diag)
{
    if (diag)
        memset(diag, 0, sizeof(*diag));
}

tf_error tf_diag_set(tf_diag *diag, tf_error err, const char *fmt, ...)
{
    va_list ap;

    if (!diag)
        return err;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
    va_end(ap);
    return err;
}

tf_error tf_diag_at(tf_diag *diag, tf_error err, const char *file, long line,
                    int col, const char *fmt, ...)
{
    va_list ap;

    if (!diag)
        return err;
    diag->file = file;
    diag->line = line;
    diag->col = col;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
    va_end(ap);
    return err;
}

void tf_diag_format(const tf_diag *diag, char *buf, size_t size)
{
    if (diag->file && diag->line > 0 && diag->col > 0)
        snprintf(buf, size, "%s:%ld:%d: %s", diag->file, diag->line, diag->col,
                 diag->msg);
    else if (diag->file && diag->line > 0)
        snprintf(buf, size, "%s:%ld: %s", diag->file, diag->line, diag->msg);
    else if (diag->file)
        snprintf(buf, size, "%s: %s", diag->file, diag->msg);
    else
        snprintf(buf, size, "%s", diag->msg);
}
