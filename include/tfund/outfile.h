/* SPDX-License-Identifier: MIT */
/*
 * Files tfund writes for people (workbooks, backups), written whole or
 * not at all: the data goes into a temporary file beside the target,
 * which is synced to disk and then renamed over the target, so that a
 * reader never sees half a file and a crash leaves the old one. The
 * temporary file is removed on failure and when the process is ended by
 * SIGINT, SIGTERM or SIGHUP. A target that exists and is not a regular
 * file (a device, a FIFO, a symbolic link, a folder) is refused: writing
 * there would replace it, or write through it to somewhere else.
 */
#ifndef TFUND_OUTFILE_H
#define TFUND_OUTFILE_H

#include <sys/types.h>

#include "tfund/error.h"

typedef struct tf_outfile tf_outfile;

/* May path be written? TF_OK when nothing is there, or a regular file
 * and replace is nonzero. Otherwise TF_ERR_INPUT for anything but a
 * regular file (the message says what is there), TF_ERR_RULE for a
 * regular file when replace is 0. */
tf_error tf_outfile_check(const char *path, int replace, tf_diag *diag);

/*
 * Starts writing path: checks it (tf_outfile_check), then makes a new
 * temporary file beside it (path, a dot and six random characters) with the
 * permissions mode (less the umask when mode is not 0600), to be filled through
 * its name (tf_outfile_tmp). *out is freed by tf_outfile_commit or
 * tf_outfile_abandon. TF_ERR_IO when the folder cannot take the file.
 */
tf_error tf_outfile_begin(tf_outfile **out, const char *path, int replace,
                          mode_t mode, tf_diag *diag);

/* The temporary file's name, to write the data to. */
const char *tf_outfile_tmp(const tf_outfile *f);

/* Names another file that the writer of the temporary file may leave
 * beside it (tmp + suffix, such as SQLite's "-journal"), to be removed
 * with it. TF_ERR_NOMEM. */
tf_error tf_outfile_also(tf_outfile *f, const char *suffix, tf_diag *diag);

/* Syncs the temporary file, renames it to the target (checked again;
 * never over an existing file unless replace was given), syncs the
 * folder and frees f. On failure the temporary file is removed. */
tf_error tf_outfile_commit(tf_outfile *f, tf_diag *diag);

/* Removes the temporary file (and the others named) and frees f. NULL
 * is safe. */
void tf_outfile_abandon(tf_outfile *f);

#endif
