/* SPDX-License-Identifier: MIT */
/*
 * tfund psc and tfund interest: the programme support costs remitted to
 * the UN and the interest earned on the fund's bank balance
 * (include/tfund/treasury.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tfund/audit.h"
#include "tfund/treasury.h"

/* The options of 'psc pay' and 'interest add'. */
struct entry_opts {
    const char *date, *amount, *pool, *ref, *memo;
    const char *as_of;
    cli_format fmt;
};

/* Parses the options after the subcommand (argv[1]); allow_pool for
 * interest. Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, int allow_pool,
                      struct entry_opts *o)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"amount", required_argument, NULL, 'a'},
        {"pool", required_argument, NULL, 'p'},
        {"ref", required_argument, NULL, 'r'},
        {"memo", required_argument, NULL, 'm'},
        {"as-of", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    memset(o, 0, sizeof(*o));
    o->fmt = CLI_TEXT;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            o->date = optarg;
            break;
        case 'a':
            o->amount = optarg;
            break;
        case 'p':
            if (!allow_pool)
                return cli_usage("--pool: a remittance is split over the "
                                 "pools by what each owes");
            o->pool = optarg;
            break;
        case 'r':
            o->ref = optarg;
            break;
        case 'm':
            o->memo = optarg;
            break;
        case 'o':
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            o->as_of = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &o->fmt)) >= 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    return -1;
}

/* A write's options: --date and --amount, nothing of a listing. */
static int need_entry(const struct entry_opts *o, const char *what)
{
    if (!o->date || !o->amount)
        return cli_usage("%s needs --date DATE and --amount AMOUNT", what);
    if (o->as_of || o->fmt != CLI_TEXT)
        return cli_usage("%s takes no --as-of or --format", what);
    return -1;
}

/* A listing's options: no --date, --amount, --ref or --memo. */
static int need_listing(const struct entry_opts *o, const char *what)
{
    if (o->date || o->amount || o->ref || o->memo || o->pool)
        return cli_usage("%s takes only --as-of and --format", what);
    return -1;
}

/* The amount of --amount in the base currency (exit 2 when bad). */
static int parse_amount(tf_fund *fund, const char *text, int64_t *out)
{
    tf_diag sub;

    tf_diag_clear(&sub);
    if (tf_fund_parse(fund, out, text, 0, &sub))
        return cli_usage("--amount: %s", sub.msg);
    if (*out <= 0)
        return cli_usage("--amount must be more than 0");
    return 0;
}

/* Opens the fund and reads o's --amount into *amount: 0, or the exit
 * status (the fund closed again). */
static int open_with_amount(const struct entry_opts *o, tf_fund **fund,
                            int64_t *amount)
{
    int rc;

    if ((rc = cli_open(fund)))
        return rc;
    if ((rc = parse_amount(*fund, o->amount, amount))) {
        tf_fund_close(*fund);
        return rc;
    }
    return 0;
}

/* The end of psc pay and interest add: closes the fund and prints line,
 * or that known_ref (when not NULL) was already recorded; returns the
 * exit status. */
static int entry_done(tf_fund *fund, tf_error err, const tf_diag *diag,
                      const char *known_ref, const char *line)
{
    int rc;

    if ((rc = cli_close(fund, err, diag)))
        return rc;
    if (known_ref)
        printf("%s: already recorded, nothing added\n", known_ref);
    else
        printf("%s\n", line);
    return 0;
}

/* ---- psc ------------------------------------------------------------- */

/* "unrestricted 1,000.00; travel 234.56" into buf. */
static const char *parts_text(tf_fund *fund, char *buf, size_t size,
                              const int64_t part[TF_POOL_COUNT])
{
    size_t used = 0;

    buf[0] = '\0';
    for (int k = 0; k < TF_POOL_COUNT && used < size; k++) {
        char a[TF_AMOUNT_BUFSZ];
        if (!part[k])
            continue;
        used += (size_t)snprintf(buf + used, size - used, "%s%s %s",
                                 used ? "; " : "", tf_pools[k],
                                 tf_fund_fmt(fund, a, part[k], 1));
    }
    return buf;
}

static int psc_pay(const struct entry_opts *o)
{
    tf_psc_payment p;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    char line[512], parts[256], a[TF_AMOUNT_BUFSZ];
    int rc, known = 0;

    if ((rc = need_entry(o, "psc pay")) >= 0)
        return rc;
    memset(&p, 0, sizeof(p));
    if ((rc = open_with_amount(o, &fund, &p.amount)))
        return rc;
    p.date = o->date;
    p.ref = o->ref;
    p.memo = o->memo;
    tf_diag_clear(&diag);
    line[0] = '\0';
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_psc_pay(fund, &p, &known, &diag);
        if (!err && !known) {
            snprintf(line, sizeof(line),
                     "entry %" PRId64 ": PSC of %s %s paid to the UN on %s "
                     "(%s)",
                     p.entry, tf_fund_fmt(fund, a, p.amount, 1),
                     tf_fund_base(fund)->code, p.date,
                     parts_text(fund, parts, sizeof(parts), p.part));
            tf_audit_summary(fund, "%s", line);
        }
        err = cli_finish(fund, err, &diag);
    }
    return entry_done(fund, err, &diag, known ? p.ref : NULL, line);
}

static int psc_show(const struct entry_opts *o)
{
    static const char *const cols[] = {"pool", "charged", "paid", "payable"};
    tf_psc_figures figs[TF_POOL_COUNT];
    int64_t total[3] = {0, 0, 0};
    tf_fund *fund;
    cli_table *t;
    tf_diag diag;
    tf_error err;
    int rc, group = o->fmt == CLI_TEXT;

    if ((rc = need_listing(o, "psc show")) >= 0)
        return rc;
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_psc_figures_get(fund, o->as_of, figs, &diag);
    if (!err) {
        char a[3][TF_AMOUNT_BUFSZ];
        t = cli_table_new(o->fmt, stdout, cols, "saaa");
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            const char *cells[] = {
                figs[k].pool, tf_fund_fmt(fund, a[0], figs[k].charged, group),
                tf_fund_fmt(fund, a[1], figs[k].paid, group),
                tf_fund_fmt(fund, a[2], figs[k].payable, group)};
            cli_table_row(t, cells);
            total[0] += figs[k].charged;
            total[1] += figs[k].paid;
            total[2] += figs[k].payable;
        }
        if (group) {
            const char *cells[] = {"total",
                                   tf_fund_fmt(fund, a[0], total[0], group),
                                   tf_fund_fmt(fund, a[1], total[1], group),
                                   tf_fund_fmt(fund, a[2], total[2], group)};
            cli_table_row(t, cells);
        }
        cli_table_end(t);
    }
    return cli_close(fund, err, &diag);
}

struct lister {
    tf_fund *fund;
    cli_table *t;
    int group;
};

static int list_payment(void *ctx, const tf_psc_payment *p)
{
    struct lister *l = ctx;
    char id[24], rev[24], a[TF_POOL_COUNT + 1][TF_AMOUNT_BUFSZ];
    const char *cells[TF_POOL_COUNT + 6];
    int n = 0;

    snprintf(id, sizeof(id), "%" PRId64, p->entry);
    if (p->reversed_by)
        snprintf(rev, sizeof(rev), "%" PRId64, p->reversed_by);
    else
        rev[0] = '\0';
    cells[n++] = id;
    cells[n++] = p->date;
    cells[n++] = p->ref ? p->ref : "";
    cells[n++] = tf_fund_fmt(l->fund, a[TF_POOL_COUNT], p->amount, l->group);
    for (int k = 0; k < TF_POOL_COUNT; k++)
        cells[n++] = tf_fund_fmt(l->fund, a[k], p->part[k], l->group);
    cells[n++] = rev;
    cells[n++] = p->memo;
    cli_table_row(l->t, cells);
    return 0;
}

static int psc_list(const struct entry_opts *o)
{
    const char *cols[TF_POOL_COUNT + 6];
    char kinds[TF_POOL_COUNT + 7];
    struct lister l;
    tf_diag diag;
    tf_error err;
    int rc, n = 0;

    if ((rc = need_listing(o, "psc list")) >= 0)
        return rc;
    cols[n++] = "entry";
    cols[n++] = "date";
    cols[n++] = "ref";
    cols[n++] = "amount";
    for (int k = 0; k < TF_POOL_COUNT; k++)
        cols[n++] = tf_pools[k];
    cols[n++] = "reversed_by";
    cols[n++] = "memo";
    /* entry, date, ref; the amount and each pool's part; reversed_by,
     * memo. */
    memcpy(kinds, "iss", 3);
    memset(kinds + 3, 'a', TF_POOL_COUNT + 1);
    memcpy(kinds + TF_POOL_COUNT + 4, "is", 3);
    if ((rc = cli_open(&l.fund)))
        return rc;
    l.group = o->fmt == CLI_TEXT;
    tf_diag_clear(&diag);
    l.t = cli_table_new(o->fmt, stdout, cols, kinds);
    err = tf_psc_payment_each(l.fund, o->as_of, list_payment, &l, &diag);
    cli_table_end(l.t);
    return cli_close(l.fund, err, &diag);
}

static int run_psc(int argc, char **argv)
{
    struct entry_opts o;
    const char *sub;
    int rc;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return argc < 2 ? cli_usage("psc needs pay, show or list") : cli_help();
    sub = argv[1];
    if (strcmp(sub, "pay") && strcmp(sub, "show") && strcmp(sub, "list"))
        return cli_usage("unknown psc command '%s' (pay, show or list)", sub);
    if ((rc = parse_opts(argc - 1, argv + 1, 0, &o)) >= 0)
        return rc;
    if (!strcmp(sub, "pay"))
        return psc_pay(&o);
    if (!strcmp(sub, "show"))
        return psc_show(&o);
    return psc_list(&o);
}

const struct tf_cmd cmd_psc = {
    "psc", "pay the programme support costs owed to the UN", run_psc,
    "usage: tfund psc pay --date DATE --amount AMOUNT [--ref REF] [--memo "
    "TEXT]\n"
    "       tfund psc show [--as-of DATE] [--format text|csv|json]\n"
    "       tfund psc list [--as-of DATE] [--format text|csv|json]\n"
    "\n"
    "PSC (psc_rate x the cost of every grant paid and every preparation\n"
    "spending) is owed to the UN and stays in the bank, in the PSC payable\n"
    "of the pool that paid the cost, until it is remitted.\n"
    "  pay   a remittance of AMOUNT (base currency) on DATE: cash out of\n"
    "        the bank, the PSC payable cleared; what each pool holds and\n"
    "        may spend (pools: cash, available) does not change. Split\n"
    "        over the pools pro-rata to what each owes on DATE (largest\n"
    "        remainder, ties to the pool listed first), so that paying all\n"
    "        that is owed clears every pool. Refused (exit 1) beyond the\n"
    "        PSC payable on DATE, or when a pool's part is more than it\n"
    "        owes today. --ref (a bank reference) makes it idempotent: the\n"
    "        same ref, date and amount again adds nothing. Prints the\n"
    "        entry number ('reverse' corrects a mistaken remittance).\n"
    "  show  per pool: PSC charged, paid to the UN and still payable\n"
    "        (charged - paid), as of --as-of (default: today). CSV\n"
    "        columns: pool,charged,paid,payable.\n"
    "  list  every remittance: entry,date,ref,amount, its part of each\n"
    "        pool, reversed_by (the entry that reversed it), memo.\n"};

/* ---- interest ---------------------------------------------------------- */

static int interest_add(const struct entry_opts *o)
{
    tf_interest i;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    char line[512], a[TF_AMOUNT_BUFSZ];
    int rc, known = 0;

    if ((rc = need_entry(o, "interest add")) >= 0)
        return rc;
    if (o->pool && tf_pool_find(o->pool) < 0)
        return cli_usage("--pool: unknown pool '%s' (one of %s)", o->pool,
                         tf_pool_list());
    memset(&i, 0, sizeof(i));
    if ((rc = open_with_amount(o, &fund, &i.amount)))
        return rc;
    i.date = o->date;
    i.pool = o->pool;
    i.ref = o->ref;
    i.memo = o->memo;
    tf_diag_clear(&diag);
    line[0] = '\0';
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_interest_add(fund, &i, &known, &diag);
        if (!err && !known) {
            snprintf(line, sizeof(line),
                     "entry %" PRId64 ": interest of %s %s credited to %s on "
                     "%s",
                     i.entry, tf_fund_fmt(fund, a, i.amount, 1),
                     tf_fund_base(fund)->code, i.pool, i.date);
            tf_audit_summary(fund, "%s", line);
        }
        err = cli_finish(fund, err, &diag);
    }
    return entry_done(fund, err, &diag, known ? i.ref : NULL, line);
}

static int list_interest(void *ctx, const tf_interest *i)
{
    struct lister *l = ctx;
    char id[24], rev[24], a[TF_AMOUNT_BUFSZ];
    const char *cells[7];

    snprintf(id, sizeof(id), "%" PRId64, i->entry);
    if (i->reversed_by)
        snprintf(rev, sizeof(rev), "%" PRId64, i->reversed_by);
    else
        rev[0] = '\0';
    cells[0] = id;
    cells[1] = i->date;
    cells[2] = i->ref ? i->ref : "";
    cells[3] = i->pool;
    cells[4] = tf_fund_fmt(l->fund, a, i->amount, l->group);
    cells[5] = rev;
    cells[6] = i->memo;
    cli_table_row(l->t, cells);
    return 0;
}

static int interest_list(const struct entry_opts *o)
{
    static const char *const cols[] = {"entry",  "date",        "ref", "pool",
                                       "amount", "reversed_by", "memo"};
    struct lister l;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = need_listing(o, "interest list")) >= 0)
        return rc;
    if ((rc = cli_open(&l.fund)))
        return rc;
    l.group = o->fmt == CLI_TEXT;
    tf_diag_clear(&diag);
    l.t = cli_table_new(o->fmt, stdout, cols, "isssais");
    err = tf_interest_each(l.fund, o->as_of, list_interest, &l, &diag);
    cli_table_end(l.t);
    return cli_close(l.fund, err, &diag);
}

static int run_interest(int argc, char **argv)
{
    struct entry_opts o;
    const char *sub;
    int rc;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return argc < 2 ? cli_usage("interest needs add or list") : cli_help();
    sub = argv[1];
    if (strcmp(sub, "add") && strcmp(sub, "list"))
        return cli_usage("unknown interest command '%s' (add or list)", sub);
    if ((rc = parse_opts(argc - 1, argv + 1, 1, &o)) >= 0)
        return rc;
    return !strcmp(sub, "add") ? interest_add(&o) : interest_list(&o);
}

const struct tf_cmd cmd_interest = {
    "interest", "record interest earned on the fund's bank balance",
    run_interest,
    "usage: tfund interest add --date DATE --amount AMOUNT [--pool POOL]\n"
    "                          [--ref REF] [--memo TEXT]\n"
    "       tfund interest list [--as-of DATE] [--format text|csv|json]\n"
    "\n"
    "  add   interest of AMOUNT (base currency) earned on DATE, credited\n"
    "        to POOL (default unrestricted): cash and available go up by\n"
    "        it. It is the fund's own receipt, not a donor's: the pool's\n"
    "        receipts and reserve do not count it, and the attribution\n"
    "        shows it on a row of its own (fund-interest), a weight in the\n"
    "        pool's pro-rata like a donor's receipts, so that every donor's\n"
    "        figures stay exact. At closing its part of what remains goes\n"
    "        to the pool's donors. Refused (exit 1) into a pool that holds\n"
    "        no donor's money on DATE. --ref makes it idempotent. Prints\n"
    "        the entry number ('reverse' corrects a mistake).\n"
    "  list  every interest entry: entry,date,ref,pool,amount,reversed_by,\n"
    "        memo.\n"};
