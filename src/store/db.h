/* SPDX-License-Identifier: MIT */
/*
 * The database module: the only code that talks to SQLite. It opens the
 * fund file with the durability settings, applies the schema migrations,
 * runs write transactions (BEGIN IMMEDIATE, retried while another process
 * holds the lock) and hands out cached prepared statements. Other modules
 * write SQL with ?N parameters and use the thin wrappers below, so that no
 * file but db.c includes sqlite3.h.
 */
#ifndef TF_DB_H
#define TF_DB_H

#include <stddef.h>
#include <stdint.h>

#include "tfund/error.h"

typedef struct tf_db tf_db;
typedef struct tf_stmt tf_stmt;

/* The schema version this program writes (the number of the last
 * migration). */
int tf_db_schema_version(void);

/*
 * Work a migration needs done in C, which SQL alone cannot do (hashing
 * the rows of a fund, say): called inside the migration's transaction,
 * after the SQL of every migration ran, with the version the file had
 * (0 for a new file) and the version it now has. An error rolls the whole
 * migration back. The layer above sets it before opening a fund; NULL
 * (the default) does nothing.
 */
typedef tf_error (*tf_db_migration_hook)(tf_db *db, int from, int to,
                                         tf_diag *diag);
void tf_db_set_migration_hook(tf_db_migration_hook hook);

/*
 * Opens the fund database at path. With create, the file must not exist:
 * it is made with mode 0600 and the schema applied. Without, a missing
 * file is TF_ERR_NODB, a file that is not a tfund database TF_ERR_INPUT,
 * a newer schema TF_ERR_NEWER; an older one is migrated in place.
 */
tf_error tf_db_open(tf_db **out, const char *path, int create, tf_diag *diag);

/* Finalizes every statement and closes the file. NULL is safe. */
void tf_db_close(tf_db *db);

/* Starts a write transaction (BEGIN IMMEDIATE). */
tf_error tf_db_begin(tf_db *db, tf_diag *diag);
/* Commits it. On failure the transaction is rolled back. */
tf_error tf_db_commit(tf_db *db, tf_diag *diag);
/* Rolls back the open transaction, if any. */
void tf_db_rollback(tf_db *db);
/* Nonzero inside a transaction. */
int tf_db_in_tx(const tf_db *db);

/* Starts a read transaction unless one is open, so that the queries that
 * follow see one snapshot while other processes commit; *own tells
 * tf_db_read_end whether this call started it. */
tf_error tf_db_read_begin(tf_db *db, int *own, tf_diag *diag);
/* Ends the read transaction tf_db_read_begin started (own nonzero). */
void tf_db_read_end(tf_db *db, int own);

/* Runs SQL without parameters or results (several statements allowed). */
tf_error tf_db_exec(tf_db *db, const char *sql, tf_diag *diag);

/*
 * The prepared statement for sql, prepared once and cached by the address
 * of sql (pass string literals). It comes reset with no bindings. NULL on
 * error, with the reason in diag.
 */
tf_stmt *tf_db_prepare(tf_db *db, const char *sql, tf_diag *diag);

/* Bindings, 1-based as in SQL ?N. A NULL text binds SQL NULL. */
void tf_stmt_text(tf_stmt *st, int i, const char *text);
/* As tf_stmt_text without taking a copy, for the many values of a bulk
 * write: text must stay as it is until the statement has been run
 * (tf_stmt_run) or reset. */
void tf_stmt_text_ref(tf_stmt *st, int i, const char *text);
void tf_stmt_int(tf_stmt *st, int i, int64_t v);
void tf_stmt_null(tf_stmt *st, int i);

/* Steps st: 1 for a row, 0 when done, -1 on error (then TF_ERR_DB,
 * TF_ERR_BUSY or TF_ERR_FULL is returned by tf_stmt_error with the
 * database's message in diag). */
int tf_stmt_step(tf_stmt *st);
tf_error tf_stmt_error(tf_stmt *st, tf_diag *diag);

/* Runs the query sql with ?1 bound to key (text) for its first row: *row
 * is the statement standing on it (read its columns, then tf_stmt_reset
 * it), or NULL when there is none. TF_OK or the error. */
tf_error tf_db_get(tf_db *db, const char *sql, const char *key, tf_stmt **row,
                   tf_diag *diag);

/* Steps a statement that returns no rows, resets it; TF_OK or the error. */
tf_error tf_stmt_run(tf_stmt *st, tf_diag *diag);

/*
 * Bulk writes put TF_DB_BATCH rows in one statement: a statement's own
 * cost is much of what writing one row costs. Its SQL is the one-row
 * statement followed by TF_DB_MORE_ROWS(", (?, ?, ...)"), the other rows'
 * placeholders; rows left over go with the one-row statement.
 */
#define TF_DB_BATCH  32
#define TF_DB_X4_(s) s s s s
#define TF_DB_MORE_ROWS(row)                                                   \
    TF_DB_X4_(TF_DB_X4_(row))                                                  \
    TF_DB_X4_(row) TF_DB_X4_(row) TF_DB_X4_(row) row row row

/* Writes items 0..n as rows: TF_DB_BATCH a statement with sql_batch, the
 * rest one a statement with sql_one; bind(ctx, st, k, i) binds item i as
 * row k of st. */
tf_error tf_db_write_rows(tf_db *db, size_t n, const char *sql_batch,
                          const char *sql_one,
                          void (*bind)(void *ctx, tf_stmt *st, int k, size_t i),
                          void *ctx, tf_diag *diag);

/* Resets st and clears its bindings (done automatically by prepare). */
void tf_stmt_reset(tf_stmt *st);

/* Ends a walk over st's rows whose last tf_stmt_step returned rc: the
 * error (tf_stmt_error) when rc < 0, else st reset and TF_OK. */
tf_error tf_stmt_done(tf_stmt *st, int rc, tf_diag *diag);

/* Columns, 0-based. col_text returns NULL for SQL NULL. */
int64_t tf_col_int(tf_stmt *st, int i);
const char *tf_col_text(tf_stmt *st, int i);
int tf_col_null(tf_stmt *st, int i);

/* The number of result columns of st, and the storage class of column i
 * of the current row (for code that reads rows whatever their table, as
 * the audit's row checks do). */
typedef enum tf_col_class {
    TF_COL_INT,
    TF_COL_REAL,
    TF_COL_TEXT,
    TF_COL_BLOB,
    TF_COL_NULL
} tf_col_class;
int tf_col_count(tf_stmt *st);
tf_col_class tf_col_type(tf_stmt *st, int i);
/* The bytes of a text or blob column and their number (a number column
 * is given as SQLite's text of it). */
const void *tf_col_blob(tf_stmt *st, int i);
int tf_col_bytes(tf_stmt *st, int i);
/* Binds n bytes (copied) as a blob. */
void tf_stmt_blob(tf_stmt *st, int i, const void *data, size_t n);

/* Number of rows changed by the last statement. */
int64_t tf_db_changes(tf_db *db);

/* Copies the database into a new file at path (SQLite online backup). */
tf_error tf_db_backup(tf_db *db, const char *path, tf_diag *diag);

/* The path the database was opened with. */
const char *tf_db_path(const tf_db *db);

#endif
