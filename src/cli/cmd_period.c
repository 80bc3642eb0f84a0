/* SPDX-License-Identifier: MIT */
/* tfund period close and tfund reverse: the books closed through a date,
 * and an entry corrected by its reversal. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run_period(int argc, char **argv)
{
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help();
    if (argc != 3 || strcmp(argv[1], "close"))
        return cli_usage("usage is 'period close DATE'");
    if ((rc = cli_check_date("DATE", argv[2])))
        return rc;
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_ledger_close_period(fund, argv[2], &diag);
        if (!err)
            tf_audit_summary(fund, "books closed through %s", argv[2]);
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("books closed through %s: no entry dated on or before it will be "
           "accepted\n",
           argv[2]);
    return 0;
}

const struct tf_cmd cmd_period = {
    "period", "close the books through a date", run_period,
    "usage: tfund period close DATE\n"
    "\n"
    "After closing, no entry dated on or before DATE is accepted (the\n"
    "database refuses it too). A period cannot be reopened; DATE must be\n"
    "after the previous closing date.\n"};

static int run_reverse(int argc, char **argv)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 'd'},
                                         {"memo", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *date = NULL, *memo = NULL;
    int64_t id, new_id = 0;
    char *end;
    tf_fund *fund;
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
        case 'm':
            memo = optarg;
            break;
        case 'h':
            return cli_help();
        default:
            return cli_bad_option(argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("reverse needs one ENTRY id");
    id = strtoll(argv[optind], &end, 10);
    if (*end || id <= 0)
        return cli_usage("'%s' is not an entry id", argv[optind]);
    if (!date)
        return cli_usage("reverse needs --date DATE");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = cli_begin(fund, &diag);
    if (!err) {
        err = tf_ledger_reverse(fund, id, date, memo, &new_id, &diag);
        if (!err)
            tf_audit_summary(fund, "entry %" PRId64 " reverses entry %" PRId64,
                             new_id, id);
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("entry %" PRId64 " reverses entry %" PRId64 "\n", new_id, id);
    return 0;
}

const struct tf_cmd cmd_reverse = {
    "reverse", "correct a mistaken entry by reversing it", run_reverse,
    "usage: tfund reverse ENTRY --date DATE [--memo TEXT]\n"
    "\n"
    "Posts a new entry with ENTRY's postings negated, pointing back at it:\n"
    "entries are never edited or deleted. Pledge, receipt, spending, PSC\n"
    "remittance and interest entries can be reversed (a pledge only once\n"
    "its receipts are); grants are corrected with cancel and disburse\n"
    "instead.\n"};
