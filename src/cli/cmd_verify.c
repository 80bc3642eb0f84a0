/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_failure(void *ctx, int64_t entry, const char *what)
{
    (void)ctx;
    if (entry > 0)
        printf("FAIL entry %" PRId64 ": %s\n", entry, what);
    else
        printf("FAIL %s\n", what);
}

/* A head noted elsewhere: an entry's or an event's hash. */
struct expect {
    int event;
    int64_t id;
    const char *hash;
    int found, matches;
};

static int find_hash(void *ctx, const tf_entry *e)
{
    struct expect *x = ctx;

    if (e->id != x->id)
        return 0;
    x->found = 1;
    x->matches = !strcmp(e->hash, x->hash);
    return 1;
}

static int find_event(void *ctx, const tf_event *e)
{
    struct expect *x = ctx;

    if (e->seq != x->id)
        return 0;
    x->found = 1;
    x->matches = !strcmp(e->hash, x->hash);
    return 1;
}

/* Parses [entry:|event:]N:HASH. */
static int parse_expect(const char *arg, struct expect *x)
{
    char *end;

    memset(x, 0, sizeof(*x));
    if (!strncmp(arg, "event:", 6)) {
        x->event = 1;
        arg += 6;
    } else if (!strncmp(arg, "entry:", 6)) {
        arg += 6;
    }
    if (*arg < '0' || *arg > '9')
        return -1;
    x->id = strtoll(arg, &end, 10);
    if (x->id <= 0 || *end != ':' || strlen(end + 1) != 64)
        return -1;
    x->hash = end + 1;
    return 0;
}

static int run_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"expect", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct expect x[2];
    int nx = 0;
    char hash[TF_HASH_BUFSZ], ehash[TF_HASH_BUFSZ];
    int64_t count = 0, nevents = 0;
    long failures = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'e':
            if (nx == 2 || parse_expect(optarg, &x[nx]))
                return cli_usage("--expect takes ENTRY:HASH or "
                                 "event:SEQ:HASH (the heads verify printed), "
                                 "at most one of each");
            nx++;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_verify(fund, print_failure, NULL, &failures, &diag);
    if (!err) {
        long more = 0;
        err = tf_verify_runs(fund, print_failure, NULL, &more, &diag);
        failures += more;
    }
    for (int i = 0; !err && i < nx; i++) {
        err = x[i].event
                  ? tf_event_each(fund, NULL, find_event, &x[i], &diag)
                  : tf_ledger_each_entry(fund, NULL, find_hash, &x[i], &diag);
        if (!err && (!x[i].found || !x[i].matches)) {
            printf("FAIL %s %" PRId64 ": %s\n",
                   x[i].event ? "events row" : "entry", x[i].id,
                   x[i].found ? "its hash is not the one noted: the "
                                "log up to it was rewritten"
                              : "no such row: the log was cut");
            failures++;
        }
    }
    if (!err)
        err = tf_ledger_head(fund, &count, hash, &diag);
    if (!err)
        err = tf_event_head(fund, &nevents, ehash, &diag);
    tf_fund_close(fund);
    if (err)
        return cli_fail(err, &diag);
    if (failures) {
        fprintf(stderr, "tfund: verify found %ld failure%s\n", failures,
                failures == 1 ? "" : "s");
        return 1;
    }
    printf("ok: %" PRId64 " entr%s, hash chain intact (head %" PRId64
           ":%s), every "
           "entry balanced per pool, running balances, receivables, PSC "
           "payable and "
           "pools agree; %" PRId64 " event%s, chain intact (head event:%" PRId64
           ":%s), every row of the books as its event wrote it\n",
           count, count == 1 ? "y" : "ies", count, count ? hash : "none",
           nevents, nevents == 1 ? "" : "s", nevents, nevents ? ehash : "none");
    return 0;
}

const struct tf_cmd cmd_verify = {
    "verify", "check the books for errors and tampering", run_verify,
    "usage: tfund verify [--expect ENTRY:HASH] [--expect event:SEQ:HASH]\n"
    "\n"
    "Checks, and reports each failure with the entry, or the table and the\n"
    "row, it concerns:\n"
    "  - every entry has two or more postings and balances in every pool;\n"
    "  - the hash chain is unbroken from the first entry to the recorded\n"
    "    head (an edit, insertion, removal or reordering breaks it);\n"
    "  - converted postings match the rate in force on their date;\n"
    "  - every running balance equals the sum of its postings;\n"
    "  - each donor's receivable equals its pledges less receipts;\n"
    "  - each pool's PSC payable equals the PSC charged less the PSC paid\n"
    "    to the UN, and no more was paid than charged; a remittance posts\n"
    "    to PSC payable and cash only, interest to cash and interest;\n"
    "  - no pool's available is negative;\n"
    "  - the event log's chain is unbroken up to its recorded head;\n"
    "  - every row of every covered table (countries, rates, donors,\n"
    "    pledges, receipts, sessions, requests, costs, settings, users,\n"
    "    runs, decisions, draws, spends, transfers, refunds, entries,\n"
    "    postings) was written by an event and is as that event recorded\n"
    "    it: a row inserted, changed or removed outside tfund is named;\n"
    "  - the current settings and countries are their latest versions,\n"
    "    and each request's state is what its decisions say;\n"
    "  - each allocation run used the settings, sessions and country\n"
    "    classification in force when it ran.\n"
    "Exit status 0 when all hold, 1 when any fails.\n"
    "\n"
    "The last line names the heads of the journal (ENTRY:HASH) and of the\n"
    "event log (event:SEQ:HASH). An auditor who notes them can later run\n"
    "'tfund verify --expect ENTRY:HASH --expect event:SEQ:HASH' to prove\n"
    "that nothing up to them was rewritten, even by someone who recomputed\n"
    "every hash in the file.\n"};
