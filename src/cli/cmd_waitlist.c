/* SPDX-License-Identifier: MIT */
/*
 * waitlist and headroom: what the next allocation runs of the sessions
 * still to come would do, and what they could spend.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* [--session S] [--date D] [--format F], or SESSION as an argument when
 * session_arg. Returns -1 to go on, else the exit status. */
static int view_options(int argc, char **argv, const char **session,
                        const char **date, cli_format *fmt, int session_arg)
{
    static const struct option opts[] = {
        {"session", required_argument, NULL, 's'},
        {"date", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 's':
            if (session_arg)
                return cli_bad_option(argv);
            *session = optarg;
            break;
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            *date = optarg;
            break;
        default:
            if ((rc = cli_shared_option(c, argv, fmt)) >= 0)
                return rc;
        }
    }
    if (session_arg && optind < argc)
        *session = argv[optind++];
    if (optind < argc)
        return cli_usage("unexpected argument '%s'", argv[optind]);
    return -1;
}

/* ---- waitlist ------------------------------------------------------ */

struct wl {
    tf_fund *fund;
    cli_table *t;
    int group;
    long rows;
};

static int waitlist_row(void *ctx, const tf_waitlist_row *w)
{
    struct wl *c = ctx;
    const tf_request *r = w->request;
    char pos[24], tier[8], charge[TF_AMOUNT_BUFSZ], shortfall[TF_AMOUNT_BUFSZ];
    const char *cells[8];

    snprintf(pos, sizeof(pos), "%ld", w->position);
    snprintf(tier, sizeof(tier), "%d", r->tier);
    tf_fund_fmt(c->fund, charge, r->charge, c->group);
    if (w->shortfall < 0)
        shortfall[0] = '\0';
    else
        tf_fund_fmt(c->fund, shortfall, w->shortfall, c->group);
    cells[0] = w->session;
    cells[1] = pos;
    cells[2] = r->ref;
    cells[3] = r->country;
    cells[4] = tier;
    cells[5] = r->reason;
    cells[6] = charge;
    cells[7] = shortfall;
    cli_table_row(c->t, cells);
    c->rows++;
    return 0;
}

static int run_waitlist(int argc, char **argv)
{
    static const char *const cols[] = {"session", "position", "ref",
                                       "country", "tier",     "reason",
                                       "charge",  "shortfall"};
    cli_format fmt = CLI_TEXT;
    const char *session = NULL, *date;
    char today[16];
    struct wl c;
    tf_diag diag;
    tf_error err;
    int rc;

    tf_date_today(today);
    date = today;
    if ((rc = view_options(argc, argv, &session, &date, &fmt, 0)) >= 0)
        return rc;
    memset(&c, 0, sizeof(c));
    if ((rc = cli_open(&c.fund)))
        return rc;
    tf_diag_clear(&diag);
    c.group = fmt == CLI_TEXT;
    c.t = cli_table_new(fmt, stdout, cols, "sissisaa");
    err = tf_waitlist(c.fund, session, date, waitlist_row, &c, &diag);
    cli_table_done(c.t, err);
    if (!err && fmt == CLI_TEXT && !c.rows)
        printf("nothing waitlisted for a session a run on %s may still "
               "fund\n",
               date);
    return cli_close(c.fund, err, &diag);
}

const struct tf_cmd cmd_waitlist = {
    "waitlist", "the waitlist, as the next allocation runs would see it",
    run_waitlist,
    "usage: tfund waitlist [--session SESSION] [--date DATE]\n"
    "                      [--format text|csv|json]\n"
    "\n"
    "Every waitlisted request submitted by DATE (default today) of the\n"
    "sessions whose last day is on or after DATE (sessions by start date),\n"
    "in the order the session's next run dated DATE, with the default\n"
    "options, would consider it, and what that run would decide. CSV\n"
    "columns: session,position,ref,country,tier,reason,charge,shortfall.\n"
    "  position   1, 2, ... within the session (pending requests the run\n"
    "             would also consider take none)\n"
    "  reason     quota, insufficient-funds or cap (the travel_budget);\n"
    "             empty: that run would fund it\n"
    "  charge     its charge at DATE\n"
    "  shortfall  what keeps it out: 0.00 when funded; its charge less the\n"
    "             allowance its tier's pools have left when the run reaches\n"
    "             it, or less what the travel_budget has left; empty for\n"
    "             quota\n"
    "The figures are those 'allocate SESSION --date DATE --dry-run' gives.\n"
    "--session of a session already over is refused (exit 1).\n"};

/* ---- headroom ------------------------------------------------------ */

struct hr {
    tf_fund *fund;
    cli_table *t;
    const char *date;
    int group;
    long rows;
};

static int headroom_row(void *ctx, const tf_headroom *h)
{
    static const char *const tier_names[3] = {"", "tier 1", "tier 2"};
    struct hr *c = ctx;
    const tf_envelope *e = h->env;

    c->rows++;
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        char a[4][TF_AMOUNT_BUFSZ];
        const char *cells[10];
        if (k == TF_POOL_PREP)
            continue;
        cells[0] = h->session;
        cells[1] = e->last_day;
        cells[2] = tf_pools[k];
        cells[3] = tf_fund_fmt(c->fund, a[0], e->envelope[k], c->group);
        cells[4] = tf_fund_fmt(c->fund, a[1], e->used[k], c->group);
        cells[5] = tf_fund_fmt(c->fund, a[2], e->available[k], c->group);
        cells[6] = tf_fund_fmt(c->fund, a[3], e->allowance[k], c->group);
        cells[7] = cells[8] = cells[9] = "";
        cli_table_row(c->t, cells);
    }
    for (int t = 1; t <= 2; t++) {
        char a[2][TF_AMOUNT_BUFSZ], n[2][24];
        const char *cells[10];
        cells[0] = h->session;
        cells[1] = e->last_day;
        cells[2] = tier_names[t];
        cells[3] = cells[4] = cells[5] = "";
        cells[6] = tf_fund_fmt(c->fund, a[0], h->tier[t].room, c->group);
        snprintf(n[0], sizeof(n[0]), "%ld", h->tier[t].requests);
        cells[7] = n[0];
        if (h->tier[t].median >= 0) {
            cells[8] = tf_fund_fmt(c->fund, a[1], h->tier[t].median, c->group);
            snprintf(n[1], sizeof(n[1]), "%ld", h->tier[t].covers);
            cells[9] = n[1];
        } else {
            cells[8] = cells[9] = "";
        }
        cli_table_row(c->t, cells);
    }
    return 0;
}

static int run_headroom(int argc, char **argv)
{
    static const char *const cols[] = {
        "session",   "last_day",  "what",     "envelope",      "used",
        "available", "allowance", "requests", "median_charge", "covers"};
    cli_format fmt = CLI_TEXT;
    const char *session = NULL, *date;
    char today[16];
    struct hr c;
    tf_diag diag;
    tf_error err;
    int rc;

    tf_date_today(today);
    date = today;
    if ((rc = view_options(argc, argv, &session, &date, &fmt, 1)) >= 0)
        return rc;
    memset(&c, 0, sizeof(c));
    if ((rc = cli_open(&c.fund)))
        return rc;
    tf_diag_clear(&diag);
    c.group = fmt == CLI_TEXT;
    c.date = date;
    c.t = cli_table_new(fmt, stdout, cols, "sssaaaaiai");
    err = tf_headroom_each(c.fund, session, date, headroom_row, &c, &diag);
    cli_table_done(c.t, err);
    if (!err && fmt == CLI_TEXT && !c.rows)
        printf("no session is still to come on %s (a run may be dated up to "
               "a session's last day)\n",
               date);
    return cli_close(c.fund, err, &diag);
}

const struct tf_cmd cmd_headroom = {
    "headroom", "what the sessions still to come can still spend", run_headroom,
    "usage: tfund headroom [SESSION] [--date DATE] [--format text|csv|json]\n"
    "\n"
    "For each session whose last day is on or after DATE (default today),\n"
    "or SESSION alone, what a run dated DATE would start from, one row per\n"
    "pool a grant may draw:\n"
    "  envelope   the envelope its runs fixed, or what its first run would\n"
    "             fix on DATE: floor(available x days share)\n"
    "  used       what its funded and disbursed grants drew\n"
    "  available  the pool's available as of DATE\n"
    "  allowance  what a run dated DATE could spend: max(0,\n"
    "             min(available, envelope - used))\n"
    "and one row per tier (tier 1: LDC, drawing ldc-travel, travel and\n"
    "unrestricted; tier 2: travel and unrestricted):\n"
    "  allowance      its pools' allowance, within what the travel_budget\n"
    "                 has left\n"
    "  requests       its pending and waitlisted requests submitted by DATE\n"
    "  median_charge  their median charge at DATE\n"
    "  covers         how many requests of that charge the allowance pays\n"
    "CSV columns: session,last_day,what,envelope,used,available,allowance,\n"
    "requests,median_charge,covers. The allowances are those of\n"
    "'allocate SESSION --date DATE --dry-run'.\n"};
