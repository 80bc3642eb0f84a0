/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

const char *cli_db_path;
const struct tf_cmd *cli_current;
const char *cli_current_form;

/*
 * text as it may be shown on a terminal: control characters (C0, DEL and
 * the two-byte C1 of UTF-8) written as \xNN, so that no text from the
 * books or from a command line (a fund written before text was checked,
 * a reference typed with an escape in it) can move the cursor, retitle
 * the window or clear the screen. A new string (NULL when out of memory).
 */
static char *shown(const char *text)
{
    size_t n = 0;
    char *out, *o;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        n += (*p < 0x20 || *p == 0x7f ||
              (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
                 ? 8
                 : 1;
    if (!(out = malloc(n + 1)))
        return NULL;
    o = out;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            o += sprintf(o, "\\x%02x", *p);
        } else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            o += sprintf(o, "\\xc2\\x%02x", p[1]);
            p++;
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return out;
}

int cli_fail(tf_error err, const tf_diag *diag)
{
    char msg[1024];

    if (diag && diag->msg[0] && diag->file &&
        !strcmp(diag->file, CLI_ARGS_NAME)) {
        /* One-row imports from options: name the option, not a column. */
        const char *m = diag->msg;
        if (!strncmp(m, "column '", 8)) {
            const char *end = strchr(m + 8, '\'');
            if (end && end[1] == ':') {
                fprintf(stderr, "tfund: --");
                for (const char *p = m + 8; p < end; p++)
                    fputc(*p == '_' ? '-' : *p, stderr);
                char *safe = shown(end + 2);
                fprintf(stderr, ":%s\n", safe ? safe : end + 2);
                free(safe);
                return tf_exit_status(err);
            }
        }
        if (!strncmp(m, "missing column '", 16)) {
            const char *end = strchr(m + 16, '\'');
            fprintf(stderr, "tfund: missing --");
            for (const char *p = m + 16; end && p < end; p++)
                fputc(*p == '_' ? '-' : *p, stderr);
            fputc('\n', stderr);
            return tf_exit_status(err);
        }
        snprintf(msg, sizeof(msg), "%s", m);
    } else if (diag && diag->msg[0])
        tf_diag_format(diag, msg, sizeof(msg));
    else
        snprintf(msg, sizeof(msg), "%s", tf_strerror(err));
    {
        char *safe = shown(msg);
        fprintf(stderr, "tfund: %s\n", safe ? safe : msg);
        free(safe);
    }
    return tf_exit_status(err);
}

/* Where a usage line starts: after "usage: " or the spaces that line up
 * the next forms under it. */
static const char *form_start(const char *line, const char *end)
{
    if ((size_t)(end - line) > 7 && !strncmp(line, "usage: ", 7))
        return line + 7;
    while (line < end && *line == ' ')
        line++;
    return line;
}

/* The usage lines of the form a mistaken command line was aiming at
 * ("tfund allocation approve ..." for 'allocation approve x'), with the
 * lines that continue it; the command's first form when form names none
 * of them. */
static void usage_of_form(const struct tf_cmd *c, const char *form, FILE *out)
{
    const char *u = c->usage, *from = NULL, *to = NULL;
    size_t name = strlen(c->name), flen = form ? strlen(form) : 0;

    for (const char *line = u; *line && line[0] != '\n';) {
        const char *end = strchr(line, '\n');
        const char *f;
        if (!end)
            end = line + strlen(line);
        f = form_start(line, end);
        if (!strncmp(f, "tfund ", 6)) {
            if (from) /* the next form ends the one found */
                break;
            if (flen && !strncmp(f + 6, c->name, name) && f[6 + name] == ' ' &&
                !strncmp(f + 7 + name, form, flen) &&
                (f[7 + name + flen] == ' ' || f[7 + name + flen] == '\n' ||
                 !f[7 + name + flen]))
                from = f;
        }
        if (from)
            to = end;
        line = *end ? end + 1 : end;
    }
    if (!from) {
        const char *nl = strchr(u, '\n');
        fprintf(out, "%.*s\n", nl ? (int)(nl - u) : (int)strlen(u), u);
        return;
    }
    /* "usage: " in front, the continuation lines kept as they are
     * (indented under the form in the help, a few columns further here:
     * they still read as one). */
    fprintf(out, "usage: %.*s\n", (int)(to - from), from);
}

int cli_parse_id(const char *text, int64_t *id)
{
    char *end;

    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    *id = strtoll(text, &end, 10);
    return *end || errno == ERANGE || *id <= 0 ? -1 : 0;
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;

    fputs("tfund: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cli_current) {
        usage_of_form(cli_current, cli_current_form, stderr);
        fprintf(stderr, "(see 'tfund help %s')\n", cli_current->name);
    }
    return 2;
}

void cli_write_usage(FILE *out, const struct tf_cmd *c)
{
    fputs(c->usage, out);
    if (c == &cmd_import)
        cli_import_help(out);
}

int cli_help(void)
{
    cli_write_usage(stdout, cli_current);
    return 0;
}

long long cli_parse_count(const char *s)
{
    long long v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return -1;
    for (; *s; s++)
        v = v * 10 + (*s - '0');
    return v;
}

int cli_db_is_dir(void)
{
    struct stat st;

    if (stat(cli_db_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "tfund: '%s' is a directory: --db (or $TFUND_DB) names the "
                "fund's file, such as '%s/fund.db'\n",
                cli_db_path, cli_db_path);
        return 2;
    }
    return 0;
}

int cli_open(tf_fund **fund)
{
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_db_is_dir()))
        return rc;
    tf_diag_clear(&diag);
    err = tf_fund_open(fund, cli_db_path, &diag);
    if (err)
        return cli_fail(err, &diag);
    /* In a team fund only a user with the command's role goes on. */
    if ((rc = cli_authorize(*fund))) {
        tf_fund_close(*fund);
        *fund = NULL;
    }
    return rc;
}

tf_error cli_begin(tf_fund *fund, tf_diag *diag)
{
    if (!cli_current || !cli_writes(cli_current))
        return tf_diag_set(diag, TF_ERR_DB, "'%s' is not a command that writes",
                           cli_current ? cli_current->name : "?");
    return tf_fund_begin(fund, diag);
}

tf_error cli_finish(tf_fund *fund, tf_error err, tf_diag *diag)
{
    /* What the command printed goes out before the commit: output that
     * cannot be written (a closed pipe, a full disk) fails the command,
     * which then writes nothing (DESIGN.md section 10). */
    if (!err && (fflush(stdout) != 0 || ferror(stdout)))
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write the output: %s",
                          strerror(errno ? errno : EIO));
    if (err) {
        tf_fund_rollback(fund);
        return err;
    }
    return tf_fund_commit(fund, diag);
}

int cli_progress_wanted(void)
{
    return isatty(STDERR_FILENO);
}

int cli_parse_format(const char *s, cli_format *out)
{
    if (!strcmp(s, "text"))
        *out = CLI_TEXT;
    else if (!strcmp(s, "csv"))
        *out = CLI_CSV;
    else if (!strcmp(s, "json"))
        *out = CLI_JSON;
    else
        return -1;
    return 0;
}

/* ---- Tables --------------------------------------------------------- */

struct cli_table {
    cli_format fmt;
    FILE *out;
    const char *const *cols;
    const char *kinds;
    size_t ncols, nrows, cap;
    char **cells; /* text: gathered rows */
    int first;
};

cli_table *cli_table_new(cli_format fmt, FILE *out, const char *const *cols,
                         const char *kinds)
{
    cli_table *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->fmt = fmt;
    t->out = out;
    t->cols = cols;
    t->kinds = kinds;
    t->ncols = strlen(kinds);
    t->first = 1;
    if (fmt == CLI_CSV) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', out);
            tf_csv_put(out, cols[i], 0);
        }
        fputc('\n', out);
    } else if (fmt == CLI_JSON) {
        fputc('[', out);
    }
    return t;
}

static void json_row(cli_table *t, const char *const *cells)
{
    json_t *obj = json_object();
    char *text;

    for (size_t i = 0; i < t->ncols; i++) {
        const char *c = cells[i] ? cells[i] : "";
        json_t *v;
        if (t->kinds[i] == 'i' && *c)
            v = json_integer(strtoll(c, NULL, 10));
        else
            v = json_string(c);
        /* Invalid UTF-8 cannot come from the books; keep the key anyway. */
        json_object_set_new(obj, t->cols[i], v ? v : json_null());
    }
    text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT);
    fprintf(t->out, "%s\n  %s", t->first ? "" : ",", text ? text : "{}");
    free(text);
    json_decref(obj);
}

/* An amount as people read it, digits grouped by three ("1234567.50" is
 * "1,234,567.50"), so that every table for people groups alike; text that
 * is not a plain decimal is kept as it is. A new string. */
static char *grouped(const char *a)
{
    size_t lead = a[0] == '-', digits = strspn(a + lead, "0123456789");
    const char *rest = a + lead + digits;
    char *out, *o;

    if (!digits || (*rest && (*rest != '.' || strspn(rest + 1, "0123456789") !=
                                                  strlen(rest + 1))))
        return strdup(a);
    out = malloc(strlen(a) + digits / 3 + 1);
    if (!out)
        return NULL;
    o = out;
    if (lead)
        *o++ = '-';
    for (size_t i = 0; i < digits; i++) {
        if (i && (digits - i) % 3 == 0)
            *o++ = ',';
        *o++ = a[lead + i];
    }
    strcpy(o, rest);
    return out;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    if (!t)
        return;
    if (t->fmt == CLI_CSV) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (i)
                fputc(',', t->out);
            tf_csv_put(t->out, cells[i] ? cells[i] : "", t->kinds[i] == 's');
        }
        fputc('\n', t->out);
    } else if (t->fmt == CLI_JSON) {
        json_row(t, cells);
    } else {
        if (t->nrows == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 64;
            char **grown = realloc(t->cells, cap * t->ncols * sizeof(char *));
            if (!grown)
                return;
            t->cells = grown;
            t->cap = cap;
        }
        for (size_t i = 0; i < t->ncols; i++)
            t->cells[t->nrows * t->ncols + i] =
                t->kinds[i] == 'a' ? grouped(cells[i] ? cells[i] : "")
                                   : shown(cells[i] ? cells[i] : "");
        t->nrows++;
    }
    t->first = 0;
}

/* Display width of UTF-8 text: code points, close enough for tables. */
static size_t width(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

int cli_table_end(cli_table *t)
{
    int rc;

    if (!t)
        return -1;
    if (t->fmt == CLI_JSON) {
        fputs(t->first ? "]\n" : "\n]\n", t->out);
    } else if (t->fmt == CLI_TEXT) {
        size_t *w = calloc(t->ncols, sizeof(size_t));
        for (size_t i = 0; w && i < t->ncols; i++) {
            w[i] = width(t->cols[i]);
            for (size_t r = 0; r < t->nrows; r++) {
                const char *c = t->cells[r * t->ncols + i];
                if (c && width(c) > w[i])
                    w[i] = width(c);
            }
        }
        for (size_t r = 0; w && r <= t->nrows; r++) {
            for (size_t i = 0; i < t->ncols; i++) {
                const char *c =
                    r == 0 ? t->cols[i] : t->cells[(r - 1) * t->ncols + i];
                size_t pad = w[i] - width(c ? c : "");
                int right = t->kinds[i] != 's';
                if (i)
                    fputs("  ", t->out);
                if (right)
                    fprintf(t->out, "%*s", (int)pad, "");
                fputs(c ? c : "", t->out);
                if (!right && i + 1 < t->ncols)
                    fprintf(t->out, "%*s", (int)pad, "");
            }
            fputc('\n', t->out);
        }
        free(w);
        for (size_t k = 0; k < t->nrows * t->ncols; k++)
            free(t->cells[k]);
        free(t->cells);
    }
    rc = (fflush(t->out) != 0 || ferror(t->out)) ? -1 : 0;
    free(t);
    return rc;
}

/*
 * The command line a command reads its options from is put in order once
 * (order_args): its options with their values first, then "--" if it was
 * given, then its arguments, which getopt_long is then never shown. So a
 * negative number ("-5.00", "-0.1") is always an argument or an option's
 * value, never taken for an option, and the arguments keep their order.
 */
static struct {
    char **argv;             /* the vector put in order */
    int end;                 /* getopt_long reads argv[1..end) */
    unsigned char seen[128]; /* the options met so far, by letter */
    char why[160];           /* why the last option was refused */
} cl;

static int is_number(const char *a)
{
    return a[0] == '-' && ((a[1] >= '0' && a[1] <= '9') ||
                           (a[1] == '.' && a[2] >= '0' && a[2] <= '9'));
}

/* The long option named by the len bytes at name: its exact name, or the
 * one option it begins (as getopt_long reads abbreviations). */
static const struct option *long_option(const struct option *opts,
                                        const char *name, size_t len)
{
    const struct option *found = NULL;
    int n = 0;

    for (const struct option *o = opts; o->name; o++) {
        if (strncmp(o->name, name, len))
            continue;
        if (strlen(o->name) == len)
            return o;
        found = o;
        n++;
    }
    return n == 1 ? found : NULL;
}

static const struct option *short_option(const struct option *opts, int c)
{
    for (const struct option *o = opts; o->name; o++)
        if (o->val == c)
            return o;
    return NULL;
}

static void order_args(int argc, char **argv, const struct option *opts)
{
    char **ordered = calloc((size_t)argc + 1, sizeof(*ordered));
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    char *dashes = NULL;
    int nopt = 1, nrest = 0;

    cl.argv = argv;
    cl.end = argc;
    memset(cl.seen, 0, sizeof(cl.seen));
    cl.why[0] = '\0';
    if (!ordered || !rest)
        goto done; /* read as getopt_long would */
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];

        if (dashes || a[0] != '-' || a[1] == '\0' || is_number(a)) {
            rest[nrest++] = a;
        } else if (!strcmp(a, "--")) {
            dashes = a;
        } else if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            const struct option *o = long_option(
                opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));

            ordered[nopt++] = a;
            if (o && o->has_arg == required_argument && !eq && i + 1 < argc)
                ordered[nopt++] = argv[++i];
        } else {
            ordered[nopt++] = a;
            for (const char *p = a + 1; *p; p++) {
                const struct option *o = short_option(opts, *p);

                if (o && o->has_arg == required_argument) {
                    if (!p[1] && i + 1 < argc)
                        ordered[nopt++] = argv[++i];
                    break;
                }
            }
        }
    }
    if (dashes)
        ordered[nopt++] = dashes;
    cl.end = nopt;
    memcpy(argv + 1, ordered + 1, (size_t)(nopt - 1) * sizeof(*argv));
    memcpy(argv + nopt, rest, (size_t)nrest * sizeof(*argv));
done:
    free(ordered);
    free(rest);
}

/* Options whose every value is kept: verify --expect ENTRY:HASH and
 * --expect event:SEQ:HASH. */
static int repeatable(const char *name)
{
    static const char *const names[] = {"expect", NULL};

    for (size_t i = 0; names[i]; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
    /* Every long option has the short form of its letter. */
    char shorts[64];
    size_t n = 0;
    int c;

    for (const struct option *o = opts; o->name && n + 3 < sizeof(shorts);
         o++) {
        shorts[n++] = (char)o->val;
        if (o->has_arg == required_argument)
            shorts[n++] = ':';
    }
    shorts[n] = '\0';
    opterr = 0;
    if (optind == 0 || argv != cl.argv)
        order_args(argc, argv, opts);
    c = getopt_long(cl.end, argv, shorts, opts, NULL);
    /* An option given twice is refused rather than one of its values
     * silently kept; the few options that gather their values
     * (repeatable) are counted by their commands. */
    if (c > 0 && c < 128 && c != '?' && c != ':' && c != 'h') {
        const struct option *o = short_option(opts, c);

        if (cl.seen[c] && !(o && repeatable(o->name))) {
            snprintf(cl.why, sizeof(cl.why), "option --%s is given twice",
                     o ? o->name : "?");
            return '?';
        }
        cl.seen[c] = 1;
    }
    return c;
}

int cli_bad_option(char **argv)
{
    if (cl.why[0]) {
        char why[sizeof(cl.why)];

        memcpy(why, cl.why, sizeof(why));
        cl.why[0] = '\0';
        return cli_usage("%s", why);
    }
    return cli_usage("unknown option or missing value: '%s'", argv[optind - 1]);
}

struct entries_text {
    char *buf;
    size_t size, used;
    int n;
    int64_t first_id, first_rev;
    char first_kind[32];
};

static void put_entry(struct entries_text *t, const char *sep, int64_t id,
                      const char *kind, int64_t rev)
{
    int k;

    if (t->used >= t->size)
        return;
    k = snprintf(t->buf + t->used, t->size - t->used, "%s%" PRId64 " (%s%s",
                 sep, id, kind, rev ? ", reversed by entry " : ")");
    if (k > 0)
        t->used += (size_t)k;
    if (rev && t->used < t->size &&
        (k = snprintf(t->buf + t->used, t->size - t->used, "%" PRId64 ")",
                      rev)) > 0)
        t->used += (size_t)k;
}

static int got_entry(void *ctx, int64_t id, const char *kind, int64_t rev)
{
    struct entries_text *t = ctx;

    if (t->n == 0) {
        t->first_id = id;
        t->first_rev = rev;
        snprintf(t->first_kind, sizeof(t->first_kind), "%s", kind);
    } else {
        if (t->n == 1) {
            t->used = 0;
            put_entry(t, " as entries ", t->first_id, t->first_kind,
                      t->first_rev);
        }
        put_entry(t, " and ", id, kind, rev);
    }
    t->n++;
    return 0;
}

const char *cli_entries_text(tf_fund *fund, const char *ref, char *buf,
                             size_t size)
{
    struct entries_text t = {buf, size, 0, 0, 0, 0, ""};
    tf_diag diag;

    buf[0] = '\0';
    tf_diag_clear(&diag);
    if (tf_ledger_ref_entries(fund, ref, got_entry, &t, &diag)) {
        buf[0] = '\0';
        return buf;
    }
    if (t.n == 1) {
        if (t.first_rev)
            snprintf(buf, size,
                     " as entry %" PRId64 " (reversed by entry %" PRId64 ")",
                     t.first_id, t.first_rev);
        else
            snprintf(buf, size, " as entry %" PRId64, t.first_id);
    }
    return buf;
}

int cli_open_begin(tf_fund **fund, tf_error *err, tf_diag *diag)
{
    int rc = cli_open(fund);

    if (rc)
        return rc;
    tf_diag_clear(diag);
    *err = cli_begin(*fund, diag);
    return 0;
}

void cli_announce(tf_fund *fund, const char *line)
{
    tf_audit_summary(fund, "%s", line);
    printf("%s\n", line);
}

int cli_close(tf_fund *fund, tf_error err, const tf_diag *diag)
{
    tf_fund_close(fund);
    return err ? cli_fail(err, diag) : 0;
}

const struct option cli_help_opts[] = {{"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};

int cli_help_options(int argc, char **argv)
{
    int c;

    while ((c = cli_getopt(argc, argv, cli_help_opts)) != -1)
        return cli_other_option(c, argv);
    return -1;
}

int cli_format_options(int argc, char **argv, cli_format *fmt)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1)
        if ((rc = cli_shared_option(c, argv, fmt)) >= 0)
            return rc;
    return -1;
}

int cli_other_option(int c, char **argv)
{
    if (c == 'h')
        return cli_help();
    return cli_bad_option(argv);
}

int cli_shared_option(int c, char **argv, cli_format *fmt)
{
    if (c != 'f')
        return cli_other_option(c, argv);
    if (cli_parse_format(optarg, fmt))
        return cli_usage("unknown format '%s'", optarg);
    return -1;
}

int cli_check_date(const char *option, const char *date)
{
    tf_diag diag;

    tf_diag_clear(&diag);
    if (tf_date_check(date, &diag))
        return cli_usage("%s: %s", option, diag.msg);
    return 0;
}

int cli_as_of_options(int argc, char **argv, const char **as_of,
                      cli_format *fmt)
{
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    *as_of = NULL;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            *as_of = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, fmt)) >= 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    return -1;
}

void cli_table_done(cli_table *t, tf_error err)
{
    if (err)
        cli_table_free(t);
    else
        cli_table_end(t);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        free(t->cells[k]);
    free(t->cells);
    free(t);
}
