/* SPDX-License-Identifier: MIT */
#include "cli.h"

static int run_pools(int argc, char **argv)
{
    static const char *const cols[] = {"pool",      "receipts", "cash",
                                       "committed", "reserve",  "available",
                                       "interest"};
    tf_pool_figures figs[TF_POOL_COUNT];
    cli_format fmt = CLI_TEXT;
    const char *as_of = NULL;
    tf_fund *fund;
    cli_table *t;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_as_of_options(argc, argv, &as_of, &fmt)) >= 0)
        return rc;
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_ledger_pools(fund, as_of, figs, &diag);
    if (!err) {
        int group = fmt == CLI_TEXT;
        t = cli_table_new(fmt, stdout, cols, "saaaaaa");
        for (int k = 0; k < TF_POOL_COUNT; k++) {
            char a[6][TF_AMOUNT_BUFSZ];
            const char *cells[] = {
                figs[k].pool,
                tf_fund_fmt(fund, a[0], figs[k].receipts, group),
                tf_fund_fmt(fund, a[1], figs[k].cash, group),
                tf_fund_fmt(fund, a[2], figs[k].committed, group),
                tf_fund_fmt(fund, a[3], figs[k].reserve, group),
                tf_fund_fmt(fund, a[4], figs[k].available, group),
                tf_fund_fmt(fund, a[5], figs[k].interest, group)};
            cli_table_row(t, cells);
        }
        cli_table_end(t);
    }
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_pools = {
    "pools", "what each pool has received, holds and may spend", run_pools,
    "usage: tfund pools [--as-of DATE] [--format text|csv|json]\n"
    "\n"
    "For each pool (unrestricted, travel, ldc-travel, prep):\n"
    "  receipts   donors' receipts into the pool\n"
    "  cash       receipts + interest + transfers in - transfers out -\n"
    "             charges paid (grants and preparation spending, with PSC)\n"
    "             - refunds: the bank's cash less the PSC and refunds the\n"
    "             pool owes (PSC remitted to the UN does not change it)\n"
    "  committed  outstanding commitments (funded grants not yet paid)\n"
    "  reserve    reserve_rate x receipts, rounded half to even\n"
    "  available  cash - committed - reserve: what may still be allocated\n"
    "  interest   interest the fund earned, credited to the pool (in cash,\n"
    "             not in receipts: no reserve is kept on it)\n"
    "Only cash counts: unpaid pledges are never allocated.\n"};
