/* SPDX-License-Identifier: MIT */
/*
 * allocate, allocation show, disburse and cancel: the travel grants.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static const char *const alloc_cols[] = {
    "ref",  "session", "country",  "tier", "region_group", "status", "reason",
    "fare", "dsa",     "terminal", "cost", "psc",          "charge", "draws"};
static const char alloc_kinds[] = "sssisssaaaaaas";
_Static_assert(sizeof(alloc_kinds) - 1 ==
                   sizeof(alloc_cols) / sizeof(alloc_cols[0]),
               "one kind per column");

struct show {
    tf_fund *fund;
    cli_table *t;
    cli_format fmt;
    long count[TF_STATUS_COUNT];
    int64_t charge[TF_STATUS_COUNT];
    long tier_count[3];
    int64_t tier_charge[3];
};

static int show_request(void *ctx, const tf_request *r)
{
    struct show *s = ctx;
    char tier[8] = "", fig[6][TF_AMOUNT_BUFSZ], draws[256] = "";
    int group = s->fmt == CLI_TEXT;
    size_t len = 0;

    memset(fig, 0, sizeof(fig));
    if (r->tier && !tf_status_is(r->status, TF_STATUS_REJECTED) &&
        r->has_figures)
        snprintf(tier, sizeof(tier), "%d", r->tier);
    if (r->has_figures) {
        tf_fund_fmt(s->fund, fig[0], r->fare, group);
        tf_fund_fmt(s->fund, fig[1], r->dsa, group);
        tf_fund_fmt(s->fund, fig[2], r->terminal, group);
        tf_fund_fmt(s->fund, fig[3], r->cost, group);
        tf_fund_fmt(s->fund, fig[4], r->psc, group);
        tf_fund_fmt(s->fund, fig[5], r->charge, group);
    }
    for (int i = 0; i < r->ndraws && len < sizeof(draws) - 64; i++) {
        char amt[TF_AMOUNT_BUFSZ];
        len += (size_t)snprintf(
            draws + len, sizeof(draws) - len, "%s%s:%s", i ? ";" : "",
            r->draws[i].pool,
            tf_fund_fmt(s->fund, amt, r->draws[i].amount, group));
    }
    if (tf_status_find(r->status) >= 0) {
        s->count[tf_status_find(r->status)]++;
        s->charge[tf_status_find(r->status)] += r->has_figures ? r->charge : 0;
    }
    if (tier[0] && (tf_status_is(r->status, TF_STATUS_FUNDED) ||
                    tf_status_is(r->status, TF_STATUS_DISBURSED))) {
        s->tier_count[r->tier]++;
        s->tier_charge[r->tier] += r->charge;
    }
    {
        const char *cells[] = {r->ref,          r->session, r->country, tier,
                               r->region_group, r->status,  r->reason,  fig[0],
                               fig[1],          fig[2],     fig[3],     fig[4],
                               fig[5],          draws};
        cli_table_row(s->t, cells);
    }
    return 0;
}

static void print_totals(struct show *s)
{
    char amt[TF_AMOUNT_BUFSZ];

    printf("\nby status:");
    for (int k = 0; k < TF_STATUS_COUNT; k++)
        if (s->count[k])
            printf("  %s %ld (%s)", tf_status_name((tf_status)k), s->count[k],
                   tf_fund_fmt(s->fund, amt, s->charge[k], 1));
    printf("\nfunded or disbursed by tier:  LDC %ld (%s)", s->tier_count[1],
           tf_fund_fmt(s->fund, amt, s->tier_charge[1], 1));
    printf("  other developing %ld (%s)\n", s->tier_count[2],
           tf_fund_fmt(s->fund, amt, s->tier_charge[2], 1));
}

static int parse_common(const char *opt, cli_format *fmt)
{
    if (cli_parse_format(opt, fmt))
        return cli_usage("unknown format '%s'", opt);
    return 0;
}

/* Looking a session up: stop at the first (only) row. */
static int session_found(void *ctx, const tf_session *s)
{
    (void)ctx;
    (void)s;
    return 1;
}

/* ---- Envelope figures --------------------------------------------- */

static const char *const envelope_cols[] = {"pool", "envelope", "used",
                                            "available", "allowance"};

/* The envelope figures as a table, one row per pool a grant may draw. */
static void envelope_rows(tf_fund *fund, cli_table *t, const tf_envelope *e,
                          int group)
{
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        char a[4][TF_AMOUNT_BUFSZ];
        const char *cells[5];
        if (k == TF_POOL_PREP)
            continue;
        cells[0] = tf_pools[k];
        cells[1] = tf_fund_fmt(fund, a[0], e->envelope[k], group);
        cells[2] = tf_fund_fmt(fund, a[1], e->used[k], group);
        cells[3] = tf_fund_fmt(fund, a[2], e->available[k], group);
        cells[4] = tf_fund_fmt(fund, a[3], e->allowance[k], group);
        cli_table_row(t, cells);
    }
}

/* One line saying where the envelope comes from, for people. */
static void envelope_origin(FILE *o, const char *session, const char *date,
                            const tf_envelope *e)
{
    if (e->run)
        fprintf(o, "envelope of %s: stored by run %" PRId64, session, e->run);
    else
        fprintf(o,
                "envelope of %s: not fixed yet; a first run on %s would fix "
                "available x %s",
                session, date, e->share);
    fprintf(o, "; last day %s%s; figures as of %s\n", e->last_day,
            e->after_last ? " (over: no run may spend)" : "", date);
}

/* The text or JSON header block of allocation show (CSV has none: its
 * companion is allocation envelope). */
static void envelope_block(tf_fund *fund, cli_format fmt, const char *session,
                           const char *date, const tf_envelope *e)
{
    cli_table *t;

    if (fmt == CLI_CSV)
        return;
    if (fmt == CLI_TEXT) {
        envelope_origin(stdout, session, date, e);
    } else {
        json_t *head = json_pack("{s:s, s:s, s:I, s:s}", "session", session,
                                 "as_of", date, "envelope_run",
                                 (json_int_t)e->run, "last_day", e->last_day);
        char *text =
            head ? json_dumps(head, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
        /* The object without its closing brace, then the two tables. */
        if (text && strlen(text) > 1)
            text[strlen(text) - 1] = '\0';
        printf("%s,\n\"envelope\": ", text ? text : "{");
        free(text);
        json_decref(head);
    }
    t = cli_table_new(fmt, stdout, envelope_cols, "saaaa");
    envelope_rows(fund, t, e, fmt == CLI_TEXT);
    cli_table_end(t);
    if (fmt == CLI_TEXT)
        putchar('\n');
    else
        printf(",\n\"requests\": ");
}

/* The options of the views: --date (envelope) where date is given,
 * --as-of (show) where as_of is given, --format. */
static int parse_view_options(int argc, char **argv, const char **date,
                              const char **as_of, cli_format *fmt)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if (!date)
                return cli_bad_option(argv);
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            *date = optarg;
            break;
        case 'a':
            if (!as_of)
                return cli_bad_option(argv);
            if ((rc = cli_check_date("--as-of", optarg)))
                return rc;
            *as_of = optarg;
            break;
        case 'f':
            if ((rc = parse_common(optarg, fmt)))
                return rc;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    return -1;
}

/* allocation show SESSION */
static int allocation_show(int argc, char **argv)
{
    struct show s;
    tf_envelope env;
    const char *as_of = NULL;
    char today[16];
    tf_diag diag;
    tf_error err;
    int rc;

    memset(&s, 0, sizeof(s));
    s.fmt = CLI_TEXT;
    tf_date_today(today);
    if ((rc = parse_view_options(argc, argv, NULL, &as_of, &s.fmt)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("allocation show needs one SESSION");
    if ((rc = cli_open(&s.fund)))
        return rc;
    tf_diag_clear(&diag);
    /* The envelope as it stood on the date the decisions are shown. */
    err = tf_envelope_get(s.fund, argv[optind], as_of ? as_of : today, &env,
                          &diag);
    if (!err) {
        envelope_block(s.fund, s.fmt, argv[optind], as_of ? as_of : today,
                       &env);
        s.t = cli_table_new(s.fmt, stdout, alloc_cols, alloc_kinds);
        err = tf_request_each_as_of(s.fund, argv[optind], as_of, show_request,
                                    &s, &diag);
        cli_table_end(s.t);
        if (!err && s.fmt == CLI_TEXT)
            print_totals(&s);
        if (s.fmt == CLI_JSON)
            printf("}\n");
    }
    return cli_close(s.fund, err, &diag);
}

/* allocation envelope SESSION [--date D] */
static int allocation_envelope(int argc, char **argv)
{
    cli_format fmt = CLI_TEXT;
    const char *date;
    char today[16];
    tf_envelope env;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    tf_date_today(today);
    date = today;
    if ((rc = parse_view_options(argc, argv, &date, NULL, &fmt)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("allocation envelope needs one SESSION");
    if ((rc = cli_open(&fund)))
        return rc;
    tf_diag_clear(&diag);
    err = tf_envelope_get(fund, argv[optind], date, &env, &diag);
    if (!err) {
        cli_table *t;
        if (fmt == CLI_TEXT)
            envelope_origin(stdout, argv[optind], date, &env);
        t = cli_table_new(fmt, stdout, envelope_cols, "saaaa");
        envelope_rows(fund, t, &env, fmt == CLI_TEXT);
        cli_table_end(t);
    }
    return cli_close(fund, err, &diag);
}

/* ---- allocation runs, allocation undo ------------------------------ */

struct runs_out {
    tf_fund *fund;
    cli_table *t;
    int group;
};

static int run_row(void *ctx, const tf_run_info *r)
{
    struct runs_out *o = ctx;
    char id[24], n[4][24], charge[TF_AMOUNT_BUFSZ], env[256] = "";
    char state[128];
    size_t len = 0;
    const char *cells[13];

    snprintf(id, sizeof(id), "%" PRId64, r->id);
    snprintf(n[0], sizeof(n[0]), "%ld", r->considered);
    snprintf(n[1], sizeof(n[1]), "%ld", r->funded);
    snprintf(n[2], sizeof(n[2]), "%ld", r->waitlisted);
    snprintf(n[3], sizeof(n[3]), "%ld", r->rejected);
    tf_fund_fmt(o->fund, charge, r->funded_charge, o->group);
    for (int k = 0; r->has_envelope && k < TF_POOL_COUNT; k++) {
        char a[TF_AMOUNT_BUFSZ];
        if (k == TF_POOL_PREP || len >= sizeof(env))
            continue;
        len += (size_t)snprintf(
            env + len, sizeof(env) - len, "%s%s:%s", len ? ";" : "",
            tf_pools[k], tf_fund_fmt(o->fund, a, r->envelope[k], o->group));
    }
    snprintf(state, sizeof(state), "%s", *r->last_step ? r->last_step : "");
    cells[0] = id;
    cells[1] = r->session;
    cells[2] = r->date;
    cells[3] = r->actor;
    cells[4] = r->options;
    cells[5] = r->basis;
    cells[6] = env;
    cells[7] = n[0];
    cells[8] = n[1];
    cells[9] = n[2];
    cells[10] = n[3];
    cells[11] = charge;
    cells[12] = state;
    cli_table_row(o->t, cells);
    return 0;
}

/* allocation runs [SESSION] */
static int allocation_runs(int argc, char **argv)
{
    /* The counts are named by their status. */
    const char *const cols[] = {"run",
                                "session",
                                "date",
                                "actor",
                                "options",
                                "basis",
                                "envelope",
                                "decided",
                                tf_status_name(TF_STATUS_FUNDED),
                                tf_status_name(TF_STATUS_WAITLISTED),
                                tf_status_name(TF_STATUS_REJECTED),
                                "funded_charge",
                                "last_step"};
    cli_format fmt = CLI_TEXT;
    struct runs_out o;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = parse_view_options(argc, argv, NULL, NULL, &fmt)) >= 0)
        return rc;
    if (argc - optind > 1)
        return cli_usage("allocation runs takes at most one SESSION");
    memset(&o, 0, sizeof(o));
    if ((rc = cli_open(&o.fund)))
        return rc;
    tf_diag_clear(&diag);
    o.group = fmt == CLI_TEXT;
    o.t = cli_table_new(fmt, stdout, cols, "issssssiiiias");
    err = tf_run_each(o.fund, argc - optind == 1 ? argv[optind] : NULL, run_row,
                      &o, &diag);
    cli_table_done(o.t, err);
    return cli_close(o.fund, err, &diag);
}

/* allocation decisions RUN */
static int allocation_decisions(int argc, char **argv)
{
    struct show s;
    int64_t run;
    tf_diag diag;
    tf_error err;
    int rc;

    memset(&s, 0, sizeof(s));
    s.fmt = CLI_TEXT;
    if ((rc = parse_view_options(argc, argv, NULL, NULL, &s.fmt)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("allocation decisions needs one RUN (its number)");
    if (cli_parse_id(argv[optind], &run))
        return cli_usage("RUN is a run's number ('tfund allocation runs')");
    if ((rc = cli_open(&s.fund)))
        return rc;
    tf_diag_clear(&diag);
    s.t = cli_table_new(s.fmt, stdout, alloc_cols, alloc_kinds);
    err = tf_run_decisions(s.fund, run, show_request, &s, &diag);
    if (err) {
        cli_table_free(s.t);
    } else {
        cli_table_end(s.t);
        if (s.fmt == CLI_TEXT)
            print_totals(&s);
    }
    return cli_close(s.fund, err, &diag);
}

/* allocation undo RUN --date D */
static int allocation_undo(int argc, char **argv)
{
    const char *date = NULL;
    char a[TF_AMOUNT_BUFSZ], line[512];
    cli_format fmt = CLI_TEXT;
    tf_undo_result res;
    int64_t run;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    if ((rc = parse_view_options(argc, argv, &date, NULL, &fmt)) >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage("allocation undo needs one RUN (its number)");
    if (!date)
        return cli_usage("allocation undo needs --date DATE");
    if (cli_parse_id(argv[optind], &run))
        return cli_usage("RUN is a run's number ('tfund allocation runs')");
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        err = tf_allocation_undo(fund, run, date, &res, &diag);
        if (!err) {
            snprintf(line, sizeof(line),
                     "run %" PRId64 " of %s undone on %s: %ld grant(s) back to "
                     "pending, commitments of %s released; %ld waitlisted or "
                     "rejected back to pending",
                     run, res.session, date, res.funded,
                     tf_fund_fmt(fund, a, res.released, 1), res.other);
            cli_announce(fund, line);
        }
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
}

/* RUN [--date D] [--reason TEXT]: the options of certify, approve and
 * reject; -1 to go on, else the exit status. */
static int step_options(int argc, char **argv, const char *what, int64_t *run,
                        const char **date, const char **reason)
{
    static const struct option opts[] = {
        {"date", required_argument, NULL, 'd'},
        {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc;

    while ((c = cli_getopt(argc, argv, opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            *date = optarg;
            break;
        case 'r':
            if (!reason)
                return cli_bad_option(argv);
            *reason = optarg;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("%s needs one number", what);
    if (cli_parse_id(argv[optind], run))
        return cli_usage("'%s' is not a number", argv[optind]);
    if (reason && !*reason)
        return cli_usage("%s needs --reason TEXT", what);
    return -1;
}

/* allocation certify|approve|reject RUN */
static int allocation_step(int argc, char **argv, const char *step)
{
    const char *date, *reason = NULL;
    char today[16], line[512], a[TF_AMOUNT_BUFSZ];
    tf_alloc_result res;
    int64_t run = 0;
    tf_fund *fund;
    tf_diag diag;
    tf_error err;
    int rc;

    tf_date_today(today);
    date = today;
    if ((rc = step_options(argc, argv, step, &run, &date,
                           !strcmp(step, "reject") ? &reason : NULL)) >= 0)
        return rc;
    if ((rc = cli_open_begin(&fund, &err, &diag)))
        return rc;
    if (!err) {
        if (!strcmp(step, "certify")) {
            err = tf_allocation_certify(fund, run, date, &diag);
            snprintf(line, sizeof(line), "run %" PRId64 " certified on %s", run,
                     date);
        } else if (!strcmp(step, "reject")) {
            err = tf_allocation_reject(fund, run, date, reason, &diag);
            snprintf(line, sizeof(line), "run %" PRId64 " rejected on %s: %s",
                     run, date, reason);
        } else {
            err = tf_allocation_approve(fund, run, date, &res, &diag);
            snprintf(line, sizeof(line),
                     "run %" PRId64
                     " approved on %s: %ld funded for %s committed, "
                     "%ld waitlisted, %ld rejected",
                     run, date, res.funded,
                     tf_fund_fmt(fund, a, res.funded_charge, 1), res.waitlisted,
                     res.rejected);
        }
        if (!err)
            cli_announce(fund, line);
        err = cli_finish(fund, err, &diag);
    }
    return cli_close(fund, err, &diag);
}

static int run_allocation(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return cli_help();
    if (argc < 2)
        return cli_usage("allocation needs show, envelope, runs, decisions, "
                         "undo, certify, approve or reject");
    if (!strcmp(argv[1], "show"))
        return allocation_show(argc - 1, argv + 1);
    if (!strcmp(argv[1], "envelope"))
        return allocation_envelope(argc - 1, argv + 1);
    if (!strcmp(argv[1], "runs"))
        return allocation_runs(argc - 1, argv + 1);
    if (!strcmp(argv[1], "decisions"))
        return allocation_decisions(argc - 1, argv + 1);
    if (!strcmp(argv[1], "undo"))
        return allocation_undo(argc - 1, argv + 1);
    if (!strcmp(argv[1], "certify") || !strcmp(argv[1], "approve") ||
        !strcmp(argv[1], "reject"))
        return allocation_step(argc - 1, argv + 1, argv[1]);
    return cli_usage("unknown allocation command '%s' (show, envelope, runs, "
                     "decisions, undo, certify, approve or reject)",
                     argv[1]);
}

const struct option cli_allocate_opts[] = {
    {"date", required_argument, NULL, 'd'},
    {"order", required_argument, NULL, 'o'},
    {"budget", required_argument, NULL, 'b'},
    {"cap", required_argument, NULL, 'c'},
    {"strict", no_argument, NULL, 's'},
    {"dry-run", no_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Parses allocate's options into opt (the cap's text into *cap, read once
 * the fund's currency is known); -1 to go on, else the exit status. */
static int allocate_options(int argc, char **argv, tf_alloc_options *opt,
                            const char **cap, int *quiet, cli_format *fmt)
{
    int c, rc;

    while ((c = cli_getopt(argc, argv, cli_allocate_opts)) != -1) {
        switch (c) {
        case 'd':
            if ((rc = cli_check_date("--date", optarg)))
                return rc;
            opt->date = optarg;
            break;
        case 'o':
            if (!strcmp(optarg, "submitted"))
                opt->order = TF_ORDER_SUBMITTED;
            else if (!strcmp(optarg, "cost"))
                opt->order = TF_ORDER_COST;
            else if (!strcmp(optarg, "region"))
                opt->order = TF_ORDER_REGION;
            else
                return cli_usage("--order is submitted, cost or region");
            break;
        case 'b':
            if (!strcmp(optarg, "days") || !strcmp(optarg, "all"))
                opt->budget_all = optarg[0] == 'a';
            else
                return cli_usage("--budget is days or all");
            break;
        case 'c':
            *cap = optarg;
            break;
        case 's':
            opt->strict = 1;
            break;
        case 'n':
            opt->dry_run = 1;
            break;
        case 'q':
            *quiet = 1;
            break;
        case 'f':
            if ((rc = parse_common(optarg, fmt)))
                return rc;
            break;
        default:
            return cli_other_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage("allocate needs one SESSION");
    return -1;
}

/* The run's summary: what it decided, and per pool the envelope it
 * started from and what it drew of its allowance. */
static void print_summary(FILE *o, tf_fund *fund, const char *session,
                          const tf_alloc_options *opt,
                          const tf_alloc_result *res)
{
    const tf_envelope *e = &res->env;
    char amt[TF_AMOUNT_BUFSZ], b[TF_AMOUNT_BUFSZ], c[TF_AMOUNT_BUFSZ],
        d[TF_AMOUNT_BUFSZ];

    fprintf(o,
            "%s%s on %s: %ld considered: %ld funded (%ld LDC, %ld "
            "other developing) for %s, %ld waitlisted, %ld rejected\n",
            opt->dry_run ? "dry run, nothing written: " : "", session,
            opt->date, res->considered, res->funded, res->funded_tier[1],
            res->funded_tier[2], tf_fund_fmt(fund, amt, res->funded_charge, 1),
            res->waitlisted, res->rejected);
    if (!strcmp(e->basis, "fixed"))
        fprintf(o, "envelope fixed by this run: available x %s\n", e->share);
    else if (!strcmp(e->basis, "reset"))
        fprintf(o, "envelope reset by this run (--budget all): used + "
                   "available\n");
    else
        fprintf(o, "envelope kept, as stored by run %" PRId64 "\n", e->run);
    for (int k = 0; k < TF_POOL_COUNT; k++) {
        if (k == TF_POOL_PREP)
            continue;
        fprintf(o, "  %-12s envelope %s, used %s, allowance %s, drawn %s\n",
                tf_pools[k], tf_fund_fmt(fund, amt, e->envelope[k], 1),
                tf_fund_fmt(fund, b, e->used[k], 1),
                tf_fund_fmt(fund, c, e->allowance[k], 1),
                tf_fund_fmt(fund, d, res->drawn[k], 1));
    }
    if (e->travel_budget > 0)
        fprintf(o, "  travel_budget %s, funded before this run %s\n",
                tf_fund_fmt(fund, amt, e->travel_budget, 1),
                tf_fund_fmt(fund, b, e->budget_used, 1));
}

static int run_allocate(int argc, char **argv)
{
    tf_alloc_options opt;
    tf_alloc_result res;
    const char *cap = NULL, *session;
    char today[16];
    struct show s;
    int quiet = 0, rc;
    tf_diag diag;
    tf_error err = TF_OK;

    memset(&opt, 0, sizeof(opt));
    memset(&s, 0, sizeof(s));
    s.fmt = CLI_TEXT;
    opt.cap = -1;
    tf_date_today(today);
    opt.date = today;
    if ((rc = allocate_options(argc, argv, &opt, &cap, &quiet, &s.fmt)) >= 0)
        return rc;
    session = argv[optind];
    if ((rc = cli_open(&s.fund)))
        return rc;
    tf_diag_clear(&diag);
    if (cap) {
        tf_diag sub;
        tf_diag_clear(&sub);
        if (tf_fund_parse(s.fund, &opt.cap, cap, 0, &sub)) {
            tf_fund_close(s.fund);
            return cli_usage("--cap: %s", sub.msg);
        }
    }
    /* A dry run only reads. */
    if ((err = tf_session_each(s.fund, session, session_found, NULL, &diag)) ||
        (!opt.dry_run && (err = cli_begin(s.fund, &diag)))) {
        tf_fund_close(s.fund);
        return cli_fail(err, &diag);
    }
    if (!quiet)
        s.t = cli_table_new(s.fmt, stdout, alloc_cols, alloc_kinds);
    err = tf_allocate(s.fund, session, &opt, &res, quiet ? NULL : show_request,
                      &s, &diag);
    if (s.t) {
        cli_table_done(s.t, err);
    }
    if (!err && (s.fmt == CLI_TEXT || quiet))
        print_summary(s.fmt == CLI_TEXT ? stdout : stderr, s.fund, session,
                      &opt, &res);
    if (!err && res.proposed)
        fprintf(s.fmt == CLI_TEXT ? stdout : stderr,
                "run %" PRId64 " proposed: nothing is committed until it is "
                "approved ('tfund allocation approve %" PRId64 "')\n",
                res.run, res.run);
    /* Everything is written before the commit (cli_finish flushes it). */
    if (!opt.dry_run) {
        char amt[TF_AMOUNT_BUFSZ];
        if (!err)
            tf_audit_summary(s.fund,
                             "%s on %s: %ld considered: %ld funded (%ld LDC, "
                             "%ld other developing) for %s, %ld waitlisted, "
                             "%ld rejected (run %" PRId64 ", envelope %s%s)",
                             session, opt.date, res.considered, res.funded,
                             res.funded_tier[1], res.funded_tier[2],
                             tf_fund_fmt(s.fund, amt, res.funded_charge, 1),
                             res.waitlisted, res.rejected, res.run,
                             res.env.basis, res.proposed ? ", proposed" : "");
        err = cli_finish(s.fund, err, &diag);
    }
    return cli_close(s.fund, err, &diag);
}

const struct tf_cmd cmd_allocate = {
    "allocate", "run the allocation batch of a session", run_allocate,
    "usage: tfund allocate SESSION [--date DATE] [--order submitted|cost|"
    "region]\n"
    "                      [--budget days|all] [--cap AMOUNT] [--strict]\n"
    "                      [--dry-run] [--quiet] [--format text|csv|json]\n"
    "\n"
    "Decides the session's pending and waitlisted requests submitted by\n"
    "DATE (default today) in one transaction, seeing the books as of DATE;\n"
    "a request submitted later stays as it is. No run may be dated after\n"
    "the session's last day (start + days - 1) or in a closed period\n"
    "(exit 1).\n"
    "  1. tier 1 = LDC on the session's start date, tier 2 = other\n"
    "     developing country; any other country is rejected (not-eligible);\n"
    "  2. cost = fare (converted at DATE) + DSA x (days + extra_days) +\n"
    "     terminal; psc = cost x psc_rate, half to even; charge = cost + psc;\n"
    "  3. tier 1 first; within a tier by submission time (--order\n"
    "     submitted), by charge (cost) or from the regional group with the\n"
    "     fewest funded delegates (region);\n"
    "  4. at most quota_ldc (2) per LDC and quota_developing (1) per other\n"
    "     country per session, else waitlisted (quota);\n"
    "  5. the session's envelope per pool is fixed by its first run that\n"
    "     writes: floor(available x share), share = this session's days /\n"
    "     days of all sessions from its start on (--budget days, the\n"
    "     default) or 1 (--budget all). Every run may spend\n"
    "     max(0, min(available, envelope - used)), used being what the\n"
    "     session's funded and disbursed grants drew: a cancellation frees\n"
    "     money for the session's own waitlist, never a fresh share. A\n"
    "     re-run given --budget all resets the envelope to used + available\n"
    "     (recorded with the run);\n"
    "  6. a request is funded whole when its pools' remaining allowance\n"
    "     covers its charge, drawn from ldc-travel, travel, unrestricted in\n"
    "     that order (tier 2 skips ldc-travel); otherwise waitlisted\n"
    "     (insufficient-funds). One the allowance covers but that would pass\n"
    "     --cap (this run's total charge) or the session's travel_budget\n"
    "     (all its funded grants) is waitlisted (cap). The walk goes on to\n"
    "     the next; --strict stops funding there, and the rest get that\n"
    "     reason (after their quota check).\n"
    "Each funded request gets a commitment entry per pool drawn. The\n"
    "summary shows each pool's envelope, used, allowance and what the run\n"
    "drew. Everything is printed before the commit: output that cannot be\n"
    "written fails the run (exit 3), which then writes nothing.\n"
    "--dry-run prints the decisions and writes nothing. See also\n"
    "'allocation envelope', 'waitlist' and 'headroom'.\n"};

const struct tf_cmd cmd_allocation = {
    "allocation", "a session's decisions, envelope and runs", run_allocation,
    "usage: tfund allocation show SESSION [--as-of DATE]\n"
    "                             [--format text|csv|json]\n"
    "       tfund allocation envelope SESSION [--date DATE]\n"
    "                                 [--format text|csv|json]\n"
    "       tfund allocation runs [SESSION] [--format text|csv|json]\n"
    "       tfund allocation decisions RUN [--format text|csv|json]\n"
    "       tfund allocation undo RUN --date DATE\n"
    "       tfund allocation certify RUN [--date DATE]\n"
    "       tfund allocation approve RUN [--date DATE]\n"
    "       tfund allocation reject RUN --reason TEXT [--date DATE]\n"
    "\n"
    "show: every request of the session with its decision and figures,\n"
    "after the session's envelope as of today (for people and in JSON, an\n"
    "object with the envelope and the requests); with --as-of, the\n"
    "decisions, draws and envelope as they stood on DATE. CSV columns:\n"
    "ref,session,country,tier,region_group,status,reason,fare,dsa,\n"
    "terminal,cost,psc,charge,draws (draws: pool:amount joined by ';'). A\n"
    "request never allocated is pending with empty tier and figures.\n"
    "\n"
    "envelope: what a run of the session dated DATE (default today) would\n"
    "start from, one row per pool a grant may draw. CSV columns: pool,\n"
    "envelope,used,available,allowance:\n"
    "  envelope   stored by the session's runs, or, before its first run,\n"
    "             what one dated DATE would fix (floor(available x share))\n"
    "  used       what its funded and disbursed grants drew\n"
    "  available  the pool's available as of DATE\n"
    "  allowance  max(0, min(available, envelope - used)); 0 after the\n"
    "             session's last day\n"
    "\n"
    "runs: every allocation run (of SESSION), numbered per fund, with its\n"
    "date, actor, options, how it came by its envelope (basis: fixed,\n"
    "kept, reset), the envelope, what it decided and its latest step\n"
    "(undone; proposed, certified, approved or rejected with approvals).\n"
    "\n"
    "decisions: what run RUN decided, with its figures and draws (the\n"
    "columns of show): what it proposes while it awaits its approval.\n"
    "\n"
    "undo: every request whose state is still run RUN's decision goes\n"
    "back to pending on DATE, a funded one with its commitments released;\n"
    "one cancelled since stays cancelled, one a later run decided is left\n"
    "alone. Refused (exit 1), naming them, if any of its grants has since\n"
    "been disbursed (undisburse them first). The session's envelope is\n"
    "then that of its latest run still in force (none: the next run fixes\n"
    "one afresh).\n"
    "\n"
    "Approvals (the setting approvals: none; approve; certify-approve, the\n"
    "default of a fund with users): allocate records its run as proposed,\n"
    "its decisions shown, nothing committed, its requests where they were;\n"
    "no other run of the session until it is approved or rejected.\n"
    "certify (certify-approve only), then approve, each by another actor\n"
    "than the one who proposed it (and approve not by the certifier), post\n"
    "its decisions and commitments on DATE (default today), provided its\n"
    "figures still hold then (none of its requests decided or amended\n"
    "since, its draws within what the envelope has left and the pools\n"
    "have, the travel_budget and the quotas); otherwise refused (exit 1):\n"
    "reject it and propose a run again. reject voids it, with a reason.\n"};
