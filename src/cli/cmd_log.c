/* SPDX-License-Identifier: MIT */
/*
 * log and history: who did what, and when (DESIGN.md section 10).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct log_out {
    cli_table *t;
};

static int print_event(void *ctx, const tf_event *e)
{
    struct log_out *o = ctx;
    char seq[24];
    const char *cells[] = {seq, e->at, e->actor, e->command, e->summary};

    snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
    cli_table_row(o->t, cells);
    return 0;
}

static int run_log(int argc, char **argv)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, 's'},
        {"actor", required_argument, NULL, 'a'},
        {"ref", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static const char *const cols[] = {"seq", "at", "actor", "command",
                                       "summary"};
    tf_event_filter filter = {NULL, NULL, NULL};
    cli_format fmt = CLI_TEXT;
    struct log_out o;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's':
            if ((rc = cli_check_date("--since", optarg)))
                return rc;
            filter.since = optarg;
            break;
        case 'a':
            filter.actor = optarg;
            break;
        case 'r':
            filter.ref = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, &fmt)) >= 0)
                return rc;
        }
    }
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    o.t = cli_table_new(fmt, stdout, cols, "issss");
    err = tf_event_each(fund, &filter, print_event, &o, &diag);
    cli_table_done(o.t, err);
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_log = {
    "log", "who did what, and when: the event log", run_log,
    "usage: tfund log [--since DATE] [--actor WHO] [--ref REF]\n"
    "                 [--format text|csv|json]\n"
    "\n"
    "Lists the events of the fund in order: every command that changed\n"
    "anything appended one, with its sequence number, the time (UTC), the\n"
    "actor (the login that ran it; in a team fund, its user), the command\n"
    "as given (without --db) and a one-line summary. A dry run, a refused\n"
    "command and a command that only reads append none. CSV columns:\n"
    "seq,at,actor,command,summary.\n"
    "\n"
    "  --since DATE   events on or after DATE (UTC)\n"
    "  --actor WHO    events of that actor only\n"
    "  --ref REF      events that touched the donor, pledge, receipt,\n"
    "                 session or request REF (see 'tfund history')\n"
    "\n"
    "Events are hash-chained; 'tfund verify' checks the chain and that every\n"
    "row of the books is as the event that wrote it recorded.\n"};

struct history_out {
    cli_table *t;
};

static int print_item(void *ctx, const tf_history_item *h)
{
    struct history_out *o = ctx;
    char seq[24];
    const char *cells[] = {seq, h->event->at, h->event->actor, h->what,
                           h->event->command};

    snprintf(seq, sizeof(seq), "%" PRId64, h->event->seq);
    cli_table_row(o->t, cells);
    return 0;
}

static int run_history(int argc, char **argv)
{
    static const char *const cols[] = {"seq", "at", "actor", "what", "command"};
    cli_format fmt = CLI_TEXT;
    struct history_out o;
    long found = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = cli_format_options(argc, argv, &fmt)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("history needs one REF");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    o.t = cli_table_new(fmt, stdout, cols, "issss");
    err = tf_history(fund, argv[optind], print_item, &o, &found, &diag);
    if (!err && !found)
        err = tf_diag_set(&diag, TF_ERR_NOTFOUND,
                          "no donor, pledge, receipt, session or request is "
                          "named '%s'",
                          argv[optind]);
    cli_table_done(o.t, err);
    return cli_close(fund, err, &diag);
}

const struct tf_cmd cmd_history = {
    "history", "everything that happened to one record", run_history,
    "usage: tfund history REF [--format text|csv|json]\n"
    "\n"
    "Shows, in event order, everything that happened to the donor, pledge,\n"
    "receipt, session or request named REF (every kind of record so named):\n"
    "its recording, each allocation run that decided it, its cancellation,\n"
    "disbursement and actual cost, the receipts of a pledge, the pledges of\n"
    "a donor, the runs of a session, and the entries booked for it; each\n"
    "with the event that did it (sequence number, time, actor, command).\n"
    "CSV columns: seq,at,actor,what,command.\n"};
