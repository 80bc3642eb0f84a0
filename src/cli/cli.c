/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

const char *cli_db_path;
const struct tf_cmd *cli_current;

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
                fprintf(stderr, ":%s\n", end + 2);
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
    fprintf(stderr, "tfund: %s\n", msg);
    return tf_exit_status(err);
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
        const char *u = cli_current->usage;
        const char *nl = strchr(u, '\n');
        fprintf(stderr, "%.*s\n", nl ? (int)(nl - u) : (int)strlen(u), u);
        fprintf(stderr, "(see 'tfund help %s')\n", cli_current->name);
    }
    return 2;
}

int cli_help(void)
{
    fputs(cli_current->usage, stdout);
    return 0;
}

int cli_open(tf_fund **fund)
{
    tf_diag diag;
    tf_error err;

    tf_diag_clear(&diag);
    err = tf_fund_open(fund, cli_db_path, &diag);
    return err ? cli_fail(err, &diag) : 0;
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
                strdup(cells[i] ? cells[i] : "");
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

int cli_getopt(int argc, char **argv, const struct option *opts)
{
    /* Every long option has the short form of its letter. */
    char shorts[64];
    size_t n = 0;

    for (const struct option *o = opts; o->name && n + 3 < sizeof(shorts);
         o++) {
        shorts[n++] = (char)o->val;
        if (o->has_arg == required_argument)
            shorts[n++] = ':';
    }
    shorts[n] = '\0';
    opterr = 0;
    return getopt_long(argc, argv, shorts, opts, NULL);
}

int cli_bad_option(char **argv)
{
    return cli_usage("unknown option or missing value: '%s'", argv[optind - 1]);
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
        case 'f':
            if (cli_parse_format(optarg, fmt))
                return cli_usage("unknown format '%s'", optarg);
            break;
        case 'h':
            return cli_help();
        default:
            return cli_bad_option(argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    return -1;
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
