/* SPDX-License-Identifier: MIT */
/*
 * donor, pledge, receipt, rate and session: "add" one record from options
 * (passed through the same one-row import as a file, so the rules and the
 * messages are the same) and "list" them.
 */
#include <ctype.h>
#include <inttypes.h>
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
            if (values[k])
                return cli_usage("option --%.*s is given twice", (int)n, a + 2);
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

/* An error of a one-row import names a column; cli_fail names an option
 * after it (--donor), but the leading columns are arguments, named as the
 * usage names them (REF, ID, PER_USD). */
static int positional_fail(const struct family *f, tf_error err, tf_diag *diag)
{
    for (size_t k = 0; k < f->npositional; k++) {
        size_t n = strlen(f->cols[k]);
        char msg[sizeof(diag->msg)], name[64];

        if (strncmp(diag->msg, "column '", 8) ||
            strncmp(diag->msg + 8, f->cols[k], n) ||
            strncmp(diag->msg + 8 + n, "': ", 3) || n >= sizeof(name))
            continue;
        for (size_t i = 0; i <= n; i++)
            name[i] = (char)toupper((unsigned char)f->cols[k][i]);
        snprintf(msg, sizeof(msg), "%s: %s", name, diag->msg + 8 + n + 3);
        tf_diag_clear(diag);
        tf_diag_set(diag, err, "%s", msg);
        break;
    }
    return cli_fail(err, diag);
}

/* 'KIND add': the record given by options, imported as a file of one row,
 * so that it is checked exactly as a row of an import is. */
static int add_record(const struct family *f, int argc, char **argv)
{
    char entries[160] = "";
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
    /* --allow-duplicate (requests and receipts) is an option, not a
     * column. */
    for (int i = 0; i < argc && nargs < 64; i++) {
        if ((f == &request_family || f == &receipt_family) &&
            !strcmp(argv[i], "--allow-duplicate"))
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
    if (!err)
        cli_entries_text(fund, values[0], entries, sizeof(entries));
    tf_fund_close(fund);
    free(text);
    if (err)
        return positional_fail(f, err, &diag);
    printf("%s%s%s: %s%s%s\n", values[0], f->npositional > 1 ? " " : "",
           f->npositional > 1 ? values[1] : "",
           res.known ? "already recorded" : "recorded", entries,
           res.known ? ", nothing added" : "");
    return 0;
}

/* ---- Listings ------------------------------------------------------- */

struct lister {
    tf_fund *fund;
    cli_table *t;
    const char *status; /* requests: only those in this state */
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
    tf_list_row row;

    tf_pledge_row(l->fund, p, 0, &row);
    cli_table_row(l->t, row.cells);
    return 0;
}

static int list_receipt(void *ctx, const tf_receipt *r)
{
    struct lister *l = ctx;
    tf_list_row row;

    tf_receipt_row(l->fund, r, 0, &row);
    cli_table_row(l->t, row.cells);
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

static int list_request(void *ctx, const tf_request *q)
{
    struct lister *l = ctx;
    const tf_currency *cur = tf_currency_find(q->fare_currency);
    char fare[TF_AMOUNT_BUFSZ], charge[TF_AMOUNT_BUFSZ] = "";
    const char *cells[] = {q->ref,           q->session,   q->country,
                           q->delegate,      q->submitted, fare,
                           q->fare_currency, q->gender,    q->status,
                           q->reason,        charge};

    if (l->status && strcmp(q->status, l->status))
        return 0;
    tf_amount_format(fare, sizeof(fare), q->fare_orig, cur ? cur->minor : 2, 0);
    if (q->has_figures)
        tf_fund_fmt(l->fund, charge, q->charge, 0);
    cli_table_row(l->t, cells);
    return 0;
}

const struct option cli_list_opts[] = {{"format", required_argument, NULL, 'f'},
                                       {"donor", required_argument, NULL, 'd'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};

/* The options of 'KIND list': --format, and --donor for the lists kept
 * by donor, --session and --status for requests. */
static int list_options(const struct family *f, int argc, char **argv,
                        cli_format *fmt, const char **donor,
                        const char **session, const char **status)
{
    static const struct option by_session[] = {
        {"format", required_argument, NULL, 'f'},
        {"session", required_argument, NULL, 's'},
        {"status", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const struct option plain[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const struct option *opts = f == &request_family   ? by_session
                                : f == &session_family ? plain
                                                       : cli_list_opts;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            *donor = optarg;
            break;
        case 's':
            *session = optarg;
            break;
        case 't':
            if (tf_status_find(optarg) < 0)
                return cli_usage("--status: '%s' is not a status of a "
                                 "request (tfund help request)",
                                 optarg);
            *status = optarg;
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

static int list_records(const struct family *f, int argc, char **argv)
{
    static const char *const dcols[] = {"id", "name", "type", "country"};
    static const char *const pcols[] = {TF_PLEDGE_COLS};
    static const char *const rcols[] = {TF_RECEIPT_COLS};
    static const char *const scols[] = {"id",    "name",     "venue",
                                        "start", "days",     "extra_days",
                                        "dsa",   "terminal", "travel_budget"};
    static const char *const qcols[] = {
        "ref",           "session", "country", "delegate", "submitted", "fare",
        "fare_currency", "gender",  "status",  "reason",   "charge"};
    cli_format fmt = CLI_TEXT;
    const char *donor = NULL, *session = NULL;
    struct lister l = {NULL, NULL, NULL};
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = list_options(f, argc, argv, &fmt, &donor, &session, &l.status)) >=
        0)
        return rc;
    if ((rc = cli_open(&l.fund)))
        return rc;
    tf_diag_clear(&diag);
    if (f == &donor_family) {
        l.t = cli_table_new(fmt, stdout, dcols, "ssss");
        err = tf_donor_each(l.fund, donor, list_donor, &l, &diag);
    } else if (f == &pledge_family) {
        l.t = cli_table_new(fmt, stdout, pcols, "sssssaaaasii");
        err = tf_pledge_list(l.fund, donor, list_pledge, &l, &diag);
    } else if (f == &receipt_family) {
        l.t = cli_table_new(fmt, stdout, rcols, "ssssssasaii");
        err = tf_receipt_list(l.fund, donor, list_receipt, &l, &diag);
    } else if (f == &request_family) {
        l.t = cli_table_new(fmt, stdout, qcols, "sssssassssa");
        err = tf_request_each(l.fund, session, NULL, list_request, &l, &diag);
    } else {
        l.t = cli_table_new(fmt, stdout, scols, "ssssiiaaa");
        err = tf_session_each(l.fund, NULL, list_session, &l, &diag);
    }
    cli_table_end(l.t);
    return cli_close(l.fund, err, &diag);
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
    if (!strcmp(argv[1], "list") && f != &rate_family)
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
        default:
            return cli_other_option(c, argv);
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
            cli_announce(fund, line);
        }
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
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
    "add prints the entry number of the pledge ('tfund reverse ENTRY'\n"
    "corrects a mistaken one). The list shows every pledge with what was\n"
    "received and is outstanding, its entry and, once reversed, the entry\n"
    "that reversed it (a reversed pledge is owed no more).\n"
    "\n"
    "A pledge is a signed agreement: revenue is recognised on its date, at\n"
    "that date's UN operational rate, against a receivable from the donor.\n"
    "POOL is unrestricted, travel, ldc-travel or prep.\n"};

const struct tf_cmd cmd_receipt = {
    "receipt", "record or list money received", run_receipt,
    "usage: tfund receipt add REF --date DATE --amount AMOUNT --currency CUR\n"
    "                         (--pledge REF | --donor ID [--pool POOL])\n"
    "                         [--allow-duplicate]\n"
    "       tfund receipt list [--donor ID] [--format text|csv|json]\n"
    "\n"
    "add prints the entry numbers of the receipt (and of the pledge it\n"
    "records without --pledge); the list shows every receipt with its\n"
    "entry and, once reversed, the entry that reversed it.\n"
    "\n"
    "Cash in the bank, converted at the receipt date's rate; the difference\n"
    "against the pledge's booked value is an exchange gain or loss. A\n"
    "receipt is in its pledge's currency and never more than is still owed.\n"
    "Without --pledge it records a pledge of the same amount at once (pool\n"
    "unrestricted unless --pool says otherwise).\n"
    "\n"
    "A receipt with the donor, date, amount and currency of one already\n"
    "recorded under another reference is taken for the same money recorded\n"
    "twice and refused (exit status 2), unless --allow-duplicate says both\n"
    "were paid; the event of the command records the option.\n"};

const struct tf_cmd cmd_rate = {
    "rate", "add a UN operational exchange rate", run_rate,
    "usage: tfund rate add CURRENCY DATE PER_USD\n"
    "\n"
    "PER_USD is the units of CURRENCY per 1 USD, an exact decimal, valid\n"
    "from DATE until the next rate of that currency. Rates never change:\n"
    "a correction is a new rate from a later date.\n"
    "\n"
    "PER_USD lies from 0.001 to 10000000. A rate is refused (exit status\n"
    "1) when it would change the rate in force for something booked (a\n"
    "posting converted from CURRENCY between DATE and its next rate; for\n"
    "the base currency, any conversion) or is dated in a closed period.\n"};

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
    "       tfund request list [--session ID] [--status STATUS]\n"
    "                          [--format text|csv|json]\n"
    "\n"
    "TIME is YYYY-MM-DDTHH:MM:SSZ, or YYYY-MM-DD HH:MM[:SS] taken as UTC.\n"
    "The fare is converted at the allocation run's date; a fare above\n"
    "10^12 minor units of its currency (10,000,000,000.00 USD) is refused.\n"
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
    "one prices the new fare.\n"
    "\n"
    "The list shows every request (of one session, in one state) with its\n"
    "status (pending, funded, waitlisted, rejected, disbursed, cancelled),\n"
    "the reason of its decision and its charge; 'tfund allocation show\n"
    "SESSION' gives all the figures of a session's decisions.\n"};

/* ---- Countries ------------------------------------------------------ */

struct country_lister {
    cli_table *t;
    const char *date;
    int ldc_only;
};

static int list_country(void *ctx, const tf_country *c)
{
    struct country_lister *l = ctx;
    int tier = tf_country_tier(c, l->date);
    char tiertext[4] = "";
    const char *cells[] = {c->iso3,
                           c->m49,
                           c->name,
                           c->un_status,
                           c->region_group,
                           c->ldc_from,
                           c->ldc_until,
                           c->sids ? "1" : "0",
                           c->lldc ? "1" : "0",
                           c->developing ? "1" : "0",
                           tiertext};

    if (l->ldc_only && !tf_country_is_ldc(c, l->date))
        return 0;
    if (tier)
        snprintf(tiertext, sizeof(tiertext), "%d", tier);
    cli_table_row(l->t, cells);
    return 0;
}

static int run_country(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ldc-on", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const cols[] = {
        "iso3",      "m49",  "name", "un_status",  "region_group", "ldc_from",
        "ldc_until", "sids", "lldc", "developing", "tier"};
    struct country_lister l = {NULL, NULL, 0};
    char today[TF_DATE_LEN + 1];
    cli_format fmt = CLI_TEXT;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    if (argc < 2)
        return cli_usage("missing subcommand");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help"))
        return cli_help();
    if (strcmp(argv[1], "list"))
        return cli_usage("unknown subcommand '%s'", argv[1]);
    argc--;
    argv++;
    tf_date_today(today);
    l.date = today;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'l':
            if ((rc = cli_check_date("--ldc-on", optarg)))
                return rc;
            l.date = optarg;
            l.ldc_only = 1;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    l.t = cli_table_new(fmt, stdout, cols, "ssssssssssi");
    err = tf_country_each(fund, list_country, &l, &diag);
    if (cli_table_end(l.t) && !err)
        err = tf_diag_set(&diag, TF_ERR_IO, "cannot write the list");
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_country = {
    "country", "list the country classification", run_country,
    "usage: tfund country list [--ldc-on DATE] [--format text|csv|json]\n"
    "\n"
    "The countries the fund classifies (shipped with tfund; 'tfund import\n"
    "countries' replaces rows): UN status, regional group, the dates of\n"
    "LDC inclusion and graduation, SIDS, LLDC, developing, and the tier a\n"
    "request from the country gets on DATE (default today): 1 an LDC, 2\n"
    "another developing country, empty when not eligible. --ldc-on DATE\n"
    "lists only the LDCs on DATE (from ldc_from, up to but not including\n"
    "ldc_until).\n"};
