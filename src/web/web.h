/* SPDX-License-Identifier: MIT */
/*
 * What the pages of tfund serve see of a request, and how they answer.
 * Only server.c talks to libmicrohttpd; a page reads its parameters, the
 * query and the form through the functions below, calls the core API
 * (include/tfund/) as the command line does, and writes its answer into
 * the body web_begin opens, through the HTML writer (html.h) or the
 * table writer.
 */
#ifndef TF_WEB_WEB_H
#define TF_WEB_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "route.h"
#include "session.h"
#include "tfund/tfund.h"

/* The user a request is made by (a copy, read from the fund at each
 * request, so that disabling a user or changing its roles counts at
 * once). */
struct web_user {
    char id[WEB_USER_MAX + 1];
    char name[256];
    char donor[WEB_USER_MAX + 1]; /* "" unless a donor user */
    unsigned roles;
};

/* A field of a posted form: text, or an uploaded file (filename set). */
struct web_field {
    char *name;
    char *value; /* NUL-terminated; len bytes (a file may hold NULs) */
    size_t len;
    char *filename;
};

struct web_server;

struct web_request {
    /* The request. */
    const char *method, *path;
    char params[WEB_PARAMS_MAX][WEB_PARAM_LEN];
    int nparams;
    struct web_field *fields;
    size_t nfields;
    int has_session; /* session is set (anonymous or logged in) */
    web_session session;
    int logged_in; /* user is set */
    struct web_user user;
    tf_fund *fund; /* this worker's connection to the fund */
    struct web_server *server;
    void *conn; /* the connection (server.c only) */
    int tls;

    /* The answer. */
    int status;
    FILE *out;  /* the body being written */
    char *body; /* ... in memory (open_memstream) */
    size_t body_len;
    int file_body; /* ... or in a temporary file (tmpfile) */
    int fd;        /* a file to send, -1 if none */
    long long fd_size;
    char content_type[96];
    char location[600];
    char disposition[200];
    char cookie[200]; /* a Set-Cookie value, "" if none */
    int cacheable;    /* static assets: may be cached */
};

/* ---- Reading the request ------------------------------------------ */

/* A query-string argument, or NULL. */
const char *web_query(struct web_request *rq, const char *name);

/* A form field's text (NULL when the form has none). */
const char *web_field(struct web_request *rq, const char *name);

/* An uploaded file's field, or NULL. */
const struct web_field *web_file(struct web_request *rq, const char *name);

/* ---- Answering ------------------------------------------------------ */

/* Opens the body of an answer with status and content type: in memory,
 * or (large, for CSV and JSON exports) in a temporary file. Returns the
 * stream, or NULL when out of memory (the server then answers 500). */
FILE *web_begin(struct web_request *rq, int status, const char *content_type);
FILE *web_begin_file(struct web_request *rq, int status,
                     const char *content_type);

/* 303 See Other to path seg tail (seg percent-encoded, may be NULL):
 * the answer to every successful POST. Returns 0. */
int web_redirect(struct web_request *rq, const char *path, const char *seg,
                 const char *tail);

/* Sends the open file fd (taken) of size bytes as a download named
 * filename. Returns 0. */
int web_send_file(struct web_request *rq, int fd, long long size,
                  const char *content_type, const char *filename);

/* A message for the next page the user sees. */
void web_flash(struct web_request *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The session store (login and logout make and end sessions). */
web_sessions *web_server_sessions(struct web_server *srv);

/* The cache of parts of pages (cache.h), NULL when there is none. */
struct web_cache *web_server_cache(struct web_server *srv);

/* Sets the session cookie to id (NULL or "": clears it). */
void web_set_session_cookie(struct web_request *rq, const char *id);

/* The command the event of a POST records (server.c): "POST /path" and
 * the form's fields as name=value, each quoted as for a shell, without
 * the CSRF token, any password as '***', an uploaded file as
 * "file=@NAME (N bytes)". Newly allocated, or NULL when out of memory. */
char *web_command_text(const struct web_request *rq);

/* ---- Pages (page.c) -------------------------------------------------- */

/* ?format= of a list: 0 HTML, 1 CSV, 2 JSON; -1 (after answering 400)
 * for an unknown format. */
int web_format(struct web_request *rq);

/* Opens a page: the head, the navigation for the user's roles, the flash
 * message and the title. Returns the stream to write the content to. */
FILE *page_begin(struct web_request *rq, int status, const char *title);
/* Closes it. Returns 0. */
int page_end(struct web_request *rq);

/* A whole page saying msg with status. Returns 0. */
int page_message(struct web_request *rq, int status, const char *title,
                 const char *msg);

/* <form method="post" action="ACTION" [enctype]> with the CSRF token. */
void page_form_open(struct web_request *rq, FILE *out, const char *action,
                    int multipart);

/* What a form holds when shown again: its values and the error, by the
 * field it concerns (field "" for the form as a whole). */
struct page_form {
    const char *error_field; /* NULL: no error */
    char field[64];
    char error[600];
};

/* A labelled input of a form, with the value typed and the error beside
 * it when form->error_field is name. type is "text", "date", ... */
void page_input(struct web_request *rq, FILE *out, const struct page_form *f,
                const char *label, const char *name, const char *type,
                int required, const char *hint);
/* The same, for one of several forms of a page: its elements' ids are
 * f-FORM-NAME. */
void page_input_in(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *form, const char *label, const char *name,
                   const char *type, int required, const char *hint);
/* The same, showing fallback (may be NULL) when the form has no value
 * for name: a record's current details to start from. */
void page_input_or(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *form, const char *label, const char *name,
                   const char *type, int required, const char *hint,
                   const char *fallback);
/* A labelled select of choices (NULL-terminated), keeping the choice. */
void page_select(struct web_request *rq, FILE *out, const struct page_form *f,
                 const char *label, const char *name,
                 const char *const *choices, int required);
/* A labelled checkbox (value 1), checked when the form's value is 1 or
 * on. */
void page_checkbox(struct web_request *rq, FILE *out, const struct page_form *f,
                   const char *label, const char *name);
/* The form-wide error, if any. */
void page_form_error(FILE *out, const struct page_form *f);

/* Status and message of a failed write: 400 bad input (with the field
 * named in the message, "column 'x': ..."), 404, 409 refused by a rule,
 * 500 otherwise. Fills f. */
int page_write_failed(struct page_form *f, tf_error err, const tf_diag *diag);

/* A table for a page (HTML) or a download (CSV, JSON) with the command
 * line's columns; kinds as cli_table: 's' text, 'a' amount, 'i'
 * integer. A column whose link_path is set links each cell to
 * link_path<cell> in HTML. */
typedef struct web_table web_table;
web_table *web_table_new(struct web_request *rq, FILE *out, int format,
                         const char *const *cols, const char *kinds);
void web_table_link(web_table *t, int col, const char *path, const char *tail);
void web_table_row(web_table *t, const char *const *cells);
void web_table_end(web_table *t);

/* The content type of a download of format fmt (1 CSV, 2 JSON). */
const char *web_format_type(int fmt);

/* Opens the answer of a list: a page titled title with status (fmt 0),
 * or the CSV or JSON download (200). web_list_end closes it. */
FILE *web_list_begin(struct web_request *rq, int fmt, int status,
                     const char *title);
int web_list_end(struct web_request *rq, int fmt);

/* A term and its value in a <dl class="record">, the value as text. */
void page_record_row(FILE *out, const char *term, const char *value);

/* Writes to the books for a POST: write(rq, ctx, diag) in one BEGIN
 * IMMEDIATE transaction, committed when it returns TF_OK (the event's
 * summary set by write with tf_audit_summary, its actor and command the
 * request's), rolled back otherwise. A form's field allow_duplicate (1
 * or on) lets write record a duplicate receipt or request, as
 * --allow-duplicate does. Returns write's or the commit's error, the
 * message in diag. */
tf_error web_transaction(struct web_request *rq,
                         tf_error (*write)(struct web_request *rq, void *ctx,
                                           tf_diag *diag),
                         void *ctx, tf_diag *diag);

/* A positive decimal number of a URL (a run's, a payment request's): 0
 * and *n, or -1 for anything else. */
int web_number(const char *text, int64_t *n);

/* A JSON string: text quoted, with " \ and control characters escaped. */
void web_json_str(FILE *out, const char *text);

/* Nonzero if the user holds any of roles. */
int web_user_has(const struct web_request *rq, unsigned roles);

/* The answer for a bad ?as_of: 0 and *as_of (NULL when not given), or -1
 * after answering 400. */
int web_as_of(struct web_request *rq, const char **as_of);

#endif
