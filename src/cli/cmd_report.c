/* SPDX-License-Identifier: MIT */
/*
 * tfund report donor ID | donors | fund | session ID -o PATH: the Excel
 * workbooks of reports/.
 */
#include <string.h>

#include "cli.h"
#include "tfund/report.h"

static void show_progress(void *ctx, long done, long total)
{
    (void)ctx;
    fprintf(stderr, "\rdonor statements: %ld of %ld", done, total);
    fflush(stderr);
}

static int run_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"as-of", required_argument, NULL, 'a'},
        {"to", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *kind, *out = NULL, *as_of = NULL, *from = NULL, *id = NULL;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    long count = 0;
    int c, rc, need_id;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help();
    if (argc < 2)
        return cli_usage("which report? donor ID, donors, fund or session ID");
    kind = argv[1];
    if (!strcmp(kind, "donor") || !strcmp(kind, "session"))
        need_id = 1;
    else if (!strcmp(kind, "donors") || !strcmp(kind, "fund"))
        need_id = 0;
    else
        return cli_usage("unknown report '%s' (donor, donors, fund, session)",
                         kind);
    argc--;
    argv++;
    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'a':
            if ((rc = cli_check_date("--to", optarg)))
                return rc;
            as_of = optarg;
            break;
        case 'f':
            if ((rc = cli_check_date("--from", optarg)))
                return rc;
            from = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != need_id)
        return need_id ? cli_usage("report %s needs one ID", kind)
                       : cli_usage("report %s takes no argument", kind);
    if (need_id)
        id = argv[optind];
    if (!out || !*out)
        return cli_usage("report %s needs -o %s", kind,
                         strcmp(kind, "donors") ? "FILE.xlsx" : "DIR");
    if (from && !strcmp(kind, "session"))
        return cli_usage("report session shows one date: --as-of DATE");
    if (from && as_of && strcmp(from, as_of) > 0)
        return cli_usage("--from %s is after --to %s", from, as_of);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    if (!strcmp(kind, "donor"))
        err = tf_report_donor_period(fund, id, out, from, as_of, &diag);
    else if (!strcmp(kind, "session"))
        err = tf_report_session(fund, id, out, as_of, &diag);
    else if (!strcmp(kind, "fund"))
        err = tf_report_fund_period(fund, out, from, as_of, &diag);
    else
        err = tf_report_donors_period(
            fund, out, from, as_of, &count,
            cli_progress_wanted() ? show_progress : NULL, NULL, &diag);
    if (cli_progress_wanted() && !strcmp(kind, "donors"))
        fputc('\n', stderr);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    if (!strcmp(kind, "donors"))
        printf("wrote %ld donor statement%s into %s\n", count,
               count == 1 ? "" : "s", out);
    else
        printf("wrote %s\n", out);
    return 0;
}

const struct tf_cmd cmd_report = {
    "report", "write an Excel report (donor, donors, fund, session)",
    run_report,
    "usage: tfund report donor ID -o FILE.xlsx [--from DATE] [--to DATE]\n"
    "       tfund report donors -o DIR [--from DATE] [--to DATE]\n"
    "       tfund report fund -o FILE.xlsx [--from DATE] [--to DATE]\n"
    "       tfund report session ID -o FILE.xlsx [--as-of DATE]\n"
    "\n"
    "Writes an Excel workbook from the books for the days from --from\n"
    "(default: the first entry) to --to (default today; --as-of is the\n"
    "same):\n"
    "  donor    a donor's statement: opening balance, receipts, its share\n"
    "           of each use (travel by meeting, preparation, PSC, refunds),\n"
    "           closing balance committed and free, what it still owes in\n"
    "           its currencies, sources and uses since the start, receipts,\n"
    "           pledges and the delegates its pools funded\n"
    "           (the figures of 'tfund statement')\n"
    "  donors   one statement per donor, DIR/<donor-id>.xlsx (DIR is\n"
    "           created if missing)\n"
    "  fund     financial position at --to and performance over the period\n"
    "           by pool, contributions of every donor, pools, allocations by\n"
    "           session, trial balance\n"
    "  session  the session as it stood on --as-of: grants with their draws,\n"
    "           the other requests with their decisions and figures, totals\n"
    "           by tier, region, gender and status, what is left\n"
    "Every figure equals the books to the cent; totals are formulas.\n"
    "A workbook is written to a temporary file beside FILE, synced and then\n"
    "renamed to FILE (an existing workbook is replaced; a device, a FIFO, a\n"
    "symbolic link or a folder is refused with exit status 2).\n"
    "Exit status 2 for an unknown donor or session or a bad period, 3 when\n"
    "the file cannot be written.\n"};
