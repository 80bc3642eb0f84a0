/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "cli.h"

struct balance_out {
    tf_fund *fund;
    cli_table *t;
    cli_format fmt;
    int64_t debits, credits;
    int overflow;
};

static int print_balance(void *ctx, const char *account, const char *pool,
                         int64_t balance)
{
    struct balance_out *o = ctx;
    char amt[TF_AMOUNT_BUFSZ], dr[TF_AMOUNT_BUFSZ] = "",
                               cr[TF_AMOUNT_BUFSZ] = "";

    if (o->fmt != CLI_TEXT) {
        const char *cells[] = {account, pool,
                               tf_fund_fmt(o->fund, amt, balance, 0)};
        cli_table_row(o->t, cells);
        return 0;
    }
    /* Totals saturate rather than wrap: books that large are reported
     * as overflowing, never with a wrong figure. */
    if (balance > 0) {
        tf_fund_fmt(o->fund, dr, balance, 1);
        if (tf_money_add(&o->debits, o->debits, balance))
            o->overflow = 1;
    } else {
        tf_fund_fmt(o->fund, cr, -balance, 1);
        if (balance == INT64_MIN ||
            tf_money_add(&o->credits, o->credits, -balance))
            o->overflow = 1;
    }
    {
        const char *cells[] = {account, pool, dr, cr};
        cli_table_row(o->t, cells);
    }
    return 0;
}

static int run_balance(int argc, char **argv)
{
    static const char *const csv_cols[] = {"account", "pool", "balance"};
    static const char *const text_cols[] = {"account", "pool", "debit",
                                            "credit"};
    struct balance_out o;
    const char *as_of = NULL;
    tf_diag diag;
    tf_error err;
    int rc;

    memset(&o, 0, sizeof(o));
    o.fmt = CLI_TEXT;
    if ((rc = cli_as_of_options(argc, argv, &as_of, &o.fmt)) >= 0)
        return rc;
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    if (o.fmt == CLI_TEXT)
        o.t = cli_table_new(o.fmt, stdout, text_cols, "ssaa");
    else
        o.t = cli_table_new(o.fmt, stdout, csv_cols, "ssa");
    err = tf_ledger_each_balance(o.fund, as_of, print_balance, &o, &diag);
    if (!err && o.fmt == CLI_TEXT) {
        char dr[TF_AMOUNT_BUFSZ], cr[TF_AMOUNT_BUFSZ];
        const char *cells[] = {
            "total", "",
            o.overflow ? "(too large)" : tf_fund_fmt(o.fund, dr, o.debits, 1),
            o.overflow ? "(too large)" : tf_fund_fmt(o.fund, cr, o.credits, 1)};
        cli_table_row(o.t, cells);
    }
    cli_table_end(o.t);
    return cli_close(o.fund, err, &diag);
}

const struct tf_cmd cmd_balance = {
    "balance", "trial balance by account and pool", run_balance,
    "usage: tfund balance [--as-of DATE] [--format text|csv|json]\n"
    "\n"
    "The trial balance: every account's nonzero balance in every pool, in\n"
    "the base currency. Text shows debit and credit columns and their\n"
    "totals (always equal); CSV and JSON give account,pool,balance with\n"
    "debits positive. --as-of counts only entries dated on or before DATE.\n"};
