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
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
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
                                         {"ref", required_argument, NULL, 'r'},
                                         {"memo", required_argument, NULL, 'm'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *date = NULL, *memo = NULL, *ref = NULL;
    int64_t id = 0, reversed[2], reversals[2];
    char line[512];
    size_t n = 0;
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
        case 'r':
            ref = optarg;
            break;
        case 'm':
            memo = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (ref && argc - optind != 0)
        return cli_usage("reverse takes an ENTRY id or --ref REF, not both");
    if (!ref) {
        if (argc - optind != 1)
            return cli_usage("reverse needs one ENTRY id, or --ref REF");
        if (cli_parse_id(argv[optind], &id))
            return cli_usage("'%s' is not an entry id", argv[optind]);
    }
    if (!date)
        return cli_usage("reverse needs --date DATE");
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        if (ref) {
            err = tf_ledger_reverse_ref(fund, ref, date, memo, reversed,
                                        reversals, &n, &diag);
        } else {
            err = tf_ledger_reverse(fund, id, date, memo, &reversals[0], &diag);
            reversed[0] = id;
            n = 1;
        }
        if (!err) {
            int used = 0;
            for (size_t i = 0;
                 i < n && used >= 0 && (size_t)used < sizeof(line); i++)
                used += snprintf(line + used, sizeof(line) - (size_t)used,
                                 "%sentry %" PRId64 " reverses entry %" PRId64,
                                 i ? "; " : "", reversals[i], reversed[i]);
            if (ref && used >= 0 && (size_t)used < sizeof(line))
                snprintf(line + used, sizeof(line) - (size_t)used, " (%s)",
                         ref);
            tf_audit_summary(fund, "%s", line);
        }
        err = cli_finish(fund, err, &diag);
    }
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    printf("%s\n", line);
    return 0;
}

const struct tf_cmd cmd_reverse = {
    "reverse", "correct a mistaken entry by reversing it", run_reverse,
    "usage: tfund reverse ENTRY --date DATE [--memo TEXT]\n"
    "       tfund reverse --ref REF --date DATE [--memo TEXT]\n"
    "\n"
    "Posts a new entry with ENTRY's postings negated, pointing back at it:\n"
    "entries are never edited or deleted. Pledge, receipt, spending, PSC\n"
    "remittance and interest entries can be reversed (a pledge only once\n"
    "its receipts are); grants are corrected with cancel and disburse\n"
    "instead. With --ref, the pledge, receipt or spending recorded under\n"
    "REF is reversed; a receipt recorded without a pledge is reversed with\n"
    "the pledge it recorded for itself.\n"
    "\n"
    "Refused (exit status 1, nothing written) when the reversal would leave\n"
    "a pool with a negative available today: a receipt whose money is\n"
    "already committed or spent cannot be taken back while no other money\n"
    "in its pool covers it.\n"};
