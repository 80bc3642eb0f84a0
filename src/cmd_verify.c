#include <inttypes.h>

#include "cli.h"

static void print_failure(void *ctx, int64_t entry, const char *what)
{
    (void)ctx;
    if (entry > 0)
        printf("FAIL entry %" PRId64 ": %s\n", entry, what);
    else
        printf("FAIL %s\n", what);
}

static int run_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    char hash[TF_HASH_BUFSZ];
    int64_t count = 0;
    long failures = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        if (c == 'h')
            return cli_help();
        return cli_bad_option(argv);
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_verify(fund, print_failure, NULL, &failures, &diag);
    if (!err)
        err = tf_ledger_head(fund, &count, hash, &diag);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    if (failures) {
        fprintf(stderr, "tfund: verify found %ld failure(s)\n", failures);
        return 1;
    }
    printf("ok: %" PRId64 " entries, hash chain intact (head %.16s), every "
           "entry balanced per pool, running balances, receivables and "
           "pools agree\n",
           count, count ? hash : "none");
    return 0;
}

const struct tf_cmd cmd_verify = {
    "verify", "check the books for errors and tampering", run_verify,
    "usage: tfund verify\n"
    "\n"
    "Checks, and reports each failure with the entry it concerns:\n"
    "  - every entry has two or more postings and balances in every pool;\n"
    "  - the hash chain is unbroken from the first entry to the recorded\n"
    "    head (an edit, insertion, removal or reordering breaks it);\n"
    "  - converted postings match the rate in force on their date;\n"
    "  - every running balance equals the sum of its postings;\n"
    "  - each donor's receivable equals its pledges less receipts;\n"
    "  - no pool's available is negative.\n"
    "Exit status 0 when all hold, 1 when any fails.\n"};
