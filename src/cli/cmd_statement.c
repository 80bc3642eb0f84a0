/* SPDX-License-Identifier: MIT */
/*
 * tfund statement DONOR [--from D] [--to D]: the figures of a donor's
 * statement (include/tfund/statement.h), for people and for scripts; the
 * donor statement workbook shows the same figures.
 */
#include <string.h>

#include "cli.h"
#include "tfund/statement.h"

static const char *const line_cols[] = {"line",    "pool",     "detail",
                                        "session", "currency", "amount"};

struct out {
    tf_fund *fund;
    cli_table *t;
    int group;
};

/* One CSV/JSON row: amount in currency (NULL: the base currency). */
static void row(struct out *o, const char *line, const char *pool,
                const char *detail, const char *session, const char *currency,
                int64_t amount)
{
    const tf_currency *base = tf_fund_base(o->fund);
    const tf_currency *cur = currency ? tf_currency_find(currency) : base;
    char a[TF_AMOUNT_BUFSZ];
    const char *cells[6];

    if (!cur)
        cur = base;
    tf_amount_format(a, sizeof(a), amount, cur->minor, o->group);
    cells[0] = line;
    cells[1] = pool;
    cells[2] = detail;
    cells[3] = session;
    cells[4] = cur->code;
    cells[5] = a;
    cli_table_row(o->t, cells);
}

static void print_rows(struct out *o, const tf_statement *st)
{
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        const char *p = tf_pools[k];
        if (!st->in_pool[k])
            continue;
        row(o, "opening", p, NULL, NULL, NULL, st->opening_balance[k]);
        row(o, "received", p, NULL, NULL, NULL, st->received[k]);
        row(o, "moved", p, NULL, NULL, NULL, st->moved[k]);
        for (size_t i = 0; i < st->nuses; i++)
            if (st->uses[i].share[k])
                row(o, "used", p, st->uses[i].category, st->uses[i].session,
                    NULL, st->uses[i].share[k]);
        row(o, "reshared", p, NULL, NULL, NULL, st->reshared[k]);
        row(o, "closing", p, NULL, NULL, NULL, st->closing[k]);
        row(o, "committed", p, NULL, NULL, NULL, st->committed[k]);
        row(o, "free", p, NULL, NULL, NULL, st->free[k]);
    }
    for (size_t i = 0; i < st->ncurrencies; i++) {
        const tf_statement_currency *c = &st->currencies[i];
        row(o, "pledged", NULL, NULL, NULL, c->code, c->pledged);
        row(o, "paid", NULL, NULL, NULL, c->code, c->paid);
        row(o, "outstanding", NULL, NULL, NULL, c->code, c->outstanding);
        row(o, "overdue", NULL, NULL, NULL, c->code, c->overdue);
        row(o, "unpledged", NULL, NULL, NULL, c->code, c->unpledged);
        row(o, "period-received", NULL, NULL, NULL, c->code, c->received);
        row(o, "period-received-value", NULL, c->code, NULL, NULL,
            c->received_base);
    }
}

/* The text statement: one line per figure, a column per pool. */
static void text_line(struct out *o, const char *label,
                      const int64_t v[TF_POOL_COUNT], const int *in_pool)
{
    char a[TF_POOL_COUNT + 1][TF_AMOUNT_BUFSZ];
    const char *cells[TF_POOL_COUNT + 2];
    int n = 0;

    cells[n++] = label;
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (in_pool[k]) {
            tf_fund_fmt(o->fund, a[k], v[k], 1);
            cells[n++] = a[k];
        }
    cells[n++] =
        tf_fund_fmt(o->fund, a[TF_POOL_COUNT], tf_statement_total(v), 1);
    cli_table_row(o->t, cells);
}

static void print_text(struct out *o, const tf_statement *st, const char *donor)
{
    const char *cols[TF_POOL_COUNT + 2];
    char kinds[TF_POOL_COUNT + 3] = "s", label[160];
    int n = 0;

    printf("statement of %s from %s to %s, in %s\n", donor,
           *st->from ? st->from : "the first entry", st->to,
           tf_fund_base(o->fund)->code);
    cols[n++] = "";
    for (int k = 0; k < TF_POOL_COUNT; k++)
        if (st->in_pool[k])
            cols[n++] = tf_pools[k];
    cols[n++] = "total";
    memset(kinds + 1, 'a', (size_t)n - 1);
    kinds[n] = '\0';
    o->t = cli_table_new(CLI_TEXT, stdout, cols, kinds);
    snprintf(label, sizeof(label), "opening balance%s%s%s",
             *st->opening ? " (" : "", st->opening, *st->opening ? ")" : "");
    text_line(o, label, st->opening_balance, st->in_pool);
    text_line(o, "received", st->received, st->in_pool);
    text_line(o, "moved out (in) between pools", st->moved, st->in_pool);
    for (size_t i = 0; i < st->nuses; i++) {
        snprintf(label, sizeof(label), "used: %s%s%s", st->uses[i].category,
                 st->uses[i].session ? " " : "",
                 st->uses[i].session ? st->uses[i].session : "");
        text_line(o, label, st->uses[i].share, st->in_pool);
    }
    text_line(o, "change in share of earlier spending", st->reshared,
              st->in_pool);
    text_line(o, "closing balance", st->closing, st->in_pool);
    text_line(o, "  committed", st->committed, st->in_pool);
    text_line(o, "  free", st->free, st->in_pool);
    cli_table_end(o->t);
    if (st->ncurrencies) {
        static const char *const ccols[] = {
            "currency",          "pledged", "paid",
            "outstanding",       "overdue", "without pledge",
            "received in period"};
        o->t = cli_table_new(CLI_TEXT, stdout, ccols, "saaaaaa");
        printf("\n");
        for (size_t i = 0; i < st->ncurrencies; i++) {
            const tf_statement_currency *c = &st->currencies[i];
            const tf_currency *cur = tf_currency_find(c->code);
            int64_t v[6] = {c->pledged, c->paid,      c->outstanding,
                            c->overdue, c->unpledged, c->received};
            char a[6][TF_AMOUNT_BUFSZ];
            const char *cells[7];
            cells[0] = c->code;
            for (int j = 0; j < 6; j++) {
                tf_amount_format(a[j], sizeof(a[j]), v[j], cur ? cur->minor : 2,
                                 1);
                cells[1 + j] = a[j];
            }
            cli_table_row(o->t, cells);
        }
        cli_table_end(o->t);
    }
}

static int run_statement(int argc, char **argv)
{
    static const struct option opts[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"as-of", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    cli_format fmt = CLI_TEXT;
    tf_statement st;
    struct out o;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'f':
            if ((rc = cli_check_date("--from", optarg)))
                return rc;
            from = optarg;
            break;
        case 't':
            if ((rc = cli_check_date("--to", optarg)))
                return rc;
            to = optarg;
            break;
        case 'F':
            if (cli_parse_format(optarg, &fmt))
                return cli_usage("unknown format '%s'", optarg);
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("statement needs one donor ID");
    if (from && to && strcmp(from, to) > 0)
        return cli_usage("--from %s is after --to %s", from, to);
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_statement_donor(o.fund, argv[optind], from, to, &st, &diag);
    if (!err && fmt == CLI_TEXT) {
        o.group = 1;
        print_text(&o, &st, argv[optind]);
    } else if (!err) {
        o.group = 0;
        o.t = cli_table_new(fmt, stdout, line_cols, "sssssa");
        print_rows(&o, &st);
        cli_table_end(o.t);
    }
    tf_statement_release(&st);
    return cli_close(o.fund, err, &diag);
}

const struct tf_cmd cmd_statement = {
    "statement", "a donor's balance and its movements over a period",
    run_statement,
    "usage: tfund statement DONOR [--from DATE] [--to DATE] [--format "
    "text|csv|json]\n"
    "\n"
    "The figures of the donor statement (report donor) for the days from\n"
    "--from (default: the first entry) to --to (default today; --as-of is\n"
    "the same), in the base currency, per pool:\n"
    "  opening   the donor's attributed balance the day before --from\n"
    "  received  its receipts of the period, net of reversals\n"
    "  moved     its part of the period's transfers out of the pool\n"
    "            (negative: into it); 0 over all pools\n"
    "  used      its share of what the pool spent in the period (detail:\n"
    "            travel with its session, prep, psc, refunds, other), at\n"
    "            the donors' weights at the end of the period\n"
    "  reshared  the change in its share of the pool's earlier spending\n"
    "            as donors paid in (every outflow is shared over\n"
    "            cumulative receipts)\n"
    "  closing   its attributed balance at the end: opening + received -\n"
    "            moved - used - reshared, exactly\n"
    "  committed its part of the pool's outstanding commitments, split\n"
    "            over the donors' closing balances; free = closing -\n"
    "            committed\n"
    "and per currency of its pledges and receipts, in that currency:\n"
    "pledged, paid (on those pledges), outstanding = pledged - paid,\n"
    "overdue (outstanding on pledges due before --to), unpledged (received\n"
    "without a pledge), period-received, and period-received-value (the\n"
    "same in the base currency; detail names the currency).\n"
    "CSV columns: line,pool,detail,session,currency,amount.\n"
    "DONOR may be fund-interest, the fund's own interest (interest add):\n"
    "its received is the interest credited to each pool, its uses where\n"
    "the interest went, and it has no pledges.\n"};
