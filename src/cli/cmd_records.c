/* SPDX-License-Identifier: MIT */
/*
 * donor, pledge, receipt, rate and session: "add" one record from options
 * (passed through the same one-row import as a file, so the rules and the
 * messages are the same) and "list" them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct family {
    const char *kind;        /* import kind */
    const char *const *cols; /* columns; options are their names */
    size_t npositional;      /* leading columns given as arguments */
};

static const char *const donor_cols[] = {"id", "name", "type", "country", NULL};
static const char *const pledge_cols[] = {"ref",      "donor", "date", "amount",
                                          "currency", "pool",  "due",  NULL};
static const char *const receipt_cols[] = {
    "ref", "date", "amount", "currency", "pledge", "donor", "pool", NULL};
static const char *const rate_cols[] = {"currency", "date", "per_usd", NULL};
static const char *const session_cols[] = {
    "id",  "name",     "venue",      "start",         "days",
    "dsa", "terminal", "extra_days", "travel_budget", NULL};

static const char *const request_cols[] = {
    "ref",  "session",       "country", "delegate", "submitted",
    "fare", "fare_currency", "gender",  NULL};

static const struct family request_family = {"requests", request_cols, 1};
static const struct family donor_family = {"donors", donor_cols, 1};
static const struct family pledge_family = {"pledges", pledge_cols, 1};
static const struct family receipt_family = {"receipts", receipt_cols, 1};
static const struct family rate_family = {"rates", rate_cols, 3};
static const struct family session_family = {"sessions", session_cols, 1};

/* Builds a one-row CSV from the arguments and imports it. */
/* Reads the command line of 'KIND add' into values (one per column of
 * the family, positional ones first); -1 to go on, else the exit status. */
static int record_args(const struct family *f, int argc, char **argv,
                       const char **values, size_t ncols)
{
    size_t npos = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return cli_help();
        if (!strncmp(a, "--", 2)) {
            char name[64];
            const char *eq = strchr(a, '='), *val;
            size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2), k;
            if (n >= sizeof(name))
                return cli_usage("unknown option '%s'", a);
            memcpy(name, a + 2, n);
            name[n] = '\0';
            for (char *p = name; *p; p++)
                if (*p == '-')
                    *p = '_';
            for (k = f->npositional; k < ncols; k++)
                if (!strcmp(f->cols[k], name))
                    break;
            if (k == ncols)
                return cli_usage("unknown option '%s'", a);
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return cli_usage("option '%s' needs a value", a);
            values[k] = val;
        } else if (npos < f->npositional) {
            values[npos++] = a;
        } else {
            return cli_usage("unexpected argument '%s'", a);
        }
    }
    if (npos < f->npositional)
        return cli_usage("missing %s", f->cols[npos]);
    return -1;
}

/* Writes the values given as a CSV file of one row (a header of their
 * columns, then the row) into *text; NULL when out of memory. */
static FILE *record_csv(const struct family *f, const char **values,
                        size_t ncols, char **text, size_t *len)
{
    FILE *fp = open_memstream(text, len);
    int first;

    if (!fp)
        return NULL;
    first = 1;
    for (size_t k = 0; k < ncols; k++)
        if (values[k]) {
            fputs(first ? "" : ",", fp);
            tf_csv_put(fp, f->cols[k], 0);
            first = 0;
        }
    fputc('\n', fp);
    first = 1;
    for (size_t k = 0; k < ncols; k++)
        if (values[k]) {
            fputs(first ? "" : ",", fp);
            /* An empty value must still be a field: quote it. */
            if (!*values[k])
                fputs("\"\"", fp);
            else
                tf_csv_put(fp, values[k], 0);
            first = 0;
        }
    fputc('\n', fp);
    fclose(fp);
    return fmemopen(*text, *len, "r");
}

/* 'KIND add': the record given by options, imported as a file of one row,
 * so that it is checked exactly as a row of an import is. */
static int add_record(const struct family *f, int argc, char **argv)
{
    const char *values[16] = {NULL};
    size_t ncols = 0, len = 0;
    tf_import_result res;
    char *text = NULL;
    tf_fund *fund = NULL;
    tf_csv *csv = NULL;
    tf_diag diag;
    tf_error err;
    FILE *fp;
    int rc;

    char *args[64];
    int nargs = 0, allow_duplicate = 0;

    while (f->cols[ncols])
        ncols++;
    /* --allow-duplicate (requests only) is an option, not a column. */
    for (int i = 0; i < argc && nargs < 64; i++) {
        if (f == &request_family && !strcmp(argv[i], "--allow-duplicate"))
            allow_duplicate = 1;
        else
            args[nargs++] = argv[i];
    }
    if (nargs == 64)
        return cli_usage("too many arguments");
    if ((rc = record_args(f, nargs, args, values, ncols)) >= 0)
        return rc;
    if ((rc = cli_open(&fund)))
        return rc;
    tf_fund_allow_duplicates(fund, allow_duplicate);
    tf_diag_clear(&diag);
    fp = record_csv(f, values, ncols, &text, &len);
    err =
        fp ? tf_csv_open_stream(&csv, fp, CLI_ARGS_NAME, &diag) : TF_ERR_NOMEM;
    if (!err && !(err = cli_begin(fund, &diag))) {
        err = tf_import_csv(fund, f->kind, csv, &res, NULL, NULL, &diag);
        if (!err)
            tf_audit_summary(fund, "%s%s%s: recorded%s", values[0],
                             f->npositional > 1 ? " " : "",
                             f->npositional > 1 ? values[1] : "",
                             tf_fund_duplicates(fund)
                                 ? " (a duplicate, --allow-duplicate)"
                                 : "");
        err = cli_finish(fund, err, &diag);
    }
    tf_csv_free(csv);
    tf_fund_close(fund);
    free(text);
    if (err)
        return cli_fail(err, &diag);
    printf("%s%s%s: %s\n", values[0], f->npositional > 1 ? " " : "",
           f->npositional > 1 ? values[1] : "",
           res.known ? "already recorded, nothing added" : "recorded");
    return 0;
}

/* ---- Listings ------------------------------------------------------- */

struct lister {
    tf_fund *fund;
    cli_table *t;
};

static int list_donor(void *ctx, const tf_donor *d)
{
    struct lister *l = ctx;
    const char *cells[] = {d->id, d->name, d->type, d->country};

    cli_table_row(l->t, cells);
    return 0;
}

static int list_pledge(void *ctx, const tf_pledge *p)
{
    struct lister *l = ctx;
    const tf_currency *cur = tf_currency_find(p->currency);
    char amt[TF_AMOUNT_BUFSZ], rec[TF_AMOUNT_BUFSZ], out[TF_AMOUNT_BUFSZ];
    char base[TF_AMOUNT_BUFSZ];
    int minor = cur ? cur->minor : 2;
    const char *cells[] = {p->ref, p->donor, p->date, p->pool, p->currency,
                           amt,    rec,      out,     base,    p->due};

    tf_amount_format(amt, sizeof(amt), p->amount, minor, 0);
    tf_amount_format(rec, sizeof(rec), p->received, minor, 0);
    tf_amount_format(out, sizeof(out), p->amount - p->received, minor, 0);
    tf_fund_fmt(l->fund, base, p->base_amount, 0);
    cli_table_row(l->t, cells);
    return 0;
}

static int list_receipt(void *ctx, const tf_receipt *r)
{
    struct lister *l = ctx;
    const tf_currency *cur = tf_currency_find(r->currency);
    char amt[TF_AMOUNT_BUFSZ], base[TF_AMOUNT_BUFSZ];
    const char *cells[] = {r->ref,      r->date, r->pledge, r->donor, r->pool,
                           r->currency, amt,     r->rate,   base};

    tf_amount_format(amt, sizeof(amt), r->amount, cur ? cur->minor : 2, 0);
    tf_fund_fmt(l->fund, base, r->base_amount, 0);
    cli_table_row(l->t, cells);
    return 0;
}

static int list_session(void *ctx, const tf_session *s)
{
    struct lister *l = ctx;
    char days[24], extra[24], dsa[TF_AMOUNT_BUFSZ], term[TF_AMOUNT_BUFSZ];
    char budget[TF_AMOUNT_BUFSZ] = "";
    const char *cells[] = {s->id, s->name, s->venue, s->start, days,
                           extra, dsa,     term,     budget};

    snprintf(days, sizeof(days), "%lld", (long long)s->days);
    snprintf(extra, sizeof(extra), "%lld", (long long)s->extra_days);
    tf_fund_fmt(l->fund, dsa, s->dsa, 0);
    tf_fund_fmt(l->fund, term, s->terminal, 0);
    if (s->travel_budget >= 0)
        tf_fund_fmt(l->fund, budget, s->travel_budget, 0);
    cli_table_row(l->t, cells);
    return 0;
}

static int list_records(const struct family *f, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"donor", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const dcols[] = {"id", "name", "type", "country"};
    static const char *const pcols[] = {
        "ref",    "donor",    "date",        "pool",        "currency",
        "amount", "received", "outstanding", "base_amount", "due"};
    static const char *const rcols[] = {"ref",    "date", "pledge",
                                        "donor",  "pool", "currency",
                                        "amount", "rate", "base_amount"};
    static const char *const scols[] = {"id",    "name",     "venue",
                                        "start", "days",     "extra_days",
                                        "dsa",   "terminal", "travel_budget"};
    cli_format fmt = CLI_TEXT;
    const char *donor = NULL;
    struct lister l;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'f':
            if (cli_parse_format(optarg, &fmt))
                return cli_usage("unknown format '%s'", optarg);
            break;
        case 'd':
            donor = optarg;
            break;
        case 'h':
            return cli_help();
        default:
            return cli_bad_option(argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&l.fund)))
        return rc;
    tf_diag_clear(&diag);
    if (f == &donor_family) {
        l.t = cli_table_new(fmt, stdout, dcols, "ssss");
        err = tf_donor_each(l.fund, donor, list_donor, &l, &diag);
    } else if (f == &pledge_family) {
        l.t = cli_table_new(fmt, stdout, pcols, "sssssaaaas");
        err = tf_pledge_each(l.fund, donor, list_pledge, &l, &diag);
    } else if (f == &receipt_family) {
        l.t = cli_table_new(fmt, stdout, rcols, "ssssssasa");
        err = tf_receipt_each(l.fund, donor, list_receipt, &l, &diag);
    } else {
        l.t = cli_table_new(fmt, stdout, scols, "ssssiiaaa");
        err = tf_session_each(l.fund, NULL, list_session, &l, &diag);
    }
    cli_table_end(l.t);
    tf_fund_close(l.fund);
    return err ? cli_fail(err, &diag) : 0;
}

static int run_family(const struct family *f, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("missing subcommand");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help"))
        return cli_help();
    if (!strcmp(argv[1], "add"))
        return add_record(f, argc - 1, argv + 1);
    if (!strcmp(argv[1], "list") && f != &rate_family && f != &request_family)
        return list_records(f, argc - 1, argv + 1);
    return cli_usage("unknown subcommand '%s'", argv[1]);
}

static int run_donor(int argc, char **argv)
{
    return run_family(&donor_family, argc, argv);
}

static int run_pledge(int argc, char **argv)
{
    return run_family(&pledge_family, argc, argv);
}

static int run_receipt(int argc, char **argv)
{
    return run_family(&receipt_family, argc, argv);
}

static int run_rate(int argc, char **argv)
{
    return run_family(&rate_family, argc, argv);
}

/* request amend REF [--fare X --fare-currency C] [--delegate N]
 * [--gender G] [--allow-duplicate] */
static int amend_request(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fare", required_argument, NULL, 'f'},
        {"fare-currency", required_argument, NULL, 'c'},
        {"delegate", required_argument, NULL, 'd'},
        {"gender", required_argument, NULL, 'g'},
        {"allow-duplicate", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    tf_request_amendment am;
    const char *fare = NULL;
    char line[600];
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc, changed = 0, allow = 0;

    memset(&am, 0, sizeof(am));
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'f':
            fare = optarg;
            break;
        case 'c':
            am.fare_currency = optarg;
            break;
        case 'd':
            am.delegate = optarg;
            break;
        case 'g':
            am.gender = optarg;
            break;
        case 'a':
            allow = 1;
            break;
        case 'h':
            return cli_help();
        default:
            return cli_bad_option(argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("request amend needs one request REF");
    if (!fare != !am.fare_currency)
        return cli_usage("--fare and --fare-currency go together");
    if (!fare && !am.delegate && !am.gender)
        return cli_usage("request amend needs --fare, --delegate or --gender");
    am.ref = argv[optind];
    if (fare) {
        const tf_currency *cur = tf_currency_find(am.fare_currency);
        tf_diag sub;
        tf_diag_clear(&sub);
        if (!cur)
            return cli_usage("--fare-currency: unknown currency '%s'",
                             am.fare_currency);
        if (tf_amount_parse(&am.fare, fare, cur, 0, &sub))
            return cli_usage("--fare: %s", sub.msg);
    }
    if ((rc = cli_open(&fund)))
        return rc;
    tf_fund_allow_duplicates(fund, allow);
    tf_diag_clear(&diag);
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_request_amend(fund, &am, &changed, &diag);
        if (!err) {
            int n = snprintf(line, sizeof(line), "%s %s", am.ref,
                             changed ? "amended:" : "unchanged: nothing new");
            if (changed && am.delegate && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              " delegate '%s'", am.delegate);
            if (changed && fare && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n, " fare %s %s",
                              fare, am.fare_currency);
            if (changed && am.gender && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              " gender '%s'", am.gender);
            if (tf_fund_duplicates(fund) && n > 0 && (size_t)n < sizeof(line))
                snprintf(line + n, sizeof(line) - (size_t)n,
                         " (a duplicate, --allow-duplicate)");
            tf_audit_summary(fund, "%s", line);
            printf("%s\n", line);
        }
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    return err ? cli_fail(err, &diag) : 0;
}

static int run_request(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "amend"))
        return amend_request(argc - 1, argv + 1);
    return run_family(&request_family, argc, argv);
}

static int run_session(int argc, char **argv)
{
    return run_family(&session_family, argc, argv);
}

const struct tf_cmd cmd_donor = {
    "donor", "register or list donors", run_donor,
    "usage: tfund donor add ID --name NAME --type TYPE [--country ISO3]\n"
    "       tfund donor list [--format text|csv|json]\n"
    "\n"
    "TYPE is state, igo, private, foundation or other. ID is 1-64 letters,\n"
    "digits, '.', '_' or '-' (it names the donor's accounts and report).\n"};

const struct tf_cmd cmd_pledge = {
    "pledge", "record or list pledges", run_pledge,
    "usage: tfund pledge add REF --donor ID --date DATE --amount AMOUNT\n"
    "                        --currency CUR --pool POOL [--due DATE]\n"
    "       tfund pledge list [--donor ID] [--format text|csv|json]\n"
    "\n"
    "A pledge is a signed agreement: revenue is recognised on its date, at\n"
    "that date's UN operational rate, against a receivable from the donor.\n"
    "POOL is unrestricted, travel, ldc-travel or prep.\n"};

const struct tf_cmd cmd_receipt = {
    "receipt", "record or list money received", run_receipt,
    "usage: tfund receipt add REF --date DATE --amount AMOUNT --currency CUR\n"
    "                         (--pledge REF | --donor ID [--pool POOL])\n"
    "       tfund receipt list [--donor ID] [--format text|csv|json]\n"
    "\n"
    "Cash in the bank, converted at the receipt date's rate; the difference\n"
    "against the pledge's booked value is an exchange gain or loss. A\n"
    "receipt is in its pledge's currency and never more than is still owed.\n"
    "Without --pledge it records a pledge of the same amount at once (pool\n"
    "unrestricted unless --pool says otherwise).\n"};

const struct tf_cmd cmd_rate = {
    "rate", "add a UN operational exchange rate", run_rate,
    "usage: tfund rate add CURRENCY DATE PER_USD\n"
    "\n"
    "PER_USD is the units of CURRENCY per 1 USD, an exact decimal, valid\n"
    "from DATE until the next rate of that currency. Rates never change:\n"
    "a correction is a new rate from a later date.\n"};

const struct tf_cmd cmd_session = {
    "session", "register or list sessions (meetings)", run_session,
    "usage: tfund session add ID --name NAME --venue VENUE --start DATE\n"
    "                         --days N --dsa AMOUNT --terminal AMOUNT\n"
    "                         [--extra-days N] [--travel-budget AMOUNT]\n"
    "       tfund session list [--format text|csv|json]\n"
    "\n"
    "DSA (daily subsistence allowance, per day) and terminal expenses (per\n"
    "trip) are in the base currency. A delegate's DSA covers days +\n"
    "extra_days (default 1).\n"};

const struct tf_cmd cmd_request = {
    "request", "record a travel request", run_request,
    "usage: tfund request add REF --session ID --country ISO3 --delegate NAME\n"
    "                         --submitted TIME --fare AMOUNT\n"
    "                         --fare-currency CUR [--gender G]\n"
    "                         [--allow-duplicate]\n"
    "       tfund request amend REF [--fare AMOUNT --fare-currency CUR]\n"
    "                         [--delegate NAME] [--gender G]\n"
    "                         [--allow-duplicate]\n"
    "\n"
    "TIME is YYYY-MM-DDTHH:MM:SSZ. The fare is converted at the allocation\n"
    "run's date; a fare above 10,000,000,000 units of its currency is\n"
    "refused. 'tfund allocation show SESSION' lists requests.\n"
    "\n"
    "A request whose session, country and delegate (letters' case and\n"
    "spaces ignored) match another's that is not cancelled or rejected is\n"
    "refused as a likely slip (exit 2), unless --allow-duplicate (recorded\n"
    "in the event). 'import requests FILE --allow-duplicate' does the same\n"
    "for a file.\n"
    "\n"
    "amend: a pending or waitlisted request's fare, delegate or gender; the\n"
    "request as recorded and every earlier amendment stay in its history.\n"
    "A waitlisted request keeps the figures of its last run until the next\n"
    "one prices the new fare.\n"};
