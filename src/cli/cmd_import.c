/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static void show_progress(void *ctx, long rows)
{
    fprintf(stderr, "\r%s: %ld rows", (const char *)ctx, rows);
    fflush(stderr);
}

/* What the errors of one import told, for the hints after them. */
struct told {
    int progress; /* a progress line is on the terminal */
    int bad_text; /* a field was not UTF-8 */
    int comma;    /* an amount seemed to have a decimal comma */
    int slashes;  /* a date seemed to be DD/MM/YYYY or MM/DD/YYYY */
};

static void report(void *ctx, tf_error err, const tf_diag *diag)
{
    struct told *t = ctx;
    char msg[1024];

    if (t->progress) {
        fputc('\n', stderr);
        t->progress = 0;
    }
    tf_diag_format(diag, msg, sizeof(msg));
    fprintf(stderr, "tfund: %s\n", msg);
    if (err && strstr(diag->msg, "invalid UTF-8"))
        t->bad_text = 1;
    if (err && strstr(diag->msg, "(written with a decimal comma?)"))
        t->comma = 1;
    if (err && strstr(diag->msg, "(written DD/MM/YYYY or MM/DD/YYYY?)"))
        t->slashes = 1;
}

/* After the errors, one line for each option that would read what they
 * seem to show. */
static void hints(const struct told *t, const tf_diag *diag)
{
    if (t->bad_text || strstr(diag->msg, "invalid UTF-8"))
        fputs("tfund: a file saved as Windows-1252 or ISO-8859-1 text "
              "imports with --encoding windows-1252 or --encoding "
              "iso-8859-1\n",
              stderr);
    if (t->comma)
        fputs("tfund: amounts written 1.234,56 import with --decimal-comma\n",
              stderr);
    if (t->slashes)
        fputs("tfund: dates written 31/12/2017 import with --date-format "
              "DD/MM/YYYY, and 12/31/2017 with --date-format MM/DD/YYYY\n",
              stderr);
    if (strstr(diag->msg, "the fields seem to be separated by ';'"))
        fputs("tfund: a file separated by ';' imports with --delimiter ';' "
              "(or without --delimiter, which finds it)\n",
              stderr);
    else if (strstr(diag->msg, "the fields seem to be separated by tabs"))
        fputs("tfund: a file separated by tabs imports with --delimiter tab "
              "(or without --delimiter, which finds it)\n",
              stderr);
}

/* --delimiter: one character, or "tab" ("\t" as typed in a shell). */
static int parse_delimiter(const char *s, char *out)
{
    if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
        *out = '\t';
    else if (strlen(s) == 1 && !strchr("\"\r\n", s[0]) &&
             (unsigned char)s[0] >= 0x20 && (unsigned char)s[0] < 0x7f &&
             !(s[0] >= '0' && s[0] <= '9') &&
             !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        *out = s[0];
    else
        return -1;
    return 0;
}

static int parse_encoding(const char *s, const char **out)
{
    static const char *const names[] = {"utf-8", "windows-1252", "iso-8859-1"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcasecmp(s, names[i])) {
            *out = i ? names[i] : NULL;
            return 0;
        }
    return -1;
}

/* "ref,donor,date[,due]": the columns of a kind, optional ones in
 * brackets. */
static void write_columns(FILE *out, const tf_import_kind *k)
{
    for (size_t c = 0; c < k->ncols; c++)
        fprintf(out, "%s%s%s%s", k->cols[c].required ? "" : "[", c ? "," : "",
                k->cols[c].name, k->cols[c].required ? "" : "]");
}

/* 'tfund import --kinds': the importer's table, for people and scripts. */
static int list_kinds(cli_format fmt)
{
    static const char *const cols[] = {"kind", "columns", "example", "about"};
    cli_table *t = cli_table_new(fmt, stdout, cols, "ssss");
    tf_import_kind k;

    for (size_t i = 0; tf_import_kind_info(i, &k) == 0; i++) {
        char *text = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&text, &len);

        if (!fp) {
            cli_table_free(t);
            return cli_fail(TF_ERR_NOMEM, NULL);
        }
        write_columns(fp, &k);
        fclose(fp);
        cli_table_row(t,
                      (const char *const[]){k.name, text, k.example, k.about});
        free(text);
    }
    return cli_table_end(t) ? 3 : 0;
}

void cli_import_help(FILE *out)
{
    tf_import_kind k;

    fputs("Kinds and columns (optional in brackets); 'tfund import --kinds'\n"
          "lists them with an example row of each:\n",
          out);
    for (size_t i = 0; tf_import_kind_info(i, &k) == 0; i++) {
        size_t col = 13;

        fprintf(out, "  %-10s ", k.name);
        for (size_t c = 0; c < k.ncols; c++) {
            const char *name = k.cols[c].name;
            int opt = !k.cols[c].required;
            size_t n = strlen(name) + (c ? 1 : 0) + (opt ? 2 : 0);

            /* A line ends after a comma, or before an optional column. */
            if (c && col + n > 76) {
                fputs(opt ? "\n             " : ",\n             ", out);
                col = 13;
                n -= opt ? 0 : 1;
                fprintf(out, "%s%s%s", opt ? "[," : "", name, opt ? "]" : "");
            } else {
                fprintf(out, "%s%s%s%s", opt ? "[" : "", c ? "," : "", name,
                        opt ? "]" : "");
            }
            col += n;
        }
        fprintf(out, "\n             %s\n", k.about);
    }
}

/* "FILE: N rows: A added, K already known[, U updated]", printed and
 * kept as the summary of the import's event. */
static const char *summary(char *line, size_t size, const char *file,
                           const tf_import_result *res, long duplicates)
{
    int n = snprintf(line, size, "%s: %ld row%s: %ld added, %ld already known",
                     file, res->rows, res->rows == 1 ? "" : "s", res->added,
                     res->known);

    if (res->updated && n > 0 && (size_t)n < size)
        n +=
            snprintf(line + n, size - (size_t)n, ", %ld updated", res->updated);
    if (duplicates && n > 0 && (size_t)n < size)
        snprintf(line + n, size - (size_t)n,
                 ", %ld duplicate%s allowed (--allow-duplicate)", duplicates,
                 duplicates == 1 ? "" : "s");
    return line;
}

static int run_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"allow-duplicate", no_argument, NULL, 'a'},
        {"delimiter", required_argument, NULL, 'd'},
        {"encoding", required_argument, NULL, 'e'},
        {"date-format", required_argument, NULL, 'D'},
        {"decimal-comma", no_argument, NULL, 'c'},
        {"max-errors", required_argument, NULL, 'm'},
        {"kinds", no_argument, NULL, 'k'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct told told = {.progress = cli_progress_wanted()};
    tf_import_options opt;
    tf_import_result res;
    cli_format fmt = CLI_TEXT;
    const char *file;
    char line[1200];
    tf_csv *csv = NULL;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc, kinds = 0, allow_duplicate = 0;
    long long max;

    tf_import_options_init(&opt);
    opt.delimiter = 0; /* chosen from the header row unless given */
    opt.max_errors = 100;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if (parse_delimiter(optarg, &opt.delimiter))
                return cli_usage("--delimiter: '%s' is not a separator (one "
                                 "character such as ';', or 'tab')",
                                 optarg);
            break;
        case 'e':
            if (parse_encoding(optarg, &opt.encoding))
                return cli_usage("--encoding: '%s' is not utf-8, "
                                 "windows-1252 or iso-8859-1",
                                 optarg);
            break;
        case 'D':
            if (tf_date_form_parse(optarg, &opt.date_form))
                return cli_usage("--date-format: '%s' is not YYYY-MM-DD, "
                                 "DD/MM/YYYY or MM/DD/YYYY",
                                 optarg);
            break;
        case 'c':
            opt.decimal_comma = 1;
            break;
        case 'm':
            max = cli_parse_count(optarg);
            if (max < 1 || max > 1000000)
                return cli_usage("--max-errors: '%s' is not a whole number "
                                 "from 1 to 1000000",
                                 optarg);
            opt.max_errors = (long)max;
            break;
        case 'k':
            kinds = 1;
            break;
        case 'a':
            allow_duplicate = 1;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (kinds) {
        if (optind < argc)
            return cli_usage("unexpected argument '%s'", argv[optind]);
        return list_kinds(fmt);
    }
    if (argc - optind != 2)
        return cli_usage("import needs a KIND and a FILE");
    file = argv[optind + 1];
    if ((rc = cli_open(&fund)))
        return rc;
    tf_fund_allow_duplicates(fund, allow_duplicate);
    opt.report = report;
    opt.report_ctx = &told;
    tf_diag_clear(&diag);
    memset(&res, 0, sizeof(res));
    err = tf_import_check_kind(argv[optind], &diag);
    if (!err)
        err = tf_csv_open(&csv, file, &diag);
    if (!err && !(err = cli_begin(fund, &diag))) {
        err = tf_import_csv_with(fund, argv[optind], csv, &opt, &res,
                                 told.progress ? show_progress : NULL,
                                 (void *)file, &diag);
        if (!err)
            tf_audit_summary(fund, "%s",
                             summary(line, sizeof(line), file, &res,
                                     tf_fund_duplicates(fund)));
        err = cli_finish(fund, err, &diag);
    }
    tf_csv_free(csv);
    if (told.progress && res.rows >= 5000)
        fputc('\n', stderr);
    tf_fund_close(fund);
    if (err) {
        if (!res.errors)
            rc = cli_fail(err, &diag);
        else
            rc = tf_exit_status(err);
        hints(&told, &diag);
        if (res.stopped == 1)
            fprintf(stderr,
                    "tfund: reading stopped after %ld errors "
                    "(--max-errors)\n",
                    res.errors);
        if (res.errors > 1)
            fprintf(stderr,
                    "tfund: nothing was imported from '%s' (%ld errors)\n",
                    file, res.errors);
        else
            fprintf(stderr, "tfund: nothing was imported from '%s'\n", file);
        return rc;
    }
    printf("%s\n", line);
    return 0;
}

const struct tf_cmd cmd_import = {
    "import", "import a CSV file of countries, rates, donors, ...", run_import,
    "usage: tfund import KIND FILE [--delimiter C] [--encoding E]\n"
    "                    [--date-format F] [--decimal-comma] [--max-errors N]\n"
    "                    [--allow-duplicate]\n"
    "       tfund import --kinds [--format text|csv|json]\n"
    "\n"
    "Imports FILE ('-' reads standard input) in one transaction: any error\n"
    "and nothing is written. Every error is reported in one pass (up to\n"
    "--max-errors, default 100), each naming file:line:column. Rows whose\n"
    "reference is already in the books with the same details add nothing\n"
    "and are counted as known. A receipt with the donor, date, amount and\n"
    "currency of one recorded under another reference, or a request that\n"
    "duplicates another (see 'tfund help request'), is refused unless\n"
    "--allow-duplicate.\n"
    "\n"
    "A file is CSV with a header row naming its columns, in any order. As\n"
    "spreadsheets save it:\n"
    "  --delimiter C     the field separator: ',', ';' or 'tab' (by default\n"
    "                    the one found in the header row, said on stderr\n"
    "                    when it is not ',')\n"
    "  --encoding E      utf-8 (default), windows-1252 or iso-8859-1\n"
    "  --date-format F   YYYY-MM-DD (default), DD/MM/YYYY or MM/DD/YYYY;\n"
    "                    times are YYYY-MM-DDTHH:MM:SSZ or a date, a space\n"
    "                    and HH:MM[:SS], taken as UTC\n"
    "  --decimal-comma   amounts written 1.234,56 or 1234,56 (otherwise a\n"
    "                    comma in an amount is refused)\n"
    "\n"};
