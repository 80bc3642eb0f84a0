/* SPDX-License-Identifier: MIT */
/*
 * tfund serve on GNU libmicrohttpd: the only file of the web front end
 * that talks to it. A pool of worker threads polls the connections; each
 * worker keeps its own connection to the fund, so a request never shares
 * one. Every request goes the same way: route (404, 405), session and
 * user (401), role and donor (403), body size (413, before the body is
 * read), form and CSRF token (403, before the body reaches the books),
 * then the page's handler, whose writes are transactions of the core API
 * as on the command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cache.h"
#include "html.h"
#include "serve.h"
#include "tfund/audit.h"
#include "tfund/users.h"
#include "web.h"

#define FIELDS_MAX    64
#define SESSIONS_MAX  4096
#define CACHE_ENTRIES 64
#define CACHE_BYTES   (32 * 1024 * 1024)

struct web_server {
    web_sessions *sessions;
    web_cache *cache;
    const char *db_path;
    int tls;
};

web_sessions *web_server_sessions(struct web_server *srv)
{
    return srv->sessions;
}

web_cache *web_server_cache(struct web_server *srv)
{
    return srv->cache;
}

/* ---- One connection to the fund per worker thread -------------------- */

static pthread_key_t fund_key;
static pthread_once_t fund_key_once = PTHREAD_ONCE_INIT;

static void close_fund(void *fund)
{
    tf_fund_close(fund);
}

static void make_fund_key(void)
{
    pthread_key_create(&fund_key, close_fund);
}

static tf_fund *worker_fund(struct web_server *srv)
{
    tf_fund *fund;
    tf_diag diag;

    pthread_once(&fund_key_once, make_fund_key);
    fund = pthread_getspecific(fund_key);
    if (fund)
        return fund;
    tf_diag_clear(&diag);
    if (tf_fund_open(&fund, srv->db_path, &diag)) {
        fprintf(stderr, "tfund: serve: %s\n", diag.msg);
        return NULL;
    }
    pthread_setspecific(fund_key, fund);
    return fund;
}

/* ---- The state of one request ------------------------------------------ */

struct conn_state {
    struct web_request rq;
    const struct web_route *route;
    struct MHD_PostProcessor *pp;
    size_t limit, received, fields_cap;
    int too_large, bad_body;
    char method[16];
    char *path;
};

const char *web_query(struct web_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_field(struct web_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nfields; i++)
        if (!strcmp(rq->fields[i].name, name) && !rq->fields[i].filename)
            return rq->fields[i].value;
    return NULL;
}

const struct web_field *web_file(struct web_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nfields; i++)
        if (!strcmp(rq->fields[i].name, name) && rq->fields[i].filename)
            return &rq->fields[i];
    return NULL;
}

static void close_body(struct web_request *rq)
{
    if (rq->out) {
        fclose(rq->out);
        rq->out = NULL;
    }
    free(rq->body);
    rq->body = NULL;
    rq->body_len = 0;
    rq->file_body = 0;
}

FILE *web_begin(struct web_request *rq, int status, const char *content_type)
{
    close_body(rq);
    rq->status = status;
    snprintf(rq->content_type, sizeof(rq->content_type), "%s", content_type);
    rq->out = open_memstream(&rq->body, &rq->body_len);
    return rq->out;
}

FILE *web_begin_file(struct web_request *rq, int status,
                     const char *content_type)
{
    close_body(rq);
    rq->status = status;
    snprintf(rq->content_type, sizeof(rq->content_type), "%s", content_type);
    rq->out = tmpfile();
    rq->file_body = rq->out != NULL;
    return rq->out;
}

int web_redirect(struct web_request *rq, const char *path, const char *seg,
                 const char *tail)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len;

    close_body(rq);
    rq->status = 303;
    len = (size_t)snprintf(rq->location, sizeof(rq->location), "%s", path);
    for (const unsigned char *p = (const unsigned char *)(seg ? seg : "");
         *p && len + 4 < sizeof(rq->location); p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            rq->location[len++] = (char)*p;
        } else {
            rq->location[len++] = '%';
            rq->location[len++] = hex[*p >> 4];
            rq->location[len++] = hex[*p & 15];
        }
    }
    rq->location[len] = '\0';
    if (tail)
        snprintf(rq->location + len, sizeof(rq->location) - len, "%s", tail);
    return 0;
}

int web_send_file(struct web_request *rq, int fd, long long size,
                  const char *content_type, const char *filename)
{
    close_body(rq);
    if (rq->fd >= 0)
        close(rq->fd);
    rq->status = 200;
    rq->fd = fd;
    rq->fd_size = size;
    snprintf(rq->content_type, sizeof(rq->content_type), "%s", content_type);
    /* The name is made by the program from an id (letters, digits, '.',
     * '_', '-'), so it needs no quoting beyond the quotes. */
    snprintf(rq->disposition, sizeof(rq->disposition),
             "attachment; filename=\"%s\"", filename);
    return 0;
}

void web_flash(struct web_request *rq, const char *fmt, ...)
{
    char msg[WEB_FLASH_MAX];
    va_list ap;

    if (!rq->has_session)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    web_session_flash(rq->server->sessions, rq->session.id, msg);
}

void web_set_session_cookie(struct web_request *rq, const char *id)
{
    if (id && *id)
        snprintf(rq->cookie, sizeof(rq->cookie),
                 "tfund_session=%s; Path=/; HttpOnly; SameSite=Strict%s", id,
                 rq->tls ? "; Secure" : "");
    else
        snprintf(rq->cookie, sizeof(rq->cookie),
                 "tfund_session=; Path=/; Max-Age=0; HttpOnly; "
                 "SameSite=Strict%s",
                 rq->tls ? "; Secure" : "");
}

/* ---- Answering ------------------------------------------------------- */

static void add_header(struct MHD_Response *resp, const char *name,
                       const char *value)
{
    if (value && *value)
        MHD_add_response_header(resp, name, value);
}

static enum MHD_Result respond(struct conn_state *st)
{
    struct web_request *rq = &st->rq;
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret;
    int status = rq->status ? rq->status : 500;

    if (rq->fd >= 0) {
        resp = MHD_create_response_from_fd64((uint64_t)rq->fd_size, rq->fd);
        if (resp)
            rq->fd = -1; /* closed by libmicrohttpd */
    } else if (rq->out && rq->file_body) {
        int fd = -1;
        off_t size = -1;
        if (fflush(rq->out) == 0 && !ferror(rq->out)) {
            size = ftello(rq->out);
            fd = dup(fileno(rq->out));
        }
        fclose(rq->out);
        rq->out = NULL;
        if (fd >= 0 && size >= 0 && lseek(fd, 0, SEEK_SET) == 0)
            resp = MHD_create_response_from_fd64((uint64_t)size, fd);
        else if (fd >= 0)
            close(fd);
    } else if (rq->out) {
        int bad = ferror(rq->out);
        if (fclose(rq->out) == 0 && !bad) {
            resp = MHD_create_response_from_buffer(rq->body_len, rq->body,
                                                   MHD_RESPMEM_MUST_FREE);
            if (resp)
                rq->body = NULL;
        }
        rq->out = NULL;
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        static const char failed[] = "500 the answer could not be made\n";
        status = 500;
        rq->content_type[0] = '\0';
        rq->location[0] = '\0';
        rq->disposition[0] = '\0';
        resp = MHD_create_response_from_buffer(
            sizeof(failed) - 1, (void *)failed, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        add_header(resp, "Content-Type", "text/plain; charset=utf-8");
    }
    add_header(resp, "Content-Type", rq->content_type);
    add_header(resp, "Content-Security-Policy", "default-src 'self'");
    add_header(resp, "X-Content-Type-Options", "nosniff");
    add_header(resp, "X-Frame-Options", "DENY");
    add_header(resp, "Referrer-Policy", "same-origin");
    add_header(resp, "Cache-Control",
               rq->cacheable ? "public, max-age=3600" : "no-store");
    if (rq->tls)
        add_header(resp, "Strict-Transport-Security", "max-age=31536000");
    add_header(resp, "Location", rq->location);
    add_header(resp, "Content-Disposition", rq->disposition);
    add_header(resp, "Set-Cookie", rq->cookie);
    ret = MHD_queue_response(rq->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result refuse(struct conn_state *st, int status)
{
    static const struct {
        int status;
        const char *title, *msg;
    } msgs[] = {
        {400, "Bad request", "The request could not be read."},
        {401, "Not logged in", "Log in to see this page."},
        {403, "Not allowed", "Your roles do not allow this page."},
        {404, "Not found", "There is no such page."},
        {405, "Method not allowed", "This page does not take that method."},
        {413, "Too large",
         "What was sent is larger than this page accepts (64 KiB for a "
         "form, 8 MiB for a file)."},
        {500, "Server error", "The server could not answer."},
    };
    const char *title = "Error", *msg = "";

    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
        if (msgs[i].status == status) {
            title = msgs[i].title;
            msg = msgs[i].msg;
        }
    page_message(&st->rq, status, title, msg);
    return respond(st);
}

/* ---- The user ------------------------------------------------------- */

static int copy_user(void *ctx, const tf_user *u)
{
    struct web_user *w = ctx;

    if (u->disabled)
        return 1;
    snprintf(w->id, sizeof(w->id), "%s", u->id);
    snprintf(w->name, sizeof(w->name), "%s", u->name);
    snprintf(w->donor, sizeof(w->donor), "%s", u->donor ? u->donor : "");
    w->roles = u->roles;
    return 1;
}

/* Reads the session's user from the fund: 0 when it is an active user,
 * -1 when it is gone or disabled, -2 when the fund could not say. */
static int load_user(struct web_request *rq)
{
    tf_diag diag;
    tf_error err;

    memset(&rq->user, 0, sizeof(rq->user));
    rq->logged_in = 0;
    if (!rq->has_session || !rq->session.user[0] || !rq->fund)
        return -1;
    tf_diag_clear(&diag);
    err = tf_user_each(rq->fund, rq->session.user, copy_user, &rq->user, &diag);
    if (err && err != TF_ERR_NOTFOUND) {
        fprintf(stderr, "tfund: serve: %s\n", diag.msg);
        memset(&rq->user, 0, sizeof(rq->user));
        return -2;
    }
    if (err || !rq->user.id[0]) {
        memset(&rq->user, 0, sizeof(rq->user));
        return -1;
    }
    rq->logged_in = 1;
    return 0;
}

/* ---- Who acts, and what they did ----------------------------------------- */

/* The command an event of a POST records: the method, the path and the
 * form's fields as name=value, each quoted as for a shell, without the
 * CSRF token and with any password as '***'; an uploaded file as
 * file=@NAME (N bytes). A newly allocated string, or NULL. */
char *web_command_text(const struct web_request *rq)
{
    static const char *const secret[] = {"password", NULL};
    char **argv = calloc(rq->nfields + 2, sizeof(char *));
    char *text = NULL, *line;
    int argc = 0, ok = argv != NULL;

    if (!ok)
        return NULL;
    argv[argc++] = (char *)rq->method;
    argv[argc++] = (char *)rq->path;
    for (size_t i = 0; ok && i < rq->nfields; i++) {
        const struct web_field *f = &rq->fields[i];
        size_t size;
        char *arg;
        if (!strcmp(f->name, "csrf"))
            continue;
        size = strlen(f->name) + 2 +
               (f->filename ? strlen(f->filename) + 32 : strlen(f->value));
        if (!(arg = malloc(size))) {
            ok = 0;
            break;
        }
        if (f->filename)
            snprintf(arg, size, "%s=@%s (%zu bytes)", f->name, f->filename,
                     f->len);
        else
            snprintf(arg, size, "%s=%s", f->name, f->value);
        argv[argc++] = arg;
    }
    if (ok && (line = tf_audit_command_line(argc, argv, secret))) {
        /* "tfund POST /path ...": the method leads. */
        text = strdup(line + strlen("tfund "));
        free(line);
    }
    for (int i = 2; i < argc; i++)
        free(argv[i]);
    free(argv);
    return text;
}

/* The fund handle of this worker acts for the user of the request, under
 * the request's command: every event a POST appends names them. A request
 * without a user (the login form) writes nothing; its handle goes back to
 * the process's login, which only a write would look up. */
static int set_actor(struct web_request *rq)
{
    char *command = NULL;
    tf_diag diag;

    tf_diag_clear(&diag);
    if (!strcmp(rq->method, "POST") && !(command = web_command_text(rq)))
        return -1;
    if (tf_audit_set_actor(rq->fund, rq->logged_in ? rq->user.id : NULL,
                           &diag) ||
        tf_audit_set_command(rq->fund, command, &diag)) {
        free(command);
        return -1;
    }
    free(command);
    return 0;
}

/* ---- The request's way through --------------------------------------- */

static enum MHD_Result dispatch(struct conn_state *st)
{
    struct web_request *rq = &st->rq;

    rq->status = 0;
    if (set_actor(rq))
        return refuse(st, 500);
    st->route->fn(rq);
    /* A page never leaves a transaction open. */
    tf_fund_rollback(rq->fund);
    return respond(st);
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
    struct conn_state *st = cls;
    struct web_request *rq = &st->rq;
    struct web_field *f;

    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    if (!key)
        return MHD_YES;
    if (off == 0 || rq->nfields == 0) {
        if (rq->nfields == FIELDS_MAX) {
            st->bad_body = 1;
            return MHD_NO;
        }
        if (rq->nfields == st->fields_cap) {
            size_t cap = st->fields_cap ? 2 * st->fields_cap : 8;
            struct web_field *grown = realloc(rq->fields, cap * sizeof(*grown));
            if (!grown) {
                st->bad_body = 1;
                return MHD_NO;
            }
            rq->fields = grown;
            st->fields_cap = cap;
        }
        f = &rq->fields[rq->nfields++];
        memset(f, 0, sizeof(*f));
        f->name = strdup(key);
        f->filename = filename ? strdup(filename) : NULL;
        f->value = calloc(1, 1);
        if (!f->name || !f->value || (filename && !f->filename)) {
            st->bad_body = 1;
            return MHD_NO;
        }
    }
    f = &rq->fields[rq->nfields - 1];
    if (size) {
        char *grown;
        if (f->len + size > st->limit) {
            st->too_large = 1;
            return MHD_NO;
        }
        grown = realloc(f->value, f->len + size + 1);
        if (!grown) {
            st->bad_body = 1;
            return MHD_NO;
        }
        memcpy(grown + f->len, data, size);
        f->len += size;
        grown[f->len] = '\0';
        f->value = grown;
    }
    return MHD_YES;
}

/* The first call: headers only. */
static enum MHD_Result start(struct conn_state *st)
{
    struct web_request *rq = &st->rq;
    struct web_server *srv = rq->server;
    const char *cookie, *length;
    int code, user = 0;

    rq->fund = worker_fund(srv);
    code = web_route_match(web_routes, web_nroutes, rq->method, rq->path,
                           &st->route, rq->params, &rq->nparams);
    cookie =
        MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "tfund_session");
    rq->has_session = cookie && web_session_find(srv->sessions, cookie,
                                                 time(NULL), &rq->session) == 0;
    if (rq->has_session && rq->session.user[0] &&
        (user = load_user(rq)) == -1) {
        /* Its user was disabled: the session ends. */
        web_session_destroy(srv->sessions, rq->session.id);
        rq->has_session = 0;
        web_set_session_cookie(rq, NULL);
    }
    if (!rq->fund || user == -2)
        return refuse(st, 500);
    if (code)
        return refuse(st, code);
    if (!(st->route->flags & WEB_PUBLIC)) {
        if (!rq->logged_in)
            return refuse(st, 401);
        if (!(rq->user.roles & st->route->roles))
            return refuse(st, 403);
        if ((st->route->flags & WEB_DONOR_SELF) &&
            (rq->user.roles & TF_ROLE_DONOR) &&
            (rq->nparams < 1 || strcmp(rq->params[0], rq->user.donor)))
            return refuse(st, 403);
    }
    if (strcmp(rq->method, "POST"))
        return dispatch(st);

    st->limit = st->route->flags & WEB_UPLOAD ? WEB_UPLOAD_MAX : WEB_FORM_MAX;
    length = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
                                         MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        char *end;
        unsigned long long n;
        errno = 0;
        n = strtoull(length, &end, 10);
        if (errno || *end || end == length || n > st->limit)
            return refuse(st, 413);
    }
    /* NULL for a body that is not a form: it then carries no CSRF token. */
    st->pp = MHD_create_post_processor(rq->conn, 16 * 1024, on_field, st);
    return MHD_YES;
}

/* The last call of a POST: the body has been read. */
static enum MHD_Result finish(struct conn_state *st)
{
    struct web_request *rq = &st->rq;

    if (st->pp) {
        MHD_destroy_post_processor(st->pp);
        st->pp = NULL;
    }
    if (st->too_large)
        return refuse(st, 413);
    if (st->bad_body)
        return refuse(st, 400);
    if (!rq->has_session || !web_csrf_ok(&rq->session, web_field(rq, "csrf"))) {
        page_message(rq, 403, "Form expired",
                     "The form had no valid token: it has expired or did "
                     "not come from this site. Reload the page and send it "
                     "again.");
        return respond(st);
    }
    return dispatch(st);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct web_server *srv = cls;
    struct conn_state *st = *con_cls;
    const union MHD_ConnectionInfo *info;

    (void)version;
    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st)
            return MHD_NO;
        *con_cls = st;
        snprintf(st->method, sizeof(st->method), "%s", method);
        st->path = strdup(url);
        if (!st->path)
            return MHD_NO;
        st->rq.method = st->method;
        st->rq.path = st->path;
        st->rq.conn = conn;
        st->rq.server = srv;
        st->rq.fd = -1;
        info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
        st->rq.tls = srv->tls && info;
        /* A POST is checked before its body is read; other requests are
         * answered at the next call, once libmicrohttpd has the whole
         * request (an answer queued earlier closes the connection). */
        if (!strcmp(st->method, "POST"))
            return start(st);
        return MHD_YES;
    }
    if (strcmp(st->method, "POST")) {
        if (*upload_data_size) {
            /* A body where none belongs is not read, nor kept for long. */
            st->received += *upload_data_size;
            *upload_data_size = 0;
            return st->received > WEB_FORM_MAX ? MHD_NO : MHD_YES;
        }
        return start(st);
    }
    if (*upload_data_size) {
        st->received += *upload_data_size;
        if (st->received > st->limit) {
            /* A body without a Content-Length that grows past the limit:
             * nothing of it is kept, and the connection is dropped. */
            st->too_large = 1;
            return MHD_NO;
        }
        if (st->pp && !st->too_large && !st->bad_body &&
            MHD_post_process(st->pp, upload_data, *upload_data_size) != MHD_YES)
            st->bad_body = st->too_large ? 0 : 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return finish(st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *st = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (!st)
        return;
    if (st->pp)
        MHD_destroy_post_processor(st->pp);
    for (size_t i = 0; i < st->rq.nfields; i++) {
        free(st->rq.fields[i].name);
        free(st->rq.fields[i].value);
        free(st->rq.fields[i].filename);
    }
    free(st->rq.fields);
    if (st->rq.out)
        fclose(st->rq.out);
    free(st->rq.body);
    if (st->rq.fd >= 0)
        close(st->rq.fd);
    free(st->path);
    explicit_bzero(&st->rq.session, sizeof(st->rq.session));
    free(st);
    *con_cls = NULL;
}

/* ---- Starting and stopping ------------------------------------------- */

static void on_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("tfund: serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Parses "ADDR:PORT" or "[ADDR6]:PORT" into addr; *loopback tells whether
 * it is a loopback address. Returns 0, or -1 with why in msg. */
static int parse_listen(const char *text, struct sockaddr_storage *addr,
                        socklen_t *len, int *loopback, char *msg, size_t size)
{
    char host[128];
    const char *colon, *port_text;
    unsigned long port;
    char *end;

    memset(addr, 0, sizeof(*addr));
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' ||
            (size_t)(close - text - 1) >= sizeof(host))
            goto bad;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        port_text = close + 2;
    } else {
        colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof(host))
            goto bad;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port_text = colon + 1;
    }
    errno = 0;
    port = strtoul(port_text, &end, 10);
    if (!*port_text || *end || errno || port > 65535)
        goto bad;
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    {
        struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
            a4->sin_family = AF_INET;
            a4->sin_port = htons((uint16_t)port);
            *len = sizeof(*a4);
            *loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
            return 0;
        }
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
            a6->sin6_family = AF_INET6;
            a6->sin6_port = htons((uint16_t)port);
            *len = sizeof(*a6);
            *loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr) ||
                        (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr) &&
                         a6->sin6_addr.s6_addr[12] == 127);
            return 0;
        }
    }
bad:
    snprintf(msg, size,
             "--listen '%s' is not ADDR:PORT (an IPv4 address, or an IPv6 "
             "one in brackets, and a port 0-65535)",
             text);
    return -1;
}

/* Reads a PEM file of at most 1 MiB into a new NUL-terminated buffer. */
static char *read_pem(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;

    if (!fp)
        return NULL;
    buf = malloc(1024 * 1024 + 1);
    if (buf)
        n = fread(buf, 1, 1024 * 1024, fp);
    if (buf && (ferror(fp) || !feof(fp) || n == 0)) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int web_serve(const struct web_options *opt)
{
    struct sockaddr_storage addr;
    struct web_server srv;
    struct MHD_OptionItem ops[12];
    struct MHD_Daemon *daemon;
    const union MHD_DaemonInfo *info;
    char msg[256], *cert = NULL, *key = NULL;
    unsigned flags;
    socklen_t addrlen = 0;
    int loopback = 0, n = 0, sig = 0, rc = 0;
    sigset_t set;

    memset(&srv, 0, sizeof(srv));
    srv.db_path = opt->db_path;
    if (parse_listen(opt->listen, &addr, &addrlen, &loopback, msg,
                     sizeof(msg))) {
        fprintf(stderr, "tfund: %s\n", msg);
        return 2;
    }
    if (!opt->tls_cert != !opt->tls_key) {
        fprintf(stderr, "tfund: HTTPS needs both --tls-cert and --tls-key\n");
        return 2;
    }
    srv.tls = opt->tls_cert != NULL;
    if (!loopback && !srv.tls && !opt->insecure_remote) {
        fprintf(stderr,
                "tfund: refusing to serve '%s' without TLS: passwords and "
                "the books would cross the network in clear; give "
                "--tls-cert and --tls-key, or --insecure-remote behind a "
                "TLS proxy\n",
                opt->listen);
        return 2;
    }
    if (srv.tls) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            fprintf(stderr, "tfund: this libmicrohttpd has no TLS\n");
            return 3;
        }
        if (!(cert = read_pem(opt->tls_cert))) {
            fprintf(stderr, "tfund: cannot read the certificate '%s'\n",
                    opt->tls_cert);
            return 2;
        }
        if (!(key = read_pem(opt->tls_key))) {
            fprintf(stderr, "tfund: cannot read the key '%s'\n", opt->tls_key);
            free(cert);
            return 2;
        }
    }
    srv.sessions = web_sessions_new(SESSIONS_MAX);
    /* Parts of pages, while the books stay as they were: a few dozen
     * pages' worth. */
    srv.cache = web_cache_new(CACHE_ENTRIES, CACHE_BYTES);
    if (!srv.sessions || !srv.cache) {
        fprintf(stderr, "tfund: out of memory\n");
        rc = 3;
        goto done;
    }

    /* The workers inherit this mask: the signals come to sigwait below. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &addr};
    ops[n++] = (struct MHD_OptionItem){
        MHD_OPTION_THREAD_POOL_SIZE, opt->threads > 0 ? opt->threads : 4, NULL};
    /* Slow or idle clients are dropped after 30 s; connections are
     * limited in all and per address. */
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 256, NULL};
    ops[n++] =
        (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                       64 * 1024, NULL};
    if (srv.tls) {
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
    }
    ops[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (srv.tls)
        flags |= MHD_USE_TLS;
    daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &srv,
                              MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
                              MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "tfund: cannot listen on '%s'\n", opt->listen);
        rc = 3;
        goto done;
    }
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    {
        char host[INET6_ADDRSTRLEN] = "";
        if (addr.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr,
                      host, sizeof(host));
        else
            inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host,
                      sizeof(host));
        fprintf(opt->announce ? opt->announce : stdout,
                "tfund: serving '%s' on %s://%s%s%s:%u/\n", opt->db_path,
                srv.tls ? "https" : "http",
                addr.ss_family == AF_INET6 ? "[" : "", host,
                addr.ss_family == AF_INET6 ? "]" : "",
                info ? (unsigned)info->port : 0u);
        fflush(opt->announce ? opt->announce : stdout);
    }
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        ; /* a closed terminal does not stop the server */
    MHD_stop_daemon(daemon);
    fprintf(stderr, "tfund: serve: stopped\n");
done:
    web_sessions_free(srv.sessions);
    web_cache_free(srv.cache);
    if (key) {
        explicit_bzero(key, strlen(key));
        free(key);
    }
    free(cert);
    return rc;
}
