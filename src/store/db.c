/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "embedded.h"
#include "tfund/outfile.h"

/* 'TFUD': marks the file as a fund database (PRAGMA application_id). */
#define TF_APPLICATION_ID 0x54465544

/* How long a writer waits for another process's lock, in milliseconds. */
#define TF_BUSY_TIMEOUT_MS 30000

#define STMT_CACHE_SIZE 512 /* power of two */

/* The page cache: 16 MiB while reading, so that reports and queries stay
 * small; a write transaction gets 64 MiB, because an import or an
 * allocation adds to every index at once and, in less, would write the
 * same index pages out to the log and read them back many times over
 * before its commit. */
#define CACHE_READ  "PRAGMA cache_size = -16384"
#define CACHE_WRITE "PRAGMA cache_size = -65536"

struct tf_db {
    sqlite3 *handle;
    char *path;
    int in_tx;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE_SIZE];
};

static tf_error map_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return TF_OK;
    case SQLITE_NOMEM:
        return TF_ERR_NOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TF_ERR_BUSY;
    case SQLITE_FULL:
        return TF_ERR_FULL;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
        return TF_ERR_IO;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return TF_ERR_INPUT;
    default:
        return TF_ERR_DB;
    }
}

static tf_error db_error(tf_db *db, int rc, tf_diag *diag)
{
    tf_error err = map_sqlite(rc);

    if (err == TF_OK)
        err = TF_ERR_DB;
    if ((rc & 0xff) == SQLITE_READONLY)
        return tf_diag_set(diag, err, "the fund database '%s' is read-only",
                           db->path);
    return tf_diag_set(diag, err, "%s: %s", db->path,
                       sqlite3_errmsg(db->handle));
}

static tf_db_migration_hook migration_hook;

void tf_db_set_migration_hook(tf_db_migration_hook hook)
{
    migration_hook = hook;
}

/* The migrations are the embedded files named NNN_*.sql, in order; the
 * schema version is the number of the last. A number may be missing (a
 * migration that another line of work owns and has not yet brought):
 * the versions around it apply as if it were empty. */
static int migration_count(void)
{
    int n = 0;

    for (const struct tf_embedded *e = tf_embedded_files; e->name; e++)
        if (strlen(e->name) > 4 && e->name[3] == '_' &&
            !strcmp(e->name + strlen(e->name) - 4, ".sql")) {
            int v = atoi(e->name);
            if (v > n)
                n = v;
        }
    return n;
}

int tf_db_schema_version(void)
{
    return migration_count();
}

static const struct tf_embedded *migration(int version)
{
    char prefix[16];

    snprintf(prefix, sizeof(prefix), "%03d_", version);
    for (const struct tf_embedded *e = tf_embedded_files; e->name; e++)
        if (!strncmp(e->name, prefix, 4))
            return e;
    return NULL;
}

static int pragma_int(tf_db *db, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static tf_error newer_schema(tf_db *db, int version, tf_diag *diag)
{
    return tf_diag_set(diag, TF_ERR_NEWER,
                       "'%s' has schema version %d but this tfund knows "
                       "versions up to %d: use a newer tfund",
                       db->path, version, migration_count());
}

/* The schema version of the file, refusing a stranger or a newer fund. */
static tf_error schema_version(tf_db *db, int *version, tf_diag *diag)
{
    int appid = 0, tables = 0, rc;

    rc = pragma_int(db, "PRAGMA application_id", &appid);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "'%s' is not a tfund database", db->path);
        return db_error(db, rc, diag);
    }
    rc = pragma_int(db, "PRAGMA user_version", version);
    if (rc != SQLITE_OK)
        return db_error(db, rc, diag);
    if (appid != TF_APPLICATION_ID && (appid != 0 || *version != 0))
        return tf_diag_set(diag, TF_ERR_INPUT, "'%s' is not a tfund database",
                           db->path);
    if (*version > migration_count())
        return newer_schema(db, *version, diag);
    if (appid == 0 && *version == 0) {
        /* Only an empty file may become a fund; never adopt a stranger. */
        rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
        if (rc != SQLITE_OK)
            return db_error(db, rc, diag);
        if (tables > 0)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "'%s' is not a tfund database", db->path);
    }
    return TF_OK;
}

/* Applies the migrations after version, marks the file as a fund of the
 * latest version and checks that no reference is left broken, inside the
 * open transaction. */
static tf_error apply_migrations(tf_db *db, int version, tf_diag *diag)
{
    int latest = migration_count(), rc;
    sqlite3_stmt *st = NULL;
    tf_error err;
    char sql[64];

    for (int v = version + 1; v <= latest; v++) {
        const struct tf_embedded *m = migration(v);
        if (!m)
            continue;
        if ((err = tf_db_exec(db, m->data, diag)))
            return err;
    }
    if (migration_hook && (err = migration_hook(db, version, latest, diag)))
        return err;
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", TF_APPLICATION_ID);
    if ((err = tf_db_exec(db, sql, diag)))
        return err;
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", latest);
    if ((err = tf_db_exec(db, sql, diag)))
        return err;
    rc = sqlite3_prepare_v2(db->handle, "PRAGMA foreign_key_check", -1, &st,
                            NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(db, rc, diag);
    if (rc == SQLITE_ROW)
        return tf_diag_set(diag, TF_ERR_DB,
                           "'%s': the schema migration left a reference "
                           "broken",
                           db->path);
    return TF_OK;
}

static tf_error migrate(tf_db *db, tf_diag *diag)
{
    int version = 0, latest = migration_count(), rc;
    tf_error err;

    if ((err = schema_version(db, &version, diag)) || version == latest)
        return err;
    /* A migration may rebuild a table that others reference, which
     * SQLite's procedure for changing a table does with foreign keys off
     * and all of them checked before the commit. */
    if ((err = tf_db_exec(db, "PRAGMA foreign_keys = OFF", diag)))
        return err;
    err = tf_db_begin(db, diag);
    if (err)
        goto restore;
    /* Another process may have migrated the file while this one waited
     * for the lock. */
    rc = pragma_int(db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        err = db_error(db, rc, diag);
    else if (version > latest)
        err = newer_schema(db, version, diag);
    else if (version < latest && !(err = apply_migrations(db, version, diag)))
        err = tf_db_commit(db, diag);
    if (err || version == latest)
        tf_db_rollback(db);
restore:
    if (err)
        tf_db_exec(db, "PRAGMA foreign_keys = ON", NULL);
    else
        err = tf_db_exec(db, "PRAGMA foreign_keys = ON", diag);
    return err;
}

/*
 * Is the file a fund (or, when creating, the empty file just made)? Only
 * reads: it runs before anything that could write to a stranger's file
 * (PRAGMA journal_mode = WAL rewrites the header of a database, and the
 * migrations would turn an empty file into a fund without settings).
 */
static tf_error check_identity(tf_db *db, int create, tf_diag *diag)
{
    int appid = 0, version = 0, tables = 0, rc;

    rc = pragma_int(db, "PRAGMA application_id", &appid);
    if (rc == SQLITE_OK)
        rc = pragma_int(db, "PRAGMA user_version", &version);
    if (rc == SQLITE_OK)
        rc = pragma_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB)
            return tf_diag_set(diag, TF_ERR_INPUT,
                               "'%s' is not a tfund database", db->path);
        return db_error(db, rc, diag);
    }
    if (appid == TF_APPLICATION_ID && version > migration_count())
        return tf_diag_set(diag, TF_ERR_NEWER,
                           "'%s' has schema version %d but this tfund knows "
                           "versions up to %d: use a newer tfund",
                           db->path, version, migration_count());
    if (appid == TF_APPLICATION_ID ||
        (create && appid == 0 && version == 0 && tables == 0))
        return TF_OK;
    return tf_diag_set(diag, TF_ERR_INPUT, "'%s' is not a tfund database",
                       db->path);
}

/* Creates path for the fund, mode 0600, refusing a file already there. */
static tf_error create_private(const char *path, tf_diag *diag)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0)
        return tf_diag_set(diag, errno == EEXIST ? TF_ERR_RULE : TF_ERR_IO,
                           "cannot create '%s': %s", path,
                           errno == EEXIST ? "a file is already there"
                                           : strerror(errno));
    close(fd);
    return TF_OK;
}

/*
 * The URI that opens db->path for a reader who may not write the file
 * (another user's fund, a copy on a read-only mount). Such a reader must
 * not create the -wal and -shm files beside it: they would be the
 * reader's, and the owner could no longer write. So when the owner has
 * no write-ahead log open, the file is opened immutable (no log, no
 * shared memory, no lock files); when it has, the log and its shared
 * memory are read as they are, never created (readonly_shm). A log
 * without its shared memory (the owner's process died) cannot be read
 * safely without creating one: refused until the owner opens the fund.
 * NULL with diag set on failure; free the result.
 */
static char *read_only_uri(tf_db *db, tf_diag *diag)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(db->path);
    char *side = malloc(n + 5), *uri = malloc(3 * n + 64), *u;
    int wal, shm;

    if (!side || !uri) {
        free(side);
        free(uri);
        tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(side, n + 5, "%s-wal", db->path);
    wal = access(side, F_OK) == 0;
    snprintf(side, n + 5, "%s-shm", db->path);
    shm = access(side, F_OK) == 0;
    free(side);
    if (wal && !shm) {
        free(uri);
        tf_diag_set(diag, TF_ERR_IO,
                    "'%s' is read-only to you and has a write-ahead log that "
                    "only its owner can apply: ask them to run any tfund "
                    "command on it, or read a backup",
                    db->path);
        return NULL;
    }
    /* file: URI, with the characters that mean something in one escaped. */
    u = uri + sprintf(uri, "file:");
    for (const unsigned char *p = (const unsigned char *)db->path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p <= 0x20 || *p >= 0x7f) {
            *u++ = '%';
            *u++ = hex[*p >> 4];
            *u++ = hex[*p & 15];
        } else {
            *u++ = (char)*p;
        }
    }
    strcpy(u, wal ? "?mode=ro&readonly_shm=1" : "?mode=ro&immutable=1");
    return uri;
}

/* Opens the connection of db to db->path with flags (to uri instead when
 * given, with SQLITE_OPEN_URI). */
static tf_error open_connection(tf_db *db, int flags, const char *uri,
                                tf_diag *diag)
{
    static int configured;
    int rc;

    /* A connection is only ever used by the thread that opened it, so
     * SQLite need not lock it around every call; nor keep statistics of
     * its allocations (under a lock of their own). Configuration is only
     * accepted before SQLite's first use in the process, hence once. */
    if (!configured) {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        configured = 1;
    }
    rc = sqlite3_open_v2(
        uri ? uri : db->path, &db->handle,
        flags | SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL);
    if (rc != SQLITE_OK)
        return db->handle ? db_error(db, rc, diag)
                          : tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    sqlite3_extended_result_codes(db->handle, 1);
    sqlite3_busy_timeout(db->handle, TF_BUSY_TIMEOUT_MS);
    return TF_OK;
}

/* A fund opened read-only cannot be migrated: it must be of this
 * program's schema version. */
static tf_error check_read_only(tf_db *db, tf_diag *diag)
{
    int version = 0, rc = pragma_int(db, "PRAGMA user_version", &version);

    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_NOTADB
                   ? tf_diag_set(diag, TF_ERR_INPUT,
                                 "'%s' is not a tfund database", db->path)
                   : db_error(db, rc, diag);
    if (version != migration_count())
        return tf_diag_set(
            diag, version > migration_count() ? TF_ERR_NEWER : TF_ERR_IO,
            "'%s' is read-only and has schema version %d, not %d", db->path,
            version, migration_count());
    return TF_OK;
}

tf_error tf_db_open(tf_db **out, const char *path, int create, tf_diag *diag)
{
    tf_db *db = NULL;
    tf_error err = TF_OK;
    int flags = SQLITE_OPEN_READWRITE;
    char *uri = NULL;

    *out = NULL;
    if (create) {
        /* Made here, not by SQLite, so that it is private from the start. */
        if ((err = create_private(path, diag)))
            return err;
    } else if (access(path, F_OK) != 0) {
        return tf_diag_set(diag, TF_ERR_NODB,
                           "no fund database at '%s': create one with "
                           "'tfund --db %s init' or set TFUND_DB",
                           path, path);
    }

    db = calloc(1, sizeof(*db));
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return tf_diag_set(diag, TF_ERR_NOMEM, "out of memory");
    }
    /* A fund the user can read but not write opens read-only, for the
     * commands that only read. */
    if (access(path, W_OK) != 0) {
        flags = SQLITE_OPEN_READONLY;
        if (!(uri = read_only_uri(db, diag))) {
            err = TF_ERR_IO;
            goto fail;
        }
    }
    err = open_connection(db, flags, uri, diag);
    free(uri);
    if (err)
        goto fail;

    if (flags == SQLITE_OPEN_READWRITE &&
        (err = check_identity(db, create, diag)))
        goto fail;
    /* WAL lets readers work while a batch writes; synchronous=FULL makes a
     * committed transaction survive a power cut, not only a crash. */
    if (flags == SQLITE_OPEN_READWRITE &&
        (err = tf_db_exec(db, "PRAGMA journal_mode = WAL", diag)))
        goto fail;
    err = tf_db_exec(db,
                     "PRAGMA synchronous = FULL;" CACHE_READ ";"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA trusted_schema = OFF;",
                     diag);
    if (err)
        goto fail;
    if ((err = flags == SQLITE_OPEN_READONLY ? check_read_only(db, diag)
                                             : migrate(db, diag)))
        goto fail;
    *out = db;
    return TF_OK;
fail:
    tf_db_close(db);
    if (create)
        unlink(path);
    return err;
}

void tf_db_close(tf_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    sqlite3_close(db->handle);
    free(db->path);
    free(db);
}

tf_error tf_db_begin(tf_db *db, tf_diag *diag)
{
    int rc;

    /* The busy handler does not cover every case of BEGIN IMMEDIATE (a WAL
     * recovery in progress), so retry a few times on our own. */
    for (int attempt = 0;; attempt++) {
        rc = sqlite3_exec(db->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || attempt >= 20)
            break;
        usleep(50000);
    }
    if (rc != SQLITE_OK)
        return db_error(db, rc, diag);
    db->in_tx = 1;
    /* Only speed depends on it: a failure here is not the caller's. */
    sqlite3_exec(db->handle, CACHE_WRITE, NULL, NULL, NULL);
    return TF_OK;
}

tf_error tf_db_commit(tf_db *db, tf_diag *diag)
{
    int rc = sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL);

    if (rc != SQLITE_OK) {
        tf_error err = db_error(db, rc, diag);
        tf_db_rollback(db);
        return err;
    }
    db->in_tx = 0;
    sqlite3_exec(db->handle, CACHE_READ, NULL, NULL, NULL);
    return TF_OK;
}

void tf_db_rollback(tf_db *db)
{
    if (!db)
        return;
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
    if (db->in_tx)
        sqlite3_exec(db->handle, CACHE_READ, NULL, NULL, NULL);
    db->in_tx = 0;
}

int tf_db_in_tx(const tf_db *db)
{
    return db->in_tx;
}

tf_error tf_db_read_begin(tf_db *db, int *own, tf_diag *diag)
{
    int rc;

    *own = 0;
    if (!sqlite3_get_autocommit(db->handle))
        return TF_OK;
    /* A deferred BEGIN takes its snapshot at the first read and keeps it
     * to the end, where separate statements would each see the latest
     * commit. */
    rc = sqlite3_exec(db->handle, "BEGIN", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return db_error(db, rc, diag);
    *own = 1;
    return TF_OK;
}

void tf_db_read_end(tf_db *db, int own)
{
    if (own && !sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "COMMIT", NULL, NULL, NULL);
}

tf_error tf_db_exec(tf_db *db, const char *sql, tf_diag *diag)
{
    int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? TF_OK : db_error(db, rc, diag);
}

tf_stmt *tf_db_prepare(tf_db *db, const char *sql, tf_diag *diag)
{
    size_t h = ((uintptr_t)sql >> 3) & (STMT_CACHE_SIZE - 1);

    for (size_t n = 0; n < STMT_CACHE_SIZE; n++) {
        size_t i = (h + n) & (STMT_CACHE_SIZE - 1);
        if (db->cache[i].sql == sql) {
            sqlite3_reset(db->cache[i].stmt);
            sqlite3_clear_bindings(db->cache[i].stmt);
            return (tf_stmt *)db->cache[i].stmt;
        }
        if (!db->cache[i].sql) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(db->handle, sql, -1,
                                        SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                db_error(db, rc, diag);
                sqlite3_finalize(st);
                return NULL;
            }
            db->cache[i].sql = sql;
            db->cache[i].stmt = st;
            return (tf_stmt *)st;
        }
    }
    tf_diag_set(diag, TF_ERR_DB, "too many distinct statements");
    return NULL;
}

void tf_stmt_text(tf_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text((sqlite3_stmt *)st, i, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null((sqlite3_stmt *)st, i);
}

void tf_stmt_text_ref(tf_stmt *st, int i, const char *text)
{
    if (text)
        sqlite3_bind_text((sqlite3_stmt *)st, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null((sqlite3_stmt *)st, i);
}

void tf_stmt_int(tf_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64((sqlite3_stmt *)st, i, v);
}

void tf_stmt_null(tf_stmt *st, int i)
{
    sqlite3_bind_null((sqlite3_stmt *)st, i);
}

int tf_stmt_step(tf_stmt *st)
{
    int rc = sqlite3_step((sqlite3_stmt *)st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return -1;
}

tf_error tf_stmt_error(tf_stmt *st, tf_diag *diag)
{
    sqlite3 *h = sqlite3_db_handle((sqlite3_stmt *)st);
    int rc = sqlite3_extended_errcode(h);
    tf_error err = map_sqlite(rc);
    const char *file = sqlite3_db_filename(h, "main");

    if (err == TF_OK)
        err = TF_ERR_DB;
    sqlite3_reset((sqlite3_stmt *)st);
    if ((rc & 0xff) == SQLITE_READONLY)
        return tf_diag_set(diag, err, "the fund database '%s' is read-only",
                           file ? file : "");
    return tf_diag_set(diag, err, "%s", sqlite3_errmsg(h));
}

tf_error tf_stmt_run(tf_stmt *st, tf_diag *diag)
{
    int rc = tf_stmt_step(st);

    if (rc < 0)
        return tf_stmt_error(st, diag);
    sqlite3_reset((sqlite3_stmt *)st);
    return TF_OK;
}

tf_error tf_db_get(tf_db *db, const char *sql, const char *key, tf_stmt **row,
                   tf_diag *diag)
{
    tf_stmt *st = tf_db_prepare(db, sql, diag);
    int rc;

    *row = NULL;
    if (!st)
        return TF_ERR_DB;
    tf_stmt_text(st, 1, key);
    rc = tf_stmt_step(st);
    if (rc < 0)
        return tf_stmt_error(st, diag);
    if (rc > 0)
        *row = st;
    else
        tf_stmt_reset(st);
    return TF_OK;
}

tf_error tf_db_write_rows(tf_db *db, size_t n, const char *sql_batch,
                          const char *sql_one,
                          void (*bind)(void *ctx, tf_stmt *st, int k, size_t i),
                          void *ctx, tf_diag *diag)
{
    tf_error err;

    for (size_t i = 0; i < n;) {
        int k = n - i >= TF_DB_BATCH ? TF_DB_BATCH : 1;
        tf_stmt *st = tf_db_prepare(db, k > 1 ? sql_batch : sql_one, diag);
        if (!st)
            return TF_ERR_DB;
        for (int j = 0; j < k; j++, i++)
            bind(ctx, st, j, i);
        if ((err = tf_stmt_run(st, diag)))
            return err;
    }
    return TF_OK;
}

void tf_stmt_reset(tf_stmt *st)
{
    sqlite3_reset((sqlite3_stmt *)st);
    sqlite3_clear_bindings((sqlite3_stmt *)st);
}

tf_error tf_stmt_done(tf_stmt *st, int rc, tf_diag *diag)
{
    if (rc < 0)
        return tf_stmt_error(st, diag);
    tf_stmt_reset(st);
    return TF_OK;
}

int64_t tf_col_int(tf_stmt *st, int i)
{
    return sqlite3_column_int64((sqlite3_stmt *)st, i);
}

const char *tf_col_text(tf_stmt *st, int i)
{
    return (const char *)sqlite3_column_text((sqlite3_stmt *)st, i);
}

int tf_col_null(tf_stmt *st, int i)
{
    return sqlite3_column_type((sqlite3_stmt *)st, i) == SQLITE_NULL;
}

int tf_col_count(tf_stmt *st)
{
    return sqlite3_column_count((sqlite3_stmt *)st);
}

tf_col_class tf_col_type(tf_stmt *st, int i)
{
    switch (sqlite3_column_type((sqlite3_stmt *)st, i)) {
    case SQLITE_INTEGER:
        return TF_COL_INT;
    case SQLITE_FLOAT:
        return TF_COL_REAL;
    case SQLITE_TEXT:
        return TF_COL_TEXT;
    case SQLITE_BLOB:
        return TF_COL_BLOB;
    default:
        return TF_COL_NULL;
    }
}

const void *tf_col_blob(tf_stmt *st, int i)
{
    sqlite3_stmt *s = (sqlite3_stmt *)st;

    /* A blob as its bytes; text, an integer or a real as SQLite's text of
     * it (the same for the same value, always). */
    if (sqlite3_column_type(s, i) == SQLITE_BLOB)
        return sqlite3_column_blob(s, i);
    return sqlite3_column_text(s, i);
}

int tf_col_bytes(tf_stmt *st, int i)
{
    return sqlite3_column_bytes((sqlite3_stmt *)st, i);
}

void tf_stmt_blob(tf_stmt *st, int i, const void *data, size_t n)
{
    sqlite3_bind_blob64((sqlite3_stmt *)st, i, n ? data : "", n,
                        SQLITE_TRANSIENT);
}

int64_t tf_db_changes(tf_db *db)
{
    return sqlite3_changes64(db->handle);
}

tf_error tf_db_backup(tf_db *db, const char *path, tf_diag *diag)
{
    sqlite3 *dest = NULL;
    sqlite3_backup *bk;
    tf_outfile *out = NULL;
    tf_error err;
    int rc;

    /* Copied into a private temporary file beside path, which becomes
     * path only once it is whole and on disk: a backup cut short leaves
     * nothing under the name, and never replaces a file there. */
    if ((err = tf_outfile_begin(&out, path, 0, 0600, diag)) ||
        (err = tf_outfile_also(out, "-journal", diag)))
        goto done;
    rc = sqlite3_open_v2(tf_outfile_tmp(out), &dest, SQLITE_OPEN_READWRITE,
                         NULL);
    if (rc != SQLITE_OK) {
        err = tf_diag_set(diag, TF_ERR_IO, "cannot open '%s': %s", path,
                          dest ? sqlite3_errmsg(dest) : "out of memory");
        goto done;
    }
    bk = sqlite3_backup_init(dest, "main", db->handle, "main");
    if (!bk) {
        err = tf_diag_set(diag, TF_ERR_DB, "backup to '%s': %s", path,
                          sqlite3_errmsg(dest));
        goto done;
    }
    rc = sqlite3_backup_step(bk, -1);
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE) {
        err = tf_diag_set(diag, map_sqlite(rc) ? map_sqlite(rc) : TF_ERR_DB,
                          "backup to '%s': %s", path, sqlite3_errstr(rc));
        goto done;
    }
done:
    if (sqlite3_close(dest) != SQLITE_OK && !err)
        err = tf_diag_set(diag, TF_ERR_IO, "backup to '%s': %s", path,
                          sqlite3_errmsg(dest));
    if (err)
        tf_outfile_abandon(out);
    else
        err = tf_outfile_commit(out, diag);
    return err;
}

const char *tf_db_path(const tf_db *db)
{
    return db->path;
}
