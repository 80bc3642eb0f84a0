/* SPDX-License-Identifier: MIT */
/*
 * journal: the entries for people; export: the journal for other tools
 * (ledger-cli, CSV, JSON).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"

struct journal_out {
    tf_fund *fund;
    cli_format fmt;
    FILE *out;
    cli_table *t;
    int first;
};

static int journal_entry(void *ctx, const tf_entry *e)
{
    struct journal_out *o = ctx;
    char id[24], amt[TF_AMOUNT_BUFSZ], orig[TF_AMOUNT_BUFSZ];

    snprintf(id, sizeof(id), "%" PRId64, e->id);
    if (o->fmt == CLI_TEXT) {
        fprintf(o->out, "%s  #%s  %s  %s%s%s\n", e->date, id, e->kind, e->memo,
                e->ref ? "  ref " : "", e->ref ? e->ref : "");
        for (size_t i = 0; i < e->npostings; i++) {
            const tf_posting *p = &e->postings[i];
            fprintf(o->out, "    %-36s %-13s %16s", p->account, p->pool,
                    tf_fund_fmt(o->fund, amt, p->amount, 1));
            if (p->orig_currency) {
                const tf_currency *c = tf_currency_find(p->orig_currency);
                tf_amount_format(orig, sizeof(orig), p->orig_amount,
                                 c ? c->minor : 2, 1);
                fprintf(o->out, "  (%s %s%s%s)", p->orig_currency, orig,
                        p->rate ? " @ " : "", p->rate ? p->rate : "");
            }
            fputc('\n', o->out);
        }
        return 0;
    }
    if (o->fmt == CLI_JSON) {
        json_t *obj =
            json_pack("{s:I,s:s,s:s,s:s,s:s*,s:s,s:s}", "id", (json_int_t)e->id,
                      "date", e->date, "kind", e->kind, "memo", e->memo, "ref",
                      e->ref, "prev_hash", e->prev_hash, "hash", e->hash);
        json_t *posts = json_array();
        char *text;
        if (e->reverses)
            json_object_set_new(obj, "reverses", json_integer(e->reverses));
        for (size_t i = 0; i < e->npostings; i++) {
            const tf_posting *p = &e->postings[i];
            json_t *jp = json_pack("{s:s,s:s,s:s}", "account", p->account,
                                   "pool", p->pool, "amount",
                                   tf_fund_fmt(o->fund, amt, p->amount, 0));
            if (p->orig_currency) {
                const tf_currency *c = tf_currency_find(p->orig_currency);
                tf_amount_format(orig, sizeof(orig), p->orig_amount,
                                 c ? c->minor : 2, 0);
                json_object_set_new(jp, "orig_currency",
                                    json_string(p->orig_currency));
                json_object_set_new(jp, "orig_amount", json_string(orig));
            }
            if (p->rate)
                json_object_set_new(jp, "rate", json_string(p->rate));
            json_array_append_new(posts, jp);
        }
        json_object_set_new(obj, "postings", posts);
        text = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT);
        fprintf(o->out, "%s\n  %s", o->first ? "" : ",", text ? text : "{}");
        o->first = 0;
        free(text);
        json_decref(obj);
        return 0;
    }
    for (size_t i = 0; i < e->npostings; i++) {
        const tf_posting *p = &e->postings[i];
        const tf_currency *c =
            p->orig_currency ? tf_currency_find(p->orig_currency) : NULL;
        const char *cells[] = {id,      e->date,          e->kind, e->ref,
                               e->memo, p->account,       p->pool, amt,
                               orig,    p->orig_currency, p->rate};
        tf_fund_fmt(o->fund, amt, p->amount, 0);
        orig[0] = '\0';
        if (p->orig_currency)
            tf_amount_format(orig, sizeof(orig), p->orig_amount,
                             c ? c->minor : 2, 0);
        cli_table_row(o->t, cells);
    }
    return 0;
}

static tf_error write_journal(tf_fund *fund, cli_format fmt, FILE *out,
                              const char *as_of, tf_diag *diag)
{
    static const char *const cols[] = {
        "entry", "date",   "kind",        "ref",           "memo", "account",
        "pool",  "amount", "orig_amount", "orig_currency", "rate"};
    struct journal_out o = {fund, fmt, out, NULL, 1};
    tf_error err;

    if (fmt == CLI_CSV)
        o.t = cli_table_new(fmt, out, cols, "isssssaaass");
    else if (fmt == CLI_JSON)
        fputc('[', out);
    err = tf_ledger_each_entry(fund, as_of, journal_entry, &o, diag);
    if (fmt == CLI_CSV)
        cli_table_end(o.t);
    else if (fmt == CLI_JSON)
        fputs(o.first ? "]\n" : "\n]\n", out);
    if (!err && (fflush(out) || ferror(out)))
        err = tf_diag_set(diag, TF_ERR_IO, "cannot write the journal");
    return err;
}

static int run_journal(int argc, char **argv)
{
    cli_format fmt = CLI_TEXT;
    const char *as_of = NULL;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_as_of_options(argc, argv, &as_of, &fmt)) >= 0)
        return rc;
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = write_journal(fund, fmt, stdout, as_of, &diag);
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_journal = {
    "journal", "list the entries of the books", run_journal,
    "usage: tfund journal [--as-of DATE] [--format text|csv|json]\n"
    "\n"
    "Every entry in the order it was posted: date, id, kind, memo and\n"
    "reference, then its postings (account, pool, amount in the base\n"
    "currency, and the original amount and rate where it was converted).\n"
    "CSV has one row per posting: entry,date,kind,ref,memo,account,pool,\n"
    "amount,orig_amount,orig_currency,rate. JSON adds each entry's hash.\n"};

static int run_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *as_of = NULL, *path = NULL, *what;
    struct stat st;
    FILE *out = stdout;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc, e;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            as_of = optarg;
            break;
        case 'o':
            path = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("export needs one of ledger, csv, json");
    what = argv[optind];
    if (strcmp(what, "ledger") && strcmp(what, "csv") && strcmp(what, "json"))
        return cli_usage("cannot export '%s': ledger, csv or json", what);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    if (path && !(out = fopen(path, "w"))) {
        err = tf_diag_set(&diag, TF_ERR_IO, "cannot write '%s': %m", path);
        tf_fund_close(fund);
        return cli_fail(err, &diag);
    }
    errno = 0;
    if (!strcmp(what, "ledger"))
        err = tf_export_ledger(fund, out, as_of, &diag);
    else
        err = write_journal(fund, what[0] == 'c' ? CLI_CSV : CLI_JSON, out,
                            as_of, &diag);
    e = errno;
    if (path) {
        if (fclose(out) && !err) {
            e = errno;
            err = TF_ERR_IO;
        }
        if (err == TF_ERR_IO)
            tf_diag_set(&diag, err, "cannot write '%s': %s", path,
                        e ? strerror(e) : "write error");
        /* A cut journal must not stay behind looking whole (a full disk,
         * a file size limit); devices and pipes are left alone. */
        if (err && !lstat(path, &st) && S_ISREG(st.st_mode))
            unlink(path);
    }
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_export = {
    "export", "write the journal for ledger, hledger or a script", run_export,
    "usage: tfund export ledger|csv|json [--as-of DATE] [-o FILE]\n"
    "\n"
    "  ledger  a journal that ledger-cli and hledger read: one transaction\n"
    "          per entry, amounts in the base currency, each posting's pool\n"
    "          as a 'pool' tag ('ledger -f FILE bal --pivot pool' shows the\n"
    "          pools); its account totals equal 'tfund balance'\n"
    "  csv     one row per posting (as 'tfund journal --format csv')\n"
    "  json    the entries with their postings and hashes\n"};
