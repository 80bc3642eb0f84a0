/* SPDX-License-Identifier: MIT */
/*
 * surplus, spend, attribution and close: the fund's money after travel.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct need_out {
    tf_fund *fund;
    cli_table *t;
};

static int print_need(void *ctx, const tf_need *n)
{
    struct need_out *o = ctx;
    char w[24], p[24], a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    const char *cells[] = {n->session, n->start, w, p, a, b};

    snprintf(w, sizeof(w), "%ld", n->waitlisted);
    snprintf(p, sizeof(p), "%ld", n->pending);
    tf_fund_fmt(o->fund, a, n->charges, 1);
    tf_fund_fmt(o->fund, b, n->travel_budget, 1);
    cli_table_row(o->t, cells);
    return 0;
}

static int print_warning(void *ctx, const char *warning)
{
    (void)ctx;
    printf("warning: %s\n", warning);
    fprintf(stderr, "tfund: warning: %s\n", warning);
    return 0;
}

/* Asks on the terminal whether to go on; nonzero for yes. */
static int confirmed(void)
{
    char line[64];

    fputs("move the surplus to prep all the same? It cannot be undone "
          "[y/N] ",
          stderr);
    fflush(stderr);
    if (!fgets(line, sizeof(line), stdin))
        return 0;
    return line[0] == 'y' || line[0] == 'Y';
}

static void print_result(tf_fund *fund, const tf_surplus_result *res,
                         int dry_run)
{
    char a[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ], t[TF_AMOUNT_BUFSZ];

    printf("need %s; available: unrestricted %s, travel %s\n",
           tf_fund_fmt(fund, a, res->need, 1),
           tf_fund_fmt(fund, b, res->available_unrestricted, 1),
           tf_fund_fmt(fund, t, res->available_travel, 1));
    printf("surplus %s", tf_fund_fmt(fund, a, res->surplus, 1));
    if (res->surplus) {
        printf(": %s from unrestricted and %s from travel %s to prep",
               tf_fund_fmt(fund, a, res->moved_unrestricted, 1),
               tf_fund_fmt(fund, b, res->moved_travel, 1),
               dry_run ? "would move" : "moved");
        if (!dry_run)
            printf(" (entry %" PRId64 ")", res->entry);
    } else {
        printf(": nothing to move");
    }
    printf("%s\n", dry_run ? "; dry run, nothing written" : "");
}

const struct option cli_surplus_opts[] = {
    {"date", required_argument, NULL, 'd'},
    {"dry-run", no_argument, NULL, 'n'},
    {"yes", no_argument, NULL, 'y'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int run_surplus(int argc, char **argv)
{
    /* The counts of waitlisted and pending requests are named by their
     * status. */
    const char *const cols[] = {"session",
                                "start",
                                tf_status_name(TF_STATUS_WAITLISTED),
                                tf_status_name(TF_STATUS_PENDING),
                                "charges",
                                "travel_budget"};
    const char *date = NULL;
    int dry_run = 0, yes = 0, c, rc;
    tf_surplus_result plan, res;
    struct need_out o;
    long warnings = 0;
    char a[TF_AMOUNT_BUFSZ];
    tf_diag diag;
    tf_error err;

    while ((c = cli_getopt(argc, argv, cli_surplus_opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            date = optarg;
            break;
        case 'n':
            dry_run = 1;
            break;
        case 'y':
            yes = 1;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if (!date)
        return cli_usage("surplus needs --date DATE");
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    /* First what it would do, and why it may be too soon. */
    printf("travel still needed for sessions starting on or after %s:\n", date);
    o.t = cli_table_new(CLI_TEXT, stdout, cols, "ssiiaa");
    err = tf_surplus(o.fund, date, 1, &plan, print_need, &o, &diag);
    cli_table_end(o.t);
    if (!err)
        err = tf_surplus_warnings(o.fund, date, &plan, print_warning, NULL,
                                  &warnings, &diag);
    if (err || dry_run) {
        if (!err)
            print_result(o.fund, &plan, 1);
        return cli_close(o.fund, err, &diag);
    }
    if (warnings && !yes) {
        fflush(stdout);
        if (!isatty(STDIN_FILENO) || !confirmed()) {
            tf_fund_close(o.fund);
            fprintf(stderr,
                    "tfund: surplus not moved: %s (give --yes to move it "
                    "all the same)\n",
                    isatty(STDIN_FILENO) ? "not confirmed"
                                         : "the warnings need a confirmation");
            return 1;
        }
    }
    /* Then the move, on the books as they are now. */
    if ((err = cli_begin(o.fund, &diag))) {
        tf_fund_close(o.fund);
        return cli_fail(err, &diag);
    }
    err = tf_surplus(o.fund, date, 0, &res, NULL, NULL, &diag);
    if (!err && res.surplus != plan.surplus)
        err = tf_diag_set(&diag, TF_ERR_RULE,
                          "the books changed while the surplus was being "
                          "confirmed (%s now): nothing moved, run it again",
                          tf_fund_fmt(o.fund, a, res.surplus, 1));
    if (!err) {
        char b[TF_AMOUNT_BUFSZ], t[TF_AMOUNT_BUFSZ];
        if (res.surplus)
            tf_audit_summary(o.fund,
                             "surplus %s: %s from unrestricted and %s from "
                             "travel moved to prep (entry %" PRId64 ")%s",
                             tf_fund_fmt(o.fund, a, res.surplus, 1),
                             tf_fund_fmt(o.fund, b, res.moved_unrestricted, 1),
                             tf_fund_fmt(o.fund, t, res.moved_travel, 1),
                             res.entry,
                             warnings ? ", confirmed over its warnings" : "");
        print_result(o.fund, &res, 0);
        if (fflush(stdout) != 0 || ferror(stdout))
            err = tf_diag_set(&diag, TF_ERR_IO, "cannot write the output");
    }
    err = cli_finish(o.fund, err, &diag);
    return cli_close(o.fund, err, &diag);
}

const struct tf_cmd cmd_surplus = {
    "surplus", "route surplus travel money to conference preparation",
    run_surplus,
    "usage: tfund surplus --date DATE [--dry-run] [--yes]\n"
    "\n"
    "need = the last charge of every waitlisted request + the charge (fare\n"
    "converted at DATE) of every pending request from an eligible country,\n"
    "for sessions starting on or after DATE, + the travel_budget of such\n"
    "sessions that have no requests. surplus = max(0, available of\n"
    "unrestricted + available of travel - need), moved to prep in one\n"
    "transfer entry dated DATE, from unrestricted first, then travel.\n"
    "ldc-travel is never routed. Run twice, it moves nothing the second\n"
    "time.\n"
    "\n"
    "A move cannot be undone, so surplus warns (on stderr and in its\n"
    "output, dry run included) when no session starts after DATE (the next\n"
    "meeting's travel is not in the need yet), when pledges to the travel\n"
    "pools are still unpaid, or when it would leave unrestricted and travel\n"
    "at zero available with requests of sessions not yet over waitlisted.\n"
    "Then it asks for a confirmation on a terminal; --yes gives it for\n"
    "scripts, and without a terminal or --yes nothing moves (exit 1).\n"};

static int print_spend(void *ctx, const tf_spend *s, int64_t entry,
                       int64_t reversed_by)
{
    struct need_out *o = ctx;
    const tf_currency *cur = tf_currency_find(s->currency);
    char amt[TF_AMOUNT_BUFSZ], base[TF_AMOUNT_BUFSZ], psc[TF_AMOUNT_BUFSZ];
    char id[24], rev[24] = "";
    const char *cells[] = {s->ref, s->date, s->currency, amt,    base,
                           psc,    id,      rev,         s->memo};

    tf_amount_format(amt, sizeof(amt), s->amount, cur ? cur->minor : 2, 0);
    tf_fund_fmt(o->fund, base, s->base_amount, 0);
    tf_fund_fmt(o->fund, psc, s->psc, 0);
    snprintf(id, sizeof(id), "%" PRId64, entry);
    if (reversed_by)
        snprintf(rev, sizeof(rev), "%" PRId64, reversed_by);
    cli_table_row(o->t, cells);
    return 0;
}

/* 'spend list': the preparation spending recorded, reversed ones marked
 * with the entry that reversed them. */
static int list_spend(cli_format fmt)
{
    static const char *const cols[] = {"ref",    "date",        "currency",
                                       "amount", "base_amount", "psc",
                                       "entry",  "reversed_by", "memo"};
    struct need_out o;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    o.t = cli_table_new(fmt, stdout, cols, "sssaaaiis");
    err = tf_spend_list(o.fund, print_spend, &o, &diag);
    cli_table_end(o.t);
    return cli_close(o.fund, err, &diag);
}

/* 'spend REF': records one preparation spending. */
static int add_spend(const char *ref, const char *date, const char *amount,
                     const char *currency, const char *memo)
{
    const tf_currency *cur = tf_currency_find(currency);
    char entries[160] = "";
    tf_fund *fund;
    tf_spend s;
    tf_diag diag, sub;
    tf_error err;
    int rc, known = 0;

    memset(&s, 0, sizeof(s));
    tf_diag_clear(&sub);
    if (!cur)
        return cli_usage("--currency: unknown currency '%s'", currency);
    if (tf_amount_parse(&s.amount, amount, cur, 0, &sub))
        return cli_usage("--amount: %s", sub.msg);
    s.ref = ref;
    s.date = date;
    s.currency = cur->code;
    s.memo = memo;
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        err = tf_spend_add(fund, &s, &known, &diag);
        if (!err)
            tf_audit_summary(fund, "%s: recorded", s.ref);
        err = cli_finish(fund, err, &diag);
    }
    if (!err)
        cli_entries_text(fund, s.ref, entries, sizeof(entries));
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("%s: %s%s%s\n", s.ref, known ? "already recorded" : "recorded",
           entries, known ? ", nothing added" : "");
    return 0;
}

const struct option cli_spend_opts[] = {
    {"date", required_argument, NULL, 'd'},
    {"amount", required_argument, NULL, 'a'},
    {"currency", required_argument, NULL, 'c'},
    {"memo", required_argument, NULL, 'm'},
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int run_spend(int argc, char **argv)
{
    const char *date = NULL, *amount = NULL, *currency = "USD", *memo = "";
    cli_format fmt = CLI_TEXT;
    int c, rc;

    while ((c = cli_getopt(argc, argv, cli_spend_opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            date = optarg;
            break;
        case 'a':
            amount = optarg;
            break;
        case 'c':
            currency = optarg;
            break;
        case 'm':
            memo = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (argc - optind == 1 && !strcmp(argv[optind], "list"))
        return list_spend(fmt);
    if (argc - optind != 1)
        return cli_usage("spend needs one REF (or 'list')");
    if (!date || !amount)
        return cli_usage("spend needs --date and --amount");
    return add_spend(argv[optind], date, amount, currency, memo);
}

const struct tf_cmd cmd_spend = {
    "spend", "record conference-preparation spending", run_spend,
    "usage: tfund spend REF --date DATE --amount AMOUNT [--currency CUR]\n"
    "                   [--memo TEXT]\n"
    "       tfund spend list [--format text|csv|json]\n"
    "\n"
    "Spending from the prep pool, with PSC (psc_rate x amount) owed to the\n"
    "UN, converted at DATE (currency USD unless given). Refused (exit 1)\n"
    "beyond what prep has available on DATE. 'tfund import spend FILE'\n"
    "reads ref,date,amount,currency[,memo]. It prints the entry number of\n"
    "the spending, which 'tfund reverse' needs; the list shows every\n"
    "spending with its entry and, once reversed, the entry that reversed\n"
    "it.\n"};

struct attr_out {
    tf_fund *fund;
    cli_table *t;
    int group;
};

static int print_attr(void *ctx, const tf_attribution *a)
{
    struct attr_out *o = ctx;
    char r[TF_AMOUNT_BUFSZ], out[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ];
    char car[TF_AMOUNT_BUFSZ];
    const char *cells[] = {a->donor,
                           a->pool,
                           tf_fund_fmt(o->fund, r, a->receipts, o->group),
                           tf_fund_fmt(o->fund, out, a->outflows, o->group),
                           tf_fund_fmt(o->fund, b, a->balance, o->group),
                           tf_fund_fmt(o->fund, car, a->carried, o->group)};

    cli_table_row(o->t, cells);
    return 0;
}

/* Only whether the donor exists matters to attribution --donor. */
static int donor_exists(void *ctx, const tf_donor *d)
{
    (void)ctx;
    (void)d;
    return 1;
}

static int run_attribution(int argc, char **argv)
{
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"donor", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const cols[] = {"donor",    "pool",    "receipts",
                                       "outflows", "balance", "carried_in"};
    const char *as_of = NULL, *donor = NULL;
    cli_format fmt = CLI_TEXT;
    struct attr_out o;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            as_of = optarg;
            break;
        case 'd':
            donor = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    o.group = fmt == CLI_TEXT;
    if (donor && !tf_is_interest_party(donor))
        err = tf_donor_each(o.fund, donor, donor_exists, NULL, &diag);
    else
        err = TF_OK;
    if (!err) {
        o.t = cli_table_new(fmt, stdout, cols, "ssaaaa");
        err = tf_attribution_each(o.fund, as_of, donor, print_attr, &o, &diag);
        cli_table_end(o.t);
    }
    return cli_close(o.fund, err, &diag);
}

const struct tf_cmd cmd_attribution = {
    "attribution", "what each donor's money in each pool paid for",
    run_attribution,
    "usage: tfund attribution [--as-of DATE] [--donor ID] [--format "
    "text|csv|json]\n"
    "\n"
    "Per pool, a donor's weight is its receipts into the pool plus what\n"
    "transfers (surplus routed to prep) carried in for it; the pool's\n"
    "outflows (grants paid with PSC, preparation spending with PSC,\n"
    "transfers out, refunds) are split over those weights by the largest-\n"
    "remainder method, and balance = receipts - outflows, exactly. Each\n"
    "transfer's leg is split over its source pool's weights and carried\n"
    "into prep as if those donors had paid it in there. Interest the fund\n"
    "earned is its own receipt, on a row of its own (donor fund-interest):\n"
    "a weight in its pool like a donor's receipts. CSV columns:\n"
    "donor,pool,receipts,outflows,balance (receipts include carried\n"
    "transfers), then carried_in.\n"};

static int print_refund(void *ctx, const char *pool, const char *donor,
                        int64_t amount)
{
    struct attr_out *o = ctx;
    char a[TF_AMOUNT_BUFSZ];
    const char *cells[] = {pool, donor, tf_fund_fmt(o->fund, a, amount, 1)};

    cli_table_row(o->t, cells);
    return 0;
}

static int run_close(int argc, char **argv)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static const char *const cols[] = {"pool", "donor", "refund payable"};
    const char *date = NULL;
    struct attr_out o;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            date = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if (!date)
        return cli_usage("close needs --date DATE");
    if ((rc = cli_open_begin(&o.fund, &err, &diag)))
        return rc;
    if (!err) {
        o.t = cli_table_new(CLI_TEXT, stdout, cols, "ssa");
        err = tf_close(o.fund, date, print_refund, &o, &diag);
        if (!err)
            tf_audit_summary(o.fund,
                             "fund closed on %s: no new pledges, receipts, "
                             "requests or allocations",
                             date);
        err = cli_finish(o.fund, err, &diag);
        if (!err)
            cli_table_end(o.t);
        else
            cli_table_free(o.t); /* a rolled-back close shows nothing */
    }
    if (!err)
        printf("fund closed on %s: no new pledges, receipts, requests or "
               "allocations\n",
               date);
    return cli_close(o.fund, err, &diag);
}

const struct tf_cmd cmd_close = {
    "close", "close the fund, refunding what remains", run_close,
    "usage: tfund close --date DATE\n"
    "\n"
    "Refused while commitments are outstanding or entries are dated after\n"
    "DATE. Otherwise each pool's remaining balance becomes refunds payable\n"
    "to its donors, split pro-rata over their attribution weights (one\n"
    "entry per pool; the part of the fund's own interest goes to the\n"
    "pool's donors pro-rata to their weights), the books are closed\n"
    "through DATE and the fund accepts no new pledges, receipts, requests\n"
    "or allocations. PSC still payable stays owed to the UN: remit it\n"
    "(psc pay) before closing.\n"};
