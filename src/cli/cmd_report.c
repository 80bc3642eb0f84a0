/* SPDX-License-Identifier: MIT */
/*
 * tfund report donor ID | donors | fund | session ID -o PATH: the Excel
 * workbooks of reports/.
 */
#include <string.h>
#include <sys/stat.h>

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
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *kind, *out = NULL, *as_of = NULL, *id = NULL;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    long count = 0;
    int c, rc, need_id;
    struct stat st;

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
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            as_of = optarg;
            break;
        case 'h':
            return cli_help();
        default:
            return cli_bad_option(argv);
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
    if (!strcmp(kind, "donors") && (stat(out, &st) || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "tfund: '%s' is not a folder\n", out);
        return 3;
    }
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    if (!strcmp(kind, "donor"))
        err = tf_report_donor(fund, id, out, as_of, &diag);
    else if (!strcmp(kind, "session"))
        err = tf_report_session(fund, id, out, as_of, &diag);
    else if (!strcmp(kind, "fund"))
        err = tf_report_fund(fund, out, as_of, &diag);
    else
        err = tf_report_donors(fund, out, as_of, &count,
                               cli_progress_wanted() ? show_progress : NULL,
                               NULL, &diag);
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
    "usage: tfund report donor ID -o FILE.xlsx [--as-of DATE]\n"
    "       tfund report donors -o DIR [--as-of DATE]\n"
    "       tfund report fund -o FILE.xlsx [--as-of DATE]\n"
    "       tfund report session ID -o FILE.xlsx [--as-of DATE]\n"
    "\n"
    "Writes an Excel workbook from the books as of DATE (default today):\n"
    "  donor    a donor's statement: pledges, receipts, what its money was\n"
    "           used for (travel by session, preparation, PSC, routed\n"
    "           surplus, refunds, balance) and the delegates it helped fund\n"
    "  donors   one statement per donor, DIR/<donor-id>.xlsx\n"
    "  fund     financial position and performance by pool, contributions\n"
    "           of every donor, pools, allocations by session, trial balance\n"
    "  session  every request of a session with its decision and figures,\n"
    "           totals by tier, region, gender and status, what is left\n"
    "Every figure equals the books to the cent; totals are formulas.\n"
    "A workbook is written to a temporary file beside FILE, synced and then\n"
    "renamed to FILE (an existing workbook is replaced; a device, a FIFO, a\n"
    "symbolic link or a folder is refused with exit status 2).\n"
    "Exit status 2 for an unknown donor or session, 3 when the file cannot\n"
    "be written.\n"};
