/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "cli.h"

static void show_progress(void *ctx, long rows)
{
    fprintf(stderr, "\r%s: %ld rows", (const char *)ctx, rows);
    fflush(stderr);
}

static int run_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"allow-duplicate", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    tf_import_result res;
    tf_csv *csv = NULL;
    char line[1200];
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc, progress = cli_progress_wanted(), allow_duplicate = 0;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (c == 'h')
            return cli_help();
        if (c == 'a') {
            allow_duplicate = 1;
            continue;
        }
        return cli_bad_option(argv);
    }
    if (argc - optind != 2)
        return cli_usage("import needs a KIND and a FILE");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_fund_allow_duplicates(fund, allow_duplicate);
    tf_diag_clear(&diag);
    memset(&res, 0, sizeof(res));
    for (c = 0; tf_import_kinds[c]; c++)
        if (!strcmp(tf_import_kinds[c], argv[optind]))
            break;
    if (!tf_import_kinds[c])
        err = tf_diag_set(&diag, TF_ERR_USAGE,
                          "cannot import '%s': kinds are countries, rates, "
                          "donors, pledges, receipts, sessions, requests, "
                          "costs, spend",
                          argv[optind]);
    else
        err = tf_csv_open(&csv, argv[optind + 1], &diag);
    if (!err && !(err = cli_begin(fund, &diag))) {
        err = tf_import_csv(fund, argv[optind], csv, &res,
                            progress ? show_progress : NULL, argv[optind + 1],
                            &diag);
        if (!err) {
            int n = snprintf(line, sizeof(line),
                             "%s: %ld rows: %ld added, %ld already known",
                             argv[optind + 1], res.rows, res.added, res.known);
            if (res.updated && n > 0 && (size_t)n < sizeof(line))
                n += snprintf(line + n, sizeof(line) - (size_t)n,
                              ", %ld updated", res.updated);
            if (tf_fund_duplicates(fund) && n > 0 && (size_t)n < sizeof(line))
                snprintf(line + n, sizeof(line) - (size_t)n,
                         ", %ld duplicate(s) allowed (--allow-duplicate)",
                         tf_fund_duplicates(fund));
            tf_audit_summary(fund, "%s", line);
        }
        err = cli_finish(fund, err, &diag);
    }
    tf_csv_free(csv);
    if (progress && res.rows >= 5000)
        fputc('\n', stderr);
    tf_fund_close(fund);
    if (err) {
        rc = cli_fail(err, &diag);
        fprintf(stderr, "tfund: nothing was imported from '%s'\n",
                argv[optind + 1]);
        return rc;
    }
    printf("%s\n", line);
    return 0;
}

const struct tf_cmd cmd_import = {
    "import", "import a CSV file of countries, rates, donors, ...", run_import,
    "usage: tfund import KIND FILE [--allow-duplicate]\n"
    "\n"
    "Imports FILE (CSV, UTF-8, a header row; '-' reads standard input) in\n"
    "one transaction: one bad row and nothing is written, the error naming\n"
    "file:line:column. Rows whose reference is already in the books with\n"
    "the same details add nothing and are counted as known. A request\n"
    "that duplicates another (see 'tfund help request') is refused unless\n"
    "--allow-duplicate.\n"
    "\n"
    "Kinds and columns (optional in brackets):\n"
    "  countries  iso3,m49,name,un_status,region_group,ldc_from,ldc_until,\n"
    "             sids,lldc,developing\n"
    "  rates      currency,date,per_usd            (units per 1 USD)\n"
    "  donors     id,name,type[,country]           (type: state, igo,\n"
    "             private, foundation, other)\n"
    "  pledges    ref,donor,date,amount,currency,pool[,due]\n"
    "  receipts   ref,date,amount,currency[,pledge][,donor][,pool]\n"
    "  sessions   id,name,venue,start,days,dsa,terminal[,extra_days]\n"
    "             [,travel_budget]\n"
    "\n"
    "Pools: unrestricted, travel, ldc-travel, prep.\n"};
