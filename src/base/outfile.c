/* SPDX-License-Identifier: MIT */
/* Output files written whole or not at all (tfund/outfile.h). */
/* renameat2 and RENAME_NOREPLACE (Linux): a backup never replaces a file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tfund/outfile.h"

/* Files to remove if a signal ends the process: the temporary files
 * being written and the files their writers may leave beside them. A
 * slot is set only once its name is complete and cleared before it is
 * freed, so that the handler sees whole names or none. */
#define PENDING_MAX 16
static char *volatile pending[PENDING_MAX];

struct tf_outfile {
    char *path, *tmp;
    char *also[2];
    int replace;
};

/* The signals that remove the files, and what they did before. */
static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
#define NHANDLED (sizeof(handled) / sizeof(handled[0]))
static struct sigaction before[NHANDLED];

static void on_signal(int sig)
{
    int saved = errno;

    for (int i = 0; i < PENDING_MAX; i++)
        if (pending[i])
            unlink(pending[i]); /* async-signal-safe */
    errno = saved;
    /* Then the signal does what it did before: by default it ends the
     * process, which the parent sees; a handler of the program's own
     * runs once this one returns (the signal is blocked until then). */
    for (size_t i = 0; i < NHANDLED; i++)
        if (handled[i] == sig)
            sigaction(sig, &before[i], NULL);
    raise(sig);
}

static void install_handlers(void)
{
    static int installed;
    struct sigaction sa;

    if (installed)
        return;
    installed = 1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NHANDLED; i++) {
        /* A signal the caller ignores (nohup) stays ignored. */
        if (sigaction(handled[i], NULL, &before[i]) != 0 ||
            before[i].sa_handler == SIG_IGN)
            continue;
        sigaction(handled[i], &sa, NULL);
    }
}

/* Adds name to the files a signal removes; -1 when full. */
static int pending_add(char *name)
{
    install_handlers();
    for (int i = 0; i < PENDING_MAX; i++)
        if (!pending[i]) {
            pending[i] = name;
            return 0;
        }
    return -1;
}

static void pending_remove(const char *name)
{
    for (int i = 0; i < PENDING_MAX; i++)
        if (pending[i] == name)
            pending[i] = NULL;
}

tf_error tf_outfile_check(const char *path, int replace, tf_diag *diag)
{
    struct stat st;
    const char *what;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return TF_OK;
        return tf_diag_set(diag, TF_ERR_IO, "cannot write '%s': %s", path,
                           strerror(errno));
    }
    if (S_ISREG(st.st_mode)) {
        if (replace)
            return TF_OK;
        return tf_diag_set(diag, TF_ERR_RULE,
                           "cannot create '%s': a file is already there", path);
    }
    if (S_ISLNK(st.st_mode))
        what = "a symbolic link";
    else if (S_ISDIR(st.st_mode))
        what = "a folder";
    else if (S_ISFIFO(st.st_mode))
        what = "a FIFO";
    else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        what = "a device";
    else if (S_ISSOCK(st.st_mode))
        what = "a socket";
    else
        what = "not a regular file";
    return tf_diag_set(diag, TF_ERR_INPUT,
                       "refusing to write '%s': it is %s, not a regular file "
                       "(give the name of a new or an ordinary file)",
                       path, what);
}

static void outfile_free(tf_outfile *f)
{
    for (size_t i = 0; i < 2; i++) {
        if (f->also[i]) {
            pending_remove(f->also[i]);
            free(f->also[i]);
        }
    }
    pending_remove(f->tmp);
    free(f->tmp);
    free(f->path);
    free(f);
}

tf_error tf_outfile_begin(tf_outfile **out, const char *path, int replace,
                          mode_t mode, tf_diag *diag)
{
    tf_outfile *f;
    size_t n = strlen(path);
    tf_error err;
    int fd;

    *out = NULL;
    if ((err = tf_outfile_check(path, replace, diag)))
        return err;
    f = calloc(1, sizeof(*f));
    if (!f || !(f->path = strdup(path)) || !(f->tmp = malloc(n + 8))) {
        if (f)
            free(f->path);
        free(f);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    f->replace = replace;
    /* Beside the target, so that the rename stays on one file system. */
    memcpy(f->tmp, path, n);
    f->tmp[n] = '.';
    memset(f->tmp + n + 1, 'X', 6); /* mkstemp's six random characters */
    f->tmp[n + 7] = '\0';
    fd = mkstemp(f->tmp);
    if (fd < 0) {
        err = tf_diag_set(diag, TF_ERR_IO, "cannot %s '%s': %s",
                          replace ? "write" : "create", path, strerror(errno));
        free(f->tmp);
        free(f->path);
        free(f);
        return err;
    }
    if (pending_add(f->tmp) < 0) {
        close(fd);
        unlink(f->tmp);
        free(f->tmp);
        free(f->path);
        free(f);
        return tf_diag_set(diag, TF_ERR_NOMEM, "too many files being written");
    }
    /* mkstemp makes the file private; other files get the usual mode. */
    if (mode != 0600) {
        mode_t mask = umask(0);
        umask(mask);
        mode &= ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write '%s': %s", path,
                          strerror(errno));
        close(fd);
        tf_outfile_abandon(f);
        return err;
    }
    close(fd);
    *out = f;
    return TF_OK;
}

const char *tf_outfile_tmp(const tf_outfile *f)
{
    return f->tmp;
}

tf_error tf_outfile_also(tf_outfile *f, const char *suffix, tf_diag *diag)
{
    size_t n = strlen(f->tmp), m = strlen(suffix);
    char *name;

    for (size_t i = 0; i < 2; i++) {
        if (f->also[i])
            continue;
        name = malloc(n + m + 1);
        if (!name)
            break;
        memcpy(name, f->tmp, n);
        memcpy(name + n, suffix, m + 1);
        if (pending_add(name) < 0) {
            free(name);
            break;
        }
        f->also[i] = name;
        return TF_OK;
    }
    return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
}

/* Syncs the file or folder at path to disk. */
static int sync_path(const char *path, int folder)
{
    int fd = open(path, (folder ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    if (rc != 0 && folder && (errno == EINVAL || errno == EBADF))
        rc = 0; /* a folder that cannot be synced (some file systems) */
    close(fd);
    return rc;
}

/* Moves tmp to path, never over an existing file when !replace. */
static int move_into_place(const tf_outfile *f)
{
    if (f->replace)
        return rename(f->tmp, f->path);
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, f->tmp, AT_FDCWD, f->path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* A file system without renameat2: a hard link fails as well on a
     * name that exists. */
    if (link(f->tmp, f->path) != 0)
        return -1;
    unlink(f->tmp);
    return 0;
}

tf_error tf_outfile_commit(tf_outfile *f, tf_diag *diag)
{
    char *copy;
    tf_error err = TF_OK;

    if (sync_path(f->tmp, 0) != 0) {
        err = tf_diag_set(diag, errno == ENOSPC ? TF_ERR_FULL : TF_ERR_IO,
                          "cannot write '%s': %s", f->path, strerror(errno));
        goto fail;
    }
    /* Whatever appeared there meanwhile is refused as before. */
    if ((err = tf_outfile_check(f->path, f->replace, diag)))
        goto fail;
    if (move_into_place(f) != 0) {
        err = errno == EEXIST
                  ? tf_diag_set(diag, TF_ERR_RULE,
                                "cannot create '%s': a file is already there",
                                f->path)
                  : tf_diag_set(diag, TF_ERR_IO, "cannot write '%s': %s",
                                f->path, strerror(errno));
        goto fail;
    }
    /* The rename itself reaches the disk with the folder. */
    copy = strdup(f->path);
    if (copy) {
        sync_path(dirname(copy), 1);
        free(copy);
    }
    for (size_t i = 0; i < 2; i++)
        if (f->also[i])
            unlink(f->also[i]);
    outfile_free(f);
    return TF_OK;
fail:
    tf_outfile_abandon(f);
    return err;
}

void tf_outfile_abandon(tf_outfile *f)
{
    if (!f)
        return;
    unlink(f->tmp);
    for (size_t i = 0; i < 2; i++)
        if (f->also[i])
            unlink(f->also[i]);
    outfile_free(f);
}
